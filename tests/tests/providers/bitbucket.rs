//! The bundled Bitbucket plugin against a stand-in that checks every request with Bitbucket
//! Cloud's own Swagger 2.0 description (`../shared/specs/bitbucket`, with the overlay
//! `bitbucket`): every action's requests, paging by Bitbucket's `next` links (and the page the
//! Pipelines list leaves unlinked), Bitbucket's error envelope as the contract's errors, the
//! connect step with OAuth and with an e-mail and API token, and requests the description must
//! refuse or accept.

use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialKind;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{BITBUCKET, Fixture, Session};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
};

const FILE: &str = "bitbucket.wasm";
const TOKEN: &str = "bb_oauth_alice_0f9e8d7c";
const API: &str = "https://api.bitbucket.org/2.0";
const REPO: &str = "/repositories/acme/web-app";

/// Alice, signed in with Bitbucket's OAuth and every scope the plugin asks for.
fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: [
            "repository",
            "pullrequest",
            "pullrequest:write",
            "pipeline",
            "account",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        credential: Some(SecretString::new(TOKEN)),
        credential_kind: Some(CredentialKind::OAuth2),
        ..Default::default()
    }
}

async fn bitbucket(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Runs one action for alice in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    let standin = BITBUCKET.session(test);
    standin.answer(fixture).await;
    let (runtime, plugin) = bitbucket(&standin).await;
    let (result, _) = runtime.execute(&plugin, action, &params, &alice()).await;
    (result, standin)
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn text(status: u16, content_type: &str, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.as_bytes().to_vec(),
        delay: Default::default(),
    }
}

fn link(href: &str) -> Value {
    json!({"href": href})
}

fn account(name: &str, nickname: &str, uuid: &str) -> Value {
    json!({
        "type": "user", "display_name": name, "nickname": nickname, "uuid": uuid,
        "account_id": "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443",
        "links": {"self": link(&format!("{API}/users/{uuid}")), "avatar": link("https://secure.gravatar.com/avatar/1"), "html": link(&format!("https://bitbucket.org/{uuid}/"))}
    })
}

/// A repository as "Get a repository" shows it.
fn repository() -> Value {
    json!({
        "type": "repository", "full_name": "acme/web-app", "name": "web-app", "slug": "web-app",
        "uuid": "{21fa9bf8-b5b2-4891-97ed-d590bad0f871}", "scm": "git", "is_private": true,
        "description": "The customer web app", "language": "typescript", "size": 2_351_289,
        "created_on": "2023-04-12T09:31:44.213459+00:00", "updated_on": "2026-11-27T16:02:11.004516+00:00",
        "has_issues": false, "has_wiki": false, "fork_policy": "no_public_forks",
        "mainbranch": {"type": "branch", "name": "main"},
        "project": {"type": "project", "key": "WEB", "name": "Web", "uuid": "{f0e1d2c3-0000-4000-8000-00000000000a}"},
        "owner": {"type": "team", "display_name": "Acme", "uuid": "{5a7b1c2d-0000-4000-8000-000000000001}", "username": "acme"},
        "links": {
            "self": link(&format!("{API}{REPO}")),
            "html": link("https://bitbucket.org/acme/web-app"),
            "clone": [{"name": "https", "href": "https://bitbucket.org/acme/web-app.git"}, {"name": "ssh", "href": "git@bitbucket.org:acme/web-app.git"}]
        }
    })
}

/// A pull request as "Get a pull request" shows it.
fn pull_request(id: u64, state: &str) -> Value {
    json!({
        "type": "pullrequest", "id": id, "title": "Add the login form", "state": state,
        "description": "Adds the **login** form.",
        "summary": {"type": "rendered", "raw": "Adds the **login** form.", "markup": "markdown", "html": "<p>Adds the <strong>login</strong> form.</p>"},
        "author": account("Alice Liddell", "aliddell", "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}"),
        "source": {"branch": {"name": "feature/login"}, "commit": {"type": "commit", "hash": "e3a4b5c6d7e8"}, "repository": {"type": "repository", "full_name": "acme/web-app", "name": "web-app", "uuid": "{21fa9bf8-b5b2-4891-97ed-d590bad0f871}"}},
        "destination": {"branch": {"name": "main"}, "commit": {"type": "commit", "hash": "0a1b2c3d4e5f"}, "repository": {"type": "repository", "full_name": "acme/web-app", "name": "web-app", "uuid": "{21fa9bf8-b5b2-4891-97ed-d590bad0f871}"}},
        "merge_commit": if state == "MERGED" { json!({"type": "commit", "hash": "9f8e7d6c5b4a"}) } else { Value::Null },
        "close_source_branch": true, "comment_count": 2, "task_count": 0, "reviewers": [], "participants": [],
        "created_on": "2026-11-26T10:14:03.482920+00:00", "updated_on": "2026-11-27T08:01:55.120044+00:00",
        "links": {"self": link(&format!("{API}{REPO}/pullrequests/{id}")), "html": link(&format!("https://bitbucket.org/acme/web-app/pull-requests/{id}"))}
    })
}

fn commit(hash: &str, message: &str) -> Value {
    json!({
        "type": "commit", "hash": hash, "message": message, "date": "2026-11-27T15:58:20+00:00",
        "author": {"type": "author", "raw": "Alice Liddell <alice@acme.example>", "user": account("Alice Liddell", "aliddell", "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}")},
        "parents": [{"type": "commit", "hash": "0a1b2c3d4e5f"}],
        "links": {"self": link(&format!("{API}{REPO}/commit/{hash}")), "html": link(&format!("https://bitbucket.org/acme/web-app/commits/{hash}"))}
    })
}

fn pipeline(build: u64, result: &str) -> Value {
    json!({
        "type": "pipeline", "uuid": format!("{{9a1e0c3f-0000-4000-8000-{build:012}}}"), "build_number": build,
        "state": {"type": "pipeline_state_completed", "name": "COMPLETED", "result": {"type": "pipeline_state_completed_successful", "name": result}},
        "target": {"type": "pipeline_ref_target", "ref_type": "branch", "ref_name": "main", "commit": {"type": "commit", "hash": "9f8e7d6c5b4a"}},
        "trigger": {"type": "pipeline_trigger_push", "name": "PUSH"},
        "creator": account("Alice Liddell", "aliddell", "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}"),
        "created_on": "2026-11-27T16:00:01.000Z", "completed_on": "2026-11-27T16:03:40.000Z", "duration_in_seconds": 219
    })
}

/// Every action, each request checked by Bitbucket's description and reaching the operation
/// named, with the exact queries and bodies the real API takes.
#[tokio::test]
async fn every_action_sends_requests_that_bitbuckets_description_accepts() {
    let standin = BITBUCKET.session("bitbucket_every_action");
    let fixtures = [
        Fixture::new("GET", "/repositories/acme", Reply::json(200, json!({"pagelen": 10, "size": 1, "page": 1, "values": [repository()]}))),
        Fixture::new("GET", REPO, Reply::json(200, repository())),
        Fixture::new("GET", "/repositories/acme/web-app/pullrequests", Reply::json(200, json!({"pagelen": 10, "size": 1, "page": 1, "values": [pull_request(42, "OPEN")]}))),
        Fixture::new("GET", "/repositories/acme/web-app/pullrequests/42", Reply::json(200, pull_request(42, "OPEN"))),
        Fixture::new("POST", "/repositories/acme/web-app/pullrequests", Reply::json(201, pull_request(43, "OPEN"))),
        Fixture::new("POST", "/repositories/acme/web-app/pullrequests/42/comments", Reply::json(201, json!({
            "type": "pullrequest_comment", "id": 518233291, "content": {"type": "rendered", "raw": "Off by one?", "markup": "markdown", "html": "<p>Off by one?</p>"},
            "inline": {"path": "src/login.ts", "to": 12, "from": null}, "created_on": "2026-11-27T16:10:00.000000+00:00",
            "user": account("Alice Liddell", "aliddell", "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}"), "deleted": false, "pending": false
        }))),
        Fixture::new("POST", "/repositories/acme/web-app/pullrequests/42/merge", Reply::json(200, pull_request(42, "MERGED"))),
        Fixture::new("GET", "/repositories/acme/web-app/commits/main", Reply::json(200, json!({"pagelen": 2, "values": [commit("9f8e7d6c5b4a", "Add the login form\n"), commit("0a1b2c3d4e5f", "Initial commit\n")]}))),
        Fixture::new("GET", "/repositories/acme/web-app/src/main/src/login.ts", Reply::json(200, json!({
            "type": "commit_file", "path": "src/login.ts", "size": 37, "mimetype": "text/x-typescript", "attributes": [], "escaped_path": "src/login.ts",
            "commit": {"type": "commit", "hash": "9f8e7d6c5b4a"}
        }))).with_query("format", "meta"),
        Fixture::new("GET", "/repositories/acme/web-app/src/main/src/login.ts", text(200, "text/plain", "export const login = () => \"ready\";\n\n")),
        Fixture::new("GET", "/repositories/acme/web-app/pipelines", Reply::json(200, json!({"page": 1, "pagelen": 10, "size": 2, "values": [pipeline(2, "SUCCESSFUL"), pipeline(1, "FAILED")]}))),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = bitbucket(&standin).await;
    let repo = |more: Value| {
        let mut params = json!({"workspace": "acme", "repo_slug": "web-app"});
        for (k, v) in more.as_object().expect("object") {
            params[k] = v.clone();
        }
        params
    };
    let calls: &[Call] = &[
        (
            "BITBUCKET_LIST_REPOSITORIES",
            json!({"workspace": "acme", "role": "contributor", "q": "project.key = \"WEB\"", "sort": "-updated_on", "pagelen": 10}),
            &["GET /repositories/{workspace}"],
        ),
        (
            "BITBUCKET_GET_REPOSITORY",
            repo(json!({})),
            &["GET /repositories/{workspace}/{repo_slug}"],
        ),
        (
            "BITBUCKET_LIST_PULL_REQUESTS",
            repo(json!({"state": "OPEN", "pagelen": 10})),
            &["GET /repositories/{workspace}/{repo_slug}/pullrequests"],
        ),
        (
            "BITBUCKET_GET_PULL_REQUEST",
            repo(json!({"pull_request_id": 42})),
            &["GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}"],
        ),
        (
            "BITBUCKET_CREATE_PULL_REQUEST",
            repo(json!({
                "title": "Add the login form", "source_branch": "feature/login", "destination_branch": "main",
                "description": "Adds the **login** form.", "reviewers": ["{d3c2b1a0-0000-4000-8000-000000000002}"],
                "close_source_branch": true
            })),
            &["POST /repositories/{workspace}/{repo_slug}/pullrequests"],
        ),
        (
            "BITBUCKET_ADD_PULL_REQUEST_COMMENT",
            repo(
                json!({"pull_request_id": 42, "content": "Off by one?", "inline_path": "src/login.ts", "inline_to_line": 12}),
            ),
            &["POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments"],
        ),
        (
            "BITBUCKET_MERGE_PULL_REQUEST",
            repo(
                json!({"pull_request_id": 42, "merge_strategy": "squash", "message": "Add the login form (#42)", "close_source_branch": true}),
            ),
            &["POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/merge"],
        ),
        (
            "BITBUCKET_LIST_COMMITS",
            repo(json!({"revision": "main", "pagelen": 2})),
            &["GET /repositories/{workspace}/{repo_slug}/commits/{revision}"],
        ),
        (
            "BITBUCKET_GET_FILE",
            repo(json!({"path": "src/login.ts", "ref": "main"})),
            &[
                "GET /repositories/{workspace}/{repo_slug}/src/{commit}/{dir1}/{path}",
                "GET /repositories/{workspace}/{repo_slug}/src/{commit}/{dir1}/{path}",
            ],
        ),
        (
            "BITBUCKET_LIST_PIPELINES",
            repo(json!({})),
            &["GET /repositories/{workspace}/{repo_slug}/pipelines"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), calls).await;

    assert_eq!(
        outputs[0],
        json!({"items": [repository()], "size": 1, "next_cursor": null})
    );
    assert_eq!(outputs[1], repository());
    assert_eq!(outputs[6]["state"], "MERGED");
    assert_eq!(outputs[7]["items"][1]["hash"], "0a1b2c3d4e5f");
    assert_eq!(
        outputs[8],
        json!({"kind": "file", "path": "src/login.ts", "ref": "main", "encoding": "text",
               "text": "export const login = () => \"ready\";\n\n", "size_bytes": 37,
               "media_type": "text/x-typescript", "truncated": false})
    );
    assert_eq!(outputs[9]["items"][0]["build_number"], 2);
    assert_eq!(outputs[9]["next_cursor"], Value::Null);

    let requests = standin.requests().await;
    for request in &requests {
        assert_bearer(request);
    }
    let sent: Vec<(&str, &str, Option<&str>)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.query.as_deref()))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "GET",
                "/repositories/acme",
                Some(
                    "role=contributor&q=project.key%20%3D%20%22WEB%22&sort=-updated_on&pagelen=10"
                )
            ),
            ("GET", REPO, None),
            (
                "GET",
                "/repositories/acme/web-app/pullrequests",
                Some("state=OPEN&pagelen=10")
            ),
            ("GET", "/repositories/acme/web-app/pullrequests/42", None),
            ("POST", "/repositories/acme/web-app/pullrequests", None),
            (
                "POST",
                "/repositories/acme/web-app/pullrequests/42/comments",
                None
            ),
            (
                "POST",
                "/repositories/acme/web-app/pullrequests/42/merge",
                None
            ),
            (
                "GET",
                "/repositories/acme/web-app/commits/main",
                Some("pagelen=2")
            ),
            (
                "GET",
                "/repositories/acme/web-app/src/main/src/login.ts",
                Some("format=meta")
            ),
            (
                "GET",
                "/repositories/acme/web-app/src/main/src/login.ts",
                None
            ),
            (
                "GET",
                "/repositories/acme/web-app/pipelines",
                Some("sort=-created_on")
            ),
        ]
    );
    assert_eq!(
        requests[4].json(),
        json!({
            "title": "Add the login form",
            "source": {"branch": {"name": "feature/login"}},
            "destination": {"branch": {"name": "main"}},
            "description": "Adds the **login** form.",
            "reviewers": [{"uuid": "{d3c2b1a0-0000-4000-8000-000000000002}"}],
            "close_source_branch": true
        })
    );
    assert_eq!(
        requests[5].json(),
        json!({"content": {"raw": "Off by one?"}, "inline": {"path": "src/login.ts", "to": 12}})
    );
    assert_eq!(
        requests[6].json(),
        json!({"merge_strategy": "squash", "message": "Add the login form (#42)", "close_source_branch": true})
    );
}

/// A second page through the returned cursor: Bitbucket's `next` link, followed as it came; and
/// the Pipelines list, which answers `page`, `pagelen` and `size` without `next`.
#[tokio::test]
async fn lists_page_by_the_cursor_they_return() {
    let standin = BITBUCKET.session("bitbucket_pages");
    let next =
        format!("{API}/repositories/acme/web-app/pullrequests?state=MERGED&pagelen=1&page=2");
    standin
        .answer(Fixture::new("GET", "/repositories/acme/web-app/pullrequests", Reply::json(200, json!({"pagelen": 1, "size": 2, "page": 2, "values": [pull_request(40, "MERGED")]}))).with_query("page", "2"))
        .await;
    standin
        .answer(Fixture::new("GET", "/repositories/acme/web-app/pullrequests", Reply::json(200, json!({"pagelen": 1, "size": 2, "page": 1, "next": next, "values": [pull_request(41, "MERGED")]}))))
        .await;
    standin
        .answer(
            Fixture::new(
                "GET",
                "/repositories/acme/web-app/pipelines",
                Reply::json(
                    200,
                    json!({"page": 2, "pagelen": 1, "size": 2, "values": [pipeline(1, "FAILED")]}),
                ),
            )
            .with_query("page", "2"),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/repositories/acme/web-app/pipelines",
            Reply::json(
                200,
                json!({"page": 1, "pagelen": 1, "size": 2, "values": [pipeline(2, "SUCCESSFUL")]}),
            ),
        ))
        .await;
    let (runtime, plugin) = bitbucket(&standin).await;
    let params =
        json!({"workspace": "acme", "repo_slug": "web-app", "state": "MERGED", "pagelen": 1});
    let (first, _) = runtime
        .execute(&plugin, "BITBUCKET_LIST_PULL_REQUESTS", &params, &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(
        (
            first["items"][0]["id"].as_u64(),
            first["next_cursor"].as_str()
        ),
        (Some(41), Some(next.as_str()))
    );
    let mut params = params.clone();
    params["cursor"] = first["next_cursor"].clone();
    let (second, _) = runtime
        .execute(&plugin, "BITBUCKET_LIST_PULL_REQUESTS", &params, &alice())
        .await;
    let second = second.unwrap();
    assert_eq!(
        (second["items"][0]["id"].as_u64(), &second["next_cursor"]),
        (Some(40), &Value::Null)
    );

    let params = json!({"workspace": "acme", "repo_slug": "web-app", "pagelen": 1});
    let (first, _) = runtime
        .execute(&plugin, "BITBUCKET_LIST_PIPELINES", &params, &alice())
        .await;
    let first = first.unwrap();
    let cursor =
        format!("{API}/repositories/acme/web-app/pipelines?sort=-created_on&pagelen=1&page=2");
    assert_eq!(first["next_cursor"].as_str(), Some(cursor.as_str()));
    let (second, _) = runtime
        .execute(
            &plugin,
            "BITBUCKET_LIST_PIPELINES",
            &json!({"workspace": "acme", "repo_slug": "web-app", "cursor": cursor}),
            &alice(),
        )
        .await;
    let second = second.unwrap();
    assert_eq!(
        (
            second["items"][0]["build_number"].as_u64(),
            &second["next_cursor"]
        ),
        (Some(1), &Value::Null)
    );

    let queries: Vec<Option<String>> = standin
        .requests()
        .await
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("state=MERGED&pagelen=1".into()),
            Some("state=MERGED&pagelen=1&page=2".into()),
            Some("sort=-created_on&pagelen=1".into()),
            Some("sort=-created_on&pagelen=1&page=2".into()),
        ]
    );

    // A cursor that is not this list's next page on Bitbucket is refused before any request.
    standin.reset().await;
    let (refused, _) = runtime
        .execute(&plugin, "BITBUCKET_LIST_PIPELINES", &json!({"workspace": "acme", "repo_slug": "web-app", "cursor": "https://attacker.example/2.0/repositories/acme/web-app/pipelines?page=2"}), &alice())
        .await;
    assert!(
        matches!(&refused, Err(CallError::Action(ActionError::InvalidInput(m))) if m.contains("`cursor` must be a `next_cursor`")),
        "{refused:?}"
    );
    assert!(standin.requests().await.is_empty());
}

/// A directory is answered as its listing (after its metadata says it is one), on the
/// repository's main branch when no ref is given.
#[tokio::test]
async fn get_file_lists_a_directory_on_the_main_branch() {
    let standin = BITBUCKET.session("bitbucket_directory");
    standin
        .answer(Fixture::new("GET", REPO, Reply::json(200, repository())))
        .await;
    standin
        .answer(Fixture::new("GET", "/repositories/acme/web-app/src/main/docs", Reply::json(200, json!({"type": "commit_directory", "path": "docs", "commit": {"type": "commit", "hash": "9f8e7d6c5b4a"}}))).with_query("format", "meta"))
        .await;
    standin
        .answer(Fixture::new("GET", "/repositories/acme/web-app/src/main/docs/", Reply::json(200, json!({"pagelen": 10, "page": 1, "values": [
            {"type": "commit_directory", "path": "docs/api", "commit": {"type": "commit", "hash": "9f8e7d6c5b4a"}},
            {"type": "commit_file", "path": "docs/index.md", "size": 1204, "mimetype": "text/markdown", "commit": {"type": "commit", "hash": "9f8e7d6c5b4a"}}
        ]}))))
        .await;
    let (runtime, plugin) = bitbucket(&standin).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "BITBUCKET_GET_FILE",
            &json!({"workspace": "acme", "repo_slug": "web-app", "path": "docs/"}),
            &alice(),
        )
        .await;
    assert_eq!(
        result.unwrap(),
        json!({"kind": "directory", "path": "docs", "ref": "main", "entries": [
            {"path": "docs/api", "kind": "directory"},
            {"path": "docs/index.md", "kind": "file", "size_bytes": 1204}
        ], "next_cursor": null})
    );
    let checked = standin.checked().await;
    let reached: Vec<(&str, Option<&str>)> = checked
        .iter()
        .map(|c| (c.request.path.as_str(), c.operation.as_deref()))
        .collect();
    assert_eq!(
        reached,
        [
            (REPO, Some("GET /repositories/{workspace}/{repo_slug}")),
            (
                "/repositories/acme/web-app/src/main/docs",
                Some("GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}")
            ),
            (
                "/repositories/acme/web-app/src/main/docs/",
                Some("GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}/")
            ),
        ]
    );
    standin.assert_no_violations().await;
}

#[tokio::test]
async fn bitbuckets_errors_reach_the_caller_as_the_contracts_errors() {
    let envelope = |message: &str| json!({"type": "error", "error": {"message": message}});
    let repo = json!({"workspace": "acme", "repo_slug": "web-app"});

    let (result, standin) = run(
        "bitbucket_not_found",
        "BITBUCKET_GET_REPOSITORY",
        repo.clone(),
        Fixture::new(
            "GET",
            REPO,
            Reply::json(404, envelope("Repository acme/web-app not found")),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::NotFound(
            "Repository acme/web-app not found".into()
        ))
    );
    standin.assert_no_violations().await;

    let (result, standin) = run(
        "bitbucket_unauthorized",
        "BITBUCKET_LIST_COMMITS",
        repo.clone(),
        Fixture::new(
            "GET",
            "/repositories/acme/web-app/commits",
            Reply::json(
                401,
                envelope(
                    "Access token expired. Use your refresh token to obtain a new access token.",
                ),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized(
            "Access token expired. Use your refresh token to obtain a new access token.".into()
        ))
    );
    standin.assert_no_violations().await;

    // Bitbucket answers 429 without Retry-After; its window rolls by the minute.
    let (result, standin) = run(
        "bitbucket_rate_limited",
        "BITBUCKET_LIST_PIPELINES",
        repo.clone(),
        Fixture::new(
            "GET",
            "/repositories/acme/web-app/pipelines",
            Reply::json(
                429,
                envelope("Rate limit for this resource has been exceeded"),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "Rate limit for this resource has been exceeded".into(),
            retry_after_seconds: Some(60)
        })
    );
    standin.assert_no_violations().await;

    let body = json!({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["pullrequest"], "required": ["pullrequest:write"]}}});
    let (result, standin) = run(
        "bitbucket_scopes",
        "BITBUCKET_MERGE_PULL_REQUEST",
        json!({"workspace": "acme", "repo_slug": "web-app", "pull_request_id": 42}),
        Fixture::new(
            "POST",
            "/repositories/acme/web-app/pullrequests/42/merge",
            Reply::json(403, body.clone()),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "Your credentials lack one or more required privilege scopes. (scopes required: pullrequest:write)".into(),
            body: Some(body.to_string())
        })
    );
    standin.assert_no_violations().await;
}

/// Connecting checks the credential with `GET /user` and labels the account; with an e-mail and
/// API token every request carries HTTP Basic instead of a bearer token.
#[tokio::test]
async fn connecting_labels_the_account_with_oauth_or_an_api_token() {
    let standin = BITBUCKET.session("bitbucket_connect");
    let user = json!({"type": "user", "display_name": "Alice Liddell", "username": "aliddell", "nickname": "aliddell", "uuid": "{b6ec1b22-1d06-4c4b-a9a4-2f4a6a0c1d33}", "account_id": "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443", "account_status": "active", "has_2fa_enabled": null, "is_staff": false, "created_on": "2019-01-08T10:04:41.148455+00:00", "links": {"self": link(&format!("{API}/user"))}});
    standin
        .answer(Fixture::new("GET", "/user", Reply::json(200, user)))
        .await;
    standin
        .answer(Fixture::new("GET", REPO, Reply::json(200, repository())))
        .await;
    let (runtime, plugin) = bitbucket(&standin).await;
    let (connected, _) = runtime.after_connect(&plugin, &alice()).await;
    assert_eq!(
        connected.unwrap().label.as_deref(),
        Some("Alice Liddell (aliddell)")
    );

    let api_token = CallContext {
        user: "alice".into(),
        credential: Some(SecretString::new(
            "alice@acme.example:ATATT3xFfGF0-bitbucket-token",
        )),
        credential_kind: Some(CredentialKind::Basic),
        ..Default::default()
    };
    let (connected, _) = runtime.after_connect(&plugin, &api_token).await;
    let connected = connected.unwrap();
    assert_eq!(connected.label.as_deref(), Some("Alice Liddell (aliddell)"));
    assert!(connected.fields.is_empty());
    let (got, _) = runtime
        .execute(
            &plugin,
            "BITBUCKET_GET_REPOSITORY",
            &json!({"workspace": "acme", "repo_slug": "web-app"}),
            &api_token,
        )
        .await;
    assert_eq!(got.unwrap()["full_name"], "acme/web-app");

    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode("alice@acme.example:ATATT3xFfGF0-bitbucket-token")
    );
    let bearer = format!("Bearer {TOKEN}");
    let seen: Vec<(String, Option<String>)> = standin
        .requests()
        .await
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.header("authorization").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("/user".to_string(), Some(bearer)),
            ("/user".to_string(), Some(basic.clone())),
            (REPO.to_string(), Some(basic)),
        ]
    );
}

const JSON_WITH_TOKEN: &[(&str, &str)] = &[
    ("authorization", "Bearer bb_oauth_alice_0f9e8d7c"),
    ("accept", "application/json"),
    ("content-type", "application/json"),
];

/// Negative controls: requests Bitbucket's description refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn bitbuckets_description_refuses_what_bitbucket_would_refuse() {
    assert_refused(
        &BITBUCKET,
        "bitbucket_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/repositories/acme/web-app/pullrequests/42/merge",
                headers: JSON_WITH_TOKEN,
                body: r#"{"merge_strategy": "rebase"}"#,
                because: "'rebase' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/repositories/acme/web-app/pullrequests?state=open",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "'open' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/repositories/acme/web-app/pipelines?pagelen=500",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "500 is greater than the maximum of 100",
            },
            Refused {
                method: "POST",
                path_and_query: "/repositories/acme/web-app/pullrequests/42/comments",
                headers: JSON_WITH_TOKEN,
                body: r#"{"content": {"text": "hi"}}"#,
                because: "'text' was unexpected",
            },
            Refused {
                method: "GET",
                path_and_query: "/repositories/acme/web-app/commits?limit=5",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "query parameter 'limit' is not declared",
            },
            Refused {
                method: "GET",
                path_and_query: "/repositories/acme/web-app/pullrequests/abc",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "pull_request_id",
            },
            Refused {
                method: "DELETE",
                path_and_query: "/repositories/acme/web-app/pullrequests/42/merge",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "OperationNotFound",
            },
        ],
    )
    .await;
}

/// Known good: "Create a pull request" with the body of Bitbucket's own reference example (no
/// `type`, which the description alone would require: the overlay's reason).
#[tokio::test]
async fn bitbuckets_description_accepts_the_create_pull_request_example_from_its_docs() {
    assert_accepted(
        &BITBUCKET,
        "bitbucket_docs_create_pull_request",
        (
            "POST",
            "/repositories/acme/web-app/pullrequests",
            JSON_WITH_TOKEN,
            r#"{"title": "My Title", "source": {"branch": {"name": "staging"}}}"#,
        ),
        "POST /repositories/{workspace}/{repo_slug}/pullrequests",
    )
    .await;
}
