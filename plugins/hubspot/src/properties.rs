//! A HubSpot account's property definitions (`GET /crm/v3/properties/{object}`) as the per-user
//! schema of the create and update actions, and the plain JSON values a model writes turned into
//! the strings HubSpot's CRM v3 takes.
//!
//! Every property a user can write is listed under `properties`, by its internal name, with its
//! label and description, typed: `string`, `number`, `date` (`format: date`), `datetime`
//! (`format: date-time`), `bool`, and `enumeration` (the option `value`s as an enum, their labels
//! in the description; a `checkbox` field takes several, joined with `;` when sent). Left out are
//! properties HubSpot computes or hides: `calculated`, `hidden`, and those whose
//! `modificationMetadata.readOnlyValue` is true.
//!
//! HubSpot's definitions do not say which properties a record needs; the ones its CRM guides
//! require on create ([`Object::required`]) are marked required in the create schema and checked
//! on every create call.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{Error, Object};

/// Enumeration options listed as an enum at most; a longer list is described, and HubSpot checks
/// the value.
pub const MAX_OPTIONS: usize = 100;
/// Bytes of property schemas past which no further property is described (the host takes
/// described schemas up to 256 KiB).
pub const SCHEMA_BUDGET: usize = 160 * 1024;
/// Characters of a property's own description kept in the schema.
const MAX_DESCRIPTION: usize = 300;

/// One property definition, as the properties API answers it.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Property {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub field_type: String,
    pub description: String,
    pub options: Vec<PropertyOption>,
    pub hidden: bool,
    pub calculated: bool,
    pub has_unique_value: bool,
    pub hubspot_defined: bool,
    pub modification_metadata: Modification,
}

/// An enumeration's option: the `value` sent, the `label` people see.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct PropertyOption {
    pub label: String,
    pub value: String,
    pub hidden: bool,
}

/// Whether users may set the property's value.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Modification {
    pub read_only_value: bool,
}

/// The properties API's answer.
#[derive(Debug, Deserialize)]
pub struct Properties {
    pub results: Vec<Property>,
}

impl Property {
    /// Whether a user may write it (HubSpot computes or hides the others).
    pub fn writable(&self) -> bool {
        !self.hidden && !self.calculated && !self.modification_metadata.read_only_value
    }

    /// Whether an enumeration takes several options (a checkbox field).
    fn multiple(&self) -> bool {
        self.kind == "enumeration" && self.field_type == "checkbox"
    }

    fn options(&self) -> Vec<&PropertyOption> {
        self.options.iter().filter(|o| !o.hidden).collect()
    }

    /// The JSON Schema of the value a model gives for this property, with its description.
    pub fn schema(&self) -> Value {
        let options = self.options();
        let enumerated = options.len() <= MAX_OPTIONS && !options.is_empty();
        let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
        let (mut schema, what) = match self.kind.as_str() {
            "number" => (json!({"type": "number"}), "A number.".to_string()),
            "date" => (
                json!({"type": "string", "format": "date"}),
                "A date, YYYY-MM-DD.".to_string(),
            ),
            "datetime" => (
                json!({"type": "string", "format": "date-time"}),
                "A date-time, RFC 3339 (e.g. 2026-05-01T09:30:00Z).".to_string(),
            ),
            "bool" => (json!({"type": "boolean"}), "true or false.".to_string()),
            "enumeration" if self.multiple() => {
                let mut items = json!({"type": "string"});
                if enumerated {
                    items["enum"] = json!(values);
                }
                (
                    json!({"type": "array", "items": items}),
                    format!("Several of: {}.", option_list(&options)),
                )
            }
            "enumeration" => {
                let mut schema = json!({"type": "string"});
                if enumerated {
                    schema["enum"] = json!(values);
                }
                (schema, format!("One of: {}.", option_list(&options)))
            }
            _ if self.name == "email" => (
                json!({"type": "string", "format": "email"}),
                "An e-mail address.".to_string(),
            ),
            _ => (json!({"type": "string"}), "Text.".to_string()),
        };
        let mut description = self.label.trim().to_string();
        if description.is_empty() {
            description = self.name.clone();
        }
        description.push_str(". ");
        description.push_str(&what);
        if self.has_unique_value {
            description.push_str(" Unique: no two records may have the same value.");
        }
        if !self.hubspot_defined {
            description.push_str(" A custom property.");
        }
        let own: String = self
            .description
            .trim()
            .chars()
            .take(MAX_DESCRIPTION)
            .collect();
        if !own.is_empty() {
            description.push(' ');
            description.push_str(&own);
        }
        schema["description"] = json!(description);
        schema
    }
}

/// `value` (Label), ...; capped so a long list stays readable.
fn option_list(options: &[&PropertyOption]) -> String {
    let shown: Vec<String> = options
        .iter()
        .take(MAX_OPTIONS)
        .map(|o| {
            if o.label.is_empty() || o.label == o.value {
                format!("`{}`", o.value)
            } else {
                format!("`{}` ({})", o.value, o.label)
            }
        })
        .collect();
    let more = options.len().saturating_sub(MAX_OPTIONS);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The static schema of a create (`creating`) or update action with `properties` described from
/// the account's definitions: every writable property, the required ones first and marked
/// required when creating, while they fit in [`SCHEMA_BUDGET`].
pub fn describe(mut schema: Value, object: Object, creating: bool, found: &[Property]) -> Value {
    let required: &[&str] = if creating { object.required() } else { &[] };
    let mut writable: Vec<&Property> = found.iter().filter(|p| p.writable()).collect();
    // Required ones first, then custom properties (what this account added), then HubSpot's own.
    writable.sort_by_key(|p| {
        (
            !required.contains(&p.name.as_str()),
            p.hubspot_defined,
            p.name.clone(),
        )
    });
    let mut described: BTreeMap<String, Value> = BTreeMap::new();
    let mut size = 0;
    let mut left_out = 0;
    for property in writable {
        let value = property.schema();
        let cost = property.name.len() + value.to_string().len() + 4;
        if size + cost > SCHEMA_BUDGET && !required.contains(&property.name.as_str()) {
            left_out += 1;
            continue;
        }
        size += cost;
        described.insert(property.name.clone(), value);
    }
    let present: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| described.contains_key(*r))
        .collect();
    let field = &mut schema["properties"]["properties"];
    let mut description = field["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if left_out > 0 {
        description.push_str(&format!(
            " {left_out} more properties of this account are not listed, to keep this schema small; they are refused here."
        ));
    }
    field["description"] = json!(description);
    field["properties"] = Value::Object(described.into_iter().collect::<Map<_, _>>());
    field["additionalProperties"] = json!(false);
    if !present.is_empty() {
        field["required"] = json!(present);
    }
    schema
}

/// The strings HubSpot takes for `values`: text as it is, numbers and booleans written out,
/// several options joined with `;`, `null` as the empty string (which clears a value).
pub fn to_hubspot(values: &Map<String, Value>) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (name, value) in values {
        if name.trim().is_empty() {
            return Err(Error::invalid_input("a property name is empty"));
        }
        let text = match value {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => {
                let mut parts = Vec::new();
                for item in items {
                    match item {
                        Value::String(text) if !text.contains(';') => parts.push(text.clone()),
                        _ => {
                            return Err(Error::invalid_input(format!(
                                "property {name:?}: give several options as a list of option values (without `;`), not {value}"
                            )));
                        }
                    }
                }
                parts.join(";")
            }
            Value::Object(_) => {
                return Err(Error::invalid_input(format!(
                    "property {name:?}: give a string, number, boolean or list of options, not an object"
                )));
            }
        };
        out.insert(name.clone(), Value::String(text));
    }
    Ok(out)
}
