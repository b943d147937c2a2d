//! A plugin written directly against the WIT (no SDK) whose declarations break every rule the
//! host checks at load, so the test can assert that all reasons are reported at once.

wit_bindgen::generate!({ path: "../../../wit", world: "provider" });

use actionhost::provider::types::*;
use exports::actionhost::provider::plugin::Guest;

struct Invalid;

fn action(name: &str, schema: &str) -> ActionDefinition {
    ActionDefinition {
        name: name.into(),
        description: "An action.".into(),
        input_schema: schema.into(),
        output_schema: None,
        hints: ActionHints::empty(),
        scopes: vec![],
    }
}

impl Guest for Invalid {
    fn info() -> ProviderInfo {
        ProviderInfo {
            id: "Bad-Id".into(),
            name: "Invalid".into(),
            version: "one".into(),
            description: "Breaks the rules.".into(),
            categories: vec![],
            auth: AuthKind::None,
            alternative_auth: vec![],
            origins: vec![
                OriginGrant {
                    origin: "ftp://files.example.com".into(),
                    credentials: true,
                },
                // A wildcard may never carry the user's credential.
                OriginGrant {
                    origin: "https://*.files.example.com".into(),
                    credentials: true,
                },
                // Nor cover a whole top-level domain.
                OriginGrant {
                    origin: "https://*.com".into(),
                    credentials: false,
                },
                OriginGrant {
                    origin: "https://cdn-*.example.com".into(),
                    credentials: false,
                },
            ],
            account_fields: vec![],
            operator_credential: None,
        }
    }

    fn list_actions() -> Vec<ActionDefinition> {
        vec![
            action("lower_case_name", r#"{"type":"object"}"#),
            action("OTHER_PREFIX_ACTION", r#"{"type":"object"}"#),
            action("BAD_ID_STRING_ROOT", r#"{"type":"string"}"#),
            action(
                "BAD_ID_NOT_A_SCHEMA",
                r#"{"type":"object","properties":{"a":{"type":"no-such-type"}}}"#,
            ),
            action("BAD_ID_NOT_JSON", r#"{"type":"#),
            action("BAD_ID_TWICE", r#"{"type":"object"}"#),
            action("BAD_ID_TWICE", r#"{"type":"object"}"#),
        ]
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
        Err(ActionError::NotFound(action))
    }
}

export!(Invalid);
