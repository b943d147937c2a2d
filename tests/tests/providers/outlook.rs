//! The bundled Outlook plugin against a stand-in that checks every request with Microsoft
//! Graph's own model (the v1.0 OData CSDL, `MICROSOFT_GRAPH`): the real path walked on the model
//! (`/me/messages/{id}/move` is the bound action `move`), the method it takes, the OData query
//! options (`$select` and `$orderby` names against `message`, `$top` an integer, `$filter` and
//! `$search` present), the JSON body against the entity type or the action's parameters, and
//! the bearer token. Answers are fixtures shaped like the examples in Graph's reference pages;
//! Graph's error envelope reaches the caller as the contract's errors. The account's `tenant`
//! field is in every call's context, as the host puts it there.

use std::time::Duration;

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, MICROSOFT_GRAPH, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "outlook.wasm";

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.alice";

/// Fields of a listed message, as the plugin selects them.
const LIST_FIELDS: &str = "id,subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,isRead,isDraft,hasAttachments,importance,flag,categories,bodyPreview,conversationId,parentFolderId,webLink";

async fn outlook(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Alice, signed in through her organisation's tenant with the scopes Outlook asks for.
fn alice() -> CallContext {
    let mut call = alice_with(
        TOKEN,
        &["offline_access", "User.Read", "Mail.ReadWrite", "Mail.Send"],
    );
    call.fields
        .insert("tenant".into(), "contoso.onmicrosoft.com".into());
    call
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &MICROSOFT_GRAPH,
        FILE,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

/// Graph's answer to `sendMail`, `send`, `reply` and `replyAll`: 202 Accepted, no body.
fn accepted() -> Reply {
    Reply {
        status: 202,
        headers: vec![],
        body: vec![],
        delay: Duration::ZERO,
    }
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn json_body(request: &Recorded) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    request.json()
}

/// The query as decoded pairs, in order.
fn query(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A message as Graph's "Get message" and "Create message" examples show it.
fn message(id: &str) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('alice%40contoso.onmicrosoft.com')/messages/$entity",
        "@odata.etag": "W/\"CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAw+Tqd\"",
        "id": id,
        "createdDateTime": "2024-01-30T09:15:02Z",
        "lastModifiedDateTime": "2024-01-30T09:15:03Z",
        "changeKey": "CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAw+Tqd",
        "categories": [],
        "receivedDateTime": "2024-01-30T09:15:02Z",
        "sentDateTime": "2024-01-30T09:14:58Z",
        "hasAttachments": true,
        "internetMessageId": "<BYAPR15MB2423B2D0F1A2A5C3B4E5D6A7B8C9D0E1@BYAPR15MB2423.namprd15.prod.outlook.com>",
        "subject": "Quarterly numbers",
        "bodyPreview": "Here are the numbers for Q4. The table is attached.",
        "importance": "normal",
        "parentFolderId": "AQMkADJmMVAAA8AAAIBDAAAAA==",
        "conversationId": "AAQkADJmMTQAEAB0r5-xVq6dTJs6EgsUfi3U=",
        "isRead": false,
        "isDraft": false,
        "webLink": "https://outlook.office365.com/owa/?ItemID=AAMkADJmMTQAAA%3D&exvsurl=1&viewmodel=ReadMessageItem",
        "body": {"contentType": "text", "content": "Here are the numbers for Q4.\r\nThe table is attached.\r\n"},
        "sender": {"emailAddress": {"name": "Ada Lovelace", "address": "ada@contoso.onmicrosoft.com"}},
        "from": {"emailAddress": {"name": "Ada Lovelace", "address": "ada@contoso.onmicrosoft.com"}},
        "toRecipients": [{"emailAddress": {"name": "Alice", "address": "alice@contoso.onmicrosoft.com"}}],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"}
    })
}

/// A page of `GET .../messages` with the plugin's `$select`.
fn message_page(ids: &[&str], next: Option<&str>) -> Value {
    let mut page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('alice%40contoso.onmicrosoft.com')/messages(id,subject,from)",
        "value": ids.iter().map(|id| {
            let mut m = message(id);
            let m = m.as_object_mut().unwrap();
            for dropped in ["@odata.context", "body", "sender", "bccRecipients", "replyTo", "internetMessageId", "createdDateTime", "lastModifiedDateTime", "changeKey"] {
                m.remove(dropped);
            }
            Value::Object(m.clone())
        }).collect::<Vec<_>>()
    });
    if let Some(next) = next {
        page["@odata.nextLink"] = json!(next);
    }
    page
}

#[tokio::test]
async fn send_email_posts_the_message_and_saves_a_copy() {
    let (result, standin) = run(
        "outlook_send",
        "OUTLOOK_SEND_EMAIL",
        json!({
            "to": ["ada@contoso.onmicrosoft.com"],
            "cc": ["charles@contoso.onmicrosoft.com"],
            "subject": "Quarterly numbers",
            "body": "<p>The table is <b>attached</b>.</p>",
            "body_type": "html",
            "attachments": [{"filename": "q4.csv", "mime_type": "text/csv", "content_base64": "YSxiCjEsMgo="}],
        }),
        Fixture::operation("POST /me/sendMail", accepted()),
    )
    .await;
    assert_eq!(result.unwrap(), json!({"sent": true}));
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("POST", "/me/sendMail", None)
    );
    assert_bearer(&request);
    assert_eq!(
        json_body(&request),
        json!({
            "message": {
                "subject": "Quarterly numbers",
                "body": {"contentType": "html", "content": "<p>The table is <b>attached</b>.</p>"},
                "toRecipients": [{"emailAddress": {"address": "ada@contoso.onmicrosoft.com"}}],
                "ccRecipients": [{"emailAddress": {"address": "charles@contoso.onmicrosoft.com"}}],
                "attachments": [{
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "q4.csv",
                    "contentType": "text/csv",
                    "contentBytes": "YSxiCjEsMgo="
                }]
            },
            "saveToSentItems": true
        })
    );
}

#[tokio::test]
async fn create_a_draft_then_send_it_by_its_id() {
    let standin = MICROSOFT_GRAPH.session("outlook_drafts");
    let mut draft = message("AAMkADJmMTQDRAFT=");
    draft["isDraft"] = json!(true);
    standin
        .answer(Fixture::operation(
            "POST /me/messages",
            Reply::json(201, draft),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /me/messages/{id}/send",
            accepted(),
        ))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let (created, _) = runtime
        .execute(&plugin, "OUTLOOK_CREATE_DRAFT", &json!({"to": ["ada@contoso.onmicrosoft.com"], "subject": "Later", "importance": "low"}), &alice())
        .await;
    let created = created.unwrap();
    assert_eq!(created["isDraft"], true);
    let (sent, _) = runtime
        .execute(
            &plugin,
            "OUTLOOK_SEND_DRAFT",
            &json!({"message_id": created["id"]}),
            &alice(),
        )
        .await;
    assert_eq!(sent.unwrap(), json!({"sent": true}));
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/me/messages")
    );
    assert_eq!(
        json_body(&requests[0]),
        json!({"subject": "Later", "toRecipients": [{"emailAddress": {"address": "ada@contoso.onmicrosoft.com"}}], "importance": "low"})
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("POST", "/me/messages/AAMkADJmMTQDRAFT%3D/send")
    );
    assert!(requests[1].body.is_empty());
}

#[tokio::test]
async fn reply_and_reply_all_post_the_comment() {
    let standin = MICROSOFT_GRAPH.session("outlook_reply");
    standin.answer(Fixture::any(accepted())).await;
    let (runtime, plugin) = outlook(&standin).await;
    for reply_all in [false, true] {
        let (result, _) = runtime
            .execute(&plugin, "OUTLOOK_REPLY_TO_MESSAGE", &json!({"message_id": "AAMkADA1MTAAAH5JaLAAA=", "comment": "Thursday works.", "reply_all": reply_all}), &alice())
            .await;
        assert_eq!(result.unwrap(), json!({"sent": true}));
    }
    standin.assert_no_violations().await;
    let checked = standin.checked().await;
    let operations: Vec<Option<&str>> = checked.iter().map(|c| c.operation.as_deref()).collect();
    assert_eq!(
        operations,
        [
            Some("POST /me/messages/{id}/reply"),
            Some("POST /me/messages/{id}/replyAll")
        ]
    );
    assert_eq!(
        checked[0].request.path,
        "/me/messages/AAMkADA1MTAAAH5JaLAAA%3D/reply"
    );
    assert_eq!(
        checked[1].request.path,
        "/me/messages/AAMkADA1MTAAAH5JaLAAA%3D/replyAll"
    );
    for c in &checked {
        assert_eq!(json_body(&c.request), json!({"comment": "Thursday works."}));
    }
}

#[tokio::test]
async fn list_messages_filters_then_fetches_the_second_page_with_the_returned_cursor() {
    let next = "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?%24filter=receivedDateTime%20ge%202024-01-29T00%3A00%3A00Z%20and%20isRead%20eq%20false&%24orderby=receivedDateTime%20desc&%24top=2&%24skip=2";
    let standin = MICROSOFT_GRAPH.session("outlook_list_pages");
    standin
        .answer(
            Fixture::operation(
                "GET /me/mailFolders/{id}/messages",
                Reply::json(200, message_page(&["AAMkAD1=", "AAMkAD2="], Some(next))),
            )
            .once(),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders/{id}/messages",
            Reply::json(200, message_page(&["AAMkAD3="], None)),
        ))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let (first, _) = runtime
        .execute(&plugin, "OUTLOOK_LIST_MESSAGES", &json!({"folder_id": "inbox", "unread_only": true, "received_after": "2024-01-29T00:00:00Z", "page_size": 2}), &alice())
        .await;
    let first = first.unwrap();
    let ids: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids, [&json!("AAMkAD1="), &json!("AAMkAD2=")]);
    assert_eq!(first["next_cursor"], next);
    assert_eq!(first["folder"], Value::Null);
    let (second, _) = runtime
        .execute(
            &plugin,
            "OUTLOOK_LIST_MESSAGES",
            &json!({"cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    let second = second.unwrap();
    assert_eq!(second["items"][0]["id"], "AAMkAD3=");
    assert_eq!(second["next_cursor"], Value::Null);
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/me/mailFolders/inbox/messages");
    assert_bearer(&requests[0]);
    assert_eq!(
        query(&requests[0]),
        pairs(&[
            ("$select", LIST_FIELDS),
            ("$top", "2"),
            (
                "$filter",
                "receivedDateTime ge 2024-01-29T00:00:00Z and isRead eq false"
            ),
            ("$orderby", "receivedDateTime desc"),
        ])
    );
    assert_eq!(requests[1].path, "/me/mailFolders/inbox/messages");
    assert_eq!(
        Some(requests[1].query.as_deref().unwrap()),
        next.split_once('?').map(|(_, q)| q)
    );
    assert_bearer(&requests[1]);
}

#[tokio::test]
async fn list_messages_searches_the_whole_mailbox() {
    let (result, standin) = run(
        "outlook_search",
        "OUTLOOK_LIST_MESSAGES",
        json!({"search": "from:ada@contoso.onmicrosoft.com quarterly", "page_size": 10}),
        Fixture::operation(
            "GET /me/messages",
            Reply::json(200, message_page(&["AAMkAD1="], None)),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["items"][0]["subject"], "Quarterly numbers");
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(request.path, "/me/messages");
    assert_eq!(
        query(&request),
        pairs(&[
            ("$select", LIST_FIELDS),
            ("$top", "10"),
            ("$search", "\"from:ada@contoso.onmicrosoft.com quarterly\"")
        ])
    );
}

#[tokio::test]
async fn get_message_asks_for_the_body_as_text_and_lists_the_attachments() {
    let attachments = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('alice%40contoso.onmicrosoft.com')/messages('AAMkAD1%3D')/attachments(id,name,contentType,size,isInline)",
        "value": [{
            "@odata.type": "#microsoft.graph.fileAttachment",
            "@odata.mediaContentType": "text/csv",
            "id": "AAMkAD1=BgAAAAAAA=",
            "name": "q4.csv",
            "contentType": "text/csv",
            "size": 368,
            "isInline": false
        }]
    });
    let standin = MICROSOFT_GRAPH.session("outlook_get");
    standin
        .answer(Fixture::operation(
            "GET /me/messages/{id}",
            Reply::json(200, message("AAMkAD1=")),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/messages/{id}/attachments",
            Reply::json(200, attachments.clone()),
        ))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "OUTLOOK_GET_MESSAGE",
            &json!({"message_id": "AAMkAD1="}),
            &alice(),
        )
        .await;
    let got = result.unwrap();
    assert_eq!(report.upstream_calls, 2);
    let mut expected = message("AAMkAD1=");
    expected["attachments"] = attachments["value"].clone();
    assert_eq!(got, expected);
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    assert_eq!(requests[0].path, "/me/messages/AAMkAD1%3D");
    assert_eq!(
        requests[0].header("prefer"),
        Some("outlook.body-content-type=\"text\"")
    );
    assert_eq!(query(&requests[0])[0].0, "$select");
    assert_eq!(requests[1].path, "/me/messages/AAMkAD1%3D/attachments");
    assert_eq!(
        query(&requests[1]),
        pairs(&[("$select", "id,name,contentType,size,isInline")])
    );
}

/// `GET /me/mailFolders` as the folder lookup asks for it.
fn folders() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('alice%40contoso.onmicrosoft.com')/mailFolders(id,displayName)",
        "value": [
            {"id": "AAMkADYAAAAAAEKAAA=", "displayName": "Inbox"},
            {"id": "AAMkADYAAAAAAEPAAA=", "displayName": "Drafts"},
            {"id": "AAMkADYAAAAAAEJAAA=", "displayName": "Sent Items"},
            {"id": "AAMkADYAAAYXc3gAAA=", "displayName": "Receipts"}
        ]
    })
}

#[tokio::test]
async fn move_message_by_folder_name_looks_it_up_and_says_which_matched() {
    let standin = MICROSOFT_GRAPH.session("outlook_move");
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders",
            Reply::json(200, folders()),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /me/messages/{id}/move",
            Reply::json(201, message("AAMkADMOVED=")),
        ))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "OUTLOOK_MOVE_MESSAGE",
            &json!({"message_id": "AAMkAD1=", "folder_name": "receipts"}),
            &alice(),
        )
        .await;
    let moved = result.unwrap();
    assert_eq!(
        moved["folder"],
        json!({"id": "AAMkADYAAAYXc3gAAA=", "display_name": "Receipts"})
    );
    assert_eq!(moved["message"]["id"], "AAMkADMOVED=");
    let (missing, _) = runtime
        .execute(
            &plugin,
            "OUTLOOK_MOVE_MESSAGE",
            &json!({"message_id": "AAMkAD1=", "folder_name": "Taxes"}),
            &alice(),
        )
        .await;
    assert_eq!(
        missing.unwrap_err(),
        CallError::Action(ActionError::InvalidInput(
            "no top-level mail folder is named \"Taxes\"; the folders are: Inbox, Drafts, Sent Items, Receipts. For a subfolder give its `folder_id` (OUTLOOK_LIST_FOLDERS with `parent_folder_id` lists subfolders)".into()
        ))
    );
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 3, "lookup, move, lookup");
    assert_eq!(
        query(&requests[0]),
        pairs(&[("$select", "id,displayName"), ("$top", "100")])
    );
    assert_eq!(requests[1].path, "/me/messages/AAMkAD1%3D/move");
    assert_eq!(
        json_body(&requests[1]),
        json!({"destinationId": "AAMkADYAAAYXc3gAAA="})
    );
}

#[tokio::test]
async fn list_folders_lists_a_parents_subfolders_and_update_message_patches_it() {
    let standin = MICROSOFT_GRAPH.session("outlook_folders_update");
    let child = json!({
        "id": "AAMkADYAAAYXc3hAAA=",
        "displayName": "Invoices",
        "parentFolderId": "AAMkADYAAAAAAEKAAA=",
        "childFolderCount": 0,
        "unreadItemCount": 3,
        "totalItemCount": 41,
        "sizeInBytes": 1048576,
        "isHidden": false
    });
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders/{id}/childFolders",
            Reply::json(200, json!({"value": [child.clone()]})),
        ))
        .await;
    let mut flagged = message("AAMkAD1=");
    flagged["flag"] = json!({"flagStatus": "flagged"});
    flagged["isRead"] = json!(true);
    flagged["categories"] = json!(["Red category"]);
    standin
        .answer(Fixture::operation(
            "PATCH /me/messages/{id}",
            Reply::json(200, flagged.clone()),
        ))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let (listed, _) = runtime
        .execute(
            &plugin,
            "OUTLOOK_LIST_FOLDERS",
            &json!({"parent_folder_id": "inbox", "page_size": 20}),
            &alice(),
        )
        .await;
    assert_eq!(
        listed.unwrap(),
        json!({"items": [child], "next_cursor": null})
    );
    let (updated, _) = runtime
        .execute(&plugin, "OUTLOOK_UPDATE_MESSAGE", &json!({"message_id": "AAMkAD1=", "is_read": true, "categories": ["Red category"], "flag_status": "flagged"}), &alice())
        .await;
    assert_eq!(updated.unwrap(), flagged);
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    assert_eq!(
        (requests[0].path.as_str(), requests[0].query.as_deref()),
        ("/me/mailFolders/inbox/childFolders", Some("%24top=20"))
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("PATCH", "/me/messages/AAMkAD1%3D")
    );
    assert_eq!(
        json_body(&requests[1]),
        json!({"isRead": true, "categories": ["Red category"], "flag": {"flagStatus": "flagged"}})
    );
}

/// Graph's error envelope with `code` and `message`, as its errors page shows it.
fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "innerError": {"date": "2024-01-30T09:15:02", "request-id": "b5e6f1f7-0d3a-4c8b-9b8e-2a1c3d4e5f60", "client-request-id": "b5e6f1f7-0d3a-4c8b-9b8e-2a1c3d4e5f60"}}})
}

#[tokio::test]
async fn graphs_error_envelope_reaches_the_caller_as_the_contracts_errors() {
    let forbidden = graph_error(
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    );
    let cases = [
        (
            Reply::json(
                401,
                graph_error(
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                ),
            ),
            ActionError::Unauthorized(
                "InvalidAuthenticationToken: Access token has expired or is not yet valid.".into(),
            ),
        ),
        (
            Reply::json(
                404,
                graph_error(
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                ),
            ),
            ActionError::NotFound(
                "ErrorItemNotFound: The specified object was not found in the store.".into(),
            ),
        ),
        (
            Reply::json(
                429,
                graph_error(
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                ),
            )
            .header("retry-after", "17"),
            ActionError::RateLimited {
                message: "ApplicationThrottled: Application is over its MailboxConcurrency limit."
                    .into(),
                retry_after_seconds: Some(17),
            },
        ),
        (
            Reply::json(
                503,
                graph_error(
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                ),
            )
            .header("retry-after", "5"),
            ActionError::RateLimited {
                message: "ServiceUnavailable: The service is temporarily unavailable.".into(),
                retry_after_seconds: Some(5),
            },
        ),
        (
            Reply::json(403, forbidden.clone()),
            ActionError::Upstream {
                status: 403,
                message: "ErrorAccessDenied: Access is denied. Check credentials and try again."
                    .into(),
                body: Some(forbidden.to_string()),
            },
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("outlook_error_{i}"),
            "OUTLOOK_UPDATE_MESSAGE",
            json!({"message_id": "AAMkAD1=", "is_read": true}),
            Fixture::operation("PATCH /me/messages/{id}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected));
        standin.assert_no_violations().await;
    }
}

/// Every action, in one session: Graph's model accepts each request, and each reaches the
/// operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_graphs_model_accepts() {
    let standin = MICROSOFT_GRAPH.session("outlook_every_action");
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders",
            Reply::json(200, folders()),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders/{id}/messages",
            Reply::json(200, message_page(&["AAMkAD1="], None)),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/messages",
            Reply::json(200, message_page(&["AAMkAD1="], None)),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders/{id}/childFolders",
            Reply::json(200, json!({"value": []})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/messages/{id}/attachments",
            Reply::json(200, json!({"value": []})),
        ))
        .await;
    for operation in [
        "POST /me/sendMail",
        "POST /me/messages/{id}/send",
        "POST /me/messages/{id}/reply",
        "POST /me/messages/{id}/replyAll",
    ] {
        standin
            .answer(Fixture::operation(operation, accepted()))
            .await;
    }
    standin
        .answer(Fixture::any(Reply::json(200, message("AAMkAD1="))))
        .await;
    let (runtime, plugin) = outlook(&standin).await;
    let file = json!({"filename": "a.txt", "mime_type": "text/plain", "content_base64": "aGk="});
    let calls: &[Call<'_>] = &[
        (
            "OUTLOOK_SEND_EMAIL",
            json!({"to": ["ada@contoso.com"], "cc": ["b@contoso.com"], "bcc": ["c@contoso.com"], "reply_to": ["d@contoso.com"], "subject": "s", "body": "b", "importance": "high", "save_to_sent_items": false, "attachments": [file]}),
            &["POST /me/sendMail"],
        ),
        (
            "OUTLOOK_CREATE_DRAFT",
            json!({"to": ["ada@contoso.com"], "subject": "s", "body": "<p>b</p>", "body_type": "html", "attachments": [file]}),
            &["POST /me/messages"],
        ),
        (
            "OUTLOOK_SEND_DRAFT",
            json!({"message_id": "AAMkAD1="}),
            &["POST /me/messages/{id}/send"],
        ),
        (
            "OUTLOOK_REPLY_TO_MESSAGE",
            json!({"message_id": "AAMkAD1=", "comment": "ok"}),
            &["POST /me/messages/{id}/reply"],
        ),
        (
            "OUTLOOK_REPLY_TO_MESSAGE",
            json!({"message_id": "AAMkAD1=", "comment": "ok", "reply_all": true}),
            &["POST /me/messages/{id}/replyAll"],
        ),
        (
            "OUTLOOK_LIST_MESSAGES",
            json!({"folder_name": "Receipts", "from": "ada@contoso.com", "received_before": "2024-02-01T00:00:00+01:00", "has_attachments": true, "page_size": 100}),
            &["GET /me/mailFolders", "GET /me/mailFolders/{id}/messages"],
        ),
        (
            "OUTLOOK_LIST_MESSAGES",
            json!({"search": "budget"}),
            &["GET /me/messages"],
        ),
        ("OUTLOOK_LIST_MESSAGES", json!({}), &["GET /me/messages"]),
        (
            "OUTLOOK_GET_MESSAGE",
            json!({"message_id": "AAMkAD1=", "body_type": "html"}),
            &["GET /me/messages/{id}", "GET /me/messages/{id}/attachments"],
        ),
        (
            "OUTLOOK_MOVE_MESSAGE",
            json!({"message_id": "AAMkAD1=", "folder_id": "deleteditems"}),
            &["POST /me/messages/{id}/move"],
        ),
        ("OUTLOOK_LIST_FOLDERS", json!({}), &["GET /me/mailFolders"]),
        (
            "OUTLOOK_LIST_FOLDERS",
            json!({"include_hidden": true}),
            &["GET /me/mailFolders"],
        ),
        (
            "OUTLOOK_LIST_FOLDERS",
            json!({"parent_folder_id": "AAMkADYAAAAAAEKAAA=", "include_hidden": true}),
            &["GET /me/mailFolders/{id}/childFolders"],
        ),
        (
            "OUTLOOK_UPDATE_MESSAGE",
            json!({"message_id": "AAMkAD1=", "is_read": false, "categories": [], "flag_status": "complete", "importance": "low"}),
            &["PATCH /me/messages/{id}"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), calls).await;
    assert_eq!(outputs[0], json!({"sent": true}));
    assert_eq!(outputs[5]["folder"]["display_name"], "Receipts");
}

const BEARER: (&str, &str) = (
    "authorization",
    "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.alice",
);
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Graph's model refuses, close to what the plugin sends, so a
/// stand-in that accepts everything fails here.
#[tokio::test]
async fn graphs_model_refuses_what_graph_would_refuse_of_outlook_requests() {
    assert_refused(
        &MICROSOFT_GRAPH,
        "outlook_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/me/sendMail",
                headers: &[BEARER, JSON],
                body: r#"{"message": {"subject": "x"}, "saveToSent": true}"#,
                because: "'saveToSent' is not a parameter of the action sendMail",
            },
            Refused {
                method: "POST",
                path_and_query: "/me/messages",
                headers: &[BEARER, JSON],
                body: r#"{"subject": "x", "importance": "urgent"}"#,
                because: "'urgent' is not a member of importance",
            },
            Refused {
                method: "POST",
                path_and_query: "/me/messages/AAMkAD1%3D/move",
                headers: &[BEARER, JSON],
                body: "{}",
                because: "requires the parameter 'DestinationId'",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/messages?$select=subject,colour",
                headers: &[BEARER],
                body: "",
                because: "message has no property 'colour'",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/messages?$top=ten",
                headers: &[BEARER],
                body: "",
                because: "$top must be a non-negative integer",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/mailFolders",
                headers: &[],
                body: "",
                because: "requires an OAuth 2 bearer token",
            },
        ],
    )
    .await;
}

/// Known good: `sendMail` exactly as Graph's reference shows it (`user-sendmail`, example 1,
/// with the boolean sent as a boolean).
#[tokio::test]
async fn graphs_model_accepts_send_mail_from_graphs_docs() {
    let body = json!({
        "message": {
            "subject": "Meet for lunch?",
            "body": {"contentType": "Text", "content": "The new cafeteria is open."},
            "toRecipients": [{"emailAddress": {"address": "frannis@contoso.com"}}],
            "ccRecipients": [{"emailAddress": {"address": "danas@contoso.com"}}]
        },
        "saveToSentItems": false
    });
    assert_accepted(
        &MICROSOFT_GRAPH,
        "outlook_docs_sendmail",
        ("POST", "/me/sendMail", &[BEARER, JSON], &body.to_string()),
        "POST /me/sendMail",
    )
    .await;
}
