//! Salesforce provider: SOQL queries, SOSL searches, and reading, creating, updating and
//! deleting records through Salesforce's REST API, version 62.0
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/>).
//!
//! Auth is OAuth 2.0's web server flow with PKCE at `https://{environment}.salesforce.com`:
//! `login` for production and Developer Edition orgs, `test` for sandboxes (a required account
//! field: an optional one would leave the OAuth URLs without a host). The token response names
//! the org's own address, `instance_url` (e.g. `https://acme.my.salesforce.com`), which the
//! account keeps and every call goes to (`{instance_url}/services/data/v62.0`), and `id`, the
//! user's identity URL, which the connect step ([`after_connect`]) reads to label the account.
//!
//! `SALESFORCE_CREATE_RECORD_*` and `SALESFORCE_UPDATE_RECORD_*` have dynamic schemas: each
//! describes its object for the user (`GET sobjects/{Object}/describe`, one request) and lists
//! the org's fields of that object, custom ones included, as the properties of `fields`
//! ([`fields`]); the host keeps the result 8 hours per user.

pub mod fields;

use actionhost_sdk::http::provider_message;
use actionhost_sdk::paginate::{Limits, Page, collect};
use actionhost_sdk::prelude::*;
use serde_json::Map;

use fields::{Describe, Purpose};

/// The REST API version every request uses.
pub const VERSION: &str = "v62.0";

/// Where the OAuth endpoints and identity URLs are: `login` or `test` (sandboxes).
pub const LOGIN_ORIGIN: &str = "https://{environment}.salesforce.com";

/// The org's address from the token response, e.g. `https://acme.my.salesforce.com`.
pub const INSTANCE_ORIGIN: &str = "{instance_url}";

/// The whole value of `instance_url`: an https origin under one of Salesforce's own domains
/// (`my.salesforce.com`, `salesforce.com`, `force.com`, Government Cloud's `salesforce.mil`).
pub const INSTANCE_PATTERN: &str = r"https://[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*\.(salesforce\.com|force\.com|salesforce\.mil)";

/// The identity URL of the token response: `https://login.salesforce.com/id/{org}/{user}`.
pub const IDENTITY_PATTERN: &str =
    r"https://[A-Za-z0-9.-]+/id/[A-Za-z0-9]{15}([A-Za-z0-9]{3})?/[A-Za-z0-9]{15}([A-Za-z0-9]{3})?";

/// The OAuth scope every action needs: REST API access as the user.
const API: &str = "api";

/// Scopes asked for when an account connects: the REST API, a refresh token, and the identity
/// URL (read once, to label the account).
pub const DEFAULT_SCOPES: &[&str] = &[API, "refresh_token", "id"];

/// Records a query call fetches by default, and at most.
const DEFAULT_RECORDS: u32 = 200;
const MAX_RECORDS: u32 = 2000;
/// Pages (query batches) one call follows at most.
const MAX_PAGES: usize = 10;

/// The objects with create and update actions: the action's suffix and the object's API name.
pub const OBJECTS: &[(&str, &str)] = &[
    ("ACCOUNT", "Account"),
    ("CONTACT", "Contact"),
    ("LEAD", "Lead"),
    ("OPPORTUNITY", "Opportunity"),
    ("CASE", "Case"),
    ("TASK", "Task"),
];

/// The org's REST API, `{instance_url}/services/data/v62.0`.
fn api(ctx: &Context) -> Result<Api, Error> {
    Ok(
        Api::new(format!("{}/services/data/{VERSION}", instance(ctx)?))
            .header("Accept", "application/json")
            .errors(salesforce_errors),
    )
}

fn instance(ctx: &Context) -> Result<&str, Error> {
    Ok(ctx.field("instance_url")?.trim_end_matches('/'))
}

/// Salesforce's error envelope, a list of `{"message", "errorCode", "fields"}` (OAuth errors:
/// `{"error", "error_description"}`), as the contract's errors: `INVALID_SESSION_ID` (401) →
/// not connected; `NOT_FOUND` and `ENTITY_IS_DELETED` (404) → not found;
/// `REQUEST_LIMIT_EXCEEDED` (403, the org's API request limit or its concurrent request limit)
/// and HTTP 429 → rate limited, with `Retry-After` when Salesforce sends it; anything else →
/// an upstream error with Salesforce's messages, `errorCode: message [fields]`.
pub fn salesforce_errors(response: &Response) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    let errors = envelope(response.bytes());
    let code = errors.first().map(|e| e.error_code.as_str()).unwrap_or("");
    let message = if errors.is_empty() {
        oauth_message(response.bytes())
            .or_else(|| provider_message(response.bytes()))
            .unwrap_or_else(|| format!("HTTP {status}"))
    } else {
        errors
            .iter()
            .map(|e| {
                let mut text = if e.error_code.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.error_code, e.message)
                };
                if !e.fields.is_empty() {
                    text.push_str(&format!(" [{}]", e.fields.join(", ")));
                }
                text
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let retry_after = response.seconds("retry-after");
    Some(match (status, code) {
        (_, "INVALID_SESSION_ID") | (401, _) => Error::unauthorized(message),
        (_, "NOT_FOUND" | "ENTITY_IS_DELETED") | (404, _) => Error::not_found(message),
        (_, "REQUEST_LIMIT_EXCEEDED") | (429, _) => Error::rate_limited(message, retry_after),
        (503, _) if retry_after.is_some() => Error::rate_limited(message, retry_after),
        _ => response.upstream_error(message),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    fields: Vec<String>,
}

/// The OAuth endpoints' `error_description` (before the bare `error` code).
fn oauth_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let text = value.get("error_description")?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn envelope(body: &[u8]) -> Vec<EnvelopeError> {
    serde_json::from_slice::<Vec<EnvelopeError>>(body)
        .map(|errors| {
            errors
                .into_iter()
                .filter(|e| !e.message.is_empty() || !e.error_code.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// An object's API name (`Account`, `Invoice__c`, `ns__Shipment__c`), refused when it could be
/// anything else in a path.
fn object_name<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    let valid = value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.len() <= 80
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(Error::invalid_input(format!(
            "`{field}` must be an object's API name, letters, digits and underscores, like Account or Invoice__c: {value:?}"
        )));
    }
    Ok(value)
}

/// A record id: 15 or 18 letters and digits.
fn record_id<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    if !matches!(value.len(), 15 | 18) || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input(format!(
            "`{field}` must be a Salesforce record id, 15 or 18 letters and digits like 001D000000IqhSLIAZ: {value:?}"
        )));
    }
    Ok(value)
}

/// Input of `SALESFORCE_QUERY`.
#[derive(Deserialize, JsonSchema)]
struct Query {
    /// A SOQL query, e.g. `SELECT Id, Name, Industry FROM Account WHERE Industry = 'Energy'
    /// ORDER BY Name`. Name the fields to return (SOQL has no `*`; `FIELDS(STANDARD)` selects
    /// the standard ones); relationship fields with dots (`Account.Name`), child records with
    /// a subquery. Required unless `cursor` is given.
    query: Option<String>,
    /// `next_cursor` of a previous answer, to fetch the records after it (then `query` is not
    /// needed: the cursor continues that query).
    cursor: Option<String>,
    /// Records to return at least, 1 to 2000 (default 200): pages of the answer are fetched
    /// until this many or the last; a page is never cut, so a few more may come.
    #[schemars(range(min = 1, max = 2000))]
    max_records: Option<u32>,
    /// Include deleted and archived records (the Recycle Bin, archived activities); default
    /// false.
    #[serde(default)]
    include_deleted: bool,
}

/// One or more pages of a query's records.
#[derive(Serialize, JsonSchema)]
struct QueryPage {
    /// How many records the whole query matches.
    total_size: u64,
    /// The records as Salesforce returns them: the selected fields by API name, each with
    /// `attributes` (`type`, the object, and `url`, the record's REST path).
    records: Vec<Value>,
    /// Pass as `cursor` to fetch the next records; null when every record has been returned.
    next_cursor: Option<String>,
}

/// A query page as Salesforce answers it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryAnswer {
    #[serde(default)]
    total_size: u64,
    #[serde(default)]
    records: Vec<Value>,
    next_records_url: Option<String>,
}

/// A `nextRecordsUrl` (`/services/data/v62.0/query/01gD0000002HU6KIAW-2000`) as the path below
/// the API's base, refused when it is anything else.
fn cursor_path(cursor: &str) -> Result<String, Error> {
    let cursor = cursor.trim();
    let rest = cursor
        .strip_prefix("/services/data/")
        .and_then(|r| r.split_once('/'))
        .map(|(_, r)| r);
    let locator = rest.and_then(|r| {
        r.strip_prefix("query/")
            .map(|l| ("query", l))
            .or_else(|| r.strip_prefix("queryAll/").map(|l| ("queryAll", l)))
    });
    match locator {
        Some((kind, locator))
            if !locator.is_empty()
                && locator
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(format!("/{kind}/{locator}"))
        }
        _ => Err(Error::invalid_input(format!(
            "`cursor` must be the `next_cursor` of a previous answer, like /services/data/{VERSION}/query/01gD0000002HU6KIAW-2000: {cursor:?}"
        ))),
    }
}

fn query(input: Query, ctx: &Context) -> Result<QueryPage, Error> {
    let start = match (&input.query, &input.cursor) {
        (_, Some(cursor)) if !cursor.trim().is_empty() => Some(cursor_path(cursor)?),
        (Some(soql), _) if !soql.trim().is_empty() => None,
        _ => {
            return Err(Error::invalid_input(
                "give `query` (a SOQL query) or `cursor` (the `next_cursor` of a previous answer)",
            ));
        }
    };
    let wanted = input
        .max_records
        .unwrap_or(DEFAULT_RECORDS)
        .clamp(1, MAX_RECORDS);
    // Salesforce's batch size is 200 to 2000 records.
    let batch = format!("batchSize={}", wanted.max(200));
    let api = api(ctx)?;
    let soql = input.query.as_deref().map(str::trim).unwrap_or_default();
    let endpoint = if input.include_deleted {
        "/queryAll"
    } else {
        "/query"
    };
    let mut total_size = 0;
    let paged = collect(
        start,
        Limits::pages(MAX_PAGES).items(wanted as usize),
        |cursor| {
            let request = match cursor {
                Some(path) => api.get(path),
                None => api.get(endpoint).query(&[("q", soql)]),
            };
            let answer: QueryAnswer = request
                .header("Sforce-Query-Options", batch.as_str())
                .send()?
                .json()?;
            total_size = answer.total_size;
            let next = answer
                .next_records_url
                .map(|url| cursor_path(&url))
                .transpose()
                .map_err(|_| {
                    Error::internal(
                        "Salesforce answered a nextRecordsUrl that is not a query locator",
                    )
                })?;
            Ok(Page::new(answer.records, next))
        },
    )?;
    // The cursor as Salesforce writes it, `nextRecordsUrl`.
    let next_cursor = paged
        .next_cursor
        .map(|path| format!("/services/data/{VERSION}{path}"));
    Ok(QueryPage {
        total_size,
        records: paged.items,
        next_cursor,
    })
}

/// Input of `SALESFORCE_SEARCH`.
#[derive(Deserialize, JsonSchema)]
struct Search {
    /// A SOSL search, e.g. `FIND {Acme*} IN NAME FIELDS RETURNING Account(Id, Name),
    /// Contact(Id, Name, Email WHERE MailingCountry = 'US' LIMIT 20)`. Braces enclose the
    /// search text; `IN ALL FIELDS | NAME FIELDS | EMAIL FIELDS | PHONE FIELDS` chooses where
    /// to look; `RETURNING` which objects and fields. SOSL has no pages: use `LIMIT` (and
    /// `OFFSET`, at most 2000) per object.
    #[schemars(length(min = 1))]
    search: String,
}

fn search(input: Search, ctx: &Context) -> Result<Passthrough, Error> {
    let sosl = input.search.trim();
    if sosl.is_empty() {
        return Err(Error::invalid_input("`search` must not be blank"));
    }
    api(ctx)?
        .get("/search")
        .query(&[("q", sosl)])
        .send()?
        .json()
}

/// Input of `SALESFORCE_GET_RECORD`.
#[derive(Deserialize, JsonSchema)]
struct GetRecord {
    /// The object's API name, e.g. `Account`, `Contact`, `Opportunity`, or a custom object
    /// such as `Invoice__c` (SALESFORCE_LIST_OBJECTS lists them).
    #[schemars(length(min = 1, max = 80))]
    object: String,
    /// The record's 15- or 18-character id, e.g. `001D000000IqhSLIAZ`.
    #[schemars(length(min = 15, max = 18))]
    record_id: String,
    /// Fields to return, by API name (e.g. `["Name", "Industry", "Owner.Name"]`); every field
    /// by default.
    fields: Option<Vec<String>>,
}

fn get_record(input: GetRecord, ctx: &Context) -> Result<Passthrough, Error> {
    let object = object_name("object", &input.object)?;
    let id = record_id("record_id", &input.record_id)?;
    let mut request = api(ctx)?.get(&path!("/sobjects/{}/{}", object, id));
    if let Some(fields) = input.fields.as_ref().filter(|f| !f.is_empty()) {
        let names: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
        if let Some(bad) = names.iter().find(|n| {
            n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        }) {
            return Err(Error::invalid_input(format!(
                "`fields` must be API names like Name or Owner.Name: {bad:?}"
            )));
        }
        request = request.query(&[("fields", names.join(","))]);
    }
    request.send()?.json()
}

/// Input of `SALESFORCE_CREATE_RECORD_*`.
#[derive(Deserialize, JsonSchema)]
struct CreateRecord {
    /// The new record's field values by API name (e.g. `{"Name": "Acme", "Industry":
    /// "Energy"}`); a multi-select picklist's values as a list.
    fields: Map<String, Value>,
}

/// What a create answers.
#[derive(Deserialize, Serialize, JsonSchema)]
struct Created {
    /// The new record's 18-character id.
    id: String,
    /// Always true for a record that was created.
    success: bool,
    /// Warnings Salesforce attached (usually none).
    #[serde(default)]
    errors: Vec<Value>,
}

fn create_record(object: &str, input: CreateRecord, ctx: &Context) -> Result<Created, Error> {
    if input.fields.is_empty() {
        return Err(Error::invalid_input(format!(
            "`fields` is empty: give the new {object}'s field values"
        )));
    }
    api(ctx)?
        .post(&path!("/sobjects/{}", object))
        .json(&fields::to_salesforce(input.fields))
        .send()?
        .json()
}

/// Input of `SALESFORCE_UPDATE_RECORD_*`.
#[derive(Deserialize, JsonSchema)]
struct UpdateRecord {
    /// The record's 15- or 18-character id.
    #[schemars(length(min = 15, max = 18))]
    record_id: String,
    /// The fields to change, by API name, with their new values (others keep theirs); `null`
    /// clears a field.
    fields: Map<String, Value>,
}

/// What an update or delete answers.
#[derive(Serialize, JsonSchema)]
struct Changed {
    /// The record's id.
    id: String,
    /// The object's API name.
    object: String,
    /// What happened: `updated` or `deleted`.
    result: &'static str,
}

fn update_record(object: &str, input: UpdateRecord, ctx: &Context) -> Result<Changed, Error> {
    let id = record_id("record_id", &input.record_id)?.to_string();
    if input.fields.is_empty() {
        return Err(Error::invalid_input(
            "`fields` is empty: give at least one field to change",
        ));
    }
    api(ctx)?
        .patch(&path!("/sobjects/{}/{}", object, id))
        .json(&fields::to_salesforce(input.fields))
        .send()?;
    Ok(Changed {
        id,
        object: object.to_string(),
        result: "updated",
    })
}

/// Input of `SALESFORCE_DELETE_RECORD`.
#[derive(Deserialize, JsonSchema)]
struct DeleteRecord {
    /// The object's API name, e.g. `Account`, `Lead` or `Invoice__c`.
    #[schemars(length(min = 1, max = 80))]
    object: String,
    /// The record's 15- or 18-character id.
    #[schemars(length(min = 15, max = 18))]
    record_id: String,
}

fn delete_record(input: DeleteRecord, ctx: &Context) -> Result<Changed, Error> {
    let object = object_name("object", &input.object)?.to_string();
    let id = record_id("record_id", &input.record_id)?.to_string();
    api(ctx)?
        .delete(&path!("/sobjects/{}/{}", object, id))
        .send()?;
    Ok(Changed {
        id,
        object,
        result: "deleted",
    })
}

/// Input of `SALESFORCE_LIST_OBJECTS`.
#[derive(Deserialize, JsonSchema)]
struct ListObjects {
    /// Only objects whose API name or label contains this text (case-insensitive), e.g.
    /// `invoice`.
    search: Option<String>,
    /// Only custom objects (API names ending in `__c`); default false.
    #[serde(default)]
    custom_only: bool,
}

/// One object of the org, as `GET sobjects` describes it.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ObjectSummary {
    /// API name, what other actions and SOQL take, e.g. `Account` or `Invoice__c`.
    name: String,
    /// The label users see, e.g. `Account`.
    label: String,
    /// The plural label, e.g. `Accounts`.
    #[serde(default)]
    label_plural: String,
    /// The first three characters of its records' ids, e.g. `001` for accounts.
    #[serde(default)]
    key_prefix: Option<String>,
    /// Whether it is a custom object.
    #[serde(default)]
    custom: bool,
    /// Whether the user may create, update, delete, query and search its records.
    #[serde(default)]
    createable: bool,
    #[serde(default)]
    updateable: bool,
    #[serde(default)]
    deletable: bool,
    #[serde(default)]
    queryable: bool,
    #[serde(default)]
    searchable: bool,
}

/// The org's objects.
#[derive(Serialize, JsonSchema)]
struct ObjectList {
    /// Every object that matched, in Salesforce's order (all of them: the list is not paged).
    objects: Vec<ObjectSummary>,
}

fn list_objects(input: ListObjects, ctx: &Context) -> Result<ObjectList, Error> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        sobjects: Vec<ObjectSummary>,
    }
    let answer: Answer = api(ctx)?.get("/sobjects").send()?.json()?;
    let wanted = input
        .search
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let objects = answer
        .sobjects
        .into_iter()
        .filter(|o| !input.custom_only || o.custom)
        .filter(|o| {
            wanted.as_ref().is_none_or(|w| {
                o.name.to_lowercase().contains(w) || o.label.to_lowercase().contains(w)
            })
        })
        .collect();
    Ok(ObjectList { objects })
}

/// The schema of `SALESFORCE_{CREATE,UPDATE}_RECORD_*` for the user: `fields` lists the
/// object's fields in the user's org (one `describe` request).
fn describe_record(
    object: &str,
    purpose: Purpose,
    mut schema: Value,
    ctx: &Context,
) -> Result<Value, Error> {
    let describe: Describe = api(ctx)?
        .get(&path!("/sobjects/{}/describe", object))
        .send()?
        .json()?;
    let label = if describe.label.is_empty() {
        describe.name.clone()
    } else {
        describe.label.clone()
    };
    let description = match purpose {
        Purpose::Create => format!(
            "The new {label}'s field values, by API name: every field of {} in your org that can be set on create (custom ones end in `__c`); the required ones are listed as required.",
            describe.name
        ),
        Purpose::Update => format!(
            "The {label}'s fields to change, by API name, with their new values (others keep theirs; `null` clears a field): every field of {} in your org that can be updated.",
            describe.name
        ),
    };
    schema["properties"]["fields"] = fields::record_schema(&describe, purpose, &description);
    Ok(schema)
}

/// The identity service's answer (`GET` on the token response's `id` URL), or the OpenID
/// userinfo endpoint's for an account without one.
#[derive(Deserialize)]
struct Identity {
    #[serde(alias = "preferred_username")]
    username: Option<String>,
    #[serde(alias = "name")]
    display_name: Option<String>,
}

/// Checks the new token and labels the account with the user's Salesforce username and the
/// org's host: from the identity URL of the token response (`https://{environment}.salesforce.com/id/{org}/{user}`),
/// or, for an account brought with a token alone, from the org's OpenID userinfo endpoint.
fn after_connect(ctx: &Context) -> Result<ConnectedAccount, Error> {
    let request = match ctx.fields.get("id").map(|id| id.trim()) {
        Some(id) if !id.is_empty() => {
            // Only the path of the identity URL: the host is the account's login host.
            let path = id.find("/id/").map(|at| &id[at..]).ok_or_else(|| {
                Error::unauthorized(format!(
                    "the token response's `id` is not an identity URL: {id:?}"
                ))
            })?;
            let environment = ctx.field("environment")?;
            Request::get(format!(
                "{}{path}",
                LOGIN_ORIGIN.replace("{environment}", environment)
            ))
        }
        _ => Request::get(format!("{}/services/oauth2/userinfo", instance(ctx)?)),
    };
    let identity: Identity = request
        .header("Accept", "application/json")
        .errors(salesforce_errors)
        .send()?
        .json()?;
    let who = [identity.username, identity.display_name]
        .into_iter()
        .flatten()
        .find(|w| !w.trim().is_empty())
        .unwrap_or_else(|| "Salesforce user".to_string());
    let host = instance(ctx)?.trim_start_matches("https://");
    Ok(ConnectedAccount::labelled(format!("{who} ({host})")))
}

/// What each create action says about its object, for a model choosing one.
fn create_description(object: &str) -> String {
    let hint = match object {
        "Account" => {
            "a company or organisation (Name required; e.g. Industry, Type, Phone, Website, BillingCity)"
        }
        "Contact" => {
            "a person, usually at an account (LastName required; e.g. FirstName, Email, Phone, Title, AccountId)"
        }
        "Lead" => {
            "a prospect not yet qualified (LastName and Company required; e.g. FirstName, Email, Status, LeadSource)"
        }
        "Opportunity" => {
            "a pending deal (Name, StageName and CloseDate required; e.g. AccountId, Amount, Probability)"
        }
        "Case" => {
            "a customer's question or problem (e.g. Subject, Description, Status, Priority, Origin, ContactId, AccountId)"
        }
        "Task" => {
            "a to-do or logged activity (e.g. Subject, Status, Priority, ActivityDate, WhoId for a contact or lead, WhatId for an account or opportunity)"
        }
        _ => "a record",
    };
    let article = if object.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!(
        "Create {article} {object}: {hint}. The schema of `fields` lists the {object} fields of the user's org, custom ones (`__c`) included, with picklist values and the required fields. Returns `id` (the new record's id) and `success`."
    )
}

fn update_description(object: &str) -> String {
    format!(
        "Change fields of an existing {object} record by its id; only the fields given change (`null` clears one). The schema of `fields` lists the {object} fields of the user's org that can be updated, custom ones (`__c`) included. Returns the id, the object and `result: \"updated\"`."
    )
}

pub fn provider() -> Provider {
    let oauth = OAuth2::new(
        &format!("{LOGIN_ORIGIN}/services/oauth2/authorize"),
        &format!("{LOGIN_ORIGIN}/services/oauth2/token"),
    )
    .revoke_url(&format!("{LOGIN_ORIGIN}/services/oauth2/revoke"))
    .scopes(DEFAULT_SCOPES);
    let mut provider = Provider::new("salesforce", "Salesforce")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Query (SOQL) and search (SOSL) Salesforce records; read, create, update and delete accounts, contacts, leads, opportunities, cases, tasks and other objects, with each org's custom fields.")
        .categories(&["crm", "sales"])
        .auth(Auth::bearer_oauth2(oauth))
        .field(
            Field::user(
                "environment",
                "Where you sign in: `login` for production and Developer Edition orgs (login.salesforce.com), `test` for sandboxes (test.salesforce.com).",
            )
            .pattern("login|test")
            .required(),
        )
        .field(
            Field::token_response(
                "instance_url",
                "Your org's address, e.g. https://acme.my.salesforce.com (from Salesforce's token response).",
            )
            .pattern(INSTANCE_PATTERN)
            .required(),
        )
        .field(
            Field::token_response(
                "id",
                "Your identity URL, e.g. https://login.salesforce.com/id/00D.../005... (from Salesforce's token response).",
            )
            .pattern(IDENTITY_PATTERN),
        )
        .origin(INSTANCE_ORIGIN)
        .origin(LOGIN_ORIGIN)
        .after_connect(after_connect)
        .action(Action::new(
            "SALESFORCE_QUERY",
            "Run a SOQL query, e.g. `SELECT Id, Name, StageName, Amount FROM Opportunity WHERE CloseDate = THIS_QUARTER ORDER BY Amount DESC`: the way to list, filter, count and join records of any object when you know what you want by field values. For free text across objects use SALESFORCE_SEARCH; for one record by id SALESFORCE_GET_RECORD. Returns `total_size` (all matches), `records` (the selected fields by API name) and `next_cursor` (pass it as `cursor` for more; null when all were returned).",
            query,
        ).read_only().scopes(&[API]))
        .action(Action::new(
            "SALESFORCE_SEARCH",
            "Full-text search with SOSL across several objects at once, e.g. `FIND {jane@acme.com} IN EMAIL FIELDS RETURNING Contact(Id, Name), Lead(Id, Name, Company)`: use when you know a name, e-mail, phone or words but not the object or field. Returns Salesforce's answer: `searchRecords`, each with `attributes.type` (the object) and the fields asked for in RETURNING.",
            search,
        ).read_only().scopes(&[API]))
        .action(Action::new(
            "SALESFORCE_GET_RECORD",
            "Read one record of any object by its id, with every field or the fields named. Returns the record as Salesforce does: fields by API name, with `attributes` (`type`, `url`).",
            get_record,
        ).read_only().scopes(&[API]))
        .action(Action::new(
            "SALESFORCE_DELETE_RECORD",
            "Delete one record of any object by its id (it goes to the org's Recycle Bin for 15 days). Returns the id, the object and `result: \"deleted\"`.",
            delete_record,
        ).destructive().idempotent().scopes(&[API]))
        .action(Action::new(
            "SALESFORCE_LIST_OBJECTS",
            "List the org's objects (standard ones such as Account, and custom ones such as Invoice__c), optionally only custom ones or those whose name or label contains `search`. Use to find an object's API name for SOQL, SALESFORCE_GET_RECORD or SALESFORCE_DELETE_RECORD. Returns `objects`, each with `name`, `label`, `labelPlural`, `keyPrefix`, `custom` and what the user may do (`createable`, `updateable`, `deletable`, `queryable`, `searchable`).",
            list_objects,
        ).read_only().scopes(&[API]));
    for (suffix, object) in OBJECTS {
        provider = provider
            .action(
                Action::new(
                    &format!("SALESFORCE_CREATE_RECORD_{suffix}"),
                    &create_description(object),
                    move |input: CreateRecord, ctx: &Context| create_record(object, input, ctx),
                )
                .scopes(&[API])
                .dynamic(move |schema, ctx| describe_record(object, Purpose::Create, schema, ctx)),
            )
            .action(
                Action::new(
                    &format!("SALESFORCE_UPDATE_RECORD_{suffix}"),
                    &update_description(object),
                    move |input: UpdateRecord, ctx: &Context| update_record(object, input, ctx),
                )
                .idempotent()
                .scopes(&[API])
                .dynamic(move |schema, ctx| describe_record(object, Purpose::Update, schema, ctx)),
            );
    }
    provider
}

actionhost_sdk::export_provider!(provider);
