//! The bundled Notion plugin against a stand-in that checks every request with npm
//! `@notionhq/client` 5.26.0 (`NOTION`): the client's endpoint table (method, path, parameter
//! names), the `Notion-Version` it sends, and Notion's documented request shapes (rich text,
//! blocks, parents, property values, searches, data source queries) in
//! `tests/tools/standin/notion.py`, since no faithful OpenAPI description of Notion exists.
//! Answers are fixtures shaped like the examples in Notion's reference pages. Notion's error
//! envelope reaches the caller as the contract's errors; a long page is read in two calls through
//! the returned cursor; and NOTION_CREATE_DATABASE_ITEM's per-user schema is built through the
//! real host from the data sources the stand-in answers, enforced on `POST /actions`, and
//! rebuilt with `reload_fields=true`.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, NOTION, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "notion.wasm";
const TOKEN: &str = "ntn_4417512940582Kb9cLh1Rf0eAlice";
const VERSION: (&str, &str) = ("Notion-Version", "2025-09-03");
const BEARER: (&str, &str) = ("Authorization", "Bearer ntn_4417512940582Kb9cLh1Rf0eAlice");
const JSON: (&str, &str) = ("Content-Type", "application/json");

const PAGE: &str = "be633bf1-dfa0-436d-b259-571129a590e5";
const DATABASE: &str = "248104cd-477e-80fd-b757-e945d38000bd";
const DATA_SOURCE: &str = "248104cd-477e-80af-bc30-000bd28de8f9";
const TOGGLE: &str = "c02fc1d3-db8b-45c5-a222-27595b15aea7";
const HEADING: &str = "9bc30ad4-9373-46a5-84ab-0a7845ee52e6";

fn alice() -> CallContext {
    let mut call = alice_with(TOKEN, &[]);
    call.fields.insert("workspace_name".into(), "Acme".into());
    call
}

async fn notion(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&NOTION, FILE, &alice(), (test, action, params), fixture).await
}

fn text(content: &str) -> Value {
    json!({"type": "text", "text": {"content": content, "link": null},
           "annotations": {"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
           "plain_text": content, "href": null})
}

/// A page as Notion's "Page object" reference shows one: a row of a tasks data source.
fn page() -> Value {
    json!({
        "object": "page",
        "id": PAGE,
        "created_time": "2022-10-24T22:54:00.000Z",
        "last_edited_time": "2023-03-08T18:25:00.000Z",
        "created_by": {"object": "user", "id": "c2f20311-9e54-4d11-8c79-7398424ae41e"},
        "last_edited_by": {"object": "user", "id": "9188c6a5-7381-452f-b3dc-d4865aa89bdf"},
        "cover": null,
        "icon": {"type": "emoji", "emoji": "🐞"},
        "parent": {"type": "data_source_id", "data_source_id": DATA_SOURCE, "database_id": DATABASE},
        "in_trash": false,
        "archived": false,
        "properties": {
            "Due date": {"id": "M%3BBw", "type": "date", "date": {"start": "2023-02-23", "end": null, "time_zone": null}},
            "Status": {"id": "Z%3ClH", "type": "status", "status": {"id": "86ddb6ec-0627-47f8-800d-b65afd28be13", "name": "Not started", "color": "default"}},
            "Title": {"id": "title", "type": "title", "title": [text("Bug bash")]}
        },
        "url": "https://www.notion.so/Bug-bash-be633bf1dfa0436db259571129a590e5",
        "public_url": null
    })
}

/// The data source of that database, as "Retrieve a data source" answers it.
fn data_source() -> Value {
    json!({
        "object": "data_source",
        "id": DATA_SOURCE,
        "title": [text("Tasks")],
        "description": [],
        "parent": {"type": "database_id", "database_id": DATABASE},
        "is_inline": false,
        "in_trash": false,
        "archived": false,
        "created_time": "2022-10-24T22:54:00.000Z",
        "last_edited_time": "2023-03-08T18:25:00.000Z",
        "properties": {
            "Title": {"id": "title", "name": "Title", "description": null, "type": "title", "title": {}},
            "Status": {"id": "Z%3ClH", "name": "Status", "description": null, "type": "status", "status": {
                "options": [
                    {"id": "86ddb6ec-0627-47f8-800d-b65afd28be13", "name": "Not started", "color": "default", "description": null},
                    {"id": "c4ae6a62-8a4f-4dfa-bd3b-2c4f33b6d5f4", "name": "Done", "color": "green", "description": null}
                ],
                "groups": []
            }},
            "Due date": {"id": "M%3BBw", "name": "Due date", "description": null, "type": "date", "date": {}},
            "Assignee": {"id": "%5CBL%3F", "name": "Assignee", "description": null, "type": "people", "people": {}},
            "Tags": {"id": "fL%3Dd", "name": "Tags", "description": "What the task is about.", "type": "multi_select", "multi_select": {"options": [
                {"id": "a1", "name": "Web", "color": "blue", "description": null},
                {"id": "a2", "name": "API", "color": "red", "description": null}
            ]}}
        },
        "url": "https://www.notion.so/248104cd477e80fdb757e945d38000bd",
        "public_url": null
    })
}

fn database() -> Value {
    json!({"object": "database", "id": DATABASE, "title": [text("Tasks")], "is_inline": false,
           "data_sources": [{"id": DATA_SOURCE, "name": "Tasks"}], "url": "https://www.notion.so/248104cd477e80fdb757e945d38000bd"})
}

fn list(results: Vec<Value>, next: Option<&str>) -> Value {
    json!({"object": "list", "results": results, "next_cursor": next, "has_more": next.is_some(), "type": "block", "block": {}})
}

fn block(id: &str, kind: &str, body: Value, has_children: bool) -> Value {
    json!({"object": "block", "id": id, "parent": {"type": "page_id", "page_id": PAGE},
           "created_time": "2022-03-01T19:05:00.000Z", "last_edited_time": "2022-07-06T20:25:00.000Z",
           "has_children": has_children, "in_trash": false, "archived": false, "type": kind, kind: body})
}

fn assert_notion_headers(request: &Recorded) {
    assert_eq!(request.header("authorization"), Some(BEARER.1));
    assert_eq!(request.header("notion-version"), Some(VERSION.1));
}

/// Every action, in one session: the client's table and Notion's shapes accept each request,
/// and each reaches the endpoint the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_the_notion_client_describes() {
    let standin = NOTION.session("notion_every_action");
    let fixtures = [
        Fixture::operation(
            "POST /search",
            Reply::json(
                200,
                json!({"object": "list", "results": [data_source()], "next_cursor": null, "has_more": false, "type": "page_or_data_source", "page_or_data_source": {}}),
            ),
        ),
        // The toggle's children before the page's own blocks: the first fixture that matches answers.
        Fixture::new(
            "GET",
            &format!("/blocks/{TOGGLE}/children"),
            Reply::json(
                200,
                list(
                    vec![block(
                        "c1",
                        "paragraph",
                        json!({"rich_text": [text("Hidden detail")], "color": "default"}),
                        false,
                    )],
                    None,
                ),
            ),
        ),
        Fixture::operation(
            "GET /blocks/{block_id}/children",
            Reply::json(
                200,
                list(
                    vec![
                        block(
                            HEADING,
                            "heading_2",
                            json!({"rich_text": [text("Agenda")], "color": "default", "is_toggleable": false}),
                            false,
                        ),
                        block(
                            TOGGLE,
                            "toggle",
                            json!({"rich_text": [text("Details")], "color": "default"}),
                            true,
                        ),
                    ],
                    None,
                ),
            ),
        ),
        Fixture::operation("GET /pages/{page_id}", Reply::json(200, page())),
        Fixture::operation("PATCH /pages/{page_id}", Reply::json(200, page())),
        Fixture::operation("POST /pages", Reply::json(200, page())),
        Fixture::operation(
            "PATCH /blocks/{block_id}/children",
            Reply::json(
                200,
                list(
                    vec![block(
                        "n1",
                        "paragraph",
                        json!({"rich_text": [text("Done.")], "color": "default"}),
                        false,
                    )],
                    None,
                ),
            ),
        ),
        Fixture::operation("GET /databases/{database_id}", Reply::json(200, database())),
        Fixture::operation(
            "GET /data_sources/{data_source_id}",
            Reply::json(200, data_source()),
        ),
        Fixture::operation(
            "POST /data_sources/{data_source_id}/query",
            Reply::json(
                200,
                json!({"object": "list", "results": [page()], "next_cursor": null, "has_more": false, "type": "page_or_data_source", "page_or_data_source": {}}),
            ),
        ),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = notion(&standin).await;
    let markdown = "# Retro\n\nWhat went **well**, see [notes](https://example.com/notes).\n\n- [ ] Follow up\n- Ship\n  1. staging\n\n```sql\nselect 1;\n```\n\n> Keep it short\n\n---";
    let calls: &[Call] = &[
        (
            "NOTION_SEARCH",
            json!({"query": "Tasks", "filter": "database"}),
            &["POST /search"],
        ),
        (
            "NOTION_GET_PAGE",
            json!({"page_id": PAGE}),
            &["GET /pages/{page_id}"],
        ),
        (
            "NOTION_GET_PAGE_CONTENT",
            json!({"page_id": format!("https://www.notion.so/acme/Bug-bash-{}", PAGE.replace('-', ""))}),
            &[
                "GET /blocks/{block_id}/children",
                "GET /blocks/{block_id}/children",
            ],
        ),
        (
            "NOTION_CREATE_PAGE",
            json!({"parent_page_id": PAGE, "title": "Retro", "markdown": markdown, "icon": "🗒️"}),
            &["POST /pages"],
        ),
        (
            "NOTION_UPDATE_PAGE",
            json!({"page_id": PAGE, "properties": {"Status": "Done", "Due date": "2023-03-01"}, "archived": false}),
            &["GET /pages/{page_id}", "PATCH /pages/{page_id}"],
        ),
        (
            "NOTION_APPEND_CONTENT",
            json!({"page_id": PAGE, "markdown": "Done.", "after": HEADING}),
            &["PATCH /blocks/{block_id}/children"],
        ),
        (
            "NOTION_QUERY_DATABASE",
            json!({"database_id": DATABASE, "filter": {"and": [{"property": "Status", "status": {"equals": "Done"}}, {"timestamp": "last_edited_time", "last_edited_time": {"past_week": {}}}]}, "sorts": [{"property": "Due date", "direction": "descending"}]}),
            &[
                "GET /databases/{database_id}",
                "POST /data_sources/{data_source_id}/query",
            ],
        ),
        (
            "NOTION_CREATE_DATABASE_ITEM",
            json!({"data_source_id": DATA_SOURCE, "properties": {"Title": "Fix login", "Status": "Not started", "Due date": "2026-05-01T09:00:00Z", "Assignee": ["9188c6a5-7381-452f-b3dc-d4865aa89bdf"], "Tags": ["Web", "API"]}, "markdown": "Steps to reproduce"}),
            &["GET /data_sources/{data_source_id}", "POST /pages"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), calls).await;
    assert_eq!(outputs[0]["results"][0]["id"], DATA_SOURCE);
    assert_eq!(outputs[1]["url"], page()["url"]);
    assert_eq!(
        outputs[2],
        json!({"page_id": PAGE, "markdown": "## Agenda\n\n- Details\n  Hidden detail", "next_cursor": null})
    );
    assert_eq!(outputs[5], json!({"page_id": PAGE, "block_ids": ["n1"]}));
    assert_eq!(outputs[6]["results"][0]["id"], PAGE);

    let requests = standin.requests().await;
    for request in &requests {
        assert_notion_headers(request);
    }
    let t = |content: &str| json!({"type": "text", "text": {"content": content}});
    let item = |kind: &str, content: &str| json!({"object": "block", "type": kind, kind: {"rich_text": [t(content)]}});
    assert_eq!(
        requests[0].json(),
        json!({"query": "Tasks", "filter": {"property": "object", "value": "data_source"}, "page_size": 20})
    );
    assert_eq!(requests[2].path, format!("/blocks/{PAGE}/children"));
    assert_eq!(requests[2].query.as_deref(), Some("page_size=100"));
    assert_eq!(requests[3].path, format!("/blocks/{TOGGLE}/children"));
    let mut ship = item("bulleted_list_item", "Ship");
    ship["bulleted_list_item"]["children"] = json!([item("numbered_list_item", "staging")]);
    let mut follow = item("to_do", "Follow up");
    follow["to_do"]["checked"] = json!(false);
    assert_eq!(
        requests[4].json(),
        json!({
            "parent": {"type": "page_id", "page_id": PAGE},
            "properties": {"title": {"title": [t("Retro")]}},
            "icon": {"type": "emoji", "emoji": "🗒️"},
            "children": [
                item("heading_1", "Retro"),
                {"object": "block", "type": "paragraph", "paragraph": {"rich_text": [
                    t("What went "),
                    {"type": "text", "text": {"content": "well"}, "annotations": {"bold": true}},
                    t(", see "),
                    {"type": "text", "text": {"content": "notes", "link": {"url": "https://example.com/notes"}}},
                    t(".")
                ]}},
                follow,
                ship,
                {"object": "block", "type": "code", "code": {"rich_text": [t("select 1;")], "language": "sql"}},
                item("quote", "Keep it short"),
                {"object": "block", "type": "divider", "divider": {}}
            ]
        })
    );
    assert_eq!(
        requests[6].json(),
        json!({"properties": {"Status": {"status": {"name": "Done"}}, "Due date": {"date": {"start": "2023-03-01"}}}, "in_trash": false})
    );
    assert_eq!(requests[7].json()["after"], HEADING);
    assert_eq!(
        requests[9].path,
        format!("/data_sources/{DATA_SOURCE}/query")
    );
    assert_eq!(
        requests[11].json(),
        json!({
            "parent": {"type": "data_source_id", "data_source_id": DATA_SOURCE},
            "properties": {
                "Title": {"title": [t("Fix login")]},
                "Status": {"status": {"name": "Not started"}},
                "Due date": {"date": {"start": "2026-05-01T09:00:00Z"}},
                "Assignee": {"people": [{"object": "user", "id": "9188c6a5-7381-452f-b3dc-d4865aa89bdf"}]},
                "Tags": {"multi_select": [{"name": "Web"}, {"name": "API"}]}
            },
            "children": [{"object": "block", "type": "paragraph", "paragraph": {"rich_text": [t("Steps to reproduce")]}}]
        })
    );
}

/// A page longer than one call: the second call reads on from the returned cursor; a database
/// query pages the same way.
#[tokio::test]
async fn long_pages_and_queries_are_read_on_through_the_returned_cursor() {
    let standin = NOTION.session("notion_pages");
    standin
        .answer(
            Fixture::operation(
                "GET /blocks/{block_id}/children",
                Reply::json(
                    200,
                    list(
                        vec![block(
                            "b2",
                            "paragraph",
                            json!({"rich_text": [text("Second part")], "color": "default"}),
                            false,
                        )],
                        None,
                    ),
                ),
            )
            .with_query("start_cursor", "e6c6f5ff-c5c8-4bd3-a2e2-7e9fbee6ee6e"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /blocks/{block_id}/children",
            Reply::json(
                200,
                list(
                    vec![block(
                        "b1",
                        "paragraph",
                        json!({"rich_text": [text("First part")], "color": "default"}),
                        false,
                    )],
                    Some("e6c6f5ff-c5c8-4bd3-a2e2-7e9fbee6ee6e"),
                ),
            ),
        ))
        .await;
    let (runtime, plugin) = notion(&standin).await;
    let read = |params: Value| {
        let (runtime, plugin) = (&runtime, &plugin);
        async move {
            runtime
                .execute(plugin, "NOTION_GET_PAGE_CONTENT", &params, &alice())
                .await
                .0
                .unwrap()
        }
    };
    let first = read(json!({"page_id": PAGE, "page_size": 1})).await;
    assert_eq!(
        first,
        json!({"page_id": PAGE, "markdown": "First part", "next_cursor": "e6c6f5ff-c5c8-4bd3-a2e2-7e9fbee6ee6e"})
    );
    let second =
        read(json!({"page_id": PAGE, "page_size": 1, "start_cursor": first["next_cursor"]})).await;
    assert_eq!(
        second,
        json!({"page_id": PAGE, "markdown": "Second part", "next_cursor": null})
    );
    let requests = standin.requests().await;
    assert_eq!(requests[0].query.as_deref(), Some("page_size=1"));
    assert_eq!(
        requests[1].query.as_deref(),
        Some("page_size=1&start_cursor=e6c6f5ff-c5c8-4bd3-a2e2-7e9fbee6ee6e")
    );

    let query = NOTION.session("notion_query_pages");
    query
        .answer(Fixture::operation(
            "POST /data_sources/{data_source_id}/query",
            Reply::json(200, json!({"object": "list", "results": [page()], "next_cursor": "c-2", "has_more": true, "type": "page_or_data_source", "page_or_data_source": {}})),
        ))
        .await;
    let (runtime, plugin) = notion(&query).await;
    for params in [
        json!({"data_source_id": DATA_SOURCE, "page_size": 1}),
        json!({"data_source_id": DATA_SOURCE, "page_size": 1, "start_cursor": "c-2"}),
    ] {
        let output = runtime
            .execute(&plugin, "NOTION_QUERY_DATABASE", &params, &alice())
            .await
            .0
            .unwrap();
        assert_eq!(output["next_cursor"], "c-2");
    }
    let bodies: Vec<Value> = query.requests().await.iter().map(Recorded::json).collect();
    assert_eq!(
        bodies,
        [
            json!({"page_size": 1}),
            json!({"page_size": 1, "start_cursor": "c-2"})
        ]
    );
}

/// Notion's `{"object": "error", "status", "code", "message"}` as the contract's errors; a
/// rate limit keeps Notion's `Retry-After`.
#[tokio::test]
async fn notions_error_envelope_reaches_the_caller_as_the_contracts_errors() {
    let error = |status: u16, code: &str, message: &str| json!({"object": "error", "status": status, "code": code, "message": message, "request_id": "b3b1ae45-1b3a-4d1a-9b0a-4f55a3f2e4ab"});
    let invalid = error(
        400,
        "validation_error",
        "body failed validation: body.properties.Status.status.name should be defined.",
    );
    let cases = [
        (
            Reply::json(401, error(401, "unauthorized", "API token is invalid.")),
            ActionError::Unauthorized("API token is invalid.".into()),
        ),
        (
            Reply::json(
                404,
                error(
                    404,
                    "object_not_found",
                    &format!(
                        "Could not find page with ID: {PAGE}. Make sure the relevant pages and databases are shared with your integration."
                    ),
                ),
            ),
            ActionError::NotFound(format!(
                "Could not find page with ID: {PAGE}. Make sure the relevant pages and databases are shared with your integration. (a page or database must be shared with the integration to be found)"
            )),
        ),
        (
            Reply::json(
                429,
                error(
                    429,
                    "rate_limited",
                    "You have been rate limited. Please try again in a few minutes.",
                ),
            )
            .header("retry-after", "3"),
            ActionError::RateLimited {
                message: "You have been rate limited. Please try again in a few minutes.".into(),
                retry_after_seconds: Some(3),
            },
        ),
        (
            Reply::json(400, invalid.clone()),
            ActionError::Upstream {
                status: 400,
                message:
                    "body failed validation: body.properties.Status.status.name should be defined."
                        .into(),
                body: Some(invalid.to_string()),
            },
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("notion_error_{i}"),
            "NOTION_GET_PAGE",
            json!({"page_id": PAGE}),
            Fixture::operation("GET /pages/{page_id}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected));
        standin.assert_no_violations().await;
    }
}

/// The negative control: requests the real API would refuse, which the stand-in must refuse
/// too (a stand-in that accepts everything fails here).
#[tokio::test]
async fn the_notion_check_refuses_what_notion_would_refuse() {
    let long = "x".repeat(2001);
    let too_long = format!(
        r#"{{"children": [{{"type": "paragraph", "paragraph": {{"rich_text": [{{"text": {{"content": "{long}"}}}}]}}}}]}}"#
    );
    let page_path = format!("/pages/{PAGE}");
    let children_path = format!("/blocks/{PAGE}/children");
    let legacy_query = format!("/databases/{DATABASE}/query");
    assert_refused(
        &NOTION,
        "notion_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/search",
                headers: &[BEARER, VERSION, JSON],
                body: r#"{"filter": {"property": "object", "value": "database"}}"#,
                because: "\"page\" or \"data_source\"",
            },
            Refused {
                method: "POST",
                path_and_query: &legacy_query,
                headers: &[BEARER, VERSION, JSON],
                body: "{}",
                because: "no endpoint of @notionhq/client",
            },
            Refused {
                method: "PATCH",
                path_and_query: &children_path,
                headers: &[BEARER, VERSION, JSON],
                body: &too_long,
                because: "2001 characters, over Notion's limit of 2000",
            },
            Refused {
                method: "PATCH",
                path_and_query: &children_path,
                headers: &[BEARER, VERSION, JSON],
                body: r#"{"children": [{"type": "code", "code": {"rich_text": [], "language": "rs"}}]}"#,
                because: "'rs' is not a language Notion knows",
            },
            Refused {
                method: "POST",
                path_and_query: "/pages",
                headers: &[BEARER, VERSION, JSON],
                body: r#"{"parent": {"page_id": "be633bf1dfa0436db259571129a590e5"}, "title": "Retro"}"#,
                because: "body parameter 'title' is not one of",
            },
            Refused {
                method: "PATCH",
                path_and_query: &page_path,
                headers: &[BEARER, VERSION, JSON],
                body: r#"{"properties": {"Status": {"status": "Done"}}}"#,
                because: "an option is an object with `name` or `id`",
            },
            Refused {
                method: "GET",
                path_and_query: &page_path,
                headers: &[BEARER],
                body: "",
                because: "@notionhq/client sends '2025-09-03'",
            },
            Refused {
                method: "GET",
                path_and_query: &format!("{children_path}?page_size=500"),
                headers: &[BEARER, VERSION],
                body: "",
                because: "page_size '500' is not an integer from 1 to 100",
            },
        ],
    )
    .await;
}

/// Known good: "Create a page" exactly as Notion's reference shows it (a database row with an
/// emoji icon, a cover, four properties and two blocks).
#[tokio::test]
async fn the_notion_check_accepts_create_a_page_from_notions_docs() {
    let body = json!({
        "parent": {"database_id": "d9824bdc84454327be8b5b47500af6ce"},
        "icon": {"emoji": "🥬"},
        "cover": {"external": {"url": "https://upload.wikimedia.org/wikipedia/commons/6/62/Tuscankale.jpg"}},
        "properties": {
            "Name": {"title": [{"text": {"content": "Tuscan Kale"}}]},
            "Description": {"rich_text": [{"text": {"content": "A dark green leafy vegetable"}}]},
            "Food group": {"select": {"name": "🥬 Vegetable"}},
            "Price": {"number": 2.5}
        },
        "children": [
            {"object": "block", "type": "heading_2", "heading_2": {"rich_text": [{"type": "text", "text": {"content": "Lacinato kale"}}]}},
            {"object": "block", "type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {
                "content": "Lacinato kale is a variety of kale with a long tradition in Italian cuisine, especially that of Tuscany. It is also known as Tuscan kale, Italian kale, dinosaur kale, kale, flat back kale, palm tree kale, or black Tuscan palm.",
                "link": {"url": "https://en.wikipedia.org/wiki/Lacinato_kale"}
            }}]}}
        ]
    });
    assert_accepted(
        &NOTION,
        "notion_docs_create_page",
        (
            "POST",
            "/pages",
            &[BEARER, VERSION, JSON],
            &body.to_string(),
        ),
        "POST /pages",
    )
    .await;
}

/// Through the real host: connecting labels the account with its workspace (fields kept on the
/// account); `GET /actions` shows NOTION_CREATE_DATABASE_ITEM with the properties of the data
/// sources the stand-in answers; `POST /actions` refuses a status the schema does not list before
/// the plugin runs and creates a valid row; `reload_fields=true` builds the schema again.
#[tokio::test]
async fn the_database_item_schema_comes_from_the_shared_data_sources_through_the_host() {
    let standin = NOTION.session("notion_dynamic_schema");
    let me = json!({"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "Acme helper", "avatar_url": null, "type": "bot",
                    "bot": {"owner": {"type": "workspace", "workspace": true}, "workspace_name": "Acme", "workspace_id": "7c1e5b2e-1d0f-4a55-9c7e-6e2f0e4f1a10"}});
    let users = json!({"object": "list", "results": [
        {"object": "user", "id": "9188c6a5-7381-452f-b3dc-d4865aa89bdf", "type": "person", "name": "Ada Lovelace", "avatar_url": null, "person": {"email": "ada@example.com"}}
    ], "next_cursor": null, "has_more": false, "type": "user", "user": {}});
    let searched = |sources: Vec<Value>| {
        Reply::json(
            200,
            json!({"object": "list", "results": sources, "next_cursor": null, "has_more": false, "type": "page_or_data_source", "page_or_data_source": {}}),
        )
    };
    standin
        .answer(Fixture::operation("GET /users/me", Reply::json(200, me)))
        .await;
    standin
        .answer(Fixture::operation("GET /users", Reply::json(200, users)))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /search",
            searched(vec![data_source()]),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /data_sources/{data_source_id}",
            Reply::json(200, data_source()),
        ))
        .await;
    standin
        .answer(Fixture::operation("POST /pages", Reply::json(200, page())))
        .await;

    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    app.connect("alice", "notion", json!({"access_token": TOKEN}))
        .await;
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "notion")
        .unwrap()
        .clone();
    assert_eq!(account["label"], "Acme");
    assert_eq!(
        account["fields"],
        json!({"workspace_name": "Acme", "workspace_id": "7c1e5b2e-1d0f-4a55-9c7e-6e2f0e4f1a10"})
    );

    let schema = |answer: &Value| -> Value {
        answer["actions"]["notion"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["function"]["name"] == "NOTION_CREATE_DATABASE_ITEM")
            .unwrap()["function"]["parameters"]
            .clone()
    };
    let listed = app
        .as_user("alice", "GET", "/actions?integrations=notion", None)
        .await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let parameters = schema(&listed.body);
    assert!(!parameters.to_string().contains("oneOf"), "{parameters}");
    let properties = &parameters["properties"]["properties"]["properties"];
    assert_eq!(properties["Status"]["enum"], json!(["Not started", "Done"]));
    assert_eq!(properties["Tags"]["items"]["enum"], json!(["Web", "API"]));
    assert!(
        properties["Assignee"]["description"]
            .as_str()
            .unwrap()
            .ends_with(
                "Known users: 9188c6a5-7381-452f-b3dc-d4865aa89bdf (Ada Lovelace, ada@example.com)."
            ),
        "{}",
        properties["Assignee"]
    );
    assert!(
        parameters["properties"]["data_source_id"]["description"]
            .as_str()
            .unwrap()
            .ends_with(&format!(
                "Data sources shared with the integration: {DATA_SOURCE} (Tasks)."
            ))
    );

    let refused = app
        .as_user("alice", "POST", "/actions", Some(json!({"action": "NOTION_CREATE_DATABASE_ITEM", "parameters": {"data_source_id": DATA_SOURCE, "properties": {"Status": "Shipped"}}})))
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.code(), "invalid_parameters");
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/properties/Status"
    );

    let created = app
        .as_user("alice", "POST", "/actions", Some(json!({"action": "NOTION_CREATE_DATABASE_ITEM", "parameters": {"data_source_id": DATA_SOURCE, "properties": {"Title": "Fix login", "Status": "Done"}}})))
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["id"], PAGE);
    let operations: Vec<String> = standin
        .checked()
        .await
        .into_iter()
        .filter_map(|c| c.operation)
        .collect();
    assert_eq!(
        operations,
        [
            "GET /users/me",
            "POST /search",
            "GET /users",
            "GET /data_sources/{data_source_id}",
            "POST /pages"
        ]
    );
    let requests = standin.requests().await;
    for request in &requests {
        assert_notion_headers(request);
    }
    assert_eq!(
        requests[4].json()["properties"],
        json!({"Title": {"title": [{"type": "text", "text": {"content": "Fix login"}}]}, "Status": {"status": {"name": "Done"}}})
    );

    // A data source shared since: the cached schema stays until the user reloads the fields.
    let mut bugs = data_source();
    bugs["id"] = json!("1d7e2c9a-3b4f-4e8a-9c2d-5f6a7b8c9d0e");
    bugs["title"] = json!([text("Bugs")]);
    bugs["properties"] = json!({"Severity": {"id": "sv", "name": "Severity", "description": null, "type": "select", "select": {"options": [{"id": "s1", "name": "P1", "color": "red", "description": null}]}}});
    standin.reset().await;
    standin
        .answer(Fixture::operation(
            "GET /users",
            Reply::json(
                200,
                json!({"object": "list", "results": [], "next_cursor": null, "has_more": false}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /search",
            searched(vec![data_source(), bugs]),
        ))
        .await;
    let cached = app
        .as_user("alice", "GET", "/actions?integrations=notion", None)
        .await;
    assert_eq!(
        schema(&cached.body)["properties"]["properties"]["properties"].get("Severity"),
        None
    );
    assert!(
        standin.checked().await.is_empty(),
        "the cached schema is served without a call"
    );
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=notion&reload_fields=true",
            None,
        )
        .await;
    assert_eq!(
        schema(&reloaded.body)["properties"]["properties"]["properties"]["Severity"]["enum"],
        json!(["P1"])
    );
    standin.assert_no_violations().await;
}

/// The alternative to OAuth: an internal integration's secret, connected as an API key, is sent
/// to Notion as a bearer token through the real host, and the account is labelled the same way.
#[tokio::test]
async fn an_internal_integration_secret_is_sent_as_a_bearer_token_through_the_host() {
    let standin = NOTION.session("notion_internal_integration");
    let me = json!({"object": "user", "id": "3a7f0c3e-54a2-4d3c-9c51-2a1d7b0c9e11", "name": "Reports bot", "avatar_url": null, "type": "bot",
                    "bot": {"owner": {"type": "workspace", "workspace": true}, "workspace_name": "Acme"}});
    standin
        .answer(Fixture::operation("GET /users/me", Reply::json(200, me)))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /search",
            Reply::json(200, json!({"object": "list", "results": [page()], "next_cursor": null, "has_more": false, "type": "page_or_data_source", "page_or_data_source": {}})),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("bob", "GET", "/integrations", None).await;
    let entry = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "notion")
        .unwrap()
        .clone();
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(
        entry["alternative_auth"],
        json!([{"type": "api_key"}]),
        "{entry}"
    );

    let secret = "ntn_55293186351aRWqkK2kYw4ZQ3bL9tXy2pBob";
    app.connect("bob", "notion", json!({"api_key": secret}))
        .await;
    let found = app
        .as_user("bob", "POST", "/actions", Some(json!({"action": "NOTION_SEARCH", "parameters": {"query": "Bug bash", "filter": "page"}})))
        .await;
    assert_eq!(found.status, 200, "{found:?}");
    assert_eq!(found.body["results"][0]["id"], PAGE);
    let accounts = app.as_user("bob", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body[0]["label"], "Acme", "{accounts:?}");
    let checked = standin.checked().await;
    let operations: Vec<_> = checked
        .iter()
        .filter_map(|c| c.operation.as_deref())
        .collect();
    assert_eq!(operations, ["GET /users/me", "POST /search"]);
    let bearer = format!("Bearer {secret}");
    for request in standin.requests().await {
        assert_eq!(request.header("authorization"), Some(bearer.as_str()));
        assert_eq!(request.header("notion-version"), Some(VERSION.1));
    }
}
