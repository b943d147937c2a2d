//! JSON Schema and JSON text as plugins give them: compiled one way everywhere (load-time checks,
//! `describe` results, parameter validation), and measured before the host trusts them.
//!
//! Patterns in a plugin's schema run against agents' input on every call, so they are compiled
//! by the `regex` crate, which matches in linear time, never by a backtracking engine: a pattern
//! that needs backtracking (backreferences, look-around) is refused when the plugin loads.

use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::Value;

/// Deepest nesting of JSON a plugin may hand the host (an output, a schema). serde_json refuses
/// to parse anything deeper, so whatever passes can be read back everywhere.
pub const MAX_JSON_DEPTH: usize = 128;

/// Size caps of one compiled pattern (the regex crate's program and its lazy DFA cache).
const PATTERN_PROGRAM_BYTES: usize = 1 << 20;
const PATTERN_DFA_BYTES: usize = 1 << 20;

/// Why a schema cannot be used; says where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(String);

impl SchemaError {
    pub fn new(message: impl Into<String>) -> Self {
        SchemaError(message.into())
    }
}

/// Compiles a draft 2020-12 schema with linear-time patterns; the error says what is wrong.
pub fn compile(schema: &Value) -> Result<Validator, SchemaError> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_pattern_options(
            PatternOptions::regex()
                .size_limit(PATTERN_PROGRAM_BYTES)
                .dfa_size_limit(PATTERN_DFA_BYTES),
        )
        .build(schema)
        .map_err(|e| {
            let text = e.to_string();
            let at = e.schema_path().as_str().to_string();
            SchemaError(if text.contains("\"regex\"") {
                format!(
                    "{text} at {}: patterns are matched in linear time, so backreferences \
                     (\\1) and look-around ((?=, (?!, (?<=) are not supported",
                    if at.is_empty() { "the root" } else { &at }
                )
            } else {
                text
            })
        })
}

/// Whether JSON `text` nests arrays and objects deeper than `max`. Reads bytes only (strings
/// skipped), so a hostile depth costs one pass and no recursion.
pub fn nests_deeper_than(text: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// A rough count of the values in `value`: how much work validating it can take.
pub fn weight(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(weight).sum::<usize>(),
        Value::Object(map) => {
            1 + map
                .iter()
                .map(|(k, v)| k.len() / 16 + weight(v))
                .sum::<usize>()
        }
        Value::String(s) => 1 + s.len() / 16,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_backtracking_pattern_is_refused_with_the_reason() {
        let Err(error) = compile(&json!({
            "type": "object",
            "properties": {"s": {"type": "string", "pattern": "^((a|a)*)*\\1$"}}
        })) else {
            panic!("a backreference was accepted");
        };
        let error = error.to_string();
        assert!(error.contains("linear time"), "{error}");
        assert!(error.contains("/properties/s/pattern"), "{error}");
        assert!(compile(&json!({"type": "string", "pattern": "^(a|a)*$"})).is_ok());
    }

    #[test]
    fn nesting_is_measured_outside_strings_only() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(nests_deeper_than(deep.as_bytes(), 128));
        assert!(!nests_deeper_than(br#"{"a": "[[[[[[[[\"[[[[[[[["}"#, 2));
        assert!(nests_deeper_than(br#"{"a": {"b": [1]}}"#, 2));
        assert!(!nests_deeper_than(br#"{"a": {"b": 1}}"#, 2));
    }
}
