//! The Google Discovery check of the validating stand-in, on Gmail's, Calendar's, Drive's and
//! Docs' own Discovery documents (PyPI `google-api-python-client`), ahead of their plugins: a
//! known-good request from each API's docs is accepted and named by its method id; requests the
//! real APIs refuse (unknown path, wrong method, undeclared or mistyped parameters, a missing
//! required one, body fields the schema lacks or mistypes, no bearer token) are refused; and the
//! media upload paths (`/upload/...?uploadType=multipart` with a `multipart/related` body whose
//! first part is the metadata) are checked part by part.

use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, GMAIL, GOOGLE_CALENDAR, GOOGLE_DOCS, GOOGLE_DRIVE};
use serde_json::json;

use super::{Refused, assert_accepted, assert_refused};

const BEARER: (&str, &str) = ("authorization", "Bearer ya29.alice");
const JSON: (&str, &str) = ("content-type", "application/json");
const RELATED: (&str, &str) = ("content-type", "multipart/related; boundary=foo_bar_baz");

/// A `multipart/related` upload body (boundary `foo_bar_baz`): the metadata part, then the media.
fn related(metadata_type: &str, metadata: &str, media_type: &str, media: &str) -> String {
    format!(
        "--foo_bar_baz\r\nContent-Type: {metadata_type}\r\n\r\n{metadata}\r\n\
         --foo_bar_baz\r\nContent-Type: {media_type}\r\n\r\n{media}\r\n--foo_bar_baz--\r\n"
    )
}

/// Known good: users.messages.send as Gmail's guide shows it, the RFC 2822 message in `raw`
/// (base64url).
#[tokio::test]
async fn gmails_document_accepts_a_message_send_from_gmails_docs() {
    let body = json!({"raw": "RnJvbTogYWxpY2VAZXhhbXBsZS5jb20NClRvOiBib2JAZXhhbXBsZS5jb20NClN1YmplY3Q6IEhpDQoNCkhlbGxvIEJvYg"})
        .to_string();
    assert_accepted(
        &GMAIL,
        "gmail_send",
        (
            "POST",
            "/gmail/v1/users/me/messages/send",
            &[BEARER, JSON],
            &body,
        ),
        "gmail.users.messages.send",
    )
    .await;
    assert_accepted(
        &GMAIL,
        "gmail_list",
        (
            "GET",
            "/gmail/v1/users/me/messages?q=from%3Abob%20is%3Aunread&maxResults=10&labelIds=INBOX&labelIds=UNREAD&includeSpamTrash=false&fields=messages(id)",
            &[BEARER],
            "",
        ),
        "gmail.users.messages.list",
    )
    .await;
}

/// Known good: events.insert as Calendar's guide shows it.
#[tokio::test]
async fn calendars_document_accepts_an_event_insert_from_calendars_docs() {
    let event = json!({
        "summary": "Google I/O 2015",
        "location": "800 Howard St., San Francisco, CA 94103",
        "start": {"dateTime": "2015-05-28T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2015-05-28T17:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
        "attendees": [{"email": "lpage@example.com"}, {"email": "sbrin@example.com"}],
        "reminders": {"useDefault": false, "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}]},
    })
    .to_string();
    assert_accepted(
        &GOOGLE_CALENDAR,
        "calendar_insert",
        (
            "POST",
            "/calendar/v3/calendars/primary/events?sendUpdates=all&conferenceDataVersion=1",
            &[BEARER, JSON],
            &event,
        ),
        "calendar.events.insert",
    )
    .await;
}

/// Known good: files.list with a search query and a partial response, as Drive's guide shows it.
#[tokio::test]
async fn drives_document_accepts_a_files_list_from_drives_docs() {
    assert_accepted(
        &GOOGLE_DRIVE,
        "drive_list",
        (
            "GET",
            "/drive/v3/files?q=mimeType%3D%27image%2Fjpeg%27&spaces=drive&pageSize=100&fields=nextPageToken%2C%20files(id%2C%20name)&supportsAllDrives=true",
            &[BEARER],
            "",
        ),
        "drive.files.list",
    )
    .await;
}

/// Known good: documents.batchUpdate inserting text, as Docs' guide shows it (the `:batchUpdate`
/// custom verb after the path parameter).
#[tokio::test]
async fn docs_document_accepts_a_batch_update_from_docs_docs() {
    let body = json!({"requests": [
        {"insertText": {"location": {"index": 25}, "text": "Hello"}},
        {"updateTextStyle": {"range": {"startIndex": 25, "endIndex": 30}, "textStyle": {"bold": true}, "fields": "bold"}},
    ]})
    .to_string();
    assert_accepted(
        &GOOGLE_DOCS,
        "docs_batch_update",
        (
            "POST",
            "/v1/documents/1DRz3Ak4pD2hO8mlYHvCf_Vl4Wc6FcPJvVyNwu5wCvDo:batchUpdate",
            &[BEARER, JSON],
            &body,
        ),
        "docs.documents.batchUpdate",
    )
    .await;
}

/// Known good: the three upload protocols of files.create at `/upload/drive/v3/files`, as
/// Drive's upload guide shows them.
#[tokio::test]
async fn drives_document_accepts_media_multipart_and_resumable_uploads() {
    let multipart = related(
        "application/json; charset=UTF-8",
        r#"{"name": "photo.jpg", "parents": ["0BwwA4oUTeiV1TGRPeTVjaWRDY1E"], "mimeType": "image/jpeg"}"#,
        "image/jpeg",
        "JPEG bytes",
    );
    assert_accepted(
        &GOOGLE_DRIVE,
        "drive_upload_multipart",
        (
            "POST",
            "/upload/drive/v3/files?uploadType=multipart&supportsAllDrives=true",
            &[BEARER, RELATED],
            &multipart,
        ),
        "drive.files.create",
    )
    .await;
    assert_accepted(
        &GOOGLE_DRIVE,
        "drive_upload_media",
        (
            "PATCH",
            "/upload/drive/v3/files/1abc?uploadType=media",
            &[BEARER, ("content-type", "text/plain")],
            "new contents",
        ),
        "drive.files.update",
    )
    .await;
    assert_accepted(
        &GOOGLE_DRIVE,
        "drive_upload_resumable",
        (
            "POST",
            "/upload/drive/v3/files?uploadType=resumable",
            &[
                BEARER,
                ("content-type", "application/json; charset=UTF-8"),
                ("x-upload-content-type", "image/jpeg"),
                ("x-upload-content-length", "2000000"),
            ],
            r#"{"name": "photo.jpg"}"#,
        ),
        "drive.files.create",
    )
    .await;
}

/// A fixture names a Discovery method by its id and answers it on every path it is served at.
#[tokio::test]
async fn a_fixture_answers_a_discovery_method_by_its_id() {
    let standin = GOOGLE_DRIVE.session("fixture_by_id");
    standin
        .answer(Fixture::operation(
            "drive.files.create",
            Reply::json(200, json!({"id": "f1", "name": "a.txt"})),
        ))
        .await;
    let upload = related(
        "application/json",
        r#"{"name": "a.txt"}"#,
        "text/plain",
        "hi",
    );
    let (status, answer) = standin
        .send(
            "POST",
            "/upload/drive/v3/files?uploadType=multipart",
            &[BEARER, RELATED],
            upload.as_bytes(),
        )
        .await;
    assert_eq!(
        (status, answer),
        (200, json!({"id": "f1", "name": "a.txt"}))
    );
    let (status, answer) = standin
        .send(
            "POST",
            "/drive/v3/files",
            &[BEARER, JSON],
            br#"{"name": "folder", "mimeType": "application/vnd.google-apps.folder"}"#,
        )
        .await;
    assert_eq!(
        (status, answer),
        (200, json!({"id": "f1", "name": "a.txt"}))
    );
    // Another method of the same document falls through to the default answer.
    let (status, answer) = standin.send("GET", "/drive/v3/files", &[BEARER], b"").await;
    assert_eq!((status, answer), (200, json!({})));
    standin.assert_no_violations().await;
    let operations: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|checked| checked.operation)
        .collect();
    assert_eq!(
        operations,
        [
            Some("drive.files.create".to_string()),
            Some("drive.files.create".to_string()),
            Some("drive.files.list".to_string()),
        ]
    );
}

/// Negative controls on Gmail's document: requests Gmail refuses.
#[tokio::test]
async fn gmails_document_refuses_what_gmail_would() {
    let raw = r#"{"raw": "SGVsbG8"}"#;
    assert_refused(
        &GMAIL,
        "gmail_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/mesages",
                headers: &[BEARER],
                body: "",
                because: "no method of gmail:v1 is served at /gmail/v1/users/me/mesages",
            },
            Refused {
                method: "PUT",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[BEARER, JSON],
                body: raw,
                because: "does not take PUT",
            },
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[JSON],
                body: raw,
                because: "gmail.users.messages.send requires an OAuth 2 bearer token",
            },
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[BEARER, JSON],
                body: r#"{"raw": "SGVsbG8", "to": "bob@example.com"}"#,
                because: "body: field 'to' is not declared by the schema Message",
            },
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[BEARER, JSON],
                body: r#"{"threadId": "t1"}"#,
                because: "body: field 'raw' is required by gmail.users.messages.send",
            },
            Refused {
                method: "POST",
                path_and_query: "/gmail/v1/users/me/messages/send",
                headers: &[BEARER, ("content-type", "text/plain")],
                body: raw,
                because: "must be application/json, not text/plain",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages?maxResults=ten",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'maxResults': 'ten' is not an integer",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages?query=is%3Aunread",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'query' is not declared by gmail.users.messages.list",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages/m1?format=html",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'format': 'html' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/gmail/v1/users/me/messages/m1",
                headers: &[BEARER, JSON],
                body: "{}",
                because: "gmail.users.messages.get takes no body",
            },
        ],
    )
    .await;
}

/// Negative controls on Calendar's document.
#[tokio::test]
async fn calendars_document_refuses_what_calendar_would() {
    assert_refused(
        &GOOGLE_CALENDAR,
        "calendar_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?orderBy=title",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'orderBy': 'title' is not one of ['startTime', 'updated']",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?timeMin=2026-01-01",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'timeMin': '2026-01-01' is not an RFC 3339 date-time",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?maxResults=0",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'maxResults': 0 is out of range [1, 2147483647]",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?q=a&q=b",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'q' is given 2 times but is not repeated",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events/quickAdd",
                headers: &[BEARER],
                body: "",
                because: "required query parameter 'text' of calendar.events.quickAdd is missing",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events",
                headers: &[BEARER, JSON],
                body: r#"{"summary": "x", "start": {"dateTime": 1748422800}, "end": {"dateTime": "2026-05-28T10:00:00Z"}}"#,
                because: "body.start.dateTime: expected a string, got the number 1748422800",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events",
                headers: &[BEARER, JSON],
                body: r#"{"summary": "x", "start": {"date": "2026-05-28"}, "end": {"date": "2026-05-29"}, "attendees": [{"email": "a@example.com", "optional": "yes"}]}"#,
                because: "body.attendees[0].optional: expected a boolean, got the string 'yes'",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events",
                headers: &[BEARER, JSON],
                body: r#"{"summary": "no times"}"#,
                because: "body: field 'start' is required by calendar.events.insert",
            },
        ],
    )
    .await;
}

/// Negative controls on Drive's document, REST paths.
#[tokio::test]
async fn drives_document_refuses_what_drive_would() {
    assert_refused(
        &GOOGLE_DRIVE,
        "drive_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files?pageSize=ten",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'pageSize': 'ten' is not an integer",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files?limit=10",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'limit' is not declared by drive.files.list",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files?supportsAllDrives=yes",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'supportsAllDrives': 'yes' is not a boolean",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files/1abc/export",
                headers: &[BEARER],
                body: "",
                because: "required query parameter 'mimeType' of drive.files.export is missing",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files",
                headers: &[("authorization", "Basic YWxpY2U6cHc=")],
                body: "",
                because: "drive.files.list requires an OAuth 2 bearer token",
            },
            Refused {
                method: "POST",
                path_and_query: "/drive/v3/files/1abc/permissions",
                headers: &[BEARER, JSON],
                body: r#"{"role": "writer", "type": "user", "email": "bob@example.com"}"#,
                because: "body: field 'email' is not declared by the schema Permission",
            },
        ],
    )
    .await;
}

/// Negative controls on Docs' document.
#[tokio::test]
async fn docs_document_refuses_what_docs_would() {
    assert_refused(
        &GOOGLE_DOCS,
        "docs_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/v1/documents/d1:batchUpdate",
                headers: &[BEARER, JSON],
                body: r#"{"requests": [{"insertText": {"location": {"index": "one"}, "text": "hi"}}]}"#,
                because: "body.requests[0].insertText.location.index: expected an integer, got the string 'one'",
            },
            Refused {
                method: "POST",
                path_and_query: "/v1/documents/d1:batchUpdate",
                headers: &[BEARER, JSON],
                body: r#"{"requests": [{"appendText": {"text": "hi"}}]}"#,
                because: "body.requests[0]: field 'appendText' is not declared by the schema Request",
            },
            Refused {
                method: "GET",
                path_and_query: "/v1/documents/d1?suggestionsViewMode=INLINE",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'suggestionsViewMode': 'INLINE' is not one of",
            },
            Refused {
                method: "DELETE",
                path_and_query: "/v1/documents/d1",
                headers: &[BEARER],
                body: "",
                because: "/v1/documents/d1 does not take DELETE: it takes GET (docs.documents.get)",
            },
        ],
    )
    .await;
}

/// Negative controls on the media upload paths: the multipart body part by part, uploadType,
/// and the media types a method accepts.
#[tokio::test]
async fn upload_paths_refuse_what_googles_upload_protocol_would() {
    let text = related(
        "application/json",
        r#"{"name": "a.txt"}"#,
        "text/plain",
        "hi",
    );
    let not_json = related("text/plain", r#"{"name": "a.txt"}"#, "text/plain", "hi");
    let unknown_field = related(
        "application/json",
        r#"{"name": "a.txt", "folder": "p1"}"#,
        "text/plain",
        "hi",
    );
    let mistyped = related(
        "application/json",
        r#"{"name": "a.txt", "parents": "p1"}"#,
        "text/plain",
        "hi",
    );
    assert_refused(
        &GOOGLE_DRIVE,
        "drive_upload_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: &not_json,
                because: "the first part (metadata) of drive.files.create must be application/json, not text/plain",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: &unknown_field,
                because: "metadata: field 'folder' is not declared by the schema File",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: &mistyped,
                because: "metadata.parents: expected an array",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files",
                headers: &[BEARER, RELATED],
                body: &text,
                because: "an upload to /upload/drive/v3/files needs uploadType (media, multipart, resumable)",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=related",
                headers: &[BEARER, RELATED],
                body: &text,
                because: "uploadType 'related' is not one of media, multipart, resumable",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, ("content-type", "multipart/form-data; boundary=foo_bar_baz")],
                body: &text,
                because: "a multipart upload is multipart/related, not multipart/form-data",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: "--foo_bar_baz\r\nContent-Type: application/json\r\n\r\n{}\r\n--foo_bar_baz--\r\n",
                because: "a multipart upload has two parts (metadata, then media); this one has 1",
            },
            Refused {
                method: "POST",
                path_and_query: "/resumable/upload/drive/v3/files?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: &text,
                because: "uploadType 'multipart' is not one of resumable",
            },
        ],
    )
    .await;
    // Gmail's send takes only `message/*` media.
    let rfc822 = related(
        "application/json",
        r#"{"threadId": "t1"}"#,
        "message/rfc822",
        "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Hi\r\n\r\nHello",
    );
    let plain = related(
        "application/json",
        r#"{"threadId": "t1"}"#,
        "text/plain",
        "Hello",
    );
    assert_accepted(
        &GMAIL,
        "gmail_upload_accepted",
        (
            "POST",
            "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
            &[BEARER, RELATED],
            &rfc822,
        ),
        "gmail.users.messages.send",
    )
    .await;
    assert_refused(
        &GMAIL,
        "gmail_upload_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
                headers: &[BEARER, RELATED],
                body: &plain,
                because: "the second part (media)'s type 'text/plain' is not accepted: message/*",
            },
            Refused {
                method: "POST",
                path_and_query: "/upload/gmail/v1/users/me/messages/send?uploadType=media",
                headers: &[BEARER, ("content-type", "text/plain")],
                body: "Hello",
                because: "the body's type 'text/plain' is not accepted: message/*",
            },
        ],
    )
    .await;
}
