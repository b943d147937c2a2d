//! The exact request every GitHub action sends, and how GitHub's answers map to errors, run
//! natively against the SDK's test transport.

use actionhost_plugin_github::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

/// Runs `action` once against a queued JSON answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(status, answer);
    let result = testing::run(&provider(), action, input, &Context::new("alice"));
    (result, transport.only_request())
}

fn assert_github_headers(request: &RecordedRequest) {
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(request.header("user-agent"), Some("actionhost-github"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host owns the credential"
    );
}

#[test]
fn create_issue_posts_only_the_given_fields() {
    let (result, request) = call(
        "GITHUB_CREATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "title": "Crash", "labels": ["bug"], "milestone": 2}),
        201,
        json!({"number": 7}),
    );
    assert_eq!(result.unwrap(), json!({"number": 7}));
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://api.github.com/repos/octo/hello/issues")
    );
    assert_github_headers(&request);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"title": "Crash", "labels": ["bug"], "milestone": 2})
    );
}

#[test]
fn get_issue_encodes_every_path_segment() {
    let (result, request) = call(
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo cat", "repo": "a/b", "issue_number": 7}),
        200,
        json!({"number": 7, "title": "Crash"}),
    );
    assert_eq!(result.unwrap()["title"], "Crash");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/repos/octo%20cat/a%2Fb/issues/7")
    );
    assert_eq!(request.raw_query(), None);
    assert_eq!(request.body, None);
    assert_github_headers(&request);
}

#[test]
fn list_issues_sends_the_filters_as_query_in_order() {
    let (result, request) = call(
        "GITHUB_LIST_ISSUES",
        json!({"owner": "octo", "repo": "hello", "state": "all", "labels": "bug,ui", "assignee": "*", "since": "2024-01-31T00:00:00Z", "per_page": 50, "page": 2}),
        200,
        json!([{"number": 1}]),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"number": 1}], "next_page": null})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/repos/octo/hello/issues")
    );
    assert_eq!(
        request.raw_query(),
        Some(
            "state=all&labels=bug%2Cui&assignee=%2A&since=2024-01-31T00%3A00%3A00Z&per_page=50&page=2"
        )
    );
    assert_eq!(request.body, None);
    assert_github_headers(&request);
}

#[test]
fn list_issues_asks_for_the_page_the_agent_names_and_answers_the_next_pages_number() {
    let transport = Transport::install();
    let link = r#"<https://api.github.com/repositories/1/issues?per_page=1&page=3>; rel="next""#;
    transport.reply(200, &[("link", link)], r#"[{"number": 2}]"#);
    let output = testing::run(
        &provider(),
        "GITHUB_LIST_ISSUES",
        json!({"owner": "octo", "repo": "hello", "per_page": 1, "page": 2}),
        &Context::new("alice"),
    )
    .unwrap();
    assert_eq!(output, json!({"items": [{"number": 2}], "next_page": 3}));
    assert_eq!(
        transport.only_request().query(),
        [("per_page".into(), "1".into()), ("page".into(), "2".into())]
    );
}

#[test]
fn update_issue_patches_only_the_given_fields() {
    let (result, request) = call(
        "GITHUB_UPDATE_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 7, "state": "closed", "state_reason": "not_planned", "assignees": []}),
        200,
        json!({"number": 7, "state": "closed"}),
    );
    assert_eq!(result.unwrap()["state"], "closed");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("PATCH", "/repos/octo/hello/issues/7")
    );
    assert_eq!(
        request.json(),
        json!({"state": "closed", "state_reason": "not_planned", "assignees": []})
    );
    assert_github_headers(&request);
}

#[test]
fn create_issue_comment_posts_the_body() {
    let (result, request) = call(
        "GITHUB_CREATE_ISSUE_COMMENT",
        json!({"owner": "octo", "repo": "hello", "issue_number": 3, "body": "Fixed in #4"}),
        201,
        json!({"id": 11}),
    );
    assert_eq!(result.unwrap()["id"], 11);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/repos/octo/hello/issues/3/comments")
    );
    assert_eq!(request.json(), json!({"body": "Fixed in #4"}));
    assert_github_headers(&request);
}

#[test]
fn get_repository_gets_the_repository() {
    let (result, request) = call(
        "GITHUB_GET_REPOSITORY",
        json!({"owner": "octo", "repo": "hello"}),
        200,
        json!({"id": 1}),
    );
    assert_eq!(result.unwrap()["id"], 1);
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", "https://api.github.com/repos/octo/hello")
    );
    assert_eq!(request.body, None);
    assert_github_headers(&request);
}

#[test]
fn list_repositories_lists_the_users_repositories() {
    let (result, request) = call(
        "GITHUB_LIST_REPOSITORIES",
        json!({"visibility": "private", "affiliation": "owner,collaborator", "sort": "full_name", "per_page": 10, "page": 2}),
        200,
        json!([{"id": 1}]),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"id": 1}], "next_page": null})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/user/repos")
    );
    assert_eq!(
        request.raw_query(),
        Some(
            "visibility=private&affiliation=owner%2Ccollaborator&sort=full_name&per_page=10&page=2"
        )
    );
    assert_github_headers(&request);
}

#[test]
fn create_pull_request_posts_head_and_base() {
    let (result, request) = call(
        "GITHUB_CREATE_PULL_REQUEST",
        json!({"owner": "octo", "repo": "hello", "title": "Fix crash", "head": "fix-crash", "base": "main", "draft": true, "maintainer_can_modify": false}),
        201,
        json!({"number": 8}),
    );
    assert_eq!(result.unwrap()["number"], 8);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/repos/octo/hello/pulls")
    );
    assert_eq!(
        request.json(),
        json!({"title": "Fix crash", "head": "fix-crash", "base": "main", "draft": true, "maintainer_can_modify": false})
    );
    assert_github_headers(&request);
}

#[test]
fn search_issues_sends_the_query_encoded_with_percent_20_for_spaces() {
    let (result, request) = call(
        "GITHUB_SEARCH_ISSUES",
        json!({"q": "repo:octo/hello is:open crash", "order": "desc", "sort": "updated", "per_page": 5, "page": 1}),
        200,
        json!({"total_count": 0, "incomplete_results": false, "items": []}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"total_count": 0, "incomplete_results": false, "items": [], "next_page": null})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/search/issues")
    );
    assert_eq!(
        request.raw_query(),
        Some("q=repo%3Aocto%2Fhello%20is%3Aopen%20crash&sort=updated&order=desc&per_page=5&page=1")
    );
    assert_github_headers(&request);
}

#[test]
fn after_connect_labels_the_account_with_the_login() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"login": "octocat", "id": 1}));
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("octocat"));
    assert!(account.fields.is_empty());
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", "https://api.github.com/user")
    );
    assert_github_headers(&request);
}

fn get_issue_answered(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "GITHUB_GET_ISSUE",
        json!({"owner": "octo", "repo": "hello", "issue_number": 1}),
        &Context::new("alice"),
    )
    .unwrap_err()
}

#[test]
fn a_missing_issue_is_not_found_and_a_refused_token_unauthorized() {
    assert_eq!(
        get_issue_answered(404, &[], json!({"message": "Not Found"})),
        Error::not_found("Not Found")
    );
    assert_eq!(
        get_issue_answered(401, &[], json!({"message": "Bad credentials"})),
        Error::unauthorized("Bad credentials")
    );
}

#[test]
fn an_exhausted_rate_limit_is_rate_limited_until_the_reset() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset = (now + 120).to_string();
    let error = get_issue_answered(
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ],
        json!({"message": "API rate limit exceeded for user ID 1."}),
    );
    let Error::RateLimited {
        message,
        retry_after_seconds,
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(message, "API rate limit exceeded for user ID 1.");
    let retry = retry_after_seconds.expect("a delay");
    assert!((118..=120).contains(&retry), "{retry}");
}

#[test]
fn a_secondary_rate_limit_uses_retry_after() {
    assert_eq!(
        get_issue_answered(
            403,
            &[("retry-after", "60")],
            json!({"message": "You have exceeded a secondary rate limit."})
        ),
        Error::rate_limited("You have exceeded a secondary rate limit.", Some(60))
    );
    assert_eq!(
        get_issue_answered(
            429,
            &[("retry-after", "30")],
            json!({"message": "slow down"})
        ),
        Error::rate_limited("slow down", Some(30))
    );
}

#[test]
fn other_errors_keep_githubs_status_message_and_body() {
    let forbidden = json!({"message": "Resource not accessible by integration"});
    assert_eq!(
        get_issue_answered(403, &[("x-ratelimit-remaining", "4999")], forbidden.clone()),
        Error::Upstream {
            status: 403,
            message: "Resource not accessible by integration".into(),
            body: Some(forbidden.to_string())
        }
    );
    let invalid = json!({"message": "Validation Failed", "errors": [{"field": "title", "code": "missing_field"}]});
    assert_eq!(
        get_issue_answered(422, &[], invalid.clone()),
        Error::Upstream {
            status: 422,
            message: "Validation Failed".into(),
            body: Some(invalid.to_string())
        }
    );
}

#[test]
fn writes_need_repo_or_public_repo_and_reads_need_no_scope() {
    let provider = provider();
    for action in provider.actions() {
        let writes = !action.hints().read_only;
        let expected: Vec<Vec<String>> = if writes {
            vec![vec!["repo".into(), "public_repo".into()]]
        } else {
            vec![]
        };
        assert_eq!(action.required_scopes(), expected, "{}", action.name());
        // Lists wrap GitHub's items with the next page's number; the rest pass GitHub's JSON on.
        let listed =
            action.name().starts_with("GITHUB_LIST_") || action.name() == "GITHUB_SEARCH_ISSUES";
        let schema = action.output_schema();
        if listed {
            let schema = schema.unwrap_or_else(|| panic!("{} has an output schema", action.name()));
            assert!(
                schema["properties"]["next_page"].is_object(),
                "{}",
                action.name()
            );
            assert!(
                schema["properties"]["items"].is_object(),
                "{}",
                action.name()
            );
        } else {
            assert_eq!(schema, None, "{} passes GitHub's JSON on", action.name());
        }
    }
}

#[test]
fn path_parameters_stay_required_in_the_input_schemas() {
    let provider = provider();
    let required = |name: &str| {
        let mut required: Vec<String> =
            serde_json::from_value(provider.find(name).unwrap().input_schema()["required"].clone())
                .unwrap();
        required.sort();
        required
    };
    assert_eq!(
        required("GITHUB_UPDATE_ISSUE"),
        ["issue_number", "owner", "repo"]
    );
    assert_eq!(
        required("GITHUB_CREATE_ISSUE_COMMENT"),
        ["body", "issue_number", "owner", "repo"]
    );
    assert_eq!(
        required("GITHUB_CREATE_PULL_REQUEST"),
        ["base", "head", "owner", "repo", "title"]
    );
    assert_eq!(required("GITHUB_LIST_ISSUES"), ["owner", "repo"]);
    let schema = provider.find("GITHUB_GET_ISSUE").unwrap().input_schema();
    assert_eq!(schema["properties"]["owner"]["type"], "string");
    assert_eq!(schema["properties"]["issue_number"]["type"], "integer");
}

#[test]
fn search_and_repository_lists_answer_the_next_page_from_the_link_header() {
    let transport = Transport::install();
    let link = r#"<https://api.github.com/search/issues?q=crash&page=2>; rel="next", <https://api.github.com/search/issues?q=crash&page=34>; rel="last""#;
    transport.reply(
        200,
        &[("link", link)],
        r#"{"total_count": 1000, "incomplete_results": true, "items": [{"number": 1}]}"#,
    );
    let found = testing::run(
        &provider(),
        "GITHUB_SEARCH_ISSUES",
        json!({"q": "crash"}),
        &Context::new("alice"),
    )
    .unwrap();
    assert_eq!(
        found,
        json!({"total_count": 1000, "incomplete_results": true, "items": [{"number": 1}], "next_page": 2})
    );
    let link = r#"<https://api.github.com/user/repos?per_page=1&page=4>; rel="next""#;
    transport.reply(200, &[("link", link)], r#"[{"id": 3}]"#);
    let listed = testing::run(
        &provider(),
        "GITHUB_LIST_REPOSITORIES",
        json!({"per_page": 1, "page": 3}),
        &Context::new("alice"),
    )
    .unwrap();
    assert_eq!(listed, json!({"items": [{"id": 3}], "next_page": 4}));
}
