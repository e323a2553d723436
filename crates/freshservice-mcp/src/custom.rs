//! Tools an embedding application serves beside the catalogue's: a company's own helpers, a
//! composite workflow, or the fixture tools a protocol test suite asks for.
//!
//! They go through the same dispatch as catalogue tools, so the protocol rules hold for them
//! too: a tool that needs a client capability the caller did not declare is refused with
//! -32021 before it runs, and its log messages reach the client only when the client asked
//! for that level.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use mcp_messages::{
    CallToolResult, ErrorObject, JsonObject, LoggingLevel, LoggingMessageParams, Notification,
    ProgressParams, RequestId, Tool, error_code, method,
};
use serde_json::{Value, json};

use crate::service::Notifier;

/// A tool implemented by the embedding application. Register it with
/// [`ServiceBuilder::custom_tool`](crate::ServiceBuilder::custom_tool).
///
/// Custom tools are always listed (after the catalogue's tools or the discovery meta-tools):
/// the method and tag filters describe Freshservice operations, which these are not.
#[async_trait]
pub trait CustomTool: Send + Sync + 'static {
    /// The tool as `tools/list` shows it. Its name must not be a catalogue tool's.
    fn definition(&self) -> Tool;

    /// The client capabilities the tool needs, as a `ClientCapabilities` object such as
    /// `{"sampling": {}}`. A call from a client that did not declare one of them is refused
    /// with -32021 (HTTP 400) and `data.requiredCapabilities` naming what is missing.
    fn required_client_capabilities(&self) -> JsonObject {
        JsonObject::new()
    }

    /// Runs the tool. Failures the model should read are results with `isError: true`.
    async fn call(&self, arguments: JsonObject, context: ToolContext<'_>) -> CallToolResult;
}

/// What a running custom tool may send back before its result.
pub struct ToolContext<'a> {
    pub(crate) tool: &'a str,
    pub(crate) log_floor: Option<LoggingLevel>,
    pub(crate) notifier: Option<&'a Notifier>,
    pub(crate) progress_token: Option<RequestId>,
}

impl ToolContext<'_> {
    /// Sends a `notifications/message` when the client asked for this level or a lower one;
    /// otherwise does nothing (a modern client that sent no log level gets no log messages).
    pub fn log(&self, level: LoggingLevel, data: Value) {
        let (Some(floor), Some(notifier)) = (self.log_floor, self.notifier) else {
            return;
        };
        if level < floor {
            return;
        }
        let params = LoggingMessageParams::new(level, Some(self.tool.to_owned()), data);
        send(
            notifier,
            method::LOGGING_MESSAGE,
            serde_json::to_value(params),
        );
    }

    /// Sends a `notifications/progress` when the client passed a progress token. `progress`
    /// must grow from one call to the next.
    pub fn progress(&self, progress: f64, total: Option<f64>) {
        let (Some(notifier), Some(token)) = (self.notifier, &self.progress_token) else {
            return;
        };
        send(
            notifier,
            method::PROGRESS,
            serde_json::to_value(ProgressParams::new(token.clone(), progress, total)),
        );
    }
}

fn send(notifier: &Notifier, method_name: &str, params: serde_json::Result<Value>) {
    if let Ok(params) = params {
        // A closed channel means the client went away; there is no one left to tell.
        let _ = notifier.send(Notification::new(method_name, Some(params)).into());
    }
}

/// The registered custom tools, with their definitions computed once.
#[derive(Clone, Default)]
pub(crate) struct CustomTools {
    definitions: Vec<Tool>,
    by_name: HashMap<String, Arc<dyn CustomTool>>,
}

impl fmt::Debug for CustomTools {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_list()
            .entries(self.definitions.iter().map(|tool| &tool.name))
            .finish()
    }
}

impl CustomTools {
    /// Adds a tool; returns its name back when the name is already taken.
    pub(crate) fn insert(&mut self, tool: Arc<dyn CustomTool>) -> Result<(), String> {
        let definition = tool.definition();
        if self.by_name.contains_key(&definition.name) {
            return Err(definition.name);
        }
        self.by_name.insert(definition.name.clone(), tool);
        self.definitions.push(definition);
        Ok(())
    }

    pub(crate) fn definitions(&self) -> &[Tool] {
        &self.definitions
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Arc<dyn CustomTool>> {
        self.by_name.get(name)
    }
}

/// Refuses a call whose client lacks a capability the tool needs (-32021).
pub(crate) fn check_capabilities(
    tool: &dyn CustomTool,
    name: &str,
    declared: &JsonObject,
) -> Result<(), ErrorObject> {
    let missing: JsonObject = tool
        .required_client_capabilities()
        .into_iter()
        .filter(|(capability, _)| !declared.contains_key(capability))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.keys().map(String::as_str).collect();
    Err(ErrorObject::new(
        error_code::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!(
            "tool {name} needs the client capabilities {names:?}, which this request did not declare: declare them in the client capabilities or do not call this tool",
        ),
    )
    .with_data(json!({ "requiredCapabilities": missing })))
}
