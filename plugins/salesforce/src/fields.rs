//! An object's fields, as `GET sobjects/{Object}/describe` lists them, turned into the JSON
//! Schema of a record's `fields` for creating or updating one: the user's own fields (custom
//! `__c` fields included), typed, picklist values as enums, the fields Salesforce requires on
//! create as required, labels and help texts as descriptions. Formula (`calculated`) fields,
//! fields the user may not set (not `createable` on create, not `updateable` on update) and
//! compound fields (an address or geolocation as a whole: their parts are set one by one) are
//! left out.
//!
//! The schema stays bounded whatever the object: descriptions are cut at [`MAX_DESCRIPTION`]
//! characters, an enum lists at most [`MAX_ENUM`] values, and a schema that would still be
//! larger than [`MAX_SCHEMA_BYTES`] keeps only labels as descriptions.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Longest description of one field, in characters.
pub const MAX_DESCRIPTION: usize = 200;
/// Most picklist values listed as an enum; a longer list is described, not enforced.
pub const MAX_ENUM: usize = 300;
/// Size above which descriptions shrink to labels, and then long picklists lose their enums
/// (the host refuses schemas over 256 KiB).
pub const MAX_SCHEMA_BYTES: usize = 160 * 1024;
/// Most values of an enum kept when the schema must shrink.
const SHRUNK_ENUM: usize = 10;

/// What a schema is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Create,
    Update,
}

/// One field of a describe result (the members this plugin reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub calculated: bool,
    #[serde(default)]
    pub deprecated_and_hidden: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    #[serde(default)]
    pub restricted_picklist: bool,
    #[serde(default)]
    pub dependent_picklist: bool,
    #[serde(default)]
    pub controller_name: Option<String>,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub inline_help_text: Option<String>,
    #[serde(default)]
    pub precision: u32,
    #[serde(default)]
    pub scale: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub active: bool,
}

/// The members of a describe result this plugin reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Describe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub fields: Vec<Field>,
}

impl Field {
    /// Whether a record's `fields` may set it for `purpose`.
    pub fn settable(&self, purpose: Purpose) -> bool {
        let allowed = match purpose {
            Purpose::Create => self.createable,
            Purpose::Update => self.updateable,
        };
        allowed
            && !self.calculated
            && !self.deprecated_and_hidden
            && !matches!(
                self.kind.as_str(),
                "address" | "location" | "complexvalue" | "anyType" | "id"
            )
    }

    /// Whether Salesforce refuses a new record without it.
    pub fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }

    fn active_values(&self) -> Vec<&str> {
        self.picklist_values
            .iter()
            .filter(|v| v.active)
            .map(|v| v.value.as_str())
            .collect()
    }

    /// The field's JSON Schema, with `description`; `short` keeps only the label, and a
    /// picklist of more than `max_enum` values is a plain string.
    pub fn property(&self, short: bool, max_enum: usize) -> Value {
        let mut notes: Vec<String> = Vec::new();
        let mut property = match self.kind.as_str() {
            "boolean" => json!({"type": "boolean"}),
            "int" => json!({"type": "integer"}),
            "double" | "currency" | "percent" => {
                if self.kind == "currency" {
                    notes.push("an amount in the record's currency".into());
                } else if self.kind == "percent" {
                    notes.push("a percentage, 12.5 for 12.5%".into());
                }
                if self.scale > 0 {
                    notes.push(format!("up to {} decimal places", self.scale));
                }
                json!({"type": "number"})
            }
            "date" => json!({"type": "string", "format": "date"}),
            "datetime" => json!({"type": "string", "format": "date-time"}),
            "time" => {
                notes.push("a time of day, HH:MM:SS.sssZ".into());
                json!({"type": "string"})
            }
            "email" => {
                let mut text = self.text();
                text["format"] = json!("email");
                text
            }
            "reference" => {
                let targets = if self.reference_to.is_empty() {
                    "a record".to_string()
                } else {
                    self.reference_to.join(" or ")
                };
                notes.push(format!(
                    "the 15- or 18-character id of a record of {targets}"
                ));
                json!({"type": "string", "pattern": "^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$"})
            }
            "picklist" | "multipicklist" => {
                let values = self.active_values();
                let multi = self.kind == "multipicklist";
                let item = if values.is_empty() || values.len() > max_enum {
                    if !values.is_empty() {
                        let shown = &values[..values.len().min(20)];
                        notes.push(format!("values include {}", shown.join(", ")));
                    }
                    json!({"type": "string"})
                } else {
                    json!({"type": "string", "enum": values})
                };
                if let Some(controller) = &self.controller_name {
                    notes.push(format!("the values allowed depend on {controller}"));
                }
                if multi {
                    notes.push("several values; sent joined by `;`".into());
                    json!({"type": "array", "items": item, "uniqueItems": true})
                } else {
                    item
                }
            }
            "combobox" => {
                let values = self.active_values();
                if !values.is_empty() {
                    let shown = &values[..values.len().min(20)];
                    notes.push(format!("suggested values: {}", shown.join(", ")));
                }
                self.text()
            }
            "url" => {
                notes.push("a web address".into());
                self.text()
            }
            "phone" => {
                notes.push("a phone number".into());
                self.text()
            }
            "base64" => {
                notes.push("base64-encoded content".into());
                json!({"type": "string"})
            }
            _ => self.text(),
        };
        let label = if self.label.is_empty() {
            self.name.as_str()
        } else {
            self.label.as_str()
        };
        let mut description = label.to_string();
        if !short {
            if !notes.is_empty() {
                description.push_str(" — ");
                description.push_str(&notes.join("; "));
            }
            description.push('.');
            if let Some(help) = self.inline_help_text.as_deref().map(str::trim) {
                if !help.is_empty() {
                    description.push(' ');
                    description.push_str(help);
                }
            }
        }
        property["description"] = json!(clip(&description, MAX_DESCRIPTION));
        property
    }

    fn text(&self) -> Value {
        if self.length > 0 {
            json!({"type": "string", "maxLength": self.length})
        } else {
            json!({"type": "string"})
        }
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The JSON Schema of a record's `fields` for `purpose`: one property per settable field, in
/// the describe's order, no other property allowed; on create, the required ones required; on
/// update, a nillable field may be `null`.
pub fn record_schema(describe: &Describe, purpose: Purpose, description: &str) -> Value {
    let build = |short: bool, max_enum: usize| {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for field in describe.fields.iter().filter(|f| f.settable(purpose)) {
            let mut property = field.property(short, max_enum);
            if purpose == Purpose::Update && field.nillable {
                nullable(&mut property);
            }
            properties.insert(field.name.clone(), property);
            if purpose == Purpose::Create && field.required_on_create() {
                required.push(field.name.clone());
            }
        }
        let mut schema = json!({
            "type": "object",
            "description": description,
            "properties": properties,
            "additionalProperties": false,
        });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        if purpose == Purpose::Update {
            schema["minProperties"] = json!(1);
        }
        schema
    };
    let mut schema = build(false, MAX_ENUM);
    for (short, max_enum) in [(true, MAX_ENUM), (true, SHRUNK_ENUM)] {
        if schema.to_string().len() <= MAX_SCHEMA_BYTES {
            break;
        }
        schema = build(short, max_enum);
    }
    schema
}

/// Lets `property` be `null` too (an update clears a nillable field with `null`).
fn nullable(property: &mut Value) {
    if let Some(kind) = property["type"].as_str() {
        property["type"] = json!([kind, "null"]);
    }
    if let Some(values) = property.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
}

/// A record's values as Salesforce takes them: a multi-select picklist's list of values joined
/// by `;` (no other field of a record takes a list).
pub fn to_salesforce(fields: Map<String, Value>) -> Map<String, Value> {
    fields
        .into_iter()
        .map(|(name, value)| match value {
            Value::Array(items) => {
                let joined: Vec<String> = items
                    .iter()
                    .map(|item| match item {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                (name, json!(joined.join(";")))
            }
            other => (name, other),
        })
        .collect()
}
