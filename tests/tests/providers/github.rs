//! The bundled GitHub plugin against a stand-in that checks every request with GitHub's own
//! OpenAPI description (npm `@octokit/openapi`): the exact requests it sends and how GitHub's
//! errors reach the caller.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, GITHUB, Session, VIOLATION_STATUS};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

async fn github(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, "github.wasm").await
}

fn alice() -> CallContext {
    alice_with("gho_alice_token", &["repo"])
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &GITHUB,
        "github.wasm",
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
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
    let (result, standin) = run(
        "create_issue",
        "GITHUB_CREATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "title": "Crash on start", "body": "Steps...", "labels": ["bug"]}),
        Fixture::new(
            "POST",
            "/repos/{owner}/{repo}/issues",
            Reply::json(201, created.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), created);
    let request = standin.single().await;
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
    let (result, standin) = run(
        "get_issue",
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7}),
        Fixture::new(
            "GET",
            "/repos/octo/hello/issues/7",
            Reply::json(200, json!({"number": 7})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["number"], 7);
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello/issues/7");
    assert_github_headers(&request);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn list_issues_passes_only_the_given_filters() {
    let (result, standin) = run(
        "list_issues",
        "GITHUB_LIST_ISSUES",
        json!({"owner": "octo", "repo": "hello", "state": "closed", "labels": "bug,ui", "per_page": 50}),
        Fixture::new(
            "GET",
            "/repos/{owner}/{repo}/issues",
            Reply::json(200, json!([])),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), json!({"items": [], "next_page": null}));
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello/issues");
    assert_eq!(
        request.query.as_deref(),
        Some("state=closed&labels=bug%2Cui&per_page=50")
    );
    assert_github_headers(&request);
}

#[tokio::test]
async fn list_issues_fetches_the_page_it_is_asked_for() {
    let standin = GITHUB.session("list_issues_pages");
    standin
        .answer(
            Fixture::new(
                "GET",
                "/repos/{owner}/{repo}/issues",
                Reply::json(200, json!([{"number": 3}])).header(
                    "link",
                    r#"<https://api.github.com/repositories/1/issues?per_page=2&page=1>; rel="prev""#,
                ),
            )
            .with_query("page", "2"),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/repos/{owner}/{repo}/issues",
            Reply::json(200, json!([{"number": 1}, {"number": 2}])).header(
                "link",
                r#"<https://api.github.com/repositories/1/issues?per_page=2&page=2>; rel="next", <https://api.github.com/repositories/1/issues?per_page=2&page=2>; rel="last""#,
            ),
        ))
        .await;
    let (runtime, plugin) = github(&standin).await;
    let params = |page: Option<u32>| {
        let mut params = json!({"owner": "octo", "repo": "hello", "per_page": 2});
        if let Some(page) = page {
            params["page"] = json!(page);
        }
        params
    };
    let (first, _) = runtime
        .execute(&plugin, "GITHUB_LIST_ISSUES", &params(None), &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(
        first,
        json!({"items": [{"number": 1}, {"number": 2}], "next_page": 2})
    );
    // The agent asks for the page it was told.
    let page = first["next_page"].as_u64().map(|p| p as u32);
    let (second, _) = runtime
        .execute(&plugin, "GITHUB_LIST_ISSUES", &params(page), &alice())
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"items": [{"number": 3}], "next_page": null})
    );
    let queries: Vec<Option<String>> = standin
        .requests()
        .await
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [Some("per_page=2".into()), Some("per_page=2&page=2".into())]
    );
}

#[tokio::test]
async fn update_issue_patches_only_the_given_fields() {
    let (result, standin) = run(
        "update_issue",
        "GITHUB_UPDATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7, "state": "closed", "state_reason": "not_planned"}),
        Fixture::new(
            "PATCH",
            "/repos/octo/hello/issues/7",
            Reply::json(200, json!({"state": "closed"})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["state"], "closed");
    let request = standin.single().await;
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
    let (result, standin) = run(
        "create_issue_comment",
        "GITHUB_CREATE_ISSUE_COMMENT",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7, "body": "On it."}),
        Fixture::new(
            "POST",
            "/repos/octo/hello/issues/7/comments",
            Reply::json(201, json!({"id": 1})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["id"], 1);
    let request = standin.single().await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/repos/octo/hello/issues/7/comments");
    assert_github_headers(&request);
    assert_eq!(request.json(), json!({"body": "On it."}));
}

#[tokio::test]
async fn get_repository_encodes_the_path_segments() {
    let (result, standin) = run(
        "get_repository",
        "GITHUB_GET_REPOSITORY",
        json!({"owner": "octo", "repo": "hello.world"}),
        Fixture::new(
            "GET",
            "/repos/octo/hello.world",
            Reply::json(200, json!({"full_name": "octo/hello.world"})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["full_name"], "octo/hello.world");
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/repos/octo/hello.world");
    assert_github_headers(&request);
}

#[tokio::test]
async fn list_repositories_lists_the_users_repositories() {
    let (result, standin) = run(
        "list_repositories",
        "GITHUB_LIST_REPOSITORIES",
        json!({"sort": "full_name", "per_page": 10, "page": 2}),
        Fixture::new("GET", "/user/repos", Reply::json(200, json!([{"id": 1}]))),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"id": 1}], "next_page": null})
    );
    let request = standin.single().await;
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
    let (result, standin) = run(
        "create_pull_request",
        "GITHUB_CREATE_PULL_REQUEST",
        json!({"owner": "octo", "repo": "hello", "title": "Fix crash", "head": "fix-crash", "base": "main", "draft": true}),
        Fixture::new(
            "POST",
            "/repos/octo/hello/pulls",
            Reply::json(201, json!({"number": 8})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["number"], 8);
    let request = standin.single().await;
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
    let (result, standin) = run(
        "search_issues",
        "GITHUB_SEARCH_ISSUES",
        json!({"q": "repo:octo/hello is:open crash", "order": "desc", "sort": "updated"}),
        Fixture::new(
            "GET",
            "/search/issues",
            Reply::json(
                200,
                json!({"total_count": 0, "incomplete_results": false, "items": []}),
            ),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["total_count"], 0);
    let request = standin.single().await;
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
    let body = json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}], "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue"});
    let (result, standin) = run(
        "error_validation_failed",
        "GITHUB_CREATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "title": ""}),
        Fixture::new(
            "POST",
            "/repos/{owner}/{repo}/issues",
            Reply::json(422, body.clone()),
        ),
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
    assert_eq!(standin.single().await.json(), json!({"title": ""}));

    let (result, standin) = run(
        "error_bad_credentials",
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 1}),
        Fixture::new(
            "GET",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            Reply::json(401, json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized("Bad credentials".into()))
    );
    standin.assert_no_violations().await;

    let (result, standin) = run(
        "error_not_found",
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 404}),
        Fixture::new(
            "GET",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            Reply::json(404, json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/issues/issues#get-an-issue"})),
        ),
    )
    .await;
    assert!(
        matches!(
            result,
            Err(CallError::Action(ActionError::NotFound(ref message))) if message == "Not Found"
        ),
        "{result:?}"
    );
    standin.assert_no_violations().await;

    let (result, standin) = run(
        "error_rate_limited",
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 1}),
        Fixture::new(
            "GET",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            Reply::json(429, json!({"message": "API rate limit exceeded"}))
                .header("retry-after", "60"),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "API rate limit exceeded".into(),
            retry_after_seconds: Some(60)
        })
    );
    standin.assert_no_violations().await;
}

/// Every action with every parameter it takes, in one session: the description accepts each
/// request, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_githubs_description_accepts() {
    let standin = GITHUB.session("every_action");
    standin
        .answer(Fixture::new(
            "GET",
            "/search/issues",
            Reply::json(
                200,
                json!({"total_count": 0, "incomplete_results": false, "items": []}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::any(Reply::json(200, json!({}))))
        .await;
    let (runtime, plugin) = github(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "GITHUB_CREATE_ISSUE",
            json!({"owner": "o", "repo": "r", "title": "t", "body": "b", "labels": ["bug"], "assignees": ["a"], "milestone": 1}),
            &["POST /repos/{owner}/{repo}/issues"],
        ),
        (
            "GITHUB_GET_ISSUE",
            json!({"owner": "o", "repo": "r", "issue_number": 1}),
            &["GET /repos/{owner}/{repo}/issues/{issue_number}"],
        ),
        (
            "GITHUB_LIST_ISSUES",
            json!({"owner": "o", "repo": "r", "state": "all", "labels": "bug", "assignee": "none", "since": "2024-01-31T00:00:00Z", "per_page": 100, "page": 2}),
            &["GET /repos/{owner}/{repo}/issues"],
        ),
        (
            "GITHUB_UPDATE_ISSUE",
            json!({"owner": "o", "repo": "r", "issue_number": 1, "title": "t", "state": "closed", "state_reason": "completed", "labels": ["x"], "assignees": []}),
            &["PATCH /repos/{owner}/{repo}/issues/{issue_number}"],
        ),
        (
            "GITHUB_CREATE_ISSUE_COMMENT",
            json!({"owner": "o", "repo": "r", "issue_number": 1, "body": "hi"}),
            &["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"],
        ),
        (
            "GITHUB_GET_REPOSITORY",
            json!({"owner": "o", "repo": "r"}),
            &["GET /repos/{owner}/{repo}"],
        ),
        (
            "GITHUB_LIST_REPOSITORIES",
            json!({"visibility": "all", "affiliation": "owner,collaborator", "sort": "pushed", "per_page": 5, "page": 1}),
            &["GET /user/repos"],
        ),
        (
            "GITHUB_CREATE_PULL_REQUEST",
            json!({"owner": "o", "repo": "r", "title": "t", "head": "feature", "base": "main", "body": "b", "draft": false, "maintainer_can_modify": true}),
            &["POST /repos/{owner}/{repo}/pulls"],
        ),
        (
            "GITHUB_SEARCH_ISSUES",
            json!({"q": "is:open repo:o/r", "sort": "comments", "order": "asc", "per_page": 1, "page": 1}),
            &["GET /search/issues"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;

    // The check reaches the caller: a parameter the description refuses fails the action.
    standin.reset().await;
    let (broken, _) = runtime
        .execute(
            &plugin,
            "GITHUB_LIST_ISSUES",
            &json!({"owner": "o", "repo": "r", "since": "not-a-date"}),
            &alice(),
        )
        .await;
    assert!(
        matches!(
            broken,
            Err(CallError::Action(ActionError::Upstream { status, .. })) if status == VIOLATION_STATUS
        ),
        "the stand-in accepted an invalid `since`: {broken:?}"
    );
    let violations = standin.violations().await;
    assert!(
        violations.len() == 1 && violations[0].contains("since"),
        "{violations:?}"
    );
}

const JSON_WITH_TOKEN: &[(&str, &str)] = &[
    ("authorization", "Bearer gho_alice_token"),
    ("accept", "application/vnd.github+json"),
    ("content-type", "application/json"),
];

/// Negative controls: requests GitHub's description refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn githubs_description_refuses_what_github_would_refuse() {
    assert_refused(
        &GITHUB,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/repos/o/r/issues",
                headers: JSON_WITH_TOKEN,
                body: r#"{"body": "no title"}"#,
                because: "'title' is a required property",
            },
            Refused {
                method: "POST",
                path_and_query: "/repos/o/r/issues",
                headers: JSON_WITH_TOKEN,
                body: r#"{"title": "t", "labels": "bug"}"#,
                because: "labels",
            },
            Refused {
                method: "DELETE",
                path_and_query: "/repos/o/r/issues",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "OperationNotFound",
            },
            Refused {
                method: "GET",
                path_and_query: "/repos/o/r/issues?since=not-a-date",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "since",
            },
            Refused {
                method: "GET",
                path_and_query: "/repos/o/r/issues?per_page=many",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "per_page",
            },
            Refused {
                method: "GET",
                path_and_query: "/repos/o/r/issues?perpage=5",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "query parameter 'perpage' is not declared",
            },
            Refused {
                method: "PATCH",
                path_and_query: "/repos/o/r/issues/7",
                headers: JSON_WITH_TOKEN,
                body: r#"{"state": "done"}"#,
                because: "state",
            },
            Refused {
                method: "GET",
                path_and_query: "/repos/o/r/issuez",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "PathNotFound",
            },
        ],
    )
    .await;
}

/// Known good: the request body of "Create an issue" in GitHub's REST docs.
#[tokio::test]
async fn githubs_description_accepts_the_create_issue_example_from_githubs_docs() {
    assert_accepted(
        &GITHUB,
        "docs_create_issue",
        (
            "POST",
            "/repos/OWNER/REPO/issues",
            JSON_WITH_TOKEN,
            r#"{"title":"Found a bug","body":"I'm having a problem with this.","assignees":["octocat"],"milestone":1,"labels":["bug"]}"#,
        ),
        "POST /repos/{owner}/{repo}/issues",
    )
    .await;
}
