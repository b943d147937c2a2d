//! The exact request every Outlook action sends to Microsoft Graph (method, URL with its OData
//! query, headers, JSON body), the inputs refused before any request, the folder lookup by
//! name, paging by the returned cursor, and how Graph's error envelope maps to errors, run
//! natively against the SDK's test transport.

use actionhost_plugin_outlook::{ATTACHMENT_LIMIT, REQUEST_LIMIT, provider};
use actionhost_sdk::files;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const GRAPH: &str = "https://graph.microsoft.com/v1.0";

const LIST_FIELDS: &str = "id,subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,isRead,isDraft,hasAttachments,importance,flag,categories,bodyPreview,conversationId,parentFolderId,webLink";

fn context() -> Context {
    Context::new("alice").with_field("tenant", "common")
}

/// Runs `action` against the queued answers; returns its result and every request.
fn run(
    action: &str,
    input: Value,
    answers: Vec<(u16, Value)>,
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let transport = Transport::install();
    for (status, body) in answers {
        if body.is_null() {
            transport.reply(status, &[], "");
        } else {
            transport.reply_json(status, body);
        }
    }
    let result = testing::run(&provider(), action, input, &context());
    (result, transport.requests())
}

/// Runs `action` against one queued answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), &context(), action, input, status, answer)
}

/// Runs `action` and asserts that it fails before sending anything.
fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &context(), action, input)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_request(request: &RecordedRequest, method: &str, url: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, url)
    );
    assert_graph_headers(request);
}

/// Graph's JSON client: `Accept: application/json`, and never a credential of the plugin's own.
fn assert_graph_headers(request: &RecordedRequest) {
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host owns the credential"
    );
}

fn assert_json_post(request: &RecordedRequest, url: &str) {
    assert_request(request, "POST", url);
    assert_eq!(request.header("content-type"), Some("application/json"));
}

/// A message as Graph's reference shows it (create message, get message).
fn graph_message(id: &str) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ada%40contoso.com')/messages/$entity",
        "@odata.etag": "W/\"CQAAABYAAAAiIsqMbYjsT5e/T7KzowPTAAAYXc3f\"",
        "id": id,
        "createdDateTime": "2024-01-30T09:15:02Z",
        "lastModifiedDateTime": "2024-01-30T09:15:02Z",
        "changeKey": "CQAAABYAAAAiIsqMbYjsT5e/T7KzowPTAAAYXc3f",
        "categories": [],
        "receivedDateTime": "2024-01-30T09:15:02Z",
        "sentDateTime": "2024-01-30T09:15:02Z",
        "hasAttachments": false,
        "internetMessageId": "<MWHPR1301MB2094@MWHPR1301MB2094.namprd13.prod.outlook.com>",
        "subject": "Engine notes",
        "bodyPreview": "See the attached table.",
        "importance": "normal",
        "parentFolderId": "AQMkADYAAAIBDAAAAA==",
        "conversationId": "AAQkADYAAAAQAAAAABiIsqMbYjsT5e",
        "isDeliveryReceiptRequested": false,
        "isReadReceiptRequested": false,
        "isRead": true,
        "isDraft": true,
        "webLink": "https://outlook.office365.com/owa/?ItemID=AAMkADYAAAImV_lAAA%3D&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": {"contentType": "text", "content": "See the attached table."},
        "toRecipients": [{"emailAddress": {"name": "Charles Babbage", "address": "charles@contoso.com"}}],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"}
    })
}

#[test]
fn send_email_posts_the_message_with_recipients_html_body_and_attachments() {
    let (result, request) = call(
        "OUTLOOK_SEND_EMAIL",
        json!({
            "to": ["ada@contoso.com", "charles@contoso.com"],
            "cc": ["mary@contoso.com"],
            "bcc": ["audit@contoso.com"],
            "reply_to": ["team@contoso.com"],
            "subject": "Engine notes — draft",
            "body": "<p>See the <b>attached</b> table.</p>",
            "body_type": "html",
            "importance": "high",
            "save_to_sent_items": false,
            "attachments": [
                {"filename": "table.csv", "mime_type": "text/csv", "content_base64": files::encode("a,b\n1,2\n")},
                {"filename": "logo.bin", "content_base64": files::encode_url([0xff, 0xfe, 0x00])},
            ],
        }),
        202,
        Value::Null,
    );
    assert_eq!(result.unwrap(), json!({"sent": true}));
    assert_json_post(&request, &format!("{GRAPH}/me/sendMail"));
    assert_eq!(
        request.json(),
        json!({
            "message": {
                "subject": "Engine notes — draft",
                "body": {"contentType": "html", "content": "<p>See the <b>attached</b> table.</p>"},
                "toRecipients": [
                    {"emailAddress": {"address": "ada@contoso.com"}},
                    {"emailAddress": {"address": "charles@contoso.com"}}
                ],
                "ccRecipients": [{"emailAddress": {"address": "mary@contoso.com"}}],
                "bccRecipients": [{"emailAddress": {"address": "audit@contoso.com"}}],
                "replyTo": [{"emailAddress": {"address": "team@contoso.com"}}],
                "importance": "high",
                "attachments": [
                    {
                        "@odata.type": "#microsoft.graph.fileAttachment",
                        "name": "table.csv",
                        "contentType": "text/csv",
                        "contentBytes": "YSxiCjEsMgo="
                    },
                    {
                        "@odata.type": "#microsoft.graph.fileAttachment",
                        "name": "logo.bin",
                        "contentType": "application/octet-stream",
                        "contentBytes": "//4A"
                    }
                ]
            },
            "saveToSentItems": false
        })
    );
}

#[test]
fn send_email_sends_a_text_body_and_saves_to_sent_items_by_default() {
    let (result, request) = call(
        "OUTLOOK_SEND_EMAIL",
        json!({"to": ["ada@contoso.com"], "subject": "Lunch?", "body": "Noon at the usual place."}),
        202,
        Value::Null,
    );
    assert_eq!(result.unwrap(), json!({"sent": true}));
    assert_json_post(&request, &format!("{GRAPH}/me/sendMail"));
    assert_eq!(
        request.json(),
        json!({
            "message": {
                "subject": "Lunch?",
                "body": {"contentType": "text", "content": "Noon at the usual place."},
                "toRecipients": [{"emailAddress": {"address": "ada@contoso.com"}}]
            },
            "saveToSentItems": true
        })
    );
}

#[test]
fn send_email_refuses_what_graph_would_not_send_before_any_request() {
    assert_eq!(
        refused("OUTLOOK_SEND_EMAIL", json!({"subject": "Hi", "body": "x"})),
        Error::invalid_input("give at least one recipient in `to`, `cc` or `bcc`")
    );
    assert_eq!(
        refused(
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "subject": "Hi"})
        ),
        Error::invalid_input("give a `body` or `attachments`")
    );
    assert_eq!(
        refused(
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "bcc": ["Eve <eve@example.com>"], "body": "x"})
        ),
        Error::invalid_input(
            "`bcc[0]` is not a plain e-mail address like ada@example.com: \"Eve <eve@example.com>\""
        )
    );
    assert_eq!(
        refused(
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "attachments": [{"filename": "a.txt", "mime_type": "text plain", "content_base64": "aGk="}]})
        ),
        Error::invalid_input(
            "`attachments[0].mime_type` is not a MIME type like application/pdf: \"text plain\""
        )
    );
    assert_eq!(
        refused(
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "attachments": [{"filename": " ", "content_base64": "aGk="}]})
        ),
        Error::invalid_input("`attachments[0].filename` must not be blank")
    );
    let error = refused(
        "OUTLOOK_SEND_EMAIL",
        json!({"to": ["ada@contoso.com"], "attachments": [{"filename": "a.txt", "content_base64": "not base64!"}]}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("not base64")),
        "{error:?}"
    );
}

#[test]
fn attachments_are_capped_per_file_and_per_request_as_graph_caps_inline_attachments() {
    let too_big = files::encode(vec![1u8; ATTACHMENT_LIMIT + 1]);
    let error = refused(
        "OUTLOOK_SEND_EMAIL",
        json!({"to": ["ada@contoso.com"], "attachments": [{"filename": "big.bin", "content_base64": too_big}]}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains(&format!("more than the {ATTACHMENT_LIMIT} allowed"))),
        "{error:?}"
    );
    // Two files under the per-file cap whose base64 together passes the request limit.
    let half = files::encode(vec![2u8; 1600 * 1024]);
    let two = json!([
        {"filename": "a.bin", "content_base64": half},
        {"filename": "b.bin", "content_base64": half},
    ]);
    for action in ["OUTLOOK_SEND_EMAIL", "OUTLOOK_CREATE_DRAFT"] {
        let error = refused(
            action,
            json!({"to": ["ada@contoso.com"], "attachments": two}),
        );
        assert!(
            matches!(&error, Error::InvalidInput(m)
                if m.contains(&format!("Graph takes at most {REQUEST_LIMIT} bytes")) && m.starts_with("the request is 43")),
            "{action}: {error:?}"
        );
    }
    // Just under the per-file cap fits one request.
    let (result, request) = call(
        "OUTLOOK_SEND_EMAIL",
        json!({"to": ["ada@contoso.com"], "attachments": [{"filename": "a.bin", "content_base64": files::encode(vec![3u8; ATTACHMENT_LIMIT - 64 * 1024])}]}),
        202,
        Value::Null,
    );
    assert!(result.is_ok());
    assert!(request.body.as_ref().unwrap().len() <= REQUEST_LIMIT);
}

#[test]
fn create_draft_posts_the_message_to_the_mailbox_and_returns_graphs_message() {
    let (result, request) = call(
        "OUTLOOK_CREATE_DRAFT",
        json!({"to": ["charles@contoso.com"], "subject": "Engine notes", "body": "See the attached table."}),
        201,
        graph_message("AAMkADYAAAImV_lAAA="),
    );
    assert_eq!(result.unwrap(), graph_message("AAMkADYAAAImV_lAAA="));
    assert_json_post(&request, &format!("{GRAPH}/me/messages"));
    assert_eq!(
        request.json(),
        json!({
            "subject": "Engine notes",
            "body": {"contentType": "text", "content": "See the attached table."},
            "toRecipients": [{"emailAddress": {"address": "charles@contoso.com"}}]
        })
    );
}

#[test]
fn an_empty_draft_is_allowed() {
    let (result, request) = call(
        "OUTLOOK_CREATE_DRAFT",
        json!({}),
        201,
        graph_message("AAMkAD1="),
    );
    assert_eq!(result.unwrap()["id"], "AAMkAD1=");
    assert_eq!(request.json(), json!({}));
}

#[test]
fn send_draft_posts_to_the_messages_send_action_without_a_body() {
    let (result, request) = call(
        "OUTLOOK_SEND_DRAFT",
        json!({"message_id": "AAMkADYAAAImV/lAAA="}),
        202,
        Value::Null,
    );
    assert_eq!(result.unwrap(), json!({"sent": true}));
    assert_request(
        &request,
        "POST",
        &format!("{GRAPH}/me/messages/AAMkADYAAAImV%2FlAAA%3D/send"),
    );
    assert_eq!(request.body, None);
    assert_eq!(
        refused("OUTLOOK_SEND_DRAFT", json!({"message_id": "  "})),
        Error::invalid_input("`message_id` must not be blank")
    );
}

#[test]
fn reply_posts_the_comment_to_reply_or_reply_all() {
    let (result, request) = call(
        "OUTLOOK_REPLY_TO_MESSAGE",
        json!({"message_id": "AAMkADA1MTAAAH5JaLAAA=", "comment": "Thanks, Thursday works."}),
        202,
        Value::Null,
    );
    assert_eq!(result.unwrap(), json!({"sent": true}));
    assert_json_post(
        &request,
        &format!("{GRAPH}/me/messages/AAMkADA1MTAAAH5JaLAAA%3D/reply"),
    );
    assert_eq!(
        request.json(),
        json!({"comment": "Thanks, Thursday works."})
    );

    let (result, request) = call(
        "OUTLOOK_REPLY_TO_MESSAGE",
        json!({"message_id": "AAMkADA1MTAAAH5JaLAAA=", "comment": "Adding everyone.", "reply_all": true}),
        202,
        Value::Null,
    );
    assert!(result.is_ok());
    assert_json_post(
        &request,
        &format!("{GRAPH}/me/messages/AAMkADA1MTAAAH5JaLAAA%3D/replyAll"),
    );
    assert_eq!(request.json(), json!({"comment": "Adding everyone."}));

    assert_eq!(
        refused(
            "OUTLOOK_REPLY_TO_MESSAGE",
            json!({"message_id": "m1", "comment": " \n"})
        ),
        Error::invalid_input("`comment` must not be blank")
    );
}

/// A page of messages as `GET /me/messages?$select=...` answers it.
fn message_page(ids: &[&str], next: Option<&str>) -> Value {
    let value: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "@odata.etag": "W/\"CQAAABYAAAAiIsqMbYjsT5e/T7KzowPTAAAYXc3f\"",
                "id": id,
                "subject": "Quarterly numbers",
                "from": {"emailAddress": {"name": "Ada Lovelace", "address": "ada@contoso.com"}},
                "toRecipients": [{"emailAddress": {"name": "Charles Babbage", "address": "charles@contoso.com"}}],
                "ccRecipients": [],
                "receivedDateTime": "2024-01-30T09:15:02Z",
                "sentDateTime": "2024-01-30T09:14:58Z",
                "isRead": false,
                "isDraft": false,
                "hasAttachments": true,
                "importance": "normal",
                "flag": {"flagStatus": "notFlagged"},
                "categories": [],
                "bodyPreview": "Here are the numbers for Q4.",
                "conversationId": "AAQkADYAAAAQAAAAABiIsqMbYjsT5e",
                "parentFolderId": "AQMkADYAAAIBDAAAAA==",
                "webLink": "https://outlook.office365.com/owa/?ItemID=x"
            })
        })
        .collect();
    let mut page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ada%40contoso.com')/messages(id,subject)",
        "value": value
    });
    if let Some(next) = next {
        page["@odata.nextLink"] = json!(next);
    }
    page
}

#[test]
fn list_messages_asks_for_the_newest_first_with_a_small_select() {
    let next = "https://graph.microsoft.com/v1.0/me/messages?%24select=id&%24top=25&%24orderby=receivedDateTime+desc&%24skip=25";
    let (result, request) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({}),
        200,
        message_page(&["m1", "m2"], Some(next)),
    );
    let output = result.unwrap();
    assert_eq!(output["items"].as_array().unwrap().len(), 2);
    assert_eq!(output["items"][0], message_page(&["m1"], None)["value"][0]);
    assert_eq!(output["next_cursor"], next);
    assert_eq!(output["folder"], Value::Null);
    assert_eq!(request.method, "GET");
    assert_graph_headers(&request);
    assert_eq!(request.path(), "/v1.0/me/messages");
    assert_eq!(
        request.query(),
        pairs(&[
            ("$select", LIST_FIELDS),
            ("$top", "25"),
            ("$orderby", "receivedDateTime desc")
        ])
    );
}

#[test]
fn list_messages_fetches_the_second_page_with_the_returned_cursor() {
    let next = "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?%24top=2&%24skip=2";
    let (first, _) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({"folder_id": "inbox", "page_size": 2}),
        200,
        message_page(&["m1", "m2"], Some(next)),
    );
    let cursor = first.unwrap()["next_cursor"].clone();
    assert_eq!(cursor, next);
    let (second, request) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({"cursor": cursor, "folder_name": "ignored with a cursor"}),
        200,
        message_page(&["m3"], None),
    );
    let second = second.unwrap();
    assert_eq!(second["items"][0]["id"], "m3");
    assert_eq!(second["next_cursor"], Value::Null);
    assert_request(&request, "GET", next);
}

#[test]
fn a_cursor_that_is_not_a_graph_next_link_is_refused() {
    let error = refused(
        "OUTLOOK_LIST_MESSAGES",
        json!({"cursor": "https://attacker.example/v1.0/me/messages"}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("`cursor`")),
        "{error:?}"
    );
    let error = refused(
        "OUTLOOK_LIST_FOLDERS",
        json!({"cursor": "/me/mailFolders?$skip=10"}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("`cursor`")),
        "{error:?}"
    );
}

#[test]
fn list_messages_filters_unread_sender_dates_and_attachments_with_the_date_first() {
    let (_, request) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({
            "folder_id": "Inbox",
            "unread_only": true,
            "from": "o'brien@contoso.com",
            "received_after": "2024-01-31T10:00:00+01:00",
            "received_before": "2024-02-01T00:00:00Z",
            "has_attachments": true,
            "page_size": 10
        }),
        200,
        message_page(&[], None),
    );
    assert_eq!(request.path(), "/v1.0/me/mailFolders/inbox/messages");
    assert_eq!(
        request.query(),
        pairs(&[
            ("$select", LIST_FIELDS),
            ("$top", "10"),
            (
                "$filter",
                "receivedDateTime ge 2024-01-31T09:00:00Z and receivedDateTime lt 2024-02-01T00:00:00Z and isRead eq false and from/emailAddress/address eq 'o''brien@contoso.com' and hasAttachments eq true"
            ),
            ("$orderby", "receivedDateTime desc"),
        ])
    );
    // Without dates, the filter still opens with receivedDateTime, as $orderby requires.
    let (_, request) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({"unread_only": true}),
        200,
        message_page(&[], None),
    );
    assert_eq!(
        request.query()[2],
        (
            "$filter".to_string(),
            "receivedDateTime ge 1900-01-01T00:00:00Z and isRead eq false".to_string()
        )
    );
}

#[test]
fn list_messages_searches_without_filter_or_orderby() {
    let (_, request) = call(
        "OUTLOOK_LIST_MESSAGES",
        json!({"search": "subject:\"weekly report\" from:ada@contoso.com", "folder_id": "sentitems"}),
        200,
        message_page(&["m1"], None),
    );
    assert_eq!(request.path(), "/v1.0/me/mailFolders/sentitems/messages");
    assert_eq!(
        request.query(),
        pairs(&[
            ("$select", LIST_FIELDS),
            ("$top", "25"),
            (
                "$search",
                "\"subject:\\\"weekly report\\\" from:ada@contoso.com\""
            ),
        ])
    );
}

#[test]
fn list_messages_refuses_search_with_filters_and_bad_filters() {
    assert_eq!(
        refused(
            "OUTLOOK_LIST_MESSAGES",
            json!({"search": "pizza", "unread_only": true, "received_after": "2024-01-01T00:00:00Z"})
        ),
        Error::invalid_input(
            "Graph cannot combine `search` with filters ($search with $filter); drop `unread_only`, `received_after` or write the condition into the search text (e.g. `from:ada@example.com received>=2024-01-31 hasAttachments:true`)"
        )
    );
    assert_eq!(
        refused(
            "OUTLOOK_LIST_MESSAGES",
            json!({"received_after": "last tuesday"})
        ),
        Error::invalid_input(
            "`received_after` is not an RFC 3339 date-time with an offset like 2024-01-31T09:00:00Z: \"last tuesday\""
        )
    );
    assert_eq!(
        refused("OUTLOOK_LIST_MESSAGES", json!({"from": "x' or true"})),
        Error::invalid_input(
            "`from` is not a plain e-mail address like ada@example.com: \"x' or true\""
        )
    );
    assert_eq!(
        refused("OUTLOOK_LIST_MESSAGES", json!({"search": " "})),
        Error::invalid_input("`search` must not be blank")
    );
    assert_eq!(
        refused(
            "OUTLOOK_LIST_MESSAGES",
            json!({"folder_id": "inbox", "folder_name": "Inbox"})
        ),
        Error::invalid_input("give `folder_id` or `folder_name`, not both")
    );
}

/// Top-level folders as `GET /me/mailFolders?$select=id,displayName` answers them.
fn folder_names(next: Option<&str>) -> Value {
    let mut page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ada%40contoso.com')/mailFolders(id,displayName)",
        "value": [
            {"id": "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEKAAA=", "displayName": "Inbox"},
            {"id": "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEPAAA=", "displayName": "Drafts"},
            {"id": "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAYXc3gAAA=", "displayName": "Receipts"}
        ]
    });
    if let Some(next) = next {
        page["@odata.nextLink"] = json!(next);
    }
    page
}

const RECEIPTS: &str = "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAYXc3gAAA=";

#[test]
fn list_messages_in_a_folder_found_by_its_display_name_says_which_matched() {
    let (result, requests) = run(
        "OUTLOOK_LIST_MESSAGES",
        json!({"folder_name": "receipts"}),
        vec![
            (200, folder_names(None)),
            (200, message_page(&["m1"], None)),
        ],
    );
    let output = result.unwrap();
    assert_eq!(
        output["folder"],
        json!({"id": RECEIPTS, "display_name": "Receipts"})
    );
    assert_eq!(requests.len(), 2);
    assert_request(
        &requests[0],
        "GET",
        &format!("{GRAPH}/me/mailFolders?%24select=id%2CdisplayName&%24top=100"),
    );
    assert_eq!(
        requests[1].path(),
        format!(
            "/v1.0/me/mailFolders/{}/messages",
            RECEIPTS.replace('=', "%3D")
        )
    );
}

#[test]
fn move_message_to_a_well_known_folder_posts_its_name_as_destination_id() {
    let moved = graph_message("AAMkADNEW=");
    let (result, request) = call(
        "OUTLOOK_MOVE_MESSAGE",
        json!({"message_id": "AAMkADOLD=", "folder_id": "Archive"}),
        201,
        moved.clone(),
    );
    assert_eq!(
        result.unwrap(),
        json!({"folder": {"id": "archive", "display_name": null}, "message": moved})
    );
    assert_json_post(&request, &format!("{GRAPH}/me/messages/AAMkADOLD%3D/move"));
    assert_eq!(request.json(), json!({"destinationId": "archive"}));
}

#[test]
fn move_message_by_name_looks_the_folder_up_through_every_page() {
    let next = "https://graph.microsoft.com/v1.0/me/mailFolders?%24select=id%2CdisplayName&%24top=100&%24skip=100";
    let (result, requests) = run(
        "OUTLOOK_MOVE_MESSAGE",
        json!({"message_id": "AAMkADOLD=", "folder_name": "Travel"}),
        vec![
            (200, folder_names(Some(next))),
            (
                200,
                json!({"value": [{"id": "AAMkTRAVEL=", "displayName": "Travel"}]}),
            ),
            (201, graph_message("AAMkADNEW=")),
        ],
    );
    let output = result.unwrap();
    assert_eq!(
        output["folder"],
        json!({"id": "AAMkTRAVEL=", "display_name": "Travel"})
    );
    assert_eq!(output["message"]["id"], "AAMkADNEW=");
    assert_eq!(requests[1].url, next);
    assert_eq!(requests[2].json(), json!({"destinationId": "AAMkTRAVEL="}));
}

#[test]
fn move_message_to_an_unknown_folder_name_lists_the_names_and_moves_nothing() {
    let (result, requests) = run(
        "OUTLOOK_MOVE_MESSAGE",
        json!({"message_id": "AAMkADOLD=", "folder_name": "Taxes"}),
        vec![(200, folder_names(None))],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "no top-level mail folder is named \"Taxes\"; the folders are: Inbox, Drafts, Receipts. For a subfolder give its `folder_id` (OUTLOOK_LIST_FOLDERS with `parent_folder_id` lists subfolders)"
        )
    );
    assert_eq!(requests.len(), 1, "only the folder lookup");
    assert_eq!(
        refused("OUTLOOK_MOVE_MESSAGE", json!({"message_id": "AAMkADOLD="})),
        Error::invalid_input("give the destination as `folder_id` or `folder_name`")
    );
}

#[test]
fn get_message_reads_the_body_as_text_and_lists_the_attachments() {
    let mut message = graph_message("AAMkAD1=");
    message["hasAttachments"] = json!(true);
    let attachments = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ada%40contoso.com')/messages('AAMkAD1%3D')/attachments(id,name,contentType,size,isInline)",
        "value": [{
            "@odata.type": "#microsoft.graph.fileAttachment",
            "@odata.mediaContentType": "text/csv",
            "id": "AAMkAD1=BgAAAA==",
            "name": "table.csv",
            "contentType": "text/csv",
            "size": 368,
            "isInline": false
        }]
    });
    let (result, requests) = run(
        "OUTLOOK_GET_MESSAGE",
        json!({"message_id": "AAMkAD1="}),
        vec![(200, message.clone()), (200, attachments.clone())],
    );
    let mut expected = message;
    expected["attachments"] = attachments["value"].clone();
    assert_eq!(result.unwrap(), expected);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "GET");
    assert_graph_headers(&requests[0]);
    assert_eq!(requests[0].path(), "/v1.0/me/messages/AAMkAD1%3D");
    assert_eq!(
        requests[0].query(),
        pairs(&[(
            "$select",
            "id,subject,from,sender,toRecipients,ccRecipients,bccRecipients,replyTo,receivedDateTime,sentDateTime,isRead,isDraft,hasAttachments,importance,flag,categories,body,conversationId,parentFolderId,internetMessageId,webLink"
        )])
    );
    assert_eq!(
        requests[0].header("prefer"),
        Some("outlook.body-content-type=\"text\"")
    );
    assert_request(
        &requests[1],
        "GET",
        &format!(
            "{GRAPH}/me/messages/AAMkAD1%3D/attachments?%24select=id%2Cname%2CcontentType%2Csize%2CisInline"
        ),
    );

    let (_, requests) = run(
        "OUTLOOK_GET_MESSAGE",
        json!({"message_id": "AAMkAD1=", "body_type": "html"}),
        vec![
            (200, graph_message("AAMkAD1=")),
            (200, json!({"value": []})),
        ],
    );
    assert_eq!(
        requests[0].header("prefer"),
        Some("outlook.body-content-type=\"html\"")
    );
}

#[test]
fn list_folders_pages_top_level_folders_or_a_parents_subfolders() {
    let next = "https://graph.microsoft.com/v1.0/me/mailFolders?%24top=50&%24skip=50";
    let folder = json!({
        "id": "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEKAAA=",
        "displayName": "Inbox",
        "parentFolderId": "AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEIAAA=",
        "childFolderCount": 1,
        "unreadItemCount": 70,
        "totalItemCount": 71,
        "sizeInBytes": 539321,
        "isHidden": false
    });
    let (result, request) = call(
        "OUTLOOK_LIST_FOLDERS",
        json!({}),
        200,
        json!({"value": [folder.clone()], "@odata.nextLink": next}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [folder], "next_cursor": next})
    );
    assert_request(
        &request,
        "GET",
        &format!("{GRAPH}/me/mailFolders?%24top=50"),
    );

    let (result, request) = call(
        "OUTLOOK_LIST_FOLDERS",
        json!({"cursor": next}),
        200,
        json!({"value": []}),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_request(&request, "GET", next);

    let (_, request) = call(
        "OUTLOOK_LIST_FOLDERS",
        json!({"parent_folder_id": "INBOX", "include_hidden": true, "page_size": 5}),
        200,
        json!({"value": []}),
    );
    assert_request(
        &request,
        "GET",
        &format!("{GRAPH}/me/mailFolders/inbox/childFolders?%24top=5&includeHiddenFolders=true"),
    );
}

#[test]
fn update_message_patches_only_the_given_properties() {
    let mut updated = graph_message("AAMkAD1=");
    updated["flag"] = json!({"flagStatus": "flagged"});
    let (result, request) = call(
        "OUTLOOK_UPDATE_MESSAGE",
        json!({"message_id": "AAMkAD1=", "is_read": false, "categories": ["Red category", "Travel"], "flag_status": "flagged"}),
        200,
        updated.clone(),
    );
    assert_eq!(result.unwrap(), updated);
    assert_request(
        &request,
        "PATCH",
        &format!("{GRAPH}/me/messages/AAMkAD1%3D"),
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"isRead": false, "categories": ["Red category", "Travel"], "flag": {"flagStatus": "flagged"}})
    );

    let (_, request) = call(
        "OUTLOOK_UPDATE_MESSAGE",
        json!({"message_id": "AAMkAD1=", "categories": [], "flag_status": "notFlagged", "importance": "low"}),
        200,
        graph_message("AAMkAD1="),
    );
    assert_eq!(
        request.json(),
        json!({"categories": [], "flag": {"flagStatus": "notFlagged"}, "importance": "low"})
    );

    assert_eq!(
        refused("OUTLOOK_UPDATE_MESSAGE", json!({"message_id": "AAMkAD1="})),
        Error::invalid_input(
            "give at least one of `is_read`, `categories`, `flag_status` or `importance`"
        )
    );
    assert_eq!(
        refused(
            "OUTLOOK_UPDATE_MESSAGE",
            json!({"message_id": "AAMkAD1=", "categories": ["Travel", ""]})
        ),
        Error::invalid_input("`categories[1]` must not be blank")
    );
}

/// Runs `action` against one error answer from Graph.
fn answered(
    action: &str,
    input: Value,
    status: u16,
    headers: &[(&str, &str)],
    code: &str,
    message: &str,
) -> Error {
    let transport = Transport::install();
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    transport.reply(
        status,
        &all,
        json!({"error": {"code": code, "message": message, "innerError": {"date": "2024-01-30T09:15:02", "request-id": "b5e6f1f7-0d3a-4c8b-9b8e-2a1c3d4e5f60"}}}).to_string(),
    );
    testing::run(&provider(), action, input, &context()).unwrap_err()
}

#[test]
fn graphs_error_envelope_maps_to_the_contracts_errors_for_every_action() {
    let inputs = [
        (
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "body": "x"}),
        ),
        ("OUTLOOK_CREATE_DRAFT", json!({})),
        ("OUTLOOK_SEND_DRAFT", json!({"message_id": "m1"})),
        (
            "OUTLOOK_REPLY_TO_MESSAGE",
            json!({"message_id": "m1", "comment": "x"}),
        ),
        ("OUTLOOK_LIST_MESSAGES", json!({})),
        ("OUTLOOK_GET_MESSAGE", json!({"message_id": "m1"})),
        (
            "OUTLOOK_MOVE_MESSAGE",
            json!({"message_id": "m1", "folder_id": "inbox"}),
        ),
        ("OUTLOOK_LIST_FOLDERS", json!({})),
        (
            "OUTLOOK_UPDATE_MESSAGE",
            json!({"message_id": "m1", "is_read": true}),
        ),
    ];
    assert_eq!(inputs.len(), provider().actions().len());
    for (action, input) in inputs {
        assert_eq!(
            answered(
                action,
                input.clone(),
                401,
                &[],
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid."
            ),
            Error::unauthorized(
                "InvalidAuthenticationToken: Access token has expired or is not yet valid."
            ),
            "{action}"
        );
        assert_eq!(
            answered(
                action,
                input.clone(),
                404,
                &[],
                "ErrorItemNotFound",
                "The specified object was not found in the store."
            ),
            Error::not_found("ErrorItemNotFound: The specified object was not found in the store."),
            "{action}"
        );
        assert_eq!(
            answered(
                action,
                input.clone(),
                429,
                &[("Retry-After", "17")],
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit."
            ),
            Error::rate_limited(
                "ApplicationThrottled: Application is over its MailboxConcurrency limit.",
                Some(17)
            ),
            "{action}"
        );
        assert_eq!(
            answered(
                action,
                input.clone(),
                503,
                &[("Retry-After", "5")],
                "ServiceUnavailable",
                "The service is temporarily unavailable."
            ),
            Error::rate_limited(
                "ServiceUnavailable: The service is temporarily unavailable.",
                Some(5)
            ),
            "{action}"
        );
        let error = answered(
            action,
            input,
            400,
            &[],
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid.",
        );
        assert!(
            matches!(&error, Error::Upstream { status: 400, message, body: Some(body) }
                if message == "ErrorInvalidRecipients: At least one recipient isn't valid." && body.contains("request-id")),
            "{action}: {error:?}"
        );
    }
}

#[test]
fn an_error_on_the_attachments_of_a_message_is_the_actions_error() {
    let transport = Transport::install();
    transport.reply_json(200, graph_message("m1"));
    transport.reply_json(403, json!({"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}));
    let error = testing::run(
        &provider(),
        "OUTLOOK_GET_MESSAGE",
        json!({"message_id": "m1"}),
        &context(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 403, message, .. } if message == "ErrorAccessDenied: Access is denied. Check credentials and try again."),
        "{error:?}"
    );
}

#[test]
fn after_connect_labels_the_account_with_the_users_address() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"mail": "ada@contoso.com", "userPrincipalName": "ada@contoso.onmicrosoft.com", "displayName": "Ada Lovelace"}),
    );
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(account.label.as_deref(), Some("ada@contoso.com"));
    assert_eq!(transport.only_request().path(), "/v1.0/me");
}

#[test]
fn each_action_declares_the_least_privileged_graph_permission_and_true_hints() {
    let provider = provider();
    let one = |s: &str| vec![vec![s.to_string()]];
    let any = |s: &[&str]| vec![s.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let expect = [
        (
            "OUTLOOK_SEND_EMAIL",
            one("Mail.Send"),
            (false, false, false),
        ),
        (
            "OUTLOOK_CREATE_DRAFT",
            one("Mail.ReadWrite"),
            (false, false, false),
        ),
        (
            "OUTLOOK_SEND_DRAFT",
            one("Mail.Send"),
            (false, false, false),
        ),
        (
            "OUTLOOK_REPLY_TO_MESSAGE",
            one("Mail.Send"),
            (false, false, false),
        ),
        (
            "OUTLOOK_LIST_MESSAGES",
            any(&["Mail.Read", "Mail.ReadWrite"]),
            (true, false, true),
        ),
        (
            "OUTLOOK_GET_MESSAGE",
            any(&["Mail.Read", "Mail.ReadWrite"]),
            (true, false, true),
        ),
        (
            "OUTLOOK_MOVE_MESSAGE",
            one("Mail.ReadWrite"),
            (false, false, false),
        ),
        (
            "OUTLOOK_LIST_FOLDERS",
            any(&["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"]),
            (true, false, true),
        ),
        (
            "OUTLOOK_UPDATE_MESSAGE",
            one("Mail.ReadWrite"),
            (false, false, true),
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
fn schemas_carry_formats_enums_and_no_top_level_combinators() {
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
    let send = provider.find("OUTLOOK_SEND_EMAIL").unwrap();
    let properties = &send.input_schema()["properties"];
    for field in ["to", "cc", "bcc", "reply_to"] {
        assert_eq!(properties[field]["items"]["format"], "email", "{field}");
    }
    for field in [
        "subject",
        "body",
        "body_type",
        "importance",
        "attachments",
        "save_to_sent_items",
    ] {
        assert!(properties.get(field).is_some(), "{field}");
    }
    assert!(send.output_schema().unwrap()["properties"]["sent"].is_object());
    let list = provider
        .find("OUTLOOK_LIST_MESSAGES")
        .unwrap()
        .input_schema();
    assert_eq!(list["properties"]["received_after"]["format"], "date-time");
    assert_eq!(list["properties"]["from"]["format"], "email");
    assert_eq!(list["properties"]["page_size"]["maximum"], 100);
    let schema = provider
        .find("OUTLOOK_UPDATE_MESSAGE")
        .unwrap()
        .input_schema();
    assert!(
        has_enum(&schema, &["notFlagged", "flagged", "complete"]),
        "{schema}"
    );
    let get = provider.find("OUTLOOK_GET_MESSAGE").unwrap().input_schema();
    assert!(has_enum(&get, &["text", "html"]), "{get}");
    for action in provider.actions() {
        let text = action.input_schema().to_string();
        assert!(!text.contains("\"oneOf\""), "{}: {text}", action.name());
    }
}

/// Whether some subschema of `schema` is a plain `enum` of exactly `members`.
fn has_enum(schema: &Value, members: &[&str]) -> bool {
    match schema {
        Value::Object(map) => {
            map.get("enum") == Some(&json!(members)) || map.values().any(|v| has_enum(v, members))
        }
        Value::Array(items) => items.iter().any(|v| has_enum(v, members)),
        _ => false,
    }
}
