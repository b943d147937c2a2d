//! GitLab provider: projects, issues, merge requests (with a summary of their changes), comments
//! and pipelines through GitLab's REST API v4 (<https://docs.gitlab.com/api/rest/>), on
//! gitlab.com or a self-managed instance.
//!
//! The account's `base_url` field names the instance (`https://gitlab.com` unless the user gives
//! another) and is the plugin's credentialed origin; every request goes to `{base_url}/api/v4`.
//! An account connects by OAuth 2 (GitLab's authorization-code flow with PKCE; access tokens
//! last two hours and refresh tokens rotate, which the host handles) or with a personal, group
//! or project access token sent as `PRIVATE-TOKEN`. An OAuth account never chooses `base_url`:
//! the host sets it to the connection's fixed value (an operator serving a self-managed instance
//! overrides the OAuth URLs and fixes `base_url` with them) or the default, so a token only
//! ever goes back to the instance that issued it.
//!
//! Projects are named by their numeric id or their full path (`group/sub/project`), which GitLab
//! takes URL-encoded as one path segment (`group%2Fsub%2Fproject`). Lists page as GitLab does:
//! offset pages (`page`, `per_page`, the `X-Next-Page` header) for issues, merge requests and
//! pipelines, keyset pages (`pagination=keyset`, the `Link` header) for projects, which GitLab
//! recommends for that large collection.

use actionhost_sdk::http::{provider_message, segment};
use actionhost_sdk::prelude::*;
use serde::Serializer;

/// GitLab's SaaS instance, the `base_url` of an account that names none.
pub const GITLAB_COM: &str = "https://gitlab.com";

/// What `base_url` must look like: an https origin on a domain name, optionally with a port, no
/// path (the host also refuses IP literals and private addresses when it calls it).
pub const BASE_URL_PATTERN: &str = r"https://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:[0-9]{1,5})?";

/// Characters of each file's diff that `GITLAB_GET_MERGE_REQUEST` returns by default, and at most.
pub const DEFAULT_DIFF_CHARS: usize = 2_000;
pub const MAX_DIFF_CHARS: usize = 20_000;

/// GitLab's OAuth scopes: `read_api` reads every API resource the user can see, `api` also
/// writes, `read_user` only reads the user's own profile.
const READ: &[&str] = &["read_api", "api"];
const WRITE: &[&str] = &["api"];

/// The REST API of the account's instance.
fn api(ctx: &Context) -> Result<Api, Error> {
    let base = ctx.field("base_url")?.trim().trim_end_matches('/');
    Ok(Api::new(format!("{base}/api/v4"))
        .header("Accept", "application/json")
        .errors(gitlab_errors))
}

/// GitLab's error envelopes as the contract's errors: `{"message": "404 Project Not Found"}`,
/// `{"message": {"title": ["can't be blank"]}}` (validation, as `field: message`),
/// `{"error": "insufficient_scope", "error_description": "..."}` (OAuth) and
/// `{"error": "..."}`. 401 → not connected, 404 → not found, 429 → rate limited after
/// `Retry-After` seconds (or until `RateLimit-Reset`, an epoch second), the rest → an upstream
/// error with GitLab's message.
pub fn gitlab_errors(response: &Response) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    let message = envelope_message(response.bytes())
        .or_else(|| provider_message(response.bytes()))
        .unwrap_or_else(|| format!("HTTP {status}"));
    Some(match status {
        401 => Error::unauthorized(message),
        404 => Error::not_found(message),
        429 => Error::rate_limited(message, retry_after(response)),
        _ => response.upstream_error(message),
    })
}

fn envelope_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    if let Some(message) = value.get("message") {
        return flatten_message(message).filter(|m| !m.is_empty());
    }
    let error = value.get("error").and_then(Value::as_str)?;
    Some(
        match value.get("error_description").and_then(Value::as_str) {
            Some(description) if !description.is_empty() => format!("{error}: {description}"),
            _ => error.to_string(),
        },
    )
}

/// `"text"`, `["a", "b"]` or `{"field": ["is invalid"]}` as one line.
fn flatten_message(message: &Value) -> Option<String> {
    match message {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(flatten_message).collect();
            Some(parts.join("; "))
        }
        Value::Object(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .filter_map(|(field, message)| {
                    Some(format!("{field}: {}", flatten_message(message)?))
                })
                .collect();
            Some(parts.join("; "))
        }
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// `Retry-After` in seconds, else the seconds until `RateLimit-Reset` (an epoch second).
fn retry_after(response: &Response) -> Option<u32> {
    response.seconds("retry-after").or_else(|| {
        let reset = u64::from(response.seconds("ratelimit-reset")?);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        u32::try_from(reset.saturating_sub(now)).ok()
    })
}

/// A project id as one path segment: digits stay, a path `group/sub/project` is encoded
/// (`group%2Fsub%2Fproject`); an already encoded path is taken as it is meant.
fn project(id: &str) -> Result<String, Error> {
    let id = id.trim().replace("%2F", "/").replace("%2f", "/");
    let id = id.trim_matches('/');
    if id.is_empty() {
        return Err(Error::invalid_input(
            "`project_id` must be a numeric id or a path such as `group/project`",
        ));
    }
    if id.contains("://") {
        return Err(Error::invalid_input(format!(
            "`project_id` must be a numeric id or a path such as `group/project`, not a URL: {id:?}"
        )));
    }
    Ok(format!("/projects/{}", segment(id)))
}

fn not_blank<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    Ok(trimmed)
}

/// GitLab takes label lists as one comma-separated string (`bug,needs review`).
fn comma_list<S: Serializer>(
    labels: &Option<Vec<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match labels {
        Some(labels) => serializer.serialize_str(&labels.join(",")),
        None => serializer.serialize_none(),
    }
}

/// Refuses label names GitLab would split or drop: blank ones and ones with a comma.
fn check_labels(field: &str, labels: &Option<Vec<String>>) -> Result<(), Error> {
    for (i, label) in labels.iter().flatten().enumerate() {
        if label.trim().is_empty() || label.contains(',') {
            return Err(Error::invalid_input(format!(
                "`{field}[{i}]` must be a label name without commas: {label:?}"
            )));
        }
    }
    Ok(())
}

/// One page of a GitLab list, as GitLab sent it, and the number of the next page.
#[derive(Serialize, JsonSchema)]
struct Listed {
    /// The items of this page, as GitLab returns them.
    items: Passthrough,
    /// The `page` to ask for next (GitLab's `X-Next-Page`); `null` on the last page.
    next_page: Option<u32>,
}

impl Listed {
    fn from(response: Response) -> Result<Self, Error> {
        Ok(Listed {
            next_page: next_page(&response),
            items: response.json()?,
        })
    }
}

/// GitLab's `X-Next-Page` header: a page number, or empty on the last page.
fn next_page(response: &Response) -> Option<u32> {
    response.header("x-next-page")?.trim().parse().ok()
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Sort {
    Asc,
    Desc,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Visibility {
    Public,
    Internal,
    Private,
}

/// Input of `GITLAB_LIST_PROJECTS`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct ListProjects {
    /// Only projects whose name or path contains this text (case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    /// Only projects the user is a member of (default `true`; `false` also lists every project
    /// the user can see, which on gitlab.com is every public project).
    #[serde(default = "yes")]
    membership: bool,
    /// Only projects the user owns.
    #[serde(skip_serializing_if = "Option::is_none")]
    owned: Option<bool>,
    /// Only projects the user starred.
    #[serde(skip_serializing_if = "Option::is_none")]
    starred: Option<bool>,
    /// Only projects with this visibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    visibility: Option<Visibility>,
    /// `true` for archived projects only, `false` for active ones only; both by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    archived: Option<bool>,
    /// Only projects where the user's role is at least this access level: 10 guest, 20
    /// reporter, 30 developer, 40 maintainer, 50 owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = [10, 20, 30, 40, 50]))]
    min_access_level: Option<u32>,
    /// `true` (default) for a short form of each project (ids, names, paths, URLs, default
    /// branch, description, topics, star and fork counts, last activity); `false` for every
    /// field, including permissions and feature settings.
    #[serde(default = "yes")]
    simple: bool,
    /// Order by project id: `desc` (default) lists the newest projects first.
    #[serde(skip_serializing)]
    sort: Option<Sort>,
    /// Projects per page, 1 to 100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// `next_cursor` of the previous answer, to fetch the next page (the other parameters are
    /// then taken from the cursor).
    #[serde(skip_serializing)]
    cursor: Option<String>,
}

fn yes() -> bool {
    true
}

/// One page of projects and the cursor of the next.
#[derive(Serialize, JsonSchema)]
struct ProjectPage {
    /// The projects of this page, as GitLab returns them.
    items: Passthrough,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

fn list_projects(input: ListProjects, ctx: &Context) -> Result<ProjectPage, Error> {
    let api = api(ctx)?;
    let request = match input
        .cursor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(cursor) => {
            // The cursor is the `Link` header's next URL: only ever this instance's projects.
            let own = api.get("/projects").url() + "?";
            if !cursor.starts_with(&own) {
                return Err(Error::invalid_input(
                    "`cursor` is not a `next_cursor` of GITLAB_LIST_PROJECTS for this account",
                ));
            }
            api.get(cursor)
        }
        None => {
            #[derive(Serialize)]
            struct Keyset {
                pagination: &'static str,
                order_by: &'static str,
                sort: Sort,
            }
            api.get("/projects").query(&input).query(&Keyset {
                pagination: "keyset",
                order_by: "id",
                sort: input.sort.unwrap_or(Sort::Desc),
            })
        }
    };
    let response = request.send()?;
    Ok(ProjectPage {
        next_cursor: response.next_link(),
        items: response.json()?,
    })
}

/// Input of `GITLAB_GET_PROJECT`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct GetProject {
    /// The project's numeric id (e.g. `278964`) or full path (e.g. `gitlab-org/gitlab`).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// Also return the project's storage statistics (commit count, repository size); needs at
    /// least the Reporter role.
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<bool>,
    /// Also return the project's license.
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<bool>,
}

fn get_project(input: GetProject, ctx: &Context) -> Result<Passthrough, Error> {
    api(ctx)?
        .get(&project(&input.project_id)?)
        .query(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum IssueState {
    Opened,
    Closed,
    All,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Scope {
    CreatedByMe,
    AssignedToMe,
    All,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum IssueOrder {
    CreatedAt,
    UpdatedAt,
    Priority,
    DueDate,
    RelativePosition,
    LabelPriority,
    MilestoneDue,
    Popularity,
    Weight,
    Title,
}

/// Input of `GITLAB_LIST_ISSUES`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct ListIssues {
    /// The project's numeric id or full path (`group/project`). Without it, issues of every
    /// project the user can see are listed (by default only those the user created: see
    /// `scope`).
    #[serde(skip_serializing)]
    project_id: Option<String>,
    /// `opened`, `closed` or `all` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<IssueState>,
    /// Only issues with all of these labels; `["None"]` for issues without labels, `["Any"]`
    /// for issues with at least one.
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Only issues of the milestone with this title; `None` for issues without one, `Any` for
    /// issues with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone: Option<String>,
    /// `created_by_me`, `assigned_to_me` or `all`: default `all` within a project,
    /// `created_by_me` without `project_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<Scope>,
    /// Only issues created by the user with this numeric id.
    #[serde(skip_serializing_if = "Option::is_none")]
    author_id: Option<u64>,
    /// Only issues assigned to the user with this numeric id; `None` for unassigned issues,
    /// `Any` for assigned ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+|None|Any)$"))]
    assignee_id: Option<String>,
    /// Only issues whose title or description contains this text.
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    /// Only issues created at or after this time (ISO 8601, e.g. `2024-01-31T00:00:00Z`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    created_after: Option<String>,
    /// Only issues created at or before this time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    created_before: Option<String>,
    /// Only issues updated at or after this time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    updated_after: Option<String>,
    /// Only issues updated at or before this time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    updated_before: Option<String>,
    /// What to order by (default `created_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_by: Option<IssueOrder>,
    /// `asc` or `desc` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<Sort>,
    /// Issues per page, 1 to 100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1: the `next_page` of the previous answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

fn list_issues(input: ListIssues, ctx: &Context) -> Result<Listed, Error> {
    check_labels("labels", &input.labels)?;
    let path = match &input.project_id {
        Some(id) => project(id)? + "/issues",
        None => "/issues".to_string(),
    };
    Listed::from(api(ctx)?.get(&path).query(&input).send()?)
}

/// Input of `GITLAB_CREATE_ISSUE`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateIssue {
    /// The project's numeric id or full path (`group/project`).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// Title of the issue.
    #[schemars(length(min = 1, max = 255))]
    title: String,
    /// Description, in GitLab Flavored Markdown (at most 1,048,576 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Label names to set (labels that do not exist yet are created in the project).
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Numeric ids of the users to assign (more than one needs GitLab Premium).
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee_ids: Option<Vec<u64>>,
    /// Numeric id (not iid) of the project or group milestone to add the issue to.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone_id: Option<u64>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    due_date: Option<String>,
    /// Make the issue confidential (visible to project members with at least the Planner
    /// role, its author and assignees). Default `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    confidential: Option<bool>,
}

fn create_issue(input: CreateIssue, ctx: &Context) -> Result<Passthrough, Error> {
    not_blank("title", &input.title)?;
    check_labels("labels", &input.labels)?;
    api(ctx)?
        .post(&(project(&input.project_id)? + "/issues"))
        .json(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum StateEvent {
    Close,
    Reopen,
}

/// Input of `GITLAB_UPDATE_ISSUE`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct UpdateIssue {
    /// The project's numeric id or full path (`group/project`).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// The issue's number in the project (its `iid`, shown after `#`), not its global id.
    #[serde(skip_serializing)]
    #[schemars(range(min = 1))]
    issue_iid: u64,
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    title: Option<String>,
    /// New description in GitLab Flavored Markdown (replaces the old one).
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// `close` to close the issue, `reopen` to reopen it.
    #[serde(skip_serializing_if = "Option::is_none")]
    state_event: Option<StateEvent>,
    /// Replaces all labels with these names (`[]` removes every label).
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Label names to add, keeping the others.
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    add_labels: Option<Vec<String>>,
    /// Label names to remove, keeping the others.
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    remove_labels: Option<Vec<String>>,
    /// Replaces the assignees with these users' numeric ids (`[]` unassigns everyone).
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee_ids: Option<Vec<u64>>,
    /// Numeric id of the milestone to move the issue to; `0` removes it from its milestone.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone_id: Option<u64>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    due_date: Option<String>,
    /// Make the issue confidential or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    confidential: Option<bool>,
    /// Lock the discussion (only project members can comment) or unlock it.
    #[serde(skip_serializing_if = "Option::is_none")]
    discussion_locked: Option<bool>,
}

fn update_issue(input: UpdateIssue, ctx: &Context) -> Result<Passthrough, Error> {
    if let Some(title) = &input.title {
        not_blank("title", title)?;
    }
    check_labels("labels", &input.labels)?;
    check_labels("add_labels", &input.add_labels)?;
    check_labels("remove_labels", &input.remove_labels)?;
    let body = serde_json::to_value(&input)?;
    if body.as_object().is_some_and(|fields| fields.is_empty()) {
        return Err(Error::invalid_input(
            "give at least one field to change (e.g. `title`, `state_event`, `labels`)",
        ));
    }
    api(ctx)?
        .put(&path_of(&input.project_id, "issues", input.issue_iid)?)
        .json(&body)
        .send()?
        .json()
}

/// `/projects/{project}/{kind}/{iid}`
fn path_of(project_id: &str, kind: &str, iid: u64) -> Result<String, Error> {
    Ok(format!("{}/{kind}/{iid}", project(project_id)?))
}

/// Input of `GITLAB_ADD_ISSUE_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct IssueComment {
    /// The project's numeric id or full path (`group/project`).
    #[schemars(length(min = 1))]
    project_id: String,
    /// The issue's number in the project (its `iid`).
    #[schemars(range(min = 1))]
    issue_iid: u64,
    /// The comment, in GitLab Flavored Markdown (at most 1,000,000 characters). Quick actions
    /// such as `/close` or `/label ~bug` in it are run by GitLab.
    #[schemars(length(min = 1))]
    body: String,
}

fn add_issue_comment(input: IssueComment, ctx: &Context) -> Result<Passthrough, Error> {
    let body = not_blank("body", &input.body)?;
    api(ctx)?
        .post(&(path_of(&input.project_id, "issues", input.issue_iid)? + "/notes"))
        .json(&json!({ "body": body }))
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum MergeRequestState {
    Opened,
    Closed,
    Locked,
    Merged,
    All,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum MergeRequestOrder {
    CreatedAt,
    UpdatedAt,
    MergedAt,
    Title,
}

/// Input of `GITLAB_LIST_MERGE_REQUESTS`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct ListMergeRequests {
    /// The project's numeric id or full path (`group/project`).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// `opened`, `closed`, `locked`, `merged` or `all` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<MergeRequestState>,
    /// Only merge requests with all of these labels; `["None"]` for none, `["Any"]` for any.
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Only merge requests of the milestone with this title (`None`, `Any` also work).
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone: Option<String>,
    /// `created_by_me`, `assigned_to_me` or `all` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<Scope>,
    /// Only merge requests created by the user with this numeric id.
    #[serde(skip_serializing_if = "Option::is_none")]
    author_id: Option<u64>,
    /// Only merge requests assigned to the user with this numeric id; `None` or `Any`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+|None|Any)$"))]
    assignee_id: Option<String>,
    /// Only merge requests from this source branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    source_branch: Option<String>,
    /// Only merge requests into this target branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    target_branch: Option<String>,
    /// Only merge requests whose title or description contains this text.
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    /// Only merge requests created at or after this time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    created_after: Option<String>,
    /// Only merge requests updated at or after this time (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    updated_after: Option<String>,
    /// What to order by (default `created_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_by: Option<MergeRequestOrder>,
    /// `asc` or `desc` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<Sort>,
    /// Merge requests per page, 1 to 100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1: the `next_page` of the previous answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

fn list_merge_requests(input: ListMergeRequests, ctx: &Context) -> Result<Listed, Error> {
    check_labels("labels", &input.labels)?;
    let path = project(&input.project_id)? + "/merge_requests";
    Listed::from(api(ctx)?.get(&path).query(&input).send()?)
}

/// Input of `GITLAB_GET_MERGE_REQUEST`.
#[derive(Deserialize, JsonSchema)]
struct GetMergeRequest {
    /// The project's numeric id or full path (`group/project`).
    #[schemars(length(min = 1))]
    project_id: String,
    /// The merge request's number in the project (its `iid`, shown after `!`).
    #[schemars(range(min = 1))]
    merge_request_iid: u64,
    /// Also summarise the changed files (default `true`).
    #[serde(default = "yes")]
    include_changes: bool,
    /// Changed files per page of the summary, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    files_per_page: Option<u32>,
    /// Page of changed files, from 1: the `next_files_page` of the previous answer.
    #[schemars(range(min = 1))]
    files_page: Option<u32>,
    /// Characters of each file's unified diff to return, 0 to 20000 (default 2000); longer
    /// diffs are cut and marked `diff_truncated`.
    #[schemars(range(min = 0, max = 20000))]
    diff_chars: Option<u32>,
}

/// A merge request and a summary of what it changes.
#[derive(Serialize, JsonSchema)]
struct MergeRequestWithChanges {
    /// The merge request as GitLab returns it: title, description, state, source and target
    /// branch, author, assignees, reviewers, labels, `merge_status`, `changes_count`, SHAs and
    /// `web_url`.
    merge_request: Passthrough,
    /// The changed files (from `GET .../merge_requests/:iid/diffs`); `null` when
    /// `include_changes` is `false`.
    changes: Option<Changes>,
}

/// One page of a merge request's changed files.
#[derive(Serialize, JsonSchema)]
struct Changes {
    /// The files of this page, in GitLab's order.
    files: Vec<FileChange>,
    /// Lines added in the files of this page whose diff GitLab returned.
    additions: u64,
    /// Lines removed in the files of this page whose diff GitLab returned.
    deletions: u64,
    /// The `files_page` with the next changed files; `null` when this page is the last.
    next_files_page: Option<u32>,
    /// The cap on each file's `diff`, in characters.
    diff_chars: u32,
}

/// One changed file.
#[derive(Serialize, JsonSchema)]
struct FileChange {
    /// Path before the change.
    old_path: String,
    /// Path after the change (differs from `old_path` when renamed).
    new_path: String,
    /// `added`, `deleted`, `renamed` or `modified`.
    status: &'static str,
    /// Lines added, counted in the diff; `null` when GitLab sent no diff (too large, collapsed
    /// or binary).
    additions: Option<u64>,
    /// Lines removed, counted in the diff; `null` when GitLab sent no diff.
    deletions: Option<u64>,
    /// The unified diff's hunks (`@@ -1,3 +1,4 @@` and `+`/`-`/` ` lines), at most
    /// `diff_chars` characters.
    diff: String,
    /// Whether `diff` was cut at `diff_chars` characters.
    diff_truncated: bool,
    /// Whether GitLab left the diff out because it is too large or collapsed it.
    too_large: bool,
}

#[derive(Deserialize)]
struct GitlabDiff {
    old_path: String,
    new_path: String,
    #[serde(default)]
    diff: String,
    #[serde(default)]
    new_file: bool,
    #[serde(default)]
    renamed_file: bool,
    #[serde(default)]
    deleted_file: bool,
    #[serde(default)]
    too_large: Option<bool>,
    #[serde(default)]
    collapsed: Option<bool>,
}

fn file_change(diff: GitlabDiff, cap: usize) -> FileChange {
    let status = if diff.new_file {
        "added"
    } else if diff.deleted_file {
        "deleted"
    } else if diff.renamed_file {
        "renamed"
    } else {
        "modified"
    };
    let too_large = diff.too_large == Some(true) || diff.collapsed == Some(true);
    let counted = !diff.diff.is_empty() && !too_large;
    let (mut additions, mut deletions) = (0, 0);
    for line in diff.diff.lines() {
        if line.starts_with('+') && !line.starts_with("+++ ") {
            additions += 1;
        } else if line.starts_with('-') && !line.starts_with("--- ") {
            deletions += 1;
        }
    }
    let (text, diff_truncated) = match diff.diff.char_indices().nth(cap) {
        Some((end, _)) => (diff.diff[..end].to_string(), true),
        None => (diff.diff, false),
    };
    FileChange {
        old_path: diff.old_path,
        new_path: diff.new_path,
        status,
        additions: counted.then_some(additions),
        deletions: counted.then_some(deletions),
        diff: text,
        diff_truncated,
        too_large,
    }
}

fn get_merge_request(
    input: GetMergeRequest,
    ctx: &Context,
) -> Result<MergeRequestWithChanges, Error> {
    let api = api(ctx)?;
    let path = path_of(&input.project_id, "merge_requests", input.merge_request_iid)?;
    let merge_request: Passthrough = api.get(&path).send()?.json()?;
    if !input.include_changes {
        return Ok(MergeRequestWithChanges {
            merge_request,
            changes: None,
        });
    }
    let cap = input
        .diff_chars
        .map_or(DEFAULT_DIFF_CHARS, |c| (c as usize).min(MAX_DIFF_CHARS));
    let response = api
        .get(&(path + "/diffs"))
        .query(&[
            ("page", input.files_page.unwrap_or(1)),
            ("per_page", input.files_per_page.unwrap_or(20)),
        ])
        .send()?;
    let diffs: Vec<GitlabDiff> = response.json()?;
    let files: Vec<FileChange> = diffs.into_iter().map(|d| file_change(d, cap)).collect();
    Ok(MergeRequestWithChanges {
        merge_request,
        changes: Some(Changes {
            additions: files.iter().filter_map(|f| f.additions).sum(),
            deletions: files.iter().filter_map(|f| f.deletions).sum(),
            files,
            next_files_page: next_page(&response),
            diff_chars: cap as u32,
        }),
    })
}

/// Input of `GITLAB_CREATE_MERGE_REQUEST`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateMergeRequest {
    /// The project's numeric id or full path (`group/project`): where the source branch is
    /// (a fork, when `target_project_id` names its upstream).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// Branch with the changes; it must exist.
    #[schemars(length(min = 1))]
    source_branch: String,
    /// Branch to merge into, e.g. `main`.
    #[schemars(length(min = 1))]
    target_branch: String,
    /// Title of the merge request.
    #[schemars(length(min = 1, max = 255))]
    title: String,
    /// Open it as a draft (GitLab marks drafts by the title prefix `Draft:`, added here).
    /// Default `false`.
    #[serde(skip_serializing)]
    #[serde(default)]
    draft: bool,
    /// Description, in GitLab Flavored Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Label names to set.
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Numeric ids of the users to assign.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee_ids: Option<Vec<u64>>,
    /// Numeric ids of the users to ask for a review.
    #[serde(skip_serializing_if = "Option::is_none")]
    reviewer_ids: Option<Vec<u64>>,
    /// Numeric id of the milestone.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone_id: Option<u64>,
    /// Delete the source branch when the merge request is merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    remove_source_branch: Option<bool>,
    /// Squash the commits into one when merging.
    #[serde(skip_serializing_if = "Option::is_none")]
    squash: Option<bool>,
    /// Numeric id of the project to merge into, when it is not `project_id` (from a fork into
    /// its upstream).
    #[serde(skip_serializing_if = "Option::is_none")]
    target_project_id: Option<u64>,
    /// Let members who can merge into the target branch push to the source branch (forks).
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_collaboration: Option<bool>,
}

fn create_merge_request(
    mut input: CreateMergeRequest,
    ctx: &Context,
) -> Result<Passthrough, Error> {
    let title = not_blank("title", &input.title)?.to_string();
    not_blank("source_branch", &input.source_branch)?;
    not_blank("target_branch", &input.target_branch)?;
    check_labels("labels", &input.labels)?;
    let is_draft = ["draft:", "[draft]", "(draft)"]
        .iter()
        .any(|p| title.to_lowercase().starts_with(p));
    input.title = if input.draft && !is_draft {
        format!("Draft: {title}")
    } else {
        title
    };
    api(ctx)?
        .post(&(project(&input.project_id)? + "/merge_requests"))
        .json(&input)
        .send()?
        .json()
}

/// Input of `GITLAB_ADD_MERGE_REQUEST_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct MergeRequestComment {
    /// The project's numeric id or full path (`group/project`).
    #[schemars(length(min = 1))]
    project_id: String,
    /// The merge request's number in the project (its `iid`, shown after `!`).
    #[schemars(range(min = 1))]
    merge_request_iid: u64,
    /// The comment, in GitLab Flavored Markdown. Quick actions such as `/approve` in it are run
    /// by GitLab.
    #[schemars(length(min = 1))]
    body: String,
}

fn add_merge_request_comment(
    input: MergeRequestComment,
    ctx: &Context,
) -> Result<Passthrough, Error> {
    let body = not_blank("body", &input.body)?;
    let path = path_of(&input.project_id, "merge_requests", input.merge_request_iid)?;
    api(ctx)?
        .post(&(path + "/notes"))
        .json(&json!({ "body": body }))
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum PipelineScope {
    Running,
    Pending,
    Finished,
    Branches,
    Tags,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum PipelineStatus {
    Created,
    WaitingForResource,
    Preparing,
    Pending,
    Running,
    Success,
    Failed,
    Canceled,
    Skipped,
    Manual,
    Scheduled,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum PipelineSource {
    Push,
    Web,
    Trigger,
    Schedule,
    Api,
    External,
    Pipeline,
    Chat,
    Webide,
    MergeRequestEvent,
    ExternalPullRequestEvent,
    ParentPipeline,
    OndemandDastScan,
    OndemandDastValidation,
    SecurityOrchestrationPolicy,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum PipelineOrder {
    Id,
    Status,
    Ref,
    UpdatedAt,
    UserId,
}

/// Input of `GITLAB_LIST_PIPELINES`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct ListPipelines {
    /// The project's numeric id or full path (`group/project`).
    #[serde(skip_serializing)]
    #[schemars(length(min = 1))]
    project_id: String,
    /// `running`, `pending`, `finished` (done, whatever the result), `branches` or `tags`.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<PipelineScope>,
    /// Only pipelines with this status.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<PipelineStatus>,
    /// Only pipelines started this way (`push`, `merge_request_event`, `schedule`, `web`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<PipelineSource>,
    /// Only pipelines of this branch or tag.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    git_ref: Option<String>,
    /// Only pipelines of this commit SHA.
    #[serde(skip_serializing_if = "Option::is_none")]
    sha: Option<String>,
    /// Only pipelines started by the user with this username.
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    /// What to order by (default `id`, i.e. newest first with `sort` `desc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_by: Option<PipelineOrder>,
    /// `asc` or `desc` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<Sort>,
    /// Pipelines per page, 1 to 100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1: the `next_page` of the previous answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

fn list_pipelines(input: ListPipelines, ctx: &Context) -> Result<Listed, Error> {
    let path = project(&input.project_id)? + "/pipelines";
    Listed::from(api(ctx)?.get(&path).query(&input).send()?)
}

/// Checks the new credential with `GET /user` (a refused one is not stored) and labels the
/// account with the username, and the instance's host when it is not gitlab.com.
fn after_connect(ctx: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct User {
        username: Option<String>,
    }
    let user: User = api(ctx)?.get("/user").send()?.json()?;
    let Some(username) = user.username.filter(|u| !u.is_empty()) else {
        return Ok(ConnectedAccount::default());
    };
    let base = ctx.field("base_url")?.trim().trim_end_matches('/');
    Ok(if base.eq_ignore_ascii_case(GITLAB_COM) {
        ConnectedAccount::labelled(username)
    } else {
        let host = base.trim_start_matches("https://");
        ConnectedAccount::labelled(format!("{username} ({host})"))
    })
}

pub fn provider() -> Provider {
    Provider::new("gitlab", "GitLab")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Projects, issues, merge requests and pipelines on GitLab.com or a self-managed GitLab.")
        .categories(&["engineering", "developer_tools"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://gitlab.com/oauth/authorize", "https://gitlab.com/oauth/token")
                .revoke_url("https://gitlab.com/oauth/revoke")
                .scopes(WRITE),
        ))
        .alternative_auth(Auth::ApiKey(ApiKey::header("PRIVATE-TOKEN")))
        .field(
            Field::user(
                "base_url",
                "Your GitLab's address, e.g. https://gitlab.example.com for a self-managed instance (https, no path). Default: https://gitlab.com.",
            )
            .pattern(BASE_URL_PATTERN)
            .default(GITLAB_COM),
        )
        .origin("{base_url}")
        .after_connect(after_connect)
        .action(Action::new(
            "GITLAB_LIST_PROJECTS",
            "List GitLab projects the user is a member of (or can see, with `membership: false`), newest first, filtered by name, ownership, stars, visibility or role. Use to find a project's id or path before acting on it. Returns `items` (short project records unless `simple` is false) and `next_cursor`: pass it as `cursor` for more (null on the last page).",
            list_projects,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GITLAB_GET_PROJECT",
            "Get one GitLab project by numeric id or full path (`group/sub/project`): name, description, default branch, visibility, URLs, open issue count, permissions and feature settings.",
            get_project,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GITLAB_LIST_ISSUES",
            "List issues of a GitLab project (or, without `project_id`, of every project the user can see), filtered by state, labels, milestone, author, assignee, text or dates. Returns `items` (issues with `iid`, title, state, labels, assignees, `web_url`) and `next_page`: pass it as `page` for more (null on the last page).",
            list_issues,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GITLAB_CREATE_ISSUE",
            "Create an issue in a GitLab project, with an optional description, labels, assignees, milestone and due date. Returns the created issue with its `iid` and `web_url`.",
            create_issue,
        ).scopes(WRITE))
        .action(Action::new(
            "GITLAB_UPDATE_ISSUE",
            "Change an existing GitLab issue: title, description, labels (replace, add or remove), assignees, milestone, due date, confidentiality, or close/reopen it with `state_event`. Only the fields given change. Returns the updated issue.",
            update_issue,
        ).idempotent().scopes(WRITE))
        .action(Action::new(
            "GITLAB_ADD_ISSUE_COMMENT",
            "Add a comment (a note) to a GitLab issue. Returns the created note with its id.",
            add_issue_comment,
        ).scopes(WRITE))
        .action(Action::new(
            "GITLAB_LIST_MERGE_REQUESTS",
            "List merge requests of a GitLab project, filtered by state, labels, milestone, author, assignee, branches, text or dates. Returns `items` (merge requests with `iid`, title, state, branches, author, `web_url`) and `next_page`: pass it as `page` for more (null on the last page).",
            list_merge_requests,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GITLAB_GET_MERGE_REQUEST",
            "Get one GitLab merge request by its `iid` with a summary of its changes: each changed file's paths, status, lines added and removed, and its diff cut at `diff_chars` characters. Use to review what a merge request changes. Changed files come a page at a time: `changes.next_files_page` is the `files_page` for more (null on the last page).",
            get_merge_request,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GITLAB_CREATE_MERGE_REQUEST",
            "Open a GitLab merge request from `source_branch` into `target_branch` (both must exist), optionally as a draft, with description, labels, assignees, reviewers and merge options. Returns the created merge request with its `iid` and `web_url`.",
            create_merge_request,
        ).scopes(WRITE))
        .action(Action::new(
            "GITLAB_ADD_MERGE_REQUEST_COMMENT",
            "Add a comment (a note) to a GitLab merge request's discussion. Returns the created note with its id.",
            add_merge_request_comment,
        ).scopes(WRITE))
        .action(Action::new(
            "GITLAB_LIST_PIPELINES",
            "List CI/CD pipelines of a GitLab project, newest first, filtered by status, scope, branch or tag, commit, source or user. Returns `items` (pipelines with id, status, ref, sha, source, `web_url`, times) and `next_page`: pass it as `page` for more (null on the last page).",
            list_pipelines,
        ).read_only().any_scope(READ))
}

actionhost_sdk::export_provider!(provider);
