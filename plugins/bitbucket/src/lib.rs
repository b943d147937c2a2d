//! Bitbucket Cloud provider: repositories, pull requests (list, read, open, comment, merge),
//! commits, files at a ref and pipelines, through Bitbucket's REST API 2.0
//! (<https://developer.atlassian.com/cloud/bitbucket/rest/>).
//!
//! Auth is Bitbucket's own OAuth 2 (an OAuth consumer of a workspace; not Atlassian's 3LO): the
//! user consents at `bitbucket.org/site/oauth2/authorize`, and the client authenticates at the
//! token endpoint with HTTP Basic. Access tokens last two hours and come with a refresh token,
//! which Bitbucket replaces on every refresh; Bitbucket has no token revocation endpoint (RFC
//! 7009), so disconnecting only forgets the token. Bitbucket documents no PKCE for its OAuth 2,
//! so none is sent. A user may instead connect with HTTP Basic: their Atlassian account e-mail
//! and an API token with Bitbucket scopes (app passwords, which took the Bitbucket username,
//! are retired).
//!
//! Lists page by Bitbucket's own `next` links: an action returns the link as `next_cursor` and
//! follows it when it comes back, after checking that it is a page of the same list on
//! `https://api.bitbucket.org/2.0/`. `BITBUCKET_GET_FILE` returns a file's text decoded (capped),
//! binary content as base64 with its media type, and a directory as its listing.

use actionhost_sdk::files;
use actionhost_sdk::http::{provider_message, segment};
use actionhost_sdk::prelude::*;

/// Bitbucket Cloud's REST API; every path below is relative to it.
pub const API: &str = "https://api.bitbucket.org/2.0";

/// The origin the plugin may reach: the API's host.
const ORIGIN: &str = "https://api.bitbucket.org";

/// Seconds to wait after a 429 that names no `Retry-After`. Bitbucket counts requests in a
/// rolling one-hour window ("API request limits": every minute that passes frees that minute's
/// requests again), so a minute is the shortest wait that can help.
pub const RATE_LIMIT_WAIT: u32 = 60;

/// A text file's content is returned up to this many bytes (`truncated` says when it was cut).
pub const MAX_TEXT_BYTES: usize = 200_000;

/// Binary content is returned (as base64) up to this many bytes; larger files are refused.
pub const MAX_BINARY_BYTES: usize = 1024 * 1024;

/// Files larger than this are not downloaded at all (their text would be cut to
/// [`MAX_TEXT_BYTES`] anyway).
pub const MAX_DOWNLOAD_BYTES: u64 = 8 * 1024 * 1024;

/// Bitbucket's OAuth scopes, as its reference names them.
const REPOSITORY: &str = "repository";
const PULLREQUEST: &str = "pullrequest";
const PULLREQUEST_WRITE: &str = "pullrequest:write";
const PIPELINE: &str = "pipeline";
const ACCOUNT: &str = "account";

fn api() -> Api {
    Api::new(API)
        .header("Accept", "application/json")
        .errors(errors)
}

/// Bitbucket's error envelope, `{"type": "error", "error": {"message", "detail", "fields"}}`, as
/// the contract's errors: 401 → not connected, 404 → not found, 429 → rate limited (Bitbucket
/// sends no `Retry-After`; one is used when present, else [`RATE_LIMIT_WAIT`]), any other error
/// status → an upstream error with Bitbucket's message and detail (a 403 for missing scopes
/// names the scopes required).
pub fn errors(response: &Response) -> Option<Error> {
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
        429 => Error::rate_limited(
            message,
            Some(response.seconds("retry-after").unwrap_or(RATE_LIMIT_WAIT)),
        ),
        _ => response.upstream_error(message),
    })
}

fn envelope_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?;
    let mut message = error.get("message")?.as_str()?.trim().to_string();
    match error.get("detail") {
        Some(Value::String(detail)) if !detail.is_empty() && !message.contains(detail.as_str()) => {
            message = format!("{message}: {detail}");
        }
        Some(Value::Object(detail)) => {
            if let Some(required) = detail.get("required").and_then(Value::as_array) {
                let required: Vec<&str> = required.iter().filter_map(Value::as_str).collect();
                message = format!("{message} (scopes required: {})", required.join(", "));
            }
        }
        _ => {}
    }
    if let Some(fields) = error.get("fields").and_then(Value::as_object) {
        for (field, problems) in fields {
            let text = match problems {
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let part = format!("{field}: {text}");
            if !message.contains(&part) {
                message = format!("{message}; {part}");
            }
        }
    }
    (!message.is_empty()).then_some(message)
}

/// Refuses a blank value, or `.` / `..`, before it turns a path into another endpoint.
fn key<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    if dot_segment(value) {
        return Err(Error::invalid_input(format!(
            "`{field}` must be a name, not {value:?}"
        )));
    }
    Ok(value)
}

/// `.` or `..`, also percent-encoded (URL parsers resolve `%2e%2e` as `..`).
fn dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

// A repository, by workspace and slug (no doc comment: flattened into inputs).
#[derive(Deserialize, JsonSchema)]
struct Repo {
    /// The workspace's slug, the first part of the repository's address
    /// `bitbucket.org/{workspace}/{repo_slug}` (e.g. `atlassian`), or the workspace's UUID in
    /// braces.
    #[schemars(length(min = 1))]
    workspace: String,
    /// The repository's slug, the second part of its address (e.g. `bitbucket-api-demo`).
    #[schemars(length(min = 1))]
    repo_slug: String,
}

impl Repo {
    fn path(&self, rest: &str) -> Result<String, Error> {
        Ok(path!(
            "/repositories/{}/{}",
            key("workspace", &self.workspace)?,
            key("repo_slug", &self.repo_slug)?
        ) + rest)
    }
}

// A pull request, by repository and id.
#[derive(Deserialize, JsonSchema)]
struct PullRequestRef {
    #[serde(flatten)]
    at: Repo,
    /// The pull request's id, the number in its address (`.../pull-requests/42`).
    #[schemars(range(min = 1))]
    pull_request_id: u64,
}

impl PullRequestRef {
    fn path(&self, rest: &str) -> Result<String, Error> {
        self.at
            .path(&format!("/pullrequests/{}{rest}", self.pull_request_id))
    }
}

/// One page of a Bitbucket list and the cursor of the next.
#[derive(Serialize, JsonSchema)]
struct Listed {
    /// The items of this page, as Bitbucket returns them.
    items: Passthrough,
    /// How many items the whole list holds, when Bitbucket counts them (not every list does).
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Bitbucket's paginated answer (`values`, `next`, and the optional `page`, `pagelen`, `size`).
#[derive(Deserialize)]
struct Page<T> {
    values: T,
    next: Option<String>,
    page: Option<u64>,
    pagelen: Option<u64>,
    size: Option<u64>,
}

impl<T> Page<T> {
    /// Bitbucket's `next`; where a list leaves it out although `page`, `pagelen` and `size` say
    /// more items exist (Pipelines does), the same URL with the following `page`.
    fn next_cursor(&self, fetched: &str) -> Option<String> {
        if let Some(next) = self.next.as_ref().filter(|n| !n.is_empty()) {
            return Some(next.clone());
        }
        let (page, pagelen, size) = (self.page?, self.pagelen?, self.size?);
        (page.checked_mul(pagelen)? < size).then(|| with_page(fetched, page + 1))
    }
}

/// `url` with its `page` query parameter set to `page`.
fn with_page(url: &str, page: u64) -> String {
    let (target, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("page="))
        .collect();
    let page = format!("page={page}");
    pairs.push(&page);
    format!("{target}?{}", pairs.join("&"))
}

/// A `cursor` from the caller: it must be a `next` link of the list at `path` (exactly that
/// list, or with `prefix` any path below it), on Bitbucket's API.
fn follow(cursor: &str, path: &str, prefix: bool) -> Result<String, Error> {
    let expected = format!("{API}{path}");
    let target = cursor.split_once('?').map_or(cursor, |(target, _)| target);
    let same_list = if prefix {
        target.len() >= expected.len()
            && target.is_char_boundary(expected.len())
            && target[..expected.len()].eq_ignore_ascii_case(&expected)
    } else {
        target.eq_ignore_ascii_case(&expected)
    };
    let escapes = target.split('/').any(dot_segment) || cursor.contains(['#', '\\']);
    if !cursor.starts_with(&format!("{API}/")) || !same_list || escapes {
        return Err(Error::invalid_input(format!(
            "`cursor` must be a `next_cursor` this action returned for the same list (a URL starting with {expected}{}); got {cursor:?}",
            if prefix { "" } else { "?" }
        )));
    }
    Ok(cursor.to_string())
}

/// One page of the list at `path`: the first with `query`, or the one `cursor` names.
fn list(path: &str, query: &[(&str, String)], cursor: Option<&str>) -> Result<Listed, Error> {
    let request = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        Some(cursor) => api().get(&follow(cursor, path, false)?),
        None => api().get(path).query(query),
    };
    let fetched = request.url();
    let page: Page<Passthrough> = request.send()?.json()?;
    Ok(Listed {
        next_cursor: page.next_cursor(&fetched),
        size: page.size,
        items: page.values,
    })
}

/// Input of `BITBUCKET_LIST_REPOSITORIES`.
#[derive(Deserialize, JsonSchema)]
struct ListRepositories {
    /// The workspace's slug (e.g. `atlassian`) or its UUID in braces.
    #[schemars(length(min = 1))]
    workspace: String,
    /// Only repositories on which the user has at least this role: `member` (read access),
    /// `contributor` (write), `admin`, or `owner`. All the user can see when not given.
    role: Option<Role>,
    /// A filter in Bitbucket's query language, e.g. `name ~ "api"`, `project.key = "PROJ"`,
    /// `is_private = true`, `updated_on > 2024-01-01T00:00:00Z`; combine with `AND` / `OR`.
    q: Option<String>,
    /// A field to sort by, e.g. `-updated_on` (most recently updated first), `name`,
    /// `created_on`; a leading `-` sorts descending.
    sort: Option<String>,
    /// Repositories per page, 1 to 100 (Bitbucket's default is 10).
    #[schemars(range(min = 1, max = 100))]
    pagelen: Option<u32>,
    /// The `next_cursor` of the previous page, to fetch the next one (it carries the filter,
    /// sort and page size of the first request).
    cursor: Option<String>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Role {
    Member,
    Contributor,
    Admin,
    Owner,
}

impl Role {
    fn as_str(&self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Contributor => "contributor",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

fn list_repositories(input: ListRepositories, _: &Context) -> Result<Listed, Error> {
    let path = path!("/repositories/{}", key("workspace", &input.workspace)?);
    let mut query = Vec::new();
    if let Some(role) = &input.role {
        query.push(("role", role.as_str().to_string()));
    }
    if let Some(q) = input.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query.push(("q", q.to_string()));
    }
    if let Some(sort) = input
        .sort
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        query.push(("sort", sort.to_string()));
    }
    if let Some(pagelen) = input.pagelen {
        query.push(("pagelen", pagelen.to_string()));
    }
    list(&path, &query, input.cursor.as_deref())
}

fn get_repository(input: Repo, _: &Context) -> Result<Passthrough, Error> {
    api().get(&input.path("")?).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
enum PullRequestState {
    Open,
    Merged,
    Declined,
    Superseded,
}

impl PullRequestState {
    fn as_str(&self) -> &'static str {
        match self {
            PullRequestState::Open => "OPEN",
            PullRequestState::Merged => "MERGED",
            PullRequestState::Declined => "DECLINED",
            PullRequestState::Superseded => "SUPERSEDED",
        }
    }
}

/// Input of `BITBUCKET_LIST_PULL_REQUESTS`.
#[derive(Deserialize, JsonSchema)]
struct ListPullRequests {
    #[serde(flatten)]
    at: Repo,
    /// Which pull requests to list by state; Bitbucket lists only `OPEN` ones when not given.
    state: Option<PullRequestState>,
    /// Pull requests per page, 1 to 50 (Bitbucket's default is 10).
    #[schemars(range(min = 1, max = 50))]
    pagelen: Option<u32>,
    /// The `next_cursor` of the previous page, to fetch the next one (it carries the state and
    /// page size of the first request).
    cursor: Option<String>,
}

fn list_pull_requests(input: ListPullRequests, _: &Context) -> Result<Listed, Error> {
    let path = input.at.path("/pullrequests")?;
    let mut query = Vec::new();
    if let Some(state) = &input.state {
        query.push(("state", state.as_str().to_string()));
    }
    if let Some(pagelen) = input.pagelen {
        query.push(("pagelen", pagelen.to_string()));
    }
    list(&path, &query, input.cursor.as_deref())
}

fn get_pull_request(input: PullRequestRef, _: &Context) -> Result<Passthrough, Error> {
    api().get(&input.path("")?).send()?.json()
}

/// Input of `BITBUCKET_CREATE_PULL_REQUEST`.
#[derive(Deserialize, JsonSchema)]
struct CreatePullRequest {
    #[serde(flatten)]
    at: Repo,
    /// Title of the pull request.
    #[schemars(length(min = 1))]
    title: String,
    /// The branch with the changes, e.g. `feature/login`. It must already exist (in this
    /// repository, or in `source_repository` for a fork).
    #[schemars(length(min = 1))]
    source_branch: String,
    /// The branch to merge into, e.g. `main`; the repository's main branch when not given.
    destination_branch: Option<String>,
    /// The full name (`workspace/repo_slug`) of the fork that holds `source_branch`, when it is
    /// not in this repository.
    source_repository: Option<String>,
    /// Description of the pull request, in Markdown.
    description: Option<String>,
    /// Reviewers, each an account UUID in braces (e.g. `{a1b2c3d4-...}`, as `uuid` in Bitbucket's
    /// user objects) or an Atlassian account id (e.g. `557058:c0b72ad0-...`).
    reviewers: Option<Vec<String>>,
    /// Delete the source branch once the pull request is merged (default false).
    close_source_branch: Option<bool>,
    /// Open it as a draft, not yet ready for review (default false).
    draft: Option<bool>,
}

fn create_pull_request(input: CreatePullRequest, _: &Context) -> Result<Passthrough, Error> {
    let path = input.at.path("/pullrequests")?;
    let title = key("title", &input.title)?;
    let mut source = json!({"branch": {"name": key("source_branch", &input.source_branch)?}});
    if let Some(fork) = input
        .source_repository
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        if fork.split('/').count() != 2 || fork.split('/').any(str::is_empty) {
            return Err(Error::invalid_input(format!(
                "`source_repository` must be a full name `workspace/repo_slug`, got {fork:?}"
            )));
        }
        source["repository"] = json!({"full_name": fork});
    }
    let mut body = json!({"title": title, "source": source});
    if let Some(branch) = input
        .destination_branch
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        body["destination"] = json!({"branch": {"name": branch}});
    }
    if let Some(description) = &input.description {
        body["description"] = json!(description);
    }
    if let Some(reviewers) = &input.reviewers {
        let reviewers = reviewers
            .iter()
            .enumerate()
            .map(|(i, reviewer)| {
                let reviewer = key(&format!("reviewers[{i}]"), reviewer)?;
                Ok(if reviewer.starts_with('{') {
                    json!({"uuid": reviewer})
                } else {
                    json!({"account_id": reviewer})
                })
            })
            .collect::<Result<Vec<Value>, Error>>()?;
        body["reviewers"] = json!(reviewers);
    }
    if let Some(close) = input.close_source_branch {
        body["close_source_branch"] = json!(close);
    }
    if let Some(draft) = input.draft {
        body["draft"] = json!(draft);
    }
    api().post(&path).json(&body).send()?.json()
}

/// Input of `BITBUCKET_ADD_PULL_REQUEST_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct AddComment {
    #[serde(flatten)]
    pull_request: PullRequestRef,
    /// The comment, in Markdown.
    #[schemars(length(min = 1))]
    content: String,
    /// To comment on a line of the diff rather than on the whole pull request: the file's path
    /// in the repository, e.g. `src/main.rs`.
    inline_path: Option<String>,
    /// With `inline_path`: the line number in the new version of the file (added or unchanged
    /// lines).
    #[schemars(range(min = 1))]
    inline_to_line: Option<u32>,
    /// With `inline_path`: the line number in the old version of the file (for a removed line).
    #[schemars(range(min = 1))]
    inline_from_line: Option<u32>,
    /// The id of a comment to reply to (from the pull request's comments).
    #[schemars(range(min = 1))]
    parent_comment_id: Option<u64>,
}

fn add_pull_request_comment(input: AddComment, _: &Context) -> Result<Passthrough, Error> {
    let path = input.pull_request.path("/comments")?;
    let mut body = json!({"content": {"raw": key("content", &input.content)?}});
    match input
        .inline_path
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(file) => {
            let mut inline = json!({"path": file});
            if let Some(to) = input.inline_to_line {
                inline["to"] = json!(to);
            }
            if let Some(from) = input.inline_from_line {
                inline["from"] = json!(from);
            }
            body["inline"] = inline;
        }
        None if input.inline_to_line.is_some() || input.inline_from_line.is_some() => {
            return Err(Error::invalid_input(
                "`inline_to_line` and `inline_from_line` need `inline_path`, the file they are lines of",
            ));
        }
        None => {}
    }
    if let Some(parent) = input.parent_comment_id {
        body["parent"] = json!({"id": parent});
    }
    api().post(&path).json(&body).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum MergeStrategy {
    MergeCommit,
    Squash,
    FastForward,
}

/// Input of `BITBUCKET_MERGE_PULL_REQUEST`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct MergePullRequest {
    #[serde(flatten, skip_serializing)]
    pull_request: PullRequestRef,
    /// How to merge: `merge_commit` (a merge commit), `squash` (one commit with all changes) or
    /// `fast_forward` (only when the destination has not moved on). Bitbucket's default
    /// (`merge_commit`, or the branch's configured default) when not given; the destination
    /// branch may allow only some strategies.
    #[serde(skip_serializing_if = "Option::is_none")]
    merge_strategy: Option<MergeStrategy>,
    /// The merge (or squash) commit's message; Bitbucket writes one when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Delete the source branch after merging; the pull request's own setting when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    close_source_branch: Option<bool>,
}

fn merge_pull_request(input: MergePullRequest, _: &Context) -> Result<Value, Error> {
    let path = input.pull_request.path("/merge")?;
    let response = api().post(&path).json(&input).send()?;
    if response.status() == 202 {
        // A merge that takes long runs in the background; `Location` is its task's status.
        return Ok(json!({
            "state": "MERGING",
            "message": "Bitbucket is still merging this pull request in the background; read it again with BITBUCKET_GET_PULL_REQUEST to see when its state becomes MERGED.",
            "task_status_url": response.header("location"),
        }));
    }
    response.json()
}

/// Input of `BITBUCKET_LIST_COMMITS`.
#[derive(Deserialize, JsonSchema)]
struct ListCommits {
    #[serde(flatten)]
    at: Repo,
    /// A branch, tag or commit hash: only commits reachable from it, newest first. Every
    /// branch's commits when not given.
    revision: Option<String>,
    /// Commits per page, 1 to 100 (Bitbucket's default is 30 here).
    #[schemars(range(min = 1, max = 100))]
    pagelen: Option<u32>,
    /// The `next_cursor` of the previous page, to fetch the next one.
    cursor: Option<String>,
}

fn list_commits(input: ListCommits, _: &Context) -> Result<Listed, Error> {
    let path = match input
        .revision
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(revision) => input.at.path(&path!("/commits/{}", revision))?,
        None => input.at.path("/commits")?,
    };
    let mut query = Vec::new();
    if let Some(pagelen) = input.pagelen {
        query.push(("pagelen", pagelen.to_string()));
    }
    list(&path, &query, input.cursor.as_deref())
}

/// Input of `BITBUCKET_LIST_PIPELINES`.
#[derive(Deserialize, JsonSchema)]
struct ListPipelines {
    #[serde(flatten)]
    at: Repo,
    /// Pipelines per page, 1 to 100 (Bitbucket's default is 10).
    #[schemars(range(min = 1, max = 100))]
    pagelen: Option<u32>,
    /// The `next_cursor` of the previous page, to fetch the next (older) pipelines.
    cursor: Option<String>,
}

fn list_pipelines(input: ListPipelines, _: &Context) -> Result<Listed, Error> {
    let path = input.at.path("/pipelines")?;
    let mut query = vec![("sort", "-created_on".to_string())];
    if let Some(pagelen) = input.pagelen {
        query.push(("pagelen", pagelen.to_string()));
    }
    list(&path, &query, input.cursor.as_deref())
}

/// Input of `BITBUCKET_GET_FILE`.
#[derive(Deserialize, JsonSchema)]
struct GetFile {
    #[serde(flatten)]
    at: Repo,
    /// Path of the file or directory from the repository's root, e.g. `src/main.rs` or `docs`;
    /// empty (the default) for the root directory.
    #[serde(default)]
    path: String,
    /// The branch, tag or commit hash to read at; the repository's main branch when not given.
    /// A commit hash is safest for branch names containing `/`.
    #[serde(rename = "ref")]
    at_ref: Option<String>,
    /// For a directory: entries per page, 1 to 100 (Bitbucket's default is 10).
    #[schemars(range(min = 1, max = 100))]
    pagelen: Option<u32>,
    /// For a directory: the `next_cursor` of the previous page of its entries.
    cursor: Option<String>,
}

#[derive(Serialize, JsonSchema, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum SourceKind {
    File,
    Directory,
    /// A submodule or another entry that is neither a file nor a directory.
    Other,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Encoding {
    /// The content is UTF-8 text, in `text`.
    Text,
    /// The content is binary, base64-encoded in `content_base64`.
    Base64,
}

/// A file's content or a directory's entries at a ref.
#[derive(Serialize, JsonSchema)]
struct Source {
    /// Whether `path` is a file or a directory.
    kind: SourceKind,
    /// The path read, from the repository's root (empty for the root directory).
    path: String,
    /// The branch, tag or commit hash read at.
    #[serde(rename = "ref")]
    at_ref: String,
    /// For a file: `text` when it is UTF-8 text (the content is in `text`), `base64` for binary
    /// content (in `content_base64`).
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<Encoding>,
    /// A text file's content, at most 200,000 bytes of it (see `truncated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// A binary file's content, base64 (standard alphabet, padded); files over 1 MiB are
    /// refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    content_base64: Option<String>,
    /// For a file: its whole size in bytes (also when `text` is truncated).
    #[serde(skip_serializing_if = "Option::is_none")]
    size_bytes: Option<u64>,
    /// For a file: its media type as Bitbucket gives it (e.g. `text/x-python`, `image/png`),
    /// when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    /// For a text file: true when `text` holds only the first 200,000 bytes of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    truncated: Option<bool>,
    /// For a directory: this page of its entries (files and subdirectories).
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<Vec<Entry>>,
    /// For a directory: pass as `cursor` (with the same `path` and `ref`) for the next page of
    /// entries; `null` on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<Option<String>>,
}

/// One entry of a directory.
#[derive(Serialize, JsonSchema)]
struct Entry {
    /// Path from the repository's root, e.g. `src/main.rs`.
    path: String,
    /// Whether it is a file or a directory.
    kind: SourceKind,
    /// A file's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    size_bytes: Option<u64>,
}

/// An entry of Bitbucket's `/src` answers (`commit_file`, `commit_directory`, ...).
#[derive(Deserialize)]
struct TreeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    path: String,
    size: Option<u64>,
    mimetype: Option<String>,
}

fn kind_of(kind: &str) -> SourceKind {
    match kind {
        "commit_file" => SourceKind::File,
        "commit_directory" => SourceKind::Directory,
        _ => SourceKind::Other,
    }
}

/// The repository path as URL path segments, each encoded; `.` and `..` are refused (they
/// would leave `/src`).
fn file_path(path: &str) -> Result<(String, String), Error> {
    let trimmed = path.trim().trim_matches('/');
    let mut encoded = String::new();
    if trimmed.is_empty() {
        return Ok((String::new(), encoded));
    }
    for part in trimmed.split('/') {
        if part.is_empty() || dot_segment(part) {
            return Err(Error::invalid_input(format!(
                "`path` must be a path from the repository's root without empty, `.` or `..` parts, got {path:?}"
            )));
        }
        encoded.push('/');
        encoded.push_str(&segment(part));
    }
    Ok((trimmed.to_string(), encoded))
}

fn get_file(input: GetFile, _: &Context) -> Result<Source, Error> {
    let (path, encoded) = file_path(&input.path)?;
    let at_ref = match input
        .at_ref
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(at_ref) => at_ref.to_string(),
        None => main_branch(&input.at)?,
    };
    let src = input.at.path(&path!("/src/{}", at_ref))?;
    let cursor = input
        .cursor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if cursor.is_none() && !path.is_empty() {
        let meta: TreeEntry = api()
            .get(&format!("{src}{encoded}"))
            .query(&[("format", "meta")])
            .send()?
            .json()?;
        if kind_of(&meta.kind) != SourceKind::Directory {
            return read_file(&src, &encoded, path, at_ref, meta);
        }
    }
    let request = match cursor {
        Some(cursor) => api().get(&follow(cursor, &input.at.path("/src/")?, true)?),
        None => {
            let mut query = Vec::new();
            if let Some(pagelen) = input.pagelen {
                query.push(("pagelen", pagelen.to_string()));
            }
            api().get(&format!("{src}{encoded}/")).query(&query)
        }
    };
    let fetched = request.url();
    let page: Page<Vec<TreeEntry>> = request.send()?.json()?;
    let next_cursor = page.next_cursor(&fetched);
    let entries = page
        .values
        .into_iter()
        .map(|entry| Entry {
            kind: kind_of(&entry.kind),
            size_bytes: entry.size.filter(|_| entry.kind == "commit_file"),
            path: entry.path,
        })
        .collect();
    Ok(Source {
        kind: SourceKind::Directory,
        path,
        at_ref,
        encoding: None,
        text: None,
        content_base64: None,
        size_bytes: None,
        media_type: None,
        truncated: None,
        entries: Some(entries),
        next_cursor: Some(next_cursor),
    })
}

/// The repository's main branch, for reading files when no ref is given.
fn main_branch(repo: &Repo) -> Result<String, Error> {
    #[derive(Deserialize)]
    struct Repository {
        mainbranch: Option<Branch>,
    }
    #[derive(Deserialize)]
    struct Branch {
        name: String,
    }
    let repository: Repository = api().get(&repo.path("")?).send()?.json()?;
    repository
        .mainbranch
        .map(|b| b.name)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            Error::invalid_input(
                "the repository has no main branch (it may be empty); give `ref`, a branch, tag or commit hash",
            )
        })
}

fn read_file(
    src: &str,
    encoded: &str,
    path: String,
    at_ref: String,
    meta: TreeEntry,
) -> Result<Source, Error> {
    if let Some(size) = meta.size.filter(|size| *size > MAX_DOWNLOAD_BYTES) {
        return Err(Error::invalid_input(format!(
            "{path} is {size} bytes; this action reads files of at most {MAX_DOWNLOAD_BYTES} bytes"
        )));
    }
    let response = api().get(&format!("{src}{encoded}")).send()?;
    let bytes = response.bytes();
    let media_type = meta
        .mimetype
        .filter(|m| !m.is_empty())
        .or_else(|| response.header("content-type").map(str::to_string));
    let size = bytes.len() as u64;
    let mut source = Source {
        kind: kind_of(&meta.kind),
        path,
        at_ref,
        encoding: None,
        text: None,
        content_base64: None,
        size_bytes: Some(size),
        media_type,
        truncated: None,
        entries: None,
        next_cursor: None,
    };
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => {
            let mut end = text.len().min(MAX_TEXT_BYTES);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            source.encoding = Some(Encoding::Text);
            source.text = Some(text[..end].to_string());
            source.truncated = Some(end < text.len());
        }
        _ => {
            if bytes.len() > MAX_BINARY_BYTES {
                return Err(Error::invalid_input(format!(
                    "{} is a binary file of {size} bytes; this action returns binary files of at most {MAX_BINARY_BYTES} bytes",
                    source.path
                )));
            }
            source.encoding = Some(Encoding::Base64);
            source.content_base64 = Some(files::encode(bytes));
        }
    }
    Ok(source)
}

/// Checks the new credential with `GET /user` (a refused one is not stored) and labels the
/// account with the user's display name and username.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let user: Value = api().get("/user").send()?.json()?;
    let text = |name: &str| {
        user.get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let handle = text("username").or_else(|| text("nickname"));
    Ok(match (text("display_name"), handle) {
        (Some(name), Some(handle)) if name != handle => {
            ConnectedAccount::labelled(format!("{name} ({handle})"))
        }
        (Some(name), _) => ConnectedAccount::labelled(name),
        (None, Some(handle)) => ConnectedAccount::labelled(handle),
        (None, None) => ConnectedAccount::default(),
    })
}

/// The scopes asked for when the operator configures none: every action's.
pub const DEFAULT_SCOPES: &[&str] = &[
    REPOSITORY,
    PULLREQUEST,
    PULLREQUEST_WRITE,
    PIPELINE,
    ACCOUNT,
];

pub fn provider() -> Provider {
    Provider::new("bitbucket", "Bitbucket")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Repositories, pull requests (list, read, open, comment, merge), commits, files and pipelines on Bitbucket Cloud.")
        .categories(&["engineering", "developer_tools"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://bitbucket.org/site/oauth2/authorize", "https://bitbucket.org/site/oauth2/access_token")
                .scopes(DEFAULT_SCOPES)
                .without_pkce()
                .client_auth_basic(),
        ))
        .alternative_auth(Auth::basic(
            "Atlassian account e-mail",
            "API token (id.atlassian.com → Security → Create and manage API tokens → Create API token with scopes, app Bitbucket)",
        ))
        .origin(ORIGIN)
        .after_connect(after_connect)
        .action(Action::new(
            "BITBUCKET_LIST_REPOSITORIES",
            "List the repositories of a workspace that the user can see, optionally filtered by the user's role, a query (`name ~ \"api\"`, `project.key = \"PROJ\"`) and sorted (`-updated_on`). Use to find a repository's slug before acting on it. Returns `items` (each with `slug`, `full_name`, `name`, `description`, `is_private`, `mainbranch`, `project`, `language`, `updated_on` and `links`), `size` (the total) and `next_cursor` (pass it as `cursor` for the next page; null on the last).",
            list_repositories,
        ).read_only().scopes(&[REPOSITORY]))
        .action(Action::new(
            "BITBUCKET_GET_REPOSITORY",
            "Get one repository's details: full name, description, privacy, main branch, project, language, size, dates, owner and links (clone URLs, web page).",
            get_repository,
        ).read_only().scopes(&[REPOSITORY]))
        .action(Action::new(
            "BITBUCKET_LIST_PULL_REQUESTS",
            "List a repository's pull requests, open ones by default or by `state` (OPEN, MERGED, DECLINED, SUPERSEDED). Returns `items` (each with `id`, `title`, `state`, `author`, `source` and `destination` branches, `created_on`, `updated_on`, `comment_count` and `links`; no description or reviewers: read one with BITBUCKET_GET_PULL_REQUEST), `size` and `next_cursor` (pass it as `cursor` for the next page; null on the last).",
            list_pull_requests,
        ).read_only().scopes(&[PULLREQUEST]))
        .action(Action::new(
            "BITBUCKET_GET_PULL_REQUEST",
            "Get one pull request by id, in full: title, description, state, author, source and destination branches and commits, reviewers, participants with their approvals, merge commit, close_source_branch, comment and task counts, dates and links.",
            get_pull_request,
        ).read_only().scopes(&[PULLREQUEST]))
        .action(Action::new(
            "BITBUCKET_CREATE_PULL_REQUEST",
            "Open a pull request to merge `source_branch` into `destination_branch` (the main branch by default), with a title, Markdown description, reviewers and options; the source branch must already exist (in a fork with `source_repository`). Returns the created pull request with its `id` and `links.html`.",
            create_pull_request,
        ).scopes(&[PULLREQUEST_WRITE]))
        .action(Action::new(
            "BITBUCKET_ADD_PULL_REQUEST_COMMENT",
            "Add a Markdown comment to a pull request: on the whole pull request, on one line of a file in its diff (`inline_path` with `inline_to_line` or `inline_from_line`), or as a reply to another comment (`parent_comment_id`). Returns the created comment with its `id`.",
            add_pull_request_comment,
        ).scopes(&[PULLREQUEST]))
        .action(Action::new(
            "BITBUCKET_MERGE_PULL_REQUEST",
            "Merge an open pull request into its destination branch with a merge strategy (`merge_commit`, `squash`, `fast_forward`) and optional commit message; this changes the destination branch and cannot be undone. Fails when the pull request is not open or not mergeable (conflicts, failed merge checks, a strategy the branch does not allow). Returns the merged pull request (state MERGED, with `merge_commit`), or `state: MERGING` when Bitbucket finishes the merge in the background.",
            merge_pull_request,
        ).destructive().scopes(&[PULLREQUEST_WRITE]))
        .action(Action::new(
            "BITBUCKET_LIST_COMMITS",
            "List a repository's commits, newest first: those reachable from `revision` (a branch, tag or hash) or of every branch. Returns `items` (each with `hash`, `message`, `author` (`raw` name and e-mail, and `user` when linked to an account), `date`, `parents` and `links`) and `next_cursor` (pass it as `cursor` for older commits; null on the last page).",
            list_commits,
        ).read_only().scopes(&[REPOSITORY]))
        .action(Action::new(
            "BITBUCKET_GET_FILE",
            "Read a file or list a directory of a repository at a branch, tag or commit (the main branch by default). A text file comes back as `text` (UTF-8, at most 200,000 bytes, `truncated` says if it was cut), a binary file as `content_base64` (at most 1 MiB) with its `media_type`, a directory as `entries` (path, kind, size) with `next_cursor` for more.",
            get_file,
        ).read_only().scopes(&[REPOSITORY]))
        .action(Action::new(
            "BITBUCKET_LIST_PIPELINES",
            "List a repository's Bitbucket Pipelines runs, newest first. Returns `items` (each with `uuid`, `build_number`, `state` (`name` PENDING / IN_PROGRESS / COMPLETED, and `result.name` SUCCESSFUL / FAILED / STOPPED / ERROR when completed), `target` (branch or tag, commit), `trigger`, `creator`, `created_on`, `completed_on`, `duration_in_seconds`), `size` and `next_cursor` (pass it as `cursor` for older runs; null on the last page).",
            list_pipelines,
        ).read_only().scopes(&[PIPELINE]))
}

actionhost_sdk::export_provider!(provider);
