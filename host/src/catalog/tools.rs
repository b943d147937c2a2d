//! Tool definitions in the formats agents' LLM APIs take, rendered once per plugin load.

use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::manifest::{ActionDefinition, ActionHints};

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

/// An action's hints as MCP tool annotations, every one stated: MCP's defaults assume a tool
/// is destructive.
pub fn mcp_annotations(hints: ActionHints) -> Value {
    json!({
        "readOnlyHint": hints.read_only,
        "destructiveHint": hints.destructive,
        "idempotentHint": hints.idempotent || hints.read_only,
        "openWorldHint": true,
    })
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
                "annotations": mcp_annotations(action.hints),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn action(output: Option<Value>) -> ActionDefinition {
        ActionDefinition {
            name: "DEMO_GET".into(),
            description: "Gets.".into(),
            input_schema: json!({"type": "object"}),
            output_schema: output,
            hints: Default::default(),
            scopes: Vec::new(),
        }
    }

    fn tool(action: &ActionDefinition, format: ToolFormat) -> Value {
        serde_json::from_str(render(action, &action.input_schema, format).get()).unwrap()
    }

    #[test]
    fn mcp_tools_carry_an_object_output_schema_and_the_others_do_not() {
        let output = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let typed = action(Some(output.clone()));
        assert_eq!(tool(&typed, ToolFormat::Mcp)["outputSchema"], output);
        // OpenAI's and Anthropic's tool shapes have no such field (Anthropic refuses unknown ones).
        for format in [ToolFormat::JsonSchema, ToolFormat::Anthropic] {
            assert!(!tool(&typed, format).to_string().contains("outputSchema"));
        }
        // MCP's structured content is an object: another output schema is left out.
        let list = action(Some(json!({"type": "array"})));
        assert_eq!(tool(&list, ToolFormat::Mcp).get("outputSchema"), None);
        assert_eq!(
            tool(&action(None), ToolFormat::Mcp).get("outputSchema"),
            None
        );
    }
}
