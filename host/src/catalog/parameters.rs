//! Validating an action's parameters against its input schema before any plugin code runs.

use serde::Serialize;
use serde_json::Value;

/// One violation: the JSON pointer of the offending value (or of the missing property).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ParameterError {
    pub path: String,
    pub message: String,
}

/// A compiled input schema (linear-time patterns, see [`crate::schema`]).
pub struct ParameterValidator {
    validator: jsonschema::Validator,
    /// Values in the schema: with the input's weight, how much work one check may take.
    schema_weight: usize,
}

/// Violations reported for one call; a schema with many failing branches could list millions.
pub const MAX_ERRORS: usize = 50;

/// Checks whose input weight times schema weight stays under this run inline on the async
/// worker (a few hundred microseconds at most); heavier ones go to the blocking pool so no
/// plugin's schema can hold a worker.
const INLINE_WORK: usize = 1 << 18;

impl ParameterValidator {
    pub fn new(schema: &Value) -> Result<Self, crate::schema::SchemaError> {
        Ok(ParameterValidator {
            validator: crate::schema::compile(schema)?,
            schema_weight: crate::schema::expanded_weight(schema),
        })
    }

    /// Whether checking `params` is light enough to run on an async worker.
    pub fn is_light(&self, params: &Value) -> bool {
        crate::schema::weight(params).saturating_mul(self.schema_weight) <= INLINE_WORK
    }

    /// The violations (at most [`MAX_ERRORS`], each message bounded), ordered by path.
    pub fn check(&self, params: &Value) -> Result<(), Vec<ParameterError>> {
        let mut errors: Vec<ParameterError> = self
            .validator
            .iter_errors(params)
            .take(MAX_ERRORS)
            .map(|error| {
                let mut path = error.instance_path().as_str().to_string();
                if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind()
                {
                    let name = property
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| property.to_string());
                    path.push('/');
                    path.push_str(&name.replace('~', "~0").replace('/', "~1"));
                }
                ParameterError {
                    path: crate::quote::clip(&path, 500).into_owned(),
                    message: crate::quote::clip(&error.to_string(), 500).into_owned(),
                }
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_violation_is_reported_with_its_json_pointer() {
        let schema = json!({
            "type": "object",
            "properties": {"title": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}}},
            "required": ["title", "repo"]
        });
        let validator = ParameterValidator::new(&schema).unwrap();
        let errors = validator
            .check(&json!({"title": 5, "labels": ["ok", 7]}))
            .unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/labels/1", "/repo", "/title"]);
        assert_eq!(errors[2].message, "5 is not of type \"string\"");
        assert!(validator.check(&json!({"title": "t", "repo": "r"})).is_ok());
    }
}
