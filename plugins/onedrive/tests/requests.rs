//! The exact requests every OneDrive action sends (method, URL, query, headers, body), including
//! the download redirect and upload-session chunks sent outside Graph, how Graph's error envelope
//! maps to errors, and paging by `@odata.nextLink`, run natively against the SDK's test transport.

use actionhost_plugin_onedrive::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const GRAPH: &str = "https://graph.microsoft.com/v1.0";
const LIST_FIELDS: &str = "id,name,size,file,folder,package,remoteItem,parentReference,\
    createdDateTime,lastModifiedDateTime,lastModifiedBy,webUrl";
const ITEM_FIELDS: &str = "id,name,description,size,file,folder,package,remoteItem,\
    parentReference,createdDateTime,lastModifiedDateTime,createdBy,lastModifiedBy,webUrl,\
    fileSystemInfo,shared,specialFolder,root,image,photo,video,audio,location,deleted,eTag,cTag";
/// A personal account's item id, with the `!` Graph uses in them.
const ID: &str = "D4648F06C91D9D3D!54927";
const ID_ENCODED: &str = "D4648F06C91D9D3D%2154927";

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

/// A driveItem as Graph's reference pages show one.
fn item(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "size": 35212,
           "file": {"mimeType": "application/pdf"},
           "parentReference": {"driveId": "D4648F06C91D9D3D", "driveType": "personal", "id": "D4648F06C91D9D3D!103"},
           "createdDateTime": "2024-03-01T10:00:00Z", "lastModifiedDateTime": "2024-03-02T11:30:00Z",
           "webUrl": format!("https://onedrive.live.com/?id={id}")})
}

fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message,
           "innerError": {"date": "2024-03-02T11:30:00", "request-id": "b5a0f3d1-8a5e-4c07-9a35-7f0c3b1c2d4e"}}})
}

fn assert_invalid(result: Result<Value, Error>, fragment: &str) {
    match result {
        Err(Error::InvalidInput(message)) => {
            assert!(message.contains(fragment), "{message:?} lacks {fragment:?}")
        }
        other => panic!("expected invalid input with {fragment:?}, got {other:?}"),
    }
}

#[test]
fn list_files_lists_the_root_by_default_with_the_useful_fields() {
    let next = format!("{GRAPH}/me/drive/root/children?$top=2&$skiptoken=Paged%3dTRUE");
    let (result, request) = call(
        "ONEDRIVE_LIST_FILES",
        json!({"page_size": 2}),
        json!({"value": [item("A!1", "a.pdf"), item("A!2", "b.pdf")], "@odata.nextLink": next}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [item("A!1", "a.pdf"), item("A!2", "b.pdf")], "next_cursor": next})
    );
    assert_eq!(request.method, "GET");
    assert!(
        request
            .url
            .starts_with(&format!("{GRAPH}/me/drive/root/children?"))
    );
    assert_eq!(
        request.query(),
        pairs(&[("$top", "2"), ("$select", LIST_FIELDS)])
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.body, None);
}

#[test]
fn list_files_addresses_a_folder_by_id_or_by_encoded_path() {
    let (_, request) = call(
        "ONEDRIVE_LIST_FILES",
        json!({"folder_id": ID}),
        json!({"value": []}),
    );
    assert_eq!(
        request.path(),
        format!("/v1.0/me/drive/items/{ID_ENCODED}/children")
    );
    assert_eq!(request.query(), pairs(&[("$select", LIST_FIELDS)]));
    let (result, request) = call(
        "ONEDRIVE_LIST_FILES",
        json!({"folder_path": "/Documents/Q3 Reports/#1?/"}),
        json!({"value": []}),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root:/Documents/Q3%20Reports/%231%3F:/children"
    );
    let (_, request) = call(
        "ONEDRIVE_LIST_FILES",
        json!({"folder_path": "/"}),
        json!({"value": []}),
    );
    assert_eq!(request.path(), "/v1.0/me/drive/root/children");
}

#[test]
fn list_files_fetches_the_second_page_from_the_returned_cursor() {
    let transport = Transport::install();
    let next = format!("{GRAPH}/me/drive/items/{ID_ENCODED}/children?$top=1&$skiptoken=abc");
    transport.reply_json(
        200,
        json!({"value": [item("A!1", "a.pdf")], "@odata.nextLink": next}),
    );
    transport.reply_json(200, json!({"value": [item("A!2", "b.pdf")]}));
    let first = run(
        "ONEDRIVE_LIST_FILES",
        json!({"folder_id": ID, "page_size": 1}),
    )
    .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = run(
        "ONEDRIVE_LIST_FILES",
        json!({"folder_id": ID, "page_size": 1, "cursor": cursor}),
    )
    .unwrap();
    assert_eq!(
        second,
        json!({"items": [item("A!2", "b.pdf")], "next_cursor": null})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.as_str()),
        ("GET", next.as_str())
    );
}

#[test]
fn a_cursor_that_is_not_a_graph_link_is_refused_before_any_request() {
    let transport = Transport::install();
    let result = run(
        "ONEDRIVE_LIST_FILES",
        json!({"cursor": "https://evil.example/steal"}),
    );
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    assert!(transport.requests().is_empty());
}

#[test]
fn an_item_given_both_ways_or_not_at_all_is_refused_before_any_request() {
    let transport = Transport::install();
    assert_invalid(
        run(
            "ONEDRIVE_LIST_FILES",
            json!({"folder_id": "x", "folder_path": "Documents"}),
        ),
        "give `folder_id` or `folder_path`, not both",
    );
    assert_invalid(
        run("ONEDRIVE_GET_FILE", json!({})),
        "give the item as `item_id` or `path`",
    );
    assert_invalid(
        run("ONEDRIVE_GET_FILE", json!({"item_id": "  "})),
        "`item_id` must not be blank",
    );
    assert_invalid(
        run("ONEDRIVE_GET_FILE", json!({"path": "Documents/../secret"})),
        "without `.` or `..` segments",
    );
    assert_invalid(
        run("ONEDRIVE_DELETE_FILE", json!({"path": "/"})),
        "cannot be deleted",
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn search_quotes_the_text_as_an_odata_literal_in_the_whole_drive_or_a_folder() {
    let next = format!("{GRAPH}/me/drive/root/search(q='plan')?$skiptoken=s2");
    let (result, request) = call(
        "ONEDRIVE_SEARCH_FILES",
        json!({"query": "Ada's plan 50%", "page_size": 25}),
        json!({"value": [item("A!1", "plan.pdf")], "@odata.nextLink": next}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [item("A!1", "plan.pdf")], "next_cursor": next})
    );
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root/search(q='Ada%27%27s%20plan%2050%25')"
    );
    assert_eq!(
        request.query(),
        pairs(&[("$top", "25"), ("$select", LIST_FIELDS)])
    );
    let (_, request) = call(
        "ONEDRIVE_SEARCH_FILES",
        json!({"query": "budget", "folder_path": "Documents/Finance"}),
        json!({"value": []}),
    );
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root:/Documents/Finance:/search(q='budget')"
    );
    let (_, request) = call(
        "ONEDRIVE_SEARCH_FILES",
        json!({"query": "budget", "folder_id": ID}),
        json!({"value": []}),
    );
    assert_eq!(
        request.path(),
        format!("/v1.0/me/drive/items/{ID_ENCODED}/search(q='budget')")
    );
}

#[test]
fn search_fetches_the_second_page_from_the_returned_cursor() {
    let transport = Transport::install();
    let next = format!("{GRAPH}/me/drive/root/search(q='plan')?$skiptoken=s2");
    transport.reply_json(
        200,
        json!({"value": [item("A!1", "plan.pdf")], "@odata.nextLink": next}),
    );
    transport.reply_json(200, json!({"value": [item("A!2", "plan2.pdf")]}));
    let first = run("ONEDRIVE_SEARCH_FILES", json!({"query": "plan"})).unwrap();
    let second = run(
        "ONEDRIVE_SEARCH_FILES",
        json!({"query": "plan", "cursor": first["next_cursor"]}),
    )
    .unwrap();
    assert_eq!(second["items"][0]["id"], "A!2");
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(transport.requests()[1].url, next);
}

#[test]
fn get_file_by_id_or_path_returns_graphs_item_as_it_came() {
    let answer = item(ID, "Budget 2024.xlsx");
    let (result, request) = call("ONEDRIVE_GET_FILE", json!({"item_id": ID}), answer.clone());
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", format!("/v1.0/me/drive/items/{ID_ENCODED}").as_str())
    );
    assert_eq!(request.query(), pairs(&[("$select", ITEM_FIELDS)]));
    let (_, request) = call(
        "ONEDRIVE_GET_FILE",
        json!({"path": "Documents/Budget 2024.xlsx"}),
        answer,
    );
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root:/Documents/Budget%202024.xlsx:"
    );
}

#[test]
fn download_follows_the_redirect_to_the_pre_authenticated_url_with_a_plain_request() {
    let transport = Transport::install();
    let location = "https://contoso-my.sharepoint.com/personal/ada_contoso_com/_layouts/15/download.aspx?UniqueId=8a1c&tempauth=v1.eyJ0eXAi";
    transport.reply_json(
        200,
        json!({"id": ID, "name": "notes.txt", "size": 5, "file": {"mimeType": "text/plain"}}),
    );
    transport.reply(302, &[("location", location)], "");
    transport.reply(200, &[("content-type", "text/plain")], "hello");
    let output = run(
        "ONEDRIVE_DOWNLOAD_FILE",
        json!({"path": "Documents/notes.txt"}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"item_id": ID, "name": "notes.txt", "mime_type": "text/plain",
               "content_base64": "aGVsbG8=", "size_bytes": 5, "content_type": "text/plain"})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].path(),
        "/v1.0/me/drive/root:/Documents/notes.txt:"
    );
    assert_eq!(
        requests[0].query(),
        pairs(&[("$select", "id,name,size,file")])
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.as_str()),
        (
            "GET",
            format!("{GRAPH}/me/drive/items/{ID_ENCODED}/content").as_str()
        )
    );
    // The pre-authenticated URL as it came, with no header of Graph's client.
    assert_eq!(
        (requests[2].method.as_str(), requests[2].url.as_str()),
        ("GET", location)
    );
    assert!(requests[2].headers.is_empty(), "{:?}", requests[2].headers);
    assert_eq!(requests[2].body, None);
}

#[test]
fn download_takes_content_graph_serves_itself() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": ID, "name": "a.bin", "size": 3, "file": {"mimeType": "application/octet-stream"}}),
    );
    transport.reply(200, &[], vec![0u8, 1, 2]);
    let output = run("ONEDRIVE_DOWNLOAD_FILE", json!({"item_id": ID})).unwrap();
    assert_eq!(output["content_base64"], "AAEC");
    assert_eq!(output["content_type"], Value::Null);
    assert_eq!(transport.requests().len(), 2);
}

#[test]
fn download_refuses_folders_and_files_over_the_cap_before_fetching_content() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": ID, "name": "big.zip", "size": 3_000_001, "file": {"mimeType": "application/zip"}}),
    );
    transport.reply_json(
        200,
        json!({"id": ID, "name": "Photos", "size": 1000, "folder": {"childCount": 3}}),
    );
    assert_invalid(
        run("ONEDRIVE_DOWNLOAD_FILE", json!({"item_id": ID})),
        "`big.zip` is 3000001 bytes; ONEDRIVE_DOWNLOAD_FILE returns files of at most 3000000 bytes",
    );
    assert_invalid(
        run("ONEDRIVE_DOWNLOAD_FILE", json!({"item_id": ID})),
        "`Photos` is not a file",
    );
    assert_eq!(transport.requests().len(), 2, "only the two metadata reads");
}

#[test]
fn download_refuses_content_larger_than_its_metadata_said() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": ID, "name": "grew.txt", "size": 1, "file": {}}),
    );
    transport.reply(
        302,
        &[("location", "https://public.sn.files.1drv.com/y4m")],
        "",
    );
    transport.reply(200, &[], vec![b'x'; 3_000_001]);
    assert_invalid(
        run("ONEDRIVE_DOWNLOAD_FILE", json!({"item_id": ID})),
        "the file is 3000001 bytes",
    );
}

#[test]
fn a_small_upload_is_one_put_of_the_bytes_to_the_child_path() {
    let answer = item("A!9", "report.pdf");
    let (result, request) = call(
        "ONEDRIVE_UPLOAD_FILE",
        json!({"name": "report 1.pdf", "folder_id": ID, "content_base64": "JVBERi0=",
               "mime_type": "application/pdf", "conflict_behavior": "rename"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "PUT",
            format!("/v1.0/me/drive/items/{ID_ENCODED}:/report%201.pdf:/content").as_str()
        )
    );
    assert_eq!(
        request.query(),
        pairs(&[("@microsoft.graph.conflictBehavior", "rename")])
    );
    assert_eq!(request.header("content-type"), Some("application/pdf"));
    assert_eq!(request.body.as_deref(), Some(&b"%PDF-"[..]));
}

#[test]
fn a_text_upload_goes_to_a_folder_path_or_the_root_and_fails_on_conflict_by_default() {
    let (_, request) = call(
        "ONEDRIVE_UPLOAD_FILE",
        json!({"name": "notes.md", "folder_path": "Documents/Notes", "text": "# Hi"}),
        item("A!9", "notes.md"),
    );
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root:/Documents/Notes/notes.md:/content"
    );
    assert_eq!(
        request.query(),
        pairs(&[("@microsoft.graph.conflictBehavior", "fail")])
    );
    assert_eq!(request.header("content-type"), Some("text/plain"));
    assert_eq!(request.text(), "# Hi");
    let (_, request) = call(
        "ONEDRIVE_UPLOAD_FILE",
        json!({"name": "a.bin", "content_base64": "AAEC"}),
        item("A!9", "a.bin"),
    );
    assert_eq!(request.path(), "/v1.0/me/drive/root:/a.bin:/content");
    assert_eq!(
        request.header("content-type"),
        Some("application/octet-stream")
    );
}

#[test]
fn an_upload_needs_exactly_one_content_and_a_plain_name() {
    let transport = Transport::install();
    assert_invalid(
        run("ONEDRIVE_UPLOAD_FILE", json!({"name": "a.txt"})),
        "exactly one of `content_base64` and `text`",
    );
    assert_invalid(
        run(
            "ONEDRIVE_UPLOAD_FILE",
            json!({"name": "a.txt", "text": "x", "content_base64": "eA=="}),
        ),
        "exactly one of `content_base64` and `text`",
    );
    assert_invalid(
        run(
            "ONEDRIVE_UPLOAD_FILE",
            json!({"name": "a/b.txt", "text": "x"}),
        ),
        "is a name, not a path",
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn a_large_upload_goes_through_an_upload_session_in_320_kib_multiples_without_graph_headers() {
    const CHUNK: usize = 16 * 320 * 1024;
    let total = CHUNK + 1000;
    let bytes: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let upload_url = "https://contoso-my.sharepoint.com/personal/ada_contoso_com/_api/v2.0/drive/items/01ABC/uploadSession?guid='5b1c'&overwrite=False&rename=True&dc=0&tempauth=eyJ0";
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"uploadUrl": upload_url, "expirationDateTime": "2024-03-03T11:30:00Z",
               "nextExpectedRanges": ["0-"]}),
    );
    transport.reply_json(
        202,
        json!({"expirationDateTime": "2024-03-03T11:30:00Z", "nextExpectedRanges": [format!("{CHUNK}-{}", total - 1)]}),
    );
    let created = item("A!10", "video.mp4");
    transport.reply_json(201, created.clone());
    let output = run(
        "ONEDRIVE_UPLOAD_FILE",
        json!({"name": "video.mp4", "folder_path": "Videos",
               "content_base64": actionhost_sdk::files::encode(&bytes), "conflict_behavior": "replace"}),
    )
    .unwrap();
    assert_eq!(output, created);
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.as_str()),
        (
            "POST",
            format!("{GRAPH}/me/drive/root:/Videos/video.mp4:/createUploadSession").as_str()
        )
    );
    assert_eq!(
        requests[0].json(),
        json!({"item": {"@microsoft.graph.conflictBehavior": "replace"}})
    );
    for (request, range, body) in [
        (
            &requests[1],
            format!("bytes 0-{}/{total}", CHUNK - 1),
            &bytes[..CHUNK],
        ),
        (
            &requests[2],
            format!("bytes {CHUNK}-{}/{total}", total - 1),
            &bytes[CHUNK..],
        ),
    ] {
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            ("PUT", upload_url)
        );
        assert_eq!(
            request.headers,
            vec![
                ("Content-Range".to_string(), range),
                (
                    "Content-Type".to_string(),
                    "application/octet-stream".to_string()
                )
            ]
        );
        assert_eq!(request.body.as_deref(), Some(body));
    }
    assert_eq!(CHUNK % (320 * 1024), 0);
}

#[test]
fn a_failed_chunk_cancels_the_upload_session_and_reports_graphs_error() {
    let upload_url = "https://api.onedrive.com/rup/4c1b/eyJSZXNvdXJjZUlEIjoi";
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"uploadUrl": upload_url, "nextExpectedRanges": ["0-"]}),
    );
    transport.reply_json(
        416,
        graph_error(
            "invalidRange",
            "The uploaded fragment overlaps with data that has already been received.",
        ),
    );
    transport.reply(204, &[], "");
    let result = run(
        "ONEDRIVE_UPLOAD_FILE",
        json!({"name": "big.bin", "content_base64": actionhost_sdk::files::encode(vec![7u8; 4 * 1024 * 1024 + 1])}),
    );
    match result {
        Err(Error::Upstream {
            status, message, ..
        }) => {
            assert_eq!(status, 416);
            assert!(message.contains("invalidRange"), "{message}");
        }
        other => panic!("expected an upstream error, got {other:?}"),
    }
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[1].header("content-range"),
        Some("bytes 0-4194304/4194305")
    );
    assert_eq!(
        (requests[2].method.as_str(), requests[2].url.as_str()),
        ("DELETE", upload_url)
    );
}

#[test]
fn create_folder_posts_a_folder_item_to_the_parents_children() {
    let answer = json!({"id": "A!20", "name": "Reports", "folder": {"childCount": 0}});
    let (result, request) = call(
        "ONEDRIVE_CREATE_FOLDER",
        json!({"name": "Reports", "parent_folder_path": "Documents"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v1.0/me/drive/root:/Documents:/children")
    );
    assert_eq!(request.raw_query(), None);
    assert_eq!(
        request.json(),
        json!({"name": "Reports", "folder": {}, "@microsoft.graph.conflictBehavior": "fail"})
    );
    let (_, request) = call(
        "ONEDRIVE_CREATE_FOLDER",
        json!({"name": "Reports", "conflict_behavior": "rename"}),
        answer,
    );
    assert_eq!(request.path(), "/v1.0/me/drive/root/children");
    assert_eq!(
        request.json()["@microsoft.graph.conflictBehavior"],
        "rename"
    );
}

#[test]
fn move_patches_the_parent_reference_and_name() {
    let answer = item(ID, "q3-final.pdf");
    let (result, request) = call(
        "ONEDRIVE_MOVE_FILE",
        json!({"item_id": ID, "destination_folder_id": "D4648F06C91D9D3D!200", "new_name": "q3-final.pdf"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "PATCH",
            format!("/v1.0/me/drive/items/{ID_ENCODED}").as_str()
        )
    );
    assert_eq!(
        request.json(),
        json!({"parentReference": {"id": "D4648F06C91D9D3D!200"}, "name": "q3-final.pdf"})
    );
}

#[test]
fn move_to_a_folder_by_path_looks_up_its_id_first() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"id": "A!300"}));
    transport.reply_json(200, item("A!1", "scan.pdf"));
    run(
        "ONEDRIVE_MOVE_FILE",
        json!({"path": "Inbox/scan.pdf", "destination_folder_path": "Archive/2024"}),
    )
    .unwrap();
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        ("GET", "/v1.0/me/drive/root:/Archive/2024:")
    );
    assert_eq!(requests[0].query(), pairs(&[("$select", "id")]));
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path()),
        ("PATCH", "/v1.0/me/drive/root:/Inbox/scan.pdf:")
    );
    assert_eq!(
        requests[1].json(),
        json!({"parentReference": {"id": "A!300"}})
    );
    let transport = Transport::install();
    transport.reply_json(200, json!({"id": "ROOT!0"}));
    transport.reply_json(200, item("A!1", "scan.pdf"));
    run(
        "ONEDRIVE_MOVE_FILE",
        json!({"item_id": "A!1", "destination_folder_path": "/"}),
    )
    .unwrap();
    assert_eq!(transport.requests()[0].path(), "/v1.0/me/drive/root");
}

#[test]
fn move_needs_a_destination() {
    let transport = Transport::install();
    assert_invalid(
        run(
            "ONEDRIVE_MOVE_FILE",
            json!({"item_id": ID, "new_name": "x.pdf"}),
        ),
        "give the item as `destination_folder_id` or `destination_folder_path`",
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn create_share_link_posts_type_scope_and_options() {
    let answer = json!({"id": "123ABC", "roles": ["read"],
        "link": {"type": "view", "scope": "anonymous", "webUrl": "https://1drv.ms/A6913278E564460AA616C71B28AD6EB6",
                 "application": {"id": "1234", "displayName": "Sample Application"}},
        "hasPassword": true});
    let (result, request) = call(
        "ONEDRIVE_CREATE_SHARE_LINK",
        json!({"item_id": ID, "scope": "anonymous", "expiration_date_time": "2025-01-31T00:00:00Z", "password": "s3cret"}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "POST",
            format!("/v1.0/me/drive/items/{ID_ENCODED}/createLink").as_str()
        )
    );
    assert_eq!(
        request.json(),
        json!({"type": "view", "scope": "anonymous", "expirationDateTime": "2025-01-31T00:00:00Z", "password": "s3cret"})
    );
    let (_, request) = call(
        "ONEDRIVE_CREATE_SHARE_LINK",
        json!({"path": "Documents/plan.docx", "type": "edit", "scope": "users", "recipients": ["ada@contoso.com"]}),
        answer,
    );
    assert_eq!(
        request.path(),
        "/v1.0/me/drive/root:/Documents/plan.docx:/createLink"
    );
    assert_eq!(
        request.json(),
        json!({"type": "edit", "scope": "users", "recipients": [{"email": "ada@contoso.com"}]})
    );
}

#[test]
fn recipients_go_with_scope_users_only() {
    let transport = Transport::install();
    assert_invalid(
        run(
            "ONEDRIVE_CREATE_SHARE_LINK",
            json!({"item_id": ID, "scope": "users"}),
        ),
        "scope `users` needs `recipients`",
    );
    assert_invalid(
        run(
            "ONEDRIVE_CREATE_SHARE_LINK",
            json!({"item_id": ID, "recipients": ["a@b.c"]}),
        ),
        "only used with scope `users`",
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn delete_moves_to_the_recycle_bin_or_deletes_forever() {
    let transport = Transport::install();
    transport.reply(204, &[], "");
    transport.reply(204, &[], "");
    assert_eq!(
        run("ONEDRIVE_DELETE_FILE", json!({"item_id": ID})).unwrap(),
        json!({"item": ID, "outcome": "recycle_bin"})
    );
    assert_eq!(
        run(
            "ONEDRIVE_DELETE_FILE",
            json!({"path": "Old/draft.docx", "permanently": true})
        )
        .unwrap(),
        json!({"item": "Old/draft.docx", "outcome": "deleted_forever"})
    );
    let requests = transport.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.as_str()),
        (
            "DELETE",
            format!("{GRAPH}/me/drive/items/{ID_ENCODED}").as_str()
        )
    );
    assert_eq!(requests[0].body, None);
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.as_str()),
        (
            "POST",
            format!("{GRAPH}/me/drive/root:/Old/draft.docx:/permanentDelete").as_str()
        )
    );
}

#[test]
fn graphs_error_envelope_maps_to_the_contracts_errors() {
    let transport = Transport::install();
    transport.reply_json(
        401,
        graph_error(
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        ),
    );
    transport.reply_json(
        404,
        graph_error("itemNotFound", "The resource could not be found."),
    );
    transport.reply(
        429,
        &[("retry-after", "7")],
        graph_error(
            "activityLimitReached",
            "The app or user has been throttled.",
        )
        .to_string(),
    );
    transport.reply_json(
        409,
        graph_error(
            "nameAlreadyExists",
            "The specified item name already exists.",
        ),
    );
    let get = || run("ONEDRIVE_GET_FILE", json!({"item_id": ID}));
    assert!(matches!(get(), Err(Error::Unauthorized(_))), "401");
    assert!(
        matches!(get(), Err(Error::NotFound(m)) if m.contains("The resource could not be found.")),
        "404"
    );
    match get() {
        Err(Error::RateLimited {
            retry_after_seconds,
            ..
        }) => assert_eq!(retry_after_seconds, Some(7)),
        other => panic!("expected rate limited, got {other:?}"),
    }
    match get() {
        Err(Error::Upstream {
            status, message, ..
        }) => {
            assert_eq!(status, 409);
            assert_eq!(
                message,
                "nameAlreadyExists: The specified item name already exists."
            );
        }
        other => panic!("expected upstream error, got {other:?}"),
    }
}

#[test]
fn each_action_declares_the_fewest_files_scopes_and_true_hints() {
    let read = vec![vec![
        "Files.Read".to_string(),
        "Files.ReadWrite".into(),
        "Files.Read.All".into(),
        "Files.ReadWrite.All".into(),
    ]];
    let write = vec![vec![
        "Files.ReadWrite".to_string(),
        "Files.ReadWrite.All".into(),
    ]];
    let expect = [
        ("ONEDRIVE_LIST_FILES", &read, (true, false, true)),
        ("ONEDRIVE_SEARCH_FILES", &read, (true, false, true)),
        ("ONEDRIVE_GET_FILE", &read, (true, false, true)),
        ("ONEDRIVE_DOWNLOAD_FILE", &read, (true, false, true)),
        ("ONEDRIVE_UPLOAD_FILE", &write, (false, true, false)),
        ("ONEDRIVE_CREATE_FOLDER", &write, (false, false, false)),
        ("ONEDRIVE_MOVE_FILE", &write, (false, false, true)),
        ("ONEDRIVE_CREATE_SHARE_LINK", &write, (false, false, true)),
        ("ONEDRIVE_DELETE_FILE", &write, (false, true, true)),
    ];
    let provider = provider();
    assert_eq!(provider.actions().len(), expect.len());
    for (name, scopes, (read_only, destructive, idempotent)) in expect {
        let action = provider.find(name).unwrap();
        assert_eq!(action.required_scopes(), &scopes[..], "{name}");
        let hints = action.hints();
        assert_eq!(
            (hints.read_only, hints.destructive, hints.idempotent),
            (read_only, destructive, idempotent),
            "{name}"
        );
    }
}

#[test]
fn schemas_have_no_top_level_combinators_and_carry_formats_enums_and_limits() {
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
    let share = provider
        .find("ONEDRIVE_CREATE_SHARE_LINK")
        .unwrap()
        .input_schema()
        .to_string();
    for needle in [
        r#""format":"date-time""#,
        r#""format":"email""#,
        r#""view""#,
        r#""organization""#,
    ] {
        assert!(share.contains(needle), "{needle} in {share}");
    }
    let upload = provider
        .find("ONEDRIVE_UPLOAD_FILE")
        .unwrap()
        .input_schema()
        .to_string();
    assert!(upload.contains(r#""contentEncoding":"base64""#), "{upload}");
    assert!(upload.contains(r#""replace""#), "{upload}");
    assert!(
        provider
            .find("ONEDRIVE_DOWNLOAD_FILE")
            .unwrap()
            .output_schema()
            .is_some()
    );
    assert!(
        provider
            .find("ONEDRIVE_LIST_FILES")
            .unwrap()
            .output_schema()
            .is_some()
    );
    assert!(
        provider
            .find("ONEDRIVE_GET_FILE")
            .unwrap()
            .output_schema()
            .is_none(),
        "Graph's item as it came"
    );
}
