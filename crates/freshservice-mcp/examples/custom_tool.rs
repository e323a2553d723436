//! An application's own tool served next to the Freshservice catalogue, through the same dispatch
//! (capability checks, log levels, progress), on stdio.
//!
//! ```sh
//! FRESHSERVICE_DOMAIN=acme FRESHSERVICE_API_KEY=... cargo run -p freshservice-mcp --example custom_tool
//! ```

use freshservice_mcp::mcp_messages::{
    CallToolResult, ContentBlock, JsonObject, LoggingLevel, Tool,
};
use freshservice_mcp::{CustomTool, McpService, ToolContext, serve_stdio};

/// Tells the model where this company keeps its on-call rota.
struct OnCallNote;

#[async_trait::async_trait]
impl CustomTool for OnCallNote {
    fn definition(&self) -> Tool {
        let serde_json::Value::Object(schema) = serde_json::json!({
            "type": "object",
            "properties": {"team": {"type": "string", "description": "Team name, e.g. Network"}},
            "required": ["team"],
            "additionalProperties": false
        }) else {
            unreachable!("a JSON object literal")
        };
        Tool::new(
            "who_is_on_call_note",
            "Explains where a team's on-call rota lives and which Freshservice tool reads it.",
            schema,
        )
    }

    async fn call(&self, arguments: JsonObject, context: ToolContext<'_>) -> CallToolResult {
        let team = arguments
            .get("team")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("the team");
        context.log(LoggingLevel::Info, serde_json::json!({"note for": team}));
        CallToolResult::content(vec![ContentBlock::text(format!(
            "{team}'s rota is the on-call schedule of the same name: read it with \
             list_all_freshservice_oncall_schedules, then its shifts."
        ))])
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = freshservice_client::Client::builder()
        .domain(std::env::var("FRESHSERVICE_DOMAIN")?)
        .api_key(std::env::var("FRESHSERVICE_API_KEY")?)
        .build()?;
    let service = McpService::builder()
        .client(client)
        .custom_tool(OnCallNote)
        .build()?;
    serve_stdio(service).await?;
    Ok(())
}
