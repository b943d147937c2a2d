//! Tool definitions in the formats agents' LLM APIs take, rendered once per plugin load.

use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::manifest::ActionDefinition;

/// The `format` query parameter of `GET /actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToolFormat {
    /// OpenAI function calling: `{"type":"function","function":{"name","description","parameters"}}`.
    #[default]
    JsonSchema,
    /// Anthropic tool use: `{"name","description","input_schema"}`.
    Anthropic,
    /// Model Context Protocol: `{"name","description","inputSchema"}`, and `outputSchema` when
    /// the action's output schema describes an object.
    Mcp,
}

impl ToolFormat {
    pub const ALL: [ToolFormat; 3] = [
        ToolFormat::JsonSchema,
        ToolFormat::Anthropic,
        ToolFormat::Mcp,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One action as a tool in `format`, with `schema` as its input schema.
pub fn render(action: &ActionDefinition, schema: &Value, format: ToolFormat) -> Box<RawValue> {
    let tool = match format {
        ToolFormat::JsonSchema => json!({
            "type": "function",
            "function": { "name": action.name, "description": action.description, "parameters": schema },
        }),
        ToolFormat::Anthropic => json!({
            "name": action.name, "description": action.description, "input_schema": schema,
        }),
        ToolFormat::Mcp => {
            let mut tool = json!({
                "name": action.name, "description": action.description, "inputSchema": schema,
            });
            // MCP carries an output schema when it describes an object (its structured content).
            if let Some(output) = action
                .output_schema
                .as_ref()
                .filter(|o| o.get("type").and_then(Value::as_str) == Some("object"))
            {
                tool["outputSchema"] = output.clone();
            }
            tool
        }
    };
    serde_json::value::to_raw_value(&tool).expect("tool definitions serialize")
}
