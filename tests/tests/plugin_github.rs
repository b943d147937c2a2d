//! The bundled GitHub plugin, through the real runtime: the exact requests it sends (checked by
//! a loopback stand-in and by Prism with GitHub's own OpenAPI description) and how GitHub's
//! errors reach the caller.

use actionhost::credentials::SecretString;
use actionhost::runtime::{ActionError, CallContext, CallError, CallLimits, LoadedPlugin, Runtime};
use actionhost_e2e::prism::{Prism, prepare_specs};
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::{bundled, load, runtime};
use serde_json::{Value, json};

async fn github(upstream: &str) -> (Runtime, LoadedPlugin) {
    let runtime = runtime(&format!("https://api.github.com={upstream}"));
    let plugin = load(&runtime, bundled("github.wasm"), CallLimits::default()).await;
    (runtime, plugin)
}

fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: vec!["repo".into()],
        credential: Some(SecretString::new("gho_alice_token")),
        ..Default::default()
    }
}

/// Runs one action against a stand-in answering `reply`; returns the output and the request.
async fn run(action: &str, params: Value, reply: Reply) -> (Result<Value, CallError>, Recorded) {
    let upstream = StandIn::start(move |_| reply.clone()).await;
    let (runtime, plugin) = github(&upstream.url()).await;
    let (result, _) = runtime.execute(&plugin, action, &params, &alice()).await;
    (result, upstream.single())
}

fn assert_github_headers(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some("Bearer gho_alice_token")
    );
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(request.header("user-agent"), Some("actionhost-github"));
}

#[tokio::test]
async fn create_issue_posts_the_issue_and_returns_githubs_response() {
    let created = json!({"number": 42, "html_url": "https://github.com/octo/hello/issues/42"});
    let (result, request) = run(
        "GITHUB_CREATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "title": "Crash on start", "body": "Steps...", "labels": ["bug"]}),
        Reply::json(201, created.clone()),
    )
    .await;
    assert_eq!(result.unwrap(), created);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/repos/octo/hello/issues");
    assert_eq!(request.query, None);
    assert_github_headers(&request);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"title": "Crash on start", "body": "Steps...", "labels": ["bug"]})
    );
}

#[tokio::test]
async fn get_issue_reads_one_issue_by_number() {
    let (result, request) = run(
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7}),
        Reply::json(200, json!({"number": 7})),
    )
    .await;
    assert_eq!(result.unwrap()["number"], 7);
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello/issues/7");
    assert_github_headers(&request);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn list_issues_passes_only_the_given_filters() {
    let (result, request) = run(
        "GITHUB_LIST_ISSUES",
        json!({"owner": "octo", "repo": "hello", "state": "closed", "labels": "bug,ui", "per_page": 50}),
        Reply::json(200, json!([])),
    )
    .await;
    assert_eq!(result.unwrap(), json!([]));
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello/issues");
    assert_eq!(
        request.query.as_deref(),
        Some("state=closed&labels=bug%2Cui&per_page=50")
    );
    assert_github_headers(&request);
}

#[tokio::test]
async fn update_issue_patches_only_the_given_fields() {
    let (result, request) = run(
        "GITHUB_UPDATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7, "state": "closed", "state_reason": "not_planned"}),
        Reply::json(200, json!({"state": "closed"})),
    )
    .await;
    assert_eq!(result.unwrap()["state"], "closed");
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.path, "/repos/octo/hello/issues/7");
    assert_github_headers(&request);
    assert_eq!(
        request.json(),
        json!({"state": "closed", "state_reason": "not_planned"})
    );
}

#[tokio::test]
async fn create_issue_comment_posts_the_body() {
    let (result, request) = run(
        "GITHUB_CREATE_ISSUE_COMMENT",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7, "body": "On it."}),
        Reply::json(201, json!({"id": 1})),
    )
    .await;
    assert_eq!(result.unwrap()["id"], 1);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/repos/octo/hello/issues/7/comments");
    assert_github_headers(&request);
    assert_eq!(request.json(), json!({"body": "On it."}));
}

#[tokio::test]
async fn get_repository_encodes_the_path_segments() {
    let (result, request) = run(
        "GITHUB_GET_REPOSITORY",
        json!({"owner": "octo", "repo": "hello.world"}),
        Reply::json(200, json!({"full_name": "octo/hello.world"})),
    )
    .await;
    assert_eq!(result.unwrap()["full_name"], "octo/hello.world");
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello.world");
    assert_github_headers(&request);
}

#[tokio::test]
async fn list_repositories_lists_the_users_repositories() {
    let (result, request) = run(
        "GITHUB_LIST_REPOSITORIES",
        json!({"sort": "full_name", "per_page": 10, "page": 2}),
        Reply::json(200, json!([{"id": 1}])),
    )
    .await;
    assert_eq!(result.unwrap(), json!([{"id": 1}]));
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/user/repos");
    assert_eq!(
        request.query.as_deref(),
        Some("sort=full_name&per_page=10&page=2")
    );
    assert_github_headers(&request);
}

#[tokio::test]
async fn create_pull_request_posts_head_and_base() {
    let (result, request) = run(
        "GITHUB_CREATE_PULL_REQUEST",
        json!({"owner": "octo", "repo": "hello", "title": "Fix crash", "head": "fix-crash", "base": "main", "draft": true}),
        Reply::json(201, json!({"number": 8})),
    )
    .await;
    assert_eq!(result.unwrap()["number"], 8);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/repos/octo/hello/pulls");
    assert_github_headers(&request);
    assert_eq!(
        request.json(),
        json!({"title": "Fix crash", "head": "fix-crash", "base": "main", "draft": true})
    );
}

#[tokio::test]
async fn search_issues_sends_the_query_encoded() {
    let (result, request) = run(
        "GITHUB_SEARCH_ISSUES",
        json!({"q": "repo:octo/hello is:open crash", "order": "desc", "sort": "updated"}),
        Reply::json(200, json!({"total_count": 0, "items": []})),
    )
    .await;
    assert_eq!(result.unwrap()["total_count"], 0);
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/search/issues");
    assert_eq!(
        request.query.as_deref(),
        Some("q=repo%3Aocto%2Fhello%20is%3Aopen%20crash&sort=updated&order=desc")
    );
    assert_github_headers(&request);
}

#[tokio::test]
async fn githubs_errors_keep_their_status_and_message() {
    let body = json!({"message": "Validation Failed", "errors": [{"field": "title", "code": "missing_field"}]});
    let (result, _) = run(
        "GITHUB_CREATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "title": ""}),
        Reply::json(422, body.clone()),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 422,
            message: "Validation Failed".into(),
            body: Some(body.to_string())
        })
    );

    let (result, _) = run(
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 1}),
        Reply::json(401, json!({"message": "Bad credentials"})),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized("Bad credentials".into()))
    );

    let (result, _) = run(
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 1}),
        Reply::json(429, json!({"message": "API rate limit exceeded"})).header("retry-after", "60"),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "API rate limit exceeded".into(),
            retry_after_seconds: Some(60)
        })
    );
}

/// Every action, run against Prism serving GitHub's own OpenAPI description: Prism answers 4xx
/// to a request that violates the description, which the plugin reports as an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_sends_requests_that_githubs_openapi_description_accepts() {
    let specs = tempfile::tempdir().unwrap();
    prepare_specs(specs.path());
    let prism = Prism::start(&specs.path().join("github.json"));
    let (runtime, plugin) = github(&prism.url()).await;
    let calls = [
        (
            "GITHUB_CREATE_ISSUE",
            json!({"owner": "o", "repo": "r", "title": "t", "body": "b", "labels": ["bug"], "assignees": ["a"], "milestone": 1}),
        ),
        (
            "GITHUB_GET_ISSUE",
            json!({"owner": "o", "repo": "r", "issue_number": 1}),
        ),
        (
            "GITHUB_LIST_ISSUES",
            json!({"owner": "o", "repo": "r", "state": "all", "labels": "bug", "assignee": "none", "since": "2024-01-31T00:00:00Z", "per_page": 100, "page": 2}),
        ),
        (
            "GITHUB_UPDATE_ISSUE",
            json!({"owner": "o", "repo": "r", "issue_number": 1, "title": "t", "state": "closed", "state_reason": "completed", "labels": ["x"], "assignees": []}),
        ),
        (
            "GITHUB_CREATE_ISSUE_COMMENT",
            json!({"owner": "o", "repo": "r", "issue_number": 1, "body": "hi"}),
        ),
        ("GITHUB_GET_REPOSITORY", json!({"owner": "o", "repo": "r"})),
        (
            "GITHUB_LIST_REPOSITORIES",
            json!({"visibility": "all", "affiliation": "owner,collaborator", "sort": "pushed", "per_page": 5, "page": 1}),
        ),
        (
            "GITHUB_CREATE_PULL_REQUEST",
            json!({"owner": "o", "repo": "r", "title": "t", "head": "feature", "base": "main", "body": "b", "draft": false, "maintainer_can_modify": true}),
        ),
        (
            "GITHUB_SEARCH_ISSUES",
            json!({"q": "is:open repo:o/r", "sort": "comments", "order": "asc", "per_page": 1, "page": 1}),
        ),
    ];
    let actions: Vec<&str> = calls.iter().map(|(a, _)| *a).collect();
    let mut declared: Vec<&str> = plugin.actions.iter().map(|a| a.name.as_str()).collect();
    declared.sort();
    let mut covered = actions.clone();
    covered.sort();
    assert_eq!(
        covered, declared,
        "every GitHub action is checked against the description"
    );
    for (action, params) in calls {
        let (result, report) = runtime.execute(&plugin, action, &params, &alice()).await;
        assert!(
            result.is_ok(),
            "{action}: GitHub's description rejected the request: {result:?}"
        );
        assert_eq!(report.upstream_calls, 1, "{action}");
    }

    // The check can fail: a request that breaks the description is refused by Prism.
    let broken = runtime
        .execute(
            &plugin,
            "GITHUB_LIST_ISSUES",
            &json!({"owner": "o", "repo": "r", "since": "not-a-date"}),
            &alice(),
        )
        .await
        .0;
    assert!(
        matches!(
            broken,
            Err(CallError::Action(ActionError::Upstream { status: 422, .. }))
        ),
        "Prism accepted an invalid `since`: {broken:?}"
    );
}
