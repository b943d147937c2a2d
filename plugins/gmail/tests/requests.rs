//! The exact request every Gmail action sends, the messages it builds (parsed back with
//! `mail-parser`), the decoded shape of a read message, and how Google's error envelope maps to
//! errors, run natively against the SDK's test transport.

use actionhost_plugin_gmail::{DOWNLOAD_LIMIT, MESSAGE_LIMIT, RAW_LIMIT, provider};
use actionhost_sdk::files;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, Error};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};

const BASE: &str = "https://gmail.googleapis.com/gmail/v1/users/me";

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

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The RFC 5322 message inside a JSON body's `raw` (base64url, unpadded, as Gmail wants it).
fn raw_message(raw: &Value) -> Vec<u8> {
    let raw = raw.as_str().expect("raw is a string");
    assert!(
        raw.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "raw is base64url without padding"
    );
    files::decode(raw).unwrap()
}

fn assert_json_post(request: &RecordedRequest, url: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", url)
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host owns the credential"
    );
}

fn addresses(list: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    list.map(|l| {
        l.iter()
            .filter_map(|a| a.address())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

#[test]
fn send_email_posts_the_mime_message_as_base64url_raw() {
    let (result, request) = call(
        "GMAIL_SEND_EMAIL",
        json!({
            "to": ["ada@example.com", "charles@example.com"],
            "cc": ["mary@example.com"],
            "bcc": ["audit@example.com"],
            "reply_to": "team@example.com",
            "subject": "Engine notes — draft",
            "body": "See the attached table.",
            "html_body": "<p>See the <b>attached</b> table.</p>",
            "attachments": [
                {"filename": "table.csv", "mime_type": "text/csv", "content_base64": files::encode("a,b\n1,2\n")},
                {"filename": "logo.bin", "content_base64": files::encode_url([0xff, 0xfe, 0x00])},
            ],
        }),
        200,
        json!({"id": "18c2f0a1b2c3d4e5", "threadId": "18c2f0a1b2c3d4e5", "labelIds": ["SENT"]}),
    );
    assert_eq!(result.unwrap()["labelIds"], json!(["SENT"]));
    assert_json_post(&request, &format!("{BASE}/messages/send"));
    let body = request.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "only `raw`: {body}");
    let bytes = raw_message(&body["raw"]);
    let message = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(
        addresses(message.to()),
        ["ada@example.com", "charles@example.com"]
    );
    assert_eq!(addresses(message.cc()), ["mary@example.com"]);
    assert_eq!(addresses(message.bcc()), ["audit@example.com"]);
    assert_eq!(addresses(message.reply_to()), ["team@example.com"]);
    assert_eq!(message.from(), None, "Gmail sets From to the account");
    assert_eq!(message.subject(), Some("Engine notes — draft"));
    assert_eq!(
        message.body_text(0).as_deref(),
        Some("See the attached table.")
    );
    assert_eq!(
        message.body_html(0).as_deref(),
        Some("<p>See the <b>attached</b> table.</p>")
    );
    assert_eq!(message.attachment_count(), 2);
    let csv = message.attachment(0).unwrap();
    assert_eq!(csv.attachment_name(), Some("table.csv"));
    assert_eq!(csv.content_type().unwrap().ctype(), "text");
    assert_eq!(csv.contents(), b"a,b\n1,2\n");
    let bin = message.attachment(1).unwrap();
    assert_eq!(bin.attachment_name(), Some("logo.bin"));
    let ct = bin.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("application", Some("octet-stream"))
    );
    assert_eq!(bin.contents(), [0xff, 0xfe, 0x00]);
}

#[test]
fn a_subject_with_a_line_break_cannot_add_a_header() {
    let (_, request) = call(
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "subject": "Hi\r\nBcc: eve@example.com", "body": "x"}),
        200,
        json!({"id": "m1"}),
    );
    let bytes = raw_message(&request.json()["raw"]);
    let message = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(message.bcc(), None, "{}", String::from_utf8_lossy(&bytes));
}

#[test]
fn send_email_refuses_what_gmail_would_not_send_before_any_request() {
    assert_eq!(
        refused("GMAIL_SEND_EMAIL", json!({"subject": "Hi", "body": "x"})),
        Error::invalid_input("give at least one recipient in `to`, `cc` or `bcc`")
    );
    assert_eq!(
        refused(
            "GMAIL_SEND_EMAIL",
            json!({"to": ["ada@example.com"], "subject": "Hi"})
        ),
        Error::invalid_input("give a `body`, an `html_body` or `attachments`")
    );
    assert_eq!(
        refused(
            "GMAIL_SEND_EMAIL",
            json!({"to": ["ada@example.com", "Eve <eve@example.com>"], "body": "x"})
        ),
        Error::invalid_input(
            "`to[1]` is not a plain e-mail address like ada@example.com: \"Eve <eve@example.com>\""
        )
    );
    assert_eq!(
        refused(
            "GMAIL_SEND_EMAIL",
            json!({"to": ["ada@example.com"], "reply_to": "nobody", "body": "x"})
        ),
        Error::invalid_input(
            "`reply_to` is not a plain e-mail address like ada@example.com: \"nobody\""
        )
    );
    let error = refused(
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "body": "x", "attachments": [{"filename": "a.txt", "content_base64": "not base64!"}]}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("not base64")),
        "{error:?}"
    );
    assert_eq!(
        refused(
            "GMAIL_SEND_EMAIL",
            json!({"to": ["ada@example.com"], "attachments": [{"filename": "a.txt", "mime_type": "text plain", "content_base64": "aGk="}]})
        ),
        Error::invalid_input(
            "`attachments[0].mime_type` is not a MIME type like application/pdf: \"text plain\""
        )
    );
}

#[test]
fn a_message_over_5_mib_goes_to_the_upload_endpoint_as_multipart_related() {
    let big = vec![7u8; RAW_LIMIT];
    let (result, request) = call(
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "subject": "Big", "body": "attached",
               "attachments": [{"filename": "big.bin", "content_base64": files::encode(&big)}]}),
        200,
        json!({"id": "m2", "threadId": "t2", "labelIds": ["SENT"]}),
    );
    assert_eq!(result.unwrap()["id"], "m2");
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.url,
        "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=multipart"
    );
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .expect(content_type);
    let body = request.body.clone().unwrap();
    let text = String::from_utf8_lossy(&body);
    let first = format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{}}\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
    );
    assert!(text.starts_with(&first), "{}", &text[..300]);
    let end = format!("\r\n--{boundary}--\r\n");
    assert!(text.ends_with(&end));
    let message = &body[first.len()..body.len() - end.len()];
    let parsed = MessageParser::default().parse(message).unwrap();
    assert_eq!(parsed.subject(), Some("Big"));
    assert_eq!(parsed.attachment(0).unwrap().contents(), big.as_slice());
}

#[test]
fn a_message_over_the_limit_is_refused_with_its_size() {
    let ten_mib = files::encode(vec![1u8; 10 * 1024 * 1024]);
    let error = refused(
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "body": "x", "attachments": [
            {"filename": "a.bin", "content_base64": ten_mib},
            {"filename": "b.bin", "content_base64": ten_mib},
        ]}),
    );
    let Error::InvalidInput(message) = error else {
        panic!("{error:?}")
    };
    assert!(message.starts_with("the message is "), "{message}");
    assert!(
        message.ends_with(&format!(
            " bytes with its attachments encoded; at most {MESSAGE_LIMIT} bytes can be sent (attach less)"
        )),
        "{message}"
    );
    let one_too_many = files::encode(vec![1u8; 10 * 1024 * 1024 + 1]);
    let error = refused(
        "GMAIL_SEND_EMAIL",
        json!({"to": ["ada@example.com"], "attachments": [{"filename": "a.bin", "content_base64": one_too_many}]}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("10485761 bytes once decoded, more than the 10485760 allowed")),
        "{error:?}"
    );
}

#[test]
fn create_draft_wraps_raw_in_a_message_and_allows_an_empty_draft() {
    let (result, request) = call(
        "GMAIL_CREATE_DRAFT",
        json!({"to": ["ada@example.com"], "subject": "Later", "html_body": "<p>Soon</p>"}),
        200,
        json!({"id": "r-123", "message": {"id": "m3", "threadId": "t3", "labelIds": ["DRAFT"]}}),
    );
    assert_eq!(result.unwrap()["id"], "r-123");
    assert_json_post(&request, &format!("{BASE}/drafts"));
    let body = request.json();
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(body["message"].as_object().unwrap().len(), 1, "only raw");
    let bytes = raw_message(&body["message"]["raw"]);
    let message = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(message.subject(), Some("Later"));
    assert_eq!(message.body_html(0).as_deref(), Some("<p>Soon</p>"));

    let (result, request) = call("GMAIL_CREATE_DRAFT", json!({}), 200, json!({"id": "r-124"}));
    assert_eq!(result.unwrap()["id"], "r-124");
    let bytes = raw_message(&request.json()["message"]["raw"]);
    let message = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!((message.to(), message.subject()), (None, None));
}

#[test]
fn a_large_draft_goes_to_the_drafts_upload_endpoint() {
    let big = files::encode(vec![0u8; RAW_LIMIT]);
    let (_, request) = call(
        "GMAIL_CREATE_DRAFT",
        json!({"attachments": [{"filename": "big.bin", "content_base64": big}]}),
        200,
        json!({"id": "r-9"}),
    );
    assert_eq!(
        request.url,
        "https://gmail.googleapis.com/upload/gmail/v1/users/me/drafts?uploadType=multipart"
    );
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/related; boundary=")
    );
}

#[test]
fn send_draft_posts_the_draft_id() {
    let (result, request) = call(
        "GMAIL_SEND_DRAFT",
        json!({"draft_id": "r-123"}),
        200,
        json!({"id": "m3", "threadId": "t3", "labelIds": ["SENT"]}),
    );
    assert_eq!(result.unwrap()["labelIds"], json!(["SENT"]));
    assert_json_post(&request, &format!("{BASE}/drafts/send"));
    assert_eq!(request.json(), json!({"id": "r-123"}));
    assert_eq!(
        refused("GMAIL_SEND_DRAFT", json!({"draft_id": "  "})),
        Error::invalid_input("`draft_id` must not be blank")
    );
}

/// `format=metadata` answer for the message replied to.
fn original(headers: Value) -> Value {
    json!({
        "id": "18c1", "threadId": "th-7", "labelIds": ["INBOX", "UNREAD"],
        "snippet": "Can we meet?", "historyId": "9001", "internalDate": "1706602500000",
        "payload": {"mimeType": "multipart/alternative", "headers": headers}
    })
}

/// Runs a reply against the original's headers and the account's address; returns the three
/// requests and the parsed reply.
fn reply(input: Value, headers: Value) -> (Vec<RecordedRequest>, Vec<u8>) {
    let transport = Transport::install();
    transport.reply_json(200, original(headers));
    transport.reply_json(200, json!({"emailAddress": "me@example.com", "messagesTotal": 10, "threadsTotal": 5, "historyId": "9002"}));
    transport.reply_json(
        200,
        json!({"id": "18c9", "threadId": "th-7", "labelIds": ["SENT"]}),
    );
    let result = testing::run(
        &provider(),
        "GMAIL_REPLY_TO_MESSAGE",
        input,
        &Context::new("alice"),
    );
    assert_eq!(result.unwrap()["threadId"], "th-7");
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    let raw = raw_message(&requests[2].json()["raw"]);
    (requests, raw)
}

#[test]
fn reply_answers_the_sender_in_the_thread_with_in_reply_to_and_references() {
    let (requests, raw) = reply(
        json!({"message_id": "18c1", "body": "Tuesday works."}),
        json!([
            {"name": "From", "value": "\"Lovelace, Ada\" <ada@example.com>"},
            {"name": "To", "value": "me@example.com, bob@example.com"},
            {"name": "Cc", "value": "carol@example.com"},
            {"name": "Subject", "value": "Meeting"},
            {"name": "Message-Id", "value": "<CAB123@mail.example.com>"},
            {"name": "References", "value": "<root@mail.example.com>"},
        ]),
    );
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path(), "/gmail/v1/users/me/messages/18c1");
    assert_eq!(
        requests[0].query(),
        pairs(&[
            ("format", "metadata"),
            ("metadataHeaders", "From"),
            ("metadataHeaders", "To"),
            ("metadataHeaders", "Cc"),
            ("metadataHeaders", "Reply-To"),
            ("metadataHeaders", "Subject"),
            ("metadataHeaders", "Message-ID"),
            ("metadataHeaders", "References"),
        ])
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.as_str()),
        ("GET", &*format!("{BASE}/profile"))
    );
    assert_json_post(&requests[2], &format!("{BASE}/messages/send"));
    assert_eq!(requests[2].json()["threadId"], "th-7");
    let message = MessageParser::default().parse(&raw).unwrap();
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Lovelace, Ada"), Some("ada@example.com"))
    );
    assert_eq!(message.to().unwrap().iter().count(), 1);
    assert_eq!(message.cc(), None, "not reply-all");
    assert_eq!(message.subject(), Some("Re: Meeting"));
    assert_eq!(
        message.in_reply_to().as_text(),
        Some("CAB123@mail.example.com")
    );
    assert_eq!(
        message.references().as_text_list(),
        Some(
            &[
                "root@mail.example.com".into(),
                "CAB123@mail.example.com".into()
            ][..]
        )
    );
    assert_eq!(message.body_text(0).as_deref(), Some("Tuesday works."));
}

#[test]
fn reply_all_copies_the_others_but_not_the_account_and_honours_reply_to() {
    let (_, raw) = reply(
        json!({"message_id": "18c1", "reply_all": true, "cc": ["dave@example.com", "BOB@example.com"], "bcc": ["audit@example.com"], "body": "Agreed."}),
        json!([
            {"name": "From", "value": "ada@example.com"},
            {"name": "Reply-To", "value": "list@example.com"},
            {"name": "To", "value": "Me <ME@example.com>, bob@example.com"},
            {"name": "Cc", "value": "carol@example.com, list@example.com"},
            {"name": "Subject", "value": "RE: Budget"},
            {"name": "Message-ID", "value": "<b1@example.com>"},
        ]),
    );
    let message = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(addresses(message.to()), ["list@example.com"]);
    assert_eq!(
        addresses(message.cc()),
        ["bob@example.com", "carol@example.com", "dave@example.com"]
    );
    assert_eq!(addresses(message.bcc()), ["audit@example.com"]);
    assert_eq!(message.subject(), Some("RE: Budget"));
    assert_eq!(message.references().as_text(), Some("b1@example.com"));
}

#[test]
fn a_reply_to_ones_own_message_goes_to_its_recipients() {
    let (_, raw) = reply(
        json!({"message_id": "18c1", "body": "Reminder."}),
        json!([
            {"name": "From", "value": "Me <me@example.com>"},
            {"name": "To", "value": "ada@example.com, bob@example.com"},
            {"name": "Subject", "value": "Éé invoice"},
        ]),
    );
    let message = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        addresses(message.to()),
        ["ada@example.com", "bob@example.com"]
    );
    assert_eq!(message.subject(), Some("Re: Éé invoice"));
    assert_eq!(
        message.in_reply_to().as_text(),
        None,
        "no Message-ID to answer"
    );
}

#[test]
fn reply_refuses_a_blank_id_and_an_empty_body() {
    assert_eq!(
        refused(
            "GMAIL_REPLY_TO_MESSAGE",
            json!({"message_id": "", "body": "x"})
        ),
        Error::invalid_input("`message_id` must not be blank")
    );
    assert_eq!(
        refused("GMAIL_REPLY_TO_MESSAGE", json!({"message_id": "18c1"})),
        Error::invalid_input("give a `body`, an `html_body` or `attachments`")
    );
}

#[test]
fn reply_to_a_missing_message_is_not_found_and_sends_nothing() {
    let transport = Transport::install();
    transport.reply_json(404, json!({"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND", "errors": [{"message": "Requested entity was not found.", "domain": "global", "reason": "notFound"}]}}));
    let error = testing::run(
        &provider(),
        "GMAIL_REPLY_TO_MESSAGE",
        json!({"message_id": "nope", "body": "x"}),
        &Context::new("alice"),
    );
    assert_eq!(
        error.unwrap_err(),
        Error::not_found("Requested entity was not found.")
    );
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn list_messages_sends_search_labels_and_paging_as_query() {
    let (result, request) = call(
        "GMAIL_LIST_MESSAGES",
        json!({"q": "from:ada@example.com is:unread", "label_ids": ["INBOX", "Label_12"], "max_results": 50, "include_spam_trash": false}),
        200,
        json!({"messages": [{"id": "18c1", "threadId": "th-7"}], "nextPageToken": "09876", "resultSizeEstimate": 201}),
    );
    assert_eq!(result.unwrap()["nextPageToken"], "09876");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/gmail/v1/users/me/messages")
    );
    assert_eq!(
        request.raw_query(),
        Some(
            "q=from%3Aada%40example.com%20is%3Aunread&labelIds=INBOX&labelIds=Label_12&maxResults=50&includeSpamTrash=false"
        )
    );
    assert_eq!(request.body, None);
}

#[test]
fn list_messages_fetches_the_second_page_with_the_returned_token() {
    let (first, _) = call(
        "GMAIL_LIST_MESSAGES",
        json!({"max_results": 1}),
        200,
        json!({"messages": [{"id": "a", "threadId": "a"}], "nextPageToken": "page-2", "resultSizeEstimate": 2}),
    );
    let token = first.unwrap()["nextPageToken"]
        .as_str()
        .unwrap()
        .to_string();
    let (second, request) = call(
        "GMAIL_LIST_MESSAGES",
        json!({"max_results": 1, "page_token": token}),
        200,
        json!({"messages": [{"id": "b", "threadId": "b"}], "resultSizeEstimate": 2}),
    );
    assert_eq!(
        request.query(),
        pairs(&[("maxResults", "1"), ("pageToken", "page-2")])
    );
    let second = second.unwrap();
    assert_eq!(second["messages"][0]["id"], "b");
    assert_eq!(second.get("nextPageToken"), None, "the last page");
}

/// A `format=full` answer as Gmail gives it: text and HTML alternatives (the text in
/// ISO-8859-1) and a PDF attachment, inside multipart/mixed.
fn full_message() -> Value {
    let header = |name: &str, value: &str| json!({"name": name, "value": value});
    json!({
        "id": "18c2f0a1b2c3d4e5",
        "threadId": "18c2f0a1b2c3d4e5",
        "labelIds": ["INBOX", "IMPORTANT", "CATEGORY_PERSONAL"],
        "snippet": "Voilà the invoice",
        "historyId": "123456",
        "internalDate": "1706602500000",
        "sizeEstimate": 54321,
        "payload": {
            "partId": "",
            "mimeType": "multipart/mixed",
            "filename": "",
            "headers": [
                header("From", "Ada Lovelace <ada@example.com>"),
                header("To", "me@example.com"),
                header("Subject", "Invoice"),
                header("Date", "Tue, 30 Jan 2024 09:15:00 +0100"),
                header("Message-ID", "<CAB123@mail.example.com>"),
                header("Content-Type", "multipart/mixed; boundary=\"000\""),
            ],
            "body": {"size": 0},
            "parts": [
                {
                    "partId": "0", "mimeType": "multipart/alternative", "filename": "",
                    "headers": [header("Content-Type", "multipart/alternative; boundary=\"001\"")],
                    "body": {"size": 0},
                    "parts": [
                        {"partId": "0.0", "mimeType": "text/plain", "filename": "",
                         "headers": [header("Content-Type", "text/plain; charset=\"ISO-8859-1\"")],
                         "body": {"size": 18, "data": files::encode_url(b"Voil\xe0 the invoice")}},
                        {"partId": "0.1", "mimeType": "text/html", "filename": "",
                         "headers": [header("Content-Type", "text/html; charset=\"UTF-8\"")],
                         "body": {"size": 25, "data": files::encode_url("<p>Voilà the invoice</p>")}},
                    ]
                },
                {
                    "partId": "1", "mimeType": "application/pdf", "filename": "invoice.pdf",
                    "headers": [
                        header("Content-Type", "application/pdf; name=\"invoice.pdf\""),
                        header("Content-Disposition", "attachment; filename=\"invoice.pdf\""),
                    ],
                    "body": {"attachmentId": "ANGjdJ8", "size": 48213}
                },
                {
                    "partId": "2", "mimeType": "image/png", "filename": "logo.png",
                    "headers": [
                        header("Content-Type", "image/png"),
                        header("Content-Disposition", "inline; filename=\"logo.png\""),
                        header("Content-ID", "<logo>"),
                    ],
                    "body": {"attachmentId": "ANGjdJ9", "size": 512}
                }
            ]
        }
    })
}

#[test]
fn get_message_decodes_headers_bodies_and_attachments() {
    let (result, request) = call(
        "GMAIL_GET_MESSAGE",
        json!({"message_id": "18c2f0a1b2c3d4e5"}),
        200,
        full_message(),
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "GET",
            &*format!("{BASE}/messages/18c2f0a1b2c3d4e5?format=full")
        )
    );
    let message = result.unwrap();
    let headers = full_message()["payload"]["headers"].clone();
    assert_eq!(
        message,
        json!({
            "id": "18c2f0a1b2c3d4e5",
            "thread_id": "18c2f0a1b2c3d4e5",
            "label_ids": ["INBOX", "IMPORTANT", "CATEGORY_PERSONAL"],
            "snippet": "Voilà the invoice",
            "internal_date_ms": 1706602500000u64,
            "size_estimate": 54321,
            "history_id": "123456",
            "subject": "Invoice",
            "from": "Ada Lovelace <ada@example.com>",
            "to": "me@example.com",
            "cc": null,
            "reply_to": null,
            "date": "Tue, 30 Jan 2024 09:15:00 +0100",
            "rfc822_message_id": "<CAB123@mail.example.com>",
            "headers": headers,
            "text_body": "Voilà the invoice",
            "html_body": "<p>Voilà the invoice</p>",
            "attachments": [
                {"attachment_id": "ANGjdJ8", "filename": "invoice.pdf", "mime_type": "application/pdf", "size_bytes": 48213, "inline": false},
                {"attachment_id": "ANGjdJ9", "filename": "logo.png", "mime_type": "image/png", "size_bytes": 512, "inline": true},
            ],
        })
    );
}

#[test]
fn get_message_of_a_single_part_message_has_only_a_text_body() {
    let (result, _) = call(
        "GMAIL_GET_MESSAGE",
        json!({"message_id": "m1"}),
        200,
        json!({"id": "m1", "payload": {"mimeType": "text/plain", "headers": [{"name": "Subject", "value": "Hi"}],
               "body": {"size": 5, "data": files::encode_url("hello")}}}),
    );
    let message = result.unwrap();
    assert_eq!(message["text_body"], "hello");
    assert_eq!(message["html_body"], Value::Null);
    assert_eq!(message["attachments"], json!([]));
    assert_eq!(message["subject"], "Hi");
}

#[test]
fn get_attachment_returns_standard_base64_with_its_size() {
    let bytes = [0xfbu8, 0xff, 0xbf, 0x25, 0x50, 0x44, 0x46];
    let (result, request) = call(
        "GMAIL_GET_ATTACHMENT",
        json!({"message_id": "18c2", "attachment_id": "ANGjdJ8/x"}),
        200,
        json!({"attachmentId": "ANGjdJ8/x", "size": 7, "data": files::encode_url(bytes)}),
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "GET",
            "/gmail/v1/users/me/messages/18c2/attachments/ANGjdJ8%2Fx"
        )
    );
    assert_eq!(
        result.unwrap(),
        json!({"content_base64": files::encode(bytes), "size_bytes": 7, "content_type": null})
    );
    let (result, _) = call(
        "GMAIL_GET_ATTACHMENT",
        json!({"message_id": "18c2", "attachment_id": "big"}),
        200,
        json!({"size": DOWNLOAD_LIMIT + 1, "data": files::encode_url(vec![0u8; DOWNLOAD_LIMIT + 1])}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(format!(
            "the attachment is {} bytes; this action returns attachments of at most {DOWNLOAD_LIMIT} bytes",
            DOWNLOAD_LIMIT + 1
        ))
    );
}

#[test]
fn modify_labels_posts_only_the_given_lists() {
    let (result, request) = call(
        "GMAIL_MODIFY_LABELS",
        json!({"message_id": "18c1", "remove_label_ids": ["INBOX", "UNREAD"]}),
        200,
        json!({"id": "18c1", "threadId": "th-7", "labelIds": ["IMPORTANT"]}),
    );
    assert_eq!(result.unwrap()["labelIds"], json!(["IMPORTANT"]));
    assert_json_post(&request, &format!("{BASE}/messages/18c1/modify"));
    assert_eq!(
        request.json(),
        json!({"removeLabelIds": ["INBOX", "UNREAD"]})
    );

    let (_, request) = call(
        "GMAIL_MODIFY_LABELS",
        json!({"message_id": "18c1", "add_label_ids": ["STARRED"], "remove_label_ids": []}),
        200,
        json!({"id": "18c1"}),
    );
    assert_eq!(request.json(), json!({"addLabelIds": ["STARRED"]}));
    assert_eq!(
        refused("GMAIL_MODIFY_LABELS", json!({"message_id": "18c1"})),
        Error::invalid_input("give label ids in `add_label_ids`, `remove_label_ids` or both")
    );
}

#[test]
fn list_labels_gets_every_label() {
    let answer = json!({"labels": [
        {"id": "INBOX", "name": "INBOX", "type": "system", "messageListVisibility": "hide", "labelListVisibility": "labelShow"},
        {"id": "Label_12", "name": "Receipts", "type": "user", "messageListVisibility": "show", "labelListVisibility": "labelShow"},
    ]});
    let (result, request) = call("GMAIL_LIST_LABELS", json!({}), 200, answer.clone());
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", &*format!("{BASE}/labels"))
    );
}

#[test]
fn trash_message_posts_without_a_body() {
    let (result, request) = call(
        "GMAIL_TRASH_MESSAGE",
        json!({"message_id": "18c1"}),
        200,
        json!({"id": "18c1", "threadId": "th-7", "labelIds": ["TRASH"]}),
    );
    assert_eq!(result.unwrap()["labelIds"], json!(["TRASH"]));
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", &*format!("{BASE}/messages/18c1/trash"))
    );
    assert_eq!(request.body, None);
}

#[test]
fn after_connect_labels_the_account_with_its_address() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"emailAddress": "me@example.com", "messagesTotal": 10, "threadsTotal": 5, "historyId": "1"}));
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("me@example.com"));
    assert_eq!(transport.only_request().url, format!("{BASE}/profile"));
}

/// The error `GMAIL_GET_MESSAGE` returns for an answer.
fn answered(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "GMAIL_GET_MESSAGE",
        json!({"message_id": "m1"}),
        &Context::new("alice"),
    )
    .unwrap_err()
}

fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
                     "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

#[test]
fn googles_error_envelope_maps_to_the_contracts_errors() {
    assert_eq!(
        answered(
            401,
            &[],
            google_error(
                401,
                "UNAUTHENTICATED",
                "authError",
                "Request had invalid authentication credentials."
            )
        ),
        Error::unauthorized("Request had invalid authentication credentials.")
    );
    assert_eq!(
        answered(
            404,
            &[],
            google_error(
                404,
                "NOT_FOUND",
                "notFound",
                "Requested entity was not found."
            )
        ),
        Error::not_found("Requested entity was not found.")
    );
    assert_eq!(
        answered(
            429,
            &[("Retry-After", "30")],
            google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "rateLimitExceeded",
                "Too many requests"
            )
        ),
        Error::rate_limited("Too many requests", Some(30))
    );
    assert_eq!(
        answered(
            403,
            &[],
            google_error(
                403,
                "PERMISSION_DENIED",
                "userRateLimitExceeded",
                "User-rate limit exceeded."
            )
        ),
        Error::rate_limited("User-rate limit exceeded.", None)
    );
    assert_eq!(
        answered(
            403,
            &[("retry-after", "7")],
            google_error(
                403,
                "PERMISSION_DENIED",
                "rateLimitExceeded",
                "Rate Limit Exceeded"
            )
        ),
        Error::rate_limited("Rate Limit Exceeded", Some(7))
    );
    let denied = google_error(
        403,
        "PERMISSION_DENIED",
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
    );
    assert_eq!(
        answered(403, &[], denied.clone()),
        Error::Upstream {
            status: 403,
            message: "Request had insufficient authentication scopes.".into(),
            body: Some(denied.to_string())
        }
    );
    let invalid = google_error(
        400,
        "INVALID_ARGUMENT",
        "invalidArgument",
        "Invalid id value",
    );
    assert_eq!(
        answered(400, &[], invalid.clone()),
        Error::Upstream {
            status: 400,
            message: "Invalid id value".into(),
            body: Some(invalid.to_string())
        }
    );
    assert!(matches!(
        answered(503, &[], json!("backend down")),
        Error::Upstream { status: 503, message, .. } if message == "HTTP 503"
    ));
}

#[test]
fn each_action_declares_the_narrowest_scopes_gmail_accepts_and_true_hints() {
    const S: &str = "https://www.googleapis.com/auth/gmail.";
    const ALL: &str = "https://mail.google.com/";
    let scope = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .map(|n| {
                if *n == "all" {
                    ALL.to_string()
                } else {
                    format!("{S}{n}")
                }
            })
            .collect()
    };
    let provider = provider();
    let expect = [
        (
            "GMAIL_SEND_EMAIL",
            vec![scope(&["send", "compose", "modify", "all"])],
            (false, false, false),
        ),
        (
            "GMAIL_CREATE_DRAFT",
            vec![scope(&["compose", "modify", "all"])],
            (false, false, false),
        ),
        (
            "GMAIL_SEND_DRAFT",
            vec![scope(&["compose", "modify", "all"])],
            (false, false, false),
        ),
        (
            "GMAIL_REPLY_TO_MESSAGE",
            vec![
                scope(&["metadata", "readonly", "modify", "all"]),
                scope(&["send", "compose", "modify", "all"]),
            ],
            (false, false, false),
        ),
        (
            "GMAIL_LIST_MESSAGES",
            vec![scope(&["readonly", "modify", "all"])],
            (true, false, true),
        ),
        (
            "GMAIL_GET_MESSAGE",
            vec![scope(&["readonly", "modify", "all"])],
            (true, false, true),
        ),
        (
            "GMAIL_GET_ATTACHMENT",
            vec![scope(&["readonly", "modify", "all"])],
            (true, false, true),
        ),
        (
            "GMAIL_MODIFY_LABELS",
            vec![scope(&["modify", "all"])],
            (false, false, true),
        ),
        (
            "GMAIL_LIST_LABELS",
            vec![scope(&["labels", "metadata", "readonly", "modify", "all"])],
            (true, false, true),
        ),
        (
            "GMAIL_TRASH_MESSAGE",
            vec![scope(&["modify", "all"])],
            (false, true, true),
        ),
    ];
    assert_eq!(provider.actions().len(), expect.len());
    for (name, scopes, (read_only, destructive, idempotent)) in expect {
        let action = provider.find(name).unwrap();
        assert_eq!(action.required_scopes(), scopes, "{name}");
        let hints = action.hints();
        assert_eq!(
            (hints.read_only, hints.destructive, hints.idempotent),
            (read_only, destructive, idempotent),
            "{name}"
        );
    }
}

#[test]
fn schemas_carry_formats_and_no_top_level_combinators() {
    let provider = provider();
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for combinator in ["oneOf", "anyOf", "allOf", "not"] {
            assert!(
                schema.get(combinator).is_none(),
                "{} has top-level {combinator}",
                action.name()
            );
        }
    }
    let send = provider.find("GMAIL_SEND_EMAIL").unwrap().input_schema();
    let properties = &send["properties"];
    for field in ["to", "cc", "bcc"] {
        assert_eq!(properties[field]["items"]["format"], "email", "{field}");
    }
    assert_eq!(properties["reply_to"]["format"], "email");
    for field in ["subject", "body", "html_body", "attachments"] {
        assert!(properties.get(field).is_some(), "{field}");
    }
    let get = provider.find("GMAIL_GET_MESSAGE").unwrap();
    let output = get
        .output_schema()
        .expect("a decoded message has an output schema");
    assert!(output["properties"]["text_body"]["description"].is_string());
    assert_eq!(output["properties"]["attachments"]["type"], "array");
    assert!(
        provider
            .find("GMAIL_LIST_MESSAGES")
            .unwrap()
            .output_schema()
            .is_none(),
        "Gmail's JSON as it came"
    );
}
