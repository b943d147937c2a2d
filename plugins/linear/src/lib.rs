//! Linear provider: teams, issues, comments, projects, workflow states, labels and users through
//! Linear's GraphQL API (<https://linear.app/developers/graphql>), one origin and one endpoint,
//! `POST https://api.linear.app/graphql`. An account connects with OAuth 2 (PKCE, comma-separated
//! scopes) or a personal API key; both reach the same endpoint, so no action depends on which.
//!
//! Every document below is a named operation written out as a constant, so a reader (and the
//! validating stand-in) sees exactly what is asked for. Single objects come back as Linear sends
//! them; lists come back as `{items, next_cursor}` pages, `next_cursor` being the connection's
//! `pageInfo.endCursor` when `hasNextPage`. Linear reports failures in `errors[]`, with HTTP 200
//! or 400 alike; [`linear_errors`] maps them to the contract's errors by `extensions.code` and
//! `extensions.type`, and takes a rate limit's delay from Linear's reset headers.

use std::collections::BTreeMap;

use actionhost_sdk::http::Passthrough;
use actionhost_sdk::paginate::{Limits, Page, Paged, collect};
use actionhost_sdk::prelude::*;
use serde::de::DeserializeOwned;

/// Linear's API: one GraphQL endpoint. The host sends the credential in `Authorization`.
fn api() -> Api {
    Api::new("https://api.linear.app").errors(linear_errors)
}

/// Runs one operation and decodes its `data`.
fn graphql<V: Serialize, T: DeserializeOwned>(document: &str, variables: &V) -> Result<T, Error> {
    api().graphql("/graphql", document, variables)
}

// ---- Errors ----------------------------------------------------------------------------------

/// One entry of Linear's `errors[]`: `message`, and in `extensions` a `code`
/// (`AUTHENTICATION_ERROR`, `RATELIMITED`, `INPUT_ERROR`, ...), a lower-case `type`
/// (`authentication error`, `ratelimited`, `invalid input`, ...) and a sentence for people.
#[derive(Deserialize)]
struct LinearError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Extensions,
}

#[derive(Deserialize, Default)]
struct Extensions {
    code: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "userPresentableMessage")]
    user_message: Option<String>,
}

/// Linear's envelope: the first entry of `errors[]` decides, whatever the HTTP status. A missing
/// object is `Entity not found: <Type>` (type `invalid input`), so it is checked before invalid
/// input. Anything else stays an upstream error with Linear's message.
fn linear_errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        errors: Vec<LinearError>,
    }
    let first = response
        .json::<Envelope>()
        .ok()?
        .errors
        .into_iter()
        .next()?;
    let code = first.extensions.code.as_deref().unwrap_or_default();
    let kind = first.extensions.kind.as_deref().unwrap_or_default();
    let message = match first.extensions.user_message {
        Some(said) if !said.is_empty() && said != first.message => {
            format!("{} ({said})", first.message)
        }
        _ => first.message.clone(),
    };
    Some(
        if first.message.starts_with("Entity not found") || code == "ENTITY_NOT_FOUND" {
            Error::not_found(message)
        } else if code == "AUTHENTICATION_ERROR"
            || kind.eq_ignore_ascii_case("authentication error")
        {
            Error::unauthorized(message)
        } else if code == "RATELIMITED" || kind.eq_ignore_ascii_case("ratelimited") {
            Error::rate_limited(message, retry_after(response))
        } else if code == "INPUT_ERROR"
            || code == "INVALID_INPUT"
            || kind.eq_ignore_ascii_case("invalid input")
        {
            Error::invalid_input(message)
        } else {
            response.upstream_error(message)
        },
    )
}

/// Linear's budgets, each with `X-RateLimit-<budget>-Remaining` and `-Reset` headers.
const BUDGETS: &[&str] = &["requests", "complexity", "endpoint-requests"];

/// Seconds until a rate-limited request may be retried: `Retry-After` when sent, else the latest
/// reset (UTC epoch milliseconds) of the budgets that are spent (of every budget sent when none
/// says it is spent), at least one second.
fn retry_after(response: &Response) -> Option<u32> {
    if let Some(seconds) = response.seconds("retry-after") {
        return Some(seconds);
    }
    let resets: Vec<(bool, u64)> = BUDGETS
        .iter()
        .filter_map(|budget| {
            let reset = response
                .header(&format!("x-ratelimit-{budget}-reset"))?
                .trim()
                .parse::<u64>()
                .ok()?;
            let spent = response
                .header(&format!("x-ratelimit-{budget}-remaining"))
                .and_then(|r| r.trim().parse::<i64>().ok())
                .is_some_and(|remaining| remaining <= 0);
            Some((spent, reset))
        })
        .collect();
    let any_spent = resets.iter().any(|(spent, _)| *spent);
    let reset = resets
        .iter()
        .filter(|(spent, _)| *spent || !any_spent)
        .map(|(_, reset)| *reset)
        .max()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    let wait = u128::from(reset).saturating_sub(now).div_ceil(1000).max(1);
    u32::try_from(wait).ok()
}

// ---- Shared shapes ---------------------------------------------------------------------------

/// Page sizes: Linear's connections take `first`; 50 is its default, 100 keeps a page of issues
/// well under its per-query complexity limit.
const DEFAULT_PAGE: u32 = 50;

/// A connection's page, as every list document asks for it.
#[derive(Deserialize)]
struct Connection {
    nodes: Vec<Passthrough>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "hasNextPage")]
    has_next_page: bool,
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
}

/// Variables every list document takes.
#[derive(Serialize)]
struct Window {
    first: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

/// Runs a list document whose only root field is a connection, for the page after `cursor`;
/// `variables` gets the page window.
fn list<V: Serialize>(
    document: &str,
    cursor: Option<String>,
    first: Option<u32>,
    variables: impl Fn(Window) -> V,
) -> Result<Paged<Passthrough>, Error> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    collect(cursor, Limits::pages(1), |after| {
        let window = Window {
            first,
            after: after.map(str::to_string),
        };
        let data: BTreeMap<String, Connection> = graphql(document, &variables(window))?;
        let connection = data
            .into_values()
            .next()
            .ok_or_else(|| Error::internal("the GraphQL answer has no connection"))?;
        let next = connection
            .page_info
            .has_next_page
            .then_some(connection.page_info.end_cursor)
            .flatten();
        Ok(Page::new(connection.nodes, next))
    })
}

/// Linear's ids are UUIDs; teams also have a short key (`ENG`) that people and models use.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A team filter from a team's id or key.
fn team_filter(team: &str) -> Value {
    let team = team.trim();
    if is_uuid(team) {
        json!({"id": {"eq": team}})
    } else {
        json!({"key": {"eqIgnoreCase": team}})
    }
}

/// Linear's priorities, sent as the integers Linear uses (0 none, 1 urgent ... 4 low).
#[derive(Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Priority {
    None,
    Urgent,
    High,
    Medium,
    Low,
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.number())
    }
}

impl Priority {
    fn number(self) -> u8 {
        match self {
            Priority::None => 0,
            Priority::Urgent => 1,
            Priority::High => 2,
            Priority::Medium => 3,
            Priority::Low => 4,
        }
    }
}

/// The kinds of workflow state every Linear team has.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum StateType {
    Triage,
    Backlog,
    Unstarted,
    Started,
    Completed,
    Canceled,
}

/// Reads a field that may be given as `null` (to clear it) or left out (to keep it) apart:
/// `Some(None)` is an explicit `null`.
fn explicit<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

// ---- Documents -------------------------------------------------------------------------------

/// What a listed issue carries: enough to choose one and act on it, not its description.
macro_rules! issue_summary {
    () => {
        "id identifier title priority priorityLabel url dueDate estimate createdAt updatedAt \
         state { id name type } assignee { id name email } team { id key name } \
         project { id name } labels(first: 25) { nodes { id name } }"
    };
}

/// What a single issue carries: the summary, its Markdown description, parent, sub-issues and
/// latest comments.
macro_rules! issue_detail {
    () => {
        concat!(
            issue_summary!(),
            " description branchName creator { id name } cycle { id number name } \
             parent { id identifier title } children(first: 50) { nodes { id identifier title state { name type } } } \
             comments(first: 50) { nodes { id body createdAt user { id name } } }"
        )
    };
}

/// A page of `after` the cursor.
macro_rules! page_info {
    () => {
        "pageInfo { hasNextPage endCursor }"
    };
}

const VIEWER: &str = "query Viewer { viewer { id name email } organization { name urlKey } }";

const TEAMS: &str = concat!(
    "query Teams($first: Int, $after: String, $filter: TeamFilter) { ",
    "teams(first: $first, after: $after, filter: $filter) { ",
    "nodes { id key name description private timezone issueCount } ",
    page_info!(),
    " } }"
);

const ISSUES: &str = concat!(
    "query Issues($first: Int, $after: String, $filter: IssueFilter, $includeArchived: Boolean) { ",
    "issues(first: $first, after: $after, filter: $filter, includeArchived: $includeArchived, orderBy: updatedAt) { ",
    "nodes { ",
    issue_summary!(),
    " } ",
    page_info!(),
    " } }"
);

const SEARCH_ISSUES: &str = concat!(
    "query SearchIssues($term: String!, $first: Int, $after: String, $filter: IssueFilter, $includeArchived: Boolean, $includeComments: Boolean) { ",
    "searchIssues(term: $term, first: $first, after: $after, filter: $filter, includeArchived: $includeArchived, includeComments: $includeComments) { ",
    "nodes { ",
    issue_summary!(),
    " } ",
    page_info!(),
    " } }"
);

const ISSUE: &str = concat!(
    "query Issue($id: String!) { issue(id: $id) { ",
    issue_detail!(),
    " } }"
);

const ISSUE_ID: &str = "query IssueId($id: String!) { issue(id: $id) { id } }";

const CREATE_ISSUE: &str = concat!(
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { ",
    issue_detail!(),
    " } } }"
);

const UPDATE_ISSUE: &str = concat!(
    "mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success issue { ",
    issue_detail!(),
    " } } }"
);

const CREATE_COMMENT: &str = "mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id body url createdAt user { id name } issue { id identifier } parent { id } } } }";

/// What a project carries, listed or created.
macro_rules! project_fields {
    () => {
        "id name description url priority progress startDate targetDate createdAt updatedAt \
         status { id name type } lead { id name } teams(first: 25) { nodes { id key name } }"
    };
}

const PROJECTS: &str = concat!(
    "query Projects($first: Int, $after: String, $filter: ProjectFilter, $includeArchived: Boolean) { ",
    "projects(first: $first, after: $after, filter: $filter, includeArchived: $includeArchived, orderBy: updatedAt) { ",
    "nodes { ",
    project_fields!(),
    " } ",
    page_info!(),
    " } }"
);

const CREATE_PROJECT: &str = concat!(
    "mutation ProjectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) { success project { ",
    project_fields!(),
    " } } }"
);

const WORKFLOW_STATES: &str = concat!(
    "query WorkflowStates($first: Int, $after: String, $filter: WorkflowStateFilter) { ",
    "workflowStates(first: $first, after: $after, filter: $filter) { ",
    "nodes { id name type color position description team { id key name } } ",
    page_info!(),
    " } }"
);

const LABELS: &str = concat!(
    "query IssueLabels($first: Int, $after: String, $filter: IssueLabelFilter) { ",
    "issueLabels(first: $first, after: $after, filter: $filter) { ",
    "nodes { id name description color isGroup parent { id name } team { id key name } } ",
    page_info!(),
    " } }"
);

const USERS: &str = concat!(
    "query Users($first: Int, $after: String, $filter: UserFilter, $includeDisabled: Boolean) { ",
    "users(first: $first, after: $after, filter: $filter, includeDisabled: $includeDisabled) { ",
    "nodes { id name displayName email active admin guest isMe timezone } ",
    page_info!(),
    " } }"
);

/// The teams the describe step offers for `team_id` (a bounded list: the first 50).
const DESCRIBE_TEAMS: &str = "query CreateIssueTeams { teams(first: 50) { nodes { id key name } pageInfo { hasNextPage } } }";

/// Every document the plugin sends, for tests that check them against Linear's schema.
pub const DOCUMENTS: &[&str] = &[
    VIEWER,
    TEAMS,
    ISSUES,
    SEARCH_ISSUES,
    ISSUE,
    ISSUE_ID,
    CREATE_ISSUE,
    UPDATE_ISSUE,
    CREATE_COMMENT,
    PROJECTS,
    CREATE_PROJECT,
    WORKFLOW_STATES,
    LABELS,
    USERS,
    DESCRIBE_TEAMS,
];

// ---- Teams -----------------------------------------------------------------------------------

/// Input of `LINEAR_LIST_TEAMS`.
#[derive(Deserialize, JsonSchema)]
struct ListTeams {
    /// Only teams whose name contains this text (case-insensitive).
    name: Option<String>,
    /// Teams per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the teams after it.
    cursor: Option<String>,
}

#[derive(Serialize)]
struct FilteredWindow {
    #[serde(flatten)]
    window: Window,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<Value>,
    #[serde(rename = "includeArchived", skip_serializing_if = "Option::is_none")]
    include_archived: Option<bool>,
}

fn list_teams(input: ListTeams, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let filter = input
        .name
        .map(|name| json!({"name": {"containsIgnoreCase": name}}));
    list(TEAMS, input.cursor, input.first, |window| FilteredWindow {
        window,
        filter: filter.clone(),
        include_archived: None,
    })
}

// ---- Issues ----------------------------------------------------------------------------------

/// Input of `LINEAR_SEARCH_ISSUES`.
#[derive(Deserialize, JsonSchema)]
struct SearchIssues {
    /// Words to search for in issue titles and descriptions (full-text, ranked by relevance).
    /// Leave out to list the issues matching the filters, most recently updated first.
    query: Option<String>,
    /// With `query`: also search the issues' comments.
    include_comments: Option<bool>,
    /// Only issues of this team: its key (`ENG`) or id.
    team: Option<String>,
    /// Only issues in the workflow state of this name, e.g. `In Progress` (case-insensitive).
    state: Option<String>,
    /// Only issues whose workflow state is of this type (e.g. `started` for everything in
    /// progress, whatever each team calls it).
    state_type: Option<StateType>,
    /// Only issues assigned to this user: `me` for the connected user, an e-mail address, a user
    /// id, or `none` for unassigned issues.
    assignee: Option<String>,
    /// Only issues with a label of this name (case-insensitive).
    label: Option<String>,
    /// Only issues of this priority.
    priority: Option<Priority>,
    /// Also return archived issues (default false).
    include_archived: Option<bool>,
    /// Issues per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the issues after it (same query and filters).
    cursor: Option<String>,
}

/// The `IssueFilter` for the filters given, `None` without any.
fn issue_filter(input: &SearchIssues) -> Option<Value> {
    let mut filter = serde_json::Map::new();
    if let Some(team) = &input.team {
        filter.insert("team".into(), team_filter(team));
    }
    let mut state = serde_json::Map::new();
    if let Some(name) = &input.state {
        state.insert("name".into(), json!({"eqIgnoreCase": name}));
    }
    if let Some(kind) = input.state_type {
        state.insert("type".into(), json!({"eq": kind}));
    }
    if !state.is_empty() {
        filter.insert("state".into(), Value::Object(state));
    }
    if let Some(assignee) = &input.assignee {
        let assignee = assignee.trim();
        let user = if assignee.eq_ignore_ascii_case("me") {
            json!({"isMe": {"eq": true}})
        } else if assignee.eq_ignore_ascii_case("none") {
            json!({"null": true})
        } else if assignee.contains('@') {
            json!({"email": {"eqIgnoreCase": assignee}})
        } else {
            json!({"id": {"eq": assignee}})
        };
        filter.insert("assignee".into(), user);
    }
    if let Some(label) = &input.label {
        filter.insert(
            "labels".into(),
            json!({"some": {"name": {"eqIgnoreCase": label}}}),
        );
    }
    if let Some(priority) = input.priority {
        filter.insert("priority".into(), json!({"eq": priority.number()}));
    }
    (!filter.is_empty()).then_some(Value::Object(filter))
}

#[derive(Serialize)]
struct SearchVariables<'a> {
    term: &'a str,
    #[serde(flatten)]
    window: FilteredWindow,
    #[serde(rename = "includeComments", skip_serializing_if = "Option::is_none")]
    include_comments: Option<bool>,
}

fn search_issues(input: SearchIssues, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let filter = issue_filter(&input);
    let windowed = |window| FilteredWindow {
        window,
        filter: filter.clone(),
        include_archived: input.include_archived,
    };
    match input.query.as_deref().map(str::trim) {
        Some(term) if !term.is_empty() => {
            list(SEARCH_ISSUES, input.cursor.clone(), input.first, |window| {
                SearchVariables {
                    term,
                    window: windowed(window),
                    include_comments: input.include_comments,
                }
            })
        }
        _ => list(ISSUES, input.cursor.clone(), input.first, windowed),
    }
}

/// Input of `LINEAR_GET_ISSUE`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct GetIssue {
    /// The issue's identifier as people write it (`ENG-123`) or its id (a UUID).
    id: String,
}

fn get_issue(input: GetIssue, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        issue: Passthrough,
    }
    Ok(graphql::<_, Data>(ISSUE, &input)?.issue)
}

/// Input of `LINEAR_CREATE_ISSUE`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateIssue {
    /// Id (UUID) of the team the issue belongs to, from LINEAR_LIST_TEAMS.
    #[serde(rename(serialize = "teamId"))]
    team_id: String,
    /// Title of the issue.
    #[schemars(length(min = 1))]
    title: String,
    /// Body of the issue, in Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Id of the user to assign, from LINEAR_LIST_USERS (unassigned by default).
    #[serde(
        rename(serialize = "assigneeId"),
        skip_serializing_if = "Option::is_none"
    )]
    assignee_id: Option<String>,
    /// Id of the workflow state to start in, from LINEAR_LIST_WORKFLOW_STATES (a state of the
    /// same team; default: the team's first Backlog or Triage state).
    #[serde(rename(serialize = "stateId"), skip_serializing_if = "Option::is_none")]
    state_id: Option<String>,
    /// Priority (default none).
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    /// Ids of labels to attach, from LINEAR_LIST_LABELS.
    #[serde(
        rename(serialize = "labelIds"),
        skip_serializing_if = "Option::is_none"
    )]
    label_ids: Option<Vec<String>>,
    /// Id of the project to add the issue to, from LINEAR_LIST_PROJECTS.
    #[serde(
        rename(serialize = "projectId"),
        skip_serializing_if = "Option::is_none"
    )]
    project_id: Option<String>,
    /// Id (UUID) of the parent issue, to create this one as its sub-issue.
    #[serde(
        rename(serialize = "parentId"),
        skip_serializing_if = "Option::is_none"
    )]
    parent_id: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(rename(serialize = "dueDate"), skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    due_date: Option<String>,
    /// Estimate in the team's estimation points.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<u32>,
}

#[derive(Serialize)]
struct Input<T> {
    input: T,
}

/// The `issue` of an `IssuePayload`.
#[derive(Deserialize)]
struct IssuePayload {
    issue: Option<Passthrough>,
}

fn payload_issue(payload: IssuePayload) -> Result<Passthrough, Error> {
    payload
        .issue
        .ok_or_else(|| Error::internal("Linear answered success without the issue"))
}

fn create_issue(input: CreateIssue, _: &Context) -> Result<Passthrough, Error> {
    if input.title.trim().is_empty() {
        return Err(Error::invalid_input("`title` must not be blank"));
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "issueCreate")]
        created: IssuePayload,
    }
    payload_issue(graphql::<_, Data>(CREATE_ISSUE, &Input { input })?.created)
}

/// Lets the model choose `team_id` among the user's teams: an `enum` of their ids, described by
/// key and name. Only when the list is complete (at most 50 teams); with more, the schema stays
/// as it is and LINEAR_LIST_TEAMS finds the id.
fn describe_create_issue(mut schema: Value, _: &Context) -> Result<Value, Error> {
    #[derive(Deserialize)]
    struct Team {
        id: String,
        key: String,
        name: String,
    }
    #[derive(Deserialize)]
    struct Teams {
        nodes: Vec<Team>,
        #[serde(rename = "pageInfo")]
        page_info: PageInfo,
    }
    #[derive(Deserialize)]
    struct PageInfo {
        #[serde(rename = "hasNextPage")]
        has_next_page: bool,
    }
    #[derive(Deserialize)]
    struct Data {
        teams: Teams,
    }
    let teams = graphql::<_, Data>(DESCRIBE_TEAMS, &json!({}))?.teams;
    if teams.page_info.has_next_page || teams.nodes.is_empty() {
        return Ok(schema);
    }
    let listed: Vec<String> = teams
        .nodes
        .iter()
        .map(|team| format!("`{}` = {} ({})", team.id, team.key, team.name))
        .collect();
    let property = &mut schema["properties"]["team_id"];
    property["enum"] = teams.nodes.iter().map(|team| json!(team.id)).collect();
    property["description"] = json!(format!(
        "Id of the team the issue belongs to: {}.",
        listed.join("; ")
    ));
    Ok(schema)
}

/// Input of `LINEAR_UPDATE_ISSUE`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct UpdateIssue {
    /// The issue's identifier (`ENG-123`) or id (a UUID).
    #[serde(skip_serializing)]
    id: String,
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    /// New body, in Markdown (replaces the whole description).
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Id of the user to assign, from LINEAR_LIST_USERS; `null` to unassign.
    #[serde(
        rename(serialize = "assigneeId"),
        default,
        deserialize_with = "explicit",
        skip_serializing_if = "Option::is_none"
    )]
    assignee_id: Option<Option<String>>,
    /// Id of the workflow state to move the issue to, from LINEAR_LIST_WORKFLOW_STATES.
    #[serde(rename(serialize = "stateId"), skip_serializing_if = "Option::is_none")]
    state_id: Option<String>,
    /// New priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    /// Ids of the labels the issue should have, replacing all of its labels.
    #[serde(
        rename(serialize = "labelIds"),
        skip_serializing_if = "Option::is_none"
    )]
    label_ids: Option<Vec<String>>,
    /// Ids of labels to add, keeping the others.
    #[serde(
        rename(serialize = "addedLabelIds"),
        skip_serializing_if = "Option::is_none"
    )]
    add_label_ids: Option<Vec<String>>,
    /// Ids of labels to remove, keeping the others.
    #[serde(
        rename(serialize = "removedLabelIds"),
        skip_serializing_if = "Option::is_none"
    )]
    remove_label_ids: Option<Vec<String>>,
    /// Id of the project to move the issue to; `null` to take it out of its project.
    #[serde(
        rename(serialize = "projectId"),
        default,
        deserialize_with = "explicit",
        skip_serializing_if = "Option::is_none"
    )]
    project_id: Option<Option<String>>,
    /// Id (UUID) of the new parent issue; `null` to make it a top-level issue.
    #[serde(
        rename(serialize = "parentId"),
        default,
        deserialize_with = "explicit",
        skip_serializing_if = "Option::is_none"
    )]
    parent_id: Option<Option<String>>,
    /// Due date, `YYYY-MM-DD`; `null` to clear it.
    #[serde(
        rename(serialize = "dueDate"),
        default,
        deserialize_with = "explicit",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date"))]
    due_date: Option<Option<String>>,
    /// Estimate in the team's estimation points.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<u32>,
    /// Id of the team to move the issue to (its state must then be one of that team's).
    #[serde(rename(serialize = "teamId"), skip_serializing_if = "Option::is_none")]
    team_id: Option<String>,
}

fn update_issue(input: UpdateIssue, _: &Context) -> Result<Passthrough, Error> {
    let changes = serde_json::to_value(&input)?;
    if changes.as_object().is_none_or(|fields| fields.is_empty()) {
        return Err(Error::invalid_input(
            "give at least one field to change besides `id`",
        ));
    }
    #[derive(Serialize)]
    struct Variables<'a> {
        id: &'a str,
        input: Value,
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "issueUpdate")]
        updated: IssuePayload,
    }
    let variables = Variables {
        id: &input.id,
        input: changes,
    };
    payload_issue(graphql::<_, Data>(UPDATE_ISSUE, &variables)?.updated)
}

// ---- Comments --------------------------------------------------------------------------------

/// Input of `LINEAR_ADD_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct AddComment {
    /// The issue to comment on: its identifier (`ENG-123`) or id (a UUID).
    issue_id: String,
    /// The comment, in Markdown.
    #[schemars(length(min = 1))]
    body: String,
    /// Id of a comment to reply to, in its thread.
    parent_id: Option<String>,
}

fn add_comment(input: AddComment, _: &Context) -> Result<Passthrough, Error> {
    if input.body.trim().is_empty() {
        return Err(Error::invalid_input("`body` must not be blank"));
    }
    // `commentCreate` takes the issue's UUID; an identifier is looked up first.
    let issue_id = if is_uuid(input.issue_id.trim()) {
        input.issue_id.trim().to_string()
    } else {
        #[derive(Deserialize)]
        struct Found {
            id: String,
        }
        #[derive(Deserialize)]
        struct Data {
            issue: Found,
        }
        graphql::<_, Data>(ISSUE_ID, &json!({"id": input.issue_id.trim()}))?
            .issue
            .id
    };
    #[derive(Serialize)]
    struct NewComment {
        #[serde(rename = "issueId")]
        issue_id: String,
        body: String,
        #[serde(rename = "parentId", skip_serializing_if = "Option::is_none")]
        parent_id: Option<String>,
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "commentCreate")]
        created: CommentPayload,
    }
    #[derive(Deserialize)]
    struct CommentPayload {
        comment: Passthrough,
    }
    let input = NewComment {
        issue_id,
        body: input.body,
        parent_id: input.parent_id,
    };
    Ok(graphql::<_, Data>(CREATE_COMMENT, &Input { input })?
        .created
        .comment)
}

// ---- Projects --------------------------------------------------------------------------------

/// Input of `LINEAR_LIST_PROJECTS`.
#[derive(Deserialize, JsonSchema)]
struct ListProjects {
    /// Only projects of this team: its key (`ENG`) or id.
    team: Option<String>,
    /// Only projects whose name contains this text (case-insensitive).
    name: Option<String>,
    /// Also return archived projects (default false).
    include_archived: Option<bool>,
    /// Projects per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the projects after it.
    cursor: Option<String>,
}

fn list_projects(input: ListProjects, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let mut filter = serde_json::Map::new();
    if let Some(team) = &input.team {
        filter.insert("accessibleTeams".into(), json!({"some": team_filter(team)}));
    }
    if let Some(name) = &input.name {
        filter.insert("name".into(), json!({"containsIgnoreCase": name}));
    }
    let filter = (!filter.is_empty()).then_some(Value::Object(filter));
    list(PROJECTS, input.cursor, input.first, |window| {
        FilteredWindow {
            window,
            filter: filter.clone(),
            include_archived: input.include_archived,
        }
    })
}

/// Input of `LINEAR_CREATE_PROJECT`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateProject {
    /// Name of the project.
    #[schemars(length(min = 1))]
    name: String,
    /// Ids of the teams the project belongs to (at least one), from LINEAR_LIST_TEAMS.
    #[serde(rename(serialize = "teamIds"))]
    #[schemars(length(min = 1))]
    team_ids: Vec<String>,
    /// One-line summary shown under the name (plain text, at most 255 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    description: Option<String>,
    /// The project's document: goals, scope, plan, in Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    /// Id of the user who leads the project, from LINEAR_LIST_USERS.
    #[serde(rename(serialize = "leadId"), skip_serializing_if = "Option::is_none")]
    lead_id: Option<String>,
    /// Ids of the project's members, from LINEAR_LIST_USERS.
    #[serde(
        rename(serialize = "memberIds"),
        skip_serializing_if = "Option::is_none"
    )]
    member_ids: Option<Vec<String>>,
    /// Planned start, `YYYY-MM-DD`.
    #[serde(
        rename(serialize = "startDate"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date"))]
    start_date: Option<String>,
    /// Target completion date, `YYYY-MM-DD`.
    #[serde(
        rename(serialize = "targetDate"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date"))]
    target_date: Option<String>,
    /// Priority (default none).
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
}

fn create_project(input: CreateProject, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    if input.team_ids.is_empty() {
        return Err(Error::invalid_input("`team_ids` needs at least one team"));
    }
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "projectCreate")]
        created: ProjectPayload,
    }
    #[derive(Deserialize)]
    struct ProjectPayload {
        project: Passthrough,
    }
    Ok(graphql::<_, Data>(CREATE_PROJECT, &Input { input })?
        .created
        .project)
}

// ---- Workflow states, labels, users ----------------------------------------------------------

/// Input of `LINEAR_LIST_WORKFLOW_STATES`.
#[derive(Deserialize, JsonSchema)]
struct ListWorkflowStates {
    /// Only the states of this team: its key (`ENG`) or id. Each team has its own states.
    team: Option<String>,
    /// Only states of this type.
    #[serde(rename = "type")]
    state_type: Option<StateType>,
    /// States per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the states after it.
    cursor: Option<String>,
}

fn list_workflow_states(
    input: ListWorkflowStates,
    _: &Context,
) -> Result<Paged<Passthrough>, Error> {
    let mut filter = serde_json::Map::new();
    if let Some(team) = &input.team {
        filter.insert("team".into(), team_filter(team));
    }
    if let Some(kind) = input.state_type {
        filter.insert("type".into(), json!({"eq": kind}));
    }
    let filter = (!filter.is_empty()).then_some(Value::Object(filter));
    list(WORKFLOW_STATES, input.cursor, input.first, |window| {
        FilteredWindow {
            window,
            filter: filter.clone(),
            include_archived: None,
        }
    })
}

/// Input of `LINEAR_LIST_LABELS`.
#[derive(Deserialize, JsonSchema)]
struct ListLabels {
    /// Only labels usable in this team (its own and the workspace's): its key (`ENG`) or id.
    team: Option<String>,
    /// Only labels whose name contains this text (case-insensitive).
    name: Option<String>,
    /// Labels per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the labels after it.
    cursor: Option<String>,
}

fn list_labels(input: ListLabels, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let mut filter = serde_json::Map::new();
    if let Some(team) = &input.team {
        // Workspace labels have no team and can be used in every team.
        filter.insert(
            "or".into(),
            json!([{"team": team_filter(team)}, {"team": {"null": true}}]),
        );
    }
    if let Some(name) = &input.name {
        filter.insert("name".into(), json!({"containsIgnoreCase": name}));
    }
    let filter = (!filter.is_empty()).then_some(Value::Object(filter));
    list(LABELS, input.cursor, input.first, |window| FilteredWindow {
        window,
        filter: filter.clone(),
        include_archived: None,
    })
}

/// Input of `LINEAR_LIST_USERS`.
#[derive(Deserialize, JsonSchema)]
struct ListUsers {
    /// Only users whose name, display name or e-mail contains this text (case-insensitive).
    query: Option<String>,
    /// Also return deactivated users (default false).
    include_disabled: Option<bool>,
    /// Users per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    first: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the users after it.
    cursor: Option<String>,
}

fn list_users(input: ListUsers, _: &Context) -> Result<Paged<Passthrough>, Error> {
    #[derive(Serialize)]
    struct Variables {
        #[serde(flatten)]
        window: FilteredWindow,
        #[serde(rename = "includeDisabled", skip_serializing_if = "Option::is_none")]
        include_disabled: Option<bool>,
    }
    let filter = input.query.as_deref().map(|text| {
        let contains = json!({"containsIgnoreCase": text});
        json!({"or": [{"name": contains}, {"displayName": contains}, {"email": contains}]})
    });
    list(USERS, input.cursor, input.first, |window| Variables {
        window: FilteredWindow {
            window,
            filter: filter.clone(),
            include_archived: None,
        },
        include_disabled: input.include_disabled,
    })
}

// ---- Provider --------------------------------------------------------------------------------

/// Checks the new credential with `viewer` (Linear refuses a bad one with
/// `AUTHENTICATION_ERROR`) and labels the account `email (workspace)`.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Viewer {
        name: Option<String>,
        email: Option<String>,
    }
    #[derive(Deserialize)]
    struct Organization {
        name: Option<String>,
    }
    #[derive(Deserialize)]
    struct Data {
        viewer: Viewer,
        organization: Option<Organization>,
    }
    let data: Data = graphql(VIEWER, &json!({}))?;
    let who = data.viewer.email.or(data.viewer.name);
    let workspace = data.organization.and_then(|o| o.name);
    Ok(match (who, workspace) {
        (Some(who), Some(workspace)) => ConnectedAccount::labelled(format!("{who} ({workspace})")),
        (Some(who), None) => ConnectedAccount::labelled(who),
        _ => ConnectedAccount::default(),
    })
}

/// Reading anything needs `read`; `write` covers every change, and Linear's narrower
/// `issues:create` and `comments:create` are enough for creating issues and comments.
const READ: &[&str] = &["read"];

pub fn provider() -> Provider {
    Provider::new("linear", "Linear")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Issues, projects, comments and teams in a Linear workspace.")
        .categories(&["project_management", "engineering"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://linear.app/oauth/authorize", "https://api.linear.app/oauth/token")
                .scopes(&["read", "write"])
                .scope_separator(",")
                .revoke_url("https://api.linear.app/oauth/revoke"),
        ))
        // A personal API key (Settings → Security & access) goes bare in `Authorization`, no
        // `Bearer`; it acts with the key owner's full access, so no scopes apply to it.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization")))
        .origin("https://api.linear.app")
        .after_connect(after_connect)
        .action(Action::new(
            "LINEAR_LIST_TEAMS",
            "List the Linear teams the user can see, with their id, key (the `ENG` of `ENG-123`) and name. Use to find a team's id before creating issues or projects. Returns `{items, next_cursor}`.",
            list_teams,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_SEARCH_ISSUES",
            "Find Linear issues by text and/or filters (team, workflow state, assignee, label, priority). With `query`, a full-text search ranked by relevance; without, the issues matching the filters, most recently updated first. Returns `{items, next_cursor}` with each issue's identifier, title, state, assignee, team, labels, priority and URL (not its description: use LINEAR_GET_ISSUE).",
            search_issues,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_GET_ISSUE",
            "Get one Linear issue by identifier (`ENG-123`) or id: title, Markdown description, state, assignee, labels, project, parent, sub-issues and up to 50 comments.",
            get_issue,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_CREATE_ISSUE",
            "Create a Linear issue in a team, with an optional Markdown description, assignee, workflow state, priority, labels, project, parent issue and due date. Returns the created issue with its identifier (`ENG-124`) and URL.",
            create_issue,
        ).dynamic(describe_create_issue).any_scope(&["issues:create", "write"]))
        .action(Action::new(
            "LINEAR_UPDATE_ISSUE",
            "Change a Linear issue: title, description, assignee, workflow state (e.g. to close it), priority, labels, project, parent, due date, estimate or team. Only the fields given change; `null` clears assignee, project, parent or due date. Returns the updated issue.",
            update_issue,
        ).idempotent().scopes(&["write"]))
        .action(Action::new(
            "LINEAR_ADD_COMMENT",
            "Add a Markdown comment to a Linear issue, or reply in a comment's thread. Returns the comment with its id and URL.",
            add_comment,
        ).any_scope(&["comments:create", "write"]))
        .action(Action::new(
            "LINEAR_LIST_PROJECTS",
            "List Linear projects, most recently updated first, optionally of one team or by name: id, name, summary, status, lead, dates, progress (0 to 1) and teams. Returns `{items, next_cursor}`.",
            list_projects,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_CREATE_PROJECT",
            "Create a Linear project for one or more teams, with an optional summary, Markdown content, lead, members, start and target dates and priority. Returns the created project with its id and URL.",
            create_project,
        ).scopes(&["write"]))
        .action(Action::new(
            "LINEAR_LIST_WORKFLOW_STATES",
            "List the workflow states (Backlog, Todo, In Progress, Done, ...) of Linear teams, with their id, name, type and team. Use to find the `state_id` for creating or moving an issue; each team has its own states. Returns `{items, next_cursor}`.",
            list_workflow_states,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_LIST_LABELS",
            "List Linear issue labels with their id, name, group and team (none for workspace labels). Use to find `label_ids` for creating or changing an issue. Returns `{items, next_cursor}`.",
            list_labels,
        ).read_only().scopes(READ))
        .action(Action::new(
            "LINEAR_LIST_USERS",
            "List the members of the Linear workspace with their id, name, display name and e-mail, optionally matching a text. Use to find an `assignee_id` or a project lead. Returns `{items, next_cursor}`.",
            list_users,
        ).read_only().scopes(READ))
}

actionhost_sdk::export_provider!(provider);
