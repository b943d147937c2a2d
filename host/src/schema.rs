//! JSON Schema and JSON text as plugins give them: compiled one way everywhere (load-time checks,
//! `describe` results, parameter validation), and measured before the host trusts them.
//!
//! Patterns in a plugin's schema run against agents' input on every call, so they are compiled
//! by the `regex` crate, which matches in linear time, never by a backtracking engine: a pattern
//! that needs backtracking (backreferences, look-around) is refused when the plugin loads.

use jsonschema::{Draft, PatternOptions, Validator};
use serde_json::Value;

/// Deepest nesting of JSON a plugin may hand the host (an output, a schema): the deepest
/// serde_json parses (its limit of 128 refuses the 128th level), so whatever passes can be read
/// back everywhere.
pub const MAX_JSON_DEPTH: usize = 127;

/// Size caps of one compiled pattern (the regex crate's program and its lazy DFA cache).
const PATTERN_PROGRAM_BYTES: usize = 256 * 1024;
const PATTERN_DFA_BYTES: usize = 256 * 1024;
/// Patterns (`pattern` and `patternProperties` keys) one schema may hold: each compiles to a
/// program of its own, so their number bounds the memory a schema costs.
pub const MAX_PATTERNS: usize = 256;
/// Subschemas one schema may stand for once every `$ref` is followed: `$ref` lets a few
/// kilobytes stand for an exponential tree, and checking parameters visits all of it.
pub const MAX_EXPANDED_WEIGHT: usize = 200_000;

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
/// A schema with too many patterns, or one that stands for too large a tree once its `$ref`s
/// are followed, is refused.
pub fn compile(schema: &Value) -> Result<Validator, SchemaError> {
    let patterns = count_patterns(schema);
    if patterns > MAX_PATTERNS {
        return Err(SchemaError(format!(
            "the schema has {patterns} patterns; at most {MAX_PATTERNS} are allowed"
        )));
    }
    let expanded = expanded_weight(schema);
    if expanded > MAX_EXPANDED_WEIGHT {
        return Err(SchemaError(format!(
            "the schema stands for more than {MAX_EXPANDED_WEIGHT} subschemas once its $refs are \
             followed; at most {MAX_EXPANDED_WEIGHT} are allowed"
        )));
    }
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

fn count_patterns(schema: &Value) -> usize {
    match schema {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| {
                let own = match key.as_str() {
                    "pattern" if value.is_string() => 1,
                    "patternProperties" => value.as_object().map_or(0, |p| p.len()),
                    _ => 0,
                };
                own + count_patterns(value)
            })
            .sum(),
        Value::Array(items) => items.iter().map(count_patterns).sum(),
        _ => 0,
    }
}

/// The weight of `schema` with every local `$ref` replaced by what it points at, computed once
/// per target (so an exponential expansion costs linear time to measure). A `$ref` cycle is a
/// recursive schema, whose work is bounded by the input's depth rather than the schema: it
/// counts once. Saturates instead of overflowing.
pub fn expanded_weight(schema: &Value) -> usize {
    fn walk(
        root: &Value,
        node: &Value,
        memo: &mut std::collections::HashMap<String, usize>,
        visiting: &mut std::collections::HashSet<String>,
    ) -> usize {
        match node {
            Value::Object(map) => {
                let mut total: usize = 1;
                for (key, value) in map {
                    if key == "$ref"
                        && let Some(pointer) = value.as_str().and_then(|r| r.strip_prefix('#'))
                    {
                        total = total.saturating_add(resolved(root, pointer, memo, visiting));
                    } else {
                        total = total.saturating_add(walk(root, value, memo, visiting));
                    }
                }
                total
            }
            Value::Array(items) => items.iter().fold(1usize, |sum, item| {
                sum.saturating_add(walk(root, item, memo, visiting))
            }),
            _ => 1,
        }
    }
    fn resolved(
        root: &Value,
        pointer: &str,
        memo: &mut std::collections::HashMap<String, usize>,
        visiting: &mut std::collections::HashSet<String>,
    ) -> usize {
        if let Some(weight) = memo.get(pointer) {
            return *weight;
        }
        if !visiting.insert(pointer.to_string()) {
            return 1;
        }
        let weight = root
            .pointer(pointer)
            .map_or(1, |target| walk(root, target, memo, visiting));
        visiting.remove(pointer);
        memo.insert(pointer.to_string(), weight);
        weight
    }
    walk(
        schema,
        schema,
        &mut Default::default(),
        &mut Default::default(),
    )
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
    fn a_schema_that_expands_exponentially_through_refs_is_refused() {
        let mut defs = serde_json::Map::new();
        for n in 0..40 {
            let next = format!("#/$defs/d{}", n + 1);
            defs.insert(
                format!("d{n}"),
                json!({"allOf": [{"$ref": next}, {"$ref": next}]}),
            );
        }
        defs.insert("d40".into(), json!({"required": ["x"]}));
        let schema = json!({"type": "object", "$ref": "#/$defs/d0", "$defs": defs});
        assert!(weight(&schema) < 1_000, "small as text");
        assert!(expanded_weight(&schema) > MAX_EXPANDED_WEIGHT);
        let Err(error) = compile(&schema) else {
            panic!("an exponential schema was accepted");
        };
        assert!(error.to_string().contains("$refs"), "{error}");
        // A recursive schema (a tree) is fine: its work follows the input.
        let tree = json!({
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}
        });
        assert!(expanded_weight(&tree) < 20);
        assert!(compile(&tree).is_ok());
    }

    #[test]
    fn too_many_patterns_are_refused() {
        let properties: serde_json::Map<String, Value> = (0..300)
            .map(|n| {
                (
                    format!("p{n}"),
                    json!({"type": "string", "pattern": format!("^a{n}$")}),
                )
            })
            .collect();
        let Err(error) = compile(&json!({"type": "object", "properties": properties})) else {
            panic!("300 patterns were accepted");
        };
        assert!(error.to_string().contains("300 patterns"), "{error}");
    }

    #[test]
    fn the_depth_limit_is_exactly_what_serde_json_reads() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let deepest = nested(MAX_JSON_DEPTH);
        assert!(!nests_deeper_than(deepest.as_bytes(), MAX_JSON_DEPTH));
        assert!(serde_json::from_str::<Value>(&deepest).is_ok());
        let deeper = nested(MAX_JSON_DEPTH + 1);
        assert!(nests_deeper_than(deeper.as_bytes(), MAX_JSON_DEPTH));
        assert!(serde_json::from_str::<Value>(&deeper).is_err());
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
