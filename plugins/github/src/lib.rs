//! GitHub provider: issues, comments, repositories, pull requests and issue search through
//! GitHub's REST API (<https://docs.github.com/rest>), API version 2022-11-28.

use actionhost_sdk::http::segment;
use actionhost_sdk::prelude::*;

/// GitHub's JSON answered as it is: checked to be JSON, never rebuilt (fast for large bodies).
type Passthrough = Box<serde_json::value::RawValue>;

const API: &str = "https://api.github.com";

/// Every GitHub request carries these (GitHub's REST docs ask for all three).
fn github(request: Request) -> Request {
    request
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header("User-Agent", "actionhost-github")
}

fn repo_url(owner: &str, repo: &str, rest: &str) -> String {
    format!("{API}/repos/{}/{}{rest}", segment(owner), segment(repo))
}

/// A repository, named by its owner and name.
#[derive(Deserialize, JsonSchema)]
struct Repo {
    /// Account that owns the repository (user or organization), e.g. `octocat`.
    owner: String,
    /// Repository name without the owner, e.g. `hello-world`.
    repo: String,
}

#[derive(Deserialize, JsonSchema)]
struct CreateIssue {
    /// Account that owns the repository, e.g. `octocat`.
    owner: String,
    /// Repository name, e.g. `hello-world`.
    repo: String,
    /// Title of the issue.
    title: String,
    /// Body of the issue, in GitHub Markdown.
    body: Option<String>,
    /// Logins of users to assign.
    assignees: Option<Vec<String>>,
    /// Label names to add.
    labels: Option<Vec<String>>,
    /// Number of the milestone to associate.
    milestone: Option<u64>,
}

fn create_issue(input: CreateIssue, _: &Context) -> Result<Passthrough, Error> {
    let mut body = json!({ "title": input.title });
    insert_opt(&mut body, "body", input.body);
    insert_opt(&mut body, "assignees", input.assignees);
    insert_opt(&mut body, "labels", input.labels);
    insert_opt(&mut body, "milestone", input.milestone);
    github(Request::post(repo_url(
        &input.owner,
        &input.repo,
        "/issues",
    )))
    .json(&body)
    .send()?
    .json()
}

#[derive(Deserialize, JsonSchema)]
struct IssueRef {
    /// Account that owns the repository.
    owner: String,
    /// Repository name.
    repo: String,
    /// The issue's number in the repository (as shown after `#`).
    issue_number: u64,
}

fn get_issue(input: IssueRef, _: &Context) -> Result<Passthrough, Error> {
    let path = format!("/issues/{}", input.issue_number);
    github(Request::get(repo_url(&input.owner, &input.repo, &path)))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum IssueState {
    Open,
    Closed,
    All,
}

impl IssueState {
    fn as_str(&self) -> &'static str {
        match self {
            IssueState::Open => "open",
            IssueState::Closed => "closed",
            IssueState::All => "all",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct ListIssues {
    /// Account that owns the repository.
    owner: String,
    /// Repository name.
    repo: String,
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

fn list_issues(input: ListIssues, _: &Context) -> Result<Passthrough, Error> {
    github(Request::get(repo_url(&input.owner, &input.repo, "/issues")))
        .query_opt("state", input.state.as_ref().map(IssueState::as_str))
        .query_opt("labels", input.labels)
        .query_opt("assignee", input.assignee)
        .query_opt("since", input.since)
        .query_opt("per_page", input.per_page)
        .query_opt("page", input.page)
        .send()?
        .json()
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

#[derive(Deserialize, JsonSchema)]
struct UpdateIssue {
    /// Account that owns the repository.
    owner: String,
    /// Repository name.
    repo: String,
    /// The issue's number.
    issue_number: u64,
    /// New title.
    title: Option<String>,
    /// New body (replaces the old one).
    body: Option<String>,
    /// `closed` to close the issue, `open` to reopen it.
    state: Option<OpenOrClosed>,
    /// Why the state changed.
    state_reason: Option<StateReason>,
    /// Replaces all labels with these names.
    labels: Option<Vec<String>>,
    /// Replaces all assignees with these logins.
    assignees: Option<Vec<String>>,
}

fn update_issue(input: UpdateIssue, _: &Context) -> Result<Passthrough, Error> {
    let mut body = json!({});
    insert_opt(&mut body, "title", input.title);
    insert_opt(&mut body, "body", input.body);
    insert_opt(&mut body, "state", input.state);
    insert_opt(&mut body, "state_reason", input.state_reason);
    insert_opt(&mut body, "labels", input.labels);
    insert_opt(&mut body, "assignees", input.assignees);
    let path = format!("/issues/{}", input.issue_number);
    github(Request::patch(repo_url(&input.owner, &input.repo, &path)))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct CreateComment {
    /// Account that owns the repository.
    owner: String,
    /// Repository name.
    repo: String,
    /// Number of the issue or pull request to comment on.
    issue_number: u64,
    /// The comment, in GitHub Markdown.
    body: String,
}

fn create_issue_comment(input: CreateComment, _: &Context) -> Result<Passthrough, Error> {
    let path = format!("/issues/{}/comments", input.issue_number);
    github(Request::post(repo_url(&input.owner, &input.repo, &path)))
        .json(&json!({ "body": input.body }))
        .send()?
        .json()
}

fn get_repository(input: Repo, _: &Context) -> Result<Passthrough, Error> {
    github(Request::get(repo_url(&input.owner, &input.repo, "")))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum RepoSort {
    Created,
    Updated,
    Pushed,
    FullName,
}

#[derive(Deserialize, JsonSchema)]
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

fn list_repositories(input: ListRepositories, _: &Context) -> Result<Passthrough, Error> {
    let sort = input.sort.map(|s| match s {
        RepoSort::Created => "created",
        RepoSort::Updated => "updated",
        RepoSort::Pushed => "pushed",
        RepoSort::FullName => "full_name",
    });
    github(Request::get(format!("{API}/user/repos")))
        .query_opt("visibility", input.visibility)
        .query_opt("affiliation", input.affiliation)
        .query_opt("sort", sort)
        .query_opt("per_page", input.per_page)
        .query_opt("page", input.page)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct CreatePullRequest {
    /// Account that owns the repository.
    owner: String,
    /// Repository name.
    repo: String,
    /// Title of the pull request.
    title: String,
    /// Branch with the changes; `username:branch` for a branch in a fork.
    head: String,
    /// Branch to merge into, e.g. `main`.
    base: String,
    /// Description, in GitHub Markdown.
    body: Option<String>,
    /// Open as a draft pull request.
    draft: Option<bool>,
    /// Let maintainers push to the head branch.
    maintainer_can_modify: Option<bool>,
}

fn create_pull_request(input: CreatePullRequest, _: &Context) -> Result<Passthrough, Error> {
    let mut body = json!({ "title": input.title, "head": input.head, "base": input.base });
    insert_opt(&mut body, "body", input.body);
    insert_opt(&mut body, "draft", input.draft);
    insert_opt(
        &mut body,
        "maintainer_can_modify",
        input.maintainer_can_modify,
    );
    github(Request::post(repo_url(&input.owner, &input.repo, "/pulls")))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Order {
    Asc,
    Desc,
}

#[derive(Deserialize, JsonSchema)]
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

fn search_issues(input: SearchIssues, _: &Context) -> Result<Passthrough, Error> {
    let order = input.order.map(|o| match o {
        Order::Asc => "asc",
        Order::Desc => "desc",
    });
    github(Request::get(format!("{API}/search/issues")))
        .query("q", input.q)
        .query_opt("sort", input.sort)
        .query_opt("order", order)
        .query_opt("per_page", input.per_page)
        .query_opt("page", input.page)
        .send()?
        .json()
}

fn insert_opt<T: Serialize>(body: &mut Value, key: &str, value: Option<T>) {
    if let Some(value) = value {
        body[key] = serde_json::to_value(value).expect("plain values serialize");
    }
}

pub fn provider() -> Provider {
    Provider::new("github", "GitHub")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Issues, pull requests and repositories on GitHub.")
        .categories(&["engineering", "developer_tools"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token")
                .scopes(&["repo", "read:user"]),
        ))
        .origin(API)
        .action(Action::new(
            "GITHUB_CREATE_ISSUE",
            "Create a new issue in a GitHub repository. Use to report a bug, request a feature or track a task; returns the created issue with its number and URL.",
            create_issue,
        ))
        .action(Action::new(
            "GITHUB_GET_ISSUE",
            "Get one issue (or pull request) of a repository by its number, with its title, body, state, labels and assignees.",
            get_issue,
        ).read_only())
        .action(Action::new(
            "GITHUB_LIST_ISSUES",
            "List issues of a repository, filtered by state, labels, assignee or update time. Pull requests are included (they have a `pull_request` key). Paginate with `page`.",
            list_issues,
        ).read_only())
        .action(Action::new(
            "GITHUB_UPDATE_ISSUE",
            "Change an existing issue: its title, body, labels or assignees, or close/reopen it with `state`. Only the fields given are changed.",
            update_issue,
        ).idempotent())
        .action(Action::new(
            "GITHUB_CREATE_ISSUE_COMMENT",
            "Add a comment to an issue or pull request. Use to reply in a discussion or leave a status update.",
            create_issue_comment,
        ))
        .action(Action::new(
            "GITHUB_GET_REPOSITORY",
            "Get a repository's details: description, default branch, visibility, stars, open issue count and URLs.",
            get_repository,
        ).read_only())
        .action(Action::new(
            "GITHUB_LIST_REPOSITORIES",
            "List repositories the authenticated user can access (own, collaborator, organization member). Use to discover which repositories exist before acting on one.",
            list_repositories,
        ).read_only())
        .action(Action::new(
            "GITHUB_CREATE_PULL_REQUEST",
            "Open a pull request to merge `head` into `base` in a repository. The head branch must already exist and differ from base.",
            create_pull_request,
        ))
        .action(Action::new(
            "GITHUB_SEARCH_ISSUES",
            "Search issues and pull requests across GitHub with GitHub's search syntax (qualifiers like `repo:`, `is:open`, `label:`, `author:`). Use to find issues when the number is not known.",
            search_issues,
        ).read_only())
}

actionhost_sdk::export_provider!(provider);
