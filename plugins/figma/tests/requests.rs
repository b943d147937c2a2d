//! The exact request every Figma action sends (method, path, query, headers, body), how lists
//! page (comments cut into pages here, versions through Figma's `before` cursor), how Figma's
//! `{"status", "err"}` answers map to errors, and the account's label, run natively against the
//! SDK's test transport. Figma has no per-account fields, so no action has a dynamic schema.

use actionhost_plugin_figma::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, Error};
use serde_json::{Value, json};

fn alice() -> Context {
    Context::new("alice")
}

/// Runs `action` against one JSON answer; its result and the one request it sent.
fn call(action: &str, input: Value, answer: Value) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), &alice(), action, input, 200, answer)
}

fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &alice(), action, input)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_get(request: &RecordedRequest, path: &str, query: &[(&str, &str)]) {
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", path),
        "{request:?}"
    );
    assert_eq!(request.query(), pairs(query));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.body, None);
}

/// The error `action` answers when Figma answers `status` with `body` and `headers`.
fn error_for(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    let result = testing::run(
        &provider(),
        "FIGMA_GET_FILE",
        json!({"file_key": "FiLeKeY123"}),
        &alice(),
    );
    assert_eq!(transport.requests().len(), 1);
    result.unwrap_err()
}

#[test]
fn get_file_asks_for_depth_two_by_default_and_passes_figmas_json_through() {
    let answer = json!({
        "name": "Checkout flow",
        "lastModified": "2026-11-02T09:14:03Z",
        "version": "5412783305",
        "role": "editor",
        "editorType": "figma",
        "document": {"id": "0:0", "name": "Document", "type": "DOCUMENT", "children": [
            {"id": "0:1", "name": "Page 1", "type": "CANVAS", "children": [
                {"id": "1:2", "name": "Cart", "type": "FRAME"}
            ]}
        ]},
        "components": {}, "componentSets": {}, "styles": {}, "schemaVersion": 0
    });
    let (result, request) = call(
        "FIGMA_GET_FILE",
        json!({"file_key": "FiLeKeY123"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_get(&request, "/v1/files/FiLeKeY123", &[("depth", "2")]);
    assert_eq!(
        request.url,
        "https://api.figma.com/v1/files/FiLeKeY123?depth=2"
    );
}

#[test]
fn get_file_sends_depth_ids_and_version_when_given() {
    let (result, request) = call(
        "FIGMA_GET_FILE",
        json!({"file_key": "FiLeKeY123", "depth": 1, "ids": ["1:2", "7:14"], "version": "5412783305"}),
        json!({"name": "Checkout flow"}),
    );
    result.unwrap();
    assert_get(
        &request,
        "/v1/files/FiLeKeY123",
        &[
            ("depth", "1"),
            ("ids", "1:2,7:14"),
            ("version", "5412783305"),
        ],
    );
}

#[test]
fn a_file_key_is_one_encoded_path_segment() {
    let (_, request) = call("FIGMA_GET_FILE", json!({"file_key": "a/b?c"}), json!({}));
    assert_eq!(request.path(), "/v1/files/a%2Fb%3Fc");
}

#[test]
fn get_file_nodes_sends_the_ids_and_depth_three_by_default() {
    let answer = json!({
        "name": "Checkout flow", "lastModified": "2026-11-02T09:14:03Z", "version": "5412783305",
        "nodes": {"1:2": {"document": {"id": "1:2", "name": "Cart", "type": "FRAME", "children": []},
                          "components": {}, "styles": {}, "schemaVersion": 0},
                  "9:99": null}
    });
    let (result, request) = call(
        "FIGMA_GET_FILE_NODES",
        json!({"file_key": "FiLeKeY123", "ids": ["1:2", "9:99"]}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_get(
        &request,
        "/v1/files/FiLeKeY123/nodes",
        &[("ids", "1:2,9:99"), ("depth", "3")],
    );
}

#[test]
fn render_images_sends_ids_format_scale_and_version() {
    let answer = json!({"err": null, "images": {
        "1:2": "https://figma-alpha-api.s3.us-west-2.amazonaws.com/images/7c3f1e2a-cart.png",
        "1:3": null
    }});
    let (result, request) = call(
        "FIGMA_RENDER_IMAGES",
        json!({"file_key": "FiLeKeY123", "ids": ["1:2", "1:3"], "format": "svg", "scale": 2.5, "version": "5412783305"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_get(
        &request,
        "/v1/images/FiLeKeY123",
        &[
            ("ids", "1:2,1:3"),
            ("format", "svg"),
            ("scale", "2.5"),
            ("version", "5412783305"),
        ],
    );
}

#[test]
fn render_images_leaves_format_and_scale_to_figmas_defaults() {
    let (_, request) = call(
        "FIGMA_RENDER_IMAGES",
        json!({"file_key": "FiLeKeY123", "ids": ["1:2"]}),
        json!({"err": null, "images": {}}),
    );
    assert_get(&request, "/v1/images/FiLeKeY123", &[("ids", "1:2")]);
}

#[test]
fn bad_ids_and_scales_are_refused_before_any_request() {
    assert_eq!(
        refused(
            "FIGMA_RENDER_IMAGES",
            json!({"file_key": "k", "ids": ["1:2"], "scale": 5})
        ),
        Error::invalid_input("`scale` must be from 0.01 to 4, not 5")
    );
    assert_eq!(
        refused("FIGMA_GET_FILE_NODES", json!({"file_key": "k", "ids": []})),
        Error::invalid_input("`ids` must list at least one node id (such as `1:2`), none blank")
    );
    assert_eq!(
        refused(
            "FIGMA_GET_FILE",
            json!({"file_key": "k", "ids": ["1:2", " "]})
        ),
        Error::invalid_input("`ids` must list at least one node id (such as `1:2`), none blank")
    );
    assert!(matches!(
        refused("FIGMA_GET_FILE", json!({"file_key": "  "})),
        Error::InvalidInput(m) if m.starts_with("`file_key` must not be blank")
    ));
}

fn comment(id: u32) -> Value {
    json!({
        "id": id.to_string(),
        "file_key": "FiLeKeY123",
        "parent_id": "",
        "user": {"id": "1141517254", "handle": "Ada", "img_url": "https://s3-alpha.figma.com/profile/ada.png"},
        "created_at": "2026-11-02T09:14:03Z",
        "resolved_at": null,
        "message": format!("Comment {id}"),
        "client_meta": {"x": 120.5, "y": 48},
        "order_id": id.to_string(),
        "reactions": []
    })
}

#[test]
fn list_comments_cuts_figmas_single_answer_into_pages_with_a_cursor() {
    let all = json!({"comments": [comment(1), comment(2), comment(3)]});
    let (first, request) = call(
        "FIGMA_LIST_COMMENTS",
        json!({"file_key": "FiLeKeY123", "limit": 2}),
        all.clone(),
    );
    assert_eq!(
        first.unwrap(),
        json!({"comments": [comment(1), comment(2)], "next_cursor": "2"})
    );
    assert_get(&request, "/v1/files/FiLeKeY123/comments", &[]);

    let (second, request) = call(
        "FIGMA_LIST_COMMENTS",
        json!({"file_key": "FiLeKeY123", "limit": 2, "cursor": "2", "as_md": true}),
        all,
    );
    assert_eq!(
        second.unwrap(),
        json!({"comments": [comment(3)], "next_cursor": null})
    );
    assert_get(
        &request,
        "/v1/files/FiLeKeY123/comments",
        &[("as_md", "true")],
    );
}

#[test]
fn a_cursor_past_the_end_gives_an_empty_last_page_and_a_foreign_one_is_refused() {
    let (page, _) = call(
        "FIGMA_LIST_COMMENTS",
        json!({"file_key": "FiLeKeY123", "cursor": "10"}),
        json!({"comments": [comment(1)]}),
    );
    assert_eq!(page.unwrap(), json!({"comments": [], "next_cursor": null}));
    assert_eq!(
        refused(
            "FIGMA_LIST_COMMENTS",
            json!({"file_key": "k", "cursor": "abc"})
        ),
        Error::invalid_input("`cursor` \"abc\" is not a `next_cursor` of FIGMA_LIST_COMMENTS")
    );
}

#[test]
fn add_comment_posts_the_message_unpinned() {
    let (result, request) = call(
        "FIGMA_ADD_COMMENT",
        json!({"file_key": "FiLeKeY123", "message": "Looks good"}),
        comment(4),
    );
    assert_eq!(result.unwrap(), comment(4));
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v1/files/FiLeKeY123/comments")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.json(), json!({"message": "Looks good"}));
}

#[test]
fn add_comment_pins_to_a_node_or_a_canvas_point_or_replies() {
    let (_, pinned) = call(
        "FIGMA_ADD_COMMENT",
        json!({"file_key": "k", "message": "Padding?", "node_id": "1:2", "x": 10}),
        comment(5),
    );
    assert_eq!(
        pinned.json(),
        json!({"message": "Padding?", "client_meta": {"node_id": "1:2", "node_offset": {"x": 10.0, "y": 0.0}}})
    );
    let (_, point) = call(
        "FIGMA_ADD_COMMENT",
        json!({"file_key": "k", "message": "Here", "x": 100, "y": 200.5}),
        comment(6),
    );
    assert_eq!(
        point.json(),
        json!({"message": "Here", "client_meta": {"x": 100.0, "y": 200.5}})
    );
    let (_, reply) = call(
        "FIGMA_ADD_COMMENT",
        json!({"file_key": "k", "message": "Done", "comment_id": "1"}),
        comment(7),
    );
    assert_eq!(reply.json(), json!({"message": "Done", "comment_id": "1"}));
}

#[test]
fn add_comment_refuses_blank_text_half_points_and_positioned_replies() {
    assert_eq!(
        refused(
            "FIGMA_ADD_COMMENT",
            json!({"file_key": "k", "message": " "})
        ),
        Error::invalid_input("`message` must not be blank")
    );
    assert!(matches!(
        refused("FIGMA_ADD_COMMENT", json!({"file_key": "k", "message": "a", "x": 1})),
        Error::InvalidInput(m) if m.starts_with("give both `x` and `y`")
    ));
    assert!(matches!(
        refused("FIGMA_ADD_COMMENT", json!({"file_key": "k", "message": "a", "comment_id": "1", "node_id": "1:2"})),
        Error::InvalidInput(m) if m.starts_with("a reply (`comment_id`)")
    ));
}

#[test]
fn file_versions_page_with_the_before_cursor_of_figmas_next_page() {
    let transport = Transport::install();
    let version = |id: &str| json!({"id": id, "created_at": "2026-11-02T09:14:03Z", "label": null, "description": null, "user": {"id": "1141517254", "handle": "Ada", "img_url": "https://s3-alpha.figma.com/profile/ada.png"}});
    transport.reply_json(
        200,
        json!({"versions": [version("5412783305"), version("5412700001")],
               "pagination": {"prev_page": "https://api.figma.com/v1/files/FiLeKeY123/versions?page_size=2&after=5412783305",
                              "next_page": "https://api.figma.com/v1/files/FiLeKeY123/versions?page_size=2&before=5412700001"}}),
    );
    transport.reply_json(
        200,
        json!({"versions": [version("5400000000")], "pagination": {}}),
    );
    let first = testing::run(
        &provider(),
        "FIGMA_GET_FILE_VERSIONS",
        json!({"file_key": "FiLeKeY123", "page_size": 2}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        first,
        json!({"versions": [version("5412783305"), version("5412700001")], "next_cursor": "5412700001"})
    );
    let second = testing::run(
        &provider(),
        "FIGMA_GET_FILE_VERSIONS",
        json!({"file_key": "FiLeKeY123", "page_size": 2, "cursor": first["next_cursor"]}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        second,
        json!({"versions": [version("5400000000")], "next_cursor": null})
    );
    let requests = transport.requests();
    assert_get(
        &requests[0],
        "/v1/files/FiLeKeY123/versions",
        &[("page_size", "2")],
    );
    assert_get(
        &requests[1],
        "/v1/files/FiLeKeY123/versions",
        &[("page_size", "2"), ("before", "5412700001")],
    );
    assert_eq!(
        refused(
            "FIGMA_GET_FILE_VERSIONS",
            json!({"file_key": "k", "cursor": "next"})
        ),
        Error::invalid_input("`cursor` \"next\" is not a `next_cursor` of FIGMA_GET_FILE_VERSIONS")
    );
}

#[test]
fn team_projects_and_project_files_are_passed_through() {
    let projects =
        json!({"name": "Acme Design", "projects": [{"id": "49730516", "name": "Checkout"}]});
    let (result, request) = call(
        "FIGMA_LIST_TEAM_PROJECTS",
        json!({"team_id": "1535685101263221741"}),
        projects.clone(),
    );
    assert_eq!(result.unwrap(), projects);
    assert_get(&request, "/v1/teams/1535685101263221741/projects", &[]);

    let files = json!({"name": "Checkout", "files": [{"key": "FiLeKeY123", "name": "Checkout flow", "thumbnail_url": "https://s3-alpha.figma.com/thumbnails/c1.png", "last_modified": "2026-11-02T09:14:03Z"}]});
    let (result, request) = call(
        "FIGMA_LIST_PROJECT_FILES",
        json!({"project_id": "49730516", "branch_data": true}),
        files.clone(),
    );
    assert_eq!(result.unwrap(), files);
    assert_get(
        &request,
        "/v1/projects/49730516/files",
        &[("branch_data", "true")],
    );
    let (_, request) = call(
        "FIGMA_LIST_PROJECT_FILES",
        json!({"project_id": "49730516"}),
        files,
    );
    assert_get(&request, "/v1/projects/49730516/files", &[]);
}

#[test]
fn an_invalid_or_expired_token_is_not_connected() {
    assert_eq!(
        error_for(403, &[], json!({"status": 403, "err": "Invalid token"})),
        Error::unauthorized("Invalid token")
    );
    assert_eq!(
        error_for(
            401,
            &[],
            json!({"error": true, "status": 401, "message": "Unauthorized"})
        ),
        Error::unauthorized("Unauthorized")
    );
}

#[test]
fn a_file_the_user_may_not_see_is_an_upstream_403_with_figmas_message() {
    let error = error_for(
        403,
        &[],
        json!({"status": 403, "err": "File not accessible"}),
    );
    assert!(
        matches!(&error, Error::Upstream { status: 403, message, body: Some(_) } if message == "File not accessible"),
        "{error:?}"
    );
}

#[test]
fn not_found_rate_limited_and_other_errors_map_with_figmas_message() {
    assert_eq!(
        error_for(404, &[], json!({"status": 404, "err": "Not found"})),
        Error::not_found("Not found")
    );
    assert_eq!(
        error_for(
            429,
            &[("retry-after", "42"), ("x-figma-rate-limit-type", "low")],
            json!({"status": 429, "err": "Rate limit exceeded"})
        ),
        Error::rate_limited("Rate limit exceeded", Some(42))
    );
    let error = error_for(
        400,
        &[],
        json!({"status": 400, "err": "Invalid parameter: depth"}),
    );
    assert!(
        matches!(&error, Error::Upstream { status: 400, message, .. } if message == "Invalid parameter: depth"),
        "{error:?}"
    );
    let transport = Transport::install();
    transport.reply(500, &[], "<html>oops</html>");
    let error = testing::run(
        &provider(),
        "FIGMA_LIST_TEAM_PROJECTS",
        json!({"team_id": "1"}),
        &alice(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 500, message, .. } if message == "HTTP 500"),
        "{error:?}"
    );
}

#[test]
fn after_connect_labels_the_account_with_handle_and_email() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": "1141517254", "handle": "Ada Lovelace", "img_url": "https://s3-alpha.figma.com/profile/ada.png", "email": "ada@example.com"}),
    );
    let account = testing::after_connect(&provider(), &alice()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Ada Lovelace (ada@example.com)")
    );
    assert_get(&transport.only_request(), "/v1/me", &[]);
}

#[test]
fn after_connect_refuses_a_token_figma_refuses() {
    let transport = Transport::install();
    transport.reply(
        403,
        &[],
        json!({"status": 403, "err": "Invalid token"}).to_string(),
    );
    assert_eq!(
        testing::after_connect(&provider(), &alice()),
        Err(Error::unauthorized("Invalid token"))
    );
}

#[test]
fn every_action_declares_its_scopes_and_hints() {
    let provider = provider();
    let scopes = |name: &str| provider.find(name).unwrap().required_scopes().to_vec();
    let read = |s: &str| vec![vec![s.to_string(), "files:read".to_string()]];
    assert_eq!(scopes("FIGMA_GET_FILE"), read("file_content:read"));
    assert_eq!(scopes("FIGMA_GET_FILE_NODES"), read("file_content:read"));
    assert_eq!(scopes("FIGMA_RENDER_IMAGES"), read("file_content:read"));
    assert_eq!(scopes("FIGMA_LIST_COMMENTS"), read("file_comments:read"));
    assert_eq!(
        scopes("FIGMA_ADD_COMMENT"),
        vec![vec!["file_comments:write".to_string()]]
    );
    assert_eq!(scopes("FIGMA_LIST_TEAM_PROJECTS"), read("projects:read"));
    assert_eq!(scopes("FIGMA_LIST_PROJECT_FILES"), read("projects:read"));
    assert_eq!(
        scopes("FIGMA_GET_FILE_VERSIONS"),
        read("file_versions:read")
    );
    for action in provider.actions() {
        let writes = action.name() == "FIGMA_ADD_COMMENT";
        assert_eq!(action.hints().read_only, !writes, "{}", action.name());
        assert!(!action.hints().destructive, "{}", action.name());
    }
}

#[test]
fn schemas_state_depth_defaults_and_the_closed_set_of_formats() {
    let provider = provider();
    let schema = |name: &str| provider.find(name).unwrap().input_schema();
    let file = schema("FIGMA_GET_FILE");
    assert_eq!(file["properties"]["depth"]["default"], 2);
    assert_eq!(file["properties"]["depth"]["minimum"], 1);
    assert_eq!(file["required"], json!(["file_key"]));
    assert_eq!(
        schema("FIGMA_GET_FILE_NODES")["properties"]["depth"]["default"],
        3
    );
    let render = schema("FIGMA_RENDER_IMAGES");
    assert_eq!(render["required"], json!(["file_key", "ids"]));
    assert_eq!(render["properties"]["scale"]["maximum"], 4.0);
    let text = render.to_string();
    for format in ["png", "jpg", "svg", "pdf"] {
        assert!(text.contains(&format!("\"{format}\"")), "{text}");
    }
    assert!(
        provider
            .find("FIGMA_GET_FILE_VERSIONS")
            .unwrap()
            .output_schema()
            .is_some()
    );
}
