//! Jira's per-project fields (custom fields such as `customfield_10016` "Story points", and the
//! system fields this plugin has no parameter for, such as `duedate` or `components`), read from
//! the field metadata Jira gives for creating (`createmeta`) or editing (`editmeta`) an issue.
//!
//! Two uses: [`property`] turns one field's metadata into the JSON Schema a model sees in
//! `custom_fields` (a plain type: a string for a select list, with its options as an enum, an
//! account id for a user picker, text for a multi-line text field), and [`value`] turns what the
//! model gave back into the JSON shape Jira's REST v3 wants for that field (`{"value": ...}` for
//! an option, `{"accountId": ...}` for a user, ADF for a multi-line text field). A value that is
//! already an object, or a list of objects, is taken as Jira's own shape and sent as it is.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::adf;
use actionhost_sdk::Error;

/// Enum values listed per field at most (a select list can have hundreds of options; a longer
/// list is described, not enumerated, and Jira checks the value).
pub const MAX_OPTIONS: usize = 100;

/// The fields with a parameter of their own in `JIRA_CREATE_ISSUE` / `JIRA_UPDATE_ISSUE`, or set
/// by Jira itself: never listed in `custom_fields`.
pub const PARAMETER_FIELDS: &[&str] = &[
    "project",
    "issuetype",
    "summary",
    "description",
    "assignee",
    "labels",
    "priority",
    "parent",
    "reporter",
    "attachment",
    "issuelinks",
    "comment",
];

/// One field's metadata, as `createmeta` (`fieldId`) or `editmeta` (`key`) lists it.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldMeta {
    pub field_id: Option<String>,
    pub key: Option<String>,
    pub name: String,
    pub required: bool,
    pub has_default_value: bool,
    pub schema: FieldType,
    pub allowed_values: Vec<Value>,
}

/// Jira's `JsonTypeBean`: `type` (`string`, `number`, `option`, `array`, `user`, ...), the item
/// type of arrays, and the custom field type key (`...:textarea`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct FieldType {
    #[serde(rename = "type")]
    pub kind: String,
    pub items: Option<String>,
    pub custom: Option<String>,
    pub system: Option<String>,
}

impl FieldMeta {
    /// The field's id (`customfield_10016`, `duedate`).
    pub fn id(&self) -> &str {
        self.field_id
            .as_deref()
            .or(self.key.as_deref())
            .unwrap_or("")
    }

    /// Whether it belongs in `custom_fields`.
    pub fn listed(&self) -> bool {
        !self.id().is_empty() && !PARAMETER_FIELDS.contains(&self.id())
    }

    fn is_textarea(&self) -> bool {
        self.schema
            .custom
            .as_deref()
            .is_some_and(|c| c.ends_with(":textarea"))
    }

    fn is_sprint(&self) -> bool {
        self.schema
            .custom
            .as_deref()
            .is_some_and(|c| c.ends_with(":gh-sprint"))
    }

    /// The names a model gives for the allowed values (an option's `value`, a version's or
    /// component's or priority's `name`).
    pub fn options(&self) -> Vec<String> {
        self.allowed_values
            .iter()
            .filter_map(|v| v.get("value").or_else(|| v.get("name")))
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    }

    /// What kind of value the model gives, in words.
    pub fn describe_type(&self) -> String {
        let item = self.schema.items.as_deref().unwrap_or("value");
        match (self.schema.kind.as_str(), self.is_textarea()) {
            ("string", true) => "multi-line text, plain".into(),
            ("string", false) => "text".into(),
            ("number", _) => "number".into(),
            ("date", _) => "date, YYYY-MM-DD".into(),
            ("datetime", _) => "date-time, RFC 3339".into(),
            ("option", _) => "one option".into(),
            ("option-with-child", _) => "option, or `Parent > Child`".into(),
            ("user", _) => "account id of a user (JIRA_SEARCH_USERS finds it)".into(),
            ("priority", _) => "priority name".into(),
            ("version", _) => "version name".into(),
            ("component", _) => "component name".into(),
            ("array", _) if self.is_sprint() => "sprint id".into(),
            ("array", _) => match item {
                "option" => "list of options".into(),
                "user" => "list of account ids".into(),
                "version" => "list of version names".into(),
                "component" => "list of component names".into(),
                "string" => "list of text values".into(),
                other => format!("list of Jira {other} values, as Jira's JSON"),
            },
            (other, _) => format!("Jira's JSON value of type {other}"),
        }
    }
}

/// The JSON Schema of what a model gives for `field`, without its description.
pub fn property(field: &FieldMeta, options: &[String]) -> Value {
    let enumerated = |mut schema: Value| {
        if !options.is_empty() && options.len() <= MAX_OPTIONS {
            schema["enum"] = json!(options);
        }
        schema
    };
    let item = field.schema.items.as_deref().unwrap_or("");
    match field.schema.kind.as_str() {
        "string" | "user" | "option-with-child" => json!({"type": "string"}),
        "number" => json!({"type": "number"}),
        "date" => json!({"type": "string", "format": "date"}),
        "datetime" => json!({"type": "string", "format": "date-time"}),
        "option" | "priority" | "version" | "component" => enumerated(json!({"type": "string"})),
        "array" if field.is_sprint() => json!({"type": "integer"}),
        "array" => match item {
            "option" | "version" | "component" => {
                json!({"type": "array", "items": enumerated(json!({"type": "string"}))})
            }
            "string" | "user" => json!({"type": "array", "items": {"type": "string"}}),
            _ => json!({}),
        },
        _ => json!({}),
    }
}

/// What Jira wants for `field` when the model gave `given`; an option not among the allowed
/// values is refused with the ones there are.
pub fn value(field: &FieldMeta, given: Value) -> Result<Value, Error> {
    let one = |given: Value| -> Result<Value, Error> {
        let Value::String(text) = given else {
            return Ok(given);
        };
        let kind = match field.schema.kind.as_str() {
            "array" => field.schema.items.as_deref().unwrap_or(""),
            other => other,
        };
        Ok(match kind {
            "option" => {
                check_option(field, &text)?;
                json!({"value": text})
            }
            "priority" | "version" | "component" => {
                check_option(field, &text)?;
                json!({"name": text})
            }
            "user" => json!({"accountId": text}),
            "option-with-child" => match text.split_once(" > ") {
                Some((parent, child)) => {
                    json!({"value": parent.trim(), "child": {"value": child.trim()}})
                }
                None => json!({"value": text}),
            },
            "string" if field.is_textarea() => adf::from_text(&text),
            _ => Value::String(text),
        })
    };
    match given {
        Value::Array(items) if field.schema.kind == "array" => Ok(Value::Array(
            items.into_iter().map(one).collect::<Result<_, _>>()?,
        )),
        // A sprint field takes the sprint's id as a number.
        given if field.is_sprint() => Ok(given),
        given => one(given),
    }
}

fn check_option(field: &FieldMeta, text: &str) -> Result<(), Error> {
    let options = field.options();
    if options.is_empty() || options.iter().any(|o| o == text) {
        return Ok(());
    }
    let shown: Vec<&str> = options
        .iter()
        .take(MAX_OPTIONS)
        .map(String::as_str)
        .collect();
    Err(Error::invalid_input(format!(
        "{:?} is not an option of `{}` ({}); the options are: {}",
        text,
        field.id(),
        field.name,
        shown.join(", ")
    )))
}

/// The field among `fields` that `name` names: its id (`customfield_10016`) or, when no id
/// matches, its display name (`Story points`, case-insensitive).
pub fn find<'a>(fields: &'a [FieldMeta], name: &str) -> Option<&'a FieldMeta> {
    fields.iter().find(|f| f.id() == name).or_else(|| {
        let wanted = name.to_lowercase();
        fields.iter().find(|f| f.name.to_lowercase() == wanted)
    })
}

/// Converts every entry of `given` (by field id or name) into Jira's shape with `fields`, the
/// metadata of the project and issue type; an unknown field is refused with the fields
/// there are.
pub fn values(
    fields: &[FieldMeta],
    given: serde_json::Map<String, Value>,
    whose: &str,
) -> Result<Vec<(String, Value)>, Error> {
    given
        .into_iter()
        .map(|(name, given)| {
            let Some(field) = find(fields, &name) else {
                let known: Vec<String> = fields
                    .iter()
                    .filter(|f| f.listed())
                    .map(|f| format!("{} ({})", f.id(), f.name))
                    .collect();
                return Err(Error::invalid_input(format!(
                    "`custom_fields` names {name:?}, which is not a field of {whose}; its fields are: {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                )));
            };
            Ok((field.id().to_string(), value(field, given)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(value: Value) -> FieldMeta {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn each_field_type_gets_a_plain_schema_and_jiras_shape() {
        let select = meta(
            json!({"fieldId": "customfield_10020", "name": "Severity", "required": false,
            "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10020},
            "allowedValues": [{"id": "1", "value": "Minor"}, {"id": "2", "value": "Major"}]}),
        );
        assert_eq!(
            property(&select, &select.options()),
            json!({"type": "string", "enum": ["Minor", "Major"]})
        );
        assert_eq!(
            value(&select, json!("Major")).unwrap(),
            json!({"value": "Major"})
        );
        assert_eq!(
            value(&select, json!({"id": "2"})).unwrap(),
            json!({"id": "2"})
        );
        assert_eq!(
            value(&select, json!("Blocker")).unwrap_err(),
            Error::invalid_input(
                "\"Blocker\" is not an option of `customfield_10020` (Severity); the options are: Minor, Major"
            )
        );

        let notes = meta(json!({"fieldId": "customfield_10050", "name": "Notes",
            "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea"}}));
        assert_eq!(property(&notes, &[]), json!({"type": "string"}));
        assert_eq!(
            value(&notes, json!("a\nb")).unwrap(),
            adf::from_text("a\nb")
        );

        let users = meta(json!({"fieldId": "customfield_10060", "name": "Reviewers",
            "schema": {"type": "array", "items": "user", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker"}}));
        assert_eq!(
            property(&users, &[]),
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            value(&users, json!(["5b10a2844c20165700ede21g"])).unwrap(),
            json!([{"accountId": "5b10a2844c20165700ede21g"}])
        );

        let sprint = meta(json!({"fieldId": "customfield_10020", "name": "Sprint",
            "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}}));
        assert_eq!(property(&sprint, &[]), json!({"type": "integer"}));
        assert_eq!(value(&sprint, json!(37)).unwrap(), json!(37));

        let cascade = meta(json!({"fieldId": "customfield_10070", "name": "Location",
            "schema": {"type": "option-with-child"}}));
        assert_eq!(
            value(&cascade, json!("Europe > Berlin")).unwrap(),
            json!({"value": "Europe", "child": {"value": "Berlin"}})
        );

        let due = meta(
            json!({"fieldId": "duedate", "name": "Due date", "schema": {"type": "date", "system": "duedate"}}),
        );
        assert_eq!(
            property(&due, &[]),
            json!({"type": "string", "format": "date"})
        );
        assert_eq!(
            value(&due, json!("2025-01-31")).unwrap(),
            json!("2025-01-31")
        );

        let components = meta(json!({"fieldId": "components", "name": "Components",
            "schema": {"type": "array", "items": "component", "system": "components"},
            "allowedValues": [{"id": "10000", "name": "Backend"}]}));
        assert_eq!(
            value(&components, json!(["Backend"])).unwrap(),
            json!([{"name": "Backend"}])
        );
    }

    #[test]
    fn fields_are_found_by_id_or_name_and_unknown_ones_are_refused_with_the_list() {
        let fields = vec![
            meta(json!({"fieldId": "summary", "name": "Summary", "schema": {"type": "string"}})),
            meta(
                json!({"fieldId": "customfield_10016", "name": "Story points", "schema": {"type": "number"}}),
            ),
        ];
        let given = json!({"story POINTS": 3}).as_object().unwrap().clone();
        assert_eq!(
            values(&fields, given, "PROJ / Story").unwrap(),
            [("customfield_10016".to_string(), json!(3))]
        );
        let given = json!({"customfield_99": 1}).as_object().unwrap().clone();
        assert_eq!(
            values(&fields, given, "PROJ / Story").unwrap_err(),
            Error::invalid_input(
                "`custom_fields` names \"customfield_99\", which is not a field of PROJ / Story; its fields are: customfield_10016 (Story points)"
            )
        );
    }
}
