//! The bundled GitLab plugin against a stand-in that checks every request with PyPI
//! `python-gitlab` 8.6.0's resource tables ([`GITLAB`]; `tests/tools/standin/gitlab_resources.py`
//! says what that can and cannot check): the exact requests of every action, on a self-managed
//! instance with a personal access token (`PRIVATE-TOKEN`, the account's `base_url`
//! `https://gitlab.example.com` mapped to the stand-in) and on gitlab.com with an OAuth token;
//! answers shaped like the examples of GitLab's REST reference; paging by keyset cursor and by
//! `X-Next-Page`; the merge request's changes summary; the connect step; and how GitLab's error
//! envelopes reach the caller.

use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialKind;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Description, Fixture, GITLAB, Session, Source, VIOLATION_STATUS};
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
};

const FILE: &str = "gitlab.wasm";

/// The same tables served where a self-managed instance's API is: an account whose `base_url`
/// is `https://gitlab.example.com` calls `https://gitlab.example.com/api/v4`.
const SELF_MANAGED: Description = Description {
    name: "gitlab-self-managed",
    base_url: "https://gitlab.example.com/api/v4",
    source: Source::PyPi("gitlab/v4/objects"),
    overlay: Some("gitlab"),
};

const PAT: &str = "glpat-Xb7vR2kq9LmN3pQs8TuW";
const OAUTH_TOKEN: &str = "9f3b2c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";

/// Ops, connected to the self-managed instance with a personal access token.
fn ops() -> CallContext {
    let mut call = CallContext {
        user: "ops".into(),
        credential: Some(SecretString::new(PAT)),
        credential_kind: Some(CredentialKind::ApiKey),
        ..Default::default()
    };
    call.fields
        .insert("base_url".into(), "https://gitlab.example.com".into());
    call
}

/// Alice, signed in with GitLab.com's OAuth: the host set `base_url` to the token URL's origin.
fn alice() -> CallContext {
    let mut call = CallContext {
        user: "alice".into(),
        scopes: vec!["api".into()],
        credential: Some(SecretString::new(OAUTH_TOKEN)),
        credential_kind: Some(CredentialKind::OAuth2),
        ..Default::default()
    };
    call.fields
        .insert("base_url".into(), "https://gitlab.com".into());
    call
}

async fn gitlab(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

fn assert_private_token(request: &Recorded) {
    assert_eq!(request.header("private-token"), Some(PAT));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {OAUTH_TOKEN}").as_str())
    );
    assert_eq!(request.header("private-token"), None);
}

fn author() -> Value {
    json!({"id": 18, "username": "eileen.lowe", "name": "Alexandra Bashirian", "state": "active",
           "avatar_url": null, "web_url": "https://gitlab.example.com/eileen.lowe"})
}

/// A project as `GET /projects?simple=true` lists it ("List all projects").
fn project(id: u64, path: &str) -> Value {
    json!({
        "id": id, "description": "Checkout service", "name": path, "name_with_namespace": format!("Acme / Platform / {path}"),
        "path": path, "path_with_namespace": format!("acme/platform/{path}"), "created_at": "2013-09-30T13:46:02Z",
        "default_branch": "main", "tag_list": [], "topics": ["payments"],
        "ssh_url_to_repo": format!("git@gitlab.example.com:acme/platform/{path}.git"),
        "http_url_to_repo": format!("https://gitlab.example.com/acme/platform/{path}.git"),
        "web_url": format!("https://gitlab.example.com/acme/platform/{path}"),
        "readme_url": format!("https://gitlab.example.com/acme/platform/{path}/-/blob/main/README.md"),
        "avatar_url": null, "forks_count": 0, "star_count": 2, "last_activity_at": "2024-01-30T13:46:02Z",
        "namespace": {"id": 3, "name": "Platform", "path": "platform", "kind": "group", "full_path": "acme/platform",
                      "parent_id": 2, "avatar_url": null, "web_url": "https://gitlab.example.com/groups/acme/platform"}
    })
}

/// An issue as "New issue" answers it.
fn issue(iid: u64) -> Value {
    json!({
        "project_id": 4, "id": 70 + iid, "iid": iid, "created_at": "2016-01-07T12:44:33.959Z",
        "title": "Issues with auth", "state": "opened", "assignees": [], "assignee": null, "type": "ISSUE",
        "labels": ["bug"], "upvotes": 0, "downvotes": 0, "merge_requests_count": 0, "author": author(),
        "description": null, "updated_at": "2016-01-07T12:44:33.959Z", "closed_at": null, "closed_by": null,
        "milestone": null, "subscribed": true, "user_notes_count": 0, "due_date": null,
        "web_url": format!("https://gitlab.example.com/acme/platform/checkout/-/issues/{iid}"),
        "references": {"short": format!("#{iid}"), "relative": format!("#{iid}"), "full": format!("acme/platform/checkout#{iid}")},
        "confidential": false, "discussion_locked": null, "issue_type": "issue",
        "task_completion_status": {"count": 0, "completed_count": 0}
    })
}

/// A note as "Create new issue note" answers it.
fn note(noteable_type: &str) -> Value {
    json!({"id": 302, "body": "Reproduced on staging.", "attachment": null, "author": author(),
           "created_at": "2013-10-02T09:22:45Z", "updated_at": "2013-10-02T10:22:45Z", "system": false,
           "noteable_id": 377, "noteable_type": noteable_type, "project_id": 4, "noteable_iid": 14,
           "resolvable": false, "confidential": false, "internal": false})
}

/// A merge request as "Get single MR" answers it (abridged).
fn merge_request(iid: u64) -> Value {
    json!({
        "id": 155016530, "iid": iid, "project_id": 4, "title": "Fix the saved card checkout",
        "description": "Closes #14", "state": "opened", "created_at": "2024-01-29T08:46:00Z",
        "updated_at": "2024-01-30T08:46:00Z", "merged_by": null, "merged_at": null, "closed_at": null,
        "target_branch": "main", "source_branch": "fix/saved-card", "author": author(), "assignees": [],
        "reviewers": [], "labels": ["bug"], "draft": false, "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable", "sha": "8888888888888888888888888888888888888888",
        "changes_count": "2", "user_notes_count": 1,
        "web_url": format!("https://gitlab.example.com/acme/platform/checkout/-/merge_requests/{iid}"),
        "references": {"short": format!("!{iid}"), "relative": format!("!{iid}"), "full": format!("acme/platform/checkout!{iid}")}
    })
}

/// "List merge request diffs".
fn diffs() -> Value {
    json!([
        {"old_path": "README", "new_path": "README", "a_mode": "100644", "b_mode": "100644",
         "diff": "@@ -1 +1 @@\n-Title\n+README\n", "new_file": false, "renamed_file": false,
         "deleted_file": false, "generated_file": false},
        {"old_path": "VERSION", "new_path": "VERSION", "a_mode": "100644", "b_mode": "100644",
         "diff": "@@ -1 +1 @@\n- 1.9.7\n+ 1.9.8\n", "new_file": false, "renamed_file": false,
         "deleted_file": false, "generated_file": false}
    ])
}

/// A pipeline as "List project pipelines" lists it.
fn pipeline(id: u64) -> Value {
    json!({"id": id, "iid": 12, "project_id": 4, "status": "failed", "source": "push", "ref": "main",
           "sha": "a91957a858320c0e17f3a0eca7cfacbff50ea29a", "name": "Build pipeline",
           "web_url": format!("https://gitlab.example.com/acme/platform/checkout/-/pipelines/{id}"),
           "created_at": "2016-08-11T11:28:34.085Z", "updated_at": "2016-08-11T11:32:35.169Z"})
}

/// Every action with every parameter it takes, on the self-managed instance with a personal
/// access token: the tables accept each request, each reaches the resource the action is for,
/// and each carries the token as `PRIVATE-TOKEN`, with projects named by an encoded path.
#[tokio::test]
async fn every_action_on_a_self_managed_instance_with_a_personal_access_token() {
    let standin = SELF_MANAGED.session("gitlab_every_action");
    let fixtures = [
        Fixture::new(
            "GET",
            "/projects",
            Reply::json(200, json!([project(4, "checkout")])),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}",
            Reply::json(200, project(4, "checkout")),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}/issues",
            Reply::json(200, json!([issue(14)])),
        ),
        Fixture::new("POST", "/projects/{id}/issues", Reply::json(201, issue(15))),
        Fixture::new(
            "PUT",
            "/projects/{id}/issues/{iid}",
            Reply::json(200, issue(15)),
        ),
        Fixture::new(
            "POST",
            "/projects/{id}/issues/{iid}/notes",
            Reply::json(201, note("Issue")),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}/merge_requests",
            Reply::json(200, json!([merge_request(12)])),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}/merge_requests/{iid}",
            Reply::json(200, merge_request(12)),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}/merge_requests/{iid}/diffs",
            Reply::json(200, diffs()),
        ),
        Fixture::new(
            "POST",
            "/projects/{id}/merge_requests",
            Reply::json(201, merge_request(13)),
        ),
        Fixture::new(
            "POST",
            "/projects/{id}/merge_requests/{iid}/notes",
            Reply::json(201, note("MergeRequest")),
        ),
        Fixture::new(
            "GET",
            "/projects/{id}/pipelines",
            Reply::json(200, json!([pipeline(47)])),
        ),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = gitlab(&standin).await;
    let at = "acme/platform/checkout";
    let calls: Vec<Call> = vec![
        (
            "GITLAB_LIST_PROJECTS",
            json!({"search": "checkout", "membership": true, "owned": false, "starred": false, "visibility": "internal",
                   "archived": false, "min_access_level": 30, "simple": true, "sort": "asc", "per_page": 50}),
            &["GET /projects"],
        ),
        (
            "GITLAB_GET_PROJECT",
            json!({"project_id": at, "statistics": true, "license": false}),
            &["GET /projects/{id}"],
        ),
        (
            "GITLAB_LIST_ISSUES",
            json!({"project_id": at, "state": "opened", "labels": ["bug", "checkout"], "milestone": "v1.2", "scope": "all",
                   "author_id": 18, "assignee_id": "Any", "search": "auth", "created_after": "2024-01-01T00:00:00Z",
                   "created_before": "2024-02-01T00:00:00Z", "updated_after": "2024-01-15T00:00:00Z",
                   "updated_before": "2024-02-01T00:00:00Z", "order_by": "priority", "sort": "asc", "per_page": 100, "page": 2}),
            &["GET /projects/{project_id}/issues"],
        ),
        (
            "GITLAB_CREATE_ISSUE",
            json!({"project_id": at, "title": "Issues with auth", "description": "Saved cards fail.", "labels": ["bug"],
                   "assignee_ids": [18], "milestone_id": 3, "due_date": "2024-03-01", "confidential": false}),
            &["POST /projects/{project_id}/issues"],
        ),
        (
            "GITLAB_UPDATE_ISSUE",
            json!({"project_id": at, "issue_iid": 15, "title": "Auth fails with saved cards", "description": "Steps",
                   "state_event": "close", "labels": ["bug"], "add_labels": ["done"], "remove_labels": ["doing"],
                   "assignee_ids": [18], "milestone_id": 3, "due_date": "2024-03-02", "confidential": true,
                   "discussion_locked": true}),
            &["PUT /projects/{project_id}/issues/{id}"],
        ),
        (
            "GITLAB_ADD_ISSUE_COMMENT",
            json!({"project_id": at, "issue_iid": 15, "body": "Reproduced on staging."}),
            &["POST /projects/{project_id}/issues/{issue_iid}/notes"],
        ),
        (
            "GITLAB_LIST_MERGE_REQUESTS",
            json!({"project_id": at, "state": "opened", "labels": ["bug"], "milestone": "None", "scope": "assigned_to_me",
                   "author_id": 18, "assignee_id": "18", "source_branch": "fix/saved-card", "target_branch": "main",
                   "search": "card", "created_after": "2024-01-01T00:00:00Z", "updated_after": "2024-01-02T00:00:00Z",
                   "order_by": "updated_at", "sort": "desc", "per_page": 20, "page": 1}),
            &["GET /projects/{project_id}/merge_requests"],
        ),
        (
            "GITLAB_GET_MERGE_REQUEST",
            json!({"project_id": at, "merge_request_iid": 12, "include_changes": true, "files_per_page": 50,
                   "files_page": 1, "diff_chars": 5000}),
            &[
                "GET /projects/{project_id}/merge_requests/{id}",
                "GET /projects/{project_id}/merge_requests/{mr_iid}/diffs",
            ],
        ),
        (
            "GITLAB_CREATE_MERGE_REQUEST",
            json!({"project_id": at, "source_branch": "fix/saved-card", "target_branch": "main",
                   "title": "Fix the saved card checkout", "draft": true, "description": "Closes #14", "labels": ["bug"],
                   "assignee_ids": [18], "reviewer_ids": [19], "milestone_id": 3, "remove_source_branch": true,
                   "squash": true, "target_project_id": 4, "allow_collaboration": true}),
            &["POST /projects/{project_id}/merge_requests"],
        ),
        (
            "GITLAB_ADD_MERGE_REQUEST_COMMENT",
            json!({"project_id": at, "merge_request_iid": 12, "body": "Looks good."}),
            &["POST /projects/{project_id}/merge_requests/{mr_iid}/notes"],
        ),
        (
            "GITLAB_LIST_PIPELINES",
            json!({"project_id": at, "scope": "finished", "status": "failed", "source": "push", "ref": "main",
                   "sha": "a91957a858320c0e17f3a0eca7cfacbff50ea29a", "username": "eileen.lowe", "order_by": "id",
                   "sort": "desc", "per_page": 20, "page": 1}),
            &["GET /projects/{project_id}/pipelines"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &ops(), &calls).await;
    assert_eq!(
        outputs[0]["items"][0]["path_with_namespace"],
        "acme/platform/checkout"
    );
    assert_eq!(outputs[2]["items"][0]["iid"], 14);
    assert_eq!(outputs[3]["iid"], 15);
    assert_eq!(outputs[7]["merge_request"]["iid"], 12);
    assert_eq!(outputs[7]["changes"]["files"][1]["new_path"], "VERSION");
    assert_eq!(outputs[10]["items"][0]["status"], "failed");

    let requests = standin.requests().await;
    for request in &requests {
        assert_private_token(request);
        if request.path != "/projects" {
            assert!(
                request
                    .path
                    .starts_with("/projects/acme%2Fplatform%2Fcheckout"),
                "{}",
                request.path
            );
        }
    }
    let query = |i: usize| requests[i].query.clone().unwrap_or_default();
    assert_eq!(
        query(0),
        "search=checkout&membership=true&owned=false&starred=false&visibility=internal&archived=false&min_access_level=30&simple=true&per_page=50&pagination=keyset&order_by=id&sort=asc"
    );
    assert_eq!(
        query(2),
        "state=opened&labels=bug%2Ccheckout&milestone=v1.2&scope=all&author_id=18&assignee_id=Any&search=auth&created_after=2024-01-01T00%3A00%3A00Z&created_before=2024-02-01T00%3A00%3A00Z&updated_after=2024-01-15T00%3A00%3A00Z&updated_before=2024-02-01T00%3A00%3A00Z&order_by=priority&sort=asc&per_page=100&page=2"
    );
    assert_eq!(
        requests[3].json(),
        json!({"title": "Issues with auth", "description": "Saved cards fail.", "labels": "bug", "assignee_ids": [18],
               "milestone_id": 3, "due_date": "2024-03-01", "confidential": false})
    );
    assert_eq!(
        requests[4].json(),
        json!({"title": "Auth fails with saved cards", "description": "Steps", "state_event": "close", "labels": "bug",
               "add_labels": "done", "remove_labels": "doing", "assignee_ids": [18], "milestone_id": 3,
               "due_date": "2024-03-02", "confidential": true, "discussion_locked": true})
    );
    assert_eq!(
        requests[5].json(),
        json!({"body": "Reproduced on staging."})
    );
    assert_eq!(query(8), "page=1&per_page=50");
    assert_eq!(
        requests[9].json()["title"],
        "Draft: Fix the saved card checkout"
    );
    assert_eq!(requests[10].json(), json!({"body": "Looks good."}));

    // The check reaches the caller: a request the tables refuse fails the action.
    standin.reset().await;
    let (broken, _) = runtime
        .execute(
            &plugin,
            "GITLAB_GET_PROJECT",
            &json!({"project_id": "acme/check out"}),
            &ops(),
        )
        .await;
    assert!(
        matches!(
            broken,
            Err(CallError::Action(ActionError::Upstream { status, .. })) if status == VIOLATION_STATUS
        ),
        "the stand-in accepted a project path with a space: {broken:?}"
    );
    let violations = standin.violations().await;
    assert!(
        violations.len() == 1 && violations[0].contains("namespace/project path"),
        "{violations:?}"
    );
}

/// An OAuth account on gitlab.com: the bearer token, and projects paged by keyset with the
/// returned cursor (GitLab's `Link` header) until the last page.
#[tokio::test]
async fn an_oauth_account_on_gitlab_com_pages_projects_by_keyset_cursor() {
    let standin = GITLAB.session("gitlab_oauth_projects");
    let next = "https://gitlab.com/api/v4/projects?id_before=4&membership=true&order_by=id&owned=false&page=1&pagination=keyset&per_page=2&simple=true&sort=desc&starred=false&statistics=false&with_custom_attributes=false&with_issues_enabled=false&with_merge_requests_enabled=false";
    standin
        .answer(
            Fixture::new(
                "GET",
                "/projects",
                Reply::json(200, json!([project(9, "billing"), project(4, "checkout")]))
                    .header("link", &format!("<{next}>; rel=\"next\"")),
            )
            .with_query("pagination", "keyset")
            .once(),
        )
        .await;
    standin
        .answer(
            Fixture::new(
                "GET",
                "/projects",
                Reply::json(200, json!([project(2, "docs")])),
            )
            .once(),
        )
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "GITLAB_LIST_PROJECTS",
            &json!({"per_page": 2}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(first["items"][1]["id"], 4);
    assert_eq!(first["next_cursor"], next);
    let (second, _) = runtime
        .execute(
            &plugin,
            "GITLAB_LIST_PROJECTS",
            &json!({"cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"items": [project(2, "docs")], "next_cursor": null})
    );
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].query.as_deref(),
        Some("membership=true&simple=true&per_page=2&pagination=keyset&order_by=id&sort=desc")
    );
    assert_eq!(
        format!(
            "https://gitlab.com/api/v4{}?{}",
            requests[1].path,
            requests[1].query.as_deref().unwrap()
        ),
        next
    );
    for request in &requests {
        assert_bearer(request);
    }
}

/// Offset pages: `X-Next-Page` becomes `next_page`, which fetches the next page; its empty value
/// on the last page ends the list.
#[tokio::test]
async fn issues_page_by_x_next_page() {
    let standin = GITLAB.session("gitlab_issue_pages");
    standin
        .answer(
            Fixture::new(
                "GET",
                "/projects/{id}/issues",
                Reply::json(200, json!([issue(14), issue(13)]))
                    .header("x-next-page", "2")
                    .header("x-page", "1")
                    .header("x-per-page", "2"),
            )
            .with_query("page", "1")
            .once(),
        )
        .await;
    standin
        .answer(
            Fixture::new(
                "GET",
                "/projects/{id}/issues",
                Reply::json(200, json!([issue(12)]))
                    .header("x-next-page", "")
                    .header("x-page", "2"),
            )
            .with_query("page", "2"),
        )
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let params = |page: &Value| json!({"project_id": "acme/platform/checkout", "state": "opened", "per_page": 2, "page": page});
    let (first, _) = runtime
        .execute(&plugin, "GITLAB_LIST_ISSUES", &params(&json!(1)), &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(
        (first["items"][1]["iid"].clone(), first["next_page"].clone()),
        (json!(13), json!(2))
    );
    let (second, _) = runtime
        .execute(
            &plugin,
            "GITLAB_LIST_ISSUES",
            &params(&first["next_page"]),
            &alice(),
        )
        .await;
    let second = second.unwrap();
    assert_eq!(second, json!({"items": [issue(12)], "next_page": null}));
    let queries: Vec<String> = standin
        .requests()
        .await
        .into_iter()
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "state=opened&per_page=2&page=1",
            "state=opened&per_page=2&page=2"
        ]
    );
}

/// The merge request with the summary of its changes, counted from GitLab's diffs and cut at
/// `diff_chars`, and the page of files after it.
#[tokio::test]
async fn get_merge_request_summarises_its_changes() {
    let standin = GITLAB.session("gitlab_mr_changes");
    standin
        .answer(Fixture::new(
            "GET",
            "/projects/{id}/merge_requests/{iid}",
            Reply::json(200, merge_request(12)),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/projects/{id}/merge_requests/{iid}/diffs",
            Reply::json(200, diffs()).header("x-next-page", "2"),
        ))
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "GITLAB_GET_MERGE_REQUEST",
            &json!({"project_id": "4", "merge_request_iid": 12, "files_per_page": 2, "diff_chars": 15}),
            &alice(),
        )
        .await;
    assert_eq!(report.upstream_calls, 2);
    let answer = result.unwrap();
    assert_eq!(answer["merge_request"], merge_request(12));
    assert_eq!(
        answer["changes"],
        json!({
            "files": [
                {"old_path": "README", "new_path": "README", "status": "modified", "additions": 1, "deletions": 1,
                 "diff": "@@ -1 +1 @@\n-Ti", "diff_truncated": true, "too_large": false},
                {"old_path": "VERSION", "new_path": "VERSION", "status": "modified", "additions": 1, "deletions": 1,
                 "diff": "@@ -1 +1 @@\n- 1", "diff_truncated": true, "too_large": false}
            ],
            "additions": 2, "deletions": 2, "next_files_page": 2, "diff_chars": 15
        })
    );
    let requests = standin.requests().await;
    assert_eq!(requests[1].path, "/projects/4/merge_requests/12/diffs");
    assert_eq!(requests[1].query.as_deref(), Some("page=1&per_page=2"));
}

/// The connect step reads `GET /user` on the account's instance and labels the account.
#[tokio::test]
async fn connecting_labels_the_account_with_the_username_and_instance() {
    let user = json!({"id": 1, "username": "john_smith", "name": "John Smith", "state": "active", "locked": false,
                      "avatar_url": null, "web_url": "https://gitlab.example.com/john_smith",
                      "created_at": "2012-05-23T08:00:58Z", "bio": "", "public_email": "john@example.com"});
    let standin = SELF_MANAGED.session("gitlab_connect");
    standin
        .answer(Fixture::new("GET", "/user", Reply::json(200, user.clone())))
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let (connected, _) = runtime.after_connect(&plugin, &ops()).await;
    let connected = connected.unwrap();
    assert_eq!(
        connected.label.as_deref(),
        Some("john_smith (gitlab.example.com)")
    );
    let request = standin.single().await;
    assert_eq!(request.path, "/user");
    assert_private_token(&request);

    let standin = GITLAB.session("gitlab_connect_oauth");
    standin
        .answer(Fixture::new("GET", "/user", Reply::json(200, user)))
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let (connected, _) = runtime.after_connect(&plugin, &alice()).await;
    assert_eq!(connected.unwrap().label.as_deref(), Some("john_smith"));
    assert_bearer(&standin.single().await);
}

/// GitLab's error envelopes: a refused token, a missing project, a rate limit with its
/// `Retry-After`, a validation error's field messages and OAuth's `insufficient_scope`.
#[tokio::test]
async fn gitlabs_errors_reach_the_caller_as_the_contracts_errors() {
    let cases = [
        (
            Reply::json(401, json!({"message": "401 Unauthorized"})),
            CallError::Action(ActionError::Unauthorized("401 Unauthorized".into())),
        ),
        (
            Reply::json(404, json!({"message": "404 Project Not Found"})),
            CallError::Action(ActionError::NotFound("404 Project Not Found".into())),
        ),
        (
            Reply::json(429, json!({"message": "Retry later"}))
                .header("retry-after", "60")
                .header("ratelimit-limit", "2000")
                .header("ratelimit-remaining", "0")
                .header("ratelimit-reset", "1609844400"),
            CallError::Action(ActionError::RateLimited {
                message: "Retry later".into(),
                retry_after_seconds: Some(60),
            }),
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let standin = GITLAB.session(&format!("gitlab_error_{i}"));
        standin
            .answer(Fixture::new("GET", "/projects/{id}", reply))
            .await;
        let (runtime, plugin) = gitlab(&standin).await;
        let (result, _) = runtime
            .execute(
                &plugin,
                "GITLAB_GET_PROJECT",
                &json!({"project_id": "acme/missing"}),
                &alice(),
            )
            .await;
        assert_eq!(result.unwrap_err(), expected);
        assert_eq!(standin.single().await.path, "/projects/acme%2Fmissing");
    }

    let standin = GITLAB.session("gitlab_error_validation");
    let invalid = json!({"message": {"title": ["can't be blank"], "labels": ["is invalid"]}});
    let scope = json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the access token.", "scope": "api"});
    standin
        .answer(
            Fixture::new(
                "POST",
                "/projects/{id}/issues",
                Reply::json(400, invalid.clone()),
            )
            .once(),
        )
        .await;
    standin
        .answer(
            Fixture::new(
                "POST",
                "/projects/{id}/issues",
                Reply::json(403, scope.clone()),
            )
            .once(),
        )
        .await;
    let (runtime, plugin) = gitlab(&standin).await;
    let params = json!({"project_id": "4", "title": "x"});
    let (result, _) = runtime
        .execute(&plugin, "GITLAB_CREATE_ISSUE", &params, &alice())
        .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 400,
            message: "labels: is invalid; title: can't be blank".into(),
            body: Some(invalid.to_string())
        })
    );
    let (result, _) = runtime
        .execute(&plugin, "GITLAB_CREATE_ISSUE", &params, &alice())
        .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "insufficient_scope: The request requires higher privileges than provided by the access token.".into(),
            body: Some(scope.to_string())
        })
    );
    standin.assert_no_violations().await;
}

const JSON_WITH_TOKEN: &[(&str, &str)] =
    &[("private-token", PAT), ("content-type", "application/json")];
const WITH_TOKEN: &[(&str, &str)] = &[("private-token", PAT)];

/// Negative controls: requests python-gitlab's tables refuse (or GitLab would), so a stand-in
/// that accepts everything fails here.
#[tokio::test]
async fn gitlabs_tables_refuse_what_gitlab_would_refuse() {
    assert_refused(
        &GITLAB,
        "gitlab_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/projects/acme/checkout/issues",
                headers: WITH_TOKEN,
                body: "",
                because: "no resource of python-gitlab",
            },
            Refused {
                method: "POST",
                path_and_query: "/projects/4/issues",
                headers: JSON_WITH_TOKEN,
                body: r#"{"description": "no title"}"#,
                because: "body field 'title' is required",
            },
            Refused {
                method: "POST",
                path_and_query: "/projects/4/issues",
                headers: JSON_WITH_TOKEN,
                body: r#"{"title": "t", "body": "GitHub's name"}"#,
                because: "body field 'body' is not one of",
            },
            Refused {
                method: "PUT",
                path_and_query: "/projects/4/issues/14",
                headers: JSON_WITH_TOKEN,
                body: r#"{"state_event": "closed"}"#,
                because: "state_event 'closed'",
            },
            Refused {
                method: "GET",
                path_and_query: "/projects/4/issues?status=opened",
                headers: WITH_TOKEN,
                body: "",
                because: "query parameter 'status' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/projects/4/pipelines?per_page=500",
                headers: WITH_TOKEN,
                body: "",
                because: "per_page '500'",
            },
            Refused {
                method: "GET",
                path_and_query: "/projects/4/issues?pagination=keyset&order_by=id",
                headers: WITH_TOKEN,
                body: "",
                because: "keyset pagination is only for GET /projects",
            },
            Refused {
                method: "GET",
                path_and_query: "/projects/4/merge_requests/first",
                headers: WITH_TOKEN,
                body: "",
                because: "is not a number",
            },
            Refused {
                method: "GET",
                path_and_query: "/projects/4",
                headers: &[],
                body: "",
                because: "exactly one credential",
            },
        ],
    )
    .await;
}

/// Known good: "New issue" from GitLab's REST docs, its attributes in the query as the docs'
/// example sends them.
#[tokio::test]
async fn gitlabs_tables_accept_the_new_issue_example_from_gitlabs_docs() {
    assert_accepted(
        &GITLAB,
        "gitlab_docs_new_issue",
        (
            "POST",
            "/projects/4/issues?title=Issues%20with%20auth&labels=bug",
            WITH_TOKEN,
            "",
        ),
        "POST /projects/{project_id}/issues",
    )
    .await;
    // The request an unencoded path would make never reaches the stand-in with a 2xx.
    let standin = GITLAB.session("gitlab_docs_violation_status");
    let (status, _) = standin
        .send("GET", "/projects/acme/checkout", WITH_TOKEN, b"")
        .await;
    assert_eq!(status, VIOLATION_STATUS);
}
