//! The exact request every GitLab action sends to GitLab's REST API v4 (method, URL with its
//! query, headers, JSON body), on gitlab.com and on a self-managed instance named by the
//! account's `base_url`; project paths encoded as one segment; the inputs refused before any
//! request; paging by the returned cursor or page; the merge request's changes summary; the
//! connect step; and how GitLab's error envelopes map to errors, run natively against the SDK's
//! test transport.

use actionhost_plugin_gitlab::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const BASE: &str = "https://gitlab.com/api/v4";

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(&["api"])
        .with_field("base_url", "https://gitlab.com")
}

fn self_managed() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::ApiKey)
        .with_field("base_url", "https://gitlab.example.com")
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

fn assert_request(request: &RecordedRequest, method: &str, path_and_query: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, format!("{BASE}{path_and_query}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("private-token"), None);
}

fn json_body(request: &RecordedRequest) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    request.json()
}

fn issue(iid: u64) -> Value {
    json!({"id": 76 + iid, "iid": iid, "project_id": 4, "title": "Crash on save", "state": "opened",
           "labels": ["bug"], "web_url": format!("https://gitlab.com/acme/app/-/issues/{iid}")})
}

/// Runs `action` against answers with headers; returns the result and every request.
fn run_with(
    context: &Context,
    action: &str,
    input: Value,
    answers: Vec<(u16, Vec<(&str, &str)>, Value)>,
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let transport = Transport::install();
    for (status, headers, body) in answers {
        transport.reply(status, &headers, body.to_string());
    }
    let result = testing::run(&provider(), action, input, context);
    (result, transport.requests())
}

#[test]
fn list_projects_asks_for_keyset_pages_of_the_users_projects_and_follows_the_cursor() {
    let next = "https://gitlab.com/api/v4/projects?id_before=42&membership=true&order_by=id&pagination=keyset&per_page=2&simple=true&sort=desc";
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_PROJECTS",
        json!({"search": "app", "per_page": 2}),
        vec![(
            200,
            vec![("link", &format!("<{next}>; rel=\"next\""))],
            json!([{"id": 44}, {"id": 42}]),
        )],
    );
    assert_request(
        &requests[0],
        "GET",
        "/projects?search=app&membership=true&simple=true&per_page=2&pagination=keyset&order_by=id&sort=desc",
    );
    let page = result.unwrap();
    assert_eq!(
        page,
        json!({"items": [{"id": 44}, {"id": 42}], "next_cursor": next})
    );

    // The cursor fetches the next page as GitLab linked it; the last page has no link.
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_PROJECTS",
        json!({"cursor": next}),
        vec![(200, vec![], json!([{"id": 40}]))],
    );
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url, next);
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"id": 40}], "next_cursor": null})
    );
}

#[test]
fn list_projects_takes_every_filter_and_the_order() {
    let (result, request) = call(
        "GITLAB_LIST_PROJECTS",
        json!({"membership": false, "owned": true, "starred": false, "visibility": "private",
               "archived": false, "min_access_level": 30, "simple": false, "sort": "asc"}),
        200,
        json!([]),
    );
    assert_request(
        &request,
        "GET",
        "/projects?membership=false&owned=true&starred=false&visibility=private&archived=false&min_access_level=30&simple=false&pagination=keyset&order_by=id&sort=asc",
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
}

#[test]
fn a_cursor_of_another_address_is_refused_before_any_request() {
    let error = refused(
        "GITLAB_LIST_PROJECTS",
        json!({"cursor": "https://evil.example/api/v4/projects?id_before=1"}),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("cursor")));
    // Another instance's link is not this account's either.
    let error = testing::refused(
        &provider(),
        &self_managed(),
        "GITLAB_LIST_PROJECTS",
        json!({"cursor": "https://gitlab.com/api/v4/projects?id_before=1"}),
    );
    assert!(matches!(error, Error::InvalidInput(_)));
}

#[test]
fn get_project_encodes_a_path_as_one_segment_and_takes_a_numeric_id() {
    let (result, request) = call(
        "GITLAB_GET_PROJECT",
        json!({"project_id": "acme/platform/app", "statistics": true}),
        200,
        json!({"id": 4, "path_with_namespace": "acme/platform/app"}),
    );
    assert_request(
        &request,
        "GET",
        "/projects/acme%2Fplatform%2Fapp?statistics=true",
    );
    assert_eq!(result.unwrap()["id"], 4);

    let (_, request) = call(
        "GITLAB_GET_PROJECT",
        json!({"project_id": "278964"}),
        200,
        json!({"id": 278964}),
    );
    assert_request(&request, "GET", "/projects/278964");

    // An already encoded path is not encoded twice; surrounding slashes go.
    let (_, request) = call(
        "GITLAB_GET_PROJECT",
        json!({"project_id": "/acme%2Fapp/", "license": true}),
        200,
        json!({"id": 4}),
    );
    assert_request(&request, "GET", "/projects/acme%2Fapp?license=true");
}

#[test]
fn a_blank_project_or_a_url_is_refused_before_any_request() {
    let error = refused("GITLAB_GET_PROJECT", json!({"project_id": " / "}));
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("project_id")));
    let error = refused(
        "GITLAB_GET_PROJECT",
        json!({"project_id": "https://gitlab.com/acme/app"}),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("not a URL")));
}

#[test]
fn a_self_managed_account_calls_its_own_instance() {
    let (result, requests) = run_with(
        &self_managed(),
        "GITLAB_GET_PROJECT",
        json!({"project_id": "ops/infra"}),
        vec![(200, vec![], json!({"id": 9}))],
    );
    assert_eq!(
        requests[0].url,
        "https://gitlab.example.com/api/v4/projects/ops%2Finfra"
    );
    assert_eq!(result.unwrap()["id"], 9);
}

#[test]
fn list_issues_sends_the_filters_and_pages_by_x_next_page() {
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_ISSUES",
        json!({"project_id": "acme/app", "state": "opened", "labels": ["bug", "needs review"],
               "milestone": "v1.2", "scope": "all", "author_id": 5, "assignee_id": "None",
               "search": "crash", "created_after": "2024-01-01T00:00:00Z",
               "updated_before": "2024-02-01T00:00:00Z", "order_by": "updated_at", "sort": "asc",
               "per_page": 2}),
        vec![(
            200,
            vec![("x-next-page", "2"), ("x-page", "1")],
            json!([issue(1), issue(2)]),
        )],
    );
    assert_request(
        &requests[0],
        "GET",
        "/projects/acme%2Fapp/issues?state=opened&labels=bug%2Cneeds%20review&milestone=v1.2&scope=all&author_id=5&assignee_id=None&search=crash&created_after=2024-01-01T00%3A00%3A00Z&updated_before=2024-02-01T00%3A00%3A00Z&order_by=updated_at&sort=asc&per_page=2",
    );
    let first = result.unwrap();
    assert_eq!(first["items"][1]["iid"], 2);
    assert_eq!(first["next_page"], 2);

    // The agent passes `next_page` back; GitLab's empty X-Next-Page ends the list.
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_ISSUES",
        json!({"project_id": "acme/app", "per_page": 2, "page": first["next_page"]}),
        vec![(200, vec![("x-next-page", "")], json!([issue(3)]))],
    );
    assert_request(
        &requests[0],
        "GET",
        "/projects/acme%2Fapp/issues?per_page=2&page=2",
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [issue(3)], "next_page": null})
    );
}

#[test]
fn list_issues_without_a_project_lists_the_users_issues() {
    let (result, request) = call(
        "GITLAB_LIST_ISSUES",
        json!({"scope": "assigned_to_me"}),
        200,
        json!([issue(7)]),
    );
    assert_request(&request, "GET", "/issues?scope=assigned_to_me");
    assert_eq!(result.unwrap()["next_page"], Value::Null);
}

#[test]
fn create_issue_posts_the_fields_with_labels_as_one_comma_list() {
    let (result, request) = call(
        "GITLAB_CREATE_ISSUE",
        json!({"project_id": "4", "title": "Crash on save", "description": "Steps:\n1. save",
               "labels": ["bug", "p1"], "assignee_ids": [12], "milestone_id": 3,
               "due_date": "2024-03-01", "confidential": true}),
        201,
        issue(8),
    );
    assert_request(&request, "POST", "/projects/4/issues");
    assert_eq!(
        json_body(&request),
        json!({"title": "Crash on save", "description": "Steps:\n1. save", "labels": "bug,p1",
               "assignee_ids": [12], "milestone_id": 3, "due_date": "2024-03-01", "confidential": true})
    );
    assert_eq!(result.unwrap()["iid"], 8);

    let (_, request) = call(
        "GITLAB_CREATE_ISSUE",
        json!({"project_id": "acme/app", "title": "Only a title"}),
        201,
        issue(9),
    );
    assert_request(&request, "POST", "/projects/acme%2Fapp/issues");
    assert_eq!(json_body(&request), json!({"title": "Only a title"}));
}

#[test]
fn create_issue_refuses_a_blank_title_and_labels_with_commas() {
    let error = refused(
        "GITLAB_CREATE_ISSUE",
        json!({"project_id": "4", "title": "  "}),
    );
    assert_eq!(error, Error::invalid_input("`title` must not be blank"));
    let error = refused(
        "GITLAB_CREATE_ISSUE",
        json!({"project_id": "4", "title": "x", "labels": ["a,b"]}),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("labels[0]")));
}

#[test]
fn update_issue_puts_only_the_given_fields() {
    let (result, request) = call(
        "GITLAB_UPDATE_ISSUE",
        json!({"project_id": "acme/app", "issue_iid": 8, "state_event": "close",
               "add_labels": ["done"], "remove_labels": ["doing"], "assignee_ids": [],
               "milestone_id": 0, "discussion_locked": true}),
        200,
        issue(8),
    );
    assert_request(&request, "PUT", "/projects/acme%2Fapp/issues/8");
    assert_eq!(
        json_body(&request),
        json!({"state_event": "close", "add_labels": "done", "remove_labels": "doing",
               "assignee_ids": [], "milestone_id": 0, "discussion_locked": true})
    );
    assert_eq!(result.unwrap()["iid"], 8);

    let (_, request) = call(
        "GITLAB_UPDATE_ISSUE",
        json!({"project_id": "4", "issue_iid": 8, "title": "New", "description": "Body", "labels": [],
               "due_date": "2024-04-01", "confidential": false}),
        200,
        issue(8),
    );
    assert_eq!(
        json_body(&request),
        json!({"title": "New", "description": "Body", "labels": "", "due_date": "2024-04-01", "confidential": false})
    );
}

#[test]
fn an_update_without_changes_is_refused_before_any_request() {
    let error = refused(
        "GITLAB_UPDATE_ISSUE",
        json!({"project_id": "4", "issue_iid": 8}),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("at least one field")));
}

#[test]
fn add_issue_comment_posts_a_note() {
    let note =
        json!({"id": 302, "body": "Fixed in !12", "noteable_type": "Issue", "noteable_iid": 8});
    let (result, request) = call(
        "GITLAB_ADD_ISSUE_COMMENT",
        json!({"project_id": "acme/app", "issue_iid": 8, "body": " Fixed in !12 "}),
        201,
        note.clone(),
    );
    assert_request(&request, "POST", "/projects/acme%2Fapp/issues/8/notes");
    assert_eq!(json_body(&request), json!({"body": "Fixed in !12"}));
    assert_eq!(result.unwrap(), note);
    let error = refused(
        "GITLAB_ADD_ISSUE_COMMENT",
        json!({"project_id": "4", "issue_iid": 8, "body": "\n"}),
    );
    assert_eq!(error, Error::invalid_input("`body` must not be blank"));
}

#[test]
fn list_merge_requests_sends_the_filters_and_pages() {
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_MERGE_REQUESTS",
        json!({"project_id": "acme/app", "state": "merged", "labels": ["backend"], "milestone": "Any",
               "scope": "created_by_me", "author_id": 5, "assignee_id": "12", "source_branch": "fix/crash",
               "target_branch": "main", "search": "crash", "created_after": "2024-01-01T00:00:00Z",
               "updated_after": "2024-01-02T00:00:00Z", "order_by": "merged_at", "sort": "desc", "per_page": 1, "page": 3}),
        vec![(
            200,
            vec![("x-next-page", "4")],
            json!([{"iid": 12, "title": "Fix crash"}]),
        )],
    );
    assert_request(
        &requests[0],
        "GET",
        "/projects/acme%2Fapp/merge_requests?state=merged&labels=backend&milestone=Any&scope=created_by_me&author_id=5&assignee_id=12&source_branch=fix%2Fcrash&target_branch=main&search=crash&created_after=2024-01-01T00%3A00%3A00Z&updated_after=2024-01-02T00%3A00%3A00Z&order_by=merged_at&sort=desc&per_page=1&page=3",
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"iid": 12, "title": "Fix crash"}], "next_page": 4})
    );
}

#[test]
fn get_merge_request_reads_it_and_summarises_a_page_of_its_diffs() {
    let long = format!("@@ -1 +1 @@\n-{}\n+{}\n", "a".repeat(30), "b".repeat(30));
    let diffs = json!([
        {"old_path": "src/save.rs", "new_path": "src/save.rs", "a_mode": "100644", "b_mode": "100644",
         "new_file": false, "renamed_file": false, "deleted_file": false, "generated_file": false,
         "diff": "@@ -1,3 +1,4 @@\n fn save() {\n-    write();\n+    write()?;\n+    sync()?;\n }\n"},
        {"old_path": "docs/old.md", "new_path": "docs/new.md", "new_file": false, "renamed_file": true,
         "deleted_file": false, "diff": long},
        {"old_path": "assets/logo.png", "new_path": "assets/logo.png", "new_file": true, "renamed_file": false,
         "deleted_file": false, "diff": "", "too_large": false, "collapsed": true}
    ]);
    let (result, requests) = run_with(
        &context(),
        "GITLAB_GET_MERGE_REQUEST",
        json!({"project_id": "acme/app", "merge_request_iid": 12, "files_per_page": 3, "files_page": 2, "diff_chars": 20}),
        vec![
            (
                200,
                vec![],
                json!({"iid": 12, "title": "Fix crash", "changes_count": "7"}),
            ),
            (200, vec![("x-next-page", "3")], diffs),
        ],
    );
    assert_eq!(requests.len(), 2);
    assert_request(
        &requests[0],
        "GET",
        "/projects/acme%2Fapp/merge_requests/12",
    );
    assert_request(
        &requests[1],
        "GET",
        "/projects/acme%2Fapp/merge_requests/12/diffs?page=2&per_page=3",
    );
    let answer = result.unwrap();
    assert_eq!(
        answer["merge_request"],
        json!({"iid": 12, "title": "Fix crash", "changes_count": "7"})
    );
    assert_eq!(
        answer["changes"],
        json!({
            "files": [
                {"old_path": "src/save.rs", "new_path": "src/save.rs", "status": "modified",
                 "additions": 2, "deletions": 1, "diff": "@@ -1,3 +1,4 @@\n fn ",
                 "diff_truncated": true, "too_large": false},
                {"old_path": "docs/old.md", "new_path": "docs/new.md", "status": "renamed",
                 "additions": 1, "deletions": 1, "diff": long[..20], "diff_truncated": true, "too_large": false},
                {"old_path": "assets/logo.png", "new_path": "assets/logo.png", "status": "added",
                 "additions": null, "deletions": null, "diff": "", "diff_truncated": false, "too_large": true}
            ],
            "additions": 3,
            "deletions": 2,
            "next_files_page": 3,
            "diff_chars": 20
        })
    );
}

#[test]
fn get_merge_request_defaults_and_without_changes() {
    let (result, requests) = run_with(
        &context(),
        "GITLAB_GET_MERGE_REQUEST",
        json!({"project_id": "4", "merge_request_iid": 1}),
        vec![
            (200, vec![], json!({"iid": 1})),
            (
                200,
                vec![],
                json!([{"old_path": "a", "new_path": "a", "diff": "@@ -0,0 +1 @@\n+x\n", "deleted_file": true}]),
            ),
        ],
    );
    assert_request(
        &requests[1],
        "GET",
        "/projects/4/merge_requests/1/diffs?page=1&per_page=20",
    );
    let changes = &result.unwrap()["changes"];
    assert_eq!(changes["diff_chars"], 2000);
    assert_eq!(changes["next_files_page"], Value::Null);
    assert_eq!(changes["files"][0]["status"], "deleted");
    assert_eq!(changes["files"][0]["diff_truncated"], false);

    let (result, request) = call(
        "GITLAB_GET_MERGE_REQUEST",
        json!({"project_id": "4", "merge_request_iid": 1, "include_changes": false}),
        200,
        json!({"iid": 1}),
    );
    assert_request(&request, "GET", "/projects/4/merge_requests/1");
    assert_eq!(
        result.unwrap(),
        json!({"merge_request": {"iid": 1}, "changes": null})
    );
}

#[test]
fn create_merge_request_posts_the_fields_and_marks_a_draft_by_its_title() {
    let (result, request) = call(
        "GITLAB_CREATE_MERGE_REQUEST",
        json!({"project_id": "acme/app", "source_branch": "fix/crash", "target_branch": "main",
               "title": "Fix crash on save", "draft": true, "description": "Closes #8", "labels": ["bug"],
               "assignee_ids": [12], "reviewer_ids": [13, 14], "milestone_id": 3,
               "remove_source_branch": true, "squash": true, "target_project_id": 4, "allow_collaboration": true}),
        201,
        json!({"iid": 12, "title": "Draft: Fix crash on save", "draft": true}),
    );
    assert_request(&request, "POST", "/projects/acme%2Fapp/merge_requests");
    assert_eq!(
        json_body(&request),
        json!({"source_branch": "fix/crash", "target_branch": "main", "title": "Draft: Fix crash on save",
               "description": "Closes #8", "labels": "bug", "assignee_ids": [12], "reviewer_ids": [13, 14],
               "milestone_id": 3, "remove_source_branch": true, "squash": true, "target_project_id": 4,
               "allow_collaboration": true})
    );
    assert_eq!(result.unwrap()["iid"], 12);

    // Already marked as a draft: not marked twice. Not a draft: the title as given.
    let (_, request) = call(
        "GITLAB_CREATE_MERGE_REQUEST",
        json!({"project_id": "4", "source_branch": "a", "target_branch": "b", "title": "Draft: x", "draft": true}),
        201,
        json!({"iid": 13}),
    );
    assert_eq!(
        json_body(&request),
        json!({"source_branch": "a", "target_branch": "b", "title": "Draft: x"})
    );
    let (_, request) = call(
        "GITLAB_CREATE_MERGE_REQUEST",
        json!({"project_id": "4", "source_branch": "a", "target_branch": "b", "title": " y "}),
        201,
        json!({"iid": 14}),
    );
    assert_eq!(json_body(&request)["title"], "y");
    let error = refused(
        "GITLAB_CREATE_MERGE_REQUEST",
        json!({"project_id": "4", "source_branch": " ", "target_branch": "b", "title": "y"}),
    );
    assert_eq!(
        error,
        Error::invalid_input("`source_branch` must not be blank")
    );
}

#[test]
fn add_merge_request_comment_posts_a_note() {
    let (result, request) = call(
        "GITLAB_ADD_MERGE_REQUEST_COMMENT",
        json!({"project_id": "acme/app", "merge_request_iid": 12, "body": "LGTM"}),
        201,
        json!({"id": 303, "body": "LGTM", "noteable_type": "MergeRequest"}),
    );
    assert_request(
        &request,
        "POST",
        "/projects/acme%2Fapp/merge_requests/12/notes",
    );
    assert_eq!(json_body(&request), json!({"body": "LGTM"}));
    assert_eq!(result.unwrap()["id"], 303);
}

#[test]
fn list_pipelines_sends_the_filters_and_pages() {
    let (result, requests) = run_with(
        &context(),
        "GITLAB_LIST_PIPELINES",
        json!({"project_id": "acme/app", "scope": "finished", "status": "failed", "source": "merge_request_event",
               "ref": "main", "sha": "a91957a8", "username": "alice", "order_by": "updated_at", "sort": "desc",
               "per_page": 5, "page": 1}),
        vec![(
            200,
            vec![("x-next-page", "2")],
            json!([{"id": 47, "status": "failed", "ref": "main"}]),
        )],
    );
    assert_request(
        &requests[0],
        "GET",
        "/projects/acme%2Fapp/pipelines?scope=finished&status=failed&source=merge_request_event&ref=main&sha=a91957a8&username=alice&order_by=updated_at&sort=desc&per_page=5&page=1",
    );
    assert_eq!(result.unwrap()["next_page"], 2);
}

#[test]
fn gitlab_error_envelopes_map_to_the_contracts_errors() {
    let get = |status: u16, headers: Vec<(&str, &str)>, body: Value| {
        run_with(
            &context(),
            "GITLAB_GET_PROJECT",
            json!({"project_id": "4"}),
            vec![(status, headers, body)],
        )
        .0
    };
    assert_eq!(
        get(401, vec![], json!({"message": "401 Unauthorized"})).unwrap_err(),
        Error::unauthorized("401 Unauthorized")
    );
    assert_eq!(
        get(401, vec![], json!({"error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user."})).unwrap_err(),
        Error::unauthorized("invalid_token: Token was revoked. You have to re-authorize from the user.")
    );
    assert_eq!(
        get(404, vec![], json!({"message": "404 Project Not Found"})).unwrap_err(),
        Error::not_found("404 Project Not Found")
    );
    assert_eq!(
        get(
            429,
            vec![("retry-after", "60"), ("ratelimit-reset", "1")],
            json!({"message": "Retry later"})
        )
        .unwrap_err(),
        Error::rate_limited("Retry later", Some(60))
    );
    // Without Retry-After, the wait runs to RateLimit-Reset (an epoch second).
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120)
        .to_string();
    match get(
        429,
        vec![("ratelimit-reset", &reset)],
        json!({"message": "Retry later"}),
    )
    .unwrap_err()
    {
        Error::RateLimited {
            message,
            retry_after_seconds: Some(wait),
        } => {
            assert_eq!(message, "Retry later");
            assert!((118..=120).contains(&wait), "{wait}");
        }
        other => panic!("{other:?}"),
    }
    let forbidden = json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the access token.", "scope": "api"});
    assert!(matches!(
        get(403, vec![], forbidden).unwrap_err(),
        Error::Upstream { status: 403, message, .. } if message == "insufficient_scope: The request requires higher privileges than provided by the access token."
    ));
    let invalid =
        json!({"message": {"title": ["can't be blank"], "labels": ["is invalid", "is too long"]}});
    assert!(matches!(
        get(400, vec![], invalid).unwrap_err(),
        Error::Upstream { status: 400, message, .. } if message == "labels: is invalid; is too long; title: can't be blank"
    ));
    assert!(matches!(
        get(500, vec![], json!({"message": "500 Internal Server Error"})).unwrap_err(),
        Error::Upstream { status: 500, message, .. } if message == "500 Internal Server Error"
    ));
}

#[test]
fn connecting_reads_the_user_and_labels_the_account_by_username() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"id": 1, "username": "alice", "name": "Alice"}));
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("alice"));
    assert_eq!(transport.only_request().url, format!("{BASE}/user"));

    let transport = Transport::install();
    transport.reply_json(200, json!({"id": 7, "username": "ops-bot"}));
    let account = testing::after_connect(&provider(), &self_managed()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("ops-bot (gitlab.example.com)")
    );
    assert_eq!(
        transport.only_request().url,
        "https://gitlab.example.com/api/v4/user"
    );

    // A refused token is not stored.
    let transport = Transport::install();
    transport.reply_json(401, json!({"message": "401 Unauthorized"}));
    assert_eq!(
        testing::after_connect(&provider(), &context()).unwrap_err(),
        Error::unauthorized("401 Unauthorized")
    );
}

#[test]
fn scopes_and_hints_are_the_fewest_gitlab_allows() {
    let provider = provider();
    for action in provider.actions() {
        let hints = action.hints();
        let scopes = action.required_scopes();
        if hints.read_only {
            assert_eq!(
                scopes,
                [vec!["read_api".to_string(), "api".to_string()]],
                "{}",
                action.name()
            );
        } else {
            assert_eq!(scopes, [vec!["api".to_string()]], "{}", action.name());
        }
        assert!(!hints.destructive, "{}", action.name());
    }
    let reads: Vec<&str> = provider
        .actions()
        .iter()
        .filter(|a| a.hints().read_only)
        .map(|a| a.name())
        .collect();
    assert_eq!(
        reads,
        [
            "GITLAB_LIST_PROJECTS",
            "GITLAB_GET_PROJECT",
            "GITLAB_LIST_ISSUES",
            "GITLAB_LIST_MERGE_REQUESTS",
            "GITLAB_GET_MERGE_REQUEST",
            "GITLAB_LIST_PIPELINES"
        ]
    );
}
