//! The bundled Gmail plugin against a stand-in that checks every request with Gmail's own
//! Discovery document (`gmail.v1`, from `google-api-python-client`): method and path template,
//! typed and declared query parameters, the JSON body against the method's request schema, and
//! the media upload path (`/upload/...?uploadType=multipart`, a `multipart/related` body whose
//! first part is the metadata). Answers are fixtures shaped like those in Gmail's reference
//! docs; Google's error envelope reaches the caller as the contract's errors.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, GMAIL, Session};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const MODIFY: &str = "https://www.googleapis.com/auth/gmail.modify";

async fn gmail(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, "gmail.wasm").await
}

fn alice() -> CallContext {
    alice_with("ya29.alice-token", &[MODIFY])
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &GMAIL,
        "gmail.wasm",
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

/// A message resource as `users.messages.send`, `modify` and `trash` answer it.
fn sent(id: &str, thread: &str, labels: &[&str]) -> Value {
    json!({"id": id, "threadId": thread, "labelIds": labels})
}

/// The RFC 5322 text inside a base64url `raw` field.
fn raw_text(raw: &Value) -> String {
    let raw = raw.as_str().expect("raw is a string");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .expect("raw is unpadded base64url");
    String::from_utf8(bytes).expect("the message is ASCII")
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some("Bearer ya29.alice-token")
    );
}

fn json_body(request: &Recorded) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn send_email_posts_a_raw_message_that_gmails_description_accepts() {
    let (result, standin) = run(
        "send_email",
        "GMAIL_SEND_EMAIL",
        json!({
            "to": ["ada@example.com"],
            "cc": ["charles@example.com"],
            "subject": "Quarterly numbers",
            "body": "The table is attached.",
            "attachments": [{"filename": "q3.csv", "mime_type": "text/csv", "content_base64": "YSxiCjEsMgo="}],
        }),
        Fixture::operation(
            "gmail.users.messages.send",
            Reply::json(200, sent("18c2f0a1b2c3d4e5", "18c2f0a1b2c3d4e5", &["SENT"])),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["labelIds"], json!(["SENT"]));
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/gmail/v1/users/me/messages/send")
    );
    assert_eq!(request.query, None);
    assert_bearer(&request);
    let body = json_body(&request);
    assert_eq!(body.as_object().unwrap().len(), 1, "only raw: {body}");
    let message = raw_text(&body["raw"]);
    assert!(message.contains("To: <ada@example.com>\r\n"), "{message}");
    assert!(
        message.contains("Cc: <charles@example.com>\r\n"),
        "{message}"
    );
    assert!(
        message.contains("Subject: Quarterly numbers\r\n"),
        "{message}"
    );
    assert!(message.contains("The table is attached."), "{message}");
    assert!(
        message.contains("Content-Type: text/csv\r\nContent-Disposition: attachment; filename=\"q3.csv\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na,b=0A1,2=0A\r\n"),
        "{message}"
    );
}

#[tokio::test]
async fn a_message_over_5_mib_goes_through_the_upload_path() {
    let big = base64::engine::general_purpose::STANDARD.encode(vec![b'x'; 5 * 1024 * 1024]);
    let (result, standin) = run(
        "send_upload",
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "subject": "Scans", "body": "attached",
               "attachments": [{"filename": "scan.pdf", "mime_type": "application/pdf", "content_base64": big}]}),
        Fixture::operation(
            "gmail.users.messages.send",
            Reply::json(200, sent("18c3", "18c3", &["SENT"])),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["id"], "18c3");
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/upload/gmail/v1/users/me/messages/send")
    );
    assert_eq!(request.query.as_deref(), Some("uploadType=multipart"));
    assert_bearer(&request);
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .expect(content_type);
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.starts_with(&format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{}}\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
    )));
    assert!(body.contains("Subject: Scans\r\n"));
    assert!(body.len() > 5 * 1024 * 1024 * 4 / 3, "the whole attachment");
}

#[tokio::test]
async fn create_draft_then_send_it() {
    let standin = GMAIL.session("drafts");
    standin
        .answer(Fixture::operation(
            "gmail.users.drafts.create",
            Reply::json(200, json!({"id": "r-4821", "message": {"id": "18c4", "threadId": "18c4", "labelIds": ["DRAFT"]}})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.drafts.send",
            Reply::json(200, sent("18c4", "18c4", &["SENT"])),
        ))
        .await;
    let (runtime, plugin) = gmail(&standin).await;
    let (draft, _) = runtime
        .execute(
            &plugin,
            "GMAIL_CREATE_DRAFT",
            &json!({"to": ["ada@example.com"], "subject": "Draft", "html_body": "<p>Later</p>"}),
            &alice(),
        )
        .await;
    let draft_id = draft.unwrap()["id"].clone();
    assert_eq!(draft_id, "r-4821");
    let (sent_draft, _) = runtime
        .execute(
            &plugin,
            "GMAIL_SEND_DRAFT",
            &json!({"draft_id": draft_id}),
            &alice(),
        )
        .await;
    assert_eq!(sent_draft.unwrap()["labelIds"], json!(["SENT"]));
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/gmail/v1/users/me/drafts")
    );
    let created = json_body(&requests[0]);
    assert!(raw_text(&created["message"]["raw"]).contains("<p>Later</p>"));
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("POST", "/gmail/v1/users/me/drafts/send")
    );
    assert_eq!(json_body(&requests[1]), json!({"id": "r-4821"}));
}

#[tokio::test]
async fn reply_reads_the_original_and_sends_in_its_thread() {
    let standin = GMAIL.session("reply");
    standin
        .answer(Fixture::operation(
            "gmail.users.messages.get",
            Reply::json(
                200,
                json!({
                    "id": "18c1", "threadId": "th-77", "labelIds": ["INBOX"],
                    "payload": {"mimeType": "multipart/alternative", "headers": [
                        {"name": "From", "value": "Ada Lovelace <ada@example.com>"},
                        {"name": "To", "value": "alice@example.com"},
                        {"name": "Subject", "value": "Lunch?"},
                        {"name": "Message-ID", "value": "<CAOa1@mail.gmail.com>"},
                    ]}
                }),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.getProfile",
            Reply::json(200, json!({"emailAddress": "alice@example.com", "messagesTotal": 1200, "threadsTotal": 800, "historyId": "5521"})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.messages.send",
            Reply::json(200, sent("18c9", "th-77", &["SENT"])),
        ))
        .await;
    let (runtime, plugin) = gmail(&standin).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "GMAIL_REPLY_TO_MESSAGE",
            &json!({"message_id": "18c1", "body": "Noon works."}),
            &alice(),
        )
        .await;
    assert_eq!(result.unwrap()["threadId"], "th-77");
    assert_eq!(report.upstream_calls, 3);
    let requests = standin.requests().await;
    assert_eq!(requests[0].path, "/gmail/v1/users/me/messages/18c1");
    assert_eq!(
        requests[0].query.as_deref(),
        Some(
            "format=metadata&metadataHeaders=From&metadataHeaders=To&metadataHeaders=Cc&metadataHeaders=Reply-To&metadataHeaders=Subject&metadataHeaders=Message-ID&metadataHeaders=References"
        )
    );
    assert_eq!(requests[1].path, "/gmail/v1/users/me/profile");
    let body = json_body(&requests[2]);
    assert_eq!(body["threadId"], "th-77");
    let message = raw_text(&body["raw"]);
    assert!(
        message.contains("To: \"Ada Lovelace\" <ada@example.com>\r\n"),
        "{message}"
    );
    assert!(message.contains("Subject: Re: Lunch?\r\n"), "{message}");
    assert!(
        message.contains("In-Reply-To: <CAOa1@mail.gmail.com>\r\n"),
        "{message}"
    );
    assert!(
        message.contains("References: <CAOa1@mail.gmail.com>\r\n"),
        "{message}"
    );
}

#[tokio::test]
async fn list_messages_searches_and_fetches_the_second_page_with_the_token() {
    let standin = GMAIL.session("list_pages");
    standin
        .answer(
            Fixture::operation(
                "gmail.users.messages.list",
                Reply::json(200, json!({"messages": [{"id": "18b1", "threadId": "18b1"}], "resultSizeEstimate": 2})),
            )
            .with_query("pageToken", "08172535923411432373"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.messages.list",
            Reply::json(200, json!({"messages": [{"id": "18c1", "threadId": "th-77"}], "nextPageToken": "08172535923411432373", "resultSizeEstimate": 2})),
        ))
        .await;
    let (runtime, plugin) = gmail(&standin).await;
    let params =
        json!({"q": "from:ada@example.com is:unread", "label_ids": ["INBOX"], "max_results": 1});
    let (first, _) = runtime
        .execute(&plugin, "GMAIL_LIST_MESSAGES", &params, &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(first["messages"][0]["id"], "18c1");
    let mut next = params.clone();
    next["page_token"] = first["nextPageToken"].clone();
    let (second, _) = runtime
        .execute(&plugin, "GMAIL_LIST_MESSAGES", &next, &alice())
        .await;
    let second = second.unwrap();
    assert_eq!(second["messages"][0]["id"], "18b1");
    assert_eq!(second.get("nextPageToken"), None);
    let queries: Vec<Option<String>> = standin
        .requests()
        .await
        .into_iter()
        .map(|r| r.query)
        .collect();
    let q = "q=from%3Aada%40example.com%20is%3Aunread&labelIds=INBOX&maxResults=1";
    assert_eq!(
        queries,
        [
            Some(q.to_string()),
            Some(format!("{q}&pageToken=08172535923411432373"))
        ]
    );
}

/// `users.messages.get?format=full` for a message with text and HTML alternatives and a PDF,
/// shaped like the example in Gmail's reference.
fn full_message() -> Value {
    let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    json!({
        "id": "18c2f0a1b2c3d4e5",
        "threadId": "18c2f0a1b2c3d4e5",
        "labelIds": ["INBOX", "UNREAD"],
        "snippet": "Please find the invoice attached",
        "historyId": "5523",
        "internalDate": "1706602500000",
        "sizeEstimate": 52311,
        "payload": {
            "partId": "", "mimeType": "multipart/mixed", "filename": "",
            "headers": [
                {"name": "From", "value": "Billing <billing@example.com>"},
                {"name": "To", "value": "alice@example.com"},
                {"name": "Subject", "value": "Invoice 2024-01"},
                {"name": "Date", "value": "Tue, 30 Jan 2024 09:15:00 +0100"},
            ],
            "body": {"size": 0},
            "parts": [
                {"partId": "0", "mimeType": "multipart/alternative", "filename": "", "headers": [], "body": {"size": 0}, "parts": [
                    {"partId": "0.0", "mimeType": "text/plain", "filename": "", "headers": [{"name": "Content-Type", "value": "text/plain; charset=\"UTF-8\""}],
                     "body": {"size": 32, "data": b64("Please find the invoice attached")}},
                    {"partId": "0.1", "mimeType": "text/html", "filename": "", "headers": [{"name": "Content-Type", "value": "text/html; charset=\"UTF-8\""}],
                     "body": {"size": 39, "data": b64("<p>Please find the invoice attached</p>")}},
                ]},
                {"partId": "1", "mimeType": "application/pdf", "filename": "invoice.pdf",
                 "headers": [{"name": "Content-Disposition", "value": "attachment; filename=\"invoice.pdf\""}],
                 "body": {"attachmentId": "ANGjdJ_2xG3WOiLh", "size": 51234}},
            ]
        }
    })
}

#[tokio::test]
async fn get_message_returns_the_decoded_message() {
    let (result, standin) = run(
        "get_message",
        "GMAIL_GET_MESSAGE",
        json!({"message_id": "18c2f0a1b2c3d4e5"}),
        Fixture::operation("gmail.users.messages.get", Reply::json(200, full_message())),
    )
    .await;
    let message = result.unwrap();
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        (
            "GET",
            "/gmail/v1/users/me/messages/18c2f0a1b2c3d4e5",
            Some("format=full")
        )
    );
    assert_eq!(message["subject"], "Invoice 2024-01");
    assert_eq!(message["from"], "Billing <billing@example.com>");
    assert_eq!(message["text_body"], "Please find the invoice attached");
    assert_eq!(
        message["html_body"],
        "<p>Please find the invoice attached</p>"
    );
    assert_eq!(message["internal_date_ms"], 1706602500000u64);
    assert_eq!(
        message["attachments"],
        json!([{"attachment_id": "ANGjdJ_2xG3WOiLh", "filename": "invoice.pdf", "mime_type": "application/pdf", "size_bytes": 51234, "inline": false}])
    );
}

#[tokio::test]
async fn get_attachment_returns_standard_base64() {
    let (result, standin) = run(
        "get_attachment",
        "GMAIL_GET_ATTACHMENT",
        json!({"message_id": "18c2f0a1b2c3d4e5", "attachment_id": "ANGjdJ_2xG3WOiLh"}),
        Fixture::operation(
            "gmail.users.messages.attachments.get",
            // `%PDF-1.7\n` with a byte that base64url and base64 write differently.
            Reply::json(
                200,
                json!({"attachmentId": "ANGjdJ_2xG3WOiLh", "size": 10, "data": "JVBERi0xLjcK_w"}),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"content_base64": "JVBERi0xLjcK/w==", "size_bytes": 10, "content_type": null})
    );
    assert_eq!(
        standin.single().await.path,
        "/gmail/v1/users/me/messages/18c2f0a1b2c3d4e5/attachments/ANGjdJ_2xG3WOiLh"
    );
}

#[tokio::test]
async fn modify_labels_archives_and_marks_read() {
    let (result, standin) = run(
        "modify_labels",
        "GMAIL_MODIFY_LABELS",
        json!({"message_id": "18c1", "remove_label_ids": ["INBOX", "UNREAD"], "add_label_ids": ["STARRED"]}),
        Fixture::operation(
            "gmail.users.messages.modify",
            Reply::json(200, sent("18c1", "th-77", &["STARRED"])),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["labelIds"], json!(["STARRED"]));
    let request = standin.single().await;
    assert_eq!(request.path, "/gmail/v1/users/me/messages/18c1/modify");
    assert_eq!(
        json_body(&request),
        json!({"addLabelIds": ["STARRED"], "removeLabelIds": ["INBOX", "UNREAD"]})
    );
}

#[tokio::test]
async fn list_labels_and_trash_message() {
    let labels = json!({"labels": [
        {"id": "INBOX", "name": "INBOX", "type": "system", "messageListVisibility": "hide", "labelListVisibility": "labelShow"},
        {"id": "Label_3", "name": "Receipts", "type": "user"},
    ]});
    let (result, standin) = run(
        "list_labels",
        "GMAIL_LIST_LABELS",
        json!({}),
        Fixture::operation("gmail.users.labels.list", Reply::json(200, labels.clone())),
    )
    .await;
    assert_eq!(result.unwrap(), labels);
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("GET", "/gmail/v1/users/me/labels", None)
    );

    let (result, standin) = run(
        "trash",
        "GMAIL_TRASH_MESSAGE",
        json!({"message_id": "18c1"}),
        Fixture::operation(
            "gmail.users.messages.trash",
            Reply::json(200, sent("18c1", "th-77", &["TRASH"])),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["labelIds"], json!(["TRASH"]));
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/gmail/v1/users/me/messages/18c1/trash")
    );
    assert!(request.body.is_empty());
}

/// Google's error envelope for `code`, `status` and `reason`.
fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
                     "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

#[tokio::test]
async fn googles_error_envelope_reaches_the_caller_as_the_contracts_errors() {
    let cases = [
        (
            Reply::json(
                401,
                google_error(
                    401,
                    "UNAUTHENTICATED",
                    "authError",
                    "Request had invalid authentication credentials.",
                ),
            ),
            ActionError::Unauthorized("Request had invalid authentication credentials.".into()),
        ),
        (
            Reply::json(
                404,
                google_error(
                    404,
                    "NOT_FOUND",
                    "notFound",
                    "Requested entity was not found.",
                ),
            ),
            ActionError::NotFound("Requested entity was not found.".into()),
        ),
        (
            Reply::json(
                429,
                google_error(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "rateLimitExceeded",
                    "Quota exceeded for quota metric 'Queries'.",
                ),
            )
            .header("retry-after", "30"),
            ActionError::RateLimited {
                message: "Quota exceeded for quota metric 'Queries'.".into(),
                retry_after_seconds: Some(30),
            },
        ),
        (
            Reply::json(
                403,
                google_error(
                    403,
                    "PERMISSION_DENIED",
                    "userRateLimitExceeded",
                    "User-rate limit exceeded.",
                ),
            ),
            ActionError::RateLimited {
                message: "User-rate limit exceeded.".into(),
                retry_after_seconds: None,
            },
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("error_{i}"),
            "GMAIL_GET_MESSAGE",
            json!({"message_id": "18c1"}),
            Fixture::operation("gmail.users.messages.get", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected));
        standin.assert_no_violations().await;
    }
    let denied = google_error(
        403,
        "PERMISSION_DENIED",
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
    );
    let (result, _) = run(
        "error_scopes",
        "GMAIL_TRASH_MESSAGE",
        json!({"message_id": "18c1"}),
        Fixture::operation(
            "gmail.users.messages.trash",
            Reply::json(403, denied.clone()),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "Request had insufficient authentication scopes.".into(),
            body: Some(denied.to_string()),
        })
    );
}

/// Every action, in one session: the description accepts each request, and each reaches the
/// Discovery method the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_gmails_description_accepts() {
    let standin = GMAIL.session("every_action");
    standin
        .answer(Fixture::operation(
            "gmail.users.getProfile",
            Reply::json(200, json!({"emailAddress": "alice@example.com"})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.messages.get",
            Reply::json(200, full_message()),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "gmail.users.messages.attachments.get",
            Reply::json(200, json!({"size": 2, "data": "aGk"})),
        ))
        .await;
    standin
        .answer(Fixture::any(Reply::json(
            200,
            json!({"id": "x", "threadId": "x"}),
        )))
        .await;
    let (runtime, plugin) = gmail(&standin).await;
    let content = json!({"filename": "a.txt", "mime_type": "text/plain", "content_base64": "aGk="});
    let calls: Vec<Call> = vec![
        (
            "GMAIL_SEND_EMAIL",
            json!({"to": ["ada@example.com"], "cc": ["b@example.com"], "bcc": ["c@example.com"], "reply_to": "d@example.com", "subject": "s", "body": "b", "html_body": "<p>b</p>", "attachments": [content]}),
            &["gmail.users.messages.send"],
        ),
        (
            "GMAIL_CREATE_DRAFT",
            json!({"to": ["ada@example.com"], "subject": "s", "body": "b"}),
            &["gmail.users.drafts.create"],
        ),
        (
            "GMAIL_SEND_DRAFT",
            json!({"draft_id": "r-1"}),
            &["gmail.users.drafts.send"],
        ),
        (
            "GMAIL_REPLY_TO_MESSAGE",
            json!({"message_id": "18c2f0a1b2c3d4e5", "reply_all": true, "cc": ["e@example.com"], "bcc": ["f@example.com"], "body": "b"}),
            &[
                "gmail.users.messages.get",
                "gmail.users.getProfile",
                "gmail.users.messages.send",
            ],
        ),
        (
            "GMAIL_LIST_MESSAGES",
            json!({"q": "is:unread", "label_ids": ["INBOX", "UNREAD"], "max_results": 500, "page_token": "p2", "include_spam_trash": true}),
            &["gmail.users.messages.list"],
        ),
        (
            "GMAIL_GET_MESSAGE",
            json!({"message_id": "18c2f0a1b2c3d4e5"}),
            &["gmail.users.messages.get"],
        ),
        (
            "GMAIL_GET_ATTACHMENT",
            json!({"message_id": "18c2f0a1b2c3d4e5", "attachment_id": "ANGjdJ_2xG3WOiLh"}),
            &["gmail.users.messages.attachments.get"],
        ),
        (
            "GMAIL_MODIFY_LABELS",
            json!({"message_id": "18c1", "add_label_ids": ["STARRED"], "remove_label_ids": ["UNREAD"]}),
            &["gmail.users.messages.modify"],
        ),
        ("GMAIL_LIST_LABELS", json!({}), &["gmail.users.labels.list"]),
        (
            "GMAIL_TRASH_MESSAGE",
            json!({"message_id": "18c1"}),
            &["gmail.users.messages.trash"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
}

const BEARER: (&str, &str) = ("authorization", "Bearer ya29.alice-token");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Gmail's Discovery document refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn gmails_description_refuses_what_gmail_would_refuse() {
    let related = ("content-type", "multipart/related; boundary=b0");
    assert_refused(
        &GMAIL,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[BEARER, JSON],
                body: r#"{"rawMessage": "VG86IGFAZXhhbXBsZS5jb20NCg"}"#,
                because: "field 'rawMessage' is not declared by the schema",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages?maxResults=lots",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'maxResults'",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages?labelId=INBOX",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'labelId' is not declared by gmail.users.messages.list",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages/18c1?format=complete",
                headers: &[BEARER],
                body: "",
                because: "'complete' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages/18c1/trash",
                headers: &[BEARER],
                body: "",
                because: "does not take GET: it takes POST (gmail.users.messages.trash)",
            },
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/18c1/modify",
                headers: &[BEARER, JSON],
                body: r#"{"addLabelIds": "STARRED"}"#,
                because: "addLabelIds: expected an array",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/labels",
                headers: &[],
                body: "",
                because: "gmail.users.labels.list requires an OAuth 2 bearer token",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send?uploadType=sideways",
                headers: &[BEARER, ("content-type", "message/rfc822")],
                body: "To: a@example.com\r\n\r\nhi",
                because: "uploadType 'sideways' is not one of",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                headers: &[BEARER, related],
                body: "--b0\r\nContent-Type: text/plain\r\n\r\nnot json\r\n--b0\r\nContent-Type: message/rfc822\r\n\r\nTo: a@example.com\r\n\r\nhi\r\n--b0--\r\n",
                because: "the first part (metadata) of gmail.users.messages.send must be application/json, not text/plain",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                headers: &[BEARER, related],
                body: "--b0\r\nContent-Type: application/json\r\n\r\n{}\r\n--b0\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--b0--\r\n",
                because: "the second part (media)'s type 'application/pdf' is not accepted",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send",
                headers: &[BEARER, ("content-type", "message/rfc822")],
                body: "To: a@example.com\r\n\r\nhi",
                because: "needs uploadType",
            },
        ],
    )
    .await;
}

/// Known good: `users.labels.list` and a media upload of `users.messages.send`, as Gmail's
/// reference and upload guide show them.
#[tokio::test]
async fn gmails_description_accepts_requests_from_gmails_docs() {
    assert_accepted(
        &GMAIL,
        "docs_labels",
        ("GET", "/gmail/v1/users/me/labels", &[BEARER], ""),
        "gmail.users.labels.list",
    )
    .await;
    assert_accepted(
        &GMAIL,
        "docs_upload",
        (
            "POST",
            "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
            &[BEARER, ("content-type", "multipart/related; boundary=foo_bar_baz")],
            "--foo_bar_baz\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"threadId\": \"th-77\"}\r\n--foo_bar_baz\r\nContent-Type: message/rfc822\r\n\r\nTo: ada@example.com\r\nSubject: Hi\r\n\r\nHello\r\n--foo_bar_baz--\r\n",
        ),
        "gmail.users.messages.send",
    )
    .await;
}
