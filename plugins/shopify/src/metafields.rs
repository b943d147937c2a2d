//! The shop's own product metafields in the product actions' schemas: each shop defines its
//! custom fields (`custom.material`, a single-line text with a list of choices; `specs.weight_g`,
//! an integer), and a model filling a product needs to know which there are and what each takes.
//!
//! [`describe`] lists the shop's product metafield definitions (`metafieldDefinitions(ownerType:
//! PRODUCT)`) and makes `metafield_values` an object with one property per definition, typed from
//! the definition's type and its `choices`, `min` and `max` validations; [`to_inputs`] turns the
//! values given into Shopify's `MetafieldInput`s. The type is left out of those inputs: Shopify
//! takes it from the definition and checks the value against it.

use std::collections::BTreeMap;

use actionhost_sdk::prelude::*;

/// The definitions a shop has for products (the first 100; Shopify allows 256 per owner type,
/// but a schema listing them all would be longer than a model reads with profit).
pub const DEFINITIONS: &str = "query ProductMetafieldDefinitions { metafieldDefinitions(ownerType: PRODUCT, first: 100) { nodes { namespace key name description type { name } validations { name value } } } }";

#[derive(Deserialize)]
pub struct Definition {
    namespace: String,
    key: String,
    name: String,
    description: Option<String>,
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    validations: Vec<Validation>,
}

#[derive(Deserialize)]
struct Kind {
    name: String,
}

#[derive(Deserialize)]
struct Validation {
    name: String,
    value: Option<String>,
}

/// The JSON Schema of one value of Shopify's metafield type `kind` (a `list.` type is an array
/// of its item type).
fn value_schema(kind: &str, validations: &[Validation]) -> Value {
    if let Some(item) = kind.strip_prefix("list.") {
        return json!({"type": "array", "items": value_schema(item, validations)});
    }
    let validation = |name: &str| {
        validations
            .iter()
            .find(|v| v.name == name)
            .and_then(|v| v.value.as_deref())
    };
    let mut schema = match kind {
        "boolean" => json!({"type": "boolean"}),
        "number_integer" => json!({"type": "integer"}),
        "number_decimal" => json!({"type": "number"}),
        "date" => json!({"type": "string", "format": "date"}),
        "date_time" => json!({"type": "string", "format": "date-time"}),
        "url" => json!({"type": "string", "format": "uri"}),
        "color" => json!({"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}),
        // Structured values (`{"value": 2.5, "unit": "KILOGRAMS"}`, rich text, JSON): an object
        // sent as JSON text.
        "json" | "rich_text_field" | "money" | "rating" | "dimension" | "volume" | "weight"
        | "link" => json!({"type": "object"}),
        // Text, and references given as global ids (`gid://shopify/Product/1`).
        _ => json!({"type": "string"}),
    };
    if let Some(choices) = validation("choices")
        .and_then(|c| serde_json::from_str::<Vec<String>>(c).ok())
        .filter(|c| !c.is_empty())
    {
        schema["enum"] = json!(choices);
    }
    if schema["type"] == "integer" || schema["type"] == "number" {
        for (name, keyword) in [("min", "minimum"), ("max", "maximum")] {
            if let Some(bound) = validation(name).and_then(|b| b.parse::<f64>().ok()) {
                schema[keyword] = json!(bound);
            }
        }
    }
    schema
}

/// `schema` with `metafield_values` listing `definitions`, one property `namespace.key` each.
pub fn describe_with(mut schema: Value, definitions: &[Definition]) -> Value {
    let mut properties = serde_json::Map::new();
    for definition in definitions {
        let mut property = value_schema(&definition.kind.name, &definition.validations);
        let mut text = format!(
            "{} (Shopify type {})",
            definition.name, definition.kind.name
        );
        if let Some(description) = definition
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
        {
            text.push_str(&format!(": {}", description.trim()));
        }
        property["description"] = json!(text);
        properties.insert(
            format!("{}.{}", definition.namespace, definition.key),
            property,
        );
    }
    let description = if properties.is_empty() {
        "This shop defines no product metafields: use `metafields` to set one by namespace, key and type.".to_string()
    } else {
        "Values of this shop's product metafields, by `namespace.key`, typed as the shop defines them. Use `metafields` for one the shop has no definition for.".to_string()
    };
    schema["properties"]["metafield_values"] = json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": false,
    });
    schema
}

/// The `MetafieldInput`s of the values given by `namespace.key`: text as it is, numbers and
/// booleans as their text, lists and objects as JSON text (Shopify's formats for each type).
pub fn to_inputs(values: &BTreeMap<String, Value>) -> Result<Vec<Value>, Error> {
    values
        .iter()
        .map(|(name, value)| {
            let Some((namespace, key)) = name.split_once('.').filter(|(n, k)| !n.is_empty() && !k.is_empty()) else {
                return Err(Error::invalid_input(format!(
                    "`metafield_values` names {name:?}: give `namespace.key`, e.g. `custom.material`"
                )));
            };
            let value = match value {
                Value::String(text) => text.clone(),
                Value::Null => {
                    return Err(Error::invalid_input(format!(
                        "`metafield_values.{name}` is null: give a value"
                    )));
                }
                Value::Bool(_) | Value::Number(_) => value.to_string(),
                Value::Array(_) | Value::Object(_) => value.to_string(),
            };
            Ok(json!({"namespace": namespace, "key": key, "value": value}))
        })
        .collect()
}
