//! The exact GraphQL request every monday.com action sends (POST `/v2` with the API version
//! header), how monday's error envelopes map to errors, how plain column values become monday's
//! `column_values` JSON per column type, and the per-user schema built from the boards' columns;
//! run natively against the SDK's test transport.

use actionhost_plugin_monday::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, CredentialKind, Error};
use serde_json::{Value, json};

fn alice() -> Context {
    Context::new("alice")
}

fn run(
    transport: &Transport,
    action: &str,
    input: Value,
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let result = testing::run(&provider(), action, input, &alice());
    (result, transport.requests())
}

/// Runs `action` against one queued `data` answer; returns the result and the one request.
fn call(action: &str, input: Value, data: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, json!({"data": data, "account_id": 9_876_543}));
    let result = testing::run(&provider(), action, input, &alice());
    (result, transport.only_request())
}

/// Asserts the request is a GraphQL POST to monday's endpoint with the API version, and returns
/// its query and variables.
fn graphql(request: &RecordedRequest) -> (String, Value) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://api.monday.com/v2")
    );
    assert_eq!(request.header("api-version"), Some("2026-10"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host adds the credential"
    );
    let body = request.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["query", "variables"]);
    (
        body["query"].as_str().unwrap().to_string(),
        body["variables"].clone(),
    )
}

/// The operation a document starts with: `query ListBoards`.
fn operation(query: &str) -> String {
    query
        .split('(')
        .next()
        .unwrap()
        .split(" {")
        .next()
        .unwrap()
        .trim()
        .to_string()
}

/// The columns of the "Roadmap" board, as `boards { columns { id title type settings } }`
/// answers in API 2025-10 and later (settings as a JSON object).
fn roadmap_columns() -> Value {
    json!([
        {"id": "name", "title": "Name", "type": "name", "settings": {}},
        {"id": "status", "title": "Status", "type": "status", "settings": {"labels": [
            {"id": 0, "color": 0, "label": "Working on it", "index": 0, "is_done": false, "is_deactivated": false},
            {"id": 1, "color": 1, "label": "Done", "index": 2, "is_done": true, "is_deactivated": false},
            {"id": 2, "color": 2, "label": "Stuck", "index": 1, "is_done": false, "is_deactivated": false},
            {"id": 3, "color": 3, "label": "Retired", "index": 3, "is_done": false, "is_deactivated": true}
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
        {"id": "files", "title": "Files", "type": "file", "settings": {}},
        {"id": "formula", "title": "Cost", "type": "formula", "settings": {}}
    ])
}

fn columns_answer() -> Value {
    json!({"data": {"boards": [{"id": "1234567890", "columns": roadmap_columns()}]}})
}

#[test]
fn list_boards_asks_for_a_page_and_returns_the_next_page_number() {
    let boards = json!([
        {"id": "1234567890", "name": "Roadmap", "description": null, "state": "active", "board_kind": "public", "type": "board", "items_count": 12, "updated_at": "2026-11-02T09:12:03Z", "url": "https://acme.monday.com/boards/1234567890", "workspace": {"id": "5512", "name": "Product"}},
        {"id": "1234567891", "name": "Bugs", "description": "Triage", "state": "active", "board_kind": "private", "type": "board", "items_count": 3, "updated_at": "2026-11-01T10:00:00Z", "url": "https://acme.monday.com/boards/1234567891", "workspace": null}
    ]);
    let (result, request) = call(
        "MONDAY_LIST_BOARDS",
        json!({"limit": 2, "page": 3, "workspace_ids": ["5512"], "board_kind": "public", "order_by": "used_at", "state": "active"}),
        json!({"boards": boards}),
    );
    assert_eq!(result.unwrap(), json!({"boards": boards, "next_page": 4}));
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "query ListBoards");
    assert_eq!(
        variables,
        json!({"limit": 2, "page": 3, "workspaces": ["5512"], "kind": "public", "order": "used_at", "state": "active"})
    );
}

#[test]
fn list_boards_defaults_and_a_short_page_is_the_last() {
    let (result, request) = call(
        "MONDAY_LIST_BOARDS",
        json!({}),
        json!({"boards": [{"id": "1"}]}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"boards": [{"id": "1"}], "next_page": null})
    );
    assert_eq!(graphql(&request).1, json!({"limit": 25, "page": 1}));
}

#[test]
fn get_board_asks_for_groups_and_columns_of_one_board() {
    let board = json!({"id": "1234567890", "name": "Roadmap", "groups": [{"id": "topics", "title": "This week"}], "columns": roadmap_columns()});
    let (result, request) = call(
        "MONDAY_GET_BOARD",
        json!({"board_id": "1234567890"}),
        json!({"boards": [board]}),
    );
    assert_eq!(result.unwrap(), board);
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "query GetBoard");
    assert!(query.contains("groups { id title color position archived }"));
    assert!(query.contains("columns { id title type description settings }"));
    assert_eq!(variables, json!({"board": ["1234567890"]}));
}

#[test]
fn a_board_monday_does_not_return_is_not_found() {
    let (result, _) = call(
        "MONDAY_GET_BOARD",
        json!({"board_id": "42"}),
        json!({"boards": []}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("no board 42, or the account cannot see it")
    );
}

#[test]
fn list_items_filters_the_first_page_and_continues_with_the_cursor() {
    let transport = Transport::install();
    let first = json!([{"id": "9876543210", "name": "Launch", "column_values": [{"id": "status", "type": "status", "text": "Done", "value": "{\"index\":1}", "column": {"title": "Status"}}]}]);
    transport.reply_json(200, json!({"data": {"boards": [{"items_page": {"cursor": "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9kLDg4MiwzNXw0MTQ1NzU1MTE5", "items": first}}]}}));
    transport.reply_json(
        200,
        json!({"data": {"next_items_page": {"cursor": null, "items": [{"id": "9876543211"}]}}}),
    );
    let (result, _) = run(
        &transport,
        "MONDAY_LIST_ITEMS",
        json!({
            "board_id": "1234567890",
            "limit": 1,
            "filters": [
                {"column_id": "status", "operator": "any_of", "values": [1]},
                {"column_id": "date4", "operator": "greater_than", "values": ["2026-01-01"]},
                {"column_id": "text", "operator": "is_not_empty"}
            ],
            "match": "any",
            "column_ids": ["status", "date4"]
        }),
    );
    let page = result.unwrap();
    assert_eq!(page["items"], first);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(
        cursor,
        "MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9kLDg4MiwzNXw0MTQ1NzU1MTE5"
    );
    let (second, requests) = run(
        &transport,
        "MONDAY_LIST_ITEMS",
        json!({"board_id": "1234567890", "limit": 1, "cursor": cursor, "column_ids": ["status"]}),
    );
    assert_eq!(
        second.unwrap(),
        json!({"items": [{"id": "9876543211"}], "next_cursor": null})
    );
    let (query, variables) = graphql(&requests[0]);
    assert_eq!(operation(&query), "query ListItems");
    assert!(query.contains("items_page(limit: $limit, query_params: $query)"));
    assert!(query.contains("column_values(ids: $columns) { id type text value column { title } }"));
    assert_eq!(
        variables,
        json!({
            "board": ["1234567890"],
            "limit": 1,
            "query": {"operator": "or", "rules": [
                {"column_id": "status", "operator": "any_of", "compare_value": [1]},
                {"column_id": "date4", "operator": "greater_than", "compare_value": ["2026-01-01"]},
                {"column_id": "text", "operator": "is_not_empty", "compare_value": []}
            ]},
            "columns": ["status", "date4"]
        })
    );
    let (query, variables) = graphql(&requests[1]);
    assert_eq!(operation(&query), "query NextItems");
    assert!(query.contains("next_items_page(cursor: $cursor, limit: $limit)"));
    assert_eq!(
        variables,
        json!({"cursor": cursor, "limit": 1, "columns": ["status"]})
    );
}

#[test]
fn list_items_without_filters_sends_no_query_params() {
    let (result, request) = call(
        "MONDAY_LIST_ITEMS",
        json!({"board_id": "1234567890"}),
        json!({"boards": [{"items_page": {"cursor": null, "items": []}}]}),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_eq!(
        graphql(&request).1,
        json!({"board": ["1234567890"], "limit": 25})
    );
}

#[test]
fn get_item_reads_one_item_with_its_updates() {
    let item = json!({"id": "9876543210", "name": "Launch", "board": {"id": "1234567890", "name": "Roadmap"}, "updates": [{"id": "3325555", "text_body": "Shipped!"}]});
    let (result, request) = call(
        "MONDAY_GET_ITEM",
        json!({"item_id": "9876543210"}),
        json!({"items": [item]}),
    );
    assert_eq!(result.unwrap(), item);
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "query GetItem");
    assert!(query.contains("updates(limit: 10) { id text_body created_at creator { id name } }"));
    assert_eq!(variables, json!({"item": ["9876543210"]}));

    let (result, _) = call(
        "MONDAY_GET_ITEM",
        json!({"item_id": "1"}),
        json!({"items": []}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("no item 1, or the account cannot see it")
    );
}

/// The `column_values` JSON text a create sent, parsed.
fn sent_values(request: &RecordedRequest) -> Value {
    let values = graphql(request).1["values"].clone();
    serde_json::from_str(values.as_str().expect("column_values is JSON text")).unwrap()
}

#[test]
fn create_item_reads_the_columns_and_converts_every_supported_type() {
    let transport = Transport::install();
    transport.reply_json(200, columns_answer());
    let created = json!({"id": "9876543299", "name": "Beta launch", "url": "https://acme.monday.com/boards/1234567890/pulses/9876543299"});
    transport.reply_json(200, json!({"data": {"create_item": created}}));
    let (result, requests) = run(
        &transport,
        "MONDAY_CREATE_ITEM",
        json!({
            "board_id": "1234567890",
            "item_name": "Beta launch",
            "group_id": "topics",
            "column_values": {
                "status": "Stuck",
                "Due date": "2026-12-01T09:30",
                "person": [4012689, "4012690"],
                "numbers": 1250.5,
                "text": "Ask legal",
                "long_text": "Line one\nLine two",
                "dropdown": ["Backend", "Frontend"],
                "checkbox": true,
                "email": "ada@example.com",
                "link": "https://example.com/spec",
                "timeline": {"from": "2026-12-01", "to": "2026-12-15"},
                "rating": 4
            }
        }),
    );
    assert_eq!(result.unwrap(), created);
    assert_eq!(requests.len(), 2);
    let (query, variables) = graphql(&requests[0]);
    assert_eq!(operation(&query), "query BoardColumns");
    assert_eq!(variables, json!({"board": ["1234567890"]}));
    let (query, variables) = graphql(&requests[1]);
    assert_eq!(operation(&query), "mutation CreateItem");
    assert_eq!(variables["board"], "1234567890");
    assert_eq!(variables["name"], "Beta launch");
    assert_eq!(variables["group"], "topics");
    assert_eq!(variables.get("newLabels"), None);
    assert_eq!(
        sent_values(&requests[1]),
        json!({
            "status": {"label": "Stuck"},
            "date4": {"date": "2026-12-01", "time": "09:30:00"},
            "person": {"personsAndTeams": [{"id": 4012689, "kind": "person"}, {"id": 4012690, "kind": "person"}]},
            "numbers": "1250.5",
            "text": "Ask legal",
            "long_text": {"text": "Line one\nLine two"},
            "dropdown": {"labels": ["Backend", "Frontend"]},
            "checkbox": {"checked": "true"},
            "email": {"email": "ada@example.com", "text": "ada@example.com"},
            "link": {"url": "https://example.com/spec", "text": "https://example.com/spec"},
            "timeline": {"from": "2026-12-01", "to": "2026-12-15"},
            "rating": {"rating": 4}
        })
    );
}

#[test]
fn create_item_without_column_values_sends_only_the_mutation() {
    let (result, request) = call(
        "MONDAY_CREATE_ITEM",
        json!({"board_id": "1234567890", "item_name": "Plain"}),
        json!({"create_item": {"id": "1"}}),
    );
    assert_eq!(result.unwrap(), json!({"id": "1"}));
    assert_eq!(
        graphql(&request).1,
        json!({"board": "1234567890", "name": "Plain"})
    );
}

/// Each bad value is refused by name before anything is written (only the columns are read).
#[test]
fn create_item_refuses_bad_values_naming_the_column() {
    let cases = [
        (
            json!({"status": "Shipped"}),
            "column `status` (Status) has no label \"Shipped\"; its labels: Working on it, Done, Stuck (or set `create_labels_if_missing`)",
        ),
        (json!({"status": "Retired"}), "has no label \"Retired\""),
        (
            json!({"date4": "12/01/2026"}),
            "column `date4` (Due date) is a date column and takes a date, YYYY-MM-DD",
        ),
        (
            json!({"date4": "2026-02-30"}),
            "column `date4` (Due date) is a date column",
        ),
        (
            json!({"person": "ada@example.com"}),
            "column `person` (Owner) is a people column and takes a list of user ids",
        ),
        (
            json!({"numbers": "lots"}),
            "column `numbers` (Budget) is a numbers column and takes a number",
        ),
        (
            json!({"dropdown": ["Mobile"]}),
            "column `dropdown` (Tags) has no label \"Mobile\"; its labels: Backend, Frontend",
        ),
        (json!({"checkbox": "yes"}), "takes true or false"),
        (
            json!({"email": "not an address"}),
            "takes an e-mail address",
        ),
        (json!({"link": "ftp://x"}), "takes an http(s) URL"),
        (
            json!({"timeline": {"from": "2026-12-15", "to": "2026-12-01"}}),
            "with from <= to",
        ),
        (json!({"rating": 9}), "takes a whole number from 1 to 5"),
        (
            json!({"files": "a.pdf"}),
            "column `files` (Files) is a file column, which cannot be set here; columns of these types can: status, date, people",
        ),
        (
            json!({"formula": 1}),
            "column `formula` (Cost) is a formula column, which cannot be set here",
        ),
        (
            json!({"estimate": 3}),
            "board 1234567890 has no column \"estimate\"; its columns: status (Status), date4 (Due date)",
        ),
    ];
    for (values, message) in cases {
        let transport = Transport::install();
        transport.reply_json(200, columns_answer());
        let (result, requests) = run(
            &transport,
            "MONDAY_CREATE_ITEM",
            json!({"board_id": "1234567890", "item_name": "X", "column_values": values}),
        );
        match result {
            Err(Error::InvalidInput(m)) => assert!(m.contains(message), "{values}: {m}"),
            other => panic!("{values}: {other:?}"),
        }
        assert_eq!(requests.len(), 1, "{values}: only the columns were read");
    }
}

#[test]
fn create_item_passes_new_labels_on_when_asked_to_create_them() {
    let transport = Transport::install();
    transport.reply_json(200, columns_answer());
    transport.reply_json(200, json!({"data": {"create_item": {"id": "2"}}}));
    let (result, requests) = run(
        &transport,
        "MONDAY_CREATE_ITEM",
        json!({"board_id": "1234567890", "item_name": "X", "column_values": {"status": "Shipped"}, "create_labels_if_missing": true}),
    );
    result.unwrap();
    assert_eq!(graphql(&requests[1]).1["newLabels"], true);
    assert_eq!(
        sent_values(&requests[1]),
        json!({"status": {"label": "Shipped"}})
    );
}

#[test]
fn update_item_changes_columns_and_the_name_and_unchecks_by_clearing() {
    let transport = Transport::install();
    transport.reply_json(200, columns_answer());
    let updated = json!({"id": "9876543210", "name": "Launch v2", "column_values": [{"id": "status", "type": "status", "text": "Done"}]});
    transport.reply_json(
        200,
        json!({"data": {"change_multiple_column_values": updated}}),
    );
    let (result, requests) = run(
        &transport,
        "MONDAY_UPDATE_ITEM",
        json!({"board_id": "1234567890", "item_id": "9876543210", "column_values": {"Status": "Done", "checkbox": false, "person": []}, "item_name": "Launch v2"}),
    );
    assert_eq!(result.unwrap(), updated);
    let (query, variables) = graphql(&requests[1]);
    assert_eq!(operation(&query), "mutation UpdateItem");
    assert!(query.contains(
        "change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values"
    ));
    assert_eq!(
        (variables["board"].as_str(), variables["item"].as_str()),
        (Some("1234567890"), Some("9876543210"))
    );
    let values: Value = serde_json::from_str(variables["values"].as_str().unwrap()).unwrap();
    assert_eq!(
        values,
        json!({"status": {"label": "Done"}, "checkbox": null, "person": {"personsAndTeams": []}, "name": "Launch v2"})
    );
}

#[test]
fn update_item_renames_without_reading_columns_and_refuses_nothing_to_change() {
    let (result, request) = call(
        "MONDAY_UPDATE_ITEM",
        json!({"board_id": "1234567890", "item_id": "9876543210", "item_name": "Renamed"}),
        json!({"change_multiple_column_values": {"id": "9876543210"}}),
    );
    result.unwrap();
    assert_eq!(
        graphql(&request).1,
        json!({"board": "1234567890", "item": "9876543210", "values": "{\"name\":\"Renamed\"}"})
    );
    let transport = Transport::install();
    let (result, requests) = run(
        &transport,
        "MONDAY_UPDATE_ITEM",
        json!({"board_id": "1", "item_id": "2"}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input("nothing to change: give `column_values` or `item_name`")
    );
    assert!(requests.is_empty());
}

#[test]
fn create_update_comments_on_an_item_or_replies() {
    let update = json!({"id": "3325555", "body": "<p>Shipped</p>", "text_body": "Shipped", "item_id": "9876543210"});
    let (result, request) = call(
        "MONDAY_CREATE_UPDATE",
        json!({"item_id": "9876543210", "body": "<p>Shipped</p>", "parent_id": "3325554"}),
        json!({"create_update": update}),
    );
    assert_eq!(result.unwrap(), update);
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "mutation CreateUpdate");
    assert_eq!(
        variables,
        json!({"item": "9876543210", "body": "<p>Shipped</p>", "parent": "3325554"})
    );
}

#[test]
fn create_board_sends_kind_and_placement() {
    let board = json!({"id": "1234567999", "name": "Q1 plan", "board_kind": "private"});
    let (result, request) = call(
        "MONDAY_CREATE_BOARD",
        json!({"board_name": "Q1 plan", "board_kind": "private", "description": "Goals", "workspace_id": "5512", "folder_id": "77", "template_id": "1234567890", "empty": true}),
        json!({"create_board": board}),
    );
    assert_eq!(result.unwrap(), board);
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "mutation CreateBoard");
    assert_eq!(
        variables,
        json!({"name": "Q1 plan", "kind": "private", "description": "Goals", "workspace": "5512", "folder": "77", "template": "1234567890", "empty": true})
    );
}

#[test]
fn create_group_places_it_next_to_another_group() {
    let group = json!({"id": "new_group29179", "title": "Next sprint", "color": "#ff642e", "position": "65536"});
    let (result, request) = call(
        "MONDAY_CREATE_GROUP",
        json!({"board_id": "1234567890", "group_name": "Next sprint", "group_color": "#ff642e", "relative_to": "topics", "position_relative_method": "after_at"}),
        json!({"create_group": group}),
    );
    assert_eq!(result.unwrap(), group);
    let (query, variables) = graphql(&request);
    assert_eq!(operation(&query), "mutation CreateGroup");
    assert_eq!(
        variables,
        json!({"board": "1234567890", "name": "Next sprint", "color": "#ff642e", "relativeTo": "topics", "placement": "after_at"})
    );
    let transport = Transport::install();
    let (result, requests) = run(
        &transport,
        "MONDAY_CREATE_GROUP",
        json!({"board_id": "1", "group_name": "G", "position_relative_method": "after_at"}),
    );
    assert!(matches!(result, Err(Error::InvalidInput(m)) if m.contains("needs `relative_to`")));
    assert!(requests.is_empty());
}

/// Runs `MONDAY_GET_BOARD` against one answer with `status`, `headers` and `body`.
fn error_of(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "MONDAY_GET_BOARD",
        json!({"board_id": "1"}),
        &alice(),
    )
    .unwrap_err()
}

#[test]
fn monday_errors_with_http_200_map_to_the_contracts_errors() {
    let unauthorized = json!({"data": [], "errors": [{"message": "User unauthorized to perform action", "locations": [{"line": 2, "column": 3}], "path": ["me"], "extensions": {"code": "UserUnauthorizedException", "error_data": {}, "status_code": 403}}], "account_id": 123456});
    assert_eq!(
        error_of(200, &[], unauthorized),
        Error::upstream(
            403,
            "User unauthorized to perform action (the account lacks the permission on this board \
             or item)"
        )
    );

    let complexity = json!({"errors": [{"message": "Complexity budget exhausted", "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "complexity": 6182, "complexity_budget_left": 100, "complexity_budget_limit": 5000000, "retry_in_seconds": 41, "status_code": 429}}]});
    assert_eq!(
        error_of(200, &[], complexity),
        Error::rate_limited("Complexity budget exhausted", Some(41))
    );

    let legacy = json!({"error_code": "ComplexityException", "status_code": 429, "error_message": "Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds", "error_data": {}, "errors": ["Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds"], "account_id": 1234567890});
    assert_eq!(
        error_of(200, &[], legacy),
        Error::rate_limited(
            "Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds",
            Some(3)
        )
    );

    let not_found = json!({"data": {"boards": null}, "errors": [{"message": "Board not found", "extensions": {"code": "ResourceNotFoundException", "status_code": 404}}]});
    assert_eq!(
        error_of(200, &[], not_found),
        Error::not_found("Board not found")
    );
    let invalid_board = json!({"errors": [{"message": "The board does not exist. Please check your board ID and try again", "extensions": {"code": "InvalidBoardIdException", "error_data": {"board_id": 1}, "status_code": 200}}]});
    assert_eq!(
        error_of(200, &[], invalid_board),
        Error::not_found("The board does not exist. Please check your board ID and try again")
    );

    let column_value = json!({"errors": [{"message": "invalid value - label does not exist in column. Please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values", "locations": [{"line": 1, "column": 10}], "path": ["change_column_value"], "extensions": {"code": "ColumnValueException", "status_code": 200, "error_data": {"column_type": "color"}}}]});
    assert!(
        matches!(error_of(200, &[], column_value), Error::InvalidInput(m) if m.starts_with("invalid value - label does not exist"))
    );

    let other = json!({"errors": [{"message": "Field 'nope' doesn't exist on type 'Board'", "extensions": {"code": "undefinedField"}}]});
    assert!(matches!(
        error_of(200, &[], other),
        Error::Upstream { status: 200, message, body: Some(_) } if message == "undefinedField: Field 'nope' doesn't exist on type 'Board'"
    ));
}

#[test]
fn transport_level_errors_map_by_status_with_mondays_retry_delay() {
    assert_eq!(
        error_of(401, &[], json!({"errors": ["Not Authenticated"]})),
        Error::unauthorized("Not Authenticated")
    );
    assert_eq!(
        error_of(
            429,
            &[("retry-after", "17")],
            json!({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATE_LIMIT_EXCEEDED", "status_code": 429}}]})
        ),
        Error::rate_limited("Rate limit exceeded", Some(17))
    );
    assert_eq!(
        error_of(429, &[("retry-after", "9")], json!({})),
        Error::rate_limited("HTTP 429", Some(9))
    );
    assert!(matches!(
        error_of(500, &[], json!({"error": "boom"})),
        Error::Upstream { status: 500, .. }
    ));
}

/// Two boards the user used last, a subitems board (not described) and a board whose `status`
/// column has other labels.
fn described_boards() -> Value {
    json!({"data": {"boards": [
        {"id": "1234567890", "name": "Roadmap", "type": "board", "subscribers": [{"id": "4012689", "name": "Ada Lovelace"}], "columns": roadmap_columns()},
        {"id": "1234567892", "name": "Subitems of Roadmap", "type": "sub_items_board", "subscribers": [], "columns": [{"id": "status", "title": "Status", "type": "status", "settings": {"labels": [{"label": "Hidden"}]}}]},
        {"id": "1234567891", "name": "Bugs", "type": "board", "subscribers": [], "columns": [
            {"id": "name", "title": "Name", "type": "name", "settings": {}},
            {"id": "status", "title": "Severity", "type": "status", "settings": {"labels": [{"label": "Low"}, {"label": "Critical"}]}},
            {"id": "text", "title": "Notes", "type": "text", "settings": {}}
        ]}
    ]}})
}

#[test]
fn the_item_actions_describe_the_columns_of_the_boards_used_last() {
    for action in ["MONDAY_CREATE_ITEM", "MONDAY_UPDATE_ITEM"] {
        let transport = Transport::install();
        transport.reply_json(200, described_boards());
        let provider = provider();
        let found = provider.find(action).unwrap();
        assert!(found.hints().dynamic_schema);
        let schema = found.describe(&alice()).unwrap();
        let (query, variables) = graphql(&transport.only_request());
        assert_eq!(operation(&query), "query DescribeBoards");
        assert!(query.contains("boards(limit: $limit, order_by: used_at, state: active) { id name type subscribers { id name } columns { id title type settings } }"));
        assert_eq!(variables, json!({"limit": 15}));

        let columns = &schema["properties"]["column_values"]["properties"];
        let ids: Vec<&String> = columns.as_object().unwrap().keys().collect();
        assert_eq!(
            ids,
            [
                "checkbox",
                "date4",
                "dropdown",
                "email",
                "link",
                "long_text",
                "numbers",
                "person",
                "rating",
                "status",
                "text",
                "timeline"
            ],
            "settable columns only: no name, file or formula; no subitems board"
        );
        assert_eq!(
            columns["date4"],
            json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?$", "description": "On board Roadmap (1234567890): Due date: a date, YYYY-MM-DD, or a date and UTC time, YYYY-MM-DDTHH:MM:SS."})
        );
        assert_eq!(
            columns["status"],
            json!({
                "anyOf": [
                    {"type": "string", "enum": ["Working on it", "Done", "Stuck"]},
                    {"type": "string", "enum": ["Low", "Critical"]}
                ],
                "description": "On board Roadmap (1234567890): Status: one of Working on it / Done / Stuck. On board Bugs (1234567891): Severity: one of Low / Critical."
            })
        );
        assert_eq!(
            columns["text"],
            json!({"type": "string", "description": "On board Roadmap (1234567890): Notes: text. On board Bugs (1234567891): Notes: text."})
        );
        assert_eq!(
            columns["person"]["description"],
            "On board Roadmap (1234567890): Owner: people, as a list of monday user ids. Board members: Ada Lovelace (4012689)."
        );
        assert_eq!(
            columns["dropdown"]["items"],
            json!({"type": "string", "enum": ["Backend", "Frontend"]})
        );
        assert_eq!(
            columns["rating"],
            json!({"type": "integer", "minimum": 1, "maximum": 5, "description": "On board Roadmap (1234567890): Priority: a rating, a whole number from 1 to 5."})
        );
        assert_eq!(columns["timeline"]["required"], json!(["from", "to"]));
        let board_id = schema["properties"]["board_id"]["description"]
            .as_str()
            .unwrap();
        assert!(
            board_id.ends_with("Boards whose columns `column_values` describes: Roadmap (1234567890); Bugs (1234567891)."),
            "{board_id}"
        );
        // The static part stays: other column ids remain allowed.
        assert_eq!(schema["properties"]["column_values"]["type"], "object");
        assert_ne!(
            schema["properties"]["column_values"]["additionalProperties"],
            false
        );
        assert_eq!(schema["required"], found.input_schema()["required"]);
    }
}

#[test]
fn a_describe_the_provider_refuses_is_its_error() {
    let transport = Transport::install();
    transport.reply(
        401,
        &[],
        json!({"errors": ["Not Authenticated"]}).to_string(),
    );
    let provider = provider();
    let error = provider
        .find("MONDAY_CREATE_ITEM")
        .unwrap()
        .describe(&alice())
        .unwrap_err();
    assert_eq!(error, Error::unauthorized("Not Authenticated"));
}

#[test]
fn only_the_item_actions_are_dynamic_and_reads_are_read_only() {
    let provider = provider();
    let hints: Vec<(&str, bool, bool)> = provider
        .actions()
        .iter()
        .map(|a| (a.name(), a.hints().read_only, a.hints().dynamic_schema))
        .collect();
    assert_eq!(
        hints,
        [
            ("MONDAY_LIST_BOARDS", true, false),
            ("MONDAY_GET_BOARD", true, false),
            ("MONDAY_LIST_ITEMS", true, false),
            ("MONDAY_GET_ITEM", true, false),
            ("MONDAY_CREATE_ITEM", false, true),
            ("MONDAY_UPDATE_ITEM", false, true),
            ("MONDAY_CREATE_UPDATE", false, false),
            ("MONDAY_CREATE_BOARD", false, false),
            ("MONDAY_CREATE_GROUP", false, false),
        ]
    );
}

#[test]
fn after_connect_labels_the_account_with_the_users_email_and_account() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"data": {"me": {"id": "4012689", "name": "Ada Lovelace", "email": "ada@example.com", "account": {"id": "9876543", "name": "Acme", "slug": "acme"}}}}));
    let account = testing::after_connect(&provider(), &alice()).unwrap();
    assert_eq!(account.label.as_deref(), Some("ada@example.com (Acme)"));
    assert!(account.fields.is_empty());
    let (query, variables) = graphql(&transport.only_request());
    assert_eq!(operation(&query), "query Me");
    assert_eq!(variables, json!({}));
}

/// OAuth 2 first; a personal API token as the alternative, which monday takes bare in
/// `Authorization` (the host injects it; the plugin never sets the header).
#[test]
fn a_personal_token_is_the_alternative_and_is_sent_bare() {
    use actionhost_sdk::bindings::actionhost::provider::types::{ApiKeyPlacement, AuthKind};
    let info = actionhost_sdk::__private::dispatch::info(&provider());
    let AuthKind::Oauth2(oauth) = info.auth else {
        panic!("OAuth 2 is the primary auth")
    };
    assert_eq!(
        (
            oauth.authorize_url.as_str(),
            oauth.token_url.as_str(),
            oauth.pkce
        ),
        (
            "https://auth.monday.com/oauth2/authorize",
            "https://auth.monday.com/oauth_ms/oauth/token",
            true
        )
    );
    assert_eq!(info.alternative_auth.len(), 1);
    let AuthKind::ApiKey(key) = &info.alternative_auth[0] else {
        panic!("a personal API token is the alternative")
    };
    assert_eq!(
        (
            key.placement,
            key.name.as_str(),
            key.prefix.as_deref(),
            key.operator_key.is_none()
        ),
        (ApiKeyPlacement::Header, "Authorization", None, true)
    );

    // An account connected with a token sends the same documents as an OAuth one.
    let token = Context::new("bob").with_credential(CredentialKind::ApiKey);
    let requests: Vec<RecordedRequest> = [alice(), token]
        .iter()
        .map(|ctx| {
            let transport = Transport::install();
            transport.reply_json(200, json!({"data": {"boards": [{"id": "1"}]}}));
            testing::run(
                &provider(),
                "MONDAY_GET_BOARD",
                json!({"board_id": "1"}),
                ctx,
            )
            .unwrap();
            transport.only_request()
        })
        .collect();
    assert_eq!(graphql(&requests[0]), graphql(&requests[1]));
    assert_eq!(requests[1].header("authorization"), None);
}
