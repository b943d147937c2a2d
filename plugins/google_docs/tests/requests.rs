//! The exact requests every Google Docs action sends (method, path, headers, `batchUpdate`
//! body), how a document's structural JSON reads as Markdown and text, and how Google's error
//! envelope maps to errors, run natively against the SDK's test transport.

use actionhost_plugin_google_docs::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

fn run(action: &str, input: Value) -> Result<Value, Error> {
    testing::run(&provider(), action, input, &Context::new("alice"))
}

fn call(action: &str, input: Value, answer: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let result = run(action, input);
    (result, transport.only_request())
}

fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
        "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

fn paragraph(start: u32, text: &str, style: &str) -> Value {
    let end = start + text.encode_utf16().count() as u32;
    json!({"startIndex": start, "endIndex": end, "paragraph": {
        "elements": [{"startIndex": start, "endIndex": end, "textRun": {"content": text, "textStyle": {}}}],
        "paragraphStyle": {"namedStyleType": style, "direction": "LEFT_TO_RIGHT"}}})
}

/// A document as `documents.get` answers it: a title, a heading with a bulleted and a numbered
/// list, styled runs and a link, a table, and a last heading.
fn document() -> Value {
    let mut bullet = paragraph(25, "Milk\n", "NORMAL_TEXT");
    bullet["paragraph"]["bullet"] = json!({"listId": "kix.bullets", "textStyle": {}});
    let mut numbered = paragraph(30, "Open the door\n", "NORMAL_TEXT");
    numbered["paragraph"]["bullet"] = json!({"listId": "kix.numbers", "nestingLevel": 0});
    let styled = json!({"startIndex": 44, "endIndex": 66, "paragraph": {
        "elements": [
            {"startIndex": 44, "endIndex": 49, "textRun": {"content": "Read ", "textStyle": {}}},
            {"startIndex": 49, "endIndex": 58, "textRun": {"content": "the spec ", "textStyle": {"bold": true}}},
            {"startIndex": 58, "endIndex": 62, "textRun": {"content": "here", "textStyle": {"italic": true, "link": {"url": "https://example.com/spec"}, "underline": true}}},
            {"startIndex": 62, "endIndex": 66, "textRun": {"content": " ok\n", "textStyle": {}}}
        ],
        "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}}});
    let table = json!({"startIndex": 66, "endIndex": 90, "table": {"rows": 2, "columns": 2, "tableRows": [
        {"tableCells": [{"content": [paragraph(68, "Name\n", "NORMAL_TEXT")]}, {"content": [paragraph(74, "Qty\n", "NORMAL_TEXT")]}]},
        {"tableCells": [{"content": [paragraph(79, "Eggs\n", "NORMAL_TEXT")]}, {"content": [paragraph(85, "12\n", "NORMAL_TEXT")]}]}
    ]}});
    json!({
        "documentId": "doc1",
        "title": "Shopping",
        "revisionId": "rev-7",
        "body": {"content": [
            {"endIndex": 1, "sectionBreak": {"sectionStyle": {"columnSeparatorStyle": "NONE"}}},
            paragraph(1, "Shopping\n", "TITLE"),
            paragraph(10, "\n", "NORMAL_TEXT"),
            paragraph(11, "Groceries\n", "HEADING_1"),
            paragraph(21, "Buy\n", "NORMAL_TEXT"),
            bullet,
            numbered,
            styled,
            table,
            paragraph(90, "Next steps\n", "HEADING_2")
        ]},
        "lists": {
            "kix.bullets": {"listProperties": {"nestingLevels": [{"glyphSymbol": "●", "glyphFormat": "%0"}]}},
            "kix.numbers": {"listProperties": {"nestingLevels": [{"glyphType": "DECIMAL", "glyphFormat": "%0."}]}}
        },
        "documentStyle": {"pageSize": {"height": {"magnitude": 792, "unit": "PT"}}},
        "namedStyles": {"styles": []}
    })
}

#[test]
fn get_reads_the_document_as_markdown_with_headings_lists_marks_and_tables() {
    let (result, request) = call(
        "GOOGLE_DOCS_GET_DOCUMENT",
        json!({"document_id": "doc1"}),
        document(),
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", "https://docs.googleapis.com/v1/documents/doc1")
    );
    assert_eq!(request.body, None);
    let markdown = "# Shopping\n\n# Groceries\n\nBuy\n\n- Milk\n1. Open the door\n\n\
        Read **the spec** [_here_](https://example.com/spec) ok\n\n\
        | Name | Qty |\n| --- | --- |\n| Eggs | 12 |\n\n## Next steps";
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "doc1", "title": "Shopping", "revision_id": "rev-7",
               "url": "https://docs.google.com/document/d/doc1/edit", "format": "markdown",
               "content": markdown, "headings": ["Shopping", "Groceries", "Next steps"]})
    );
}

#[test]
fn get_reads_the_document_as_plain_text() {
    let (result, _) = call(
        "GOOGLE_DOCS_GET_DOCUMENT",
        json!({"document_id": "doc1", "format": "text"}),
        document(),
    );
    let text = "Shopping\n\nGroceries\n\nBuy\n\n* Milk\n* Open the door\n\n\
        Read the spec here ok\n\nName\tQty\nEggs\t12\n\nNext steps";
    assert_eq!(result.unwrap()["content"], text);
}

#[test]
fn create_posts_the_title_then_inserts_the_text_at_the_start() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"documentId": "new1", "title": "Notes", "revisionId": "r1",
        "body": {"content": [{"endIndex": 1, "sectionBreak": {}}, paragraph(1, "\n", "NORMAL_TEXT")]}}));
    transport.reply_json(200, json!({"documentId": "new1", "replies": [{}], "writeControl": {"requiredRevisionId": "r2"}}));
    let output = run(
        "GOOGLE_DOCS_CREATE_DOCUMENT",
        json!({"title": "Notes", "text": "Hello\nWorld"}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"document_id": "new1", "title": "Notes", "revision_id": "r2",
               "url": "https://docs.google.com/document/d/new1/edit"})
    );
    let requests = transport.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.as_str()),
        ("POST", "https://docs.googleapis.com/v1/documents")
    );
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    assert_eq!(requests[0].json(), json!({"title": "Notes"}));
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.as_str()),
        (
            "POST",
            "https://docs.googleapis.com/v1/documents/new1:batchUpdate"
        )
    );
    assert_eq!(
        requests[1].json(),
        json!({"requests": [{"insertText": {"location": {"index": 1}, "text": "Hello\nWorld"}}]})
    );
}

#[test]
fn create_without_text_sends_one_request() {
    let (result, request) = call(
        "GOOGLE_DOCS_CREATE_DOCUMENT",
        json!({"title": "Empty"}),
        json!({"documentId": "new2", "title": "Empty", "revisionId": "r1"}),
    );
    assert_eq!(result.unwrap()["revision_id"], "r1");
    assert_eq!(request.json(), json!({"title": "Empty"}));
}

#[test]
fn append_inserts_a_new_paragraph_at_the_end_of_the_body() {
    let (result, request) = call(
        "GOOGLE_DOCS_APPEND_TEXT",
        json!({"document_id": "doc1", "text": "Done."}),
        json!({"documentId": "doc1", "replies": [{}], "writeControl": {"requiredRevisionId": "rev-8"}}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "doc1", "revision_id": "rev-8"})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v1/documents/doc1:batchUpdate")
    );
    assert_eq!(
        request.json(),
        json!({"requests": [{"insertText": {"endOfSegmentLocation": {}, "text": "\nDone."}}]})
    );

    let (_, request) = call(
        "GOOGLE_DOCS_APPEND_TEXT",
        json!({"document_id": "doc1", "text": " and more", "new_paragraph": false}),
        json!({"documentId": "doc1", "replies": [{}]}),
    );
    assert_eq!(
        request.json()["requests"][0]["insertText"]["text"],
        " and more"
    );
}

#[test]
fn insert_at_an_index_sends_one_batch_update() {
    let (result, request) = call(
        "GOOGLE_DOCS_INSERT_TEXT",
        json!({"document_id": "doc1", "text": "Draft: ", "index": 1}),
        json!({"documentId": "doc1", "replies": [{}], "writeControl": {"requiredRevisionId": "rev-8"}}),
    );
    assert_eq!(result.unwrap()["revision_id"], "rev-8");
    assert_eq!(
        request.json(),
        json!({"requests": [{"insertText": {"location": {"index": 1}, "text": "Draft: "}}]})
    );
}

#[test]
fn insert_under_a_heading_reads_the_document_then_writes_at_the_revision_it_read() {
    let transport = Transport::install();
    transport.reply_json(200, document());
    transport.reply_json(200, json!({"documentId": "doc1", "replies": [{}, {}], "writeControl": {"requiredRevisionId": "rev-8"}}));
    let output = run(
        "GOOGLE_DOCS_INSERT_TEXT",
        json!({"document_id": "doc1", "text": "Bread\n", "heading": " groceries "}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"document_id": "doc1", "revision_id": "rev-8"})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        ("GET", "/v1/documents/doc1")
    );
    assert_eq!(
        requests[1].json(),
        json!({"requests": [
            {"insertText": {"location": {"index": 21}, "text": "Bread\n"}},
            {"updateParagraphStyle": {"range": {"startIndex": 21, "endIndex": 26},
                "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}, "fields": "namedStyleType"}}
        ], "writeControl": {"requiredRevisionId": "rev-7"}})
    );
}

#[test]
fn insert_under_the_last_heading_breaks_its_paragraph_at_the_end() {
    let transport = Transport::install();
    transport.reply_json(200, document());
    transport.reply_json(200, json!({"documentId": "doc1", "replies": [{}, {}]}));
    run(
        "GOOGLE_DOCS_INSERT_TEXT",
        json!({"document_id": "doc1", "text": "Call Bob", "heading": "Next steps"}),
    )
    .unwrap();
    assert_eq!(
        transport.requests()[1].json()["requests"],
        json!([
            {"insertText": {"endOfSegmentLocation": {}, "text": "\nCall Bob"}},
            {"updateParagraphStyle": {"range": {"startIndex": 101, "endIndex": 109},
                "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}, "fields": "namedStyleType"}}
        ])
    );
}

#[test]
fn insert_names_the_headings_when_the_one_asked_for_is_missing() {
    let transport = Transport::install();
    transport.reply_json(200, document());
    let error = run(
        "GOOGLE_DOCS_INSERT_TEXT",
        json!({"document_id": "doc1", "text": "x", "heading": "Budget"}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input(
            r#"no heading "Budget" in the document; its headings are ["Shopping", "Groceries", "Next steps"]"#
        )
    );
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn insert_needs_exactly_one_of_heading_and_index() {
    for input in [
        json!({"document_id": "doc1", "text": "x"}),
        json!({"document_id": "doc1", "text": "x", "index": 1, "heading": "Groceries"}),
    ] {
        let transport = Transport::install();
        let error = run("GOOGLE_DOCS_INSERT_TEXT", input).unwrap_err();
        assert_eq!(
            error,
            Error::invalid_input("give exactly one of `heading` and `index`")
        );
        assert!(transport.requests().is_empty());
    }
}

#[test]
fn replace_answers_the_number_of_occurrences() {
    let (result, request) = call(
        "GOOGLE_DOCS_REPLACE_TEXT",
        json!({"document_id": "doc1", "find": "{{name}}", "replace_with": "Ada", "match_case": false}),
        json!({"documentId": "doc1", "replies": [{"replaceAllText": {"occurrencesChanged": 3}}],
               "writeControl": {"requiredRevisionId": "rev-9"}}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "doc1", "occurrences_changed": 3, "revision_id": "rev-9"})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v1/documents/doc1:batchUpdate")
    );
    assert_eq!(
        request.json(),
        json!({"requests": [{"replaceAllText": {"containsText": {"text": "{{name}}", "matchCase": false}, "replaceText": "Ada"}}]})
    );
}

#[test]
fn replace_with_no_match_answers_zero() {
    // Google leaves `occurrencesChanged` out when it is 0.
    let (result, request) = call(
        "GOOGLE_DOCS_REPLACE_TEXT",
        json!({"document_id": "doc1", "find": "zzz", "replace_with": ""}),
        json!({"documentId": "doc1", "replies": [{"replaceAllText": {}}]}),
    );
    assert_eq!(result.unwrap()["occurrences_changed"], 0);
    assert_eq!(
        request.json()["requests"][0]["replaceAllText"]["containsText"]["matchCase"],
        true
    );
}

#[test]
fn a_refused_credential_is_not_connected() {
    let transport = Transport::install();
    transport.reply_json(
        401,
        google_error(
            401,
            "UNAUTHENTICATED",
            "authError",
            "Request had invalid authentication credentials.",
        ),
    );
    let error = run("GOOGLE_DOCS_GET_DOCUMENT", json!({"document_id": "doc1"})).unwrap_err();
    assert_eq!(
        error,
        Error::unauthorized("Request had invalid authentication credentials.")
    );
}

#[test]
fn a_missing_document_is_not_found() {
    let transport = Transport::install();
    transport.reply_json(
        404,
        google_error(
            404,
            "NOT_FOUND",
            "notFound",
            "Requested entity was not found.",
        ),
    );
    let error = run(
        "GOOGLE_DOCS_APPEND_TEXT",
        json!({"document_id": "nope", "text": "x"}),
    )
    .unwrap_err();
    assert_eq!(error, Error::not_found("Requested entity was not found."));
}

#[test]
fn rate_limits_are_rate_limited_with_the_retry_delay() {
    let transport = Transport::install();
    let body = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "rateLimitExceeded",
        "Quota exceeded for quota metric 'Write requests'.",
    );
    transport.reply(
        429,
        &[("content-type", "application/json"), ("retry-after", "30")],
        body.to_string(),
    );
    let error = run(
        "GOOGLE_DOCS_REPLACE_TEXT",
        json!({"document_id": "d", "find": "a", "replace_with": "b"}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::rate_limited(
            "Quota exceeded for quota metric 'Write requests'.",
            Some(30)
        )
    );

    let transport = Transport::install();
    transport.reply_json(
        403,
        google_error(
            403,
            "PERMISSION_DENIED",
            "userRateLimitExceeded",
            "User rate limit exceeded.",
        ),
    );
    let error = run("GOOGLE_DOCS_GET_DOCUMENT", json!({"document_id": "d"})).unwrap_err();
    assert_eq!(
        error,
        Error::rate_limited("User rate limit exceeded.", None)
    );
}

#[test]
fn other_errors_are_upstream_errors_with_googles_message() {
    let transport = Transport::install();
    let message = "Invalid requests[0].insertText: Index 500 must be less than the end index of the referenced segment, 102.";
    transport.reply_json(
        400,
        google_error(400, "INVALID_ARGUMENT", "badRequest", message),
    );
    let error = run(
        "GOOGLE_DOCS_INSERT_TEXT",
        json!({"document_id": "d", "text": "x", "index": 500}),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 400, message: m, .. } if m == message),
        "{error:?}"
    );
    let transport = Transport::install();
    transport.reply_json(
        403,
        google_error(
            403,
            "PERMISSION_DENIED",
            "forbidden",
            "The caller does not have permission",
        ),
    );
    let error = run("GOOGLE_DOCS_GET_DOCUMENT", json!({"document_id": "d"})).unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 403, .. }),
        "{error:?}"
    );
}

#[test]
fn hints_scopes_and_schemas() {
    let provider = provider();
    let action = |name: &str| provider.find(name).unwrap();
    assert!(action("GOOGLE_DOCS_GET_DOCUMENT").hints().read_only);
    assert!(action("GOOGLE_DOCS_REPLACE_TEXT").hints().destructive);
    assert!(!action("GOOGLE_DOCS_APPEND_TEXT").hints().read_only);
    let scope = |s: &str| format!("https://www.googleapis.com/auth/{s}");
    assert_eq!(
        action("GOOGLE_DOCS_GET_DOCUMENT").required_scopes(),
        [[
            "documents.readonly",
            "documents",
            "drive.readonly",
            "drive.file",
            "drive"
        ]
        .map(scope)
        .to_vec()]
    );
    assert_eq!(
        action("GOOGLE_DOCS_INSERT_TEXT").required_scopes(),
        [["documents", "drive.file", "drive"].map(scope).to_vec()]
    );
    for action in provider.actions() {
        let schema = action.input_schema();
        for combinator in ["oneOf", "anyOf", "allOf"] {
            assert!(
                schema.get(combinator).is_none(),
                "{} has {combinator}",
                action.name()
            );
        }
    }
    let get = action("GOOGLE_DOCS_GET_DOCUMENT");
    assert!(get.input_schema().to_string().contains(r#""markdown""#));
    let output = get.output_schema().unwrap();
    assert!(output["properties"]["content"].is_object(), "{output}");
}
