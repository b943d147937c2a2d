//! Vercel provider: projects, deployments (their build logs, redeploys and promotions to
//! production), project environment variables and domains through Vercel's REST API
//! (<https://vercel.com/docs/rest-api>), at the endpoint versions npm `@vercel/sdk` 1.28.35 calls.
//!
//! Users connect with OAuth 2 ("Sign in with Vercel": PKCE, refresh tokens; what the token may
//! do is the app's permissions, set in Vercel's dashboard, not OAuth scopes) or, instead, an
//! access token from their account settings; both are bearer tokens for the same API. An
//! account may name a team (`team_id`): every call then carries it as Vercel's `teamId` query
//! parameter and acts on the team's resources instead of the user's own.
//!
//! Vercel answers errors as `{"error": {"code", "message"}}`, which the SDK's default mapping
//! reads (404 → not found, the rest → upstream error with Vercel's message); [`errors`] adds what
//! is Vercel's own: a refused or expired token is a 403 with `invalidToken: true`, and a 429 tells
//! its delay by `Retry-After` or by the epoch second of `X-RateLimit-Reset`.
//!
//! Environment variables hold secrets: no action ever shows the value of an `encrypted`,
//! `sensitive` or `system` variable, and values are left out altogether unless asked for (see
//! [`visible_env`]); the plugin never asks Vercel to decrypt anything.

use actionhost_sdk::prelude::*;
use serde_json::Map;

/// Vercel's REST API; the host adds `Authorization: Bearer <token>`.
const BASE: &str = "https://api.vercel.com";

/// The account field naming the team the account acts in.
const TEAM_FIELD: &str = "team_id";

/// Items per page when the caller gives no `limit` (Vercel's own default).
const DEFAULT_LIMIT: u32 = 20;

/// Build log events per page when the caller gives no `limit`.
const DEFAULT_EVENTS: u32 = 100;

fn api() -> Api {
    Api::new(BASE)
        .header("Accept", "application/json")
        .errors(errors)
}

/// Vercel's own error signals, before the SDK's status mapping: an invalid or expired token is
/// answered 403 with `error.invalidToken: true` (other 403s, such as a team the user is not a
/// member of, stay upstream errors with Vercel's message); a 429 carries `Retry-After` or, in
/// its place, `X-RateLimit-Reset` (epoch seconds).
fn errors(response: &Response) -> Option<Error> {
    let message = || actionhost_sdk::http::provider_message(response.bytes());
    match response.status() {
        403 => {
            let body: Value = response.json().ok()?;
            (body.pointer("/error/invalidToken") == Some(&Value::Bool(true))).then(|| {
                Error::unauthorized(message().unwrap_or_else(|| "Vercel refused the token".into()))
            })
        }
        429 => {
            let until_reset = || {
                let reset = u64::from(response.seconds("x-ratelimit-reset")?);
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()?
                    .as_secs();
                u32::try_from(reset.saturating_sub(now)).ok()
            };
            Some(Error::rate_limited(
                message().unwrap_or_else(|| "Vercel rate limit exceeded".into()),
                response.seconds("retry-after").or_else(until_reset),
            ))
        }
        _ => None,
    }
}

/// The account's team (`teamId` of every call), if it names one.
fn team(ctx: &Context) -> Option<String> {
    ctx.fields.get(TEAM_FIELD).cloned()
}

/// Vercel's `pagination` of a list: `next` is the timestamp (ms) to pass on for the next page,
/// `null` on the last one.
#[derive(Deserialize)]
struct Pagination {
    next: Option<i64>,
}

fn next_cursor(pagination: Option<Pagination>) -> Option<String> {
    pagination.and_then(|p| p.next).map(|n| n.to_string())
}

/// A `cursor` given back by a caller: the `next_cursor` of a list, a timestamp in milliseconds.
fn timestamp_cursor(cursor: Option<String>) -> Result<Option<String>, Error> {
    match cursor {
        Some(c) if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) => {
            Err(Error::invalid_input(format!(
                "`cursor` {c:?} is not a `next_cursor` of this list"
            )))
        }
        other => Ok(other),
    }
}

/// Keeps only `keys` of a JSON object (those present).
fn pick(object: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|key| object.get(*key).map(|v| (key.to_string(), v.clone())))
        .collect()
}

// ----- Projects -----

#[derive(Deserialize, JsonSchema)]
struct ListProjects {
    /// Only projects whose name contains this text.
    search: Option<String>,
    /// Projects per page, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of projects.
#[derive(Serialize, JsonSchema)]
struct ProjectPage {
    /// The projects, most recently updated first, each cut to what identifies it: `id`, `name`,
    /// `framework`, `nodeVersion`, `createdAt` and `updatedAt` (milliseconds since the epoch),
    /// `link` (the connected Git repository: `type`, `org`, `repo`, `productionBranch`) and
    /// `targets.production` (the current production deployment: `id`, `url`, `readyState`,
    /// `createdAt`). VERCEL_GET_PROJECT has the whole project.
    projects: Vec<Map<String, Value>>,
    /// Pass back as `cursor` (with the same `search`) for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

const PROJECT_SUMMARY: &[&str] = &[
    "id",
    "name",
    "framework",
    "nodeVersion",
    "createdAt",
    "updatedAt",
];
const LINK_SUMMARY: &[&str] = &["type", "org", "repo", "repoId", "productionBranch"];
const DEPLOYMENT_SUMMARY: &[&str] = &["id", "url", "readyState", "target", "createdAt"];

fn project_summary(project: &Map<String, Value>) -> Map<String, Value> {
    let mut summary = pick(project, PROJECT_SUMMARY);
    if let Some(Value::Object(link)) = project.get("link") {
        summary.insert("link".into(), Value::Object(pick(link, LINK_SUMMARY)));
    }
    let production = project.get("targets").and_then(|t| t.get("production"));
    if let Some(Value::Object(production)) = production {
        summary.insert(
            "targets".into(),
            json!({"production": pick(production, DEPLOYMENT_SUMMARY)}),
        );
    }
    summary
}

fn list_projects(input: ListProjects, ctx: &Context) -> Result<ProjectPage, Error> {
    #[derive(Deserialize)]
    struct Answer {
        projects: Vec<Map<String, Value>>,
        pagination: Option<Pagination>,
    }
    let query = [
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("search", input.search),
        ("from", timestamp_cursor(input.cursor)?),
        ("teamId", team(ctx)),
    ];
    let answer: Answer = api().get("/v10/projects").query(&query).send()?.json()?;
    Ok(ProjectPage {
        projects: answer.projects.iter().map(project_summary).collect(),
        next_cursor: next_cursor(answer.pagination),
    })
}

#[derive(Deserialize, JsonSchema)]
struct GetProject {
    /// The project's id (`prj_...`) or its name.
    project: String,
}

/// Vercel's project without `env`: a project carries its environment variables, whose values
/// only VERCEL_LIST_ENV_VARS may show, and only as its rules say.
fn get_project(input: GetProject, ctx: &Context) -> Result<Map<String, Value>, Error> {
    let mut project: Map<String, Value> = api()
        .get(&path!("/v9/projects/{}", input.project))
        .query(&[("teamId", team(ctx))])
        .send()?
        .json()?;
    project.remove("env");
    Ok(project)
}

// ----- Deployments -----

/// The state of a deployment.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "UPPERCASE")]
enum DeploymentState {
    Building,
    Error,
    Initializing,
    Queued,
    Ready,
    Canceled,
}

/// Where a deployment is served.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Target {
    Production,
    Preview,
}

#[derive(Deserialize, JsonSchema)]
struct ListDeployments {
    /// Only deployments of this project (its id `prj_...` or its name).
    project: Option<String>,
    /// Only production or only preview deployments; both when absent.
    target: Option<Target>,
    /// Only deployments in one of these states.
    state: Option<Vec<DeploymentState>>,
    /// Only deployments of this Git branch.
    branch: Option<String>,
    /// Only deployments of this Git commit (full SHA).
    sha: Option<String>,
    /// Only deployments created at or after this time, in milliseconds since the epoch.
    since: Option<i64>,
    /// Deployments per page, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of deployments.
#[derive(Serialize, JsonSchema)]
struct DeploymentPage {
    /// The deployments, newest first, as Vercel lists them: `uid` (the deployment id), `name`,
    /// `url`, `state`, `target`, `created` (ms since the epoch), `creator`, `meta` (Git commit
    /// and branch), `inspectorUrl`.
    deployments: Passthrough,
    /// Pass back as `cursor` (with the same filters) for older deployments; `null` on the last
    /// page.
    next_cursor: Option<String>,
}

fn list_deployments(input: ListDeployments, ctx: &Context) -> Result<DeploymentPage, Error> {
    #[derive(Deserialize)]
    struct Answer {
        deployments: Passthrough,
        pagination: Option<Pagination>,
    }
    let state = input.state.filter(|s| !s.is_empty()).map(|states| {
        states
            .iter()
            .map(|s| json!(s).as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    let query = [
        ("projectId", input.project),
        (
            "target",
            input
                .target
                .map(|t| json!(t).as_str().unwrap_or_default().into()),
        ),
        ("state", state),
        ("branch", input.branch),
        ("sha", input.sha),
        ("since", input.since.map(|s| s.to_string())),
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("until", timestamp_cursor(input.cursor)?),
        ("teamId", team(ctx)),
    ];
    let answer: Answer = api().get("/v7/deployments").query(&query).send()?.json()?;
    Ok(DeploymentPage {
        deployments: answer.deployments,
        next_cursor: next_cursor(answer.pagination),
    })
}

#[derive(Deserialize, JsonSchema)]
struct GetDeployment {
    /// The deployment's id (`dpl_...`) or its URL (`my-app-abc123.vercel.app`, without
    /// `https://`).
    deployment: String,
}

fn get_deployment(input: GetDeployment, ctx: &Context) -> Result<Passthrough, Error> {
    api()
        .get(&path!(
            "/v13/deployments/{}",
            deployment_ref(&input.deployment)?
        ))
        .query(&[("teamId", team(ctx))])
        .send()?
        .json()
}

/// A deployment id or URL as Vercel's path takes it: a URL without its scheme.
fn deployment_ref(given: &str) -> Result<String, Error> {
    let bare = given
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    if bare.is_empty() || bare.contains('/') {
        return Err(Error::invalid_input(format!(
            "`deployment` {given:?} is neither a deployment id nor a deployment's host name"
        )));
    }
    Ok(bare.to_string())
}

/// Which way build log events are read.
#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Direction {
    Forward,
    Backward,
}

#[derive(Deserialize, JsonSchema)]
struct GetDeploymentEvents {
    /// The deployment's id (`dpl_...`) or its URL (without `https://`).
    deployment: String,
    /// Events per page, 1 to 1000 (default 100).
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<u32>,
    /// `forward` (default): oldest first, from the start of the build; `backward`: newest first,
    /// for the end of a long log (where a build's error usually is).
    #[schemars(extend("default" = "forward"))]
    direction: Option<Direction>,
    /// `next_cursor` of the previous page (same `direction`).
    cursor: Option<String>,
}

/// One line or step of a deployment's build log.
#[derive(Serialize, JsonSchema)]
struct Event {
    /// The kind of event: `stdout` and `stderr` are log lines, `command` a command the build
    /// ran, `delimiter` the start of a build step, `exit` its end, and others (`deployment-state`,
    /// `edge-function-invocation`, ...) as Vercel sends them.
    #[serde(rename = "type")]
    kind: String,
    /// When it happened, in milliseconds since the epoch.
    created: i64,
    /// The line's text (absent for events without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// `error` or `warning` where Vercel marks the line so.
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<String>,
}

/// A page of a deployment's build log.
#[derive(Serialize, JsonSchema)]
struct EventPage {
    /// The events, in the order asked for.
    events: Vec<Event>,
    /// Pass back as `cursor` (with the same `direction`) for the next page; `null` when this
    /// page was not full. The `created` time of this page's last event: the next page starts
    /// at that millisecond, so its first events may repeat this page's last.
    next_cursor: Option<String>,
}

/// An event as Vercel sends it: flat (`text` at the top, build logs) or with a `payload`
/// (runtime and request logs).
#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    kind: Option<String>,
    created: Option<i64>,
    date: Option<i64>,
    text: Option<String>,
    level: Option<String>,
    payload: Option<RawPayload>,
}

#[derive(Deserialize)]
struct RawPayload {
    text: Option<String>,
    date: Option<i64>,
}

impl RawEvent {
    fn decode(self) -> Event {
        let payload = self.payload;
        let payload_date = payload.as_ref().and_then(|p| p.date);
        Event {
            kind: self.kind.unwrap_or_else(|| "unknown".into()),
            created: self.created.or(self.date).or(payload_date).unwrap_or(0),
            text: self.text.or_else(|| payload.and_then(|p| p.text)),
            level: self.level,
        }
    }
}

/// Vercel's answer, a JSON array of events or (as a stream) one JSON event per line.
fn parse_events(text: &str) -> Result<Vec<Event>, Error> {
    let trimmed = text.trim_start();
    let raw: Vec<Option<RawEvent>> = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| {
            Error::internal(format!(
                "Vercel's deployment events are not the expected JSON: {e}"
            ))
        })?
    } else {
        trimmed
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| {
                Error::internal(format!(
                    "a line of Vercel's deployment events is not the expected JSON: {e}"
                ))
            })?
    };
    Ok(raw.into_iter().flatten().map(RawEvent::decode).collect())
}

fn get_deployment_events(input: GetDeploymentEvents, ctx: &Context) -> Result<EventPage, Error> {
    let limit = input.limit.unwrap_or(DEFAULT_EVENTS);
    let direction = input.direction.unwrap_or(Direction::Forward);
    let cursor = timestamp_cursor(input.cursor)?;
    let (since, until) = match direction {
        Direction::Forward => (cursor, None),
        Direction::Backward => (None, cursor),
    };
    let query = [
        (
            "direction",
            Some(
                if direction == Direction::Forward {
                    "forward"
                } else {
                    "backward"
                }
                .to_string(),
            ),
        ),
        ("follow", Some("0".to_string())),
        ("limit", Some(limit.to_string())),
        ("since", since),
        ("until", until),
        ("teamId", team(ctx)),
    ];
    let response = api()
        .get(&path!(
            "/v3/deployments/{}/events",
            deployment_ref(&input.deployment)?
        ))
        .query(&query)
        .send()?;
    let events = parse_events(&response.text())?;
    let next_cursor = if events.len() >= limit as usize {
        events.last().map(|e| e.created.to_string())
    } else {
        None
    };
    Ok(EventPage {
        events,
        next_cursor,
    })
}

#[derive(Deserialize, JsonSchema)]
struct Redeploy {
    /// Id (`dpl_...`) of the deployment to build again, with the same source and settings.
    deployment_id: String,
    /// The project's name (default: the name of the deployment redeployed).
    name: Option<String>,
    /// `production` to serve the new deployment at the production domains once it is ready,
    /// `preview` not to (default: the target of the deployment redeployed).
    target: Option<Target>,
    /// Build the latest commit of the deployment's Git branch instead of its own commit
    /// (default false).
    with_latest_commit: Option<bool>,
}

fn redeploy(input: Redeploy, ctx: &Context) -> Result<Passthrough, Error> {
    let id = input.deployment_id.trim();
    if id.is_empty() {
        return Err(Error::invalid_input("`deployment_id` must not be blank"));
    }
    let (name, target) = match (input.name, input.target) {
        (Some(name), Some(target)) => (name, Some(target)),
        (name, target) => {
            #[derive(Deserialize)]
            struct Original {
                name: String,
                target: Option<String>,
            }
            let original: Original = api()
                .get(&path!("/v13/deployments/{}", id))
                .query(&[("teamId", team(ctx))])
                .send()?
                .json()?;
            let original_target = match original.target.as_deref() {
                Some("production") => Some(Target::Production),
                _ => None,
            };
            (name.unwrap_or(original.name), target.or(original_target))
        }
    };
    let mut body = json!({"deploymentId": id, "name": name});
    if let Some(target) = target {
        body["target"] = json!(target);
    }
    if let Some(latest) = input.with_latest_commit {
        body["withLatestCommit"] = json!(latest);
    }
    api()
        .post("/v13/deployments")
        .query(&[("teamId", team(ctx))])
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct Promote {
    /// The project's id (`prj_...`).
    project_id: String,
    /// Id (`dpl_...`) of a ready deployment of that project to serve at its production domains.
    deployment_id: String,
}

/// What VERCEL_PROMOTE_DEPLOYMENT did.
#[derive(Serialize, JsonSchema)]
struct Promoted {
    /// Always true: Vercel accepted the promotion.
    promoted: bool,
    /// The project, as given.
    project_id: String,
    /// The deployment now serving (or about to serve) the production domains.
    deployment_id: String,
    /// Vercel's status: 201 when the deployment serves production now, 202 when Vercel accepted
    /// the promotion and is still completing it.
    status: u16,
}

fn promote(input: Promote, ctx: &Context) -> Result<Promoted, Error> {
    let response = api()
        .post(&path!(
            "/v10/projects/{}/promote/{}",
            input.project_id,
            input.deployment_id
        ))
        .query(&[("teamId", team(ctx))])
        .send()?;
    Ok(Promoted {
        promoted: true,
        project_id: input.project_id,
        deployment_id: input.deployment_id,
        status: response.status(),
    })
}

// ----- Environment variables -----

/// What an environment variable may say about itself: everything but its value and Vercel's
/// internal encrypted copies of it (`internalContentHint`, `vsmValue`).
const ENV_FIELDS: &[&str] = &[
    "id",
    "key",
    "type",
    "target",
    "gitBranch",
    "comment",
    "customEnvironmentIds",
    "configurationId",
    "contentHint",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "system",
];

/// An environment variable as actions show it: [`ENV_FIELDS`], and `value` only when
/// `show_values` and the variable's type is `plain`; the value of any other type (`encrypted`,
/// `sensitive`, `system`, `secret`) is replaced by a marker saying it is hidden.
fn visible_env(env: &Map<String, Value>, show_values: bool) -> Map<String, Value> {
    let mut shown = pick(env, ENV_FIELDS);
    if show_values {
        let kind = env.get("type").and_then(Value::as_str).unwrap_or("unknown");
        let value = match (kind, env.get("value")) {
            ("plain", Some(value)) => value.clone(),
            ("plain", None) => Value::Null,
            _ => Value::String(format!("[hidden: {kind} value]")),
        };
        shown.insert("value".into(), value);
    }
    shown
}

#[derive(Deserialize, JsonSchema)]
struct ListEnvVars {
    /// The project's id (`prj_...`) or its name.
    project: String,
    /// Show the values of `plain` variables (default false: no values at all). The values of
    /// `encrypted`, `sensitive` and `system` variables are never shown, only a marker.
    #[serde(default)]
    show_values: bool,
    /// Only variables that apply to this Git branch (preview variables set for one branch).
    git_branch: Option<String>,
}

/// A project's environment variables.
#[derive(Serialize, JsonSchema)]
struct EnvList {
    /// Every variable of the project (Vercel lists them all at once): `id`, `key`, `type`
    /// (`plain`, `encrypted`, `sensitive`, `system`), `target` (`production`, `preview`,
    /// `development`), `gitBranch`, `comment`, `createdAt`/`updatedAt` (ms since the epoch);
    /// `value` only with `show_values`, and then the real value only for `plain` variables.
    envs: Vec<Map<String, Value>>,
}

fn list_env_vars(input: ListEnvVars, ctx: &Context) -> Result<EnvList, Error> {
    // Vercel answers `{"envs": [...]}` (with `pagination` on some accounts), or one variable
    // alone when the filter leaves only one.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Answer {
        List { envs: Vec<Map<String, Value>> },
        One(Map<String, Value>),
    }
    let query = [("gitBranch", input.git_branch), ("teamId", team(ctx))];
    let answer: Answer = api()
        .get(&path!("/v10/projects/{}/env", input.project))
        .query(&query)
        .send()?
        .json()?;
    let envs = match answer {
        Answer::List { envs } => envs,
        Answer::One(env) => vec![env],
    };
    Ok(EnvList {
        envs: envs
            .iter()
            .map(|env| visible_env(env, input.show_values))
            .collect(),
    })
}

/// How Vercel stores a new variable.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum EnvType {
    /// Readable by anyone on the project (and by VERCEL_LIST_ENV_VARS with `show_values`).
    Plain,
    /// Encrypted at rest, readable in the dashboard by members.
    Encrypted,
    /// Never readable again after it is set; not for the `development` environment.
    Sensitive,
}

/// An environment a variable applies to.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Environment {
    Production,
    Preview,
    Development,
}

#[derive(Deserialize, JsonSchema)]
struct CreateEnvVar {
    /// The project's id (`prj_...`) or its name.
    project: String,
    /// The variable's name, e.g. `DATABASE_URL` (letters, digits and `_`, not starting with a
    /// digit).
    key: String,
    /// The variable's value.
    value: String,
    /// How it is stored (default `encrypted`).
    #[schemars(extend("default" = "encrypted"))]
    #[serde(rename = "type")]
    kind: Option<EnvType>,
    /// The environments it applies to (at least one).
    #[schemars(length(min = 1))]
    target: Vec<Environment>,
    /// Only for preview deployments of this Git branch (needs `preview` in `target` only).
    git_branch: Option<String>,
    /// A note about the variable, up to 500 characters.
    #[schemars(length(max = 500))]
    comment: Option<String>,
    /// Replace the value of an existing variable with the same key and environments instead of
    /// failing (default false).
    #[serde(default)]
    upsert: bool,
}

/// What VERCEL_CREATE_ENV_VAR created.
#[derive(Serialize, JsonSchema)]
struct CreatedEnv {
    /// The variables created (or, with `upsert`, updated), without their values.
    created: Vec<Map<String, Value>>,
    /// Variables Vercel refused, with its `error` for each (empty when all went through).
    failed: Vec<Value>,
}

fn create_env_var(input: CreateEnvVar, ctx: &Context) -> Result<CreatedEnv, Error> {
    let key = input.key.trim();
    let valid_key = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_key {
        return Err(Error::invalid_input(format!(
            "`key` {:?} is not a variable name: letters, digits and `_`, not starting with a digit",
            input.key
        )));
    }
    if input.target.is_empty() {
        return Err(Error::invalid_input(
            "`target` must name at least one environment",
        ));
    }
    let kind = input.kind.unwrap_or(EnvType::Encrypted);
    if kind == EnvType::Sensitive && input.target.contains(&Environment::Development) {
        return Err(Error::invalid_input(
            "a `sensitive` variable cannot apply to `development`: Vercel refuses it; use `encrypted` there",
        ));
    }
    if input.git_branch.is_some() && input.target != [Environment::Preview] {
        return Err(Error::invalid_input(
            "`git_branch` applies only to preview deployments: give `target: [\"preview\"]` with it",
        ));
    }
    let mut body = json!({
        "key": key,
        "value": input.value,
        "type": kind,
        "target": input.target,
    });
    if let Some(branch) = input.git_branch {
        body["gitBranch"] = json!(branch);
    }
    if let Some(comment) = input.comment {
        body["comment"] = json!(comment);
    }
    let query = [
        ("upsert", input.upsert.then(|| "true".to_string())),
        ("teamId", team(ctx)),
    ];
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Created {
        Many(Vec<Map<String, Value>>),
        One(Map<String, Value>),
    }
    #[derive(Deserialize)]
    struct Answer {
        created: Created,
        #[serde(default)]
        failed: Vec<Value>,
    }
    let answer: Answer = api()
        .post(&path!("/v10/projects/{}/env", input.project))
        .query(&query)
        .json(&body)
        .send()?
        .json()?;
    let created = match answer.created {
        Created::Many(envs) => envs,
        Created::One(env) => vec![env],
    };
    Ok(CreatedEnv {
        created: created.iter().map(|env| visible_env(env, false)).collect(),
        failed: answer.failed,
    })
}

// ----- Domains -----

#[derive(Deserialize, JsonSchema)]
struct ListDomains {
    /// Domains per page, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of domains.
#[derive(Serialize, JsonSchema)]
struct DomainPage {
    /// The domains registered to or added to the account, as Vercel lists them: `name`,
    /// `verified`, `serviceType` (`zeit.world` when Vercel serves its DNS), `nameservers`,
    /// `boughtAt`/`expiresAt`/`createdAt` (ms since the epoch), `renew`.
    domains: Passthrough,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

fn list_domains(input: ListDomains, ctx: &Context) -> Result<DomainPage, Error> {
    #[derive(Deserialize)]
    struct Answer {
        domains: Passthrough,
        pagination: Option<Pagination>,
    }
    let query = [
        (
            "limit",
            Some(input.limit.unwrap_or(DEFAULT_LIMIT).to_string()),
        ),
        ("until", timestamp_cursor(input.cursor)?),
        ("teamId", team(ctx)),
    ];
    let answer: Answer = api().get("/v5/domains").query(&query).send()?.json()?;
    Ok(DomainPage {
        domains: answer.domains,
        next_cursor: next_cursor(answer.pagination),
    })
}

// ----- The account -----

/// Checks the new credential with `GET /v2/user` (a refused one is not stored) and labels the
/// account `Name (e-mail)`; with a team, also reads the team (`GET /v2/teams/{id}`), so that a
/// team the user cannot reach is refused at once, and adds its name to the label.
fn after_connect(ctx: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Me {
        user: User,
    }
    #[derive(Deserialize)]
    struct User {
        name: Option<String>,
        username: Option<String>,
        email: Option<String>,
    }
    #[derive(Deserialize)]
    struct Team {
        name: Option<String>,
        slug: Option<String>,
    }
    let user = api().get("/v2/user").send()?.json::<Me>()?.user;
    let who = user.name.or(user.username);
    let mut label = match (who, user.email) {
        (Some(who), Some(email)) => format!("{who} ({email})"),
        (Some(who), None) => who,
        (None, Some(email)) => email,
        (None, None) => String::new(),
    };
    if let Some(team_id) = team(ctx) {
        let team: Team = api().get(&path!("/v2/teams/{}", team_id)).send()?.json()?;
        let team_name = team.name.or(team.slug).unwrap_or(team_id);
        label = if label.is_empty() {
            format!("team {team_name}")
        } else {
            format!("{label}, team {team_name}")
        };
    }
    Ok(if label.is_empty() {
        ConnectedAccount::default()
    } else {
        ConnectedAccount::labelled(label)
    })
}

/// What "Sign in with Vercel" grants as OAuth scopes: the user's identity and, with
/// `offline_access`, a refresh token. What the access token may do in the REST API is the app's
/// permissions, chosen in Vercel's dashboard (see the operator's docs), so actions declare no
/// scopes.
const SCOPES: &[&str] = &["openid", "email", "profile", "offline_access"];

pub fn provider() -> Provider {
    Provider::new("vercel", "Vercel")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Projects, deployments and their build logs, redeploys and promotions, environment variables and domains on Vercel.")
        .categories(&["developer_tools", "hosting"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://vercel.com/oauth/authorize", "https://api.vercel.com/login/oauth/token")
                .scopes(SCOPES)
                .revoke_url("https://api.vercel.com/login/oauth/token/revoke")
                // Vercel's revocation endpoint takes only `client_secret_basic`; its token
                // endpoint takes it too.
                .client_auth_basic(),
        ))
        // An access token (Vercel: Account Settings → Tokens) is sent as a bearer token too and
        // reaches the same API with the access its scope (account or team) gives.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bearer ")))
        .origin(BASE)
        .field(Field::user(
            TEAM_FIELD,
            "Id of the Vercel team to act in (`team_...`, in the team's Settings → General); leave empty for your personal account.",
        ).pattern("team_[A-Za-z0-9]+"))
        .after_connect(after_connect)
        .action(Action::new(
            "VERCEL_LIST_PROJECTS",
            "List the Vercel projects of the account (or its team), most recently updated first, optionally only those whose name contains `search`. Returns compact projects (`id`, `name`, framework, Git repository, current production deployment) and `next_cursor`. Use to find a project's id or name for the other actions; VERCEL_GET_PROJECT has one project's full settings.",
            list_projects,
        ).read_only())
        .action(Action::new(
            "VERCEL_GET_PROJECT",
            "Get one Vercel project by id or name: its settings (framework, build and install commands, output directory, Node.js version, root directory), Git link, domains (`alias`), latest deployments and production target. Environment variables are left out: use VERCEL_LIST_ENV_VARS.",
            get_project,
        ).read_only())
        .action(Action::new(
            "VERCEL_LIST_DEPLOYMENTS",
            "List deployments, newest first, of the account or of one project, filtered by target (production or preview), state (e.g. ERROR to find failed builds), Git branch, commit or creation time. Returns each deployment's id (`uid`), URL, state, target, creation time and Git metadata, and `next_cursor` for older ones.",
            list_deployments,
        ).read_only())
        .action(Action::new(
            "VERCEL_GET_DEPLOYMENT",
            "Get one deployment by id (`dpl_...`) or URL: its state (`readyState`, with `errorMessage` when it failed), target, URLs and aliases, Git source, build settings, creator and times. For its build log use VERCEL_GET_DEPLOYMENT_EVENTS.",
            get_deployment,
        ).read_only())
        .action(Action::new(
            "VERCEL_GET_DEPLOYMENT_EVENTS",
            "Read a deployment's build log: its events (`stdout`/`stderr` lines, commands, step delimiters) with type, time and text, oldest first or (with `direction: backward`) newest first, which is where a failed build's error usually is. Returns `events` and `next_cursor` for more.",
            get_deployment_events,
        ).read_only())
        .action(Action::new(
            "VERCEL_REDEPLOY",
            "Build an existing deployment again (same source and settings, or the branch's latest commit) as a new deployment, e.g. after changing environment variables or to retry a failed build. Goes to production if the original did, unless `target` says otherwise. Returns the new deployment (`id`, `url`, `readyState` starting at QUEUED or BUILDING); follow it with VERCEL_GET_DEPLOYMENT.",
            redeploy,
        ))
        .action(Action::new(
            "VERCEL_PROMOTE_DEPLOYMENT",
            "Make a deployment of a project its production deployment: the project's production domains serve it from now on, replacing what they served (an instant rollback when the deployment is an older production one). Returns whether Vercel promoted it at once (201) or is still promoting it (202).",
            promote,
        ).destructive().idempotent())
        .action(Action::new(
            "VERCEL_LIST_ENV_VARS",
            "List a project's environment variables: key, type, environments (production, preview, development), Git branch and times. Values are left out unless `show_values` is true, and even then only `plain` variables show theirs: encrypted, sensitive and system values are never shown. Returns all of them at once.",
            list_env_vars,
        ).read_only())
        .action(Action::new(
            "VERCEL_CREATE_ENV_VAR",
            "Add an environment variable to a project for some environments (production, preview, development), stored encrypted unless `type` says otherwise; with `upsert`, replace the value of an existing one instead of failing. Takes effect on the next deployment (see VERCEL_REDEPLOY). Returns the variable created, without its value.",
            create_env_var,
        ))
        .action(Action::new(
            "VERCEL_LIST_DOMAINS",
            "List the domains of the account (or its team): name, whether verified, whether Vercel serves its DNS, nameservers, purchase and expiry times. Returns `domains` and `next_cursor`. A project's own domains are in VERCEL_GET_PROJECT.",
            list_domains,
        ).read_only())
}

actionhost_sdk::export_provider!(provider);
