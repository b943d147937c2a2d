//! The bundled Google Docs plugin against a stand-in that checks every request with Docs' own
//! Discovery document (`docs.v1`): the exact `batchUpdate` bodies each edit sends, a document
//! read back as Markdown rather than its structural JSON, and how Google's error envelope reaches
//! the caller.

use actionhost::runtime::{ActionError, CallContext, CallError};
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, GOOGLE_DOCS, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_every_call_reaches, assert_refused, load_against, run_once,
};

const PLUGIN: &str = "google-docs.wasm";
const DOCUMENTS: &str = "https://www.googleapis.com/auth/documents";

fn alice() -> CallContext {
    alice_with("ya29.alice", &[DOCUMENTS])
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &GOOGLE_DOCS,
        PLUGIN,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

fn paragraph(start: u32, text: &str, style: &str) -> Value {
    let end = start + text.encode_utf16().count() as u32;
    json!({"startIndex": start, "endIndex": end, "paragraph": {
        "elements": [{"startIndex": start, "endIndex": end, "textRun": {"content": text, "textStyle": {}}}],
        "paragraphStyle": {"namedStyleType": style, "direction": "LEFT_TO_RIGHT"}}})
}

/// A document as `documents.get` answers it: a heading, a bulleted list item, body text, and a
/// last heading.
fn document() -> Value {
    let mut item = paragraph(19, "Agree on scope\n", "NORMAL_TEXT");
    item["paragraph"]["bullet"] = json!({"listId": "kix.list1", "textStyle": {"underline": false}});
    json!({
        "documentId": "1DocId", "title": "Kickoff notes", "revisionId": "ALm37BVt",
        "suggestionsViewMode": "SUGGESTIONS_INLINE",
        "body": {"content": [
            {"endIndex": 1, "sectionBreak": {"sectionStyle": {"columnSeparatorStyle": "NONE", "contentDirection": "LEFT_TO_RIGHT"}}},
            paragraph(1, "Kickoff\n", "HEADING_1"),
            paragraph(9, "Attendees\n", "NORMAL_TEXT"),
            item,
            paragraph(34, "Next steps\n", "HEADING_2")
        ]},
        "lists": {"kix.list1": {"listProperties": {"nestingLevels": [{"bulletAlignment": "START", "glyphSymbol": "●", "glyphFormat": "%0"}]}}},
        "documentStyle": {"background": {"color": {}}, "pageNumberStart": 1},
        "namedStyles": {"styles": []}
    })
}

fn batch_answer(replies: Value) -> Value {
    json!({"documentId": "1DocId", "replies": replies, "writeControl": {"requiredRevisionId": "ALm37BVu"}})
}

#[tokio::test]
async fn get_answers_markdown_with_id_title_and_revision_not_the_structural_json() {
    let (result, standin) = run(
        "docs_get",
        "GOOGLE_DOCS_GET_DOCUMENT",
        json!({"document_id": "1DocId"}),
        Fixture::new("GET", "/v1/documents/1DocId", Reply::json(200, document())),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "1DocId", "title": "Kickoff notes", "revision_id": "ALm37BVt",
               "url": "https://docs.google.com/document/d/1DocId/edit", "format": "markdown",
               "content": "# Kickoff\n\nAttendees\n\n- Agree on scope\n\n## Next steps",
               "headings": ["Kickoff", "Next steps"]})
    );
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.query.as_deref()),
        ("GET", None)
    );
    assert_eq!(request.header("authorization"), Some("Bearer ya29.alice"));
}

#[tokio::test]
async fn create_posts_the_title_then_inserts_the_initial_text() {
    let standin = GOOGLE_DOCS.session("docs_create");
    standin
        .answer(Fixture::new(
            "POST",
            "/v1/documents/1New:batchUpdate",
            Reply::json(200, batch_answer(json!([{}]))),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "POST",
            "/v1/documents",
            Reply::json(200, json!({"documentId": "1New", "title": "Retro", "revisionId": "r1",
                "body": {"content": [{"endIndex": 1, "sectionBreak": {}}, paragraph(1, "\n", "NORMAL_TEXT")]}})),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_DOCS_CREATE_DOCUMENT",
            &json!({"title": "Retro", "text": "What went well\n"}),
            &alice(),
        )
        .await;
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "1New", "title": "Retro", "revision_id": "ALm37BVu",
               "url": "https://docs.google.com/document/d/1New/edit"})
    );
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].json(), json!({"title": "Retro"}));
    assert_eq!(
        requests[1].json(),
        json!({"requests": [{"insertText": {"location": {"index": 1}, "text": "What went well\n"}}]})
    );
}

#[tokio::test]
async fn insert_under_a_heading_writes_at_the_revision_it_read() {
    let standin = GOOGLE_DOCS.session("docs_insert_heading");
    standin
        .answer(Fixture::new(
            "POST",
            "/v1/documents/1DocId:batchUpdate",
            Reply::json(200, batch_answer(json!([{}, {}]))),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/v1/documents/1DocId",
            Reply::json(200, document()),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_DOCS_INSERT_TEXT",
            &json!({"document_id": "1DocId", "text": "Send the summary", "heading": "kickoff"}),
            &alice(),
        )
        .await;
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "1DocId", "revision_id": "ALm37BVu"})
    );
    let requests = standin.requests().await;
    assert_eq!(
        requests[1].json(),
        json!({"requests": [
            {"insertText": {"location": {"index": 9}, "text": "Send the summary\n"}},
            {"updateParagraphStyle": {"range": {"startIndex": 9, "endIndex": 25},
                "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}, "fields": "namedStyleType"}}
        ], "writeControl": {"requiredRevisionId": "ALm37BVt"}})
    );
}

#[tokio::test]
async fn replace_answers_the_count_of_occurrences() {
    let (result, standin) = run(
        "docs_replace",
        "GOOGLE_DOCS_REPLACE_TEXT",
        json!({"document_id": "1DocId", "find": "{{customer}}", "replace_with": "Acme"}),
        Fixture::new(
            "POST",
            "/v1/documents/1DocId:batchUpdate",
            Reply::json(
                200,
                batch_answer(json!([{"replaceAllText": {"occurrencesChanged": 4}}])),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"document_id": "1DocId", "occurrences_changed": 4, "revision_id": "ALm37BVu"})
    );
    assert_eq!(
        standin.single().await.json(),
        json!({"requests": [{"replaceAllText": {"containsText": {"text": "{{customer}}", "matchCase": true}, "replaceText": "Acme"}}]})
    );
}

#[tokio::test]
async fn googles_errors_map_to_the_contracts_codes() {
    let error = |code: u16, status: &str, reason: &str, message: &str| {
        json!({"error": {"code": code, "message": message, "status": status,
            "errors": [{"message": message, "domain": "global", "reason": reason}]}})
    };
    let cases = [
        Reply::json(
            401,
            error(
                401,
                "UNAUTHENTICATED",
                "authError",
                "Request had invalid authentication credentials.",
            ),
        ),
        Reply::json(
            404,
            error(
                404,
                "NOT_FOUND",
                "notFound",
                "Requested entity was not found.",
            ),
        ),
        Reply::json(
            429,
            error(
                429,
                "RESOURCE_EXHAUSTED",
                "rateLimitExceeded",
                "Quota exceeded.",
            ),
        )
        .header("retry-after", "30"),
        Reply::json(
            400,
            error(
                400,
                "INVALID_ARGUMENT",
                "badRequest",
                "Invalid requests[0].insertText: Index 90 must be less than the end index of the referenced segment, 46.",
            ),
        ),
    ];
    let mut outcomes = Vec::new();
    for (i, reply) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("docs_error_{i}"),
            "GOOGLE_DOCS_INSERT_TEXT",
            json!({"document_id": "1DocId", "text": "x", "index": 90}),
            Fixture::new("POST", "/v1/documents/1DocId:batchUpdate", reply),
        )
        .await;
        standin.assert_no_violations().await;
        outcomes.push(result.unwrap_err());
    }
    assert_eq!(
        outcomes[0],
        CallError::Action(ActionError::Unauthorized(
            "Request had invalid authentication credentials.".into()
        ))
    );
    assert_eq!(
        outcomes[1],
        CallError::Action(ActionError::NotFound(
            "Requested entity was not found.".into()
        ))
    );
    assert_eq!(
        outcomes[2],
        CallError::Action(ActionError::RateLimited {
            message: "Quota exceeded.".into(),
            retry_after_seconds: Some(30)
        })
    );
    assert!(
        matches!(&outcomes[3], CallError::Action(ActionError::Upstream { status: 400, message, .. }) if message.starts_with("Invalid requests[0].insertText")),
        "{:?}",
        outcomes[3]
    );
}

/// Every action once, each request checked against Docs' Discovery document and named by the
/// method it reached.
#[tokio::test]
async fn every_action_sends_what_docs_discovery_document_accepts() {
    let standin = GOOGLE_DOCS.session("docs_every_action");
    standin
        .answer(Fixture::new(
            "POST",
            "/v1/documents/1DocId:batchUpdate",
            Reply::json(200, batch_answer(json!([{}]))),
        ))
        .await;
    standin
        .answer(Fixture::any(Reply::json(200, document())))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let calls: Vec<Call> = vec![
        (
            "GOOGLE_DOCS_CREATE_DOCUMENT",
            json!({"title": "T", "text": "hello"}),
            &["docs.documents.create", "docs.documents.batchUpdate"],
        ),
        (
            "GOOGLE_DOCS_GET_DOCUMENT",
            json!({"document_id": "1DocId", "format": "text"}),
            &["docs.documents.get"],
        ),
        (
            "GOOGLE_DOCS_APPEND_TEXT",
            json!({"document_id": "1DocId", "text": "bye"}),
            &["docs.documents.batchUpdate"],
        ),
        (
            "GOOGLE_DOCS_INSERT_TEXT",
            json!({"document_id": "1DocId", "text": "after", "heading": "Next steps"}),
            &["docs.documents.get", "docs.documents.batchUpdate"],
        ),
        (
            "GOOGLE_DOCS_REPLACE_TEXT",
            json!({"document_id": "1DocId", "find": "a", "replace_with": "b", "match_case": false}),
            &["docs.documents.batchUpdate"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
}

const BEARER: (&str, &str) = ("authorization", "Bearer ya29.alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Docs' Discovery document refuses, close to what the plugin sends.
#[tokio::test]
async fn docs_document_refuses_what_docs_would() {
    assert_refused(
        &GOOGLE_DOCS,
        "docs_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/v1/documents/1DocId:batchUpdate",
                headers: &[BEARER, JSON],
                body: r#"{"requests": [{"insertText": {"location": {"index": "start"}, "text": "x"}}]}"#,
                because: "index",
            },
            Refused {
                method: "POST",
                path_and_query: "/v1/documents/1DocId:batchUpdate",
                headers: &[BEARER, JSON],
                body: r#"{"requests": [{"replaceAllText": {"containsText": {"text": "a", "matchcase": true}, "replaceText": "b"}}]}"#,
                because: "matchcase",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/documents/1DocId?format=markdown",
                headers: &[BEARER],
                body: "",
                because: "format",
            },
        ],
    )
    .await;
}
