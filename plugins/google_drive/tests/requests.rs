//! The exact requests every Google Drive action sends (method, path, query, headers, body), how
//! Google's error envelope maps to errors, and paging, run natively against the SDK's test
//! transport.

use actionhost_plugin_google_drive::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const FIELDS: &str = "id,name,mimeType,description,parents,driveId,createdTime,modifiedTime,size,\
    webViewLink,iconLink,owners(displayName,emailAddress),lastModifyingUser(displayName,emailAddress),\
    shared,starred,trashed,capabilities(canEdit,canShare,canDownload,canTrash,canDelete)";

fn run(action: &str, input: Value) -> Result<Value, Error> {
    testing::run(&provider(), action, input, &Context::new("alice"))
}

/// Runs `action` once against a queued JSON answer; returns its result and the one request.
fn call(action: &str, input: Value, answer: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let result = run(action, input);
    (result, transport.only_request())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn google_error(code: u16, status: &str, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
        "errors": [{"message": message, "domain": "usageLimits", "reason": reason}]}})
}

#[test]
fn search_combines_the_query_with_folder_type_and_trash_filters_over_all_drives() {
    let answer = json!({"files": [{"id": "f1", "name": "Budget 2024"}], "nextPageToken": "p2"});
    let (result, request) = call(
        "GOOGLE_DRIVE_SEARCH_FILES",
        json!({"query": "name contains 'budget'", "folder_id": "fold'er", "mime_type": "application/pdf",
               "order_by": "modifiedTime desc", "page_size": 10}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/drive/v3/files")
    );
    assert!(
        request
            .url
            .starts_with("https://www.googleapis.com/drive/v3/files?")
    );
    assert_eq!(
        request.query(),
        pairs(&[
            (
                "q",
                "(name contains 'budget') and 'fold\\'er' in parents and mimeType = 'application/pdf' and trashed = false"
            ),
            ("corpora", "allDrives"),
            ("includeItemsFromAllDrives", "true"),
            ("supportsAllDrives", "true"),
            ("orderBy", "modifiedTime desc"),
            ("pageSize", "10"),
            (
                "fields",
                &format!("nextPageToken,incompleteSearch,files({FIELDS})")
            ),
        ])
    );
    assert_eq!(request.body, None);
}

#[test]
fn search_fetches_the_second_page_with_the_returned_token() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"files": [{"id": "f1"}], "nextPageToken": "tok-2"}),
    );
    transport.reply_json(200, json!({"files": [{"id": "f2"}]}));
    let first = run("GOOGLE_DRIVE_SEARCH_FILES", json!({"page_size": 1})).unwrap();
    let token = first["nextPageToken"].as_str().unwrap();
    let second = run(
        "GOOGLE_DRIVE_SEARCH_FILES",
        json!({"page_size": 1, "page_token": token}),
    )
    .unwrap();
    assert_eq!(second, json!({"files": [{"id": "f2"}]}));
    let requests = transport.requests();
    let query = |i: usize| -> Vec<(String, String)> {
        requests[i]
            .query()
            .into_iter()
            .filter(|(k, _)| k == "pageToken" || k == "pageSize")
            .collect()
    };
    assert_eq!(query(0), pairs(&[("pageSize", "1")]));
    assert_eq!(
        query(1),
        pairs(&[("pageSize", "1"), ("pageToken", "tok-2")])
    );
}

#[test]
fn search_in_one_shared_drive_or_only_my_drive() {
    let (_, request) = call(
        "GOOGLE_DRIVE_SEARCH_FILES",
        json!({"shared_drive_id": "0AbC", "include_trashed": true}),
        json!({"files": []}),
    );
    let query = request.query();
    assert_eq!(
        &query[..3],
        &pairs(&[
            ("corpora", "drive"),
            ("driveId", "0AbC"),
            ("includeItemsFromAllDrives", "true")
        ])[..]
    );
    let (_, request) = call(
        "GOOGLE_DRIVE_SEARCH_FILES",
        json!({"include_shared_drives": false, "query": "trashed = true"}),
        json!({"files": []}),
    );
    assert_eq!(
        &request.query()[..4],
        &pairs(&[
            ("q", "(trashed = true)"),
            ("corpora", "user"),
            ("includeItemsFromAllDrives", "false"),
            ("supportsAllDrives", "true")
        ])[..]
    );
}

#[test]
fn get_file_asks_for_the_useful_fields() {
    let answer = json!({"id": "f 1", "name": "a.txt", "mimeType": "text/plain"});
    let (result, request) = call(
        "GOOGLE_DRIVE_GET_FILE",
        json!({"file_id": "f 1"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/drive/v3/files/f%201")
    );
    assert_eq!(
        request.query(),
        pairs(&[("supportsAllDrives", "true"), ("fields", FIELDS)])
    );
}

#[test]
fn download_returns_a_stored_file_as_base64() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"name": "notes.txt", "mimeType": "text/plain", "size": "5"}),
    );
    transport.reply(200, &[("content-type", "text/plain")], "hello");
    let output = run("GOOGLE_DRIVE_DOWNLOAD_FILE", json!({"file_id": "f1"})).unwrap();
    assert_eq!(
        output,
        json!({"file_id": "f1", "name": "notes.txt", "mime_type": "text/plain", "exported_from": null,
               "content_base64": "aGVsbG8=", "size_bytes": 5, "content_type": "text/plain"})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path(), "/drive/v3/files/f1");
    assert_eq!(
        requests[0].query(),
        pairs(&[
            ("supportsAllDrives", "true"),
            ("fields", "name,mimeType,size")
        ])
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path()),
        ("GET", "/drive/v3/files/f1")
    );
    assert_eq!(
        requests[1].query(),
        pairs(&[("alt", "media"), ("supportsAllDrives", "true")])
    );
}

#[test]
fn download_exports_a_google_doc_to_the_requested_format_or_the_default() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"name": "Plan", "mimeType": "application/vnd.google-apps.document"}),
    );
    transport.reply(200, &[("content-type", "application/pdf")], "%PDF-1.7");
    let output = run(
        "GOOGLE_DRIVE_DOWNLOAD_FILE",
        json!({"file_id": "d1", "export_mime_type": "application/pdf"}),
    )
    .unwrap();
    assert_eq!(output["mime_type"], "application/pdf");
    assert_eq!(
        output["exported_from"],
        "application/vnd.google-apps.document"
    );
    assert_eq!(output["size_bytes"], 8);
    let export = &transport.requests()[1];
    assert_eq!(
        (export.method.as_str(), export.path()),
        ("GET", "/drive/v3/files/d1/export")
    );
    assert_eq!(export.query(), pairs(&[("mimeType", "application/pdf")]));

    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"name": "Sheet", "mimeType": "application/vnd.google-apps.spreadsheet"}),
    );
    transport.reply(200, &[("content-type", "text/csv")], "a,b\n");
    run("GOOGLE_DRIVE_DOWNLOAD_FILE", json!({"file_id": "s1"})).unwrap();
    assert_eq!(
        transport.requests()[1].query(),
        pairs(&[("mimeType", "text/csv")])
    );
}

#[test]
fn download_refuses_a_file_over_the_cap_before_fetching_it_and_a_folder() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"name": "big.iso", "mimeType": "application/x-iso9660-image", "size": "3000001"}),
    );
    let error = run("GOOGLE_DRIVE_DOWNLOAD_FILE", json!({"file_id": "f1"})).unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input(
            "the file is 3000001 bytes; GOOGLE_DRIVE_DOWNLOAD_FILE returns files of at most 3000000 bytes"
        )
    );
    assert_eq!(transport.requests().len(), 1);

    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"name": "Team", "mimeType": "application/vnd.google-apps.folder"}),
    );
    let error = run("GOOGLE_DRIVE_DOWNLOAD_FILE", json!({"file_id": "f2"})).unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input(
            "Team is a application/vnd.google-apps.folder and has no content to download"
        )
    );
    assert_eq!(transport.requests().len(), 1);
}

/// The boundary of a `multipart/related` request and its parts (headers and body of each).
fn related_parts(request: &RecordedRequest) -> Vec<(String, String)> {
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .expect("a multipart/related body");
    let body = request.text();
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

#[test]
fn upload_sends_metadata_then_media_as_multipart_related() {
    let answer = json!({"id": "new1", "name": "report.csv"});
    let (result, request) = call(
        "GOOGLE_DRIVE_UPLOAD_FILE",
        json!({"name": "report.csv", "content_base64": "YSxiCjEsMgo=", "mime_type": "text/csv",
               "folder_id": "fold1", "description": "Q3", "convert_to": "spreadsheet"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/upload/drive/v3/files")
    );
    assert!(
        request
            .url
            .starts_with("https://www.googleapis.com/upload/drive/v3/files?")
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("uploadType", "multipart"),
            ("supportsAllDrives", "true"),
            ("fields", FIELDS)
        ])
    );
    let parts = related_parts(&request);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].0, "Content-Type: application/json; charset=UTF-8");
    assert_eq!(
        serde_json::from_str::<Value>(&parts[0].1).unwrap(),
        json!({"name": "report.csv", "mimeType": "application/vnd.google-apps.spreadsheet",
               "description": "Q3", "parents": ["fold1"]})
    );
    assert_eq!(
        parts[1],
        (
            "Content-Type: text/csv".to_string(),
            "a,b\n1,2\n".to_string()
        )
    );
}

#[test]
fn upload_takes_plain_text_and_refuses_both_or_neither_content() {
    let (_, request) = call(
        "GOOGLE_DRIVE_UPLOAD_FILE",
        json!({"name": "a.txt", "text": "héllo"}),
        json!({"id": "x"}),
    );
    let parts = related_parts(&request);
    assert_eq!(parts[0].1, r#"{"name":"a.txt"}"#);
    assert_eq!(
        parts[1],
        ("Content-Type: text/plain".to_string(), "héllo".to_string())
    );

    for input in [
        json!({"name": "a.txt"}),
        json!({"name": "a.txt", "text": "x", "content_base64": "eA=="}),
    ] {
        let transport = Transport::install();
        let error = run("GOOGLE_DRIVE_UPLOAD_FILE", input).unwrap_err();
        assert_eq!(
            error,
            Error::invalid_input("give the content as exactly one of `content_base64` and `text`")
        );
        assert!(transport.requests().is_empty());
    }
}

#[test]
fn create_folder_posts_folder_metadata() {
    let (result, request) = call(
        "GOOGLE_DRIVE_CREATE_FOLDER",
        json!({"name": "Invoices", "parent_folder_id": "p1"}),
        json!({"id": "fo1", "mimeType": "application/vnd.google-apps.folder"}),
    );
    assert_eq!(result.unwrap()["id"], "fo1");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/drive/v3/files")
    );
    assert_eq!(
        request.query(),
        pairs(&[("supportsAllDrives", "true"), ("fields", FIELDS)])
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"name": "Invoices", "mimeType": "application/vnd.google-apps.folder", "parents": ["p1"]})
    );
}

#[test]
fn move_adds_the_new_parent_and_removes_the_old_ones() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"parents": ["old1", "old2"]}));
    transport.reply_json(200, json!({"id": "f1", "parents": ["new"]}));
    let output = run(
        "GOOGLE_DRIVE_MOVE_FILE",
        json!({"file_id": "f1", "folder_id": "new"}),
    )
    .unwrap();
    assert_eq!(output, json!({"id": "f1", "parents": ["new"]}));
    let requests = transport.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        ("GET", "/drive/v3/files/f1")
    );
    assert_eq!(
        requests[0].query(),
        pairs(&[("supportsAllDrives", "true"), ("fields", "parents")])
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path()),
        ("PATCH", "/drive/v3/files/f1")
    );
    assert_eq!(
        requests[1].query(),
        pairs(&[
            ("addParents", "new"),
            ("removeParents", "old1,old2"),
            ("supportsAllDrives", "true"),
            ("fields", FIELDS)
        ])
    );
    assert_eq!(requests[1].json(), json!({}));
}

#[test]
fn share_with_a_user_sends_the_permission_and_the_notification() {
    let answer =
        json!({"kind": "drive#permission", "id": "perm1", "type": "user", "role": "writer"});
    let (result, request) = call(
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "f1", "grantee": "user", "role": "writer", "email_address": "ada@example.com",
               "send_notification_email": false, "email_message": "for review"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/drive/v3/files/f1/permissions")
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("sendNotificationEmail", "false"),
            ("emailMessage", "for review"),
            ("supportsAllDrives", "true")
        ])
    );
    assert_eq!(
        request.json(),
        json!({"type": "user", "role": "writer", "emailAddress": "ada@example.com"})
    );
}

#[test]
fn share_with_a_domain_or_anyone_and_refuse_a_user_without_email() {
    let (_, request) = call(
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "f1", "grantee": "domain", "role": "commenter", "domain": "example.com", "allow_discovery": true}),
        json!({"id": "p"}),
    );
    assert_eq!(
        request.json(),
        json!({"type": "domain", "role": "commenter", "domain": "example.com", "allowFileDiscovery": true})
    );
    let (_, request) = call(
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "f1", "grantee": "anyone", "role": "reader", "email_address": "ignored@example.com"}),
        json!({"id": "anyoneWithLink"}),
    );
    assert_eq!(request.json(), json!({"type": "anyone", "role": "reader"}));
    assert_eq!(request.query(), pairs(&[("supportsAllDrives", "true")]));

    let transport = Transport::install();
    let error = run(
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "f1", "grantee": "group", "role": "fileOrganizer"}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input("`email_address` is required to share with a user or group")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn delete_trashes_by_default() {
    let (result, request) = call(
        "GOOGLE_DRIVE_DELETE_FILE",
        json!({"file_id": "f1"}),
        json!({"id": "f1", "trashed": true}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"file_id": "f1", "outcome": "trashed"})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("PATCH", "/drive/v3/files/f1")
    );
    assert_eq!(
        request.query(),
        pairs(&[("supportsAllDrives", "true"), ("fields", "id,trashed")])
    );
    assert_eq!(request.json(), json!({"trashed": true}));
}

#[test]
fn delete_forever_only_when_asked() {
    let transport = Transport::install();
    transport.reply(204, &[], "");
    let output = run(
        "GOOGLE_DRIVE_DELETE_FILE",
        json!({"file_id": "f1", "permanently": true}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"file_id": "f1", "outcome": "deleted_forever"})
    );
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("DELETE", "/drive/v3/files/f1")
    );
    assert_eq!(request.query(), pairs(&[("supportsAllDrives", "true")]));
    assert_eq!(request.body, None);
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
    let error = run("GOOGLE_DRIVE_GET_FILE", json!({"file_id": "f1"})).unwrap_err();
    assert_eq!(
        error,
        Error::unauthorized("Request had invalid authentication credentials.")
    );
}

#[test]
fn a_missing_file_is_not_found() {
    let transport = Transport::install();
    transport.reply_json(
        404,
        google_error(404, "NOT_FOUND", "notFound", "File not found: f1."),
    );
    let error = run("GOOGLE_DRIVE_DELETE_FILE", json!({"file_id": "f1"})).unwrap_err();
    assert_eq!(error, Error::not_found("File not found: f1."));
}

#[test]
fn rate_limits_are_rate_limited_with_the_retry_delay() {
    let transport = Transport::install();
    let body = google_error(
        403,
        "PERMISSION_DENIED",
        "userRateLimitExceeded",
        "User rate limit exceeded.",
    );
    transport.reply(
        403,
        &[("content-type", "application/json"), ("retry-after", "17")],
        body.to_string(),
    );
    let error = run("GOOGLE_DRIVE_SEARCH_FILES", json!({})).unwrap_err();
    assert_eq!(
        error,
        Error::rate_limited("User rate limit exceeded.", Some(17))
    );

    let transport = Transport::install();
    let body = google_error(
        403,
        "PERMISSION_DENIED",
        "rateLimitExceeded",
        "Rate limit exceeded.",
    );
    transport.reply_json(403, body);
    let error = run("GOOGLE_DRIVE_CREATE_FOLDER", json!({"name": "x"})).unwrap_err();
    assert_eq!(error, Error::rate_limited("Rate limit exceeded.", None));

    let transport = Transport::install();
    let body = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "rateLimitExceeded",
        "Quota exceeded.",
    );
    transport.reply(429, &[("retry-after", "5")], body.to_string());
    let error = run("GOOGLE_DRIVE_GET_FILE", json!({"file_id": "f1"})).unwrap_err();
    assert_eq!(error, Error::rate_limited("Quota exceeded.", Some(5)));
}

#[test]
fn other_errors_are_upstream_errors_with_googles_message() {
    let transport = Transport::install();
    let body = google_error(
        403,
        "PERMISSION_DENIED",
        "insufficientFilePermissions",
        "The user does not have sufficient permissions for this file.",
    );
    transport.reply_json(403, body);
    let error = run(
        "GOOGLE_DRIVE_SHARE_FILE",
        json!({"file_id": "f1", "grantee": "anyone", "role": "reader"}),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 403, message, body: Some(_) } if message == "The user does not have sufficient permissions for this file."),
        "{error:?}"
    );
}

#[test]
fn after_connect_labels_the_account_with_the_users_email() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"user": {"displayName": "Ada", "emailAddress": "ada@example.com"}}),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("ada@example.com"));
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/drive/v3/about")
    );
    assert_eq!(
        request.query(),
        pairs(&[("fields", "user(displayName,emailAddress)")])
    );
}

#[test]
fn hints_and_scopes_are_the_narrowest_true_ones() {
    let provider = provider();
    let action = |name: &str| provider.find(name).unwrap();
    for read in [
        "GOOGLE_DRIVE_SEARCH_FILES",
        "GOOGLE_DRIVE_GET_FILE",
        "GOOGLE_DRIVE_DOWNLOAD_FILE",
    ] {
        assert!(action(read).hints().read_only, "{read}");
    }
    let delete = action("GOOGLE_DRIVE_DELETE_FILE").hints();
    assert!(delete.destructive && !delete.read_only);
    assert!(!action("GOOGLE_DRIVE_UPLOAD_FILE").hints().destructive);
    let scope = |s: &str| format!("https://www.googleapis.com/auth/{s}");
    assert_eq!(
        action("GOOGLE_DRIVE_SEARCH_FILES").required_scopes(),
        [[
            "drive.metadata.readonly",
            "drive.readonly",
            "drive.metadata",
            "drive.file",
            "drive"
        ]
        .map(scope)
        .to_vec()]
    );
    assert_eq!(
        action("GOOGLE_DRIVE_DOWNLOAD_FILE").required_scopes(),
        [["drive.readonly", "drive.file", "drive"]
            .map(scope)
            .to_vec()]
    );
    assert_eq!(
        action("GOOGLE_DRIVE_SHARE_FILE").required_scopes(),
        [["drive.file", "drive"].map(scope).to_vec()]
    );
}

#[test]
fn schemas_state_formats_enums_and_defaults_without_top_level_combinators() {
    let provider = provider();
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for combinator in ["oneOf", "anyOf", "allOf"] {
            assert!(
                schema.get(combinator).is_none(),
                "{} has {combinator}",
                action.name()
            );
        }
    }
    let share = provider
        .find("GOOGLE_DRIVE_SHARE_FILE")
        .unwrap()
        .input_schema();
    assert_eq!(share["required"], json!(["file_id", "grantee", "role"]));
    let text = share.to_string();
    assert!(text.contains(r#""format":"email""#), "{text}");
    assert!(
        text.contains(r#""fileOrganizer""#) && text.contains(r#""anyone""#),
        "{text}"
    );
    let download = provider.find("GOOGLE_DRIVE_DOWNLOAD_FILE").unwrap();
    let output = download.output_schema().unwrap();
    assert!(
        output["properties"]["content_base64"].is_object(),
        "{output}"
    );
}
