//! The exact request every Bitbucket action sends to Bitbucket Cloud's REST API 2.0 (method, URL
//! with its query, headers, JSON body), the inputs refused before any request, paging by the
//! returned `next` link (and the page Pipelines leaves out), reading files, binaries and
//! directories at a ref, the connect step, and how Bitbucket's error envelope maps to errors,
//! run natively against the SDK's test transport.

use actionhost_plugin_bitbucket::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const API: &str = "https://api.bitbucket.org/2.0";
const REPO: &str = "https://api.bitbucket.org/2.0/repositories/acme/web-app";

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(&[
            "repository",
            "pullrequest",
            "pullrequest:write",
            "pipeline",
            "account",
        ])
}

fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), &context(), action, input, status, answer)
}

fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &context(), action, input)
}

/// Runs `action` against the queued answers (status, headers, body); returns its result and
/// every request.
fn run(
    action: &str,
    input: Value,
    answers: Vec<(u16, Vec<(&str, &str)>, Vec<u8>)>,
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let transport = Transport::install();
    for (status, headers, body) in answers {
        transport.reply(status, &headers, body);
    }
    let result = testing::run(&provider(), action, input, &context());
    (result, transport.requests())
}

fn json_answer(body: Value) -> (u16, Vec<(&'static str, &'static str)>, Vec<u8>) {
    (
        200,
        vec![("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
}

fn assert_request(request: &RecordedRequest, method: &str, url: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, url)
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    // The host adds the credential; the plugin never sees or sends it.
    assert_eq!(request.header("authorization"), None);
}

fn repo() -> Value {
    json!({"workspace": "acme", "repo_slug": "web-app"})
}

fn with(mut base: Value, more: Value) -> Value {
    for (k, v) in more.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[test]
fn list_repositories_sends_role_filter_sort_and_page_size_and_returns_the_next_link() {
    let next = format!("{API}/repositories/acme?pagelen=2&role=member&page=2");
    let (output, request) = call(
        "BITBUCKET_LIST_REPOSITORIES",
        json!({"workspace": "acme", "role": "member", "q": "name ~ \"web\"", "sort": "-updated_on", "pagelen": 2}),
        200,
        json!({"pagelen": 2, "size": 3, "page": 1, "next": next, "values": [{"slug": "web-app"}, {"slug": "web-site"}]}),
    );
    assert_request(
        &request,
        "GET",
        &format!(
            "{API}/repositories/acme?role=member&q=name%20~%20%22web%22&sort=-updated_on&pagelen=2"
        ),
    );
    assert_eq!(
        output.unwrap(),
        json!({"items": [{"slug": "web-app"}, {"slug": "web-site"}], "size": 3, "next_cursor": next})
    );
}

#[test]
fn a_cursor_fetches_the_next_page_as_bitbucket_linked_it() {
    let next = format!("{API}/repositories/acme?pagelen=2&page=2");
    let (output, request) = call(
        "BITBUCKET_LIST_REPOSITORIES",
        json!({"workspace": "acme", "cursor": next, "role": "owner"}),
        200,
        json!({"pagelen": 2, "size": 3, "page": 2, "values": [{"slug": "api"}]}),
    );
    // The cursor carries the first request's parameters; the others are not added again.
    assert_request(&request, "GET", &next);
    assert_eq!(
        output.unwrap(),
        json!({"items": [{"slug": "api"}], "size": 3, "next_cursor": null})
    );
}

#[test]
fn a_cursor_elsewhere_than_the_same_list_on_bitbucket_is_refused() {
    for cursor in [
        "https://evil.example/2.0/repositories/acme?page=2",
        "http://api.bitbucket.org/2.0/repositories/acme?page=2",
        "https://api.bitbucket.org.evil.example/2.0/repositories/acme?page=2",
        "https://api.bitbucket.org/2.0/repositories/other?page=2",
        "https://api.bitbucket.org/2.0/repositories/acme/../other?page=2",
        "https://api.bitbucket.org/2.0/repositories/acme/%2E%2e/other?page=2",
        "https://api.bitbucket.org/2.0/user",
    ] {
        let error = refused(
            "BITBUCKET_LIST_REPOSITORIES",
            json!({"workspace": "acme", "cursor": cursor}),
        );
        let Error::InvalidInput(message) = error else {
            panic!("{cursor}: {error:?}")
        };
        assert!(
            message.contains("`cursor` must be a `next_cursor`"),
            "{message}"
        );
    }
}

#[test]
fn blank_or_dot_names_are_refused_before_any_request() {
    let error = refused(
        "BITBUCKET_GET_REPOSITORY",
        json!({"workspace": " ", "repo_slug": "web-app"}),
    );
    assert_eq!(error, Error::invalid_input("`workspace` must not be blank"));
    let error = refused(
        "BITBUCKET_GET_REPOSITORY",
        json!({"workspace": "acme", "repo_slug": ""}),
    );
    assert_eq!(error, Error::invalid_input("`repo_slug` must not be blank"));
    // `..` would climb out of the path the action means (a URL parser resolves `%2e%2e` too).
    let error = refused(
        "BITBUCKET_GET_REPOSITORY",
        json!({"workspace": "acme", "repo_slug": ".."}),
    );
    assert_eq!(
        error,
        Error::invalid_input("`repo_slug` must be a name, not \"..\"")
    );
    let error = refused(
        "BITBUCKET_LIST_REPOSITORIES",
        json!({"workspace": "%2e%2E"}),
    );
    assert_eq!(
        error,
        Error::invalid_input("`workspace` must be a name, not \"%2e%2E\"")
    );
}

#[test]
fn get_repository_gets_it_by_workspace_and_slug_encoded() {
    let (output, request) = call(
        "BITBUCKET_GET_REPOSITORY",
        json!({"workspace": "{7e8c1f2a-0000-4000-8000-000000000001}", "repo_slug": "web-app"}),
        200,
        json!({"full_name": "acme/web-app", "mainbranch": {"name": "main"}}),
    );
    assert_request(
        &request,
        "GET",
        &format!("{API}/repositories/%7B7e8c1f2a-0000-4000-8000-000000000001%7D/web-app"),
    );
    assert_eq!(output.unwrap()["full_name"], "acme/web-app");
}

#[test]
fn list_pull_requests_filters_by_state() {
    let (output, request) = call(
        "BITBUCKET_LIST_PULL_REQUESTS",
        with(repo(), json!({"state": "MERGED", "pagelen": 50})),
        200,
        json!({"pagelen": 50, "page": 1, "values": [{"id": 7, "state": "MERGED"}]}),
    );
    assert_request(
        &request,
        "GET",
        &format!("{REPO}/pullrequests?state=MERGED&pagelen=50"),
    );
    assert_eq!(
        output.unwrap(),
        json!({"items": [{"id": 7, "state": "MERGED"}], "next_cursor": null})
    );
}

#[test]
fn get_pull_request_gets_it_by_id() {
    let (output, request) = call(
        "BITBUCKET_GET_PULL_REQUEST",
        with(repo(), json!({"pull_request_id": 42})),
        200,
        json!({"id": 42, "title": "Fix login"}),
    );
    assert_request(&request, "GET", &format!("{REPO}/pullrequests/42"));
    assert_eq!(output.unwrap()["title"], "Fix login");
}

#[test]
fn create_pull_request_posts_source_destination_reviewers_and_options() {
    let (output, request) = call(
        "BITBUCKET_CREATE_PULL_REQUEST",
        with(
            repo(),
            json!({
                "title": "Add login form",
                "source_branch": "feature/login",
                "destination_branch": "develop",
                "source_repository": "alice/web-app-fork",
                "description": "Adds the **login** form.",
                "reviewers": ["{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}", "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443"],
                "close_source_branch": true,
                "draft": false,
            }),
        ),
        201,
        json!({"id": 43, "title": "Add login form"}),
    );
    assert_request(&request, "POST", &format!("{REPO}/pullrequests"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "title": "Add login form",
            "source": {"branch": {"name": "feature/login"}, "repository": {"full_name": "alice/web-app-fork"}},
            "destination": {"branch": {"name": "develop"}},
            "description": "Adds the **login** form.",
            "reviewers": [
                {"uuid": "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}"},
                {"account_id": "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443"}
            ],
            "close_source_branch": true,
            "draft": false,
        })
    );
    assert_eq!(output.unwrap()["id"], 43);
}

#[test]
fn create_pull_request_with_only_the_required_fields_lets_bitbucket_pick_the_destination() {
    let (_, request) = call(
        "BITBUCKET_CREATE_PULL_REQUEST",
        with(repo(), json!({"title": "Fix", "source_branch": "fix"})),
        201,
        json!({"id": 44}),
    );
    assert_eq!(
        request.json(),
        json!({"title": "Fix", "source": {"branch": {"name": "fix"}}})
    );
    let error = refused(
        "BITBUCKET_CREATE_PULL_REQUEST",
        with(
            repo(),
            json!({"title": "Fix", "source_branch": "fix", "source_repository": "just-a-name"}),
        ),
    );
    assert!(
        matches!(error, Error::InvalidInput(m) if m.contains("`source_repository` must be a full name"))
    );
}

#[test]
fn add_comment_posts_markdown_inline_and_as_a_reply() {
    let (output, request) = call(
        "BITBUCKET_ADD_PULL_REQUEST_COMMENT",
        with(
            repo(),
            json!({"pull_request_id": 42, "content": "Looks good"}),
        ),
        201,
        json!({"id": 9001}),
    );
    assert_request(
        &request,
        "POST",
        &format!("{REPO}/pullrequests/42/comments"),
    );
    assert_eq!(request.json(), json!({"content": {"raw": "Looks good"}}));
    assert_eq!(output.unwrap()["id"], 9001);

    let (_, request) = call(
        "BITBUCKET_ADD_PULL_REQUEST_COMMENT",
        with(
            repo(),
            json!({"pull_request_id": 42, "content": "Off by one?", "inline_path": "src/app.ts", "inline_to_line": 12, "parent_comment_id": 9001}),
        ),
        201,
        json!({"id": 9002}),
    );
    assert_eq!(
        request.json(),
        json!({"content": {"raw": "Off by one?"}, "inline": {"path": "src/app.ts", "to": 12}, "parent": {"id": 9001}})
    );

    let error = refused(
        "BITBUCKET_ADD_PULL_REQUEST_COMMENT",
        with(
            repo(),
            json!({"pull_request_id": 42, "content": "x", "inline_to_line": 3}),
        ),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("need `inline_path`")));
}

#[test]
fn merge_posts_the_strategy_and_message() {
    let (output, request) = call(
        "BITBUCKET_MERGE_PULL_REQUEST",
        with(
            repo(),
            json!({"pull_request_id": 42, "merge_strategy": "squash", "message": "Login form (#42)", "close_source_branch": true}),
        ),
        200,
        json!({"id": 42, "state": "MERGED"}),
    );
    assert_request(&request, "POST", &format!("{REPO}/pullrequests/42/merge"));
    assert_eq!(
        request.json(),
        json!({"merge_strategy": "squash", "message": "Login form (#42)", "close_source_branch": true})
    );
    assert_eq!(output.unwrap(), json!({"id": 42, "state": "MERGED"}));
}

#[test]
fn a_merge_bitbucket_finishes_in_the_background_says_so() {
    let status = format!("{REPO}/pullrequests/42/merge/task-status/5d1e6a9b");
    let (output, requests) = run(
        "BITBUCKET_MERGE_PULL_REQUEST",
        with(repo(), json!({"pull_request_id": 42})),
        vec![(202, vec![("location", status.as_str())], Vec::new())],
    );
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].json(), json!({}));
    let output = output.unwrap();
    assert_eq!(
        (output["state"].as_str(), output["task_status_url"].as_str()),
        (Some("MERGING"), Some(status.as_str()))
    );
}

#[test]
fn list_commits_of_a_revision_or_of_every_branch() {
    let (output, request) = call(
        "BITBUCKET_LIST_COMMITS",
        with(repo(), json!({"revision": "release/1.2", "pagelen": 5})),
        200,
        json!({"pagelen": 5, "values": [{"hash": "a1b2c3"}], "next": format!("{REPO}/commits/release%2F1.2?pagelen=5&page=a1b2c3")}),
    );
    assert_request(
        &request,
        "GET",
        &format!("{REPO}/commits/release%2F1.2?pagelen=5"),
    );
    assert_eq!(
        output.unwrap()["next_cursor"],
        json!(format!(
            "{REPO}/commits/release%2F1.2?pagelen=5&page=a1b2c3"
        ))
    );
    let (_, request) = call("BITBUCKET_LIST_COMMITS", repo(), 200, json!({"values": []}));
    assert_request(&request, "GET", &format!("{REPO}/commits"));
}

#[test]
fn list_pipelines_sorts_newest_first_and_finds_the_page_bitbucket_does_not_link() {
    // Pipelines answers `page`, `pagelen` and `size` but no `next`.
    let (output, request) = call(
        "BITBUCKET_LIST_PIPELINES",
        with(repo(), json!({"pagelen": 2})),
        200,
        json!({"page": 1, "pagelen": 2, "size": 3, "values": [{"build_number": 3}, {"build_number": 2}]}),
    );
    assert_request(
        &request,
        "GET",
        &format!("{REPO}/pipelines?sort=-created_on&pagelen=2"),
    );
    let cursor = format!("{REPO}/pipelines?sort=-created_on&pagelen=2&page=2");
    assert_eq!(output.unwrap()["next_cursor"], json!(cursor));

    let (output, request) = call(
        "BITBUCKET_LIST_PIPELINES",
        with(repo(), json!({"cursor": cursor})),
        200,
        json!({"page": 2, "pagelen": 2, "size": 3, "values": [{"build_number": 1}]}),
    );
    assert_request(&request, "GET", &cursor);
    assert_eq!(
        output.unwrap(),
        json!({"items": [{"build_number": 1}], "size": 3, "next_cursor": null})
    );
}

#[test]
fn get_file_reads_a_text_file_after_its_metadata() {
    let (output, requests) = run(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"path": "/src/app.ts", "ref": "main"})),
        vec![
            json_answer(
                json!({"type": "commit_file", "path": "src/app.ts", "size": 20, "mimetype": "text/x-typescript"}),
            ),
            (
                200,
                vec![("content-type", "text/plain")],
                b"export const a = 1;\n".to_vec(),
            ),
        ],
    );
    assert_eq!(requests.len(), 2);
    assert_request(
        &requests[0],
        "GET",
        &format!("{REPO}/src/main/src/app.ts?format=meta"),
    );
    assert_request(&requests[1], "GET", &format!("{REPO}/src/main/src/app.ts"));
    assert_eq!(
        output.unwrap(),
        json!({
            "kind": "file", "path": "src/app.ts", "ref": "main", "encoding": "text",
            "text": "export const a = 1;\n", "size_bytes": 20, "media_type": "text/x-typescript", "truncated": false
        })
    );
}

#[test]
fn get_file_cuts_long_text_and_says_so() {
    let long = "é".repeat(150_000); // 300,000 bytes
    let (output, _) = run(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"path": "big.txt", "ref": "main"})),
        vec![
            json_answer(json!({"type": "commit_file", "path": "big.txt", "size": 300_000})),
            (200, vec![("content-type", "text/plain")], long.into_bytes()),
        ],
    );
    let output = output.unwrap();
    assert_eq!(
        (output["truncated"].as_bool(), output["size_bytes"].as_u64()),
        (Some(true), Some(300_000))
    );
    assert_eq!(output["text"].as_str().unwrap().len(), 200_000);
}

#[test]
fn get_file_returns_binary_content_as_base64_with_its_media_type() {
    let (output, _) = run(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"path": "logo.png", "ref": "a1b2c3d4"})),
        vec![
            json_answer(
                json!({"type": "commit_file", "path": "logo.png", "size": 6, "mimetype": "image/png"}),
            ),
            (
                200,
                vec![("content-type", "image/png")],
                vec![0x89, b'P', b'N', b'G', 0, 0xff],
            ),
        ],
    );
    assert_eq!(
        output.unwrap(),
        json!({"kind": "file", "path": "logo.png", "ref": "a1b2c3d4", "encoding": "base64",
               "content_base64": "iVBORwD/", "size_bytes": 6, "media_type": "image/png"})
    );
}

#[test]
fn get_file_refuses_files_too_large_before_downloading_them() {
    let (output, requests) = run(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"path": "video.mp4", "ref": "main"})),
        vec![json_answer(
            json!({"type": "commit_file", "path": "video.mp4", "size": 50_000_000}),
        )],
    );
    assert_eq!(requests.len(), 1);
    assert!(matches!(output, Err(Error::InvalidInput(m)) if m.contains("50000000 bytes")));
}

#[test]
fn get_file_lists_a_directory_on_the_main_branch_and_pages_it() {
    let next = format!("{REPO}/src/0a1b2c3d/docs/?pagelen=2&page=2");
    let (output, requests) = run(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"path": "docs", "pagelen": 2})),
        vec![
            json_answer(json!({"mainbranch": {"name": "main", "type": "branch"}})),
            json_answer(json!({"type": "commit_directory", "path": "docs"})),
            json_answer(json!({"pagelen": 2, "page": 1, "next": next, "values": [
                {"type": "commit_directory", "path": "docs/api"},
                {"type": "commit_file", "path": "docs/index.md", "size": 512}
            ]})),
        ],
    );
    assert_request(&requests[0], "GET", REPO);
    assert_request(
        &requests[1],
        "GET",
        &format!("{REPO}/src/main/docs?format=meta"),
    );
    assert_request(
        &requests[2],
        "GET",
        &format!("{REPO}/src/main/docs/?pagelen=2"),
    );
    assert_eq!(
        output.unwrap(),
        json!({"kind": "directory", "path": "docs", "ref": "main", "entries": [
            {"path": "docs/api", "kind": "directory"},
            {"path": "docs/index.md", "kind": "file", "size_bytes": 512}
        ], "next_cursor": next})
    );

    let (output, requests) = run(
        "BITBUCKET_GET_FILE",
        with(
            repo(),
            json!({"path": "docs", "ref": "main", "cursor": next}),
        ),
        vec![json_answer(
            json!({"pagelen": 2, "page": 2, "values": [{"type": "commit_file", "path": "docs/z.md", "size": 1}]}),
        )],
    );
    assert_eq!(requests.len(), 1);
    assert_request(&requests[0], "GET", &next);
    assert_eq!(output.unwrap()["next_cursor"], Value::Null);
}

#[test]
fn get_file_lists_the_root_without_metadata_and_refuses_paths_that_leave_src() {
    let (_, request) = call(
        "BITBUCKET_GET_FILE",
        with(repo(), json!({"ref": "v1.0"})),
        200,
        json!({"values": []}),
    );
    assert_request(&request, "GET", &format!("{REPO}/src/v1.0/"));
    for path in ["../../pullrequests", "docs/./x", "a//b", "docs/%2e%2e/x"] {
        let error = refused(
            "BITBUCKET_GET_FILE",
            with(repo(), json!({"path": path, "ref": "main"})),
        );
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.contains("without empty, `.` or `..` parts")),
            "{path}: {error:?}"
        );
    }
    let error = refused(
        "BITBUCKET_GET_FILE",
        with(
            repo(),
            json!({"ref": "main", "cursor": format!("{API}/repositories/acme/other/src/main/?page=2")}),
        ),
    );
    assert!(matches!(error, Error::InvalidInput(_)));
}

#[test]
fn bitbucket_errors_map_to_the_contract() {
    let envelope = |message: &str| json!({"type": "error", "error": {"message": message}});
    let (result, _) = call(
        "BITBUCKET_GET_REPOSITORY",
        repo(),
        401,
        envelope("Access token expired."),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::unauthorized("Access token expired.")
    );
    let (result, _) = call(
        "BITBUCKET_GET_REPOSITORY",
        repo(),
        404,
        envelope("Repository acme/web-app not found"),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("Repository acme/web-app not found")
    );

    // Bitbucket sends no Retry-After with its 429: a minute, its rolling window's step.
    let (result, _) = call(
        "BITBUCKET_LIST_PIPELINES",
        repo(),
        429,
        envelope("Rate limit for this resource has been exceeded"),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::rate_limited("Rate limit for this resource has been exceeded", Some(60))
    );
    let (result, _) = run(
        "BITBUCKET_GET_REPOSITORY",
        repo(),
        vec![(429, vec![("retry-after", "17")], b"".to_vec())],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::rate_limited("HTTP 429", Some(17))
    );

    let (result, _) = call(
        "BITBUCKET_MERGE_PULL_REQUEST",
        with(repo(), json!({"pull_request_id": 42})),
        403,
        json!({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["pullrequest"], "required": ["pullrequest:write"]}}}),
    );
    assert!(
        matches!(result.unwrap_err(), Error::Upstream { status: 403, message, .. }
        if message == "Your credentials lack one or more required privilege scopes. (scopes required: pullrequest:write)")
    );

    let (result, _) = call(
        "BITBUCKET_CREATE_PULL_REQUEST",
        with(repo(), json!({"title": "x", "source_branch": "nope"})),
        400,
        json!({"type": "error", "error": {"message": "Bad request", "fields": {"source": ["Branch not found: nope"]}}}),
    );
    assert!(
        matches!(result.unwrap_err(), Error::Upstream { status: 400, message, .. }
        if message == "Bad request; source: Branch not found: nope")
    );

    let (result, _) = call(
        "BITBUCKET_MERGE_PULL_REQUEST",
        with(repo(), json!({"pull_request_id": 42})),
        555,
        json!({"type": "error", "error": {"message": "Merge timed out", "detail": "The merge took too long."}}),
    );
    assert!(
        matches!(result.unwrap_err(), Error::Upstream { status: 555, message, .. }
        if message == "Merge timed out: The merge took too long.")
    );
}

#[test]
fn connecting_checks_the_credential_and_labels_the_account() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"type": "user", "display_name": "Alice Liddell", "username": "aliddell", "uuid": "{1}"}));
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Alice Liddell (aliddell)")
    );
    assert_request(&transport.only_request(), "GET", &format!("{API}/user"));

    // With an e-mail and API token the same check is made; a refused credential is an error.
    let transport = Transport::install();
    transport.reply_json(
        401,
        json!({"type": "error", "error": {"message": "Invalid credentials"}}),
    );
    let basic = Context::new("alice").with_credential(CredentialKind::Basic);
    let error = testing::after_connect(&provider(), &basic).unwrap_err();
    assert_eq!(error, Error::unauthorized("Invalid credentials"));
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn every_action_declares_its_scopes_and_true_hints() {
    let provider = provider();
    let scopes = |name: &str| {
        let action = provider.find(name).unwrap();
        (action.required_scopes().to_vec(), action.hints())
    };
    for (name, scope, read_only) in [
        ("BITBUCKET_LIST_REPOSITORIES", "repository", true),
        ("BITBUCKET_GET_REPOSITORY", "repository", true),
        ("BITBUCKET_LIST_PULL_REQUESTS", "pullrequest", true),
        ("BITBUCKET_GET_PULL_REQUEST", "pullrequest", true),
        ("BITBUCKET_CREATE_PULL_REQUEST", "pullrequest:write", false),
        ("BITBUCKET_ADD_PULL_REQUEST_COMMENT", "pullrequest", false),
        ("BITBUCKET_MERGE_PULL_REQUEST", "pullrequest:write", false),
        ("BITBUCKET_LIST_COMMITS", "repository", true),
        ("BITBUCKET_GET_FILE", "repository", true),
        ("BITBUCKET_LIST_PIPELINES", "pipeline", true),
    ] {
        let (required, hints) = scopes(name);
        assert_eq!(required, vec![vec![scope.to_string()]], "{name}");
        assert_eq!(hints.read_only, read_only, "{name}");
    }
    assert!(scopes("BITBUCKET_MERGE_PULL_REQUEST").1.destructive);
    assert_eq!(provider.actions().len(), 10);
}
