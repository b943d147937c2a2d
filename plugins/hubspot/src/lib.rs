//! HubSpot provider: create, update, read and search contacts, companies, deals and tickets
//! through HubSpot's CRM v3 API (<https://developers.hubspot.com/docs/api/crm/understanding-the-crm>),
//! add notes to records, associate records, and list pipelines with their stages.
//!
//! Users sign in with OAuth 2 (a HubSpot public app) or give a private app's access token; both
//! are bearer tokens and every action works the same with either.
//!
//! The create and update actions are dynamic: their `properties` lists the account's own
//! property definitions (custom properties, enumeration options, the properties HubSpot's guides
//! require), read from `GET /crm/v3/properties/{object}` ([`properties`]). HubSpot's error
//! envelope (`{"status": "error", "message", "category"}`, and `policyName` on a 429) is mapped by
//! [`hubspot_errors`].

pub mod properties;

use actionhost_sdk::prelude::*;
use serde_json::Map;

/// Where every request goes.
pub const API: &str = "https://api.hubapi.com";

fn api() -> Api {
    Api::new(API)
        .header("Accept", "application/json")
        .errors(hubspot_errors)
}

/// HubSpot's error envelope. `category` names what went wrong (`OBJECT_NOT_FOUND`,
/// `INVALID_AUTHENTICATION`, `EXPIRED_AUTHENTICATION`, `MISSING_SCOPES`, `VALIDATION_ERROR`, ...);
/// a rate limit is a 429 with `errorType: RATE_LIMIT` and the `policyName` of the limit hit
/// (`TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY`).
pub fn hubspot_errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase", default)]
    struct Envelope {
        message: Option<String>,
        category: Option<String>,
        error_type: Option<String>,
        policy_name: Option<String>,
    }
    let status = response.status();
    if status < 400 {
        return None;
    }
    let envelope: Envelope = response.json().unwrap_or_default();
    let category = envelope.category.as_deref().unwrap_or_default();
    let message = envelope
        .message
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let rate_limited = status == 429
        || category == "RATE_LIMITS"
        || envelope.error_type.as_deref() == Some("RATE_LIMIT");
    Some(if rate_limited {
        let policy = envelope.policy_name.unwrap_or_default();
        // `Retry-After` when HubSpot sends one; else the rolling window the limit counts in
        // (`X-HubSpot-RateLimit-Interval-Milliseconds`, ten seconds for the usual limit). A
        // daily limit resets at midnight in the account's time zone: no delay is given.
        let retry = response
            .seconds("retry-after")
            .or_else(|| match policy.as_str() {
                "DAILY" => None,
                "SECONDLY" => Some(1),
                _ => response
                    .header("x-hubspot-ratelimit-interval-milliseconds")
                    .and_then(|ms| ms.trim().parse::<u32>().ok())
                    .map(|ms| ms.div_ceil(1000).max(1))
                    .or(Some(10)),
            });
        let message = if policy.is_empty() {
            message
        } else {
            format!("{message} (limit {policy})")
        };
        Error::rate_limited(message, retry)
    } else if status == 401
        || matches!(
            category,
            "INVALID_AUTHENTICATION" | "EXPIRED_AUTHENTICATION"
        )
    {
        Error::unauthorized(message)
    } else if status == 404 || category == "OBJECT_NOT_FOUND" {
        Error::not_found(message)
    } else {
        response.upstream_error(message)
    })
}

/// The CRM objects the record actions work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    Contacts,
    Companies,
    Deals,
    Tickets,
}

impl Object {
    pub const ALL: [Object; 4] = [
        Object::Contacts,
        Object::Companies,
        Object::Deals,
        Object::Tickets,
    ];

    /// The object type in CRM v3 paths.
    pub fn path(self) -> &'static str {
        match self {
            Object::Contacts => "contacts",
            Object::Companies => "companies",
            Object::Deals => "deals",
            Object::Tickets => "tickets",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Object::Contacts => "CONTACT",
            Object::Companies => "COMPANY",
            Object::Deals => "DEAL",
            Object::Tickets => "TICKET",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Object::Contacts => "CONTACTS",
            Object::Companies => "COMPANIES",
            Object::Deals => "DEALS",
            Object::Tickets => "TICKETS",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Object::Contacts => "contact",
            Object::Companies => "company",
            Object::Deals => "deal",
            Object::Tickets => "ticket",
        }
    }

    fn nouns(self) -> &'static str {
        match self {
            Object::Companies => "companies",
            other => other.path(),
        }
    }

    fn read_scope(self) -> &'static str {
        match self {
            Object::Contacts => "crm.objects.contacts.read",
            Object::Companies => "crm.objects.companies.read",
            Object::Deals => "crm.objects.deals.read",
            Object::Tickets => "tickets",
        }
    }

    fn write_scope(self) -> &'static str {
        match self {
            Object::Contacts => "crm.objects.contacts.write",
            Object::Companies => "crm.objects.companies.write",
            Object::Deals => "crm.objects.deals.write",
            Object::Tickets => "tickets",
        }
    }

    /// The properties HubSpot's CRM guides require when creating one: a deal needs `dealname`
    /// and `dealstage` (`pipeline` defaults to the account's default pipeline), a ticket
    /// `subject` and `hs_pipeline_stage` (likewise `hs_pipeline`). Contacts and companies need
    /// none (a contact is usually created with `email`, a company with `domain` or `name`).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Object::Deals => &["dealname", "dealstage"],
            Object::Tickets => &["subject", "hs_pipeline_stage"],
            Object::Contacts | Object::Companies => &[],
        }
    }

    /// What the description of a create action says about required and usual properties.
    fn create_hint(self) -> &'static str {
        match self {
            Object::Contacts => {
                "Usually `email` (HubSpot deduplicates contacts by it), `firstname`, `lastname`."
            }
            Object::Companies => {
                "Usually `name` and `domain` (HubSpot deduplicates companies by domain)."
            }
            Object::Deals => {
                "Needs `dealname` and `dealstage` (a stage id: HUBSPOT_LIST_PIPELINES maps stage names such as \"Closed won\" to ids); `pipeline` is the default pipeline unless given; `amount`, `closedate` as usual."
            }
            Object::Tickets => {
                "Needs `subject` and `hs_pipeline_stage` (a stage id from HUBSPOT_LIST_PIPELINES with `object_type: tickets`); `hs_pipeline` is the default pipeline (`0`) unless given; `content` for the body, `hs_ticket_priority` (`LOW`, `MEDIUM`, `HIGH`)."
            }
        }
    }
}

/// An object type that records can be associated with.
#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum ObjectType {
    Contacts,
    Companies,
    Deals,
    Tickets,
    Notes,
}

impl ObjectType {
    fn path(self) -> &'static str {
        match self {
            ObjectType::Contacts => "contacts",
            ObjectType::Companies => "companies",
            ObjectType::Deals => "deals",
            ObjectType::Tickets => "tickets",
            ObjectType::Notes => "notes",
        }
    }
}

/// A record id: HubSpot's ids are numeric.
fn record_id(what: &str, id: &str) -> Result<String, Error> {
    let id = id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(format!(
            "`{what}` must be a HubSpot record id (digits), not {id:?}"
        )));
    }
    Ok(id.to_string())
}

#[derive(Deserialize, JsonSchema)]
struct CreateRecord {
    /// The new record's property values by internal name (not label), e.g.
    /// `{"email": "ada@example.com", "firstname": "Ada"}`. Text as strings, numbers as numbers,
    /// dates `YYYY-MM-DD`, date-times RFC 3339, booleans true/false, an enumeration's option
    /// value (not its label), several options of a checkbox property as a list. The schema lists
    /// this account's properties, custom ones included.
    properties: Map<String, Value>,
}

fn create(object: Object, input: CreateRecord) -> Result<Passthrough, Error> {
    let missing: Vec<&str> = object
        .required()
        .iter()
        .copied()
        .filter(|name| {
            input
                .properties
                .get(*name)
                .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid_input(format!(
            "a {} needs the properties {missing:?}",
            object.noun()
        )));
    }
    if input.properties.is_empty() {
        return Err(Error::invalid_input("give at least one property"));
    }
    let properties = properties::to_hubspot(&input.properties)?;
    api()
        .post(&path!("/crm/v3/objects/{}", object.path()))
        .json(&json!({ "properties": properties }))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct UpdateRecord {
    /// The record's id (`hs_object_id`, digits), or the value of `id_property` when given.
    id: String,
    /// A unique property that `id` is a value of instead of the record id, e.g. `email` for a
    /// contact. Leave out to update by record id.
    id_property: Option<String>,
    /// Property values to set, by internal name, as for create; only these change. `null` or
    /// `""` clears a value.
    properties: Map<String, Value>,
}

fn update(object: Object, input: UpdateRecord) -> Result<Passthrough, Error> {
    if input.properties.is_empty() {
        return Err(Error::invalid_input("nothing to change: give `properties`"));
    }
    let id = match &input.id_property {
        None => record_id("id", &input.id)?,
        Some(_) if input.id.trim().is_empty() => {
            return Err(Error::invalid_input("`id` is empty"));
        }
        Some(_) => input.id.trim().to_string(),
    };
    let properties = properties::to_hubspot(&input.properties)?;
    let mut request = api().patch(&path!("/crm/v3/objects/{}/{}", object.path(), id));
    if let Some(property) = &input.id_property {
        request = request.query(&[("idProperty", property.as_str())]);
    }
    request
        .json(&json!({ "properties": properties }))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct GetRecord {
    /// The record's id (`hs_object_id`, digits), or the value of `id_property` when given.
    id: String,
    /// A unique property that `id` is a value of instead of the record id, e.g. `email` for a
    /// contact. Leave out to look up by record id.
    id_property: Option<String>,
    /// Properties to return, by internal name (HubSpot returns a small default set otherwise,
    /// e.g. a contact's `email`, `firstname`, `lastname`). Unknown names are ignored.
    #[serde(default)]
    properties: Vec<String>,
    /// Object types whose associated record ids to return too, under `associations`.
    #[serde(default)]
    associations: Vec<ObjectType>,
}

fn get(object: Object, input: GetRecord) -> Result<Passthrough, Error> {
    let id = match &input.id_property {
        None => record_id("id", &input.id)?,
        Some(_) if input.id.trim().is_empty() => {
            return Err(Error::invalid_input("`id` is empty"));
        }
        Some(_) => input.id.trim().to_string(),
    };
    let mut query: Vec<(&str, String)> = Vec::new();
    if !input.properties.is_empty() {
        query.push(("properties", input.properties.join(",")));
    }
    if !input.associations.is_empty() {
        let types: Vec<&str> = input.associations.iter().map(|t| t.path()).collect();
        query.push(("associations", types.join(",")));
    }
    if let Some(property) = &input.id_property {
        query.push(("idProperty", property.clone()));
    }
    let mut request = api().get(&path!("/crm/v3/objects/{}/{}", object.path(), id));
    if !query.is_empty() {
        request = request.query(&query);
    }
    request.send()?.json()
}

/// A search filter's comparison.
// No doc comments on the variants: they would make the schema a list of alternatives; the
// field's description says what each means.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Operator {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    In,
    NotIn,
    HasProperty,
    NotHasProperty,
    ContainsToken,
    NotContainsToken,
}

/// One condition on a property.
#[derive(Deserialize, JsonSchema)]
struct Filter {
    /// The property's internal name, e.g. `email`, `dealstage`, `amount`, `createdate`.
    property: String,
    /// `EQ`/`NEQ` equal or not, `LT`/`LTE`/`GT`/`GTE` compare (numbers, dates), `BETWEEN` from
    /// `value` to `high_value`, `IN`/`NOT_IN` one of `values`, `HAS_PROPERTY`/`NOT_HAS_PROPERTY`
    /// has a value or not (no value given), `CONTAINS_TOKEN`/`NOT_CONTAINS_TOKEN` contains a word
    /// (`*` as wildcard, e.g. `*@example.com`).
    operator: Operator,
    /// The value compared with, as text: a number `1000`, an enumeration's option value, a date
    /// `2026-05-01` or date-time (RFC 3339), or Unix milliseconds.
    value: Option<String>,
    /// The upper bound for `BETWEEN`.
    high_value: Option<String>,
    /// The values for `IN` and `NOT_IN` (lower case for text properties).
    #[serde(default)]
    values: Vec<String>,
}

impl Filter {
    fn to_hubspot(&self) -> Result<Value, Error> {
        let wants = |what: &str| {
            Error::invalid_input(format!(
                "filter on {:?} with {:?} needs {what}",
                self.property, self.operator
            ))
        };
        let mut filter = json!({ "propertyName": self.property, "operator": self.operator });
        match self.operator {
            Operator::HasProperty | Operator::NotHasProperty => {}
            Operator::In | Operator::NotIn => {
                if self.values.is_empty() {
                    return Err(wants("`values`"));
                }
                filter["values"] = json!(self.values);
            }
            Operator::Between => {
                let (Some(low), Some(high)) = (&self.value, &self.high_value) else {
                    return Err(wants("`value` and `high_value`"));
                };
                filter["value"] = json!(low);
                filter["highValue"] = json!(high);
            }
            _ => {
                let Some(value) = &self.value else {
                    return Err(wants("`value`"));
                };
                filter["value"] = json!(value);
            }
        }
        if self.property.trim().is_empty() {
            return Err(Error::invalid_input("a filter's `property` is empty"));
        }
        Ok(filter)
    }
}

/// Filters that must all match.
#[derive(Deserialize, JsonSchema)]
struct FilterGroup {
    /// Conditions joined with AND.
    filters: Vec<Filter>,
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Direction {
    Ascending,
    Descending,
}

/// The order of the results.
#[derive(Deserialize, JsonSchema)]
struct Sort {
    /// The property to sort by, e.g. `createdate`, `lastmodifieddate`, `amount`.
    property: String,
    /// `ASCENDING` or `DESCENDING`.
    direction: Direction,
}

fn search_limit() -> u32 {
    20
}

/// Most filter groups, filters per group and filters in all that HubSpot's search takes.
const MAX_GROUPS: usize = 5;
const MAX_GROUP_FILTERS: usize = 10;
const MAX_FILTERS: usize = 25;

#[derive(Deserialize, JsonSchema)]
struct SearchRecords {
    /// Words to find in the default searchable properties (a contact's name, e-mail, phone and
    /// company; a company's name, domain and website; a deal's name; a ticket's subject and
    /// content). Combined with the filters.
    query: Option<String>,
    /// Conditions that must all match (AND), e.g.
    /// `[{"property": "dealstage", "operator": "EQ", "value": "closedwon"}]`.
    #[serde(default)]
    filters: Vec<Filter>,
    /// Alternatives (OR) of condition groups (AND within a group), beside `filters`, which
    /// counts as one more group. At most 5 groups, 10 filters per group, 25 in all.
    #[serde(default)]
    filter_groups: Vec<FilterGroup>,
    /// One sort (HubSpot takes one); by default the best match of `query` first, else by
    /// creation.
    sort: Option<Sort>,
    /// Properties to return for each record, by internal name (a small default set otherwise).
    #[serde(default)]
    properties: Vec<String>,
    /// Records per page, 1 to 200 (default 20).
    #[serde(default = "search_limit")]
    #[schemars(range(min = 1, max = 200))]
    limit: u32,
    /// `paging.next.after` of the previous answer, to get the next page. HubSpot's search
    /// reaches at most 10,000 results per query.
    after: Option<String>,
}

fn search(object: Object, input: SearchRecords) -> Result<Passthrough, Error> {
    if !(1..=200).contains(&input.limit) {
        return Err(Error::invalid_input("`limit` must be from 1 to 200"));
    }
    let mut groups: Vec<Vec<Value>> = Vec::new();
    if !input.filters.is_empty() {
        groups.push(
            input
                .filters
                .iter()
                .map(Filter::to_hubspot)
                .collect::<Result<_, _>>()?,
        );
    }
    for group in &input.filter_groups {
        if group.filters.is_empty() {
            return Err(Error::invalid_input("a filter group has no filters"));
        }
        groups.push(
            group
                .filters
                .iter()
                .map(Filter::to_hubspot)
                .collect::<Result<_, _>>()?,
        );
    }
    let total: usize = groups.iter().map(Vec::len).sum();
    if groups.len() > MAX_GROUPS
        || groups.iter().any(|g| g.len() > MAX_GROUP_FILTERS)
        || total > MAX_FILTERS
    {
        return Err(Error::invalid_input(format!(
            "HubSpot's search takes at most {MAX_GROUPS} filter groups (`filters` is one), {MAX_GROUP_FILTERS} filters per group and {MAX_FILTERS} in all"
        )));
    }
    let mut body = json!({ "limit": input.limit });
    if let Some(query) = input.query.filter(|q| !q.trim().is_empty()) {
        body["query"] = json!(query);
    }
    if !groups.is_empty() {
        let groups: Vec<Value> = groups
            .into_iter()
            .map(|filters| json!({ "filters": filters }))
            .collect();
        body["filterGroups"] = json!(groups);
    }
    if let Some(sort) = input.sort {
        body["sorts"] = json!([{ "propertyName": sort.property, "direction": sort.direction }]);
    }
    if !input.properties.is_empty() {
        body["properties"] = json!(input.properties);
    }
    if let Some(after) = input.after.filter(|a| !a.is_empty()) {
        body["after"] = json!(after);
    }
    api()
        .post(&path!("/crm/v3/objects/{}/search", object.path()))
        .json(&body)
        .send()?
        .json()
}

/// The create (`creating`) or update schema of `object` for this account.
fn describe(object: Object, creating: bool, schema: Value) -> Result<Value, Error> {
    let found: properties::Properties = api()
        .get(&path!("/crm/v3/properties/{}", object.path()))
        .query(&[("archived", "false")])
        .send()?
        .json()?;
    Ok(properties::describe(
        schema,
        object,
        creating,
        &found.results,
    ))
}

/// HubSpot-defined association type ids from a note to a record (v4 associations).
fn note_association(object: Object) -> u32 {
    match object {
        Object::Contacts => 202,
        Object::Companies => 190,
        Object::Deals => 214,
        Object::Tickets => 228,
    }
}

#[derive(Deserialize, JsonSchema)]
struct AddNote {
    /// The note's text (HubSpot shows simple HTML such as `<b>`, `<br>`, `<a>`), at most 65,536
    /// characters.
    #[schemars(length(min = 1, max = 65536))]
    body: String,
    /// When the note happened, RFC 3339 (e.g. `2026-05-01T09:30:00Z`); where it sits on the
    /// record's timeline. Default: now.
    #[schemars(extend("format" = "date-time"))]
    timestamp: Option<String>,
    /// Contacts (ids) to attach the note to.
    #[serde(default)]
    contact_ids: Vec<String>,
    /// Companies (ids) to attach the note to.
    #[serde(default)]
    company_ids: Vec<String>,
    /// Deals (ids) to attach the note to.
    #[serde(default)]
    deal_ids: Vec<String>,
    /// Tickets (ids) to attach the note to.
    #[serde(default)]
    ticket_ids: Vec<String>,
    /// The HubSpot owner (user) shown as the note's author (`hubspot_owner_id`).
    owner_id: Option<String>,
}

/// Unix milliseconds now, as HubSpot's `hs_timestamp` takes them.
fn now_millis() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis().to_string())
        .unwrap_or_else(|_| "0".into())
}

fn add_note(input: AddNote, _: &Context) -> Result<Passthrough, Error> {
    if input.body.trim().is_empty() {
        return Err(Error::invalid_input("`body` is empty"));
    }
    let mut associations = Vec::new();
    for (object, ids, what) in [
        (Object::Contacts, &input.contact_ids, "contact_ids"),
        (Object::Companies, &input.company_ids, "company_ids"),
        (Object::Deals, &input.deal_ids, "deal_ids"),
        (Object::Tickets, &input.ticket_ids, "ticket_ids"),
    ] {
        for id in ids {
            associations.push(json!({
                "to": { "id": record_id(what, id)? },
                "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": note_association(object) }],
            }));
        }
    }
    if associations.is_empty() {
        return Err(Error::invalid_input(
            "attach the note to at least one record: give `contact_ids`, `company_ids`, `deal_ids` or `ticket_ids`",
        ));
    }
    let timestamp = match input.timestamp {
        Some(t) if !t.trim().is_empty() => t,
        _ => now_millis(),
    };
    let mut properties = json!({ "hs_note_body": input.body, "hs_timestamp": timestamp });
    if let Some(owner) = input.owner_id {
        properties["hubspot_owner_id"] = json!(record_id("owner_id", &owner)?);
    }
    api()
        .post("/crm/v3/objects/notes")
        .json(&json!({ "properties": properties, "associations": associations }))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct AssociateRecords {
    /// The first record's object type.
    from_object_type: ObjectType,
    /// The first record's id.
    from_id: String,
    /// The other record's object type.
    to_object_type: ObjectType,
    /// The other record's id.
    to_id: String,
}

fn associate(input: AssociateRecords, _: &Context) -> Result<Passthrough, Error> {
    if input.from_object_type == input.to_object_type && input.from_id == input.to_id {
        return Err(Error::invalid_input(
            "a record cannot be associated with itself",
        ));
    }
    let from = record_id("from_id", &input.from_id)?;
    let to = record_id("to_id", &input.to_id)?;
    api()
        .put(&path!(
            "/crm/v4/objects/{}/{}/associations/default/{}/{}",
            input.from_object_type.path(),
            from,
            input.to_object_type.path(),
            to
        ))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "snake_case")]
enum PipelineObject {
    #[default]
    Deals,
    Tickets,
}

#[derive(Deserialize, JsonSchema)]
struct ListPipelines {
    /// `deals` (default) or `tickets`.
    #[serde(default)]
    object_type: PipelineObject,
}

/// What HUBSPOT_LIST_PIPELINES returns.
#[derive(Serialize, JsonSchema)]
struct Pipelines {
    /// The account's pipelines, in HubSpot's display order.
    pipelines: Vec<Pipeline>,
}

/// One pipeline and its stages.
#[derive(Serialize, JsonSchema)]
struct Pipeline {
    /// The pipeline's id: the value of a deal's `pipeline` (a ticket's `hs_pipeline`).
    id: String,
    /// Its name as HubSpot shows it, e.g. "Sales Pipeline".
    label: String,
    /// Its stages, in order.
    stages: Vec<Stage>,
}

/// One stage of a pipeline.
#[derive(Serialize, JsonSchema)]
struct Stage {
    /// The stage's id: the value of a deal's `dealstage` (a ticket's `hs_pipeline_stage`), e.g.
    /// `closedwon`.
    id: String,
    /// Its name as HubSpot shows it, e.g. "Closed won".
    label: String,
    /// Deals: the win probability of the stage, 0 to 1 (1 for won, 0 for lost).
    #[serde(skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    /// Whether a record in this stage is closed (a deal won or lost, a ticket closed).
    closed: bool,
}

#[derive(Deserialize)]
struct RawPipelines {
    results: Vec<RawPipeline>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPipeline {
    id: String,
    label: String,
    #[serde(default)]
    display_order: i64,
    #[serde(default)]
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStage {
    id: String,
    label: String,
    #[serde(default)]
    display_order: i64,
    #[serde(default)]
    metadata: Map<String, Value>,
}

/// A metadata value HubSpot writes as a string (`"probability": "0.2"`, `"isClosed": "true"`).
fn metadata<T: std::str::FromStr>(metadata: &Map<String, Value>, key: &str) -> Option<T> {
    match metadata.get(key)? {
        Value::String(text) => text.parse().ok(),
        other => other.to_string().parse().ok(),
    }
}

fn list_pipelines(input: ListPipelines, _: &Context) -> Result<Pipelines, Error> {
    let object = match input.object_type {
        PipelineObject::Deals => "deals",
        PipelineObject::Tickets => "tickets",
    };
    let raw: RawPipelines = api()
        .get(&path!("/crm/v3/pipelines/{}", object))
        .send()?
        .json()?;
    let mut pipelines = raw.results;
    pipelines.sort_by_key(|p| p.display_order);
    Ok(Pipelines {
        pipelines: pipelines
            .into_iter()
            .map(|p| {
                let mut stages = p.stages;
                stages.sort_by_key(|s| s.display_order);
                Pipeline {
                    id: p.id,
                    label: p.label,
                    stages: stages
                        .into_iter()
                        .map(|s| Stage {
                            probability: metadata(&s.metadata, "probability"),
                            closed: metadata::<bool>(&s.metadata, "isClosed").unwrap_or(false)
                                || metadata::<String>(&s.metadata, "ticketState").as_deref()
                                    == Some("CLOSED"),
                            id: s.id,
                            label: s.label,
                        })
                        .collect(),
                }
            })
            .collect(),
    })
}

/// Labels the account with its HubSpot portal (hub) id, which also becomes the `portal_id`
/// field; `uiDomain` names the HubSpot site the account lives on.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Details {
        portal_id: u64,
        #[serde(default)]
        ui_domain: Option<String>,
    }
    let details: Details = api().get("/account-info/v3/details").send()?.json()?;
    let label = match &details.ui_domain {
        Some(domain) => format!("HubSpot portal {} ({domain})", details.portal_id),
        None => format!("HubSpot portal {}", details.portal_id),
    };
    Ok(ConnectedAccount::labelled(label).field("portal_id", details.portal_id.to_string()))
}

/// Every scope the actions use: what the OAuth app asks for unless the operator chooses.
pub const DEFAULT_SCOPES: &[&str] = &[
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "tickets",
    "crm.schemas.contacts.read",
    "crm.schemas.companies.read",
    "crm.schemas.deals.read",
];

fn record_actions(mut provider: Provider, object: Object) -> Provider {
    let (noun, nouns) = (object.noun(), object.nouns());
    let (singular, plural) = (object.singular(), object.plural());
    provider = provider
        .action(
            Action::new(
                &format!("HUBSPOT_CREATE_{singular}"),
                &format!(
                    "Create a HubSpot {noun} with its property values by internal name. {} The schema lists this account's {noun} properties (custom ones too) with their types and enumeration options. Returns the new {noun}: `id` and `properties`.",
                    object.create_hint()
                ),
                move |input: CreateRecord, _: &Context| create(object, input),
            )
            // The call needs only the write scope; the schema is read with the schema scope
            // (DEFAULT_SCOPES asks for both), and without it the static schema is listed.
            .scopes(&[object.write_scope()])
            .dynamic(move |schema, _| describe(object, true, schema)),
        )
        .action(
            Action::new(
                &format!("HUBSPOT_UPDATE_{singular}"),
                &format!(
                    "Change property values of an existing HubSpot {noun} by its id (or by a unique property such as a contact's `email`); only the properties given change. The schema lists this account's {noun} properties. Returns the updated {noun}."
                ),
                move |input: UpdateRecord, _: &Context| update(object, input),
            )
            .idempotent()
            .scopes(&[object.write_scope()])
            .dynamic(move |schema, _| describe(object, false, schema)),
        )
        .action(
            Action::new(
                &format!("HUBSPOT_GET_{singular}"),
                &format!(
                    "Get one HubSpot {noun} by its id (or by a unique property such as a contact's `email`), with the properties asked for and the ids of associated records. Returns HubSpot's record: `id`, `properties`, `createdAt`, `updatedAt`, `associations`. To find {nouns} by their values use HUBSPOT_SEARCH_{plural}."
                ),
                move |input: GetRecord, _: &Context| get(object, input),
            )
            .read_only()
            .scopes(&[object.read_scope()]),
        )
        .action(
            Action::new(
                &format!("HUBSPOT_SEARCH_{plural}"),
                &format!(
                    "Find HubSpot {nouns} by words (`query`) and property conditions (`filters`: EQ, NEQ, LT, GT, BETWEEN, IN, HAS_PROPERTY, CONTAINS_TOKEN, ...), sorted by one property. Returns HubSpot's answer: `total`, `results` (each `id` and `properties`) and `paging.next.after`, to pass as `after` for the next page (absent on the last page). Recently created or changed records can take a few seconds to be found."
                ),
                move |input: SearchRecords, _: &Context| search(object, input),
            )
            .read_only()
            .scopes(&[object.read_scope()]),
        );
    provider
}

pub fn provider() -> Provider {
    let mut provider = Provider::new("hubspot", "HubSpot")
        .version(env!("CARGO_PKG_VERSION"))
        .description("HubSpot CRM: create, update, get and search contacts, companies, deals and tickets with the account's own properties; add notes, associate records, list pipelines and stages.")
        .categories(&["crm", "sales"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new(
                "https://app.hubspot.com/oauth/authorize",
                "https://api.hubapi.com/oauth/v1/token",
            )
            .scopes(DEFAULT_SCOPES)
            // HubSpot's OAuth guide documents no PKCE; the client authenticates with
            // `client_id` and `client_secret` in the token request's form body, and access
            // tokens (30 minutes) are refreshed with the refresh token it issues.
            .without_pkce(),
        ))
        // A private app's access token (`pat-na1-...`), sent the same way.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bearer ")))
        .field(Field::after_connect(
            "portal_id",
            "The HubSpot account's portal (hub) id.",
        ))
        .origin(API)
        .after_connect(after_connect);
    for object in Object::ALL {
        provider = record_actions(provider, object);
    }
    provider
        .action(
            Action::new(
                "HUBSPOT_ADD_NOTE",
                "Log a note on HubSpot records (contacts, companies, deals, tickets): it appears on each record's timeline. Give the text and at least one record id. Returns the new note (`id`, `properties`).",
                add_note,
            )
            .scopes(&["crm.objects.contacts.write"]),
        )
        .action(
            Action::new(
                "HUBSPOT_ASSOCIATE_RECORDS",
                "Associate two HubSpot records with HubSpot's default (unlabelled) association, e.g. a contact with its company or a deal with a contact. Safe to repeat. Returns HubSpot's result with the association types created both ways.",
                associate,
            )
            .idempotent()
            .any_scope(&[
                "crm.objects.contacts.write",
                "crm.objects.companies.write",
                "crm.objects.deals.write",
                "tickets",
            ]),
        )
        .action(
            Action::new(
                "HUBSPOT_LIST_PIPELINES",
                "List the account's deal (or ticket) pipelines with their stages: each stage's id and label, win probability and whether it is closed. Use to turn a stage name such as \"Closed won\" into the id HUBSPOT_UPDATE_DEAL takes as `dealstage` (a ticket's `hs_pipeline_stage`).",
                list_pipelines,
            )
            .read_only()
            .any_scope(&["crm.objects.deals.read", "tickets"]),
        )
}

actionhost_sdk::export_provider!(provider);
