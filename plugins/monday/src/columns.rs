//! A monday board's columns are a schema of their own: each column has a type (status, date,
//! people, ...) and its settings (a status column's labels), and monday takes an item's values as
//! one JSON string whose shape depends on each column's type. This module turns a board's columns
//! into the JSON Schema a model fills in (`Status: one of Working on it / Done / Stuck`), and the
//! plain values a model gives (`"Done"`, `"2026-12-01"`, `[4012689]`) into monday's
//! `column_values` JSON (`{"label": "Done"}`, `{"date": "2026-12-01"}`,
//! `{"personsAndTeams": [...]}`), refusing unsupported columns and unknown labels by name.

use std::collections::BTreeMap;

use actionhost_sdk::Error;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Most boards described in a user's schema (the ones they used last).
pub const DESCRIBED_BOARDS: usize = 10;
/// Most columns described per board; the others are still accepted by id.
const DESCRIBED_COLUMNS: usize = 40;
/// Most labels given as an enum; a longer list is described by its first labels only.
const ENUM_LABELS: usize = 100;
/// Most board members named in a people column's description.
const NAMED_PEOPLE: usize = 20;

/// Column types this plugin converts, for messages.
pub const SUPPORTED: &str = "status, date, people, numbers, text, long_text, dropdown, checkbox, \
                             email, link, timeline, rating";

/// One column of a board, as `boards { columns { id title type settings } }` returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// monday's `JSON` scalar: an object, or the same object as JSON text.
    #[serde(default)]
    pub settings: Value,
}

/// A board member, for people columns' descriptions.
#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// A board with its columns.
#[derive(Debug, Clone, Deserialize)]
pub struct Board {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `board`, or `sub_items_board` for the hidden boards of subitems (not described).
    #[serde(rename = "type", default)]
    pub object_type: Option<String>,
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(default)]
    pub subscribers: Vec<Option<Person>>,
}

impl Column {
    fn settings(&self) -> Value {
        match &self.settings {
            Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            other => other.clone(),
        }
    }

    /// The active labels of a status or dropdown column. Settings list them as
    /// `[{"label", "is_deactivated"}]` (the `settings` field, in that order) or, in the older
    /// `settings_str` form, as `{"0": "Working on it", ...}` (by index); empty labels are left out.
    pub fn labels(&self) -> Vec<String> {
        let settings = self.settings();
        let mut labels: Vec<(i64, String)> = match settings.get("labels") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .filter(|(_, l)| l.get("is_deactivated") != Some(&Value::Bool(true)))
                .filter_map(|(i, l)| {
                    let text = l
                        .get("label")
                        .or_else(|| l.get("name"))
                        .and_then(Value::as_str)?;
                    Some((i as i64, text.to_string()))
                })
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        labels.sort_by_key(|(order, _)| *order);
        labels
            .into_iter()
            .map(|(_, l)| l)
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    fn rating_limit(&self) -> u64 {
        self.settings()
            .get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(5)
    }

    fn named(&self) -> String {
        format!("column `{}` ({})", self.id, self.title)
    }

    /// The JSON Schema of the value a model gives for this column, and what it says to the
    /// model; `None` for columns this plugin cannot set.
    fn value_schema(&self, board: &Board) -> Option<(Value, String)> {
        let title = &self.title;
        Some(match self.kind.as_str() {
            "status" => {
                let labels = self.labels();
                let shown = labels.join(" / ");
                if labels.is_empty() || labels.len() > ENUM_LABELS {
                    (
                        json!({"type": "string"}),
                        format!("{title}: a status label of the board."),
                    )
                } else {
                    (
                        json!({"type": "string", "enum": labels}),
                        format!("{title}: one of {shown}."),
                    )
                }
            }
            "dropdown" => {
                let labels = self.labels();
                let item = if labels.is_empty() || labels.len() > ENUM_LABELS {
                    json!({"type": "string"})
                } else {
                    json!({"type": "string", "enum": labels})
                };
                let some: Vec<&str> = labels.iter().take(20).map(String::as_str).collect();
                (
                    json!({"type": "array", "items": item}),
                    format!(
                        "{title}: a list of dropdown labels, each one of {}.",
                        some.join(" / ")
                    ),
                )
            }
            "date" => (
                json!({"type": "string", "pattern": DATE_PATTERN}),
                format!(
                    "{title}: a date, YYYY-MM-DD, or a date and UTC time, YYYY-MM-DDTHH:MM:SS."
                ),
            ),
            "timeline" => (
                json!({
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                    },
                    "required": ["from", "to"],
                    "additionalProperties": false,
                }),
                format!("{title}: a date range, `from` and `to` as YYYY-MM-DD."),
            ),
            "people" => {
                let members: Vec<String> = board
                    .subscribers
                    .iter()
                    .flatten()
                    .take(NAMED_PEOPLE)
                    .map(|p| format!("{} ({})", p.name, p.id))
                    .collect();
                let known = if members.is_empty() {
                    String::new()
                } else {
                    format!(" Board members: {}.", members.join(", "))
                };
                (
                    json!({"type": "array", "items": {"type": "integer"}}),
                    format!("{title}: people, as a list of monday user ids.{known}"),
                )
            }
            "numbers" => (json!({"type": "number"}), format!("{title}: a number.")),
            "text" => (json!({"type": "string"}), format!("{title}: text.")),
            "long_text" => (json!({"type": "string"}), format!("{title}: long text.")),
            "checkbox" => (
                json!({"type": "boolean"}),
                format!("{title}: true to check, false to uncheck."),
            ),
            "email" => (
                json!({"type": "string", "format": "email"}),
                format!("{title}: an e-mail address."),
            ),
            "link" => (
                json!({"type": "string", "format": "uri"}),
                format!("{title}: a URL."),
            ),
            "rating" => (
                json!({"type": "integer", "minimum": 1, "maximum": self.rating_limit()}),
                format!(
                    "{title}: a rating, a whole number from 1 to {}.",
                    self.rating_limit()
                ),
            ),
            _ => return None,
        })
    }

    /// monday's column value for what a model gave. With `new_labels`, status and dropdown
    /// labels the board lacks are passed on (monday creates them); otherwise they are refused.
    pub fn convert(&self, value: &Value, new_labels: bool) -> Result<Value, Error> {
        let wrong = |what: &str| {
            Error::invalid_input(format!(
                "{} is a {} column and takes {what}; got {value}",
                self.named(),
                self.kind
            ))
        };
        match self.kind.as_str() {
            "status" => {
                let label = value.as_str().ok_or_else(|| wrong("a label as text"))?;
                self.known_label(label, new_labels)?;
                Ok(json!({"label": label}))
            }
            "dropdown" => {
                let labels: Vec<&str> = match value {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(list) => list
                        .iter()
                        .map(|l| l.as_str().ok_or_else(|| wrong("a list of labels")))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(wrong("a list of labels")),
                };
                for label in &labels {
                    self.known_label(label, new_labels)?;
                }
                Ok(json!({"labels": labels}))
            }
            "date" => {
                let text = value.as_str().ok_or_else(|| wrong(DATE_FORMS))?;
                let (date, time) = parse_date(text).ok_or_else(|| wrong(DATE_FORMS))?;
                Ok(match time {
                    Some(time) => json!({"date": date, "time": time}),
                    None => json!({"date": date}),
                })
            }
            "timeline" => {
                let range = || -> Option<(String, String)> {
                    let from = value.get("from")?.as_str()?;
                    let to = value.get("to")?.as_str()?;
                    let (from, None) = parse_date(from)? else {
                        return None;
                    };
                    let (to, None) = parse_date(to)? else {
                        return None;
                    };
                    (from <= to).then_some((from, to))
                };
                let (from, to) = range().ok_or_else(|| {
                    wrong("`{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}` with from <= to")
                })?;
                Ok(json!({"from": from, "to": to}))
            }
            "people" => {
                let ids: Vec<u64> = match value {
                    Value::Array(list) => list
                        .iter()
                        .map(|id| user_id(id).ok_or_else(|| wrong("a list of user ids")))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(wrong("a list of user ids")),
                };
                let people: Vec<Value> = ids
                    .into_iter()
                    .map(|id| json!({"id": id, "kind": "person"}))
                    .collect();
                Ok(json!({"personsAndTeams": people}))
            }
            "numbers" => match value {
                Value::Number(n) => Ok(Value::String(n.to_string())),
                Value::String(s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                    Ok(Value::String(s.trim().to_string()))
                }
                _ => Err(wrong("a number")),
            },
            "text" => Ok(Value::String(
                value.as_str().ok_or_else(|| wrong("text"))?.to_string(),
            )),
            "long_text" => Ok(json!({"text": value.as_str().ok_or_else(|| wrong("text"))?})),
            // monday unchecks a checkbox by clearing it.
            "checkbox" => match value.as_bool().ok_or_else(|| wrong("true or false"))? {
                true => Ok(json!({"checked": "true"})),
                false => Ok(Value::Null),
            },
            "email" => {
                let email = value
                    .as_str()
                    .filter(|e| is_email(e))
                    .ok_or_else(|| wrong("an e-mail address"))?;
                Ok(json!({"email": email, "text": email}))
            }
            "link" => {
                let url = value
                    .as_str()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .ok_or_else(|| wrong("an http(s) URL"))?;
                Ok(json!({"url": url, "text": url}))
            }
            "rating" => {
                let limit = self.rating_limit();
                let rating = value
                    .as_u64()
                    .filter(|r| (1..=limit).contains(r))
                    .ok_or_else(|| wrong(&format!("a whole number from 1 to {limit}")))?;
                Ok(json!({"rating": rating}))
            }
            other => Err(Error::invalid_input(format!(
                "{} is a {other} column, which cannot be set here; columns of these types can: {SUPPORTED}",
                self.named()
            ))),
        }
    }

    fn known_label(&self, label: &str, new_labels: bool) -> Result<(), Error> {
        let labels = self.labels();
        if new_labels || labels.iter().any(|l| l == label) {
            return Ok(());
        }
        Err(Error::invalid_input(format!(
            "{} has no label {label:?}; its labels: {} (or set `create_labels_if_missing`)",
            self.named(),
            labels.join(", ")
        )))
    }
}

const DATE_FORMS: &str = "a date, YYYY-MM-DD, or a date and UTC time, YYYY-MM-DDTHH:MM:SS";
const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?$";

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS][Z]` (UTC) → the date and `HH:MM:SS`, checked on the
/// calendar.
fn parse_date(text: &str) -> Option<(String, Option<String>)> {
    use chrono::{NaiveDate, NaiveTime};
    let text = text.trim();
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time.trim_end_matches('Z'))),
        None => (text, None),
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let time = match time {
        None => None,
        Some(time) => Some(
            NaiveTime::parse_from_str(time, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
                .ok()?
                .format("%H:%M:%S")
                .to_string(),
        ),
    };
    Some((date.format("%Y-%m-%d").to_string(), time))
}

fn user_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// monday's `column_values` JSON text for `values` (keyed by column id, or by a column's title
/// when no id matches) on a board with `columns`.
pub fn column_values(
    board_id: &str,
    columns: &[Column],
    values: &BTreeMap<String, Value>,
    new_labels: bool,
) -> Result<Map<String, Value>, Error> {
    let mut converted = Map::new();
    for (key, value) in values {
        let column = columns
            .iter()
            .find(|c| &c.id == key)
            .or_else(|| {
                let mut titled = columns.iter().filter(|c| c.title.eq_ignore_ascii_case(key));
                match (titled.next(), titled.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            })
            .ok_or_else(|| {
                let known: Vec<String> = columns
                    .iter()
                    .filter(|c| c.kind != "name")
                    .map(|c| format!("{} ({})", c.id, c.title))
                    .collect();
                Error::invalid_input(format!(
                    "board {board_id} has no column {key:?}; its columns: {}",
                    known.join(", ")
                ))
            })?;
        if converted.contains_key(&column.id) {
            return Err(Error::invalid_input(format!(
                "{} is given twice (by id and by title)",
                column.named()
            )));
        }
        converted.insert(column.id.clone(), column.convert(value, new_labels)?);
    }
    Ok(converted)
}

/// Extends an item action's static schema with the columns of `boards`: each settable column
/// becomes a property of `column_values` with its type, labels and title, and `board_id`'s
/// description names the boards described. A column id found on several boards with different
/// types or labels is described per board, with the value schemas in `anyOf`. Other column ids
/// stay allowed (boards not described take their values by column id too).
pub fn describe(mut schema: Value, boards: &[Board]) -> Value {
    // Column id → (value schema, description) per board.
    let mut by_id: BTreeMap<String, Vec<(Value, String)>> = BTreeMap::new();
    let mut described = Vec::new();
    for board in boards
        .iter()
        .filter(|b| b.object_type.as_deref().unwrap_or("board") == "board")
        .take(DESCRIBED_BOARDS)
    {
        let mut settable = 0;
        let mut skipped = Vec::new();
        for column in &board.columns {
            if column.kind == "name" {
                continue;
            }
            match column.value_schema(board) {
                Some(_) if settable >= DESCRIBED_COLUMNS => skipped.push(column.title.clone()),
                Some((value, text)) => {
                    settable += 1;
                    by_id.entry(column.id.clone()).or_default().push((
                        value,
                        format!("On board {} ({}): {text}", board.name, board.id),
                    ));
                }
                None => {}
            }
        }
        let mut line = format!("{} ({})", board.name, board.id);
        if !skipped.is_empty() {
            line += &format!(
                " [{} more columns not described: {}]",
                skipped.len(),
                skipped.join(", ")
            );
        }
        described.push(line);
    }
    let mut properties = Map::new();
    for (id, variants) in by_id {
        let description: Vec<&str> = variants.iter().map(|(_, d)| d.as_str()).collect();
        let mut distinct: Vec<Value> = Vec::new();
        for (value, _) in &variants {
            if !distinct.contains(value) {
                distinct.push(value.clone());
            }
        }
        let mut property = if distinct.len() == 1 {
            distinct.remove(0)
        } else {
            json!({"anyOf": distinct})
        };
        property["description"] = Value::String(description.join(" "));
        properties.insert(id, property);
    }
    if let Some(board_id) = schema.pointer_mut("/properties/board_id") {
        let before = board_id["description"].as_str().unwrap_or_default();
        let boards = if described.is_empty() {
            "No board of this account is described.".to_string()
        } else {
            format!(
                "Boards whose columns `column_values` describes: {}.",
                described.join("; ")
            )
        };
        board_id["description"] = Value::String(format!("{before} {boards}"));
    }
    if let Some(values) = schema.pointer_mut("/properties/column_values")
        && !properties.is_empty()
    {
        values["properties"] = Value::Object(properties);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(id: &str, kind: &str, settings: Value) -> Column {
        Column {
            id: id.into(),
            title: id.to_uppercase(),
            kind: kind.into(),
            settings,
        }
    }

    #[test]
    fn dates_are_checked_on_the_calendar_and_times_normalised() {
        assert_eq!(parse_date("2026-12-01"), Some(("2026-12-01".into(), None)));
        assert_eq!(
            parse_date("2026-12-01T09:30Z"),
            Some(("2026-12-01".into(), Some("09:30:00".into())))
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("01/12/2026"), None);
        assert_eq!(parse_date("2026-12-01T25:00:00"), None);
    }

    #[test]
    fn old_settings_str_labels_are_read_in_index_order() {
        let status = column(
            "status",
            "status",
            Value::String(r#"{"labels":{"1":"Done","0":"Working on it","5":""}}"#.into()),
        );
        assert_eq!(status.labels(), ["Working on it", "Done"]);
    }
}
