//! The exact requests every Notion action sends (method, path, query, `Notion-Version`, body),
//! Markdown to blocks and back within Notion's limits, database values by the data source's
//! property types, the per-user schema of NOTION_CREATE_DATABASE_ITEM, and Notion's error
//! envelope, run natively against the SDK's test transport.

use actionhost_plugin_notion::{NOTION_VERSION, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, CredentialKind, Error};
use serde_json::{Value, json};

const PAGE: &str = "59833787-2cf9-4fdf-8782-e53db20768a5";
const DATA_SOURCE: &str = "248104cd-477e-80af-bc30-000bd28de8f9";
const DATABASE: &str = "248104cd-477e-80fd-b757-e945d38000bd";
const BASE: &str = "https://api.notion.com/v1";

fn run(action: &str, input: Value) -> Result<Value, Error> {
    testing::run(&provider(), action, input, &Context::new("alice"))
}

fn call(action: &str, input: Value, answer: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let result = run(action, input);
    (result, transport.only_request())
}

fn assert_request(request: &RecordedRequest, method: &str, url: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, url)
    );
    assert_eq!(request.header("notion-version"), Some(NOTION_VERSION));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host sets the credential"
    );
}

fn notion_error(status: u16, code: &str, message: &str) -> Value {
    json!({"object": "error", "status": status, "code": code, "message": message, "request_id": "r-1"})
}

fn text(content: &str) -> Value {
    json!({"type": "text", "text": {"content": content, "link": null}, "annotations": {"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}, "plain_text": content, "href": null})
}

fn list(results: Vec<Value>, next: Option<&str>) -> Value {
    json!({"object": "list", "results": results, "next_cursor": next, "has_more": next.is_some(), "type": "block", "block": {}})
}

#[test]
fn the_version_is_the_one_notionhq_client_5_26_sends() {
    assert_eq!(NOTION_VERSION, "2025-09-03");
}

#[test]
fn search_posts_the_query_with_databases_as_data_sources() {
    let answer = json!({"object": "list", "results": [], "next_cursor": null, "has_more": false});
    let (result, request) = call(
        "NOTION_SEARCH",
        json!({"query": "Roadmap", "filter": "database", "page_size": 5, "start_cursor": "c2"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_request(&request, "POST", &format!("{BASE}/search"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"query": "Roadmap", "filter": {"property": "object", "value": "data_source"}, "page_size": 5, "start_cursor": "c2"})
    );

    let (_, request) = call("NOTION_SEARCH", json!({"filter": "page"}), answer.clone());
    assert_eq!(
        request.json(),
        json!({"filter": {"property": "object", "value": "page"}, "page_size": 20})
    );
    let (_, request) = call("NOTION_SEARCH", json!({"query": "  "}), answer);
    assert_eq!(request.json(), json!({"page_size": 20}));
}

#[test]
fn get_page_takes_an_id_with_or_without_dashes_or_a_url() {
    for given in [
        PAGE.to_string(),
        PAGE.replace('-', ""),
        format!(
            "https://www.notion.so/acme/Launch-plan-{}?pvs=4",
            PAGE.replace('-', "")
        ),
    ] {
        let (result, request) = call(
            "NOTION_GET_PAGE",
            json!({"page_id": given}),
            json!({"object": "page", "id": PAGE}),
        );
        assert_eq!(result.unwrap()["id"], PAGE);
        assert_request(&request, "GET", &format!("{BASE}/pages/{PAGE}"));
        assert_eq!(request.body, None);
    }
    let transport = Transport::install();
    let error = run("NOTION_GET_PAGE", json!({"page_id": "Launch plan"})).unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input("`page_id` is not a Notion id or page URL: \"Launch plan\"")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn errors_map_from_notions_envelope() {
    let transport = Transport::install();
    transport.reply_json(
        401,
        notion_error(401, "unauthorized", "API token is invalid."),
    );
    transport.reply_json(
        404,
        notion_error(
            404,
            "object_not_found",
            &format!("Could not find page with ID: {PAGE}."),
        ),
    );
    transport.reply(
        429,
        &[("retry-after", "7"), ("content-type", "application/json")],
        notion_error(
            429,
            "rate_limited",
            "You have been rate limited. Please try again in a few minutes.",
        )
        .to_string(),
    );
    let invalid = notion_error(
        400,
        "validation_error",
        "body failed validation: body.parent should be defined.",
    );
    transport.reply_json(400, invalid.clone());
    let get = || run("NOTION_GET_PAGE", json!({"page_id": PAGE}));
    assert_eq!(
        get().unwrap_err(),
        Error::unauthorized("API token is invalid.")
    );
    assert_eq!(
        get().unwrap_err(),
        Error::not_found(format!(
            "Could not find page with ID: {PAGE}. (a page or database must be shared with the integration to be found)"
        ))
    );
    assert_eq!(
        get().unwrap_err(),
        Error::rate_limited(
            "You have been rate limited. Please try again in a few minutes.",
            Some(7)
        )
    );
    assert_eq!(
        get().unwrap_err(),
        Error::Upstream {
            status: 400,
            message: "body failed validation: body.parent should be defined.".into(),
            body: Some(invalid.to_string()),
        }
    );
}

fn paragraph(id: &str, content: &str) -> Value {
    json!({"object": "block", "id": id, "type": "paragraph", "has_children": false, "paragraph": {"rich_text": [text(content)], "color": "default"}})
}

#[test]
fn page_content_reads_blocks_as_markdown_with_nested_children_and_pages_on() {
    let transport = Transport::install();
    let bold = json!({"type": "text", "text": {"content": "bold", "link": null}, "annotations": {"bold": true, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}, "plain_text": "bold", "href": null});
    let link = json!({"type": "text", "text": {"content": "docs ", "link": {"url": "https://developers.notion.com"}}, "annotations": {"bold": false, "italic": true, "strikethrough": false, "underline": false, "code": false, "color": "default"}, "plain_text": "docs ", "href": "https://developers.notion.com"});
    let first = vec![
        json!({"object": "block", "id": "b1", "type": "heading_1", "has_children": false, "heading_1": {"rich_text": [text("Plan")], "is_toggleable": false, "color": "default"}}),
        json!({"object": "block", "id": "b2", "type": "paragraph", "has_children": false, "paragraph": {"rich_text": [text("Some "), bold, text(" and "), link, text("here")], "color": "default"}}),
        json!({"object": "block", "id": "b3", "type": "bulleted_list_item", "has_children": true, "bulleted_list_item": {"rich_text": [text("Parent")], "color": "default"}}),
        json!({"object": "block", "id": "b4", "type": "to_do", "has_children": false, "to_do": {"rich_text": [text("Ship")], "checked": true, "color": "default"}}),
        json!({"object": "block", "id": "b5", "type": "code", "has_children": false, "code": {"rich_text": [text("let x = 1;")], "caption": [], "language": "rust"}}),
        json!({"object": "block", "id": "b6", "type": "child_page", "has_children": true, "child_page": {"title": "Notes"}}),
    ];
    transport.reply_json(200, list(first, Some("cursor-2")));
    transport.reply_json(
        200,
        list(
            vec![json!({"object": "block", "id": "c1", "type": "numbered_list_item", "has_children": false, "numbered_list_item": {"rich_text": [text("Child")], "color": "default"}})],
            None,
        ),
    );
    let output = run("NOTION_GET_PAGE_CONTENT", json!({"page_id": PAGE})).unwrap();
    assert_eq!(
        output,
        json!({
            "page_id": PAGE,
            "markdown": "# Plan\n\nSome **bold** and [_docs_](https://developers.notion.com) here\n\n- Parent\n  1. Child\n- [x] Ship\n\n```rust\nlet x = 1;\n```\n\n[Notes](https://www.notion.so/b6) (child page b6)",
            "next_cursor": "cursor-2"
        })
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2, "a child page is not read");
    assert_request(
        &requests[0],
        "GET",
        &format!("{BASE}/blocks/{PAGE}/children?page_size=100"),
    );
    assert_request(
        &requests[1],
        "GET",
        &format!("{BASE}/blocks/b3/children?page_size=100"),
    );

    // The second part, through the cursor.
    let transport = Transport::install();
    transport.reply_json(200, list(vec![paragraph("b7", "The end.")], None));
    let output = run(
        "NOTION_GET_PAGE_CONTENT",
        json!({"page_id": PAGE, "start_cursor": "cursor-2", "page_size": 50}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"page_id": PAGE, "markdown": "The end.", "next_cursor": null})
    );
    assert_request(
        &transport.only_request(),
        "GET",
        &format!("{BASE}/blocks/{PAGE}/children?page_size=50&start_cursor=cursor-2"),
    );
}

#[test]
fn page_content_renders_quotes_tables_dividers_and_media() {
    let transport = Transport::install();
    let blocks = vec![
        json!({"object": "block", "id": "q", "type": "quote", "has_children": false, "quote": {"rich_text": [text("Be kind")], "color": "default"}}),
        json!({"object": "block", "id": "d", "type": "divider", "has_children": false, "divider": {}}),
        json!({"object": "block", "id": "t", "type": "table", "has_children": true, "table": {"table_width": 2, "has_column_header": true, "has_row_header": false}}),
        json!({"object": "block", "id": "i", "type": "image", "has_children": false, "image": {"type": "external", "external": {"url": "https://example.com/a.png"}, "caption": [text("Chart")]}}),
        json!({"object": "block", "id": "n1", "type": "numbered_list_item", "has_children": false, "numbered_list_item": {"rich_text": [text("one")], "color": "default"}}),
        json!({"object": "block", "id": "n2", "type": "numbered_list_item", "has_children": false, "numbered_list_item": {"rich_text": [text("two")], "color": "default"}}),
    ];
    transport.reply_json(200, list(blocks, None));
    let row = |a: &str, b: &str| json!({"object": "block", "type": "table_row", "has_children": false, "table_row": {"cells": [[text(a)], [text(b)]]}});
    transport.reply_json(200, list(vec![row("Name", "Qty"), row("Eggs", "12")], None));
    let output = run("NOTION_GET_PAGE_CONTENT", json!({"page_id": PAGE})).unwrap();
    assert_eq!(
        output["markdown"],
        "> Be kind\n\n---\n\n| Name | Qty |\n| --- | --- |\n| Eggs | 12 |\n\n![Chart](https://example.com/a.png)\n\n1. one\n2. two"
    );
}

/// The block JSON Notion documents for a paragraph of plain text.
fn notion_paragraph(content: &str) -> Value {
    json!({"object": "block", "type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": content}}]}})
}

#[test]
fn create_page_under_a_page_converts_markdown_to_blocks() {
    let markdown = "# Launch\n\nWe ship **on Monday** with _care_, ~~not~~ `fast`. See [the plan](https://example.com/plan).\n\n\
        - one\n- two\n  - nested\n1. first\n2. second\n\n- [ ] todo\n- [x] done\n\n> quoted\n\n---\n\n```python\nprint('hi')\n```\n\n#### Deep heading";
    let (result, request) = call(
        "NOTION_CREATE_PAGE",
        json!({"parent_page_id": PAGE, "title": "Launch plan", "markdown": markdown, "icon": "🚀"}),
        json!({"object": "page", "id": "new-page"}),
    );
    assert_eq!(result.unwrap()["id"], "new-page");
    assert_request(&request, "POST", &format!("{BASE}/pages"));
    let t = |content: &str| json!({"type": "text", "text": {"content": content}});
    let styled = |content: &str, annotation: &str| json!({"type": "text", "text": {"content": content}, "annotations": {annotation: true}});
    let item = |kind: &str, content: &str| json!({"object": "block", "type": kind, kind: {"rich_text": [t(content)]}});
    let mut two = item("bulleted_list_item", "two");
    two["bulleted_list_item"]["children"] = json!([item("bulleted_list_item", "nested")]);
    let mut todo = item("to_do", "todo");
    todo["to_do"]["checked"] = json!(false);
    let mut done = item("to_do", "done");
    done["to_do"]["checked"] = json!(true);
    assert_eq!(
        request.json(),
        json!({
            "parent": {"type": "page_id", "page_id": PAGE},
            "properties": {"title": {"title": [t("Launch plan")]}},
            "icon": {"type": "emoji", "emoji": "🚀"},
            "children": [
                item("heading_1", "Launch"),
                {"object": "block", "type": "paragraph", "paragraph": {"rich_text": [
                    t("We ship "), styled("on Monday", "bold"), t(" with "), styled("care", "italic"), t(", "),
                    styled("not", "strikethrough"), t(" "), styled("fast", "code"), t(". See "),
                    {"type": "text", "text": {"content": "the plan", "link": {"url": "https://example.com/plan"}}}, t(".")
                ]}},
                item("bulleted_list_item", "one"),
                two,
                item("numbered_list_item", "first"),
                item("numbered_list_item", "second"),
                todo,
                done,
                item("quote", "quoted"),
                {"object": "block", "type": "divider", "divider": {}},
                {"object": "block", "type": "code", "code": {"rich_text": [t("print('hi')")], "language": "python"}},
                item("heading_3", "Deep heading")
            ]
        })
    );
}

#[test]
fn long_text_is_split_into_runs_of_2000_and_many_blocks_into_requests_of_100() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "page", "id": "p-new"}));
    transport.reply_json(200, list(vec![json!({"id": "x1"})], None));
    transport.reply_json(200, list(vec![json!({"id": "x2"})], None));
    let long = "é".repeat(4500);
    let mut markdown = format!("{long}\n\n");
    for i in 0..249 {
        markdown.push_str(&format!("Paragraph {i}\n\n"));
    }
    run(
        "NOTION_CREATE_PAGE",
        json!({"parent_page_id": PAGE, "title": "Big", "markdown": markdown}),
    )
    .unwrap();
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    let first = requests[0].json();
    let children = first["children"].as_array().unwrap();
    assert_eq!(children.len(), 100);
    let runs = children[0]["paragraph"]["rich_text"].as_array().unwrap();
    let lengths: Vec<usize> = runs
        .iter()
        .map(|r| r["text"]["content"].as_str().unwrap().chars().count())
        .collect();
    assert_eq!(lengths, [2000, 2000, 500]);
    assert_eq!(children[99], notion_paragraph("Paragraph 98"));
    assert_request(
        &requests[1],
        "PATCH",
        &format!("{BASE}/blocks/p-new/children"),
    );
    let second = requests[1].json();
    assert_eq!(second["children"].as_array().unwrap().len(), 100);
    assert_eq!(second["children"][0], notion_paragraph("Paragraph 99"));
    assert_eq!(second.get("after"), None);
    let third = requests[2].json();
    assert_eq!(third["children"].as_array().unwrap().len(), 50);
    assert_eq!(third["children"][49], notion_paragraph("Paragraph 248"));
}

#[test]
fn lists_nested_deeper_than_a_request_allows_are_flattened_in_order() {
    let (_, request) = call(
        "NOTION_APPEND_CONTENT",
        json!({"page_id": PAGE, "markdown": "- a\n  - b\n    - c\n      - d\n- e"}),
        list(vec![json!({"id": "1"}), json!({"id": "2"})], None),
    );
    let t = |content: &str| json!({"rich_text": [{"type": "text", "text": {"content": content}}]});
    let item = |content: &str, children: Option<Value>| {
        let mut body = t(content);
        if let Some(children) = children {
            body["children"] = children;
        }
        json!({"object": "block", "type": "bulleted_list_item", "bulleted_list_item": body})
    };
    assert_eq!(
        request.json(),
        json!({"children": [
            item("a", Some(json!([item("b", Some(json!([item("c", None), item("d", None)])))]))),
            item("e", None)
        ]})
    );
}

#[test]
fn append_content_after_a_block_chains_batches_after_the_last_added_block() {
    let transport = Transport::install();
    let ids: Vec<Value> = (0..100).map(|i| json!({"id": format!("n{i}")})).collect();
    transport.reply_json(200, list(ids, None));
    transport.reply_json(200, list(vec![json!({"id": "m0"})], None));
    let markdown: String = (0..101).map(|i| format!("P{i}\n\n")).collect();
    let after = "7d2a2b8e-0c3f-4e59-9a53-1c0e6e1f3a01";
    let output = run(
        "NOTION_APPEND_CONTENT",
        json!({"page_id": PAGE, "markdown": markdown, "after": after}),
    )
    .unwrap();
    assert_eq!(output["page_id"], PAGE);
    assert_eq!(output["block_ids"].as_array().unwrap().len(), 101);
    let requests = transport.requests();
    assert_request(
        &requests[0],
        "PATCH",
        &format!("{BASE}/blocks/{PAGE}/children"),
    );
    assert_eq!(requests[0].json()["after"], after);
    assert_eq!(requests[1].json()["after"], "n99");
    assert_eq!(
        requests[1].json()["children"],
        json!([notion_paragraph("P100")])
    );

    let transport = Transport::install();
    let error = run(
        "NOTION_APPEND_CONTENT",
        json!({"page_id": PAGE, "markdown": "\n\n"}),
    )
    .unwrap_err();
    assert_eq!(error, Error::invalid_input("`markdown` has no content"));
    assert!(transport.requests().is_empty());
}

#[test]
fn create_page_in_a_database_resolves_its_data_source() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "database", "id": DATABASE, "data_sources": [{"id": DATA_SOURCE, "name": "Tasks"}]}));
    transport.reply_json(200, json!({"object": "page", "id": "row"}));
    run(
        "NOTION_CREATE_PAGE",
        json!({"database_id": DATABASE, "title": "Row"}),
    )
    .unwrap();
    let requests = transport.requests();
    assert_request(&requests[0], "GET", &format!("{BASE}/databases/{DATABASE}"));
    assert_eq!(
        requests[1].json(),
        json!({"parent": {"type": "data_source_id", "data_source_id": DATA_SOURCE},
               "properties": {"title": {"title": [{"type": "text", "text": {"content": "Row"}}]}}})
    );

    let transport = Transport::install();
    let error = run(
        "NOTION_CREATE_PAGE",
        json!({"parent_page_id": PAGE, "data_source_id": DATA_SOURCE, "title": "x"}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input(
            "give exactly one of `parent_page_id`, `data_source_id` and `database_id`"
        )
    );
    assert!(transport.requests().is_empty());
}

/// A data source as `GET /data_sources/{id}` answers it (Notion's reference example, trimmed).
fn tasks_data_source() -> Value {
    json!({
        "object": "data_source",
        "id": DATA_SOURCE,
        "title": [text("Tasks")],
        "properties": {
            "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
            "Status": {"id": "s%3Ds", "name": "Status", "type": "status", "status": {"options": [
                {"id": "1", "name": "Not started", "color": "default"},
                {"id": "2", "name": "Done", "color": "green"}], "groups": []}},
            "Priority": {"id": "p", "name": "Priority", "type": "select", "select": {"options": [
                {"id": "a", "name": "High", "color": "red"}, {"id": "b", "name": "Low", "color": "gray"}]}},
            "Tags": {"id": "t", "name": "Tags", "type": "multi_select", "multi_select": {"options": [
                {"id": "c", "name": "Web", "color": "blue"}]}},
            "Due": {"id": "d", "name": "Due", "type": "date", "date": {}},
            "Owner": {"id": "o", "name": "Owner", "type": "people", "people": {}},
            "Project": {"id": "r", "name": "Project", "type": "relation", "relation": {"data_source_id": "ds-projects", "database_id": "db-projects", "type": "single_property", "single_property": {}}},
            "Estimate": {"id": "e", "name": "Estimate", "type": "number", "number": {"format": "number"}},
            "Blocked": {"id": "b", "name": "Blocked", "type": "checkbox", "checkbox": {}},
            "Link": {"id": "l", "name": "Link", "type": "url", "url": {}},
            "Score": {"id": "f", "name": "Score", "type": "formula", "formula": {"expression": "1"}}
        }
    })
}

#[test]
fn create_database_item_writes_plain_values_as_notion_property_values() {
    let transport = Transport::install();
    transport.reply_json(200, tasks_data_source());
    transport.reply_json(200, json!({"object": "page", "id": "row-1"}));
    let output = run(
        "NOTION_CREATE_DATABASE_ITEM",
        json!({"data_source_id": DATA_SOURCE, "properties": {
            "Name": "Write docs", "Status": "Done", "Priority": "High", "Tags": ["Web"],
            "Due": "2026-05-01/2026-05-03", "Owner": ["u-1"], "Project": ["p-9"], "Estimate": 3.5,
            "Blocked": false, "link": "https://example.com"
        }, "markdown": "Details"}),
    )
    .unwrap();
    assert_eq!(output["id"], "row-1");
    let requests = transport.requests();
    assert_request(
        &requests[0],
        "GET",
        &format!("{BASE}/data_sources/{DATA_SOURCE}"),
    );
    assert_request(&requests[1], "POST", &format!("{BASE}/pages"));
    assert_eq!(
        requests[1].json(),
        json!({
            "parent": {"type": "data_source_id", "data_source_id": DATA_SOURCE},
            "properties": {
                "Name": {"title": [{"type": "text", "text": {"content": "Write docs"}}]},
                "Status": {"status": {"name": "Done"}},
                "Priority": {"select": {"name": "High"}},
                "Tags": {"multi_select": [{"name": "Web"}]},
                "Due": {"date": {"start": "2026-05-01", "end": "2026-05-03"}},
                "Owner": {"people": [{"object": "user", "id": "u-1"}]},
                "Project": {"relation": [{"id": "p-9"}]},
                "Estimate": {"number": 3.5},
                "Blocked": {"checkbox": false},
                "Link": {"url": "https://example.com"}
            },
            "children": [notion_paragraph("Details")]
        })
    );
}

#[test]
fn create_database_item_refuses_values_the_data_source_does_not_take() {
    for (properties, message) in [
        (
            json!({"Stage": "x"}),
            "no property \"Stage\"; the writable properties are [\"Blocked\", \"Due\", \"Estimate\", \"Link\", \"Name\", \"Owner\", \"Priority\", \"Project\", \"Status\", \"Tags\"]",
        ),
        (
            json!({"Status": "Shipped"}),
            "property \"Status\" has no status \"Shipped\"; its options are [\"Not started\", \"Done\"]",
        ),
        (
            json!({"Estimate": "three"}),
            "property \"Estimate\" is a number property: give a number, not \"three\"",
        ),
        (
            json!({"Due": "May 1"}),
            "property \"Due\" is a date property: give a date `2026-05-01`, a date-time `2026-05-01T09:30:00Z` or a range `START/END`, not \"May 1\"",
        ),
        (
            json!({"Score": 2}),
            "property \"Score\" is a formula property, which Notion computes: it cannot be written",
        ),
        (
            json!({"Name": 7}),
            "property \"Name\" is a title property: give a string, not 7",
        ),
        (
            json!({"Blocked": null}),
            "property \"Blocked\" is a checkbox property: give true or false, not null",
        ),
    ] {
        let transport = Transport::install();
        transport.reply_json(200, tasks_data_source());
        let error = run(
            "NOTION_CREATE_DATABASE_ITEM",
            json!({"data_source_id": DATA_SOURCE, "properties": properties}),
        )
        .unwrap_err();
        assert_eq!(error, Error::invalid_input(message));
        assert_eq!(transport.requests().len(), 1, "nothing is created");
    }
}

#[test]
fn the_database_item_schema_lists_shared_data_sources_and_their_properties() {
    let transport = Transport::install();
    let mut bugs = tasks_data_source();
    bugs["id"] = json!("ds-bugs");
    bugs["title"] = json!([text("Bugs")]);
    bugs["properties"] = json!({
        "Title": {"id": "title", "name": "Title", "type": "title", "title": {}},
        "Priority": {"id": "p", "name": "Priority", "type": "number", "number": {"format": "number"}}
    });
    transport.reply_json(200, json!({"object": "list", "results": [tasks_data_source(), bugs], "next_cursor": null, "has_more": false}));
    transport.reply_json(200, json!({"object": "list", "results": [
        {"object": "user", "id": "u-1", "type": "person", "name": "Ada", "person": {"email": "ada@example.com"}},
        {"object": "user", "id": "bot-1", "type": "bot", "name": "Bot", "bot": {}}
    ], "next_cursor": null, "has_more": false}));
    let action = provider();
    let action = action.find("NOTION_CREATE_DATABASE_ITEM").unwrap();
    assert!(action.hints().dynamic_schema);
    let schema = action.describe(&Context::new("alice")).unwrap();
    let requests = transport.requests();
    assert_request(&requests[0], "POST", &format!("{BASE}/search"));
    assert_eq!(
        requests[0].json(),
        json!({"filter": {"property": "object", "value": "data_source"}, "page_size": 10})
    );
    assert_request(&requests[1], "GET", &format!("{BASE}/users?page_size=100"));
    assert!(
        schema["properties"]["data_source_id"]["description"]
            .as_str()
            .unwrap()
            .ends_with(&format!(
                "Data sources shared with the integration: {DATA_SOURCE} (Tasks), ds-bugs (Bugs)."
            ))
    );
    let properties = &schema["properties"]["properties"]["properties"];
    assert_eq!(properties["Status"]["enum"], json!(["Not started", "Done"]));
    assert_eq!(properties["Status"]["type"], "string");
    assert_eq!(properties["Tags"]["items"]["enum"], json!(["Web"]));
    assert_eq!(properties["Due"]["type"], "string");
    assert_eq!(properties["Link"]["format"], "uri");
    assert!(
        properties["Owner"]["description"]
            .as_str()
            .unwrap()
            .ends_with("Notion user ids. Known users: u-1 (Ada, ada@example.com).")
    );
    assert!(
        properties["Project"]["description"]
            .as_str()
            .unwrap()
            .contains("ds-projects")
    );
    assert_eq!(properties.get("Score"), None, "a formula is not writable");
    // Defined as a select in one data source and a number in the other: no type.
    assert_eq!(properties["Priority"].get("type"), None);
    assert_eq!(
        properties["Priority"]["description"],
        format!(
            "Priority (select) in \"Tasks\" ({DATA_SOURCE}). One of the select's options. | Priority (number) in \"Bugs\" (ds-bugs)."
        )
    );
    assert_eq!(properties["Title"]["type"], "string");
    assert_eq!(schema["type"], "object");
}

#[test]
fn data_sources_past_the_schemas_budget_are_named_as_left_out() {
    let transport = Transport::install();
    let options: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("o{i}"), "name": format!("Option number {i:03} of many"), "color": "default"}))
        .collect();
    let sources: Vec<Value> = (0..10)
        .map(|d| {
            let properties: serde_json::Map<String, Value> = (0..40)
                .map(|p| {
                    let name = format!("Column {d}-{p}");
                    (name.clone(), json!({"id": format!("c{p}"), "name": name, "type": "select", "select": {"options": options}}))
                })
                .collect();
            json!({"object": "data_source", "id": format!("ds-{d}"), "title": [text(&format!("Table {d}"))], "properties": properties})
        })
        .collect();
    transport.reply_json(
        200,
        json!({"object": "list", "results": sources, "next_cursor": null, "has_more": false}),
    );
    transport.reply_json(
        200,
        json!({"object": "list", "results": [], "next_cursor": null, "has_more": false}),
    );
    let provider = provider();
    let schema = provider
        .find("NOTION_CREATE_DATABASE_ITEM")
        .unwrap()
        .describe(&Context::new("alice"))
        .unwrap();
    let size = schema.to_string().len();
    assert!(size < 256 * 1024, "{size} bytes");
    let described = schema["properties"]["properties"]["properties"]
        .as_object()
        .unwrap();
    assert_eq!(described.len(), 40, "one data source's columns fit");
    assert!(
        schema["properties"]["data_source_id"]["description"]
            .as_str()
            .unwrap()
            .ends_with("Data sources shared with the integration: ds-0 (Table 0). 9 more are not described here, to keep this schema small: find them with NOTION_SEARCH and give their properties by the names Notion shows.")
    );
}

#[test]
fn the_schema_is_still_described_when_users_cannot_be_read() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "list", "results": [tasks_data_source()], "next_cursor": null, "has_more": false}));
    transport.reply_json(
        403,
        notion_error(
            403,
            "restricted_resource",
            "Insufficient permissions for this endpoint.",
        ),
    );
    let provider = provider();
    let schema = provider
        .find("NOTION_CREATE_DATABASE_ITEM")
        .unwrap()
        .describe(&Context::new("alice"))
        .unwrap();
    assert_eq!(
        schema["properties"]["properties"]["properties"]["Owner"]["description"],
        format!("Owner (people) in \"Tasks\" ({DATA_SOURCE}). Notion user ids.")
    );
}

#[test]
fn query_database_posts_filter_sorts_and_cursor_to_the_data_source() {
    let answer = json!({"object": "list", "results": [{"object": "page", "id": "row-2"}], "next_cursor": "c-3", "has_more": true, "type": "page_or_data_source", "page_or_data_source": {}});
    let filter = json!({"and": [{"property": "Status", "status": {"equals": "Done"}}, {"property": "Due", "date": {"on_or_before": "2026-05-01"}}]});
    let (result, request) = call(
        "NOTION_QUERY_DATABASE",
        json!({"data_source_id": DATA_SOURCE, "filter": filter, "sorts": [{"property": "Due", "direction": "ascending"}, {"timestamp": "last_edited_time", "direction": "descending"}], "page_size": 2, "start_cursor": "c-2"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_request(
        &request,
        "POST",
        &format!("{BASE}/data_sources/{DATA_SOURCE}/query"),
    );
    assert_eq!(
        request.json(),
        json!({"filter": filter, "sorts": [{"property": "Due", "direction": "ascending"}, {"timestamp": "last_edited_time", "direction": "descending"}], "page_size": 2, "start_cursor": "c-2"})
    );

    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "database", "id": DATABASE, "data_sources": [{"id": DATA_SOURCE, "name": "Tasks"}]}));
    transport.reply_json(200, answer);
    run("NOTION_QUERY_DATABASE", json!({"database_id": DATABASE})).unwrap();
    let requests = transport.requests();
    assert_request(&requests[0], "GET", &format!("{BASE}/databases/{DATABASE}"));
    assert_request(
        &requests[1],
        "POST",
        &format!("{BASE}/data_sources/{DATA_SOURCE}/query"),
    );
    assert_eq!(requests[1].json(), json!({"page_size": 20}));

    for input in [
        json!({}),
        json!({"data_source_id": DATA_SOURCE, "database_id": DATABASE}),
    ] {
        let transport = Transport::install();
        assert_eq!(
            run("NOTION_QUERY_DATABASE", input).unwrap_err(),
            Error::invalid_input("give exactly one of `data_source_id` and `database_id`")
        );
        assert!(transport.requests().is_empty());
    }
    let transport = Transport::install();
    let error = run(
        "NOTION_QUERY_DATABASE",
        json!({"data_source_id": DATA_SOURCE, "sorts": [{"direction": "ascending"}]}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input("each sort takes exactly one of `property` and `timestamp`")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn update_page_sets_title_properties_by_the_pages_types_and_archives() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "page", "id": PAGE, "properties": {
        "Name": {"id": "title", "type": "title", "title": []},
        "Status": {"id": "s", "type": "status", "status": {"id": "1", "name": "Not started", "color": "default"}},
        "Due": {"id": "d", "type": "date", "date": null},
        "Tags": {"id": "t", "type": "multi_select", "multi_select": [{"id": "c", "name": "Web", "color": "blue"}]}
    }}));
    transport.reply_json(200, json!({"object": "page", "id": PAGE, "in_trash": true}));
    let output = run(
        "NOTION_UPDATE_PAGE",
        json!({"page_id": PAGE, "title": "Renamed", "properties": {"Status": "Done", "Due": null, "Tags": null}, "archived": true, "icon": "✅"}),
    )
    .unwrap();
    assert_eq!(output["in_trash"], true);
    let requests = transport.requests();
    assert_request(&requests[0], "GET", &format!("{BASE}/pages/{PAGE}"));
    assert_request(&requests[1], "PATCH", &format!("{BASE}/pages/{PAGE}"));
    assert_eq!(
        requests[1].json(),
        json!({
            "properties": {
                "Status": {"status": {"name": "Done"}},
                "Due": {"date": null},
                "Tags": {"multi_select": []},
                "title": {"title": [{"type": "text", "text": {"content": "Renamed"}}]}
            },
            "in_trash": true,
            "icon": {"type": "emoji", "emoji": "✅"}
        })
    );

    // Archiving alone needs no read first.
    let (_, request) = call(
        "NOTION_UPDATE_PAGE",
        json!({"page_id": PAGE, "archived": false}),
        json!({"object": "page", "id": PAGE}),
    );
    assert_eq!(request.json(), json!({"in_trash": false}));

    let transport = Transport::install();
    assert_eq!(
        run("NOTION_UPDATE_PAGE", json!({"page_id": PAGE})).unwrap_err(),
        Error::invalid_input("nothing to change: give `title`, `properties`, `archived` or `icon`")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn after_connect_labels_the_account_with_its_workspace() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "user", "id": "bot-1", "name": "Acme helper", "type": "bot",
        "bot": {"owner": {"type": "workspace", "workspace": true}, "workspace_name": "Acme", "workspace_id": "ws-1"}}));
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("Acme"));
    assert_eq!(
        account.fields,
        [
            ("workspace_name".to_string(), "Acme".to_string()),
            ("workspace_id".to_string(), "ws-1".to_string())
        ]
    );
    assert_request(
        &transport.only_request(),
        "GET",
        &format!("{BASE}/users/me"),
    );
}

#[test]
fn an_internal_integration_token_is_the_alternative_and_works_the_same() {
    let info = actionhost_sdk::__private::dispatch::info(&provider());
    use actionhost_sdk::bindings::actionhost::provider::types::{ApiKeyPlacement, AuthKind};
    let AuthKind::Oauth2(oauth) = &info.auth else {
        panic!("OAuth 2 first: {:?}", info.auth)
    };
    assert_eq!(
        (
            oauth.authorize_url.as_str(),
            oauth.token_url.as_str(),
            oauth.pkce
        ),
        (
            "https://api.notion.com/v1/oauth/authorize",
            "https://api.notion.com/v1/oauth/token",
            false
        )
    );
    assert_eq!(
        oauth.extra_authorize_params,
        [("owner".to_string(), "user".to_string())]
    );
    assert!(oauth.default_scopes.is_empty());
    let [AuthKind::ApiKey(key)] = &info.alternative_auth[..] else {
        panic!("{:?}", info.alternative_auth)
    };
    assert_eq!(
        (key.placement, key.name.as_str(), key.prefix.as_deref()),
        (ApiKeyPlacement::Header, "Authorization", Some("Bearer "))
    );

    let transport = Transport::install();
    transport.reply_json(200, json!({"object": "page", "id": PAGE}));
    let ctx = Context::new("alice").with_credential(CredentialKind::ApiKey);
    testing::run(
        &provider(),
        "NOTION_GET_PAGE",
        json!({"page_id": PAGE}),
        &ctx,
    )
    .unwrap();
    assert_request(
        &transport.only_request(),
        "GET",
        &format!("{BASE}/pages/{PAGE}"),
    );
}

#[test]
fn every_schema_is_an_object_without_top_level_alternatives_or_one_of() {
    for action in provider().actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for key in ["oneOf", "anyOf", "allOf"] {
            assert!(schema.get(key).is_none(), "{} has {key}", action.name());
        }
        // OpenAI's strict tool schemas take `enum` and `anyOf`, not `oneOf`, at any depth.
        assert!(!schema.to_string().contains("oneOf"), "{}", action.name());
    }
}
