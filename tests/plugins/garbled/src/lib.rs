//! A plugin written directly against the WIT (no SDK, which always writes valid JSON) whose
//! `execute` answers with text that is not JSON, so the test can assert the host refuses it.

wit_bindgen::generate!({ path: "../../../wit", world: "provider" });

use actionhost::provider::types::*;
use exports::actionhost::provider::plugin::Guest;

struct Garbled;

impl Guest for Garbled {
    fn info() -> ProviderInfo {
        ProviderInfo {
            id: "garbled".into(),
            name: "Garbled".into(),
            version: "1.0.0".into(),
            description: "Answers with broken JSON.".into(),
            categories: vec![],
            auth: AuthKind::None,
            alternative_auth: vec![],
            origins: vec![],
            account_fields: vec![],
            operator_credential: None,
        }
    }

    fn list_actions() -> Vec<ActionDefinition> {
        ["GARBLED_TRUNCATED", "GARBLED_TWO_VALUES"]
            .into_iter()
            .map(|name| ActionDefinition {
                name: name.into(),
                description: "Answers with text that is not one JSON value.".into(),
                input_schema: r#"{"type":"object"}"#.into(),
                output_schema: None,
                hints: ActionHints::empty(),
                scopes: vec![],
            })
            .collect()
    }

    fn after_connect(_: CallContext) -> Result<ConnectedAccount, ActionError> {
        Ok(ConnectedAccount {
            fields: vec![],
            label: None,
        })
    }

    fn describe(action: String, _: CallContext) -> Result<ActionDefinition, ActionError> {
        Err(ActionError::NotFound(action))
    }

    fn execute(action: String, _: String, _: CallContext) -> Result<String, ActionError> {
        match action.as_str() {
            "GARBLED_TRUNCATED" => Ok(r#"{"id": 1, "name": "#.into()),
            "GARBLED_TWO_VALUES" => Ok(r#"{"id": 1} {"id": 2}"#.into()),
            _ => Err(ActionError::NotFound(action)),
        }
    }
}

export!(Garbled);
