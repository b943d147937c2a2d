//! The bundled Figma plugin against a stand-in that checks every request with Figma's own
//! OpenAPI 3.1.0 description (npm `@figma/rest-api-spec` 0.43.0, no overlay): the exact requests
//! it sends with fixtures as Figma's reference shows its answers, comments cut into pages and
//! versions paged through Figma's `before` cursor, Figma's `{"status", "err"}` answers as the
//! contract's errors, and the personal access token that may stand in for OAuth (sent as
//! `X-Figma-Token`, the account labelled from `/v1/me` when it connects). Figma has no
//! per-account fields and no dynamic schemas.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{FIGMA, Fixture, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "figma.wasm";
const TOKEN: &str = "figu_alice-oauth-access-token";
const KEY: &str = "FiLeKeY123abc";

async fn figma(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Alice, connected over OAuth with the plugin's default scopes.
fn alice() -> CallContext {
    alice_with(
        TOKEN,
        &[
            "current_user:read",
            "file_content:read",
            "file_comments:read",
            "file_comments:write",
            "file_versions:read",
            "projects:read",
        ],
    )
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&FIGMA, FILE, &alice(), (test, action, params), fixture).await
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("x-figma-token"), None);
    assert_eq!(request.header("accept"), Some("application/json"));
}

/// The query as decoded pairs, in order.
fn query(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn user() -> Value {
    json!({"id": "1141517254", "handle": "Ada Lovelace", "img_url": "https://s3-alpha.figma.com/profile/1141517254"})
}

/// `GET /v1/files/:key?depth=2` as Figma's "Get file JSON" reference shows it: the document,
/// its pages (CANVAS) and their top-level frames.
fn file() -> Value {
    json!({
        "name": "Checkout flow",
        "role": "editor",
        "lastModified": "2026-11-02T09:14:03Z",
        "editorType": "figma",
        "thumbnailUrl": "https://s3-alpha.figma.com/thumbnails/8f1c2d3e",
        "version": "5412783305",
        "linkAccess": "inherit",
        "document": {"id": "0:0", "name": "Document", "type": "DOCUMENT", "scrollBehavior": "SCROLLS", "children": [
            {"id": "0:1", "name": "Page 1", "type": "CANVAS", "scrollBehavior": "SCROLLS",
             "backgroundColor": {"r": 0.96, "g": 0.96, "b": 0.96, "a": 1}, "prototypeStartNodeID": null,
             "flowStartingPoints": [], "prototypeDevice": {"type": "NONE", "rotation": "NONE"},
             "children": [
                {"id": "1:2", "name": "Cart", "type": "FRAME", "scrollBehavior": "SCROLLS",
                 "absoluteBoundingBox": {"x": 0, "y": 0, "width": 390, "height": 844}}
             ]}
        ]},
        "components": {},
        "componentSets": {},
        "schemaVersion": 0,
        "styles": {}
    })
}

fn comment(id: &str, message: &str) -> Value {
    json!({
        "id": id,
        "file_key": KEY,
        "parent_id": "",
        "user": user(),
        "created_at": "2026-11-02T09:20:11Z",
        "resolved_at": null,
        "message": message,
        "client_meta": {"node_id": "1:2", "node_offset": {"x": 24, "y": 16}},
        "order_id": id,
        "reactions": []
    })
}

fn version(id: &str) -> Value {
    json!({"id": id, "created_at": "2026-11-02T09:14:03Z", "label": "Handoff", "description": "Ready for dev", "user": user(), "thumbnail_url": "https://s3-alpha.figma.com/thumbnails/v1"})
}

/// Every action with every parameter it takes, in one session: the description accepts each
/// request, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_figmas_description_accepts() {
    let standin = FIGMA.session("figma_every_action");
    for (operation, reply) in [
        ("GET /v1/files/{file_key}", Reply::json(200, file())),
        (
            "GET /v1/files/{file_key}/nodes",
            Reply::json(
                200,
                json!({"name": "Checkout flow", "role": "editor", "lastModified": "2026-11-02T09:14:03Z", "editorType": "figma", "thumbnailUrl": "https://s3-alpha.figma.com/thumbnails/8f1c2d3e", "version": "5412783305", "linkAccess": "inherit",
                       "nodes": {"1:2": {"document": {"id": "1:2", "name": "Cart", "type": "FRAME", "children": [{"id": "1:3", "name": "Total", "type": "TEXT", "characters": "$42.00"}]}, "components": {}, "componentSets": {}, "schemaVersion": 0, "styles": {}}}}),
            ),
        ),
        (
            "GET /v1/images/{file_key}",
            Reply::json(
                200,
                json!({"err": null, "images": {"1:2": "https://figma-alpha-api.s3.us-west-2.amazonaws.com/images/7c3f1e2a-cart", "1:3": null}}),
            ),
        ),
        (
            "GET /v1/files/{file_key}/comments",
            Reply::json(
                200,
                json!({"comments": [comment("9001", "Padding looks off"), comment("9002", "Agreed")]}),
            ),
        ),
        (
            "POST /v1/files/{file_key}/comments",
            Reply::json(200, comment("9003", "Fixed")),
        ),
        (
            "GET /v1/teams/{team_id}/projects",
            Reply::json(
                200,
                json!({"name": "Acme Design", "projects": [{"id": "49730516", "name": "Checkout"}]}),
            ),
        ),
        (
            "GET /v1/projects/{project_id}/files",
            Reply::json(
                200,
                json!({"name": "Checkout", "files": [{"key": KEY, "name": "Checkout flow", "thumbnail_url": "https://s3-alpha.figma.com/thumbnails/8f1c2d3e", "last_modified": "2026-11-02T09:14:03Z"}]}),
            ),
        ),
        (
            "GET /v1/files/{file_key}/versions",
            Reply::json(
                200,
                json!({"versions": [version("5412783305")], "pagination": {}}),
            ),
        ),
    ] {
        standin.answer(Fixture::operation(operation, reply)).await;
    }
    let (runtime, plugin) = figma(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "FIGMA_GET_FILE",
            json!({"file_key": KEY}),
            &["GET /v1/files/{file_key}"],
        ),
        (
            "FIGMA_GET_FILE",
            json!({"file_key": KEY, "depth": 4, "ids": ["1:2", "1:3"], "version": "5412783305"}),
            &["GET /v1/files/{file_key}"],
        ),
        (
            "FIGMA_GET_FILE_NODES",
            json!({"file_key": KEY, "ids": ["1:2"], "depth": 1, "version": "5412783305"}),
            &["GET /v1/files/{file_key}/nodes"],
        ),
        (
            "FIGMA_RENDER_IMAGES",
            json!({"file_key": KEY, "ids": ["1:2", "1:3"], "format": "jpg", "scale": 0.5, "version": "5412783305"}),
            &["GET /v1/images/{file_key}"],
        ),
        (
            "FIGMA_LIST_COMMENTS",
            json!({"file_key": KEY, "as_md": true, "limit": 1}),
            &["GET /v1/files/{file_key}/comments"],
        ),
        (
            "FIGMA_ADD_COMMENT",
            json!({"file_key": KEY, "message": "Fixed", "node_id": "1:2", "x": 24, "y": 16}),
            &["POST /v1/files/{file_key}/comments"],
        ),
        (
            "FIGMA_ADD_COMMENT",
            json!({"file_key": KEY, "message": "Here", "x": 100.5, "y": 200}),
            &["POST /v1/files/{file_key}/comments"],
        ),
        (
            "FIGMA_ADD_COMMENT",
            json!({"file_key": KEY, "message": "Thanks", "comment_id": "9001"}),
            &["POST /v1/files/{file_key}/comments"],
        ),
        (
            "FIGMA_LIST_TEAM_PROJECTS",
            json!({"team_id": "1535685101263221741"}),
            &["GET /v1/teams/{team_id}/projects"],
        ),
        (
            "FIGMA_LIST_PROJECT_FILES",
            json!({"project_id": "49730516", "branch_data": true}),
            &["GET /v1/projects/{project_id}/files"],
        ),
        (
            "FIGMA_GET_FILE_VERSIONS",
            json!({"file_key": KEY, "page_size": 50, "cursor": "5412783306"}),
            &["GET /v1/files/{file_key}/versions"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    // Figma's JSON as it came, except the paged lists.
    assert_eq!(outputs[0], file());
    assert_eq!(
        outputs[2]["nodes"]["1:2"]["document"]["children"][0]["characters"],
        "$42.00"
    );
    assert_eq!(outputs[3]["images"]["1:3"], Value::Null);
    assert_eq!(
        outputs[4],
        json!({"comments": [comment("9001", "Padding looks off")], "next_cursor": "1"})
    );
    assert_eq!(outputs[5], comment("9003", "Fixed"));
    assert_eq!(outputs[8]["projects"][0]["id"], "49730516");
    assert_eq!(outputs[9]["files"][0]["key"], KEY);
    assert_eq!(
        outputs[10],
        json!({"versions": [version("5412783305")], "next_cursor": null})
    );

    let requests = standin.requests().await;
    for request in &requests {
        assert_bearer(request);
    }
    /// Method, path and query pairs of one request.
    type Sent<'a> = (&'a str, &'a str, Vec<(String, String)>);
    let sent: Vec<Sent> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), query(r)))
        .collect();
    let file_path = format!("/v1/files/{KEY}");
    let comments_path = format!("/v1/files/{KEY}/comments");
    assert_eq!(
        sent,
        [
            ("GET", file_path.as_str(), pairs(&[("depth", "2")])),
            (
                "GET",
                file_path.as_str(),
                pairs(&[
                    ("depth", "4"),
                    ("ids", "1:2,1:3"),
                    ("version", "5412783305")
                ])
            ),
            (
                "GET",
                format!("/v1/files/{KEY}/nodes").as_str(),
                pairs(&[("ids", "1:2"), ("depth", "1"), ("version", "5412783305")])
            ),
            (
                "GET",
                format!("/v1/images/{KEY}").as_str(),
                pairs(&[
                    ("ids", "1:2,1:3"),
                    ("format", "jpg"),
                    ("scale", "0.5"),
                    ("version", "5412783305")
                ])
            ),
            ("GET", comments_path.as_str(), pairs(&[("as_md", "true")])),
            ("POST", comments_path.as_str(), vec![]),
            ("POST", comments_path.as_str(), vec![]),
            ("POST", comments_path.as_str(), vec![]),
            ("GET", "/v1/teams/1535685101263221741/projects", vec![]),
            (
                "GET",
                "/v1/projects/49730516/files",
                pairs(&[("branch_data", "true")])
            ),
            (
                "GET",
                format!("/v1/files/{KEY}/versions").as_str(),
                pairs(&[("page_size", "50"), ("before", "5412783306")])
            ),
        ]
    );
    assert_eq!(
        requests[5].json(),
        json!({"message": "Fixed", "client_meta": {"node_id": "1:2", "node_offset": {"x": 24.0, "y": 16.0}}})
    );
    assert_eq!(
        requests[6].json(),
        json!({"message": "Here", "client_meta": {"x": 100.5, "y": 200.0}})
    );
    assert_eq!(
        requests[7].json(),
        json!({"message": "Thanks", "comment_id": "9001"})
    );
    for post in &requests[5..8] {
        assert_eq!(post.header("content-type"), Some("application/json"));
    }
}

/// Figma answers every comment at once; the plugin cuts pages of `limit` and the returned
/// cursor fetches the next one.
#[tokio::test]
async fn list_comments_fetches_the_second_page_with_the_returned_cursor() {
    let standin = FIGMA.session("figma_comment_pages");
    let all = json!({"comments": [comment("1", "a"), comment("2", "b"), comment("3", "c")]});
    standin
        .answer(Fixture::operation(
            "GET /v1/files/{file_key}/comments",
            Reply::json(200, all),
        ))
        .await;
    let (runtime, plugin) = figma(&standin).await;
    let params = json!({"file_key": KEY, "limit": 2});
    let (first, _) = runtime
        .execute(&plugin, "FIGMA_LIST_COMMENTS", &params, &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(
        first,
        json!({"comments": [comment("1", "a"), comment("2", "b")], "next_cursor": "2"})
    );
    let (second, _) = runtime
        .execute(
            &plugin,
            "FIGMA_LIST_COMMENTS",
            &json!({"file_key": KEY, "limit": 2, "cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"comments": [comment("3", "c")], "next_cursor": null})
    );
    assert_eq!(standin.requests().await.len(), 2);
}

/// Versions page through the `before` of Figma's `pagination.next_page` URL.
#[tokio::test]
async fn file_versions_fetch_the_second_page_with_the_returned_cursor() {
    let standin = FIGMA.session("figma_version_pages");
    standin
        .answer(
            Fixture::operation(
                "GET /v1/files/{file_key}/versions",
                Reply::json(
                    200,
                    json!({"versions": [version("5400000000")], "pagination": {"prev_page": format!("https://api.figma.com/v1/files/{KEY}/versions?page_size=1&after=5400000000")}}),
                ),
            )
            .with_query("before", "5412700001"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v1/files/{file_key}/versions",
            Reply::json(
                200,
                json!({"versions": [version("5412700001")], "pagination": {"next_page": format!("https://api.figma.com/v1/files/{KEY}/versions?page_size=1&before=5412700001")}}),
            ),
        ))
        .await;
    let (runtime, plugin) = figma(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "FIGMA_GET_FILE_VERSIONS",
            &json!({"file_key": KEY, "page_size": 1}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(
        first,
        json!({"versions": [version("5412700001")], "next_cursor": "5412700001"})
    );
    let (second, _) = runtime
        .execute(
            &plugin,
            "FIGMA_GET_FILE_VERSIONS",
            &json!({"file_key": KEY, "page_size": 1, "cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"versions": [version("5400000000")], "next_cursor": null})
    );
    let queries: Vec<Vec<(String, String)>> = standin.requests().await.iter().map(query).collect();
    assert_eq!(
        queries,
        [
            pairs(&[("page_size", "1")]),
            pairs(&[("page_size", "1"), ("before", "5412700001")])
        ]
    );
}

fn figma_error(status: u16, err: &str) -> Value {
    json!({"status": status, "err": err})
}

#[tokio::test]
async fn figmas_errors_reach_the_caller_as_the_contracts_errors() {
    let hidden = figma_error(403, "File not accessible");
    let bad = figma_error(
        400,
        "Render timeout, try requesting fewer or smaller images",
    );
    let cases = [
        (
            "GET /v1/files/{file_key}",
            "FIGMA_GET_FILE",
            json!({"file_key": KEY}),
            Reply::json(403, figma_error(403, "Invalid token")),
            ActionError::Unauthorized("Invalid token".into()),
        ),
        (
            "GET /v1/files/{file_key}/nodes",
            "FIGMA_GET_FILE_NODES",
            json!({"file_key": KEY, "ids": ["1:2"]}),
            Reply::json(404, figma_error(404, "Not found")),
            ActionError::NotFound("Not found".into()),
        ),
        (
            "GET /v1/files/{file_key}/comments",
            "FIGMA_LIST_COMMENTS",
            json!({"file_key": KEY}),
            Reply::json(429, figma_error(429, "Rate limit exceeded"))
                .header("retry-after", "53")
                .header("x-figma-rate-limit-type", "low")
                .header("x-figma-plan-tier", "pro"),
            ActionError::RateLimited {
                message: "Rate limit exceeded".into(),
                retry_after_seconds: Some(53),
            },
        ),
        (
            "POST /v1/files/{file_key}/comments",
            "FIGMA_ADD_COMMENT",
            json!({"file_key": KEY, "message": "x"}),
            Reply::json(403, hidden.clone()),
            ActionError::Upstream {
                status: 403,
                message: "File not accessible".into(),
                body: Some(hidden.to_string()),
            },
        ),
        (
            "GET /v1/images/{file_key}",
            "FIGMA_RENDER_IMAGES",
            json!({"file_key": KEY, "ids": ["1:2"]}),
            Reply::json(400, bad.clone()),
            ActionError::Upstream {
                status: 400,
                message: "Render timeout, try requesting fewer or smaller images".into(),
                body: Some(bad.to_string()),
            },
        ),
    ];
    for (i, (operation, action, params, reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("figma_error_{i}"),
            action,
            params,
            Fixture::operation(operation, reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected), "{action}");
        assert_eq!(standin.requests().await.len(), 1, "{action}");
    }
}

/// A personal access token is the alternative to OAuth: connecting with it checks it at
/// `/v1/me` and labels the account, and every request carries it as `X-Figma-Token`.
#[tokio::test]
async fn a_personal_access_token_connects_and_is_sent_as_x_figma_token() {
    const PAT: &str = "figd_ada-personal-access-token";
    let standin = FIGMA.session("figma_pat");
    standin
        .answer(Fixture::operation(
            "GET /v1/me",
            Reply::json(
                200,
                json!({"id": "1141517254", "handle": "Ada Lovelace", "img_url": "https://s3-alpha.figma.com/profile/1141517254", "email": "ada@example.com"}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v1/files/{file_key}",
            Reply::json(200, file()),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("ada", "GET", "/integrations", None).await;
    let entry = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "figma")
        .expect("figma is bundled")
        .clone();
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(entry["alternative_auth"], json!([{"type": "api_key"}]));

    app.connect("ada", "figma", json!({"api_key": PAT})).await;
    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    let account = &accounts.body.as_array().unwrap()[0];
    assert_eq!(account["label"], "Ada Lovelace (ada@example.com)");
    let got = app
        .as_user(
            "ada",
            "POST",
            "/actions",
            Some(json!({"action": "FIGMA_GET_FILE", "parameters": {"file_key": KEY}})),
        )
        .await;
    assert_eq!((got.status, got.body), (200, file()));
    let requests = standin.requests().await;
    let sent: Vec<(&str, Option<&str>, Option<&str>)> = requests
        .iter()
        .map(|r| {
            (
                r.path.as_str(),
                r.header("x-figma-token"),
                r.header("authorization"),
            )
        })
        .collect();
    let file_path = format!("/v1/files/{KEY}");
    assert_eq!(
        sent,
        [
            ("/v1/me", Some(PAT), None),
            (file_path.as_str(), Some(PAT), None)
        ]
    );
}

/// A token Figma refuses when the account connects is not stored.
#[tokio::test]
async fn a_token_figma_refuses_does_not_connect() {
    let standin = FIGMA.session("figma_pat_refused");
    standin
        .answer(Fixture::operation(
            "GET /v1/me",
            Reply::json(403, figma_error(403, "Invalid token")),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let answer = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/figma",
            Some(json!({"api_key": "figd_revoked"})),
        )
        .await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.code(), "invalid_parameters");
    assert_eq!(
        answer.body["error"]["message"],
        "the figma account was not stored: Figma refused the credential (Invalid token)"
    );
    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body, json!([]));
    let text = answer.body.to_string();
    assert!(!text.contains("figd_revoked"), "{text}");
}

const TOKEN_HEADER: (&str, &str) = ("x-figma-token", "figd_ada-personal-access-token");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Figma's description refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn figmas_description_refuses_what_figma_would_refuse() {
    assert_refused(
        &FIGMA,
        "figma_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/v1/images/FiLeKeY123abc?ids=1:2&format=gif",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "'gif' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/images/FiLeKeY123abc?ids=1:2&scale=5",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "5.0 is greater than the maximum of 4",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/images/FiLeKeY123abc?format=png",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "Missing required query parameter: ids",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/files/FiLeKeY123abc?depth=2&limit=10",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "query parameter 'limit' is not declared",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/files/FiLeKeY123abc/versions?before=next",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "Failed to cast value to number type: next",
            },
            Refused {
                method: "POST",
                path_and_query: "/v1/files/FiLeKeY123abc/comments",
                headers: &[TOKEN_HEADER, JSON],
                body: r#"{"message": "x", "client_meta": {"x": 1}}"#,
                because: "client_meta: {'x': 1} is not valid under any of the given schemas",
            },
            Refused {
                method: "POST",
                path_and_query: "/v1/files/FiLeKeY123abc/comments",
                headers: &[TOKEN_HEADER, JSON],
                body: r#"{"text": "x"}"#,
                because: "'message' is a required property",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/file/FiLeKeY123abc",
                headers: &[TOKEN_HEADER],
                body: "",
                because: "PathNotFound",
            },
        ],
    )
    .await;
}

/// Known good: the render request of Figma's "Render images of file nodes" reference.
#[tokio::test]
async fn figmas_description_accepts_a_render_request_from_figmas_docs() {
    assert_accepted(
        &FIGMA,
        "figma_docs_render",
        (
            "GET",
            "/v1/images/FiLeKeY123abc?ids=1:2,1:3,1:4",
            &[TOKEN_HEADER],
            "",
        ),
        "GET /v1/images/{file_key}",
    )
    .await;
}
