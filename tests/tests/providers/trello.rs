//! The bundled Trello plugin against a stand-in that checks every request with Atlassian's own
//! Trello REST description (`../shared/specs/trello/swagger.v3.json`, OpenAPI 3.0, checked by
//! openapi-core: Prism skips its query validation because of its duplicate enum values), with
//! the overlay `trello` where the description is stricter than Trello's reference (its module
//! doc says each why). Every request carries the operator's application key (`key`) and the
//! user's token (`token`) in the query, both added by the host; the description's two security
//! schemes require both. Answers are fixtures shaped like the examples of Trello's reference;
//! Trello's plain-text errors and its 429 without `Retry-After` reach the caller as the
//! contract's errors. One test goes through the whole host: the operator's connection holds the
//! application key, the user connects with a token, the account is labelled from `/members/me`.

use std::time::Duration;

use actionhost::credentials::SecretString;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, Session, TRELLO};
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
    run_once,
};

const FILE: &str = "trello.wasm";
/// The operator's application key (the connection's `client_id`) and alice's token.
const APP_KEY: &str = "b9a4f1e2c3d4e5f60718293a4b5c6d7e";
const TOKEN: &str = "ATTA0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

const BOARD: &str = "5abbe4b7ddc1b351ef961414";
const LIST: &str = "5abbe4b7ddc1b351ef961415";
const CARD: &str = "5abbe4b7ddc1b351ef961416";
const LABEL: &str = "5abbe4ae9b1e8e1e7a2ea86b";
const MEMBER: &str = "5abbe4b7ddc1b351ef96141c";
const WORKSPACE: &str = "5abbe4b7ddc1b351ef961420";

const CARD_FIELDS: &str = "id,name,desc,idBoard,idList,idLabels,idMembers,labels,due,dueComplete,start,closed,pos,url,shortUrl,dateLastActivity";

async fn trello(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Alice's token, with the operator's key as the host passes it from the connection.
fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        credential: Some(SecretString::new(TOKEN)),
        operator_key: Some(APP_KEY.into()),
        ..Default::default()
    }
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&TRELLO, FILE, &alice(), (test, action, params), fixture).await
}

/// The query's pairs, decoded; the credential's two are checked and left out.
fn query(request: &Recorded) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let credential: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k == "key" || k == "token")
        .collect();
    assert_eq!(
        credential,
        [
            &("token".to_string(), TOKEN.to_string()),
            &("key".to_string(), APP_KEY.to_string())
        ],
        "the host adds the user's token and the operator's key, once each"
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(
        request.body.is_empty(),
        "Trello takes parameters in the query"
    );
    pairs
        .into_iter()
        .filter(|(k, _)| k != "key" && k != "token")
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn text(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: body.as_bytes().to_vec(),
        delay: Duration::ZERO,
    }
}

// Answers shaped like the examples of Trello's reference pages.

fn board() -> Value {
    json!({
        "id": BOARD,
        "name": "Trello Platform Changes",
        "desc": "Track changes to Trello's Platform on this board.",
        "closed": false,
        "idOrganization": WORKSPACE,
        "pinned": false,
        "starred": false,
        "url": "https://trello.com/b/dQHqCohZ/trello-platform-changelog",
        "shortUrl": "https://trello.com/b/dQHqCohZ"
    })
}

fn list() -> Value {
    json!({"id": LIST, "name": "Things to buy today", "closed": false, "pos": 2154, "idBoard": BOARD})
}

fn card(id: &str) -> Value {
    json!({
        "id": id,
        "name": "👋 What? Why? How?",
        "desc": "👋Hey there,\n\nTrello's Platform team uses this board to keep developers up-to-date.",
        "idBoard": BOARD,
        "idList": LIST,
        "idLabels": [LABEL],
        "idMembers": [],
        "labels": [{"id": LABEL, "idBoard": BOARD, "name": "Overdue", "color": "yellow"}],
        "due": "2026-12-01T17:00:00.000Z",
        "dueComplete": false,
        "start": null,
        "closed": false,
        "pos": 65535,
        "url": "https://trello.com/c/nqPiDKmw/1-what-why-how",
        "shortUrl": "https://trello.com/c/nqPiDKmw",
        "dateLastActivity": "2026-11-29T16:12:03.474Z"
    })
}

fn comment() -> Value {
    json!({
        "id": "5abbe4b7ddc1b351ef96149f",
        "idMemberCreator": MEMBER,
        "type": "commentCard",
        "date": "2026-11-30T08:00:00.000Z",
        "data": {
            "text": "Shipped in 1.4.2",
            "card": {"id": CARD, "name": "👋 What? Why? How?", "idShort": 1, "shortLink": "nqPiDKmw"},
            "board": {"id": BOARD, "name": "Trello Platform Changes", "shortLink": "dQHqCohZ"},
            "list": {"id": LIST, "name": "Things to buy today"}
        },
        "memberCreator": {"id": MEMBER, "fullName": "Bentley Cook", "username": "bentleycook"}
    })
}

#[tokio::test]
async fn list_boards_sends_the_users_token_and_the_operators_key_in_the_query() {
    let (result, standin) = run(
        "list_boards",
        "TRELLO_LIST_BOARDS",
        json!({}),
        Fixture::new(
            "GET",
            "/members/me/boards",
            Reply::json(200, json!([board()])),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), json!([board()]));
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/members/me/boards")
    );
    assert_eq!(
        request.query.as_deref(),
        Some(format!(
            "filter=open&fields=id%2Cname%2Cdesc%2Cclosed%2CidOrganization%2Cpinned%2Cstarred%2Curl%2CshortUrl&token={TOKEN}&key={APP_KEY}"
        ).as_str())
    );
    query(&request);
}

#[tokio::test]
async fn create_card_sends_every_field_as_trello_names_it() {
    let (result, standin) = run(
        "create_card",
        "TRELLO_CREATE_CARD",
        json!({
            "list_id": LIST, "name": "Fix the login page", "description": "Users see a 500 after *SSO*.",
            "due": "2026-12-01T17:00:00Z", "label_ids": [LABEL], "member_ids": [MEMBER, BOARD], "position": "top"
        }),
        Fixture::new("POST", "/cards", Reply::json(200, card(CARD))),
    )
    .await;
    assert_eq!(result.unwrap()["shortUrl"], "https://trello.com/c/nqPiDKmw");
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/cards")
    );
    let members = format!("{MEMBER},{BOARD}");
    assert_eq!(
        query(&request),
        pairs(&[
            ("idList", LIST),
            ("name", "Fix the login page"),
            ("desc", "Users see a 500 after *SSO*."),
            ("due", "2026-12-01T17:00:00Z"),
            ("idLabels", LABEL),
            ("idMembers", &members),
            ("pos", "top"),
        ])
    );
}

#[tokio::test]
async fn update_card_moves_archives_and_clears_labels() {
    let (result, standin) = run(
        "update_card",
        "TRELLO_UPDATE_CARD",
        json!({"card_id": "nqPiDKmw", "list_id": LIST, "position": 1024.5, "due_complete": true, "archived": true, "description": "", "label_ids": []}),
        Fixture::new("PUT", "/cards/nqPiDKmw", Reply::json(200, card(CARD))),
    )
    .await;
    assert_eq!(result.unwrap()["id"], CARD);
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PUT", "/cards/nqPiDKmw")
    );
    assert_eq!(
        query(&request),
        pairs(&[
            ("desc", ""),
            ("idList", LIST),
            ("pos", "1024.5"),
            ("dueComplete", "true"),
            ("closed", "true"),
            ("idLabels", ""),
        ])
    );
}

/// Every action with the parameters it takes, in one session: the description accepts each
/// request, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_trellos_description_accepts() {
    let standin = TRELLO.session("every_action");
    let search = json!({"options": {"terms": [{"text": "login"}], "modelTypes": ["cards", "boards"], "partial": false}, "cards": [card(CARD)], "boards": [board()]});
    for (method, path, answer) in [
        ("GET", "/members/me/boards", json!([board()])),
        ("GET", "/boards/{id}/lists", json!([list()])),
        ("GET", "/boards/{id}/cards", json!([card(CARD)])),
        ("GET", "/lists/{id}/cards", json!([card(CARD)])),
        (
            "GET",
            "/boards/{id}",
            json!({"id": BOARD, "labels": [], "lists": [list()], "members": []}),
        ),
        ("POST", "/boards/", board()),
        ("POST", "/lists", list()),
        ("GET", "/cards/{id}", card(CARD)),
        ("POST", "/cards", card(CARD)),
        ("PUT", "/cards/{id}", card(CARD)),
        ("POST", "/cards/{id}/actions/comments", comment()),
        ("GET", "/search", search),
    ] {
        standin
            .answer(Fixture::new(method, path, Reply::json(200, answer)))
            .await;
    }
    let (runtime, plugin) = trello(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "TRELLO_LIST_BOARDS",
            json!({"filter": "all"}),
            &["GET /members/{id}/boards"],
        ),
        (
            "TRELLO_GET_BOARD",
            json!({"board_id": "dQHqCohZ"}),
            &["GET /boards/{id}"],
        ),
        (
            "TRELLO_CREATE_BOARD",
            json!({"name": "Q3 launch", "description": "Everything for Q3", "workspace_id": WORKSPACE, "default_lists": false, "default_labels": true, "visibility": "org", "source_board_id": BOARD, "keep_cards": true}),
            &["POST /boards/"],
        ),
        (
            "TRELLO_LIST_LISTS",
            json!({"board_id": BOARD, "filter": "closed"}),
            &["GET /boards/{id}/lists"],
        ),
        (
            "TRELLO_CREATE_LIST",
            json!({"board_id": BOARD, "name": "Review", "position": 24576.5}),
            &["POST /lists"],
        ),
        (
            "TRELLO_LIST_CARDS",
            json!({"board_id": BOARD, "filter": "all", "limit": 1}),
            &["GET /boards/{id}/cards"],
        ),
        (
            "TRELLO_LIST_CARDS",
            json!({"list_id": LIST, "limit": 50, "cursor": CARD}),
            &["GET /lists/{id}/cards"],
        ),
        (
            "TRELLO_GET_CARD",
            json!({"card_id": CARD, "include_comments": true}),
            &["GET /cards/{id}"],
        ),
        (
            "TRELLO_CREATE_CARD",
            json!({"list_id": LIST, "name": "Fix login", "description": "d", "due": "2026-12-01T17:00:00+01:00", "start": "2026-11-30T09:00:00Z", "label_ids": [LABEL], "member_ids": [MEMBER], "position": 16384}),
            &["POST /cards"],
        ),
        (
            "TRELLO_UPDATE_CARD",
            json!({"card_id": CARD, "name": "Renamed", "board_id": BOARD, "list_id": LIST, "position": "bottom", "due": "2027-01-05T12:00:00Z", "due_complete": false, "archived": false, "label_ids": [LABEL], "member_ids": []}),
            &["PUT /cards/{id}"],
        ),
        (
            "TRELLO_ADD_COMMENT",
            json!({"card_id": CARD, "text": "Shipped in 1.4.2 & verified, @bentleycook"}),
            &["POST /cards/{id}/actions/comments"],
        ),
        (
            "TRELLO_SEARCH",
            json!({"query": "login label:bug is:open", "limit": 1, "page": 2, "partial": true}),
            &["GET /search"],
        ),
        (
            "TRELLO_SEARCH",
            json!({"query": "roadmap", "only": "boards"}),
            &["GET /search"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(outputs[0], json!([board()]));
    assert_eq!(
        outputs[5],
        json!({"cards": [card(CARD)], "next_cursor": CARD})
    );
    assert_eq!(
        outputs[6],
        json!({"cards": [card(CARD)], "next_cursor": null})
    );
    assert_eq!(outputs[10], comment());
    assert_eq!(
        outputs[11],
        json!({"cards": [card(CARD)], "boards": [board()], "next_page": 3})
    );
    for request in standin.requests().await {
        query(&request);
    }
}

/// A second page, asked for with the cursor the first one returned: the cards created before
/// the oldest card of the first page.
#[tokio::test]
async fn list_cards_fetches_the_next_page_before_the_oldest_card() {
    let newest = "5abbe4b7ddc1b351ef9614ff";
    let older = "5abbe4b7ddc1b351ef961430";
    let oldest = "5abbe4b7ddc1b351ef961401";
    let standin = TRELLO.session("list_cards_pages");
    standin
        .answer(
            Fixture::new(
                "GET",
                "/boards/{id}/cards",
                Reply::json(200, json!([card(oldest)])),
            )
            .with_query("before", older),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/boards/{id}/cards",
            Reply::json(200, json!([card(newest), card(older)])),
        ))
        .await;
    let (runtime, plugin) = trello(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "TRELLO_LIST_CARDS",
            &json!({"board_id": BOARD, "limit": 2}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(first["cards"], json!([card(newest), card(older)]));
    assert_eq!(first["next_cursor"], older);
    let (second, _) = runtime
        .execute(
            &plugin,
            "TRELLO_LIST_CARDS",
            &json!({"board_id": BOARD, "limit": 2, "cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"cards": [card(oldest)], "next_cursor": null})
    );
    let queries: Vec<Vec<(String, String)>> = standin.requests().await.iter().map(query).collect();
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

#[tokio::test]
async fn trellos_errors_reach_the_caller_as_the_contracts_errors() {
    let get = json!({"card_id": CARD});
    let cases = [
        ("invalid_token", text(401, "invalid token"), ActionError::Unauthorized("invalid token".into())),
        (
            "not_found",
            text(404, "The requested resource was not found."),
            ActionError::NotFound("The requested resource was not found.".into()),
        ),
        (
            "invalid_id",
            text(400, "invalid id"),
            ActionError::NotFound("Trello answered `invalid id`: no board, list or card has the id given".into()),
        ),
        (
            "no_permission",
            text(401, "unauthorized card permission requested"),
            ActionError::Upstream {
                status: 401,
                message: "Trello refused access to this object (unauthorized card permission requested): the connected account cannot see or change it".into(),
                body: Some("unauthorized card permission requested".into()),
            },
        ),
        // Trello's token limit: no `Retry-After`; its window is 10 seconds.
        (
            "rate_limited",
            Reply::json(429, json!({"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"})),
            ActionError::RateLimited {
                message: "Rate limit exceeded (API_TOKEN_LIMIT_EXCEEDED)".into(),
                retry_after_seconds: Some(10),
            },
        ),
    ];
    for (test, reply, expected) in cases {
        let (result, standin) = run(
            test,
            "TRELLO_GET_CARD",
            get.clone(),
            Fixture::new("GET", "/cards/{id}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected), "{test}");
        let request = standin.single().await;
        assert_eq!(request.path, format!("/cards/{CARD}"), "{test}");
    }
}

const KEY_AND_TOKEN: &str = "key=b9a4f1e2c3d4e5f60718293a4b5c6d7e&token=ATTA0a1b";

/// Negative controls: requests Trello's description (with the overlay) refuses, so a stand-in
/// that accepts everything fails here.
#[tokio::test]
async fn trellos_description_refuses_what_trello_would_refuse() {
    let cases = [
        (
            format!("/cards?key=b9a4&idList={LIST}&name=x"),
            "Security not found",
        ),
        (
            format!("/cards?{KEY_AND_TOKEN}&name=x"),
            "Missing required query parameter: idList",
        ),
        (
            format!("/cards?{KEY_AND_TOKEN}&idList={LIST}&name=x&pos=middle"),
            "pos",
        ),
        (
            format!("/cards?{KEY_AND_TOKEN}&idList={LIST}&name=x&idLabels=bug"),
            "idLabels",
        ),
        (
            format!("/cards?{KEY_AND_TOKEN}&idList={LIST}&name=x&due=tomorrow"),
            "is not a 'date-time'",
        ),
        (
            format!("/cards?{KEY_AND_TOKEN}&idList={LIST}&title=x"),
            "query parameter 'title' is not declared",
        ),
        (
            format!("/cards/not-an-id?{KEY_AND_TOKEN}&closed=true"),
            "Invalid path parameter: id",
        ),
        (
            format!("/cards/{CARD}?{KEY_AND_TOKEN}&closed=maybe"),
            "Failed to cast value to boolean type: maybe",
        ),
        (
            format!("/boards/{BOARD}/cards?{KEY_AND_TOKEN}&limit=5000"),
            "greater than the maximum of 1000",
        ),
        (
            format!("/card?{KEY_AND_TOKEN}&idList={LIST}"),
            "PathNotFound",
        ),
    ];
    let refused: Vec<Refused> = cases
        .iter()
        .map(|(path_and_query, because)| Refused {
            method: if path_and_query.starts_with("/cards/") {
                "PUT"
            } else if path_and_query.starts_with("/boards/") {
                "GET"
            } else {
                "POST"
            },
            path_and_query,
            headers: &[],
            body: "",
            because,
        })
        .collect();
    assert_refused(&TRELLO, "refused", &refused).await;
}

/// Known good: `POST /1/cards` as Trello's reference shows it, the list, the key and the token
/// in the query.
#[tokio::test]
async fn trellos_description_accepts_a_create_card_from_trellos_reference() {
    assert_accepted(
        &TRELLO,
        "docs_create_card",
        (
            "POST",
            "/cards?idList=5abbe4b7ddc1b351ef961414&key=APIKey&token=APIToken",
            &[("accept", "application/json")],
            "",
        ),
        "POST /cards",
    )
    .await;
}

/// Through the whole host: an operator's connection holds the application key; until it
/// exists a user cannot connect; then the user's token connects, the account is labelled from
/// `/members/me`, and an action's request carries the token and the operator's key.
#[tokio::test]
async fn a_user_connects_with_a_token_beside_the_operators_application_key() {
    let standin = TRELLO.session("connect");
    standin
        .answer(
            Fixture::new("GET", "/members/me", text(401, "invalid token"))
                .with_query("token", "ATTAexpired")
                .once(),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/members/me",
            Reply::json(
                200,
                json!({"id": MEMBER, "fullName": "Bentley Cook", "username": "bentleycook"}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "POST",
            "/cards/{id}/actions/comments",
            Reply::json(200, comment()),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;

    let refused = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/trello",
            Some(json!({"api_key": TOKEN})),
        )
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(refused.code(), "forbidden");
    assert!(
        standin.checked().await.is_empty(),
        "nothing reaches Trello without the key"
    );

    let put = app
        .as_admin(
            "PUT",
            "/admin/connections/trello",
            Some(json!({"client_id": APP_KEY, "client_secret": "the-apps-oauth1-secret"})),
        )
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    // A token Trello refuses is not stored.
    let refused = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/trello",
            Some(json!({"api_key": "ATTAexpired"})),
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.code(), "invalid_parameters");
    assert_eq!(
        refused.body["error"]["message"],
        "the trello account was not stored: Trello refused the credential (invalid token)"
    );
    let none = app.as_user("ada", "GET", "/connected-accounts", None).await;
    assert_eq!(none.body, json!([]));
    app.connect("ada", "trello", json!({"api_key": TOKEN}))
        .await;
    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "trello")
        .cloned();
    let account = account.unwrap_or_else(|| panic!("{accounts:?}"));
    assert_eq!(account["status"], "active");
    assert_eq!(account["label"], "Bentley Cook (bentleycook)");
    assert!(!accounts.body.to_string().contains(TOKEN));

    let answer = app
        .as_user(
            "ada",
            "POST",
            "/actions",
            Some(json!({"action": "TRELLO_ADD_COMMENT", "parameters": {"card_id": CARD, "text": "Shipped in 1.4.2"}})),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, comment());

    let requests = standin.requests().await;
    let refused = requests.first().expect("the refused token's /members/me");
    assert!(
        refused
            .query
            .as_deref()
            .unwrap()
            .contains("token=ATTAexpired")
    );
    let requests = &requests[1..];
    let summary: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("GET", "/members/me"),
            ("POST", format!("/cards/{CARD}/actions/comments").as_str())
        ]
    );
    assert_eq!(
        query(&requests[0]),
        pairs(&[("fields", "username,fullName")])
    );
    assert_eq!(query(&requests[1]), pairs(&[("text", "Shipped in 1.4.2")]));
}
