//! The bundled Google Drive plugin against a stand-in that checks every request with Drive's own
//! Discovery document (`drive.v3`, including the `/upload/drive/v3` media path with its
//! `multipart/related` body): the exact requests each action sends, a second page fetched with
//! the returned token, and how Google's error envelope reaches the caller.

use actionhost::runtime::{ActionError, CallContext, CallError};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, GOOGLE_DRIVE, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_every_call_reaches, assert_refused, load_against, run_once,
};

const PLUGIN: &str = "google-drive.wasm";
const DRIVE: &str = "https://www.googleapis.com/auth/drive";

fn alice() -> CallContext {
    alice_with("ya29.alice", &[DRIVE])
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &GOOGLE_DRIVE,
        PLUGIN,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn query(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// A file resource as Drive's reference shows one.
fn file(id: &str, name: &str, mime_type: &str) -> Value {
    json!({
        "kind": "drive#file", "id": id, "name": name, "mimeType": mime_type,
        "parents": ["0AAbCdEfGhIjKUk9PVA"], "createdTime": "2024-03-01T09:30:00.000Z",
        "modifiedTime": "2024-03-02T16:05:11.512Z", "size": "18",
        "webViewLink": format!("https://drive.google.com/file/d/{id}/view?usp=drivesdk"),
        "owners": [{"displayName": "Alice Example", "emailAddress": "alice@example.com"}],
        "shared": false, "starred": false, "trashed": false,
        "capabilities": {"canEdit": true, "canShare": true, "canDownload": true, "canTrash": true, "canDelete": true}
    })
}

/// A non-JSON answer.
fn raw(status: u16, content_type: &str, body: &[u8]) -> Reply {
    Reply {
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_vec(),
        ..Reply::json(status, json!(null))
    }
}

fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
        "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

#[tokio::test]
async fn search_sends_the_combined_query_over_all_drives_with_the_bearer_token() {
    let answer = json!({"kind": "drive#fileList", "incompleteSearch": false,
        "files": [file("1a2B", "Budget 2024.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]});
    let (result, standin) = run(
        "drive_search",
        "GOOGLE_DRIVE_SEARCH_FILES",
        json!({"query": "name contains 'budget'", "folder_id": "0AAbCdEfGhIjKUk9PVA", "order_by": "modifiedTime desc", "page_size": 25}),
        Fixture::new("GET", "/drive/v3/files", Reply::json(200, answer.clone())),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/drive/v3/files")
    );
    assert_eq!(request.header("authorization"), Some("Bearer ya29.alice"));
    let sent = query(&request);
    assert_eq!(
        &sent[..6],
        &pairs(&[
            (
                "q",
                "(name contains 'budget') and '0AAbCdEfGhIjKUk9PVA' in parents and trashed = false"
            ),
            ("corpora", "allDrives"),
            ("includeItemsFromAllDrives", "true"),
            ("supportsAllDrives", "true"),
            ("orderBy", "modifiedTime desc"),
            ("pageSize", "25"),
        ])[..]
    );
    assert_eq!(sent[6].0, "fields");
    assert!(
        sent[6]
            .1
            .starts_with("nextPageToken,incompleteSearch,files(id,name,mimeType,")
    );
}

#[tokio::test]
async fn search_fetches_the_second_page_with_the_returned_token() {
    let standin = GOOGLE_DRIVE.session("drive_search_pages");
    standin
        .answer(
            Fixture::new(
                "GET",
                "/drive/v3/files",
                Reply::json(200, json!({"files": [file("2", "b.txt", "text/plain")]})),
            )
            .with_query("pageToken", "~!!~AI9FV7Q"),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/drive/v3/files",
            Reply::json(200, json!({"files": [file("1", "a.txt", "text/plain")], "nextPageToken": "~!!~AI9FV7Q"})),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_DRIVE_SEARCH_FILES",
            &json!({"page_size": 1}),
            &alice(),
        )
        .await;
    let token = first.unwrap()["nextPageToken"].clone();
    assert_eq!(token, "~!!~AI9FV7Q");
    let (second, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_DRIVE_SEARCH_FILES",
            &json!({"page_size": 1, "page_token": token}),
            &alice(),
        )
        .await;
    let second = second.unwrap();
    assert_eq!(second["files"][0]["id"], "2");
    assert_eq!(second.get("nextPageToken"), None);
    let tokens: Vec<Option<String>> = standin
        .requests()
        .await
        .iter()
        .map(|r| {
            query(r)
                .into_iter()
                .find(|(k, _)| k == "pageToken")
                .map(|(_, v)| v)
        })
        .collect();
    assert_eq!(tokens, [None, Some("~!!~AI9FV7Q".to_string())]);
}

#[tokio::test]
async fn download_exports_a_google_doc_after_reading_its_type() {
    let standin = GOOGLE_DRIVE.session("drive_export");
    standin
        .answer(Fixture::new(
            "GET",
            "/drive/v3/files/1Doc/export",
            raw(200, "text/markdown", b"# Plan\n\nShip it.\n"),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/drive/v3/files/1Doc",
            Reply::json(
                200,
                json!({"name": "Plan", "mimeType": "application/vnd.google-apps.document"}),
            ),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_DRIVE_DOWNLOAD_FILE",
            &json!({"file_id": "1Doc", "export_mime_type": "text/markdown"}),
            &alice(),
        )
        .await;
    assert_eq!(
        result.unwrap(),
        json!({"file_id": "1Doc", "name": "Plan", "mime_type": "text/markdown",
               "exported_from": "application/vnd.google-apps.document",
               "content_base64": "IyBQbGFuCgpTaGlwIGl0Lgo=", "size_bytes": 17, "content_type": "text/markdown"})
    );
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/drive/v3/files/1Doc");
    assert_eq!(
        query(&requests[0]),
        pairs(&[
            ("supportsAllDrives", "true"),
            ("fields", "name,mimeType,size")
        ])
    );
    assert_eq!(requests[1].path, "/drive/v3/files/1Doc/export");
    assert_eq!(
        requests[1].query.as_deref(),
        Some("mimeType=text%2Fmarkdown")
    );
}

/// The parts of a `multipart/related` body: each part's headers and content.
fn related_parts(request: &Recorded) -> Vec<(String, String)> {
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .expect("a multipart/related body");
    let body = String::from_utf8(request.body.clone()).unwrap();
    let end = format!("--{boundary}--\r\n");
    assert!(body.ends_with(&end), "{body}");
    body[..body.len() - end.len()]
        .split(&format!("--{boundary}\r\n"))
        .skip(1)
        .map(|part| {
            let (headers, content) = part.split_once("\r\n\r\n").unwrap();
            (
                headers.to_string(),
                content.strip_suffix("\r\n").unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn upload_posts_metadata_and_media_to_the_upload_path() {
    let answer = file("1Up", "notes.md", "application/vnd.google-apps.document");
    let (result, standin) = run(
        "drive_upload",
        "GOOGLE_DRIVE_UPLOAD_FILE",
        json!({"name": "notes.md", "text": "# Notes\n", "mime_type": "text/markdown",
               "folder_id": "0AAbCdEfGhIjKUk9PVA", "convert_to": "document"}),
        Fixture::new(
            "POST",
            "/upload/drive/v3/files",
            Reply::json(200, answer.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let checked = standin.checked().await;
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].operation.as_deref(), Some("drive.files.create"));
    let request = standin.single().await;
    assert_eq!(request.header("authorization"), Some("Bearer ya29.alice"));
    let sent = query(&request);
    assert_eq!(
        &sent[..2],
        &pairs(&[("uploadType", "multipart"), ("supportsAllDrives", "true")])[..]
    );
    let parts = related_parts(&request);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].0, "Content-Type: application/json; charset=UTF-8");
    assert_eq!(
        serde_json::from_str::<Value>(&parts[0].1).unwrap(),
        json!({"name": "notes.md", "mimeType": "application/vnd.google-apps.document", "parents": ["0AAbCdEfGhIjKUk9PVA"]})
    );
    assert_eq!(
        parts[1],
        (
            "Content-Type: text/markdown".to_string(),
            "# Notes\n".to_string()
        )
    );
}

#[tokio::test]
async fn move_reads_the_parents_then_patches_them() {
    let standin = GOOGLE_DRIVE.session("drive_move");
    standin
        .answer(Fixture::new(
            "PATCH",
            "/drive/v3/files/1F",
            Reply::json(200, file("1F", "a.txt", "text/plain")),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/drive/v3/files/1F",
            Reply::json(200, json!({"parents": ["old"]})),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "GOOGLE_DRIVE_MOVE_FILE",
            &json!({"file_id": "1F", "folder_id": "new"}),
            &alice(),
        )
        .await;
    assert_eq!(result.unwrap()["id"], "1F");
    assert_eq!(report.upstream_calls, 2);
    let requests = standin.requests().await;
    assert_eq!(requests[1].method, "PATCH");
    assert_eq!(
        &query(&requests[1])[..3],
        &pairs(&[
            ("addParents", "new"),
            ("removeParents", "old"),
            ("supportsAllDrives", "true")
        ])[..]
    );
    assert_eq!(requests[1].json(), json!({}));
}

#[tokio::test]
async fn share_posts_a_permission_for_a_user() {
    let answer = json!({"kind": "drive#permission", "id": "0123456789", "type": "user", "role": "writer",
                        "emailAddress": "bob@example.com"});
    let (result, standin) = run(
        "drive_share",
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "1F", "grantee": "user", "role": "writer", "email_address": "bob@example.com", "email_message": "Please review"}),
        Fixture::new("POST", "/drive/v3/files/1F/permissions", Reply::json(200, answer.clone())),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let request = standin.single().await;
    assert_eq!(
        request.query.as_deref(),
        Some("emailMessage=Please%20review&supportsAllDrives=true")
    );
    assert_eq!(
        request.json(),
        json!({"type": "user", "role": "writer", "emailAddress": "bob@example.com"})
    );
}

#[tokio::test]
async fn delete_trashes_unless_asked_to_delete_forever() {
    let (result, standin) = run(
        "drive_trash",
        "GOOGLE_DRIVE_DELETE_FILE",
        json!({"file_id": "1F"}),
        Fixture::new(
            "PATCH",
            "/drive/v3/files/1F",
            Reply::json(200, json!({"id": "1F", "trashed": true})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"file_id": "1F", "outcome": "trashed"})
    );
    assert_eq!(standin.single().await.json(), json!({"trashed": true}));

    let (result, standin) = run(
        "drive_delete",
        "GOOGLE_DRIVE_DELETE_FILE",
        json!({"file_id": "1F", "permanently": true}),
        Fixture::new("DELETE", "/drive/v3/files/1F", raw(204, "text/plain", b"")),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"file_id": "1F", "outcome": "deleted_forever"})
    );
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.query.as_deref()),
        ("DELETE", Some("supportsAllDrives=true"))
    );
}

#[tokio::test]
async fn googles_errors_map_to_the_contracts_codes() {
    let cases = [
        (
            401,
            "UNAUTHENTICATED",
            "authError",
            "Request had invalid authentication credentials.",
            None,
        ),
        (404, "NOT_FOUND", "notFound", "File not found: 1F.", None),
        (
            403,
            "PERMISSION_DENIED",
            "userRateLimitExceeded",
            "User rate limit exceeded.",
            Some("9"),
        ),
        (
            403,
            "PERMISSION_DENIED",
            "insufficientFilePermissions",
            "The user does not have sufficient permissions for this file.",
            None,
        ),
    ];
    let mut outcomes = Vec::new();
    for (i, (code, status, reason, message, retry_after)) in cases.into_iter().enumerate() {
        let mut reply = Reply::json(code, google_error(code, status, reason, message));
        if let Some(seconds) = retry_after {
            reply = reply.header("retry-after", seconds);
        }
        let (result, standin) = run(
            &format!("drive_error_{i}"),
            "GOOGLE_DRIVE_GET_FILE",
            json!({"file_id": "1F"}),
            Fixture::new("GET", "/drive/v3/files/1F", reply),
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
        CallError::Action(ActionError::NotFound("File not found: 1F.".into()))
    );
    assert_eq!(
        outcomes[2],
        CallError::Action(ActionError::RateLimited {
            message: "User rate limit exceeded.".into(),
            retry_after_seconds: Some(9)
        })
    );
    assert!(
        matches!(&outcomes[3], CallError::Action(ActionError::Upstream { status: 403, message, .. })
            if message == "The user does not have sufficient permissions for this file."),
        "{:?}",
        outcomes[3]
    );
}

/// Every action once, each request checked against Drive's Discovery document and named by the
/// method it reached.
#[tokio::test]
async fn every_action_sends_what_drives_discovery_document_accepts() {
    let standin = GOOGLE_DRIVE.session("drive_every_action");
    let metadata = json!({"id": "1F", "name": "a.txt", "mimeType": "text/plain", "size": "2", "parents": ["old"]});
    standin
        .answer(Fixture::any(Reply::json(200, metadata)))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let calls: Vec<Call> = vec![
        (
            "GOOGLE_DRIVE_SEARCH_FILES",
            json!({"query": "starred = true", "mime_type": "application/pdf", "shared_drive_id": "0AB", "page_size": 5, "page_token": "t"}),
            &["drive.files.list"],
        ),
        (
            "GOOGLE_DRIVE_GET_FILE",
            json!({"file_id": "1F"}),
            &["drive.files.get"],
        ),
        (
            "GOOGLE_DRIVE_DOWNLOAD_FILE",
            json!({"file_id": "1F"}),
            &["drive.files.get", "drive.files.get"],
        ),
        (
            "GOOGLE_DRIVE_UPLOAD_FILE",
            json!({"name": "a.bin", "content_base64": "AAEC", "folder_id": "f", "description": "d"}),
            &["drive.files.create"],
        ),
        (
            "GOOGLE_DRIVE_CREATE_FOLDER",
            json!({"name": "Reports", "parent_folder_id": "f", "description": "d"}),
            &["drive.files.create"],
        ),
        (
            "GOOGLE_DRIVE_MOVE_FILE",
            json!({"file_id": "1F", "folder_id": "new"}),
            &["drive.files.get", "drive.files.update"],
        ),
        (
            "GOOGLE_DRIVE_SHARE_FILE",
            json!({"file_id": "1F", "grantee": "domain", "role": "reader", "domain": "example.com", "allow_discovery": false}),
            &["drive.permissions.create"],
        ),
        (
            "GOOGLE_DRIVE_DELETE_FILE",
            json!({"file_id": "1F"}),
            &["drive.files.update"],
        ),
        // Forever: the stand-in answers DELETE with the same fixture.
        (
            "GOOGLE_DRIVE_DELETE_FILE",
            json!({"file_id": "1F", "permanently": true}),
            &["drive.files.delete"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
}

const BEARER: (&str, &str) = ("authorization", "Bearer ya29.alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Drive's Discovery document refuses, close to what the plugin
/// sends, so a stand-in that accepts everything fails here.
#[tokio::test]
async fn drives_document_refuses_what_drive_would() {
    assert_refused(
        &GOOGLE_DRIVE,
        "drive_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files?pageSize=many",
                headers: &[BEARER],
                body: "",
                because: "pageSize",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files?includeItemsFromAllDrive=true",
                headers: &[BEARER],
                body: "",
                because: "includeItemsFromAllDrive",
            },
            Refused {
                method: "POST",
                path_and_query: "/drive/v3/files/1F/permissions",
                headers: &[BEARER, JSON],
                body: r#"{"type": "user", "role": "writer", "email": "bob@example.com"}"#,
                because: "email",
            },
            Refused {
                method: "GET",
                path_and_query: "/drive/v3/files/1F/export",
                headers: &[BEARER],
                body: "",
                because: "mimeType",
            },
        ],
    )
    .await;
}
