//! The Microsoft Graph check of the validating stand-in (`tests/tools/standin/graph.py`, Graph's
//! own OData CSDL), ahead of the Outlook, Microsoft Calendar, OneDrive and Teams plugins: every
//! request shape those plugins send, on the real v1.0 paths, is accepted and named by its
//! `METHOD /template` operation (one test per area, plus Graph's own sendMail example); requests
//! Graph refuses (unknown segment, wrong method, unknown or mistyped query options, a missing
//! required parameter, body properties the type lacks or mistypes, a bad enum member, unknown or
//! missing action parameters, no bearer token) are refused for the stated reason; and a fixture
//! is matched by the operation name.

use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, MICROSOFT_GRAPH};
use serde_json::json;

use super::{Refused, assert_accepted, assert_refused};

const BEARER: (&str, &str) = ("authorization", "Bearer eyJ0eXAi.alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// One accepted request: method, path and query, headers, body, and the operation it reaches.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

/// Sends every case in one session and asserts each is accepted (2xx, no violation) and named.
async fn assert_all_accepted(test: &str, cases: &[Case<'_>]) {
    let standin = MICROSOFT_GRAPH.session(test);
    for (method, path_and_query, headers, body, _) in cases {
        let (status, answer) = standin
            .send(method, path_and_query, headers, body.as_bytes())
            .await;
        assert!(
            (200..300).contains(&status),
            "{method} {path_and_query} was refused: {status} {answer}"
        );
    }
    standin.assert_no_violations().await;
    let reached: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|c| c.operation)
        .collect();
    let expected: Vec<Option<String>> = cases.iter().map(|c| Some(c.4.to_string())).collect();
    assert_eq!(reached, expected);
}

/// Known good: sendMail as Graph's docs show it (`user-sendmail`, example 1), whose parameters
/// the CSDL spells `Message`/`SaveToSentItems` and whose `contentType` is `Text` (the member is
/// `text`). The docs send `"saveToSentItems": "false"`, a string for an Edm.Boolean that Graph
/// takes; the check is stricter there, so the boolean is sent.
#[tokio::test]
async fn graph_accepts_send_mail_from_graphs_docs() {
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
        "graph_sendmail_docs",
        ("POST", "/me/sendMail", &[BEARER, JSON], &body.to_string()),
        "POST /me/sendMail",
    )
    .await;
}

#[tokio::test]
async fn graph_accepts_what_the_outlook_plugin_sends() {
    let draft = json!({
        "subject": "Report",
        "importance": "high",
        "body": {"contentType": "html", "content": "<p>Hi</p>"},
        "toRecipients": [{"emailAddress": {"address": "bob@example.com", "name": "Bob"}}],
        "attachments": [{
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": "a.txt",
            "contentType": "text/plain",
            "contentBytes": "aGVsbG8="
        }]
    })
    .to_string();
    let reply_all = json!({
        "comment": "Thanks",
        "message": {"ccRecipients": [{"emailAddress": {"address": "carol@example.com"}}]}
    })
    .to_string();
    let patch = json!({
        "isRead": true,
        "categories": ["Red category"],
        "flag": {"flagStatus": "flagged", "dueDateTime": {"dateTime": "2026-12-01T17:00:00", "timeZone": "UTC"}}
    })
    .to_string();
    let text = ("prefer", "outlook.body-content-type=\"text\"");
    assert_all_accepted(
        "graph_outlook",
        &[
            ("POST", "/me/sendMail", &[BEARER, JSON], r#"{"message": {"subject": "Hi", "toRecipients": [{"emailAddress": {"address": "bob@example.com"}}]}, "saveToSentItems": true}"#, "POST /me/sendMail"),
            ("POST", "/me/messages", &[BEARER, JSON], &draft, "POST /me/messages"),
            ("POST", "/me/mailFolders/drafts/messages", &[BEARER, JSON], r#"{"subject": "Draft"}"#, "POST /me/mailFolders/{id}/messages"),
            ("POST", "/me/messages/AAMkAD%3D/send", &[BEARER], "", "POST /me/messages/{id}/send"),
            ("POST", "/me/messages/AAMkAD/reply", &[BEARER, JSON], r#"{"comment": "Yes"}"#, "POST /me/messages/{id}/reply"),
            ("POST", "/me/messages/AAMkAD/replyAll", &[BEARER, JSON], &reply_all, "POST /me/messages/{id}/replyAll"),
            ("GET", "/me/messages?$search=%22budget%22&$top=10&$select=subject,from,receivedDateTime,isRead&$count=true", &[BEARER], "", "GET /me/messages"),
            ("GET", "/me/mailFolders/inbox/messages?$filter=isRead%20eq%20false&$orderby=receivedDateTime%20desc&$top=25&$skip=25", &[BEARER], "", "GET /me/mailFolders/{id}/messages"),
            ("GET", "/me/messages?$skiptoken=MSZZVlFJQ&$orderby=from/emailAddress/address", &[BEARER], "", "GET /me/messages"),
            ("GET", "/me/messages/AAMkAD", &[BEARER, text], "", "GET /me/messages/{id}"),
            ("GET", "/me/messages/AAMkAD/attachments", &[BEARER], "", "GET /me/messages/{id}/attachments"),
            ("POST", "/me/messages/AAMkAD/move", &[BEARER, JSON], r#"{"destinationId": "archive"}"#, "POST /me/messages/{id}/move"),
            ("GET", "/me/mailFolders?$top=50", &[BEARER], "", "GET /me/mailFolders"),
            ("GET", "/me/mailFolders/inbox/childFolders", &[BEARER], "", "GET /me/mailFolders/{id}/childFolders"),
            ("GET", "/me/mailFolders?includeHiddenFolders=true", &[BEARER], "", "GET /me/mailFolders"),
            ("PATCH", "/me/messages/AAMkAD", &[BEARER, JSON], &patch, "PATCH /me/messages/{id}"),
        ],
    )
    .await;
}

#[tokio::test]
async fn graph_accepts_what_the_calendar_plugin_sends() {
    let event = json!({
        "subject": "Planning",
        "body": {"contentType": "HTML", "content": "Agenda"},
        "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "Europe/Paris"},
        "location": {"displayName": "Room 1"},
        "attendees": [{"emailAddress": {"address": "bob@example.com"}, "type": "required"}],
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "showAs": "busy"
    })
    .to_string();
    let find = json!({
        "attendees": [{"emailAddress": {"address": "bob@example.com"}, "type": "required"}],
        "timeConstraint": {
            "activityDomain": "work",
            "timeSlots": [{
                "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-12-01T17:00:00", "timeZone": "UTC"}
            }]
        },
        "meetingDuration": "PT1H",
        "maxCandidates": 5,
        "isOrganizerOptional": false
    })
    .to_string();
    let answer = r#"{"comment": "See you", "sendResponse": true}"#;
    let zone = ("prefer", "outlook.timezone=\"Europe/Paris\"");
    assert_all_accepted(
        "graph_calendar",
        &[
            ("GET", "/me/calendars", &[BEARER], "", "GET /me/calendars"),
            ("GET", "/me/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-08T00:00:00Z&$top=50&$orderby=start/dateTime", &[BEARER, zone], "", "GET /me/calendarView"),
            ("GET", "/me/calendars/AAMkC/calendarView?startDateTime=2026-12-01T00:00:00%2B01:00&endDateTime=2026-12-02T00:00:00%2B01:00", &[BEARER], "", "GET /me/calendars/{id}/calendarView"),
            ("GET", "/me/events/AAMkE?$select=subject,start,end", &[BEARER, zone], "", "GET /me/events/{id}"),
            ("PATCH", "/me/events/AAMkE", &[BEARER, JSON], r#"{"subject": "Moved", "start": {"dateTime": "2026-12-02T10:00:00", "timeZone": "UTC"}}"#, "PATCH /me/events/{id}"),
            ("DELETE", "/me/events/AAMkE", &[BEARER], "", "DELETE /me/events/{id}"),
            ("POST", "/me/events", &[BEARER, JSON], &event, "POST /me/events"),
            ("POST", "/me/calendars/AAMkC/events", &[BEARER, JSON], &event, "POST /me/calendars/{id}/events"),
            ("POST", "/me/events/AAMkE/accept", &[BEARER, JSON], answer, "POST /me/events/{id}/accept"),
            ("POST", "/me/events/AAMkE/tentativelyAccept", &[BEARER, JSON], answer, "POST /me/events/{id}/tentativelyAccept"),
            ("POST", "/me/events/AAMkE/decline", &[BEARER, JSON], answer, "POST /me/events/{id}/decline"),
            ("POST", "/me/findMeetingTimes", &[BEARER, JSON], &find, "POST /me/findMeetingTimes"),
        ],
    )
    .await;
}

#[tokio::test]
async fn graph_accepts_what_the_onedrive_plugin_sends() {
    let octets = ("content-type", "application/octet-stream");
    assert_all_accepted(
        "graph_onedrive",
        &[
            (
                "GET",
                "/me/drive/root/children?$top=100&$select=id,name,size,folder,file",
                &[BEARER],
                "",
                "GET /me/drive/root/children",
            ),
            (
                "GET",
                "/me/drive/items/01ABC/children",
                &[BEARER],
                "",
                "GET /me/drive/items/{id}/children",
            ),
            (
                "GET",
                "/me/drive/root:/Documents/Reports:/children",
                &[BEARER],
                "",
                "GET /me/drive/root:/{path}:/children",
            ),
            (
                "GET",
                "/me/drive/root/search(q='it''s%20a%20plan')?$top=20",
                &[BEARER],
                "",
                "GET /me/drive/root/search(q={q})",
            ),
            (
                "GET",
                "/me/drive/items/01ABC",
                &[BEARER],
                "",
                "GET /me/drive/items/{id}",
            ),
            (
                "GET",
                "/me/drive/root:/Documents/a%20b.txt:",
                &[BEARER],
                "",
                "GET /me/drive/root:/{path}:",
            ),
            (
                "GET",
                "/me/drive/items/01ABC/content",
                &[BEARER],
                "",
                "GET /me/drive/items/{id}/content",
            ),
            (
                "GET",
                "/me/drive/root:/Reports%20(2026)/a(b.txt:/content",
                &[BEARER],
                "",
                "GET /me/drive/root:/{path}:/content",
            ),
            (
                "PUT",
                "/me/drive/items/01PARENT:/notes.txt:/content",
                &[BEARER, ("content-type", "text/plain")],
                "hello",
                "PUT /me/drive/items/{id}:/{path}:/content",
            ),
            (
                "PUT",
                "/me/drive/root:/Documents/blob.bin:/content",
                &[BEARER, octets],
                "\u{1}\u{2}",
                "PUT /me/drive/root:/{path}:/content",
            ),
            (
                "POST",
                "/me/drive/items/01PARENT:/big.zip:/createUploadSession",
                &[BEARER, JSON],
                r#"{"item": {"@microsoft.graph.conflictBehavior": "rename", "name": "big.zip"}}"#,
                "POST /me/drive/items/{id}:/{path}:/createUploadSession",
            ),
            (
                "POST",
                "/me/drive/items/01PARENT/children",
                &[BEARER, JSON],
                r#"{"name": "New", "folder": {}, "@microsoft.graph.conflictBehavior": "fail"}"#,
                "POST /me/drive/items/{id}/children",
            ),
            (
                "PATCH",
                "/me/drive/items/01ABC",
                &[BEARER, JSON],
                r#"{"name": "renamed.txt", "parentReference": {"id": "01PARENT"}}"#,
                "PATCH /me/drive/items/{id}",
            ),
            (
                "POST",
                "/me/drive/items/01ABC/createLink",
                &[BEARER, JSON],
                r#"{"type": "view", "scope": "organization"}"#,
                "POST /me/drive/items/{id}/createLink",
            ),
            (
                "DELETE",
                "/me/drive/items/01ABC",
                &[BEARER],
                "",
                "DELETE /me/drive/items/{id}",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn graph_accepts_what_the_teams_plugin_sends() {
    let message = r#"{"body": {"contentType": "html", "content": "<b>Hello</b>"}}"#;
    assert_all_accepted(
        "graph_teams",
        &[
            (
                "GET",
                "/me/joinedTeams",
                &[BEARER],
                "",
                "GET /me/joinedTeams",
            ),
            (
                "GET",
                "/teams/19a-team/channels",
                &[BEARER],
                "",
                "GET /teams/{id}/channels",
            ),
            (
                "POST",
                "/teams/19a-team/channels",
                &[BEARER, JSON],
                r#"{"displayName": "Plans", "description": "x", "membershipType": "standard"}"#,
                "POST /teams/{id}/channels",
            ),
            (
                "GET",
                "/teams/19a-team/channels/19%3Aabc%40thread.tacv2/messages?$top=20",
                &[BEARER],
                "",
                "GET /teams/{id}/channels/{id}/messages",
            ),
            (
                "POST",
                "/teams/19a-team/channels/19%3Aabc%40thread.tacv2/messages",
                &[BEARER, JSON],
                message,
                "POST /teams/{id}/channels/{id}/messages",
            ),
            (
                "POST",
                "/teams/19a-team/channels/19%3Aabc%40thread.tacv2/messages/1616/replies",
                &[BEARER, JSON],
                r#"{"body": {"content": "Agreed"}}"#,
                "POST /teams/{id}/channels/{id}/messages/{id}/replies",
            ),
            (
                "GET",
                "/me/chats?$expand=members&$top=20",
                &[BEARER],
                "",
                "GET /me/chats",
            ),
            (
                "POST",
                "/chats/19%3Achat%40unq.gbl.spaces/messages",
                &[BEARER, JSON],
                message,
                "POST /chats/{id}/messages",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn graph_refuses_what_graph_would() {
    let graph = &[BEARER, JSON];
    let since = "startDateTime=2026-12-01T00:00:00Z";
    assert_refused(
        &MICROSOFT_GRAPH,
        "graph_refused",
        &[
            Refused { method: "GET", path_and_query: "/me/mesages", headers: graph, body: "", because: "'mesages' is not a navigation property" },
            Refused { method: "GET", path_and_query: "/groups/1/foo", headers: graph, body: "", because: "'foo' is not a navigation property" },
            Refused { method: "DELETE", path_and_query: "/me/mailFolders", headers: graph, body: "", because: "does not take DELETE" },
            Refused { method: "GET", path_and_query: "/me/mailFolders?includeHiddenFolders=yes", headers: graph, body: "", because: "'yes' is not true or false" },
            Refused { method: "POST", path_and_query: "/me/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z", headers: graph, body: "{}", because: "does not take POST" },
            Refused {
                method: "GET",
                path_and_query: "/me/calendarView/AAMkE?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z",
                headers: graph,
                body: "",
                because: "/me/calendarView is a view",
            },
            Refused { method: "GET", path_and_query: "/me/sendMail", headers: graph, body: "", because: "does not take GET" },
            Refused { method: "GET", path_and_query: "/me/messages?maxResults=5", headers: graph, body: "", because: "query option 'maxResults' is neither" },
            Refused { method: "GET", path_and_query: "/me/messages?$select=subject,sender,colour", headers: graph, body: "", because: "message has no property 'colour'" },
            Refused { method: "GET", path_and_query: "/me/messages?$top=ten", headers: graph, body: "", because: "$top must be a non-negative integer" },
            Refused { method: "GET", path_and_query: "/me/chats?$expand=people", headers: graph, body: "", because: "no navigation property 'people'" },
            Refused { method: "GET", path_and_query: &format!("/me/calendarView?{since}"), headers: graph, body: "", because: "'endDateTime' is required" },
            Refused { method: "GET", path_and_query: "/me/calendarView?startDateTime=monday&endDateTime=2026-12-02T00:00:00Z", headers: graph, body: "", because: "'monday' is not an ISO 8601 date-time" },
            Refused { method: "POST", path_and_query: "/me/messages", headers: graph, body: r#"{"subject": "x", "priority": "high"}"#, because: "message has no property 'priority'" },
            Refused { method: "POST", path_and_query: "/me/events", headers: graph, body: r#"{"start": {"dateTime": 1764583200, "timeZone": "UTC"}}"#, because: "body.start.dateTime: expected a string" },
            Refused { method: "POST", path_and_query: "/me/messages", headers: graph, body: r#"{"importance": "urgent"}"#, because: "'urgent' is not a member of importance" },
            Refused { method: "POST", path_and_query: "/me/sendMail", headers: graph, body: r#"{"message": {"subject": "x"}, "saveToSent": true}"#, because: "'saveToSent' is not a parameter of the action sendMail" },
            Refused { method: "POST", path_and_query: "/me/sendMail", headers: graph, body: r#"{"saveToSentItems": true}"#, because: "the action sendMail requires the parameter 'Message'" },
            Refused { method: "POST", path_and_query: "/me/messages/A/move", headers: graph, body: "{}", because: "requires the parameter 'DestinationId'" },
            Refused { method: "POST", path_and_query: "/me/events/E/accept", headers: graph, body: r#"{"sendResponse": "yes"}"#, because: "expected a boolean" },
            Refused { method: "POST", path_and_query: "/me/messages", headers: graph, body: r#"{"sentDateTime": "yesterday"}"#, because: "not an RFC 3339 date-time" },
            Refused { method: "GET", path_and_query: "/me/messages", headers: &[], body: "", because: "requires an OAuth 2 bearer token" },
            Refused { method: "GET", path_and_query: "/me/drive/root/search(q=plan)", headers: graph, body: "", because: "not a quoted string literal" },
            Refused { method: "GET", path_and_query: "/me/drive/root/find(q='x')", headers: graph, body: "", because: "not a function bound to driveItem" },
            Refused { method: "DELETE", path_and_query: "/me/drive/items/X", headers: graph, body: r#"{"x": 1}"#, because: "takes no body" },
            Refused { method: "POST", path_and_query: "/me/messages", headers: &[BEARER, ("content-type", "text/plain")], body: r#"{"subject": "x"}"#, because: "must be application/json" },
        ],
    )
    .await;
}

/// A fixture is matched by the `METHOD /template` operation name, whatever the ids.
#[tokio::test]
async fn graph_fixtures_match_by_operation_name() {
    let standin = MICROSOFT_GRAPH.session("graph_fixture");
    standin
        .answer(Fixture::operation(
            "GET /me/mailFolders/{id}/messages",
            Reply::json(200, json!({"value": [{"id": "m1"}]})),
        ))
        .await;
    let (status, answer) = standin
        .send(
            "GET",
            "/me/mailFolders/inbox/messages?$top=1",
            &[BEARER],
            b"",
        )
        .await;
    assert_eq!((status, answer), (200, json!({"value": [{"id": "m1"}]})));
    let (status, answer) = standin
        .send("GET", "/me/messages?$top=1", &[BEARER], b"")
        .await;
    assert_eq!(
        (status, answer),
        (200, json!({})),
        "another operation gets the default"
    );
    standin.assert_no_violations().await;
}
