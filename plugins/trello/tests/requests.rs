//! The exact request every Trello action sends (method, path, query, headers, no body), the
//! input schemas a model sees, how pages continue, and how Trello's plain-text and JSON error
//! answers map to errors, run natively against the SDK's test transport. The host adds `key`
//! and `token`; the plugin never sends them.

use actionhost_plugin_trello::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, Error};
use serde_json::{Value, json};

const BASE: &str = "https://api.trello.com/1";
const BOARD: &str = "5abbe4b7ddc1b351ef961414";
const LIST: &str = "5abbe4b7ddc1b351ef961415";
const CARD: &str = "5abbe4b7ddc1b351ef961416";
const LABEL_BUG: &str = "5abbe4b7ddc1b351ef96141a";
const LABEL_UI: &str = "5abbe4b7ddc1b351ef96141b";
const MEMBER: &str = "5abbe4b7ddc1b351ef96141c";

const CARD_FIELDS: &str = "id,name,desc,idBoard,idList,idLabels,idMembers,labels,due,dueComplete,start,closed,pos,url,shortUrl,dateLastActivity";
const BOARD_FIELDS: &str = "id,name,desc,closed,idOrganization,pinned,starred,url,shortUrl";

/// Runs `action` once against a queued JSON answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(
        &provider(),
        &Context::new("alice"),
        action,
        input,
        status,
        answer,
    )
}

/// Runs `action` and asserts that it fails before sending anything.
fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &Context::new("alice"), action, input)
}

/// Runs `action` against a plain answer (`status`, `content-type`, body text).
fn answered(
    action: &str,
    input: Value,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body);
    testing::run(&provider(), action, input, &Context::new("alice")).unwrap_err()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Method, path and query (decoded, in order); and what every Trello request has: JSON asked
/// for, no body, no credential of the plugin's own.
fn assert_request(request: &RecordedRequest, method: &str, path: &str, query: &[(&str, &str)]) {
    assert_eq!(request.method, method);
    assert!(request.url.starts_with(BASE), "{}", request.url);
    assert_eq!(request.path(), format!("/1{path}"));
    assert_eq!(request.query(), pairs(query));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.body, None);
    for owned in ["key", "token"] {
        assert!(
            request.query().iter().all(|(k, _)| k != owned),
            "the host owns `{owned}`"
        );
    }
    assert_eq!(request.header("authorization"), None);
}

#[test]
fn list_boards_asks_for_the_users_open_boards_with_few_fields() {
    let boards =
        json!([{"id": BOARD, "name": "Roadmap", "url": "https://trello.com/b/dQHqCohZ/roadmap"}]);
    let (result, request) = call("TRELLO_LIST_BOARDS", json!({}), 200, boards.clone());
    assert_eq!(result.unwrap(), boards);
    assert_request(
        &request,
        "GET",
        "/members/me/boards",
        &[("filter", "open"), ("fields", BOARD_FIELDS)],
    );
    let (_, request) = call(
        "TRELLO_LIST_BOARDS",
        json!({"filter": "starred"}),
        200,
        json!([]),
    );
    assert_eq!(request.query()[0], ("filter".into(), "starred".into()));
}

#[test]
fn get_board_asks_for_its_lists_labels_and_members() {
    let (result, request) = call(
        "TRELLO_GET_BOARD",
        json!({"board_id": "dQHqCohZ"}),
        200,
        json!({"id": BOARD, "labels": [{"id": LABEL_BUG, "name": "bug", "color": "red"}]}),
    );
    assert_eq!(result.unwrap()["labels"][0]["name"], "bug");
    assert_request(
        &request,
        "GET",
        "/boards/dQHqCohZ",
        &[
            ("fields", "id,name,desc,closed,idOrganization,url,shortUrl"),
            ("lists", "open"),
            ("labels", "all"),
            ("members", "all"),
            ("actions", "none"),
            ("cards", "none"),
        ],
    );
}

#[test]
fn create_board_sends_trellos_names_in_the_query() {
    let (result, request) = call(
        "TRELLO_CREATE_BOARD",
        json!({"name": "Q3 launch", "description": "Everything for **Q3**", "workspace_id": BOARD, "default_lists": false, "default_labels": true, "visibility": "org"}),
        200,
        json!({"id": BOARD, "name": "Q3 launch"}),
    );
    assert_eq!(result.unwrap()["name"], "Q3 launch");
    assert_request(
        &request,
        "POST",
        "/boards/",
        &[
            ("name", "Q3 launch"),
            ("desc", "Everything for **Q3**"),
            ("idOrganization", BOARD),
            ("defaultLists", "false"),
            ("defaultLabels", "true"),
            ("prefs_permissionLevel", "org"),
        ],
    );
    let (_, request) = call(
        "TRELLO_CREATE_BOARD",
        json!({"name": "Copy", "source_board_id": BOARD, "keep_cards": true}),
        200,
        json!({}),
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("name", "Copy"),
            ("idBoardSource", BOARD),
            ("keepFromSource", "cards")
        ])
    );
}

#[test]
fn create_board_refuses_a_blank_name_and_keep_cards_without_a_source() {
    assert_eq!(
        refused("TRELLO_CREATE_BOARD", json!({"name": "  "})),
        Error::invalid_input("`name` must not be blank")
    );
    assert_eq!(
        refused(
            "TRELLO_CREATE_BOARD",
            json!({"name": "x", "keep_cards": true})
        ),
        Error::invalid_input("`keep_cards` needs `source_board_id`, the board to copy cards from")
    );
}

#[test]
fn list_lists_reads_a_boards_lists() {
    let lists =
        json!([{"id": LIST, "name": "To Do", "closed": false, "pos": 16384, "idBoard": BOARD}]);
    let (result, request) = call(
        "TRELLO_LIST_LISTS",
        json!({"board_id": BOARD, "filter": "all"}),
        200,
        lists.clone(),
    );
    assert_eq!(result.unwrap(), lists);
    assert_request(
        &request,
        "GET",
        &format!("/boards/{BOARD}/lists"),
        &[("filter", "all"), ("fields", "id,name,closed,pos,idBoard")],
    );
}

#[test]
fn create_list_sends_board_name_and_position() {
    let (result, request) = call(
        "TRELLO_CREATE_LIST",
        json!({"board_id": BOARD, "name": "Review", "position": "bottom"}),
        200,
        json!({"id": LIST, "name": "Review"}),
    );
    assert_eq!(result.unwrap()["id"], LIST);
    assert_request(
        &request,
        "POST",
        "/lists",
        &[("idBoard", BOARD), ("name", "Review"), ("pos", "bottom")],
    );
    let (_, request) = call(
        "TRELLO_CREATE_LIST",
        json!({"board_id": BOARD, "name": "Between", "position": 24576.5}),
        200,
        json!({}),
    );
    assert_eq!(request.query()[2], ("pos".into(), "24576.5".into()));
    let (_, request) = call(
        "TRELLO_CREATE_LIST",
        json!({"board_id": BOARD, "name": "Whole"}),
        200,
        json!({}),
    );
    assert_eq!(
        request.query(),
        pairs(&[("idBoard", BOARD), ("name", "Whole")])
    );
}

#[test]
fn a_position_that_is_not_positive_is_refused_before_any_request() {
    for position in [json!(0), json!(-5)] {
        let error = refused(
            "TRELLO_CREATE_CARD",
            json!({"list_id": LIST, "name": "x", "position": position}),
        );
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.starts_with("`position` must be `top`, `bottom` or a positive number")),
            "{error:?}"
        );
    }
    assert!(matches!(
        refused(
            "TRELLO_CREATE_LIST",
            json!({"board_id": BOARD, "name": "x", "position": "middle"})
        ),
        Error::InvalidInput(_)
    ));
}

fn card(id: &str) -> Value {
    json!({"id": id, "name": format!("card {id}"), "idList": LIST})
}

#[test]
fn list_cards_of_a_board_or_a_list_asks_for_one_page() {
    let (result, request) = call(
        "TRELLO_LIST_CARDS",
        json!({"board_id": BOARD}),
        200,
        json!([card(CARD)]),
    );
    assert_eq!(
        result.unwrap(),
        json!({"cards": [card(CARD)], "next_cursor": null})
    );
    assert_request(
        &request,
        "GET",
        &format!("/boards/{BOARD}/cards"),
        &[
            ("fields", CARD_FIELDS),
            ("filter", "open"),
            ("limit", "100"),
        ],
    );
    let (_, request) = call(
        "TRELLO_LIST_CARDS",
        json!({"list_id": LIST, "filter": "closed", "limit": 5}),
        200,
        json!([]),
    );
    assert_request(
        &request,
        "GET",
        &format!("/lists/{LIST}/cards"),
        &[
            ("fields", CARD_FIELDS),
            ("filter", "closed"),
            ("limit", "5"),
        ],
    );
}

#[test]
fn list_cards_continues_before_the_oldest_card_of_a_full_page() {
    let newer = "5abbe4b7ddc1b351ef9614ff";
    let older = "5abbe4b7ddc1b351ef961420";
    let oldest = "5abbe4b7ddc1b351ef961401";
    let transport = Transport::install();
    transport.reply_json(200, json!([card(newer), card(older)]));
    transport.reply_json(200, json!([card(oldest)]));
    let run = |input: Value| {
        testing::run(
            &provider(),
            "TRELLO_LIST_CARDS",
            input,
            &Context::new("alice"),
        )
        .unwrap()
    };
    let first = run(json!({"board_id": BOARD, "limit": 2}));
    assert_eq!(first["next_cursor"], older);
    let second = run(json!({"board_id": BOARD, "limit": 2, "cursor": first["next_cursor"]}));
    assert_eq!(
        second,
        json!({"cards": [card(oldest)], "next_cursor": null})
    );
    let queries: Vec<_> = transport.requests().iter().map(|r| r.query()).collect();
    assert_eq!(
        queries,
        [
            pairs(&[("fields", CARD_FIELDS), ("filter", "open"), ("limit", "2")]),
            pairs(&[
                ("fields", CARD_FIELDS),
                ("filter", "open"),
                ("limit", "2"),
                ("before", older)
            ]),
        ]
    );
}

#[test]
fn list_cards_needs_exactly_one_of_board_and_list() {
    let expected = Error::invalid_input("give exactly one of `board_id` and `list_id`");
    assert_eq!(refused("TRELLO_LIST_CARDS", json!({})), expected);
    assert_eq!(
        refused(
            "TRELLO_LIST_CARDS",
            json!({"board_id": BOARD, "list_id": LIST})
        ),
        expected
    );
}

#[test]
fn get_card_asks_for_its_list_members_checklists_and_on_request_comments() {
    let (result, request) = call(
        "TRELLO_GET_CARD",
        json!({"card_id": "nqPiDKmw"}),
        200,
        json!({"id": CARD, "name": "Fix login"}),
    );
    assert_eq!(result.unwrap()["name"], "Fix login");
    let base = [
        ("fields", CARD_FIELDS),
        ("list", "true"),
        ("members", "true"),
        ("member_fields", "fullName,username"),
        ("checklists", "all"),
    ];
    assert_request(&request, "GET", "/cards/nqPiDKmw", &base);
    let (_, request) = call(
        "TRELLO_GET_CARD",
        json!({"card_id": CARD, "include_comments": true}),
        200,
        json!({}),
    );
    let mut with_comments = base.to_vec();
    with_comments.push(("actions", "commentCard"));
    assert_request(&request, "GET", &format!("/cards/{CARD}"), &with_comments);
}

#[test]
fn create_card_sends_every_field_with_comma_separated_ids() {
    let (result, request) = call(
        "TRELLO_CREATE_CARD",
        json!({
            "list_id": LIST, "name": "Fix login", "description": "Users see a 500 after *SSO*.",
            "due": "2026-12-01T17:00:00Z", "start": "2026-11-30T09:00:00Z",
            "label_ids": [LABEL_BUG, LABEL_UI], "member_ids": [MEMBER], "position": "top"
        }),
        200,
        json!({"id": CARD, "name": "Fix login"}),
    );
    assert_eq!(result.unwrap()["id"], CARD);
    let labels = format!("{LABEL_BUG},{LABEL_UI}");
    assert_request(
        &request,
        "POST",
        "/cards",
        &[
            ("idList", LIST),
            ("name", "Fix login"),
            ("desc", "Users see a 500 after *SSO*."),
            ("due", "2026-12-01T17:00:00Z"),
            ("start", "2026-11-30T09:00:00Z"),
            ("idLabels", &labels),
            ("idMembers", MEMBER),
            ("pos", "top"),
        ],
    );
    assert_eq!(
        request.raw_query().unwrap().split('&').nth(1),
        Some("name=Fix%20login"),
        "a space is %20"
    );
}

#[test]
fn update_card_moves_archives_and_completes_with_only_the_given_fields() {
    let (result, request) = call(
        "TRELLO_UPDATE_CARD",
        json!({"card_id": CARD, "list_id": LIST, "position": "top", "due_complete": true, "archived": true}),
        200,
        json!({"id": CARD, "closed": true}),
    );
    assert_eq!(result.unwrap()["closed"], true);
    assert_request(
        &request,
        "PUT",
        &format!("/cards/{CARD}"),
        &[
            ("idList", LIST),
            ("pos", "top"),
            ("dueComplete", "true"),
            ("closed", "true"),
        ],
    );
    let (_, request) = call(
        "TRELLO_UPDATE_CARD",
        json!({"card_id": CARD, "name": "Renamed", "description": "", "board_id": BOARD, "list_id": LIST, "due": "2027-01-05T12:00:00+01:00", "label_ids": [], "member_ids": [MEMBER]}),
        200,
        json!({}),
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("name", "Renamed"),
            ("desc", ""),
            ("idList", LIST),
            ("idBoard", BOARD),
            ("due", "2027-01-05T12:00:00+01:00"),
            ("idLabels", ""),
            ("idMembers", MEMBER),
        ])
    );
}

#[test]
fn update_card_refuses_nothing_to_change_and_a_board_without_a_list() {
    assert_eq!(
        refused("TRELLO_UPDATE_CARD", json!({"card_id": CARD})),
        Error::invalid_input("give at least one thing to change besides `card_id`")
    );
    assert_eq!(
        refused(
            "TRELLO_UPDATE_CARD",
            json!({"card_id": CARD, "board_id": BOARD})
        ),
        Error::invalid_input(
            "moving a card to another board needs `list_id`, a list on that board"
        )
    );
    assert_eq!(
        refused("TRELLO_UPDATE_CARD", json!({"card_id": CARD, "name": " "})),
        Error::invalid_input("`name` must not be blank")
    );
}

#[test]
fn add_comment_posts_the_text_in_the_query() {
    let answer = json!({"id": "5abbe4b7ddc1b351ef961499", "type": "commentCard", "data": {"text": "Deployed in 1.4.2 & verified"}});
    let (result, request) = call(
        "TRELLO_ADD_COMMENT",
        json!({"card_id": CARD, "text": "Deployed in 1.4.2 & verified"}),
        200,
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_request(
        &request,
        "POST",
        &format!("/cards/{CARD}/actions/comments"),
        &[("text", "Deployed in 1.4.2 & verified")],
    );
    assert_eq!(
        refused("TRELLO_ADD_COMMENT", json!({"card_id": CARD, "text": "\n"})),
        Error::invalid_input("`text` must not be blank")
    );
}

#[test]
fn search_asks_for_cards_and_boards_and_answers_the_next_page() {
    let answer = json!({
        "options": {"terms": [{"text": "login"}], "modelTypes": ["cards", "boards"]},
        "cards": [card(CARD), card(LIST)],
        "boards": [{"id": BOARD, "name": "Roadmap"}]
    });
    let (result, request) = call(
        "TRELLO_SEARCH",
        json!({"query": "login label:bug", "limit": 2, "page": 3, "partial": true}),
        200,
        answer,
    );
    assert_eq!(
        result.unwrap(),
        json!({"cards": [card(CARD), card(LIST)], "boards": [{"id": BOARD, "name": "Roadmap"}], "next_page": 4})
    );
    assert_request(
        &request,
        "GET",
        "/search",
        &[
            ("query", "login label:bug"),
            ("modelTypes", "cards,boards"),
            ("card_fields", CARD_FIELDS),
            ("board_fields", BOARD_FIELDS),
            ("cards_limit", "2"),
            ("cards_page", "3"),
            ("boards_limit", "2"),
            ("partial", "true"),
        ],
    );
}

#[test]
fn search_of_one_kind_ends_on_a_short_page() {
    let (result, request) = call(
        "TRELLO_SEARCH",
        json!({"query": "roadmap", "only": "cards"}),
        200,
        json!({"options": {}, "cards": [card(CARD)]}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"cards": [card(CARD)], "boards": [], "next_page": null})
    );
    assert_eq!(request.query()[1], ("modelTypes".into(), "cards".into()));
    assert_eq!(request.query()[4], ("cards_limit".into(), "10".into()));
    assert_eq!(request.query()[5], ("cards_page".into(), "0".into()));
    // Trello's last page is 100: a full page 100 has no next one.
    let full: Vec<Value> = (0..10).map(|_| card(CARD)).collect();
    let (result, _) = call(
        "TRELLO_SEARCH",
        json!({"query": "x", "page": 100}),
        200,
        json!({"cards": full}),
    );
    assert_eq!(result.unwrap()["next_page"], Value::Null);
}

#[test]
fn after_connect_labels_the_account_with_full_name_and_username() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": MEMBER, "fullName": "Bentley Cook", "username": "bentleycook"}),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Bentley Cook (bentleycook)")
    );
    assert_request(
        &transport.only_request(),
        "GET",
        "/members/me",
        &[("fields", "username,fullName")],
    );
    transport.reply_json(200, json!({"id": MEMBER, "fullName": "", "username": "bc"}));
    assert_eq!(
        testing::after_connect(&provider(), &Context::new("alice")).unwrap(),
        ConnectedAccount::labelled("bc")
    );
    transport.reply(401, &[("content-type", "text/plain")], "invalid token");
    assert_eq!(
        testing::after_connect(&provider(), &Context::new("alice")).unwrap_err(),
        Error::unauthorized("invalid token")
    );
}

const TEXT: &[(&str, &str)] = &[("content-type", "text/plain; charset=utf-8")];

#[test]
fn trellos_plain_text_errors_map_to_the_contracts_errors() {
    let get = json!({"card_id": CARD});
    assert_eq!(
        answered("TRELLO_GET_CARD", get.clone(), 401, TEXT, "invalid token"),
        Error::unauthorized("invalid token")
    );
    assert_eq!(
        answered("TRELLO_GET_CARD", get.clone(), 401, TEXT, "invalid key"),
        Error::unauthorized("invalid key")
    );
    assert_eq!(
        answered(
            "TRELLO_GET_CARD",
            get.clone(),
            404,
            TEXT,
            "The requested resource was not found."
        ),
        Error::not_found("The requested resource was not found.")
    );
    assert_eq!(
        answered("TRELLO_GET_CARD", get.clone(), 400, TEXT, "invalid id"),
        Error::not_found("Trello answered `invalid id`: no board, list or card has the id given")
    );
    assert_eq!(
        answered("TRELLO_UPDATE_CARD", json!({"card_id": CARD, "archived": true}), 401, TEXT, "unauthorized card permission requested"),
        Error::Upstream {
            status: 401,
            message: "Trello refused access to this object (unauthorized card permission requested): the connected account cannot see or change it".into(),
            body: Some("unauthorized card permission requested".into())
        }
    );
    assert_eq!(
        answered(
            "TRELLO_CREATE_LIST",
            json!({"board_id": BOARD, "name": "x"}),
            400,
            TEXT,
            "invalid value for pos"
        ),
        Error::Upstream {
            status: 400,
            message: "invalid value for pos".into(),
            body: Some("invalid value for pos".into())
        }
    );
    assert_eq!(
        answered(
            "TRELLO_GET_CARD",
            get,
            500,
            &[("content-type", "text/html")],
            "<html>oops</html>"
        ),
        Error::Upstream {
            status: 500,
            message: "HTTP 500".into(),
            body: Some("<html>oops</html>".into())
        }
    );
}

#[test]
fn rate_limits_carry_the_window_of_the_limit_trello_names() {
    let json_type = &[("content-type", "application/json")];
    let search = json!({"query": "x"});
    assert_eq!(
        answered(
            "TRELLO_SEARCH",
            search.clone(),
            429,
            json_type,
            r#"{"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}"#
        ),
        Error::rate_limited("Rate limit exceeded (API_TOKEN_LIMIT_EXCEEDED)", Some(10))
    );
    assert_eq!(
        answered(
            "TRELLO_SEARCH",
            search.clone(),
            429,
            json_type,
            r#"{"error": "API_KEY_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}"#
        ),
        Error::rate_limited("Rate limit exceeded (API_KEY_LIMIT_EXCEEDED)", Some(10))
    );
    assert_eq!(
        answered(
            "TRELLO_LIST_BOARDS",
            json!({}),
            429,
            json_type,
            r#"{"message": "Exceeded rate limit to /1/member", "error": "RATE_LIMIT_EXCEEDED"}"#
        ),
        Error::rate_limited(
            "Exceeded rate limit to /1/member (RATE_LIMIT_EXCEEDED)",
            Some(900)
        )
    );
    // A `Retry-After`, when Trello sends one, wins.
    assert_eq!(
        answered(
            "TRELLO_SEARCH",
            search,
            429,
            &[("retry-after", "3")],
            "Too Many Requests"
        ),
        Error::rate_limited("Too Many Requests", Some(3))
    );
}

/// The input schemas a model sees: Trello's camelCase names stay inside the plugin.
#[test]
fn schemas_use_the_inputs_names_with_formats_patterns_and_defaults() {
    let provider = provider();
    let schema = |name: &str| provider.find(name).unwrap().input_schema();
    let create = schema("TRELLO_CREATE_CARD");
    let properties: Vec<&String> = create["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        properties,
        [
            "description",
            "due",
            "label_ids",
            "list_id",
            "member_ids",
            "name",
            "position",
            "start"
        ]
    );
    assert_eq!(create["required"], json!(["list_id", "name"]));
    assert_eq!(create["properties"]["due"]["format"], "date-time");
    assert_eq!(
        create["properties"]["list_id"]["pattern"],
        "^[0-9a-fA-F]{24}$"
    );
    assert_eq!(
        create["properties"]["label_ids"]["items"]["pattern"],
        "^[0-9a-fA-F]{24}$"
    );
    assert_eq!(
        create["properties"]["position"]["anyOf"],
        json!([
            {"type": "string", "enum": ["top", "bottom"]},
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "null"}
        ])
    );
    let update = schema("TRELLO_UPDATE_CARD");
    assert_eq!(update["required"], json!(["card_id"]));
    assert!(
        update["properties"]["archived"]["description"]
            .as_str()
            .unwrap()
            .contains("archives")
    );
    let board = schema("TRELLO_CREATE_BOARD");
    assert_eq!(board["properties"]["visibility"]["default"], "private");
    assert_eq!(
        schema("TRELLO_LIST_CARDS")["properties"]["limit"]["maximum"],
        1000
    );
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        assert!(schema.get("anyOf").is_none() && schema.get("oneOf").is_none());
    }
    let names: Vec<&str> = provider.actions().iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "TRELLO_LIST_BOARDS",
            "TRELLO_GET_BOARD",
            "TRELLO_CREATE_BOARD",
            "TRELLO_LIST_LISTS",
            "TRELLO_CREATE_LIST",
            "TRELLO_LIST_CARDS",
            "TRELLO_GET_CARD",
            "TRELLO_CREATE_CARD",
            "TRELLO_UPDATE_CARD",
            "TRELLO_ADD_COMMENT",
            "TRELLO_SEARCH"
        ]
    );
    let hints = |name: &str| provider.find(name).unwrap().hints();
    assert!(hints("TRELLO_SEARCH").read_only);
    assert!(hints("TRELLO_UPDATE_CARD").idempotent && !hints("TRELLO_UPDATE_CARD").read_only);
    assert!(!hints("TRELLO_CREATE_CARD").idempotent);
    assert!(
        provider
            .actions()
            .iter()
            .all(|a| a.required_scopes().is_empty())
    );
}
