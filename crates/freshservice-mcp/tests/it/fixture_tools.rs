//! The conformance suite's fixture tools, built with the public `CustomTool` API.
//!
//! The suite scores several scenarios (server-stateless among them) by calling tools with fixed
//! names. Serving them as custom tools beside the catalogue lets those scenarios run through the
//! same dispatch, capability checks, logging rules and transports as the Freshservice tools.

use async_trait::async_trait;
use freshservice_mcp::{CustomTool, ServiceBuilder, ToolContext};
use mcp_messages::{
    CallToolResult, ContentBlock, JsonObject, LoggingLevel, ResourceContents, Tool,
};
use serde_json::{Value, json};

/// A 1×1 red PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A WAV header with no samples.
const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

/// What a fixture does when called.
#[derive(Clone, Copy)]
enum Behaviour {
    Text(&'static str),
    Image,
    Audio,
    EmbeddedResource,
    Mixed,
    Error,
    Progress,
    /// Logs one line per level, pausing between lines.
    Logs(&'static [LoggingLevel]),
}

struct Fixture {
    name: &'static str,
    needs: &'static [&'static str],
    schema: fn() -> Value,
    behaviour: Behaviour,
}

fn no_arguments() -> Value {
    json!({ "type": "object", "additionalProperties": false })
}

fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": { "address": { "$anchor": "addressDef", "type": "object",
            "properties": { "street": { "type": "string" }, "city": { "type": "string" } } } },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": { "properties": { "contactMethod": { "const": "phone" } }, "required": ["contactMethod"] },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    })
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "test_simple_text",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Text("This is a simple text response for testing."),
    },
    Fixture {
        name: "test_image_content",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Image,
    },
    Fixture {
        name: "test_audio_content",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Audio,
    },
    Fixture {
        name: "test_embedded_resource",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::EmbeddedResource,
    },
    Fixture {
        name: "test_multiple_content_types",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Mixed,
    },
    Fixture {
        name: "test_error_handling",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Error,
    },
    Fixture {
        name: "test_tool_with_progress",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Progress,
    },
    Fixture {
        name: "test_missing_capability",
        needs: &["sampling"],
        schema: no_arguments,
        behaviour: Behaviour::Text("sampling was declared"),
    },
    Fixture {
        name: "test_streaming_elicitation",
        needs: &["elicitation"],
        schema: no_arguments,
        behaviour: Behaviour::Text("elicitation was declared; nothing to ask"),
    },
    Fixture {
        name: "test_logging_tool",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Logs(&[
            LoggingLevel::Info,
            LoggingLevel::Warning,
            LoggingLevel::Error,
        ]),
    },
    Fixture {
        name: "test_tool_with_logging",
        needs: &[],
        schema: no_arguments,
        behaviour: Behaviour::Logs(&[LoggingLevel::Info, LoggingLevel::Info, LoggingLevel::Info]),
    },
    Fixture {
        name: "json_schema_2020_12_tool",
        needs: &[],
        schema: json_schema_2020_12,
        behaviour: Behaviour::Text("schema keywords preserved"),
    },
];

struct FixtureTool(&'static Fixture);

#[async_trait]
impl CustomTool for FixtureTool {
    fn definition(&self) -> Tool {
        let Value::Object(schema) = (self.0.schema)() else {
            unreachable!("fixture schemas are objects")
        };
        Tool::new(
            self.0.name,
            format!("Conformance fixture {}", self.0.name),
            schema,
        )
    }

    fn required_client_capabilities(&self) -> JsonObject {
        self.0
            .needs
            .iter()
            .map(|name| ((*name).to_owned(), json!({})))
            .collect()
    }

    async fn call(&self, _arguments: JsonObject, context: ToolContext<'_>) -> CallToolResult {
        let content = match self.0.behaviour {
            Behaviour::Text(text) => vec![ContentBlock::text(text)],
            Behaviour::Image => vec![image()],
            Behaviour::Audio => vec![ContentBlock::Audio {
                data: WAV.into(),
                mime_type: "audio/wav".into(),
                annotations: None,
            }],
            Behaviour::EmbeddedResource => vec![resource(
                "test://embedded-resource",
                "text/plain",
                "This is an embedded resource content.",
            )],
            Behaviour::Mixed => vec![
                ContentBlock::text("Multiple content types test:"),
                image(),
                resource(
                    "test://mixed-content-resource",
                    "application/json",
                    r#"{"test":"data","value":123}"#,
                ),
            ],
            Behaviour::Error => {
                return CallToolResult::error(
                    "This tool intentionally returns an error for testing",
                );
            }
            Behaviour::Progress => {
                for step in [0.0, 50.0, 100.0] {
                    context.progress(step, Some(100.0));
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                vec![ContentBlock::text("progress reported")]
            }
            Behaviour::Logs(levels) => {
                for (line, level) in levels.iter().enumerate() {
                    context.log(
                        *level,
                        json!({ "message": "fixture log line", "line": line }),
                    );
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                vec![ContentBlock::text("logged at the client's level")]
            }
        };
        CallToolResult::content(content)
    }
}

fn image() -> ContentBlock {
    ContentBlock::Image {
        data: PNG.into(),
        mime_type: "image/png".into(),
        annotations: None,
    }
}

fn resource(uri: &str, mime_type: &str, text: &str) -> ContentBlock {
    ContentBlock::Resource {
        resource: ResourceContents::Text {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: text.into(),
        },
        annotations: None,
    }
}

/// Adds every fixture tool to a builder.
pub(crate) fn with_fixtures(mut builder: ServiceBuilder) -> ServiceBuilder {
    for fixture in FIXTURES {
        builder = builder.custom_tool(FixtureTool(fixture));
    }
    builder
}

/// The fixture tool names, in listing order.
pub(crate) fn fixture_names() -> Vec<&'static str> {
    FIXTURES.iter().map(|fixture| fixture.name).collect()
}
