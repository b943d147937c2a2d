//! Asana provider: workspaces, projects, tasks (with the project's custom fields), task search and
//! comments through Asana's REST API (<https://developers.asana.com/reference/rest-api-reference>).
//!
//! Asana wraps every answer in `{"data": ...}`; actions answer the unwrapped object, and lists
//! answer `{items, next_cursor}` where `next_cursor` is Asana's `next_page.offset`. Errors come as
//! `{"errors": [{"message": ...}]}` with a meaningful status, which the SDK's default mapping
//! already reads (401 → not connected, 404 → not found, 429 with `Retry-After` → rate limited,
//! the rest → upstream error with Asana's message). Every request names the fields it wants
//! (`opt_fields`) so that answers stay small.
//!
//! Users connect with OAuth 2 (PKCE, Asana's granular scopes) or, instead, a personal access
//! token; both are bearer tokens for the same API, so no action depends on which one it is.
//! An operator registers the OAuth app in Asana's developer console (My apps → Create new app):
//! the host's `/oauth/callback` URL as redirect URL, "Manage distribution" opened to the users'
//! workspaces, and the granular scopes of [`SCOPES`] chosen. An app registered for "Full
//! permissions" instead must be given the scope `default` in the operator's connection: Asana
//! refuses granular scopes for such an app, and `default` for a granular one.
//!
//! `ASANA_CREATE_TASK` has a dynamic schema: its `custom_fields` parameter lists the custom
//! fields of the projects in the account's workspace (see [`describe_create_task`]), and a call
//! checks the fields it sets against the chosen project's own settings before creating the task.

use std::collections::BTreeMap;

use actionhost_sdk::paginate::{self, Limits, Page};
use actionhost_sdk::prelude::*;
use serde::de::Deserializer;
use serde_json::Map;

/// Asana's REST API; the host adds `Authorization: Bearer <token>`.
const BASE: &str = "https://app.asana.com/api/1.0";

fn api() -> Api {
    Api::new(BASE).header("Accept", "application/json")
}

/// The account field holding the workspace actions use when none is given.
const WORKSPACE_FIELD: &str = "workspace";

/// Fields of a task in lists and search results: enough to choose one, not its whole record.
const TASK_LIST_FIELDS: &str = "name,resource_subtype,completed,completed_at,due_on,due_at,assignee.name,parent.name,modified_at,permalink_url";
/// Fields of one task (ASANA_GET_TASK and what create and update answer).
const TASK_FIELDS: &str = "name,resource_subtype,notes,completed,completed_at,due_on,due_at,start_on,assignee.name,\
created_at,modified_at,parent.name,projects.name,memberships.project.name,memberships.section.name,tags.name,\
followers.name,custom_fields.name,custom_fields.resource_subtype,custom_fields.display_value,num_subtasks,\
workspace.name,permalink_url";
const PROJECT_FIELDS: &str = "name,archived,color,team.name,due_on,modified_at,permalink_url";
const WORKSPACE_FIELDS: &str = "name,is_organization";
const STORY_FIELDS: &str = "resource_subtype,text,created_at,created_by.name,is_pinned";

/// Items per page when the caller gives no `limit`.
const DEFAULT_LIMIT: u32 = 50;

// ----- Envelopes -----

/// `{"data": ...}`, passed on without its envelope.
#[derive(Deserialize)]
struct Data {
    data: Passthrough,
}

fn unwrapped(response: Response) -> Result<Passthrough, Error> {
    Ok(response.json::<Data>()?.data)
}

#[derive(Deserialize)]
struct NextPage {
    offset: Option<String>,
}

/// One page of an Asana list and where to go on.
#[derive(Serialize, JsonSchema)]
struct Listed {
    /// The items of this page, as Asana returns them (its `data`), each with its `gid`.
    items: Passthrough,
    /// Pass back as `cursor` (with the same other parameters) for the next page; `null` on the
    /// last page. Asana's `next_page.offset`.
    next_cursor: Option<String>,
}

impl Listed {
    fn from(response: Response) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Envelope {
            data: Passthrough,
            next_page: Option<NextPage>,
        }
        let envelope: Envelope = response.json()?;
        Ok(Listed {
            items: envelope.data,
            next_cursor: envelope
                .next_page
                .and_then(|p| p.offset)
                .filter(|o| !o.is_empty()),
        })
    }
}

/// The workspace given, or the account's (found when it connected).
fn workspace_or_default(given: Option<String>, ctx: &Context) -> Result<String, Error> {
    given
        .or_else(|| ctx.fields.get(WORKSPACE_FIELD).cloned())
        .ok_or_else(|| {
            Error::invalid_input(
                "give `workspace` (a workspace gid from ASANA_LIST_WORKSPACES): the account has no default workspace",
            )
        })
}

/// Deserialises a present field as `Some(value)`, `null` included, so that `Some(None)` means
/// "clear it" and an absent field (`None`, by `#[serde(default)]`) means "leave it".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

// ----- Workspaces -----

#[derive(Deserialize, JsonSchema)]
struct ListWorkspaces {
    /// Workspaces per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn list_workspaces(input: ListWorkspaces, _: &Context) -> Result<Listed, Error> {
    let query = [
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("offset", input.cursor),
        ("opt_fields", Some(WORKSPACE_FIELDS.to_string())),
    ];
    Listed::from(api().get("/workspaces").query(&query).send()?)
}

// ----- Projects -----

#[derive(Deserialize, JsonSchema)]
struct ListProjects {
    /// Workspace gid (default: the account's workspace, named when it was connected).
    workspace: Option<String>,
    /// Only the projects of this team (gid).
    team: Option<String>,
    /// `false` for active projects only, `true` for archived ones only; both when absent.
    archived: Option<bool>,
    /// Projects per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn list_projects(input: ListProjects, ctx: &Context) -> Result<Listed, Error> {
    // Asana's `team` filter stands alone; with it the workspace is implied.
    let workspace = match input.team {
        Some(_) => input.workspace,
        None => Some(workspace_or_default(input.workspace, ctx)?),
    };
    let query = [
        ("workspace", workspace),
        ("team", input.team),
        ("archived", input.archived.map(|a| a.to_string())),
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("offset", input.cursor),
        ("opt_fields", Some(PROJECT_FIELDS.to_string())),
    ];
    Listed::from(api().get("/projects").query(&query).send()?)
}

/// How a project is shown by default.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum DefaultView {
    List,
    Board,
    Calendar,
    Timeline,
}

/// Who can see a project.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Privacy {
    PublicToWorkspace,
    PrivateToTeam,
    Private,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateProject {
    /// Name of the project.
    name: String,
    /// Workspace gid (default: the account's workspace).
    workspace: Option<String>,
    /// Team gid that will own the project; required when the workspace is an organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<String>,
    /// Description, plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    /// Initial view (Asana's default is `list`).
    #[serde(skip_serializing_if = "Option::is_none")]
    default_view: Option<DefaultView>,
    /// Who can see it (Asana's default is `public_to_workspace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    privacy_setting: Option<Privacy>,
    /// Start date, `YYYY-MM-DD`; needs `due_on` too.
    #[schemars(extend("format" = "date"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    start_on: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[schemars(extend("format" = "date"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    due_on: Option<String>,
}

fn create_project(mut input: CreateProject, ctx: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    if input.start_on.is_some() && input.due_on.is_none() {
        return Err(Error::invalid_input(
            "`start_on` needs `due_on`: Asana refuses a start date without a due date",
        ));
    }
    input.workspace = Some(workspace_or_default(input.workspace.take(), ctx)?);
    unwrapped(
        api()
            .post("/projects")
            .query(&[("opt_fields", PROJECT_FIELDS)])
            .json(&json!({ "data": input }))
            .send()?,
    )
}

// ----- Tasks -----

#[derive(Deserialize, JsonSchema)]
struct ListTasks {
    /// Tasks of this project (gid). Give exactly one of `project`, `section` and `assignee`.
    project: Option<String>,
    /// Tasks of this section of a project (gid).
    section: Option<String>,
    /// Tasks assigned to this user: a user gid, an e-mail address or `me`; in `workspace`.
    assignee: Option<String>,
    /// Workspace gid for an `assignee` filter (default: the account's workspace).
    workspace: Option<String>,
    /// Only tasks that are incomplete or were completed since this time (RFC 3339, e.g.
    /// `2025-03-01T00:00:00Z`; the current time for incomplete tasks only). All tasks when
    /// absent.
    #[schemars(extend("format" = "date-time"))]
    completed_since: Option<String>,
    /// Only tasks modified since this time (RFC 3339).
    #[schemars(extend("format" = "date-time"))]
    modified_since: Option<String>,
    /// Tasks per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn list_tasks(input: ListTasks, ctx: &Context) -> Result<Listed, Error> {
    let chosen = [&input.project, &input.section, &input.assignee]
        .iter()
        .filter(|f| f.is_some())
        .count();
    if chosen != 1 {
        return Err(Error::invalid_input(
            "give exactly one of `project`, `section` and `assignee` (Asana lists tasks of one of them)",
        ));
    }
    let workspace = match input.assignee {
        Some(_) => Some(workspace_or_default(input.workspace, ctx)?),
        None => None,
    };
    let query = [
        ("project", input.project),
        ("section", input.section),
        ("assignee", input.assignee),
        ("workspace", workspace),
        ("completed_since", input.completed_since),
        ("modified_since", input.modified_since),
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("offset", input.cursor),
        ("opt_fields", Some(TASK_LIST_FIELDS.to_string())),
    ];
    Listed::from(api().get("/tasks").query(&query).send()?)
}

/// Orders of search results.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum SearchSort {
    CreatedAt,
    ModifiedAt,
    DueDate,
    CompletedAt,
    Likes,
}

#[derive(Deserialize, JsonSchema)]
struct SearchTasks {
    /// Workspace gid (default: the account's workspace).
    workspace: Option<String>,
    /// Words matched against task names and descriptions.
    text: Option<String>,
    /// Assigned to any of these users: gids, e-mail addresses or `me`.
    assignees: Option<Vec<String>>,
    /// In any of these projects (gids).
    projects: Option<Vec<String>>,
    /// In any of these sections (gids).
    sections: Option<Vec<String>>,
    /// With any of these tags (gids).
    tags: Option<Vec<String>>,
    /// `true` for completed tasks only, `false` for incomplete ones; both when absent.
    completed: Option<bool>,
    /// `true` for subtasks only, `false` for top-level tasks only; both when absent.
    is_subtask: Option<bool>,
    /// Due on or before this date, `YYYY-MM-DD`.
    #[schemars(extend("format" = "date"))]
    due_on_before: Option<String>,
    /// Due on or after this date, `YYYY-MM-DD`.
    #[schemars(extend("format" = "date"))]
    due_on_after: Option<String>,
    /// Modified after this time (RFC 3339).
    #[schemars(extend("format" = "date-time"))]
    modified_since: Option<String>,
    /// Order of the results (default `created_at`, the only order that pages: with another,
    /// there is no `next_cursor`).
    #[schemars(extend("default" = "created_at"))]
    sort_by: Option<SearchSort>,
    /// Oldest or smallest first (default false: newest first).
    #[serde(default)]
    sort_ascending: bool,
    /// Tasks per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page; send it with the same filters and order.
    cursor: Option<String>,
}

/// Search results and where to go on.
#[derive(Serialize, JsonSchema)]
struct Found {
    /// The matching tasks, as Asana returns them, each with its `gid` and `created_at`.
    items: Passthrough,
    /// Pass back as `cursor` (with the same filters) for more; `null` when this page was not
    /// full or the order is not `created_at`. The `created_at` of this page's last task.
    next_cursor: Option<String>,
}

fn search_tasks(input: SearchTasks, ctx: &Context) -> Result<Found, Error> {
    let workspace = workspace_or_default(input.workspace, ctx)?;
    let sort = input.sort_by.unwrap_or(SearchSort::CreatedAt);
    let limit = input.limit.unwrap_or(DEFAULT_LIMIT);
    let list = |items: Option<Vec<String>>| items.map(|i| i.join(","));
    // Asana's search has no offset: pages are cut by creation time (its docs' way to page).
    let (before, after) = match (&input.cursor, sort, input.sort_ascending) {
        (Some(cursor), SearchSort::CreatedAt, false) => (Some(cursor.clone()), None),
        (Some(cursor), SearchSort::CreatedAt, true) => (None, Some(cursor.clone())),
        (Some(_), _, _) => {
            return Err(Error::invalid_input(
                "`cursor` pages only results sorted by `created_at`",
            ));
        }
        (None, _, _) => (None, None),
    };
    let query = [
        ("text", input.text),
        ("assignee.any", list(input.assignees)),
        ("projects.any", list(input.projects)),
        ("sections.any", list(input.sections)),
        ("tags.any", list(input.tags)),
        ("completed", input.completed.map(|c| c.to_string())),
        ("is_subtask", input.is_subtask.map(|c| c.to_string())),
        ("due_on.before", input.due_on_before),
        ("due_on.after", input.due_on_after),
        ("modified_at.after", input.modified_since),
        ("created_at.before", before),
        ("created_at.after", after),
        ("sort_by", Some(sort_name(sort).to_string())),
        ("sort_ascending", Some(input.sort_ascending.to_string())),
        ("limit", Some(limit.to_string())),
        ("opt_fields", Some(format!("{TASK_LIST_FIELDS},created_at"))),
    ];
    let response = api()
        .get(&path!("/workspaces/{}/tasks/search", workspace))
        .query(&query)
        .send()?;
    #[derive(Deserialize)]
    struct Created {
        created_at: Option<String>,
    }
    #[derive(Deserialize)]
    struct Envelope {
        data: Passthrough,
    }
    let envelope: Envelope = response.json()?;
    let tasks: Vec<Created> = serde_json::from_str(envelope.data.get())?;
    let next_cursor = (sort == SearchSort::CreatedAt && tasks.len() >= limit as usize)
        .then(|| tasks.last().and_then(|t| t.created_at.clone()))
        .flatten();
    Ok(Found {
        items: envelope.data,
        next_cursor,
    })
}

fn sort_name(sort: SearchSort) -> &'static str {
    match sort {
        SearchSort::CreatedAt => "created_at",
        SearchSort::ModifiedAt => "modified_at",
        SearchSort::DueDate => "due_date",
        SearchSort::CompletedAt => "completed_at",
        SearchSort::Likes => "likes",
    }
}

#[derive(Deserialize, JsonSchema)]
struct GetTask {
    /// The task's gid.
    task_gid: String,
}

fn get_task(input: GetTask, _: &Context) -> Result<Passthrough, Error> {
    unwrapped(
        api()
            .get(&path!("/tasks/{}", input.task_gid))
            .query(&[("opt_fields", TASK_FIELDS)])
            .send()?,
    )
}

/// Kinds of task.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum TaskKind {
    DefaultTask,
    Milestone,
    Approval,
}

#[derive(Deserialize, JsonSchema)]
struct CreateTask {
    /// Name of the task.
    name: String,
    /// Description, plain text.
    notes: Option<String>,
    /// Description in Asana's rich text (an HTML subset in `<body>`), instead of `notes`.
    html_notes: Option<String>,
    /// Assignee: a user gid, an e-mail address or `me`.
    assignee: Option<String>,
    /// Due date, `YYYY-MM-DD` (or `due_at` for a time).
    #[schemars(extend("format" = "date"))]
    due_on: Option<String>,
    /// Due date and time (RFC 3339), instead of `due_on`.
    #[schemars(extend("format" = "date-time"))]
    due_at: Option<String>,
    /// Start date, `YYYY-MM-DD`; needs a due date.
    #[schemars(extend("format" = "date"))]
    start_on: Option<String>,
    /// Project gid to add the task to (from ASANA_LIST_PROJECTS).
    project: Option<String>,
    /// Section gid of `project` to put the task in (its first section when absent).
    section: Option<String>,
    /// Parent task gid, to create a subtask of it.
    parent: Option<String>,
    /// Workspace gid, for a task in no project and with no parent (default: the account's
    /// workspace).
    workspace: Option<String>,
    /// Kind of task (default `default_task`).
    resource_subtype: Option<TaskKind>,
    /// Tag gids to add.
    tags: Option<Vec<String>>,
    /// Followers: user gids, e-mail addresses or `me`.
    followers: Option<Vec<String>>,
    /// Values of `project`'s custom fields, keyed by custom field gid (or exact name): text or
    /// number as is, an enum option's name, a list of option names for a multi-select, a date as
    /// `YYYY-MM-DD`, a list of user gids for a people field. Needs `project`.
    custom_fields: Option<Map<String, Value>>,
}

/// The body of `POST /tasks` (in `data`).
#[derive(Serialize)]
struct TaskBody<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_subtype: Option<&'a TaskKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html_notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_on: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_on: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    projects: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    followers: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_fields: Option<Map<String, Value>>,
}

fn create_task(input: CreateTask, ctx: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    if input.notes.is_some() && input.html_notes.is_some() {
        return Err(Error::invalid_input(
            "give `notes` or `html_notes`, not both",
        ));
    }
    if input.due_on.is_some() && input.due_at.is_some() {
        return Err(Error::invalid_input("give `due_on` or `due_at`, not both"));
    }
    if input.section.is_some() && input.project.is_none() {
        return Err(Error::invalid_input(
            "`section` needs `project`, the project the section belongs to",
        ));
    }
    let custom_fields = match (&input.custom_fields, &input.project) {
        (Some(given), _) if given.is_empty() => None,
        (Some(given), Some(project)) => Some(custom_field_values(project, given)?),
        (Some(_), None) => {
            return Err(Error::invalid_input(
                "`custom_fields` needs `project`: custom fields belong to a project",
            ));
        }
        (None, _) => None,
    };
    // A task in a project or under a parent lives in that one's workspace.
    let workspace = match (&input.project, &input.parent) {
        (None, None) => Some(workspace_or_default(input.workspace.clone(), ctx)?),
        _ => None,
    };
    let body = TaskBody {
        name: &input.name,
        resource_subtype: input.resource_subtype.as_ref(),
        notes: input.notes.as_deref(),
        html_notes: input.html_notes.as_deref(),
        assignee: input.assignee.as_deref(),
        due_on: input.due_on.as_deref(),
        due_at: input.due_at.as_deref(),
        start_on: input.start_on.as_deref(),
        projects: input.project.as_deref().map(|p| [p]),
        parent: input.parent.as_deref(),
        workspace,
        tags: input.tags.as_deref(),
        followers: input.followers.as_deref(),
        custom_fields,
    };
    let response = api()
        .post("/tasks")
        .query(&[("opt_fields", TASK_FIELDS)])
        .json(&json!({ "data": body }))
        .send()?;
    let created = unwrapped(response)?;
    if let Some(section) = &input.section {
        #[derive(Deserialize)]
        struct Gid {
            gid: String,
        }
        let task: Gid = serde_json::from_str(created.get())?;
        api()
            .post(&path!("/sections/{}/addTask", section))
            .json(&json!({ "data": { "task": task.gid } }))
            .send()?;
    }
    Ok(created)
}

/// One custom field as Asana describes it (in a project's settings).
#[derive(Deserialize, Clone)]
struct CustomField {
    gid: String,
    name: String,
    /// `text`, `number`, `enum`, `multi_enum`, `date`, `people`, ...
    resource_subtype: Option<String>,
    #[serde(default)]
    enum_options: Vec<EnumOption>,
    #[serde(default)]
    is_formula_field: bool,
    #[serde(default)]
    is_value_read_only: bool,
}

#[derive(Deserialize, Clone)]
struct EnumOption {
    gid: String,
    name: String,
    #[serde(default = "enabled")]
    enabled: bool,
}

fn enabled() -> bool {
    true
}

#[derive(Deserialize)]
struct Setting {
    custom_field: CustomField,
}

const FIELD_SETTING_FIELDS: &str = "custom_field.name,custom_field.resource_subtype,custom_field.enum_options.name,\
custom_field.enum_options.enabled,custom_field.is_formula_field,custom_field.is_value_read_only";

/// The custom fields of `project`, from its custom field settings (up to 300).
fn project_fields(project: &str) -> Result<Vec<CustomField>, Error> {
    let settings = paginate::collect(None, Limits::pages(3), |cursor| {
        #[derive(Deserialize)]
        struct Envelope {
            data: Vec<Setting>,
            next_page: Option<NextPage>,
        }
        let query = [
            ("limit", Some("100")),
            ("offset", cursor),
            ("opt_fields", Some(FIELD_SETTING_FIELDS)),
        ];
        let page: Envelope = api()
            .get(&path!("/projects/{}/custom_field_settings", project))
            .query(&query)
            .send()?
            .json()?;
        Ok(Page::new(page.data, page.next_page.and_then(|p| p.offset)))
    })?;
    Ok(settings.items.into_iter().map(|s| s.custom_field).collect())
}

/// Asana's values for the custom fields `given` of `project`: keys made gids, enum option names
/// made option gids, dates wrapped as `{"date": ...}`. A field not on the project, or an option
/// the field does not have, is refused naming what the project has.
fn custom_field_values(
    project: &str,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let fields = project_fields(project)?;
    let mut values = Map::new();
    for (key, value) in given {
        let Some(field) = fields.iter().find(|f| &f.gid == key || &f.name == key) else {
            let known: Vec<String> = fields
                .iter()
                .map(|f| format!("{} ({})", f.name, f.gid))
                .collect();
            return Err(Error::invalid_input(format!(
                "custom field `{key}` is not on project {project}; its fields are: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        if field.is_formula_field || field.is_value_read_only {
            return Err(Error::invalid_input(format!(
                "custom field `{}` is computed by Asana and cannot be set",
                field.name
            )));
        }
        values.insert(field.gid.clone(), field_value(field, value)?);
    }
    Ok(values)
}

fn field_value(field: &CustomField, value: &Value) -> Result<Value, Error> {
    let option = |wanted: &Value| -> Result<Value, Error> {
        let text = wanted.as_str().unwrap_or_default();
        field
            .enum_options
            .iter()
            .find(|o| o.enabled && (o.name == text || o.gid == text))
            .map(|o| Value::String(o.gid.clone()))
            .ok_or_else(|| {
                let names: Vec<&str> = field
                    .enum_options
                    .iter()
                    .filter(|o| o.enabled)
                    .map(|o| o.name.as_str())
                    .collect();
                Error::invalid_input(format!(
                    "custom field `{}` has no option {wanted}; its options are: {}",
                    field.name,
                    names.join(", ")
                ))
            })
    };
    if value.is_null() {
        return Ok(Value::Null);
    }
    match field.resource_subtype.as_deref() {
        Some("enum") => option(value),
        Some("multi_enum") => match value {
            Value::Array(items) => items
                .iter()
                .map(option)
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            single => Ok(Value::Array(vec![option(single)?])),
        },
        Some("date") => match value {
            Value::String(date) => Ok(json!({ "date": date })),
            other => Ok(other.clone()),
        },
        _ => Ok(value.clone()),
    }
}

#[derive(Deserialize, JsonSchema)]
struct UpdateTask {
    /// The task's gid.
    task_gid: String,
    /// New name.
    name: Option<String>,
    /// New description, plain text (replaces the old one).
    notes: Option<String>,
    /// New description in Asana's rich text (an HTML subset in `<body>`), instead of `notes`.
    html_notes: Option<String>,
    /// New assignee: a user gid, an e-mail address or `me`; `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    assignee: Option<Option<String>>,
    /// New due date, `YYYY-MM-DD`; `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(extend("format" = "date"))]
    due_on: Option<Option<String>>,
    /// New due date and time (RFC 3339), instead of `due_on`; `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(extend("format" = "date-time"))]
    due_at: Option<Option<String>>,
    /// New start date, `YYYY-MM-DD`; `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(extend("format" = "date"))]
    start_on: Option<Option<String>>,
    /// `true` to complete the task, `false` to reopen it.
    completed: Option<bool>,
    /// Custom field values keyed by custom field gid, as Asana takes them: text, number, an enum
    /// option gid, a list of option gids, `{"date": "YYYY-MM-DD"}`, a list of user gids, or
    /// `null` to clear.
    custom_fields: Option<Map<String, Value>>,
}

fn update_task(input: UpdateTask, _: &Context) -> Result<Passthrough, Error> {
    let mut data = Map::new();
    let mut set = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            data.insert(name.into(), value);
        }
    };
    set("name", input.name.map(Value::String));
    set("notes", input.notes.map(Value::String));
    set("html_notes", input.html_notes.map(Value::String));
    set("assignee", input.assignee.map(|a| json!(a)));
    set("due_on", input.due_on.map(|d| json!(d)));
    set("due_at", input.due_at.map(|d| json!(d)));
    set("start_on", input.start_on.map(|d| json!(d)));
    set("completed", input.completed.map(Value::Bool));
    set(
        "custom_fields",
        input
            .custom_fields
            .filter(|f| !f.is_empty())
            .map(Value::Object),
    );
    if data.is_empty() {
        return Err(Error::invalid_input(
            "nothing to change: give at least one field besides `task_gid`",
        ));
    }
    if data.contains_key("notes") && data.contains_key("html_notes") {
        return Err(Error::invalid_input(
            "give `notes` or `html_notes`, not both",
        ));
    }
    unwrapped(
        api()
            .put(&path!("/tasks/{}", input.task_gid))
            .query(&[("opt_fields", TASK_FIELDS)])
            .json(&json!({ "data": data }))
            .send()?,
    )
}

// ----- Comments -----

#[derive(Deserialize, Serialize, JsonSchema)]
struct AddComment {
    /// The task's gid.
    #[serde(skip_serializing)]
    task_gid: String,
    /// The comment, plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// The comment in Asana's rich text (an HTML subset in `<body>`, e.g.
    /// `<body>Done, see <a href="https://example.com">the report</a></body>`), instead of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    html_text: Option<String>,
    /// Pin the comment to the top of the task's activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    is_pinned: Option<bool>,
}

fn add_comment(input: AddComment, _: &Context) -> Result<Passthrough, Error> {
    match (&input.text, &input.html_text) {
        (Some(text), None) if !text.trim().is_empty() => {}
        (None, Some(html)) if !html.trim().is_empty() => {}
        (Some(_), Some(_)) => {
            return Err(Error::invalid_input("give `text` or `html_text`, not both"));
        }
        _ => {
            return Err(Error::invalid_input(
                "give the comment as `text` (or `html_text`), not blank",
            ));
        }
    }
    unwrapped(
        api()
            .post(&path!("/tasks/{}/stories", input.task_gid))
            .query(&[("opt_fields", STORY_FIELDS)])
            .json(&json!({ "data": input }))
            .send()?,
    )
}

// ----- The dynamic schema of ASANA_CREATE_TASK -----

/// Projects read to describe custom fields: two pages of 100.
const DESCRIBE_PROJECT_PAGES: usize = 2;
/// Custom fields described at most; more would make the schema too large for a model.
const DESCRIBE_MAX_FIELDS: usize = 100;
/// Project names listed per field.
const DESCRIBE_PROJECT_NAMES: usize = 5;

const DESCRIBE_PROJECT_FIELDS: &str = "name,custom_field_settings.custom_field.name,\
custom_field_settings.custom_field.resource_subtype,custom_field_settings.custom_field.enum_options.name,\
custom_field_settings.custom_field.enum_options.enabled,custom_field_settings.custom_field.is_formula_field,\
custom_field_settings.custom_field.is_value_read_only";

/// Completes `custom_fields` of ASANA_CREATE_TASK with the custom fields of the account's
/// workspace's active projects (one `GET /projects` per 100 projects, at most two): each field
/// keyed by its gid, typed by its kind (enum options by name), and described with its name and
/// the projects that have it — a task can only take the fields of its own project. Without a
/// workspace on the account, the static schema stays.
fn describe_create_task(mut schema: Value, ctx: &Context) -> Result<Value, Error> {
    let Some(workspace) = ctx.fields.get(WORKSPACE_FIELD) else {
        return Ok(schema);
    };
    #[derive(Deserialize)]
    struct Project {
        name: String,
        #[serde(default)]
        custom_field_settings: Vec<Setting>,
    }
    let projects = paginate::collect(None, Limits::pages(DESCRIBE_PROJECT_PAGES), |cursor| {
        #[derive(Deserialize)]
        struct Envelope {
            data: Vec<Project>,
            next_page: Option<NextPage>,
        }
        let query = [
            ("workspace", Some(workspace.as_str())),
            ("archived", Some("false")),
            ("limit", Some("100")),
            ("offset", cursor),
            ("opt_fields", Some(DESCRIBE_PROJECT_FIELDS)),
        ];
        let page: Envelope = api().get("/projects").query(&query).send()?.json()?;
        Ok(Page::new(page.data, page.next_page.and_then(|p| p.offset)))
    })?;
    // Field gid → the field and the names of the projects that have it, in order of discovery.
    let mut order: Vec<String> = Vec::new();
    let mut found: BTreeMap<String, (CustomField, Vec<String>)> = BTreeMap::new();
    for project in &projects.items {
        for setting in &project.custom_field_settings {
            let field = &setting.custom_field;
            if field.is_formula_field || field.is_value_read_only || field_schema(field).is_none() {
                continue;
            }
            let entry = found.entry(field.gid.clone()).or_insert_with(|| {
                order.push(field.gid.clone());
                (field.clone(), Vec::new())
            });
            entry.1.push(project.name.clone());
        }
    }
    let mut properties = Map::new();
    for gid in order.iter().take(DESCRIBE_MAX_FIELDS) {
        let (field, on) = &found[gid];
        let mut property = field_schema(field).expect("only fields with a schema are kept");
        let mut names = on
            .iter()
            .take(DESCRIBE_PROJECT_NAMES)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if on.len() > DESCRIBE_PROJECT_NAMES {
            names.push_str(&format!(" and {} more", on.len() - DESCRIBE_PROJECT_NAMES));
        }
        property["description"] = Value::String(format!(
            "{} ({}). On projects: {names}.",
            field.name,
            field.resource_subtype.as_deref().unwrap_or("field")
        ));
        properties.insert(gid.clone(), property);
    }
    let mut description = String::from(
        "Values of custom fields, keyed by custom field gid. Only the fields of the task's `project` \
         can be set (each says which projects have it); needs `project`.",
    );
    if order.len() > DESCRIBE_MAX_FIELDS {
        description.push_str(&format!(
            " {} more fields exist than are listed; any field of the project may be given by its gid or exact name.",
            order.len() - DESCRIBE_MAX_FIELDS
        ));
    }
    if projects.next_cursor.is_some() {
        description.push_str(
            " Fields of projects beyond the first 200 are not listed but may be given by gid.",
        );
    }
    let exhaustive = order.len() <= DESCRIBE_MAX_FIELDS && projects.next_cursor.is_none();
    schema["properties"]["custom_fields"] = json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": !exhaustive,
    });
    Ok(schema)
}

/// The JSON Schema of a custom field's value, for the kinds a task can be given.
fn field_schema(field: &CustomField) -> Option<Value> {
    let mut options: Vec<&str> = Vec::new();
    for option in field.enum_options.iter().filter(|o| o.enabled) {
        if !options.contains(&option.name.as_str()) {
            options.push(&option.name);
        }
    }
    let subtype = field.resource_subtype.as_deref()?;
    if subtype.ends_with("enum") && options.is_empty() {
        return None;
    }
    Some(match subtype {
        "text" => json!({"type": "string"}),
        "number" => json!({"type": "number"}),
        "date" => json!({"type": "string", "format": "date"}),
        "enum" => json!({"type": "string", "enum": options}),
        "multi_enum" => json!({"type": "array", "items": {"type": "string", "enum": options}}),
        "people" => json!({"type": "array", "items": {"type": "string"}}),
        _ => return None,
    })
}

// ----- The account -----

/// Checks the new credential with `GET /users/me` (a refused one is not stored), labels the
/// account `Name (e-mail)` and keeps the user's first workspace as the default one.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Me {
        data: User,
    }
    #[derive(Deserialize)]
    struct User {
        name: Option<String>,
        email: Option<String>,
        #[serde(default)]
        workspaces: Vec<Workspace>,
    }
    #[derive(Deserialize)]
    struct Workspace {
        gid: String,
    }
    let me: Me = api()
        .get("/users/me")
        .query(&[("opt_fields", "name,email,workspaces.name")])
        .send()?
        .json()?;
    let user = me.data;
    let mut account = match (user.name, user.email) {
        (Some(name), Some(email)) => ConnectedAccount::labelled(format!("{name} ({email})")),
        (None, Some(email)) => ConnectedAccount::labelled(email),
        (Some(name), None) => ConnectedAccount::labelled(name),
        (None, None) => ConnectedAccount::default(),
    };
    if let Some(first) = user.workspaces.first() {
        account = account.field(WORKSPACE_FIELD, first.gid.clone());
    }
    Ok(account)
}

/// Asana's granular OAuth scopes, one per kind of object and access (an app registered for
/// them must not ask for `default`, and one registered for full permissions must ask for
/// nothing else; see the docs).
const SCOPES: &[&str] = &[
    "workspaces:read",
    "users:read",
    "projects:read",
    "projects:write",
    "tasks:read",
    "tasks:write",
    "stories:write",
];

pub fn provider() -> Provider {
    Provider::new("asana", "Asana")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Workspaces, projects, tasks, custom fields and comments in Asana.")
        .categories(&["productivity", "project_management"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://app.asana.com/-/oauth_authorize", "https://app.asana.com/-/oauth_token")
                .scopes(SCOPES)
                .revoke_url("https://app.asana.com/-/oauth_revoke"),
        ))
        // A personal access token (Asana: My settings → Apps → Developer apps) is sent as a
        // bearer token too and reaches the same API; it carries the user's full access, so it
        // is granted every action.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bearer ")))
        .origin("https://app.asana.com")
        .field(Field::after_connect(
            WORKSPACE_FIELD,
            "Gid of the user's first Asana workspace, used when an action is given none.",
        ).pattern("[0-9]+"))
        .after_connect(after_connect)
        .action(Action::new(
            "ASANA_LIST_WORKSPACES",
            "List the Asana workspaces and organizations the user belongs to, with their gids. Use first to find the `workspace` other actions take (they default to the account's first workspace). Returns `items` and `next_cursor`.",
            list_workspaces,
        ).read_only().scopes(&["workspaces:read"]))
        .action(Action::new(
            "ASANA_LIST_PROJECTS",
            "List projects of a workspace or team with their gids, names, team and due dates. Use to find a project's gid before listing or creating its tasks. Returns `items` and `next_cursor` (pass it as `cursor` for more).",
            list_projects,
        ).read_only().scopes(&["projects:read"]))
        .action(Action::new(
            "ASANA_CREATE_PROJECT",
            "Create a project in a workspace (in an organization, under a team). Returns the created project with its gid and URL.",
            create_project,
        ).scopes(&["projects:write"]))
        .action(Action::new(
            "ASANA_LIST_TASKS",
            "List the tasks of one project, one section or one assignee (exactly one of them), optionally only those incomplete or completed since a time, or modified since a time. Returns compact tasks (gid, name, completion, due date, assignee, URL) as `items` and `next_cursor`. Use ASANA_SEARCH_TASKS to match text or combine filters, ASANA_GET_TASK for a task's details.",
            list_tasks,
        ).read_only().scopes(&["tasks:read"]))
        .action(Action::new(
            "ASANA_SEARCH_TASKS",
            "Search tasks across a workspace by text and filters (assignees, projects, sections, tags, completion, due dates, modification time). Needs a premium Asana workspace (free ones answer an upstream error). Returns compact tasks as `items`, newest first by default, and `next_cursor` for more.",
            search_tasks,
        ).read_only().scopes(&["tasks:read"]))
        .action(Action::new(
            "ASANA_GET_TASK",
            "Get one task by its gid: name, description (`notes`), completion, dates, assignee, projects and sections, parent, tags, followers, custom field values and URL.",
            get_task,
        ).read_only().scopes(&["tasks:read"]))
        .action(Action::new(
            "ASANA_CREATE_TASK",
            "Create a task: in a project (and one of its sections), as a subtask of `parent`, or alone in a workspace; with description, assignee, dates, tags, followers and the project's custom fields. Returns the created task with its gid and URL.",
            create_task,
        ).scopes(&["tasks:write"]).dynamic(describe_create_task))
        .action(Action::new(
            "ASANA_UPDATE_TASK",
            "Change a task: complete or reopen it (`completed`), rename it, replace its description, reassign or unassign it, set or clear its dates, or set custom field values. Only the fields given change. Returns the updated task.",
            update_task,
        ).idempotent().scopes(&["tasks:write"]))
        .action(Action::new(
            "ASANA_ADD_COMMENT",
            "Add a comment to a task (a story in its activity feed), in plain text or Asana's rich text. Returns the comment with its gid and time.",
            add_comment,
        ).scopes(&["stories:write"]))
}

actionhost_sdk::export_provider!(provider);
