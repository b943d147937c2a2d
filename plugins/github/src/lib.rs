//! GitHub provider: issues, comments, repositories, pull requests and issue search through
//! GitHub's REST API (<https://docs.github.com/rest>), API version 2022-11-28.

use actionhost_sdk::prelude::*;

/// Every GitHub request carries these (GitHub's REST docs ask for all three).
fn api() -> Api {
    Api::new("https://api.github.com")
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header("User-Agent", "actionhost-github")
        .errors(rate_limit)
}

/// GitHub signals an exhausted rate limit with 403 (or 429) and `x-ratelimit-remaining: 0`
/// (primary limit, reset at the epoch second `x-ratelimit-reset`) or with `retry-after`
/// (secondary limit). Other statuses keep the SDK's mapping.
fn rate_limit(response: &Response) -> Option<Error> {
    let status = response.status();
    let exhausted = response.header("x-ratelimit-remaining") == Some("0");
    let retry_after = response.seconds("retry-after");
    if !(status == 403 || status == 429) || !(exhausted || retry_after.is_some()) {
        return None;
    }
    let until_reset = || {
        let reset = u64::from(response.seconds("x-ratelimit-reset")?);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        u32::try_from(reset.saturating_sub(now)).ok()
    };
    let message = actionhost_sdk::http::provider_message(response.bytes())
        .unwrap_or_else(|| "GitHub rate limit exceeded".into());
    Some(Error::rate_limited(
        message,
        retry_after.or_else(until_reset),
    ))
}

// A repository, named by its owner and name (no doc comment: flattened into inputs).
#[derive(Deserialize, JsonSchema)]
struct Repo {
    /// Account that owns the repository (user or organization), e.g. `octocat`.
    owner: String,
    /// Repository name without the owner, e.g. `hello-world`.
    repo: String,
}

impl Repo {
    fn path(&self, rest: &str) -> String {
        path!("/repos/{}/{}", self.owner, self.repo) + rest
    }
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateIssue {
    #[serde(flatten, skip_serializing)]
    at: Repo,
    /// Title of the issue.
    title: String,
    /// Body of the issue, in GitHub Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    /// Logins of users to assign.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignees: Option<Vec<String>>,
    /// Label names to add.
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Number of the milestone to associate.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone: Option<u64>,
}

fn create_issue(input: CreateIssue, _: &Context) -> Result<Passthrough, Error> {
    api()
        .post(&input.at.path("/issues"))
        .json(&input)
        .send()?
        .json()
}

// An issue or pull request, named by its repository and number.
#[derive(Deserialize, JsonSchema)]
struct IssueRef {
    #[serde(flatten)]
    at: Repo,
    /// The issue's number in the repository (as shown after `#`).
    issue_number: u64,
}

impl IssueRef {
    fn path(&self, rest: &str) -> String {
        self.at
            .path(&format!("/issues/{}{rest}", self.issue_number))
    }
}

fn get_issue(input: IssueRef, _: &Context) -> Result<Passthrough, Error> {
    api().get(&input.path("")).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum IssueState {
    Open,
    Closed,
    All,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct ListIssues {
    #[serde(flatten, skip_serializing)]
    at: Repo,
    /// Which issues to list by state; GitHub's default is `open`.
    state: Option<IssueState>,
    /// Comma-separated label names; only issues with all of them are listed.
    labels: Option<String>,
    /// Login of an assignee, `none` for unassigned or `*` for any.
    assignee: Option<String>,
    /// Only issues updated at or after this time (ISO 8601, e.g. `2024-01-31T00:00:00Z`).
    since: Option<String>,
    /// Results per page, 1 to 100 (default 30).
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1.
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

/// One page of a GitHub list, passed on as GitHub sent it, and the number of the next page.
#[derive(Serialize, JsonSchema)]
struct Listed {
    /// The items of this page, as GitHub returns them.
    items: Passthrough,
    /// The `page` to ask for next, from GitHub's `Link` header; `null` on the last page.
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

/// The `page` parameter of the `Link` header's next URL.
fn next_page(response: &Response) -> Option<u32> {
    actionhost_sdk::http::query_param(&response.next_link()?, "page")?
        .parse()
        .ok()
}

fn list_issues(input: ListIssues, _: &Context) -> Result<Listed, Error> {
    Listed::from(api().get(&input.at.path("/issues")).query(&input).send()?)
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum OpenOrClosed {
    Open,
    Closed,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StateReason {
    Completed,
    NotPlanned,
    Reopened,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct UpdateIssue {
    #[serde(flatten, skip_serializing)]
    issue: IssueRef,
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    /// New body (replaces the old one).
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    /// `closed` to close the issue, `open` to reopen it.
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<OpenOrClosed>,
    /// Why the state changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<StateReason>,
    /// Replaces all labels with these names.
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    /// Replaces all assignees with these logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignees: Option<Vec<String>>,
}

fn update_issue(input: UpdateIssue, _: &Context) -> Result<Passthrough, Error> {
    api()
        .patch(&input.issue.path(""))
        .json(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateComment {
    #[serde(flatten, skip_serializing)]
    issue: IssueRef,
    /// The comment, in GitHub Markdown.
    body: String,
}

fn create_issue_comment(input: CreateComment, _: &Context) -> Result<Passthrough, Error> {
    api()
        .post(&input.issue.path("/comments"))
        .json(&input)
        .send()?
        .json()
}

fn get_repository(input: Repo, _: &Context) -> Result<Passthrough, Error> {
    api().get(&input.path("")).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum RepoSort {
    Created,
    Updated,
    Pushed,
    FullName,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct ListRepositories {
    /// `all`, `public` or `private`.
    visibility: Option<String>,
    /// Comma-separated: `owner`, `collaborator`, `organization_member`.
    affiliation: Option<String>,
    /// Sort order field; GitHub's default is `full_name`.
    sort: Option<RepoSort>,
    /// Results per page, 1 to 100 (default 30).
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1.
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

fn list_repositories(input: ListRepositories, _: &Context) -> Result<Listed, Error> {
    Listed::from(api().get("/user/repos").query(&input).send()?)
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct CreatePullRequest {
    #[serde(flatten, skip_serializing)]
    at: Repo,
    /// Title of the pull request.
    title: String,
    /// Branch with the changes; `username:branch` for a branch in a fork.
    head: String,
    /// Branch to merge into, e.g. `main`.
    base: String,
    /// Description, in GitHub Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    /// Open as a draft pull request.
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<bool>,
    /// Let maintainers push to the head branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    maintainer_can_modify: Option<bool>,
}

fn create_pull_request(input: CreatePullRequest, _: &Context) -> Result<Passthrough, Error> {
    api()
        .post(&input.at.path("/pulls"))
        .json(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Order {
    Asc,
    Desc,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct SearchIssues {
    /// GitHub search query with qualifiers, e.g. `repo:octocat/hello-world is:open label:bug crash`.
    q: String,
    /// `comments`, `reactions`, `created`, `updated`, ... (default: best match).
    sort: Option<String>,
    /// Sort direction when `sort` is given.
    order: Option<Order>,
    /// Results per page, 1 to 100 (default 30).
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
    /// Page number, from 1.
    #[schemars(range(min = 1))]
    page: Option<u32>,
}

/// A page of search results as GitHub sends them, and the number of the next page.
#[derive(Serialize, JsonSchema)]
struct Found {
    /// How many issues match in all.
    total_count: u64,
    /// Whether GitHub stopped searching early (a timeout): more may match.
    incomplete_results: bool,
    /// The issues and pull requests of this page, as GitHub returns them.
    items: Passthrough,
    /// The `page` to ask for next, from GitHub's `Link` header; `null` on the last page.
    next_page: Option<u32>,
}

fn search_issues(input: SearchIssues, _: &Context) -> Result<Found, Error> {
    #[derive(Deserialize)]
    struct Answer {
        total_count: u64,
        incomplete_results: bool,
        items: Passthrough,
    }
    let response = api().get("/search/issues").query(&input).send()?;
    let answer: Answer = response.json()?;
    Ok(Found {
        total_count: answer.total_count,
        incomplete_results: answer.incomplete_results,
        items: answer.items,
        next_page: next_page(&response),
    })
}

/// The account is shown by its GitHub login.
/// Checks the new credential with `GET /user` (a refused one is not stored) and labels the
/// account with the user's login.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let user: Value = api().get("/user").send()?.json()?;
    Ok(match user.get("login").and_then(Value::as_str) {
        Some(login) => ConnectedAccount::labelled(login),
        None => ConnectedAccount::default(),
    })
}

/// Writing to a repository needs `repo`, or `public_repo` for public repositories only.
/// Reads need no scope for public repositories (`repo` for private ones), so they declare none.
const WRITE: &[&str] = &["repo", "public_repo"];

pub fn provider() -> Provider {
    Provider::new("github", "GitHub")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Issues, pull requests and repositories on GitHub.")
        .categories(&["engineering", "developer_tools"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token")
                .scopes(&["repo", "read:user"]),
        ))
        .origin("https://api.github.com")
        .after_connect(after_connect)
        .action(Action::new(
            "GITHUB_CREATE_ISSUE",
            "Create a new issue in a GitHub repository. Use to report a bug, request a feature or track a task; returns the created issue with its number and URL.",
            create_issue,
        ).any_scope(WRITE))
        .action(Action::new(
            "GITHUB_GET_ISSUE",
            "Get one issue (or pull request) of a repository by its number, with its title, body, state, labels and assignees.",
            get_issue,
        ).read_only())
        .action(Action::new(
            "GITHUB_LIST_ISSUES",
            "List issues of a repository, filtered by state, labels, assignee or update time. Pull requests are included (they have a `pull_request` key). Returns `items` and `next_page`: pass it as `page` for more (null on the last page).",
            list_issues,
        ).read_only())
        .action(Action::new(
            "GITHUB_UPDATE_ISSUE",
            "Change an existing issue: its title, body, labels or assignees, or close/reopen it with `state`. Only the fields given are changed.",
            update_issue,
        ).idempotent().any_scope(WRITE))
        .action(Action::new(
            "GITHUB_CREATE_ISSUE_COMMENT",
            "Add a comment to an issue or pull request. Use to reply in a discussion or leave a status update.",
            create_issue_comment,
        ).any_scope(WRITE))
        .action(Action::new(
            "GITHUB_GET_REPOSITORY",
            "Get a repository's details: description, default branch, visibility, stars, open issue count and URLs.",
            get_repository,
        ).read_only())
        .action(Action::new(
            "GITHUB_LIST_REPOSITORIES",
            "List repositories the authenticated user can access (own, collaborator, organization member). Use to discover which repositories exist before acting on one. Returns `items` and `next_page`: pass it as `page` for more (null on the last page).",
            list_repositories,
        ).read_only())
        .action(Action::new(
            "GITHUB_CREATE_PULL_REQUEST",
            "Open a pull request to merge `head` into `base` in a repository. The head branch must already exist and differ from base.",
            create_pull_request,
        ).any_scope(WRITE))
        .action(Action::new(
            "GITHUB_SEARCH_ISSUES",
            "Search issues and pull requests across GitHub with GitHub's search syntax (qualifiers like `repo:`, `is:open`, `label:`, `author:`). Use to find issues when the number is not known. Returns `total_count`, `items` and `next_page`: pass it as `page` for more (null on the last page).",
            search_issues,
        ).read_only())
}

actionhost_sdk::export_provider!(provider);
