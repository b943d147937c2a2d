//! Database properties: the values a model writes in plain JSON (a string for a select, a list of
//! page ids for a relation) turned into Notion's property values, and the per-user schema of
//! `NOTION_CREATE_DATABASE_ITEM` built from the properties of the databases the user shares with
//! the integration.
//!
//! Since Notion-Version 2025-09-03 a database holds one or more *data sources*, and a data
//! source has the properties (columns). The schema lists the data sources the user can reach
//! (up to [`DESCRIBED_DATA_SOURCES`], while their properties fit in [`SCHEMA_BUDGET`]; the
//! description says how many were left out) and, under `properties`, every writable property of them by
//! its Notion name, typed, with the options of selects and statuses; a property that two data
//! sources define differently keeps only a description. Whatever the schema says, each call
//! checks the values against the chosen data source's own properties, fetched when it runs, so a
//! database shared after the schema was cached works too.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::markdown::plain_rich_text;

/// Most data sources the dynamic schema describes (one search page).
pub const DESCRIBED_DATA_SOURCES: u32 = 10;
/// Most options of a select, status or multi-select listed in the schema.
const MAX_OPTIONS: usize = 100;
/// Bytes of property schemas past which no further data source is described (the host takes
/// described schemas up to 256 KiB).
const SCHEMA_BUDGET: usize = 128 * 1024;
/// Most workspace users named in a people property's description.
const MAX_USERS: usize = 50;

/// A date, a date-time, or a range of either written `START/END`.
const DATE_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?(/\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?$";

/// Property types whose values Notion computes; they cannot be written.
const READ_ONLY: &[&str] = &[
    "formula",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "button",
    "verification",
];

/// The option names of a select, multi-select or status property's configuration.
fn options(config: &Value, kind: &str) -> Vec<String> {
    config[kind]["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["name"].as_str().map(str::to_string))
        .collect()
}

/// The JSON Schema of the plain value a property of `config` takes; `None` for properties that
/// cannot be written this way (computed ones, files, places).
pub fn value_schema(config: &Value, users: &str, data_source_title: &str) -> Option<Value> {
    let kind = config["type"].as_str()?;
    let name = config["name"].as_str().unwrap_or_default();
    let mut schema = match kind {
        "title" | "rich_text" => json!({"type": "string", "description": "Text."}),
        "number" => json!({"type": "number"}),
        "checkbox" => json!({"type": "boolean"}),
        "url" => json!({"type": "string", "format": "uri"}),
        "email" => json!({"type": "string", "format": "email"}),
        "phone_number" => json!({"type": "string", "description": "A phone number."}),
        "select" | "status" => {
            let names: Vec<String> = options(config, kind)
                .into_iter()
                .take(MAX_OPTIONS)
                .collect();
            let what = if kind == "status" {
                "One of the status's options."
            } else {
                "One of the select's options."
            };
            json!({"type": "string", "enum": names, "description": what})
        }
        "multi_select" => {
            let names: Vec<String> = options(config, kind)
                .into_iter()
                .take(MAX_OPTIONS)
                .collect();
            json!({"type": "array", "items": {"type": "string", "enum": names}, "description": "Options of the multi-select."})
        }
        "date" => json!({
            "type": "string",
            "pattern": DATE_PATTERN,
            "description": "A date `2026-05-01`, a date-time with offset `2026-05-01T09:30:00Z`, or a range `START/END` of either."
        }),
        "people" => json!({
            "type": "array",
            "items": {"type": "string"},
            "description": format!("Notion user ids.{users}")
        }),
        "relation" => {
            let target = config["relation"]["data_source_id"]
                .as_str()
                .unwrap_or("another data source");
            json!({
                "type": "array",
                "items": {"type": "string"},
                "description": format!("Ids of pages of the data source {target} to link.")
            })
        }
        _ => return None,
    };
    let own = config["description"].as_str().filter(|d| !d.is_empty());
    let what = schema["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    schema["description"] = json!(
        format!(
            "{name} ({kind}) in {data_source_title}. {what}{}",
            own.map(|d| format!(" {d}")).unwrap_or_default()
        )
        .trim_end()
        .to_string()
    );
    Some(schema)
}

/// The title of a data source or page object, as plain text.
pub fn title_of(object: &Value) -> String {
    let title: String = object["title"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["plain_text"].as_str())
        .collect();
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

/// The workspace's users, for people properties' descriptions: ` Known users: id (name), ...`.
pub fn users_note(users: &[Value]) -> String {
    let named: Vec<String> = users
        .iter()
        .filter(|u| u["type"] == "person")
        .take(MAX_USERS)
        .filter_map(|u| {
            let id = u["id"].as_str()?;
            let name = u["name"].as_str().unwrap_or("unnamed");
            Some(match u["person"]["email"].as_str() {
                Some(email) => format!("{id} ({name}, {email})"),
                None => format!("{id} ({name})"),
            })
        })
        .collect();
    if named.is_empty() {
        String::new()
    } else {
        format!(" Known users: {}.", named.join(", "))
    }
}

/// The static schema extended with the data sources found and their properties.
pub fn describe(mut schema: Value, data_sources: &[Value], users: &[Value]) -> Value {
    let users = users_note(users);
    let mut merged: BTreeMap<String, Value> = BTreeMap::new();
    let mut listed = Vec::new();
    let mut left_out = 0;
    for (i, source) in data_sources.iter().enumerate() {
        let Some(id) = source["id"].as_str() else {
            continue;
        };
        let before = merged.clone();
        let title = title_of(source);
        let label = format!("\"{title}\" ({id})");
        for (name, config) in source["properties"].as_object().into_iter().flatten() {
            let mut config = config.clone();
            config["name"] = json!(name);
            let Some(value) = value_schema(&config, &users, &label) else {
                continue;
            };
            match merged.get_mut(name) {
                None => {
                    merged.insert(name.clone(), value);
                }
                Some(existing) => {
                    let same = {
                        let strip = |v: &Value| {
                            let mut v = v.clone();
                            v.as_object_mut().map(|o| o.remove("description"));
                            v
                        };
                        strip(existing) == strip(&value)
                    };
                    let description = format!(
                        "{} | {}",
                        existing["description"].as_str().unwrap_or_default(),
                        value["description"].as_str().unwrap_or_default()
                    );
                    if !same {
                        // Defined differently in two data sources: the call checks the value
                        // against the one chosen.
                        *existing = json!({});
                    }
                    existing["description"] = json!(description);
                }
            }
        }
        if serde_json::to_string(&merged).map_or(0, |t| t.len()) > SCHEMA_BUDGET {
            merged = before;
            left_out = data_sources.len() - i;
            break;
        }
        listed.push(format!("{id} ({title})"));
    }
    if !listed.is_empty() {
        let field = &mut schema["properties"]["data_source_id"];
        let before = field["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        field["description"] = json!(format!(
            "{before} Data sources shared with the integration: {}.",
            listed.join(", ")
        ));
    }
    if left_out > 0 {
        let field = &mut schema["properties"]["data_source_id"];
        let before = field["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        field["description"] = json!(format!(
            "{before} {left_out} more are not described here, to keep this schema small: find them with NOTION_SEARCH and give their properties by the names Notion shows."
        ));
    }
    let properties = &mut schema["properties"]["properties"];
    properties["properties"] = Value::Object(merged.into_iter().collect::<Map<_, _>>());
    schema
}

/// The writable property named `name` (or with that id) among `properties` (a data source's or
/// page's `properties` object): its name and configuration.
fn find<'a>(properties: &'a Map<String, Value>, name: &str) -> Option<(&'a String, &'a Value)> {
    properties
        .iter()
        .find(|(n, _)| n.as_str() == name)
        .or_else(|| properties.iter().find(|(_, p)| p["id"] == name))
        .or_else(|| {
            properties
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
        })
}

/// Notion property values for plain `values`, by the types in `properties` (a data source's
/// configuration, or a page's own values: both carry each property's `type`). Select and status
/// values are checked against the options when the configuration lists them.
pub fn to_notion(
    values: &Map<String, Value>,
    properties: &Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (name, value) in values {
        let Some((real, config)) = find(properties, name) else {
            let mut known: Vec<&str> = properties
                .iter()
                .filter(|(_, p)| !READ_ONLY.contains(&p["type"].as_str().unwrap_or_default()))
                .map(|(n, _)| n.as_str())
                .collect();
            known.sort_unstable();
            return Err(Error::invalid_input(format!(
                "no property {name:?}; the writable properties are {known:?}"
            )));
        };
        let kind = config["type"].as_str().unwrap_or_default();
        let converted = convert(real, kind, config, value)?;
        out.insert(real.clone(), json!({ kind: converted }));
    }
    Ok(out)
}

fn convert(name: &str, kind: &str, config: &Value, value: &Value) -> Result<Value, Error> {
    let wrong = |expected: &str| {
        Error::invalid_input(format!(
            "property {name:?} is a {kind} property: give {expected}, not {value}"
        ))
    };
    let text = || value.as_str().ok_or_else(|| wrong("a string"));
    let strings = || -> Result<Vec<&str>, Error> {
        let list = value.as_array().ok_or_else(|| wrong("a list of strings"))?;
        list.iter()
            .map(|v| v.as_str().ok_or_else(|| wrong("a list of strings")))
            .collect()
    };
    let check_option = |option: &str| -> Result<(), Error> {
        let known = options(config, kind);
        if known.is_empty() || known.iter().any(|o| o == option) || kind != "status" {
            return Ok(());
        }
        Err(Error::invalid_input(format!(
            "property {name:?} has no status {option:?}; its options are {known:?}"
        )))
    };
    // `null` clears a value: lists and text become empty, a checkbox has no empty state.
    if value.is_null() && kind != "checkbox" && !READ_ONLY.contains(&kind) {
        let listed = matches!(
            kind,
            "title" | "rich_text" | "multi_select" | "people" | "relation"
        );
        return Ok(if listed { json!([]) } else { Value::Null });
    }
    Ok(match kind {
        "title" | "rich_text" => json!(plain_rich_text(text()?)),
        "number" => {
            if !value.is_number() {
                return Err(wrong("a number"));
            }
            value.clone()
        }
        "checkbox" => json!(value.as_bool().ok_or_else(|| wrong("true or false"))?),
        "url" | "email" | "phone_number" => json!(text()?),
        "select" | "status" => {
            let option = text()?;
            check_option(option)?;
            json!({ "name": option })
        }
        "multi_select" => json!(
            strings()?
                .into_iter()
                .map(|o| json!({ "name": o }))
                .collect::<Vec<_>>()
        ),
        "date" => {
            let text = text()?;
            let (start, end) = match text.split_once('/') {
                Some((start, end)) => (start, Some(end)),
                None => (text, None),
            };
            let valid = |d: &str| {
                d.len() >= 10
                    && d.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            *b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    })
            };
            if !valid(start) || !end.is_none_or(valid) {
                return Err(wrong(
                    "a date `2026-05-01`, a date-time `2026-05-01T09:30:00Z` or a range `START/END`",
                ));
            }
            match end {
                Some(end) => json!({ "start": start, "end": end }),
                None => json!({ "start": start }),
            }
        }
        "people" => json!(
            strings()?
                .into_iter()
                .map(|id| json!({ "object": "user", "id": id }))
                .collect::<Vec<_>>()
        ),
        "relation" => json!(
            strings()?
                .into_iter()
                .map(|id| json!({ "id": id }))
                .collect::<Vec<_>>()
        ),
        other if READ_ONLY.contains(&other) => {
            return Err(Error::invalid_input(format!(
                "property {name:?} is a {other} property, which Notion computes: it cannot be written"
            )));
        }
        other => {
            return Err(Error::invalid_input(format!(
                "property {name:?} is a {other} property, which this action cannot write"
            )));
        }
    })
}
