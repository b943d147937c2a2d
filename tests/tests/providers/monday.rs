//! The bundled monday.com plugin against a stand-in that checks every request with monday's own
//! GraphQL schema (API version 2026-10, `../shared/specs/monday/schema.graphql`): each document
//! is parsed and validated and its variables coerced (graphql-core); the path, the API version
//! header and the bearer token, which a GraphQL schema does not describe, are asserted here. The
//! answers are monday's as its reference shows them, with HTTP 200 `errors[]` for most failures.
//! The per-user item schema (the boards' columns) is tested through the real host: listed,
//! enforced on a call, cached, and refreshed with `reload_fields`.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::oauth_server::{CLIENT_ID, CLIENT_SECRET, StrictOAuthServer};
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, MONDAY, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const TOKEN: &str = "monday-oauth-alice";

async fn monday(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, "monday.wasm").await
}

fn alice() -> CallContext {
    alice_with(
        TOKEN,
        &["me:read", "boards:read", "boards:write", "updates:write"],
    )
}

/// Answers the GraphQL operation `operation` (`query ListBoards`) with `data`.
fn data(operation: &str, data: Value) -> Fixture {
    Fixture::operation(
        operation,
        Reply::json(200, json!({"data": data, "account_id": 9_876_543})),
    )
}

/// Every request reached `/v2` with the API version and alice's token as a bearer.
async fn assert_monday_requests(standin: &Session) {
    for request in standin.requests().await {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/v2")
        );
        assert_eq!(request.query, None);
        assert_eq!(request.header("api-version"), Some("2026-10"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

/// The variables of a recorded GraphQL request.
fn variables(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body).unwrap()["variables"].clone()
}

/// Columns of the "Roadmap" board as monday answers `columns { id title type settings }` in
/// API 2025-10 and later (docs: "Deprecating settings_str field on columns").
fn roadmap_columns() -> Value {
    json!([
        {"id": "name", "title": "Name", "type": "name", "settings": {}},
        {"id": "status", "title": "Status", "type": "status", "settings": {"labels": [
            {"id": 0, "color": 0, "label": "Working on it", "index": 0, "is_done": false, "is_deactivated": false},
            {"id": 1, "color": 1, "label": "Done", "index": 2, "is_done": true, "is_deactivated": false},
            {"id": 2, "color": 2, "label": "Stuck", "index": 1, "is_done": false, "is_deactivated": false}
        ]}},
        {"id": "date4", "title": "Due date", "type": "date", "settings": {"hide_footer": false}},
        {"id": "person", "title": "Owner", "type": "people", "settings": {}},
        {"id": "numbers", "title": "Budget", "type": "numbers", "settings": {}},
        {"id": "text", "title": "Notes", "type": "text", "settings": {}},
        {"id": "long_text", "title": "Details", "type": "long_text", "settings": {}},
        {"id": "dropdown", "title": "Tags", "type": "dropdown", "settings": {"labels": [
            {"id": 1, "label": "Backend", "is_deactivated": false},
            {"id": 2, "label": "Frontend", "is_deactivated": false}
        ]}},
        {"id": "checkbox", "title": "Approved", "type": "checkbox", "settings": {}},
        {"id": "email", "title": "Contact", "type": "email", "settings": {}},
        {"id": "link", "title": "Spec", "type": "link", "settings": {}},
        {"id": "timeline", "title": "Timeline", "type": "timeline", "settings": {}},
        {"id": "rating", "title": "Priority", "type": "rating", "settings": {"limit": 5}},
        {"id": "files", "title": "Files", "type": "file", "settings": {}}
    ])
}

fn board_columns() -> Fixture {
    data(
        "query BoardColumns",
        json!({"boards": [{"id": "1234567890", "columns": roadmap_columns()}]}),
    )
}

fn item(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "state": "active",
        "url": format!("https://acme.monday.com/boards/1234567890/pulses/{id}"),
        "updated_at": "2026-11-02T09:12:03Z",
        "group": {"id": "topics", "title": "This week"},
        "column_values": [
            {"id": "status", "type": "status", "text": "Working on it", "value": "{\"index\":0,\"post_id\":null,\"changed_at\":\"2026-11-02T09:12:03.102Z\"}", "column": {"title": "Status"}},
            {"id": "date4", "type": "date", "text": "2026-12-01", "value": "{\"date\":\"2026-12-01\",\"icon\":null,\"changed_at\":\"2026-11-02T09:12:03.102Z\"}", "column": {"title": "Due date"}}
        ]
    })
}

/// Every action with the parameters it takes, in one session: monday's schema accepts each
/// document and its variables, and each request reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_documents_that_mondays_schema_accepts() {
    let standin = MONDAY.session("every_action");
    let board = json!({"id": "1234567890", "name": "Roadmap", "description": "Q4 product plan", "state": "active", "board_kind": "public", "type": "board", "items_count": 2, "url": "https://acme.monday.com/boards/1234567890", "workspace": {"id": "5512", "name": "Product"}, "groups": [{"id": "topics", "title": "This week", "color": "#579bfc", "position": "65536", "archived": false}], "columns": roadmap_columns()});
    for fixture in [
        data("query ListBoards", json!({"boards": [board.clone()]})),
        data("query GetBoard", json!({"boards": [board.clone()]})),
        data(
            "query ListItems",
            json!({"boards": [{"items_page": {"cursor": "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9k", "items": [item("9876543210", "Launch")]}}]}),
        ),
        data(
            "query NextItems",
            json!({"next_items_page": {"cursor": null, "items": [item("9876543211", "Docs")]}}),
        ),
        data(
            "query GetItem",
            json!({"items": [{"id": "9876543210", "name": "Launch", "board": {"id": "1234567890", "name": "Roadmap"}, "updates": [{"id": "3325555", "text_body": "On track", "created_at": "2026-11-02T09:12:03Z", "creator": {"id": "4012689", "name": "Ada Lovelace"}}]}]}),
        ),
        board_columns(),
        data(
            "mutation CreateItem",
            json!({"create_item": {"id": "9876543299", "name": "Beta launch", "url": "https://acme.monday.com/boards/1234567890/pulses/9876543299", "board": {"id": "1234567890"}, "group": {"id": "topics", "title": "This week"}, "column_values": [{"id": "status", "type": "status", "text": "Stuck"}]}}),
        ),
        data(
            "mutation UpdateItem",
            json!({"change_multiple_column_values": {"id": "9876543210", "name": "Launch v2", "url": "https://acme.monday.com/boards/1234567890/pulses/9876543210", "column_values": [{"id": "status", "type": "status", "text": "Done"}]}}),
        ),
        data(
            "mutation CreateUpdate",
            json!({"create_update": {"id": "3325556", "body": "<p>Shipped</p>", "text_body": "Shipped", "created_at": "2026-11-30T08:00:00Z", "item_id": "9876543210", "creator": {"id": "4012689", "name": "Ada Lovelace"}}}),
        ),
        data(
            "mutation CreateBoard",
            json!({"create_board": {"id": "1234567999", "name": "Q1 plan", "board_kind": "private", "url": "https://acme.monday.com/boards/1234567999", "workspace_id": "5512", "groups": [], "columns": []}}),
        ),
        data(
            "mutation CreateGroup",
            json!({"create_group": {"id": "new_group29179", "title": "Next sprint", "color": "#ff642e", "position": "98304"}}),
        ),
    ] {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = monday(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "MONDAY_LIST_BOARDS",
            json!({"limit": 10, "page": 2, "workspace_ids": ["5512"], "board_kind": "public", "order_by": "used_at", "state": "active"}),
            &["query ListBoards"],
        ),
        (
            "MONDAY_GET_BOARD",
            json!({"board_id": "1234567890"}),
            &["query GetBoard"],
        ),
        (
            "MONDAY_LIST_ITEMS",
            json!({"board_id": "1234567890", "limit": 1, "filters": [{"column_id": "status", "operator": "any_of", "values": [0, 2]}, {"column_id": "date4", "operator": "between", "values": ["2026-12-01", "2026-12-31"]}, {"column_id": "text", "operator": "is_empty"}], "match": "all", "column_ids": ["status", "date4"]}),
            &["query ListItems"],
        ),
        (
            "MONDAY_LIST_ITEMS",
            json!({"board_id": "1234567890", "cursor": "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9k", "limit": 1}),
            &["query NextItems"],
        ),
        (
            "MONDAY_GET_ITEM",
            json!({"item_id": "9876543210"}),
            &["query GetItem"],
        ),
        (
            "MONDAY_CREATE_ITEM",
            json!({"board_id": "1234567890", "item_name": "Beta launch", "group_id": "topics", "create_labels_if_missing": false, "column_values": {
                "status": "Stuck", "date4": "2026-12-01", "person": [4012689], "numbers": 1250, "text": "Ask legal",
                "long_text": "Two\nlines", "dropdown": ["Backend"], "checkbox": true, "email": "ada@example.com",
                "link": "https://example.com/spec", "timeline": {"from": "2026-12-01", "to": "2026-12-15"}, "rating": 5
            }}),
            &["query BoardColumns", "mutation CreateItem"],
        ),
        (
            "MONDAY_UPDATE_ITEM",
            json!({"board_id": "1234567890", "item_id": "9876543210", "item_name": "Launch v2", "column_values": {"Status": "Done", "checkbox": false}, "create_labels_if_missing": true}),
            &["query BoardColumns", "mutation UpdateItem"],
        ),
        (
            "MONDAY_CREATE_UPDATE",
            json!({"item_id": "9876543210", "body": "<p>Shipped</p>", "parent_id": "3325555"}),
            &["mutation CreateUpdate"],
        ),
        (
            "MONDAY_CREATE_BOARD",
            json!({"board_name": "Q1 plan", "board_kind": "private", "description": "Goals", "workspace_id": "5512", "folder_id": "77", "template_id": "1234567890", "empty": true}),
            &["mutation CreateBoard"],
        ),
        (
            "MONDAY_CREATE_GROUP",
            json!({"board_id": "1234567890", "group_name": "Next sprint", "group_color": "#ff642e", "relative_to": "topics", "position_relative_method": "after_at"}),
            &["mutation CreateGroup"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_monday_requests(&standin).await;
    assert_eq!(
        outputs[0]["next_page"],
        json!(null),
        "a short page is the last"
    );
    assert_eq!(outputs[1]["groups"][0]["id"], "topics");
    assert_eq!(
        outputs[2]["next_cursor"],
        "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9k"
    );
    assert_eq!(
        outputs[3],
        json!({"items": [item("9876543211", "Docs")], "next_cursor": null})
    );
    assert_eq!(outputs[5]["id"], "9876543299");

    let requests = standin.requests().await;
    let create = variables(&requests[6].body);
    let sent: Value = serde_json::from_str(create["values"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({
            "status": {"label": "Stuck"},
            "date4": {"date": "2026-12-01"},
            "person": {"personsAndTeams": [{"id": 4012689, "kind": "person"}]},
            "numbers": "1250",
            "text": "Ask legal",
            "long_text": {"text": "Two\nlines"},
            "dropdown": {"labels": ["Backend"]},
            "checkbox": {"checked": "true"},
            "email": {"email": "ada@example.com", "text": "ada@example.com"},
            "link": {"url": "https://example.com/spec", "text": "https://example.com/spec"},
            "timeline": {"from": "2026-12-01", "to": "2026-12-15"},
            "rating": {"rating": 5}
        })
    );
    let update = variables(&requests[8].body);
    assert_eq!(
        (
            update["board"].as_str(),
            update["item"].as_str(),
            update["newLabels"].as_bool()
        ),
        (Some("1234567890"), Some("9876543210"), Some(true))
    );
    let sent: Value = serde_json::from_str(update["values"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({"status": {"label": "Done"}, "checkbox": null, "name": "Launch v2"})
    );
}

/// A second page of items is fetched with the cursor the first answered, through
/// `next_items_page`; boards page by number.
#[tokio::test]
async fn items_and_boards_page_with_what_the_previous_page_returned() {
    let standin = MONDAY.session("pages");
    let cursor = "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9kLDg4MiwzNXw0MTQ1NzU1MTE5";
    standin
        .answer(data(
            "query ListItems",
            json!({"boards": [{"items_page": {"cursor": cursor, "items": [item("1", "First")]}}]}),
        ))
        .await;
    standin
        .answer(data(
            "query NextItems",
            json!({"next_items_page": {"cursor": null, "items": [item("2", "Second")]}}),
        ))
        .await;
    standin
        .answer(data(
            "query ListBoards",
            json!({"boards": [{"id": "1"}, {"id": "2"}]}),
        ))
        .await;
    let (runtime, plugin) = monday(&standin).await;
    let run = |params: Value, action: &'static str| {
        let (runtime, plugin) = (&runtime, &plugin);
        async move {
            let (result, _) = runtime.execute(plugin, action, &params, &alice()).await;
            result.unwrap()
        }
    };
    let first = run(
        json!({"board_id": "1234567890", "limit": 1}),
        "MONDAY_LIST_ITEMS",
    )
    .await;
    assert_eq!(first["items"], json!([item("1", "First")]));
    let next = first["next_cursor"].clone();
    assert_eq!(next, cursor);
    let second = run(
        json!({"board_id": "1234567890", "limit": 1, "cursor": next}),
        "MONDAY_LIST_ITEMS",
    )
    .await;
    assert_eq!(
        second,
        json!({"items": [item("2", "Second")], "next_cursor": null})
    );
    let boards = run(json!({"limit": 2}), "MONDAY_LIST_BOARDS").await;
    assert_eq!(boards["next_page"], 2);
    let page_two = run(
        json!({"limit": 2, "page": boards["next_page"]}),
        "MONDAY_LIST_BOARDS",
    )
    .await;
    assert_eq!(page_two["next_page"], 3);

    let requests = standin.requests().await;
    assert_eq!(
        variables(&requests[0].body),
        json!({"board": ["1234567890"], "limit": 1})
    );
    assert_eq!(
        variables(&requests[1].body),
        json!({"cursor": cursor, "limit": 1})
    );
    assert_eq!(variables(&requests[2].body), json!({"limit": 2, "page": 1}));
    assert_eq!(variables(&requests[3].body), json!({"limit": 2, "page": 2}));
    assert_monday_requests(&standin).await;
}

async fn error_of(test: &str, reply: Reply) -> CallError {
    let (result, standin) = run_once(
        &MONDAY,
        "monday.wasm",
        &alice(),
        (test, "MONDAY_GET_BOARD", json!({"board_id": "1234567890"})),
        Fixture::operation("query GetBoard", reply),
    )
    .await;
    standin.assert_no_violations().await;
    assert_eq!(standin.checked().await.len(), 1);
    result.unwrap_err()
}

fn action_error(error: ActionError) -> CallError {
    CallError::Action(error)
}

/// monday's errors as its reference shows them, most with HTTP 200, reach the caller as the
/// contract's errors: a refused token → not connected; a permission the user lacks on one board
/// → upstream error 403 (not a refused token: the account stays connected); a missing board → not found; the
/// complexity budget and the minute limit → rate limited with monday's own delay. (The 429's
/// delay is longer than the call's 30 s, so the host hands it on instead of waiting and
/// resending, as it does for a read with a shorter `Retry-After`.)
#[tokio::test]
async fn mondays_errors_map_to_the_contracts_codes_even_with_http_200() {
    let unauthorized = json!({"data": [], "errors": [{"message": "User unauthorized to perform action", "locations": [{"line": 2, "column": 3}], "path": ["me"], "extensions": {"code": "UserUnauthorizedException", "error_data": {}, "status_code": 403}}], "account_id": 123456});
    assert_eq!(
        error_of("error_user_unauthorized", Reply::json(200, unauthorized)).await,
        action_error(ActionError::Upstream {
            status: 403,
            message: "User unauthorized to perform action (the account lacks the permission on \
                      this board or item)"
                .into(),
            body: None,
        })
    );
    assert_eq!(
        error_of(
            "error_401",
            Reply::json(401, json!({"errors": ["Not Authenticated"]}))
        )
        .await,
        action_error(ActionError::Unauthorized("Not Authenticated".into()))
    );
    let missing = json!({"data": {"boards": null}, "errors": [{"message": "The board does not exist. Please check your board ID and try again", "locations": [{"line": 1, "column": 32}], "path": ["boards"], "extensions": {"code": "InvalidBoardIdException", "error_data": {"board_id": 1234567890}, "status_code": 200}}]});
    assert_eq!(
        error_of("error_not_found", Reply::json(200, missing)).await,
        action_error(ActionError::NotFound(
            "The board does not exist. Please check your board ID and try again".into()
        ))
    );
    let complexity = json!({"errors": [{"message": "Complexity budget exhausted", "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "complexity": 6182, "complexity_budget_left": 100, "complexity_budget_limit": 5000000, "retry_in_seconds": 38, "status_code": 429}}]});
    assert_eq!(
        error_of("error_complexity", Reply::json(200, complexity)).await,
        action_error(ActionError::RateLimited {
            message: "Complexity budget exhausted".into(),
            retry_after_seconds: Some(38)
        })
    );
    let minute = json!({"errors": [{"message": "Rate limit exceeded for the account", "extensions": {"code": "RATE_LIMIT_EXCEEDED", "status_code": 429}}]});
    assert_eq!(
        error_of(
            "error_429",
            Reply::json(429, minute).header("retry-after", "45")
        )
        .await,
        action_error(ActionError::RateLimited {
            message: "Rate limit exceeded for the account".into(),
            retry_after_seconds: Some(45)
        })
    );
}

#[tokio::test]
async fn a_column_value_monday_refuses_is_invalid_input() {
    let standin = MONDAY.session("error_column_value");
    standin.answer(board_columns()).await;
    standin
        .answer(Fixture::operation(
            "mutation CreateItem",
            Reply::json(200, json!({"data": {"create_item": null}, "errors": [{"message": "invalid value - label does not exist in column. Please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values", "locations": [{"line": 1, "column": 10}], "path": ["create_item"], "extensions": {"code": "ColumnValueException", "status_code": 200, "error_data": {"column_type": "status"}}}]})),
        ))
        .await;
    let (runtime, plugin) = monday(&standin).await;
    let params =
        json!({"board_id": "1234567890", "item_name": "X", "column_values": {"status": "Done"}});
    let (result, _) = runtime
        .execute(&plugin, "MONDAY_CREATE_ITEM", &params, &alice())
        .await;
    match result.unwrap_err() {
        CallError::Action(ActionError::InvalidInput(m)) => {
            assert!(
                m.starts_with("invalid value - label does not exist in column"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    // A label the board lacks is refused by the plugin before anything is written.
    let params =
        json!({"board_id": "1234567890", "item_name": "X", "column_values": {"status": "Shipped"}});
    let (result, _) = runtime
        .execute(&plugin, "MONDAY_CREATE_ITEM", &params, &alice())
        .await;
    assert_eq!(
        result.unwrap_err(),
        action_error(ActionError::InvalidInput(
            "column `status` (Status) has no label \"Shipped\"; its labels: Working on it, Done, Stuck (or set `create_labels_if_missing`)".into()
        ))
    );
    let operations: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|c| c.operation)
        .collect();
    assert_eq!(
        operations,
        [
            Some("query BoardColumns".into()),
            Some("mutation CreateItem".into()),
            Some("query BoardColumns".into())
        ]
    );
    assert_monday_requests(&standin).await;
}

fn body(query: &str, variables: Value) -> String {
    json!({"query": query, "variables": variables}).to_string()
}

const BEARER: (&str, &str) = ("authorization", "Bearer monday-oauth-alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: documents and variables monday's schema refuses, so a stand-in that
/// accepts everything fails here.
#[tokio::test]
async fn mondays_schema_refuses_what_monday_would() {
    let create = "mutation CreateItem($board: ID!, $name: String!) { create_item(board_id: $board, item_name: $name) { id } }";
    let unknown_field = body("query { boards(ids: [1]) { id title } }", json!({}));
    let wrong_type = body(
        "query ListBoards($limit: Int) { boards(limit: $limit) { id } }",
        json!({"limit": "lots"}),
    );
    let missing_name = body(create, json!({"board": "1234567890"}));
    let bad_enum = body(
        "mutation CreateBoard($kind: BoardKind!) { create_board(board_name: \"x\", board_kind: $kind) { id } }",
        json!({"kind": "secret"}),
    );
    let old_argument = body(
        "query { items_page_by_column_values(board_id: 1, column_id: \"status\", column_value: \"Done\") { cursor } }",
        json!({}),
    );
    let headers = [BEARER, JSON];
    assert_refused(
        &MONDAY,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/v2",
                headers: &headers,
                body: &unknown_field,
                because: "Cannot query field 'title' on type 'Board'",
            },
            Refused {
                method: "POST",
                path_and_query: "/v2",
                headers: &headers,
                body: &wrong_type,
                because: "invalid variables",
            },
            Refused {
                method: "POST",
                path_and_query: "/v2",
                headers: &headers,
                body: &missing_name,
                because: "'$name' of required type 'String!' was not provided",
            },
            Refused {
                method: "POST",
                path_and_query: "/v2",
                headers: &headers,
                body: &bad_enum,
                because: "BoardKind",
            },
            Refused {
                method: "POST",
                path_and_query: "/v2",
                headers: &headers,
                body: &old_argument,
                because: "Unknown argument 'column_id'",
            },
            Refused {
                method: "GET",
                path_and_query: "/v2?query=%7Bme%7Bid%7D%7D",
                headers: &[BEARER],
                body: "",
                because: "a GraphQL request is a POST",
            },
        ],
    )
    .await;
}

/// Known good: create_item as monday's reference shows it, inline arguments and the column
/// values as JSON text.
#[tokio::test]
async fn mondays_schema_accepts_a_create_item_from_mondays_docs() {
    let docs = body(
        "mutation { create_item (board_id: 1234567890, group_id: \"group_one\", item_name: \"new item\", column_values: \"{\\\"date\\\":\\\"2023-05-25\\\"}\") { id } }",
        json!({}),
    );
    assert_accepted(
        &MONDAY,
        "docs_create_item",
        ("POST", "/v2", &[BEARER, JSON], &docs),
        "mutation (anonymous)",
    )
    .await;
}

/// The boards alice used last, as the describe query asks for them.
fn described(status_labels: &[&str]) -> Fixture {
    let labels: Vec<Value> = status_labels
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"id": i, "label": l, "index": i, "is_deactivated": false}))
        .collect();
    data(
        "query DescribeBoards",
        json!({"boards": [
            {"id": "1234567890", "name": "Roadmap", "type": "board", "subscribers": [{"id": "4012689", "name": "Ada Lovelace"}], "columns": [
                {"id": "name", "title": "Name", "type": "name", "settings": {}},
                {"id": "status", "title": "Status", "type": "status", "settings": {"labels": labels}},
                {"id": "date4", "title": "Due date", "type": "date", "settings": {}},
                {"id": "files", "title": "Files", "type": "file", "settings": {}}
            ]},
            {"id": "1234567892", "name": "Subitems of Roadmap", "type": "sub_items_board", "subscribers": [], "columns": []}
        ]}),
    )
}

/// The tool's parameters for `action` in alice's listing.
fn parameters(listing: &Value, action: &str) -> Value {
    listing["actions"]["monday"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == action)
        .unwrap_or_else(|| panic!("no {action} in {listing}"))["function"]["parameters"]
        .clone()
}

/// Through the real host: connecting labels the account from `me`; the listing describes the
/// item actions from alice's boards (one describe per action, then cached); a call is checked
/// against that schema (a label the board lacks is refused before the plugin runs);
/// `reload_fields=true` describes again and a new label becomes valid.
#[tokio::test]
async fn the_board_columns_are_alices_schema_listed_enforced_and_reloaded() {
    let standin = MONDAY.session("dynamic_schema");
    standin
        .answer(data(
            "query Me",
            json!({"me": {"id": "4012689", "name": "Ada Lovelace", "email": "ada@example.com", "account": {"id": "9876543", "name": "Acme", "slug": "acme"}}}),
        ))
        .await;
    standin
        .answer(described(&["Working on it", "Done", "Stuck"]).once())
        .await;
    standin
        .answer(described(&["Working on it", "Done", "Stuck"]).once())
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    app.connect("alice", "monday", json!({"access_token": TOKEN}))
        .await;
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "monday")
        .unwrap_or_else(|| panic!("{accounts:?}"));
    assert_eq!(account["label"], "ada@example.com (Acme)");

    let listing = app
        .as_user("alice", "GET", "/actions?integrations=monday", None)
        .await;
    assert_eq!(listing.status, 200, "{listing:?}");
    assert_eq!(listing.body["errors"], json!([]));
    for action in ["MONDAY_CREATE_ITEM", "MONDAY_UPDATE_ITEM"] {
        let schema = parameters(&listing.body, action);
        let columns = &schema["properties"]["column_values"]["properties"];
        assert_eq!(
            columns["status"],
            json!({"type": "string", "enum": ["Working on it", "Done", "Stuck"], "description": "On board Roadmap (1234567890): Status: one of Working on it / Done / Stuck."}),
            "{action}"
        );
        assert_eq!(
            columns.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["date4", "status"],
            "{action}: no name, file or subitems board"
        );
    }
    assert!(
        parameters(&listing.body, "MONDAY_GET_BOARD")["properties"]["board_id"]["description"]
            .as_str()
            .unwrap()
            .starts_with("The board's numeric id")
    );
    // Listed again: from the cache, no describe.
    app.as_user("alice", "GET", "/actions?integrations=monday", None)
        .await;
    let describes = |checked: &[actionhost_e2e::validating::Checked]| {
        checked
            .iter()
            .filter(|c| c.operation.as_deref() == Some("query DescribeBoards"))
            .count()
    };
    assert_eq!(
        describes(&standin.checked().await),
        2,
        "one per dynamic action"
    );

    // The host checks the call against alice's schema: "Shipped" is no label of the board.
    let shipped = json!({"action": "MONDAY_CREATE_ITEM", "parameters": {"board_id": "1234567890", "item_name": "Beta", "column_values": {"status": "Shipped"}}});
    let refused = app
        .as_user("alice", "POST", "/actions", Some(shipped.clone()))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "invalid_parameters"),
        "{refused:?}"
    );
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/column_values/status"
    );
    let requests_before = standin.checked().await.len();

    // monday gained the label; after reload_fields the schema has it and the call goes through.
    standin
        .answer(described(&["Working on it", "Done", "Stuck", "Shipped"]))
        .await;
    standin
        .answer(data(
            "query BoardColumns",
            json!({"boards": [{"id": "1234567890", "columns": [{"id": "status", "title": "Status", "type": "status", "settings": {"labels": [{"label": "Working on it"}, {"label": "Done"}, {"label": "Stuck"}, {"label": "Shipped"}]}}]}]}),
        ))
        .await;
    standin
        .answer(data(
            "mutation CreateItem",
            json!({"create_item": {"id": "9876543299", "name": "Beta"}}),
        ))
        .await;
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=monday&reload_fields=true",
            None,
        )
        .await;
    let schema = parameters(&reloaded.body, "MONDAY_CREATE_ITEM");
    assert_eq!(
        schema["properties"]["column_values"]["properties"]["status"]["enum"],
        json!(["Working on it", "Done", "Stuck", "Shipped"])
    );
    let created = app
        .as_user("alice", "POST", "/actions", Some(shipped))
        .await;
    assert_eq!(
        (created.status, created.body.clone()),
        (200, json!({"id": "9876543299", "name": "Beta"}))
    );
    let checked = standin.checked().await;
    assert_eq!(
        requests_before, 3,
        "Me and two describes; the refused call sent nothing"
    );
    let operations: Vec<&str> = checked[requests_before..]
        .iter()
        .map(|c| c.operation.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        operations,
        [
            "query DescribeBoards",
            "query DescribeBoards",
            "query BoardColumns",
            "mutation CreateItem"
        ]
    );
    assert_monday_requests(&standin).await;
}

/// Signing in through the real host's OAuth routes: monday's authorize endpoint with PKCE and
/// the plugin's scopes; the code exchanged at a strict OAuth server standing in for monday's
/// OAuth 2.1 token endpoint; the new token checked and the account labelled with `me`.
#[tokio::test]
async fn alice_signs_in_with_oauth_and_pkce_and_the_account_is_labelled_from_me() {
    let standin = MONDAY.session("oauth_sign_in");
    standin
        .answer(data(
            "query Me",
            json!({"me": {"id": "4012689", "name": "Ada Lovelace", "email": "ada@example.com", "account": {"id": "9876543", "name": "Acme", "slug": "acme"}}}),
        ))
        .await;
    let server = StrictOAuthServer::start().await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let connection = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token_url": server.url("/token")});
    let put = app
        .as_admin("PUT", "/admin/connections/monday", Some(connection))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let started = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/monday/authorize",
            None,
        )
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let url = url::Url::parse(started.body["authorization_url"].as_str().unwrap()).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        ("https", Some("auth.monday.com"), "/oauth2/authorize")
    );
    let params: std::collections::HashMap<String, String> =
        url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(
        params["scope"],
        "me:read boards:read boards:write updates:write"
    );

    server.issue_code(
        "code-monday",
        &params["code_challenge"],
        &params["redirect_uri"],
    );
    let callback = app
        .call(
            "GET",
            &format!("/oauth/callback?code=code-monday&state={}", params["state"]),
            None,
            None,
        )
        .await;
    assert_eq!(callback.status, 200, "{callback:?}");
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "monday")
        .unwrap_or_else(|| panic!("{accounts:?}"));
    assert_eq!(account["status"], "active", "{account}");
    assert_eq!(account["label"], "ada@example.com (Acme)");
    let me = standin.single().await;
    assert_eq!(me.header("authorization"), Some("Bearer strict-access-1"));
    assert_eq!(me.header("api-version"), Some("2026-10"));
}

/// The alternative to OAuth: a personal API token, which monday takes bare in `Authorization`.
/// The host lists it, checks it with `me` when it is stored, and sends it as it is on calls.
#[tokio::test]
async fn a_personal_api_token_connects_and_is_sent_bare() {
    let standin = MONDAY.session("personal_token");
    standin
        .answer(data(
            "query Me",
            json!({"me": {"id": "4012690", "name": "Bob Builder", "email": "bob@example.com", "account": {"id": "9876543", "name": "Acme", "slug": "acme"}}}),
        ))
        .await;
    standin
        .answer(data(
            "query ListBoards",
            json!({"boards": [{"id": "1234567890", "name": "Roadmap"}]}),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("bob", "GET", "/integrations", None).await;
    let entry = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "monday")
        .unwrap_or_else(|| panic!("monday is bundled: {integrations:?}"))
        .clone();
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(
        entry["alternative_auth"],
        json!([{"type": "api_key"}]),
        "{entry}"
    );

    app.connect("bob", "monday", json!({"api_key": "monday-personal-bob"}))
        .await;
    let listed = app
        .as_user(
            "bob",
            "POST",
            "/actions",
            Some(json!({"action": "MONDAY_LIST_BOARDS", "parameters": {"limit": 1}})),
        )
        .await;
    assert_eq!(
        (listed.status, listed.body.clone()),
        (
            200,
            json!({"boards": [{"id": "1234567890", "name": "Roadmap"}], "next_page": 2})
        )
    );
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2, "me when stored, then the call");
    for request in &requests {
        assert_eq!(request.path, "/v2");
        assert_eq!(request.header("authorization"), Some("monday-personal-bob"));
        assert_eq!(request.header("api-version"), Some("2026-10"));
    }
}
