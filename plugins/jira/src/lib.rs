//! Jira provider: search, read, create, update, transition, assign and comment on issues, list
//! and create projects, and find users, through Jira Cloud's REST API v3
//! (<https://developer.atlassian.com/cloud/jira/platform/rest/v3/>).
//!
//! Auth is Atlassian's OAuth 2.0 (3LO): the user consents at `auth.atlassian.com` (with
//! `audience=api.atlassian.com` and `prompt=consent`; `offline_access` for a refresh token, which
//! Atlassian rotates on every refresh), and calls go through Atlassian's gateway,
//! `https://api.atlassian.com/ex/jira/{cloud_id}`. The cloud id names the Jira site: the connect
//! step ([`after_connect`]) reads the sites the token may reach (`accessible-resources`) and keeps
//! the one the user named in the `site` field, or the first one, as the account's `cloud_id`.
//!
//! A user may instead connect with HTTP Basic: their Atlassian account e-mail and an API token,
//! with the `site` field naming the site. Such an account calls the site itself,
//! `https://{site}.atlassian.net`, and its connect step checks the credential with
//! `GET /rest/api/3/myself`. Every action picks its base URL by the account's credential kind.
//!
//! Rich text (descriptions, comments, multi-line custom fields) is Atlassian Document Format in
//! v3; the model reads and writes plain text, converted by [`adf`]. `JIRA_CREATE_ISSUE` has a
//! dynamic schema: its `custom_fields` lists the custom fields of the projects the user can
//! create issues in ([`fields`], from `createmeta`), and values given there are converted to
//! Jira's shapes with the metadata of the issue's project and issue type.

pub mod adf;
pub mod fields;

use std::collections::BTreeMap;

use actionhost_sdk::http::{provider_message, segment};
use actionhost_sdk::prelude::*;
use serde_json::Map;

use fields::FieldMeta;

/// Atlassian's API gateway: the OAuth resources list and, under `/ex/jira/{cloud_id}`, Jira.
pub const GATEWAY: &str = "https://api.atlassian.com";

/// A Jira site, for requests made with the site's own address.
pub const SITE_ORIGIN: &str = "https://{site}.atlassian.net";

/// Issue fields returned by `JIRA_SEARCH_ISSUES` when `fields` is not given: enough to choose an
/// issue, without its description or comments.
pub const SEARCH_FIELDS: &[&str] = &[
    "summary",
    "status",
    "issuetype",
    "priority",
    "assignee",
    "reporter",
    "project",
    "labels",
    "parent",
    "created",
    "updated",
    "duedate",
    "resolution",
];

/// Projects whose issue types `describe` reads for `JIRA_CREATE_ISSUE` (most recently updated
/// first), and `createmeta` requests it makes at most (one per project and issue type): the
/// host's schema cache keeps the result 8 hours, and a call may make at most 200 requests.
const DESCRIBE_PROJECTS: u32 = 20;
const DESCRIBE_REQUESTS: usize = 60;

/// Custom fields listed in the described schema at most.
const DESCRIBED_FIELDS: usize = 150;

/// Fields of one `createmeta` page (Jira's maximum is 200).
const META_PAGE: u32 = 200;

/// Jira's classic OAuth scopes, as Atlassian's scope reference names them.
const READ_WORK: &str = "read:jira-work";
const WRITE_WORK: &str = "write:jira-work";
const READ_USER: &str = "read:jira-user";
const MANAGE_CONFIGURATION: &str = "manage:jira-configuration";

/// The Jira REST API of the account's site: through Atlassian's gateway with an OAuth token,
/// the site's own address with Basic credentials (API tokens are not valid at the gateway).
fn base(ctx: &Context) -> Result<String, Error> {
    match ctx.credential {
        CredentialKind::Basic => Ok(SITE_ORIGIN.replace("{site}", &site(ctx)?)),
        _ => {
            let cloud_id = ctx.field("cloud_id")?;
            Ok(format!("{GATEWAY}/ex/jira/{}", segment(cloud_id)))
        }
    }
}

/// The account's `site` (lower case); an account with Basic credentials cannot work without it.
fn site(ctx: &Context) -> Result<String, Error> {
    match ctx.fields.get("site").map(|s| s.trim().to_lowercase()) {
        Some(site) if !site.is_empty() => Ok(site),
        _ => Err(Error::unauthorized(
            "an account connected with an e-mail and API token needs the `site` field (e.g. `acme` for https://acme.atlassian.net); connect it again with `site`",
        )),
    }
}

fn api(ctx: &Context) -> Result<Api, Error> {
    Ok(Api::new(base(ctx)?)
        .header("Accept", "application/json")
        .errors(jira_errors))
}

/// Jira's error envelope, `{"errorMessages": ["..."], "errors": {"field": "..."}}` (the gateway
/// answers `{"code": 401, "message": "..."}`), as the contract's errors: 401 → not connected,
/// 404 → not found, 429 (and 503 with `Retry-After`) → rate limited with Jira's `Retry-After`,
/// any other error status → an upstream error with Jira's messages, field errors as
/// `field: message`.
pub fn jira_errors(response: &Response) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    let message = envelope_message(response.bytes())
        .or_else(|| provider_message(response.bytes()))
        .unwrap_or_else(|| format!("HTTP {status}"));
    let retry_after = response.seconds("retry-after");
    Some(match status {
        401 => Error::unauthorized(message),
        404 => Error::not_found(message),
        429 => Error::rate_limited(message, retry_after),
        503 if retry_after.is_some() => Error::rate_limited(message, retry_after),
        _ => response.upstream_error(message),
    })
}

fn envelope_message(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Envelope {
        #[serde(default)]
        error_messages: Vec<String>,
        #[serde(default)]
        errors: BTreeMap<String, Value>,
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let mut parts = envelope.error_messages;
    for (field, message) in envelope.errors {
        let message = message.as_str().map_or(message.to_string(), str::to_string);
        parts.push(format!("{field}: {message}"));
    }
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Refuses a blank key before it turns `/issue/{key}` into another endpoint.
fn key<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    Ok(value)
}

fn issue_path(issue_key: &str, rest: &str) -> Result<String, Error> {
    Ok(path!("/rest/api/3/issue/{}", key("issue_key", issue_key)?) + rest)
}

/// Input of `JIRA_SEARCH_ISSUES`.
#[derive(Deserialize, JsonSchema)]
struct SearchIssues {
    /// JQL query, e.g. `project = PROJ AND status = "In Progress" AND assignee = currentUser()
    /// ORDER BY updated DESC`. It must restrict the search (Jira refuses a query with no
    /// condition, such as only `ORDER BY created`); `created >= -30d` restricts to recent issues.
    #[schemars(length(min = 1))]
    jql: String,
    /// Fields to return for each issue, by id: e.g. `["summary", "status", "description",
    /// "customfield_10016"]`, `["*all"]` for every field or `["*navigable"]`. Default: summary,
    /// status, issuetype, priority, assignee, reporter, project, labels, parent, created,
    /// updated, duedate and resolution (no description: read it with JIRA_GET_ISSUE).
    fields: Option<Vec<String>>,
    /// Issues per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    max_results: Option<u32>,
    /// `nextPageToken` of the previous page, to fetch the next one with the same `jql`.
    next_page_token: Option<String>,
}

fn search_issues(input: SearchIssues, ctx: &Context) -> Result<Value, Error> {
    if input.jql.trim().is_empty() {
        return Err(Error::invalid_input("`jql` must not be blank"));
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        jql: &'a str,
        fields: Vec<&'a str>,
        max_results: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_page_token: Option<&'a str>,
    }
    let fields = match &input.fields {
        Some(fields) if !fields.is_empty() => fields.iter().map(String::as_str).collect(),
        _ => SEARCH_FIELDS.to_vec(),
    };
    let mut found: Value = api(ctx)?
        .post("/rest/api/3/search/jql")
        .json(&Body {
            jql: input.jql.trim(),
            fields,
            max_results: input.max_results.unwrap_or(50),
            next_page_token: input.next_page_token.as_deref().filter(|t| !t.is_empty()),
        })
        .send()?
        .json()?;
    adf::plain(&mut found);
    Ok(found)
}

/// Input of `JIRA_GET_ISSUE`.
#[derive(Deserialize, JsonSchema)]
struct GetIssue {
    /// The issue's key, e.g. `PROJ-123`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_key: String,
    /// Fields to return, by id (e.g. `["summary", "description", "comment"]`); every field
    /// with a value by default.
    fields: Option<Vec<String>>,
}

/// One issue, its rich text as plain text.
#[derive(Serialize, JsonSchema)]
struct IssueText {
    /// The issue's numeric id.
    id: String,
    /// The issue's key, e.g. `PROJ-123`.
    key: String,
    /// The issue's fields as Jira returns them, by field id (`summary`, `status`, `assignee`,
    /// `priority`, `labels`, `comment`, custom fields such as `customfield_10016`), except that
    /// every rich-text value (`description`, `environment`, comment bodies, multi-line custom
    /// fields) is plain text instead of Atlassian Document Format, and fields without a value
    /// are left out.
    fields: Map<String, Value>,
    /// The display name of each field in `fields`, by id (e.g. `customfield_10016` → `Story
    /// points`).
    names: BTreeMap<String, String>,
}

fn get_issue(input: GetIssue, ctx: &Context) -> Result<IssueText, Error> {
    #[derive(Deserialize)]
    struct Answer {
        id: String,
        key: String,
        #[serde(default)]
        fields: Map<String, Value>,
        #[serde(default)]
        names: BTreeMap<String, String>,
    }
    let mut query = vec![("expand", "names".to_string())];
    if let Some(fields) = input.fields.as_ref().filter(|f| !f.is_empty()) {
        query.push(("fields", fields.join(",")));
    }
    let answer: Answer = api(ctx)?
        .get(&issue_path(&input.issue_key, "")?)
        .query(&query)
        .send()?
        .json()?;
    let mut fields = answer.fields;
    adf::drop_nulls(&mut fields);
    let mut value = Value::Object(fields);
    adf::plain(&mut value);
    let Value::Object(fields) = value else {
        unreachable!("an object stays an object")
    };
    let names = answer
        .names
        .into_iter()
        .filter(|(id, _)| fields.contains_key(id))
        .collect();
    Ok(IssueText {
        id: answer.id,
        key: answer.key,
        fields,
        names,
    })
}

/// Input of `JIRA_CREATE_ISSUE`.
#[derive(Deserialize, JsonSchema)]
struct CreateIssue {
    /// Key of the project to create the issue in, e.g. `PROJ` (JIRA_LIST_PROJECTS lists them).
    #[schemars(length(min = 1))]
    project_key: String,
    /// The issue type's name in that project, e.g. `Bug`, `Task`, `Story`, `Epic` or
    /// `Subtask`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_type: String,
    /// One-line title of the issue (at most 255 characters).
    #[schemars(length(min = 1, max = 255))]
    summary: String,
    /// The description, plain text: blank lines separate paragraphs, lines starting with `- `
    /// become bullet lists, `1. ` numbered lists, and ```` ``` ```` fences code blocks.
    description: Option<String>,
    /// Account id of the assignee (JIRA_SEARCH_USERS finds it from a name or e-mail). Left
    /// to the project's default when not given.
    assignee_account_id: Option<String>,
    /// Labels to set, each a single word without spaces, e.g. `["backend", "urgent"]`.
    labels: Option<Vec<String>>,
    /// Priority by name, e.g. `Highest`, `High`, `Medium`, `Low`, `Lowest` (the site's own
    /// names); the project's default when not given.
    priority: Option<String>,
    /// Key of the parent issue: the epic for a story or task, or the issue a subtask belongs to
    /// (required for a subtask), e.g. `PROJ-12`.
    parent_key: Option<String>,
    /// Other fields of the issue by field id or display name: custom fields (e.g.
    /// `{"customfield_10016": 5}` or `{"Story points": 5}`) and system fields without a
    /// parameter here (`duedate` as `YYYY-MM-DD`, `components` and `fixVersions` as lists of
    /// names). Give a select list's option as its text, a user as an account id, multi-line
    /// text as plain text; or any value in Jira's own JSON shape (e.g. `{"id": "10001"}`).
    custom_fields: Option<Map<String, Value>>,
}

/// A reference by id when `text` is all digits, else by name (Jira's `{"id"}` / `{"name"}`).
fn by_id_or_name(text: &str) -> Value {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        json!({"id": text})
    } else {
        json!({"name": text})
    }
}

fn labels(labels: &[String]) -> Result<Vec<&str>, Error> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let label = label.trim();
            if label.is_empty() || label.contains(char::is_whitespace) {
                Err(Error::invalid_input(format!(
                    "`labels[{i}]` must be one word without spaces (Jira refuses spaces in labels): {label:?}"
                )))
            } else {
                Ok(label)
            }
        })
        .collect()
}

/// The project's issue type named `name` (case-insensitive) or with id `name`, as
/// `createmeta` lists them; an unknown one is refused with the names there are.
fn issue_type_id(api: &Api, project: &str, name: &str) -> Result<String, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page {
        #[serde(default, alias = "createMetaIssueType")]
        issue_types: Vec<IssueTypeRef>,
    }
    let page: Page = api
        .get(&path!(
            "/rest/api/3/issue/createmeta/{}/issuetypes",
            project
        ))
        .query(&[("maxResults", META_PAGE)])
        .send()?
        .json()?;
    let wanted = name.to_lowercase();
    page.issue_types
        .iter()
        .find(|t| t.id == name || t.name.to_lowercase() == wanted)
        .map(|t| t.id.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = page.issue_types.iter().map(|t| t.name.as_str()).collect();
            Error::invalid_input(format!(
                "project {project} has no issue type {name:?}; its issue types are: {}",
                names.join(", ")
            ))
        })
}

#[derive(Deserialize, Clone)]
struct IssueTypeRef {
    id: String,
    name: String,
}

/// The fields of `project` / issue type `type_id` that can be set on create.
fn create_fields(api: &Api, project: &str, type_id: &str) -> Result<Vec<FieldMeta>, Error> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(default, alias = "results")]
        fields: Vec<FieldMeta>,
    }
    let page: Page = api
        .get(&path!(
            "/rest/api/3/issue/createmeta/{}/issuetypes/{}",
            project,
            type_id
        ))
        .query(&[("maxResults", META_PAGE)])
        .send()?
        .json()?;
    Ok(page.fields)
}

fn create_issue(input: CreateIssue, ctx: &Context) -> Result<Passthrough, Error> {
    let api = api(ctx)?;
    let project = key("project_key", &input.project_key)?;
    let issue_type = key("issue_type", &input.issue_type)?;
    if input.summary.trim().is_empty() {
        return Err(Error::invalid_input("`summary` must not be blank"));
    }
    let mut fields = Map::new();
    fields.insert("project".into(), json!({"key": project}));
    let custom = input.custom_fields.unwrap_or_default();
    if custom.is_empty() {
        fields.insert("issuetype".into(), by_id_or_name(issue_type));
    } else {
        // Custom values take their shape from the project's and issue type's field metadata.
        let type_id = if issue_type.chars().all(|c| c.is_ascii_digit()) {
            issue_type.to_string()
        } else {
            issue_type_id(&api, project, issue_type)?
        };
        let meta = create_fields(&api, project, &type_id)?;
        fields.insert("issuetype".into(), json!({"id": type_id}));
        for (id, value) in fields::values(&meta, custom, &format!("{project} / {issue_type}"))? {
            fields.insert(id, value);
        }
    }
    fields.insert("summary".into(), json!(input.summary.trim()));
    if let Some(description) = input.description.filter(|d| !d.trim().is_empty()) {
        fields.insert("description".into(), adf::from_text(&description));
    }
    if let Some(account) = &input.assignee_account_id {
        fields.insert(
            "assignee".into(),
            json!({"accountId": key("assignee_account_id", account)?}),
        );
    }
    if let Some(given) = &input.labels {
        fields.insert("labels".into(), json!(labels(given)?));
    }
    if let Some(priority) = &input.priority {
        fields.insert("priority".into(), by_id_or_name(key("priority", priority)?));
    }
    if let Some(parent) = &input.parent_key {
        fields.insert("parent".into(), json!({"key": key("parent_key", parent)?}));
    }
    api.post("/rest/api/3/issue")
        .json(&json!({"fields": fields}))
        .send()?
        .json()
}

/// Extends `JIRA_CREATE_ISSUE`'s schema with what the user's site has: the projects the user
/// can create issues in and their issue types (in the descriptions of `project_key` and
/// `issue_type`), and in `custom_fields` a property per field of those projects' issue types,
/// typed, with its options, the projects and issue types that have it and where it is required.
/// Bounded: the [`DESCRIBE_PROJECTS`] most recently updated projects, [`DESCRIBE_REQUESTS`]
/// `createmeta` requests, [`DESCRIBED_FIELDS`] fields; `custom_fields` still takes any other
/// field, checked when the issue is created.
fn describe_create_issue(mut schema: Value, ctx: &Context) -> Result<Value, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Project {
        key: String,
        name: String,
        #[serde(default)]
        issue_types: Vec<IssueTypeRef>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Projects {
        #[serde(default)]
        values: Vec<Project>,
        #[serde(default)]
        is_last: bool,
    }
    /// One field across the project / issue type pairs that have it.
    struct Seen {
        meta: FieldMeta,
        options: Vec<String>,
        used_in: BTreeMap<String, Vec<String>>,
        required_in: Vec<String>,
    }
    let api = api(ctx)?;
    let projects: Projects = api
        .get("/rest/api/3/project/search")
        .query(&[
            ("action", "create".to_string()),
            ("expand", "issueTypes".to_string()),
            ("orderBy", "-lastIssueUpdatedDate".to_string()),
            ("maxResults", DESCRIBE_PROJECTS.to_string()),
        ])
        .send()?
        .json()?;
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let mut requests = 0;
    let mut complete = projects.is_last;
    for project in &projects.values {
        for issue_type in &project.issue_types {
            if requests == DESCRIBE_REQUESTS {
                complete = false;
                break;
            }
            requests += 1;
            for meta in create_fields(&api, &project.key, &issue_type.id)? {
                if !meta.listed() {
                    continue;
                }
                let entry = seen.entry(meta.id().to_string()).or_insert_with(|| Seen {
                    meta: meta.clone(),
                    options: Vec::new(),
                    used_in: BTreeMap::new(),
                    required_in: Vec::new(),
                });
                for option in meta.options() {
                    if !entry.options.contains(&option) {
                        entry.options.push(option);
                    }
                }
                entry
                    .used_in
                    .entry(project.key.clone())
                    .or_default()
                    .push(issue_type.name.clone());
                if meta.required && !meta.has_default_value {
                    entry
                        .required_in
                        .push(format!("{} {}", project.key, issue_type.name));
                }
            }
        }
    }
    let mut properties = Map::new();
    for (id, field) in seen.iter().take(DESCRIBED_FIELDS) {
        let mut property = fields::property(&field.meta, &field.options);
        let used: Vec<String> = field
            .used_in
            .iter()
            .map(|(project, types)| format!("{project} ({})", types.join(", ")))
            .collect();
        let mut description = format!(
            "{} — {}. In: {}.",
            field.meta.name,
            field.meta.describe_type(),
            used.join("; ")
        );
        if !field.required_in.is_empty() {
            description.push_str(&format!(" Required in: {}.", field.required_in.join(", ")));
        }
        if field.options.len() > fields::MAX_OPTIONS {
            description.push_str(&format!(
                " Options include: {}, ...",
                field.options[..20].join(", ")
            ));
        }
        property["description"] = json!(description);
        properties.insert(id.clone(), property);
    }
    let listed: Vec<String> = projects
        .values
        .iter()
        .map(|p| {
            let types: Vec<&str> = p.issue_types.iter().map(|t| t.name.as_str()).collect();
            format!("{} ({}): {}", p.key, p.name, types.join(", "))
        })
        .collect();
    let more = if complete {
        ""
    } else {
        " Only the most recently updated projects are listed; others take custom fields too, checked when the issue is created."
    };
    let custom = &mut schema["properties"]["custom_fields"];
    let static_description = custom["description"].as_str().unwrap_or("").to_string();
    let static_type = custom.get("type").cloned().unwrap_or(json!("object"));
    *custom = json!({
        "type": static_type,
        "description": format!("{static_description} The fields of your projects are listed as properties: each says its type, the projects and issue types that have it, and where it is required.{more}"),
        "properties": properties,
        "additionalProperties": true,
    });
    if !listed.is_empty() {
        for (property, text) in [
            (
                "project_key",
                format!(
                    "Projects you can create issues in, with their issue types: {}.",
                    listed.join("; ")
                ),
            ),
            (
                "issue_type",
                "The issue types of each project are listed under `project_key`.".to_string(),
            ),
        ] {
            let description = &mut schema["properties"][property]["description"];
            let before = description.as_str().unwrap_or("").to_string();
            *description = json!(format!("{before} {text}"));
        }
    }
    Ok(schema)
}

/// Input of `JIRA_UPDATE_ISSUE`.
#[derive(Deserialize, JsonSchema)]
struct UpdateIssue {
    /// The issue's key, e.g. `PROJ-123`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_key: String,
    /// New one-line title.
    #[schemars(length(min = 1, max = 255))]
    summary: Option<String>,
    /// New description, plain text (replaces the old one; formatting as in JIRA_CREATE_ISSUE).
    /// An empty string clears it.
    description: Option<String>,
    /// New priority by name, e.g. `High`.
    priority: Option<String>,
    /// Replaces all labels with these (single words without spaces).
    labels: Option<Vec<String>>,
    /// Labels to add, keeping the others.
    add_labels: Option<Vec<String>>,
    /// Labels to remove, keeping the others.
    remove_labels: Option<Vec<String>>,
    /// Other fields by field id or display name, values given as for JIRA_CREATE_ISSUE
    /// (e.g. `{"customfield_10016": 8, "duedate": "2025-03-31"}`); `null` clears a field.
    custom_fields: Option<Map<String, Value>>,
}

/// What an update or assignment answers: Jira returns no body (HTTP 204).
#[derive(Serialize, JsonSchema)]
struct Updated {
    /// The issue's key or id as given.
    issue_key: String,
    /// Always true: Jira accepted the change.
    updated: bool,
}

/// The fields of an existing issue that can be edited, from `editmeta`.
fn edit_fields(api: &Api, issue_key: &str) -> Result<Vec<FieldMeta>, Error> {
    #[derive(Deserialize)]
    struct EditMeta {
        #[serde(default)]
        fields: BTreeMap<String, FieldMeta>,
    }
    let meta: EditMeta = api
        .get(&issue_path(issue_key, "/editmeta")?)
        .send()?
        .json()?;
    Ok(meta
        .fields
        .into_iter()
        .map(|(id, mut field)| {
            field.field_id = Some(id);
            field
        })
        .collect())
}

fn update_issue(input: UpdateIssue, ctx: &Context) -> Result<Updated, Error> {
    let api = api(ctx)?;
    let issue_key = key("issue_key", &input.issue_key)?;
    let mut fields = Map::new();
    let mut update = Map::new();
    if let Some(custom) = input.custom_fields.filter(|c| !c.is_empty()) {
        let meta = edit_fields(&api, issue_key)?;
        let (nulls, values): (Map<String, Value>, Map<String, Value>) =
            custom.into_iter().partition(|(_, v)| v.is_null());
        for (name, _) in nulls {
            let id = fields::find(&meta, &name).map_or(name.clone(), |f| f.id().to_string());
            fields.insert(id, Value::Null);
        }
        for (id, value) in fields::values(&meta, values, &format!("issue {issue_key}"))? {
            fields.insert(id, value);
        }
    }
    if let Some(summary) = &input.summary {
        fields.insert("summary".into(), json!(key("summary", summary)?));
    }
    if let Some(description) = &input.description {
        let value = if description.trim().is_empty() {
            Value::Null
        } else {
            adf::from_text(description)
        };
        fields.insert("description".into(), value);
    }
    if let Some(priority) = &input.priority {
        fields.insert("priority".into(), by_id_or_name(key("priority", priority)?));
    }
    let adding = input.add_labels.as_deref().unwrap_or_default();
    let removing = input.remove_labels.as_deref().unwrap_or_default();
    if let Some(given) = &input.labels {
        if !adding.is_empty() || !removing.is_empty() {
            return Err(Error::invalid_input(
                "give `labels` (replace all) or `add_labels` / `remove_labels`, not both",
            ));
        }
        fields.insert("labels".into(), json!(labels(given)?));
    }
    let mut operations = Vec::new();
    for label in labels(adding)? {
        operations.push(json!({"add": label}));
    }
    for label in labels(removing)? {
        operations.push(json!({"remove": label}));
    }
    if !operations.is_empty() {
        update.insert("labels".into(), Value::Array(operations));
    }
    if fields.is_empty() && update.is_empty() {
        return Err(Error::invalid_input(
            "give at least one of `summary`, `description`, `priority`, `labels`, `add_labels`, `remove_labels` or `custom_fields`",
        ));
    }
    let mut body = Map::new();
    if !fields.is_empty() {
        body.insert("fields".into(), Value::Object(fields));
    }
    if !update.is_empty() {
        body.insert("update".into(), Value::Object(update));
    }
    api.put(&issue_path(issue_key, "")?).json(&body).send()?;
    Ok(Updated {
        issue_key: issue_key.to_string(),
        updated: true,
    })
}

/// Input of `JIRA_TRANSITION_ISSUE`.
#[derive(Deserialize, JsonSchema)]
struct TransitionIssue {
    /// The issue's key, e.g. `PROJ-123`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_key: String,
    /// The status to move the issue to, e.g. `In Progress` or `Done` (case-insensitive), or
    /// the name of the workflow transition, e.g. `Start progress`. When no transition of the
    /// issue's workflow leads there, the error lists the ones that exist.
    #[schemars(length(min = 1))]
    status: String,
    /// A comment to add with the transition, plain text.
    comment: Option<String>,
    /// Resolution to set, by name, e.g. `Done`, `Won't Do` or `Duplicate` (only when the
    /// transition's screen has the resolution field, usually a transition to a done status).
    resolution: Option<String>,
}

/// The transition made.
#[derive(Serialize, JsonSchema)]
struct Transitioned {
    /// The issue's key or id as given.
    issue_key: String,
    /// Id of the workflow transition used.
    transition_id: String,
    /// Name of the workflow transition used, e.g. `Start progress`.
    transition: String,
    /// The issue's status now, e.g. `In Progress`.
    status: String,
}

fn transition_issue(input: TransitionIssue, ctx: &Context) -> Result<Transitioned, Error> {
    #[derive(Deserialize)]
    struct Transitions {
        #[serde(default)]
        transitions: Vec<Transition>,
    }
    #[derive(Deserialize)]
    struct Transition {
        id: String,
        name: String,
        to: Option<Status>,
    }
    #[derive(Deserialize)]
    struct Status {
        name: String,
    }
    let api = api(ctx)?;
    let issue_key = key("issue_key", &input.issue_key)?;
    let wanted = key("status", &input.status)?.to_lowercase();
    let available: Transitions = api
        .get(&issue_path(issue_key, "/transitions")?)
        .send()?
        .json()?;
    let target = |t: &Transition| t.to.as_ref().map_or("", |s| s.name.as_str()).to_string();
    let chosen = available
        .transitions
        .iter()
        .find(|t| target(t).to_lowercase() == wanted)
        .or_else(|| {
            available
                .transitions
                .iter()
                .find(|t| t.name.to_lowercase() == wanted)
        })
        .ok_or_else(|| {
            let listed: Vec<String> = available
                .transitions
                .iter()
                .map(|t| format!("{:?} → {}", t.name, target(t)))
                .collect();
            Error::invalid_input(format!(
                "no transition of {issue_key} leads to {:?}; the transitions available now are: {}",
                input.status.trim(),
                if listed.is_empty() {
                    "none".to_string()
                } else {
                    listed.join(", ")
                }
            ))
        })?;
    let mut body = json!({"transition": {"id": chosen.id}});
    if let Some(resolution) = &input.resolution {
        body["fields"] = json!({"resolution": {"name": key("resolution", resolution)?}});
    }
    if let Some(comment) = input.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        body["update"] = json!({"comment": [{"add": {"body": adf::from_text(comment)}}]});
    }
    api.post(&issue_path(issue_key, "/transitions")?)
        .json(&body)
        .send()?;
    Ok(Transitioned {
        issue_key: issue_key.to_string(),
        transition_id: chosen.id.clone(),
        transition: chosen.name.clone(),
        status: target(chosen),
    })
}

/// Input of `JIRA_ADD_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct AddComment {
    /// The issue's key, e.g. `PROJ-123`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_key: String,
    /// The comment, plain text (paragraphs, `- ` bullet lists and ```` ``` ```` code blocks as
    /// in JIRA_CREATE_ISSUE's description).
    #[schemars(length(min = 1))]
    body: String,
}

fn add_comment(input: AddComment, ctx: &Context) -> Result<Value, Error> {
    if input.body.trim().is_empty() {
        return Err(Error::invalid_input("`body` must not be blank"));
    }
    let mut comment: Value = api(ctx)?
        .post(&issue_path(&input.issue_key, "/comment")?)
        .json(&json!({"body": adf::from_text(&input.body)}))
        .send()?
        .json()?;
    adf::plain(&mut comment);
    Ok(comment)
}

/// Input of `JIRA_ASSIGN_ISSUE`.
#[derive(Deserialize, JsonSchema)]
struct AssignIssue {
    /// The issue's key, e.g. `PROJ-123`, or its numeric id.
    #[schemars(length(min = 1))]
    issue_key: String,
    /// Account id of the new assignee (JIRA_SEARCH_USERS finds it from a name or e-mail).
    /// Omitted or null: the issue becomes unassigned.
    account_id: Option<String>,
}

/// The assignment made.
#[derive(Serialize, JsonSchema)]
struct Assigned {
    /// The issue's key or id as given.
    issue_key: String,
    /// The assignee's account id; null when the issue is now unassigned.
    account_id: Option<String>,
}

fn assign_issue(input: AssignIssue, ctx: &Context) -> Result<Assigned, Error> {
    let issue_key = key("issue_key", &input.issue_key)?;
    let account_id = match input.account_id.as_deref() {
        Some(id) => Some(key("account_id", id)?.to_string()),
        None => None,
    };
    api(ctx)?
        .put(&issue_path(issue_key, "/assignee")?)
        .json(&json!({"accountId": account_id}))
        .send()?;
    Ok(Assigned {
        issue_key: issue_key.to_string(),
        account_id,
    })
}

/// Input of `JIRA_LIST_PROJECTS`.
#[derive(Deserialize, JsonSchema)]
struct ListProjects {
    /// Only projects whose key or name contains this text (case-insensitive).
    query: Option<String>,
    /// Projects per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    max_results: Option<u32>,
    /// `next_start_at` of the previous page, to fetch the next one (0, the first project, by
    /// default).
    start_at: Option<u64>,
}

/// One page of projects.
#[derive(Serialize, JsonSchema)]
struct ProjectPage {
    /// The projects as Jira returns them, ordered by key: `id`, `key`, `name`, `projectTypeKey`
    /// (`software`, `service_desk` or `business`), `style`, `description`, `lead` and
    /// `issueTypes` (each with `id`, `name` and `subtask`).
    projects: Vec<Value>,
    /// How many projects match in all, when Jira says.
    total: Option<u64>,
    /// Pass as `start_at` to fetch the next page; null on the last page.
    next_start_at: Option<u64>,
}

fn list_projects(input: ListProjects, ctx: &Context) -> Result<ProjectPage, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page {
        #[serde(default)]
        values: Vec<Value>,
        total: Option<u64>,
        #[serde(default)]
        is_last: bool,
    }
    let start_at = input.start_at.unwrap_or(0);
    let mut query = vec![
        ("startAt", start_at.to_string()),
        ("maxResults", input.max_results.unwrap_or(50).to_string()),
        ("expand", "description,lead,issueTypes".to_string()),
    ];
    if let Some(text) = input
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        query.push(("query", text.to_string()));
    }
    let page: Page = api(ctx)?
        .get("/rest/api/3/project/search")
        .query(&query)
        .send()?
        .json()?;
    let next_start_at =
        (!page.is_last && !page.values.is_empty()).then(|| start_at + page.values.len() as u64);
    Ok(ProjectPage {
        projects: page.values,
        total: page.total,
        next_start_at,
    })
}

/// A project's type, which decides its templates and features.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum ProjectType {
    Software,
    ServiceDesk,
    Business,
}

/// Who new issues are assigned to by default.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum AssigneeType {
    ProjectLead,
    Unassigned,
}

/// Input of `JIRA_CREATE_PROJECT`.
#[derive(Deserialize, JsonSchema)]
struct CreateProject {
    /// The project key, prefix of its issue keys: 2 to 10 upper-case letters and digits,
    /// starting with a letter, e.g. `OPS`.
    #[schemars(regex(pattern = r"^[A-Z][A-Z0-9]{1,9}$"))]
    key: String,
    /// The project's name, e.g. `Operations`.
    #[schemars(length(min = 1, max = 80))]
    name: String,
    /// `software` (Jira Software: boards, sprints), `service_desk` (Jira Service Management)
    /// or `business` (Jira Work Management).
    project_type: ProjectType,
    /// Account id of the project lead (JIRA_SEARCH_USERS finds it; JIRA_GET_ISSUE's
    /// `reporter` has yours).
    #[schemars(length(min = 1))]
    lead_account_id: String,
    /// A description of the project, plain text.
    description: Option<String>,
    /// The template, which sets up the workflow and board, e.g.
    /// `com.pyxis.greenhopper.jira:gh-simplified-kanban-classic`,
    /// `com.pyxis.greenhopper.jira:gh-simplified-scrum-classic`,
    /// `com.pyxis.greenhopper.jira:gh-simplified-agility-kanban` (team-managed),
    /// `com.atlassian.servicedesk:simplified-it-service-management` or
    /// `com.atlassian.jira-core-project-templates:jira-core-simplified-task-tracking`. It must
    /// fit `project_type`; Jira's default for the type when not given.
    template_key: Option<String>,
    /// `PROJECT_LEAD` (new issues go to the lead) or `UNASSIGNED` (Jira's default depends on
    /// the site's settings).
    assignee_type: Option<AssigneeType>,
}

fn create_project(input: CreateProject, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        key: &'a str,
        name: &'a str,
        project_type_key: ProjectType,
        lead_account_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        project_template_key: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        assignee_type: Option<AssigneeType>,
    }
    let project_key = input.key.trim();
    let valid = project_key.len() >= 2
        && project_key.len() <= 10
        && project_key.starts_with(|c: char| c.is_ascii_uppercase())
        && project_key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !valid {
        return Err(Error::invalid_input(format!(
            "`key` must be 2 to 10 upper-case letters and digits starting with a letter, like OPS: {project_key:?}"
        )));
    }
    api(ctx)?
        .post("/rest/api/3/project")
        .json(&Body {
            key: project_key,
            name: key("name", &input.name)?,
            project_type_key: input.project_type,
            lead_account_id: key("lead_account_id", &input.lead_account_id)?,
            description: input
                .description
                .as_deref()
                .filter(|d| !d.trim().is_empty()),
            project_template_key: input.template_key.as_deref().map(str::trim),
            assignee_type: input.assignee_type,
        })
        .send()?
        .json()
}

/// Input of `JIRA_SEARCH_USERS`.
#[derive(Deserialize, JsonSchema)]
struct SearchUsers {
    /// Text to match against users' display names and e-mail addresses (the start of a word),
    /// e.g. `ada` or `ada@example.com`.
    #[schemars(length(min = 1))]
    query: String,
    /// Users per page, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    max_results: Option<u32>,
    /// `next_start_at` of the previous page, to fetch the next one.
    start_at: Option<u64>,
}

/// One page of users.
#[derive(Serialize, JsonSchema)]
struct UserPage {
    /// The users as Jira returns them: `accountId` (what other actions take), `displayName`,
    /// `emailAddress` (when the user's profile shows it), `active` and `accountType` (`atlassian`
    /// for people, `app` for bots, `customer` for service desk customers).
    users: Vec<Value>,
    /// Pass as `start_at` to fetch the next page; null when this page was not full (Jira gives
    /// no total for user searches).
    next_start_at: Option<u64>,
}

fn search_users(input: SearchUsers, ctx: &Context) -> Result<UserPage, Error> {
    let text = key("query", &input.query)?;
    let start_at = input.start_at.unwrap_or(0);
    let max_results = input.max_results.unwrap_or(20);
    let users: Vec<Value> = api(ctx)?
        .get("/rest/api/3/user/search")
        .query(&[
            ("query", text.to_string()),
            ("startAt", start_at.to_string()),
            ("maxResults", max_results.to_string()),
        ])
        .send()?
        .json()?;
    let next_start_at =
        (users.len() as u64 >= u64::from(max_results)).then(|| start_at + users.len() as u64);
    Ok(UserPage {
        users,
        next_start_at,
    })
}

/// One site the token may reach, as `accessible-resources` lists it.
#[derive(Deserialize)]
struct Resource {
    id: String,
    name: String,
    url: String,
    #[serde(default)]
    scopes: Vec<String>,
}

/// With an OAuth token: finds the account's Jira site among those the token may reach (a token
/// can reach several, and Confluence sites too): the one at `https://{site}.atlassian.net` when
/// the user named a `site`, else the first Jira one. Keeps its cloud id and labels the account
/// with the site's name and address. With Basic credentials: checks them with `GET
/// /rest/api/3/myself` on the site (a refused one is not stored) and labels the account with the
/// user's e-mail (or name) and the site.
fn after_connect(ctx: &Context) -> Result<ConnectedAccount, Error> {
    if ctx.credential == CredentialKind::Basic {
        return check_basic(ctx);
    }
    let resources: Vec<Resource> = Api::new(GATEWAY)
        .header("Accept", "application/json")
        .errors(jira_errors)
        .get("/oauth/token/accessible-resources")
        .send()?
        .json()?;
    let jira: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.scopes.is_empty() || r.scopes.iter().any(|s| s.contains("jira")))
        .collect();
    let chosen = match ctx.fields.get("site").map(|s| s.trim().to_lowercase()) {
        Some(site) if !site.is_empty() => {
            let wanted = format!("https://{site}.atlassian.net");
            jira.iter()
                .find(|r| r.url.trim_end_matches('/').to_lowercase() == wanted)
                .ok_or_else(|| {
                    let sites: Vec<&str> = jira.iter().map(|r| r.url.as_str()).collect();
                    Error::invalid_input(format!(
                        "this Atlassian account did not grant access to {wanted}; the Jira sites it granted are: {}. Connect again with one of them as `site` (or choose {wanted} on Atlassian's consent screen)",
                        if sites.is_empty() { "none".to_string() } else { sites.join(", ") }
                    ))
                })?
        }
        _ => jira.first().ok_or_else(|| {
            Error::unauthorized(
                "this Atlassian account granted access to no Jira site; connect again and choose a Jira site on Atlassian's consent screen",
            )
        })?,
    };
    let address = chosen.url.trim_start_matches("https://");
    Ok(
        ConnectedAccount::labelled(format!("{} ({address})", chosen.name))
            .field("cloud_id", &chosen.id),
    )
}

fn check_basic(ctx: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Myself {
        email_address: Option<String>,
        display_name: Option<String>,
        account_id: Option<String>,
    }
    let me: Myself = api(ctx)?.get("/rest/api/3/myself").send()?.json()?;
    let who = [me.email_address, me.display_name, me.account_id]
        .into_iter()
        .flatten()
        .find(|w| !w.trim().is_empty())
        .unwrap_or_else(|| "Jira user".to_string());
    Ok(ConnectedAccount::labelled(format!(
        "{who} ({}.atlassian.net)",
        site(ctx)?
    )))
}

/// Scopes asked for when an account connects: together they cover every action.
pub const DEFAULT_SCOPES: &[&str] = &[
    READ_WORK,
    WRITE_WORK,
    READ_USER,
    MANAGE_CONFIGURATION,
    "offline_access",
];

pub fn provider() -> Provider {
    Provider::new("jira", "Jira")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Search, read, create, update, transition, assign and comment on Jira Cloud issues; list and create projects; find users.")
        .categories(&["project_management", "engineering"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://auth.atlassian.com/authorize", "https://auth.atlassian.com/oauth/token")
                .scopes(DEFAULT_SCOPES)
                .param("audience", "api.atlassian.com")
                .param("prompt", "consent"),
        ))
        .alternative_auth(Auth::basic(
            "Atlassian account e-mail",
            "API token (id.atlassian.com → Security → Create and manage API tokens)",
        ))
        .field(
            Field::user(
                "site",
                "Your Jira site's name, the part before .atlassian.net (e.g. `acme` for https://acme.atlassian.net). Needed with an e-mail and API token; optional when signing in with Atlassian, where without it the first site you grant access to is used.",
            )
            .pattern("[A-Za-z0-9][A-Za-z0-9-]{0,62}"),
        )
        .field(
            Field::after_connect("cloud_id", "The Jira site's cloud id, found when an account signs in with Atlassian.")
                .pattern("[A-Za-z0-9-]{1,64}"),
        )
        .origin(GATEWAY)
        .origin(SITE_ORIGIN)
        .after_connect(after_connect)
        .action(Action::new(
            "JIRA_SEARCH_ISSUES",
            "Search issues with JQL (Jira Query Language), e.g. `project = PROJ AND status != Done ORDER BY updated DESC`, `assignee = currentUser() AND resolution = Unresolved`, `text ~ \"login error\" AND created >= -14d`. Use to find issues when their keys are not known; read one issue in full (description, comments) with JIRA_GET_ISSUE. Returns Jira's answer: `issues` (each with `id`, `key` and the requested `fields`; rich text as plain text), `nextPageToken` to pass as `next_page_token` for the next page, and `isLast`.",
            search_issues,
        ).read_only().scopes(&[READ_WORK]))
        .action(Action::new(
            "JIRA_GET_ISSUE",
            "Read one issue by key (e.g. `PROJ-123`): summary, status, type, priority, assignee, reporter, labels, parent, dates, the description and comments as plain text (not Atlassian Document Format), custom fields, and `names` giving each field's display name (e.g. `customfield_10016` → `Story points`).",
            get_issue,
        ).read_only().scopes(&[READ_WORK]))
        .action(Action::new(
            "JIRA_CREATE_ISSUE",
            "Create an issue (bug, task, story, epic, subtask) in a project: summary, plain-text description, assignee by account id, labels, priority, parent (the epic, or the parent of a subtask), and the project's custom fields in `custom_fields` (listed per project in the schema). Returns Jira's answer: the new issue's `id`, `key` (e.g. `PROJ-124`) and `self` URL.",
            create_issue,
        ).scopes(&[WRITE_WORK, READ_WORK]).dynamic(describe_create_issue))
        .action(Action::new(
            "JIRA_UPDATE_ISSUE",
            "Change fields of an existing issue: summary, description (plain text, replaces the old one), priority, labels (replace all, or add/remove some), and other or custom fields. Only the fields given change. To change the status use JIRA_TRANSITION_ISSUE; to change the assignee JIRA_ASSIGN_ISSUE. Returns `{\"issue_key\", \"updated\": true}`.",
            update_issue,
        ).idempotent().scopes(&[WRITE_WORK, READ_WORK]))
        .action(Action::new(
            "JIRA_TRANSITION_ISSUE",
            "Move an issue to another status through its workflow, by the target status name (e.g. `In Progress`, `Done`) or the transition's name, optionally with a comment and a resolution. When the issue's workflow has no transition to that status from where it is, the error lists the transitions available. Returns the transition used and the new `status`.",
            transition_issue,
        ).scopes(&[WRITE_WORK, READ_WORK]))
        .action(Action::new(
            "JIRA_ADD_COMMENT",
            "Add a comment to an issue, written as plain text. Returns the comment as Jira returns it (`id`, `author`, `created`, `body` as plain text).",
            add_comment,
        ).scopes(&[WRITE_WORK]))
        .action(Action::new(
            "JIRA_ASSIGN_ISSUE",
            "Assign an issue to a user by account id (JIRA_SEARCH_USERS turns a name or e-mail into one), or unassign it with no account id. Returns the issue key and the assignee's account id.",
            assign_issue,
        ).idempotent().scopes(&[WRITE_WORK]))
        .action(Action::new(
            "JIRA_LIST_PROJECTS",
            "List the projects the user can see, optionally only those whose key or name contains `query`, with each project's key, name, type, lead, description and issue types. Use to find a project key for JIRA_CREATE_ISSUE or JQL. Returns `projects`, `total` and `next_start_at` (pass it as `start_at` for the next page; null on the last).",
            list_projects,
        ).read_only().scopes(&[READ_WORK]))
        .action(Action::new(
            "JIRA_CREATE_PROJECT",
            "Create a project with a key, name, type (`software`, `service_desk`, `business`), lead and optional template. Needs the Administer Jira global permission. Returns Jira's answer: the project's `id`, `key` and `self` URL.",
            create_project,
        ).scopes(&[MANAGE_CONFIGURATION]))
        .action(Action::new(
            "JIRA_SEARCH_USERS",
            "Find users by name or e-mail address to get their account ids, which JIRA_ASSIGN_ISSUE, JIRA_CREATE_ISSUE and JQL (`assignee = <accountId>`) need. Returns `users` (`accountId`, `displayName`, `emailAddress` when visible, `active`, `accountType`) and `next_start_at` (pass it as `start_at` for more; null when there are no more).",
            search_users,
        ).read_only().scopes(&[READ_USER]))
}

actionhost_sdk::export_provider!(provider);
