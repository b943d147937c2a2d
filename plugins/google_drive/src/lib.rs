//! Google Drive provider: search, read, download, upload, organise, share and delete files
//! through the Drive API v3 (<https://developers.google.com/workspace/drive/api/reference/rest/v3>).
//! Metadata calls go to `/drive/v3`, uploads to `/upload/drive/v3` as `uploadType=multipart`
//! (a `multipart/related` body: the JSON metadata, then the media). Every call supports shared
//! drives. Google's error envelope (`error.errors[].reason`) is mapped by [`google::errors`].

use actionhost_sdk::files::{Base64File, FileContent};
use actionhost_sdk::google;
use actionhost_sdk::multipart::Multipart;
use actionhost_sdk::prelude::*;

const ORIGIN: &str = "https://www.googleapis.com";
const UPLOAD_URL: &str = "https://www.googleapis.com/upload/drive/v3/files";
const FOLDER_MIME_TYPE: &str = "application/vnd.google-apps.folder";
const GOOGLE_APPS_PREFIX: &str = "application/vnd.google-apps.";

/// Largest file `GOOGLE_DRIVE_DOWNLOAD_FILE` returns: its base64 (4/3 of the size) must fit the
/// host's 4 MiB output limit.
const MAX_DOWNLOAD_BYTES: usize = 3_000_000;
/// Largest file `GOOGLE_DRIVE_UPLOAD_FILE` sends: Google's limit for `uploadType=multipart`.
const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// The file fields every action that returns a file asks for (Drive returns only `id`, `name`
/// and `mimeType` unless asked).
const FILE_FIELDS: &str = "id,name,mimeType,description,parents,driveId,createdTime,modifiedTime,size,\
    webViewLink,iconLink,owners(displayName,emailAddress),lastModifyingUser(displayName,emailAddress),\
    shared,starred,trashed,capabilities(canEdit,canShare,canDownload,canTrash,canDelete)";

fn api() -> Api {
    Api::new("https://www.googleapis.com/drive/v3").errors(google::errors)
}

/// A Drive query string literal: `\` and `'` escaped (Drive's search syntax).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[derive(Deserialize, JsonSchema)]
struct SearchFiles {
    /// A Drive search query, e.g. `name contains 'budget' and modifiedTime > '2024-01-01T00:00:00'`
    /// or `fullText contains 'quarterly report'` (Drive query syntax: fields `name`, `fullText`,
    /// `mimeType`, `modifiedTime`, `'<id>' in parents`, `starred`, `trashed`, ...; strings in
    /// single quotes). Combined with `and` with the filters below. Leave out to list everything.
    query: Option<String>,
    /// Only files directly inside this folder (a folder's file id; `root` for My Drive's top level).
    folder_id: Option<String>,
    /// Only files of this MIME type, e.g. `application/pdf`,
    /// `application/vnd.google-apps.document` (Google Docs), `application/vnd.google-apps.folder`.
    mime_type: Option<String>,
    /// Also return files in the trash (default false).
    #[serde(default)]
    include_trashed: bool,
    /// Search shared drives the user is a member of as well as My Drive and files shared with
    /// the user (default true).
    #[serde(default = "yes")]
    include_shared_drives: bool,
    /// Only search this one shared drive (its id); overrides `include_shared_drives`.
    shared_drive_id: Option<String>,
    /// Sort keys, comma-separated, each optionally followed by ` desc`: `createdTime`, `folder`,
    /// `modifiedByMeTime`, `modifiedTime`, `name`, `quotaBytesUsed`, `recency`,
    /// `sharedWithMeTime`, `starred`, `viewedByMeTime`, e.g. `modifiedTime desc`. Not allowed
    /// with a `fullText` query.
    order_by: Option<String>,
    /// Files per page, 1 to 1000 (default 100; Drive may return fewer).
    #[schemars(range(min = 1, max = 1000))]
    page_size: Option<u32>,
    /// `nextPageToken` of the previous page, to fetch the next one (with the same other inputs).
    page_token: Option<String>,
}

fn yes() -> bool {
    true
}

/// The query parameters of `files.list`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery<'a> {
    q: Option<String>,
    corpora: &'a str,
    drive_id: Option<&'a str>,
    include_items_from_all_drives: bool,
    supports_all_drives: bool,
    order_by: Option<&'a str>,
    page_size: Option<u32>,
    page_token: Option<&'a str>,
    fields: String,
}

fn search_files(input: SearchFiles, _: &Context) -> Result<Passthrough, Error> {
    let mut clauses = Vec::new();
    if let Some(query) = input.query.as_deref().map(str::trim)
        && !query.is_empty()
    {
        clauses.push(format!("({query})"));
    }
    if let Some(folder) = &input.folder_id {
        clauses.push(format!("{} in parents", literal(folder)));
    }
    if let Some(mime_type) = &input.mime_type {
        clauses.push(format!("mimeType = {}", literal(mime_type)));
    }
    let mentions_trashed = input
        .query
        .as_deref()
        .is_some_and(|q| q.contains("trashed"));
    if !input.include_trashed && !mentions_trashed {
        clauses.push("trashed = false".into());
    }
    let (corpora, all_drives) = match (&input.shared_drive_id, input.include_shared_drives) {
        (Some(_), _) => ("drive", true),
        (None, true) => ("allDrives", true),
        (None, false) => ("user", false),
    };
    let query = ListQuery {
        q: (!clauses.is_empty()).then(|| clauses.join(" and ")),
        corpora,
        drive_id: input.shared_drive_id.as_deref(),
        include_items_from_all_drives: all_drives,
        supports_all_drives: true,
        order_by: input.order_by.as_deref(),
        page_size: input.page_size,
        page_token: input.page_token.as_deref(),
        fields: format!("nextPageToken,incompleteSearch,files({FILE_FIELDS})"),
    };
    api().get("/files").query(&query).send()?.json()
}

#[derive(Deserialize, JsonSchema)]
struct GetFile {
    /// The file's (or folder's) id, e.g. from `GOOGLE_DRIVE_SEARCH_FILES` or a Drive URL
    /// (`https://drive.google.com/file/d/<id>/view`).
    file_id: String,
}

fn get_file(input: GetFile, _: &Context) -> Result<Passthrough, Error> {
    api()
        .get(&path!("/files/{}", input.file_id))
        .query(&[("supportsAllDrives", "true"), ("fields", FILE_FIELDS)])
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct DownloadFile {
    /// The file's id.
    file_id: String,
    /// For Google Docs, Sheets, Slides and Drawings only: the format to export to, as a MIME
    /// type, e.g. `application/pdf`,
    /// `application/vnd.openxmlformats-officedocument.wordprocessingml.document` (Word),
    /// `text/markdown`, `text/csv` (first sheet only), `image/png`. Defaults: Docs `text/plain`,
    /// Sheets `text/csv`, Slides `text/plain`, Drawings `image/png`. Ignored for other files,
    /// which are returned as stored.
    export_mime_type: Option<String>,
}

/// What `GOOGLE_DRIVE_DOWNLOAD_FILE` returns.
#[derive(Serialize, JsonSchema)]
struct DownloadedFile {
    /// The file's id.
    file_id: String,
    /// The file's name in Drive.
    name: String,
    /// MIME type of the returned content (the export format for Google files).
    mime_type: String,
    /// The Google file type the content was exported from (e.g.
    /// `application/vnd.google-apps.document`); absent for files returned as stored.
    exported_from: Option<String>,
    #[serde(flatten)]
    content: FileContent,
}

/// The metadata the download needs before fetching content.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileKind {
    name: String,
    mime_type: String,
    /// Bytes, as a decimal string; absent for Google files and shortcuts.
    size: Option<String>,
}

fn default_export(google_type: &str) -> Option<&'static str> {
    Some(match google_type.strip_prefix(GOOGLE_APPS_PREFIX)? {
        "document" => "text/plain",
        "spreadsheet" => "text/csv",
        "presentation" => "text/plain",
        "drawing" => "image/png",
        "script" => "application/vnd.google-apps.script+json",
        _ => return None,
    })
}

fn download_file(input: DownloadFile, _: &Context) -> Result<DownloadedFile, Error> {
    let file_path = path!("/files/{}", input.file_id);
    let kind: FileKind = api()
        .get(&file_path)
        .query(&[
            ("supportsAllDrives", "true"),
            ("fields", "name,mimeType,size"),
        ])
        .send()?
        .json()?;
    let too_large = |size: usize| {
        Error::invalid_input(format!(
            "the file is {size} bytes; GOOGLE_DRIVE_DOWNLOAD_FILE returns files of at most \
             {MAX_DOWNLOAD_BYTES} bytes"
        ))
    };
    if kind.mime_type.starts_with(GOOGLE_APPS_PREFIX) {
        let format = match input.export_mime_type.as_deref() {
            Some(format) => format,
            None => default_export(&kind.mime_type).ok_or_else(|| {
                Error::invalid_input(format!(
                    "{} is a {} and has no content to download",
                    kind.name, kind.mime_type
                ))
            })?,
        };
        let response = api()
            .get(&(file_path + "/export"))
            .query(&[("mimeType", format)])
            .send()?;
        let content = FileContent::from_response(&response, MAX_DOWNLOAD_BYTES)?;
        return Ok(DownloadedFile {
            file_id: input.file_id,
            name: kind.name,
            mime_type: format.to_string(),
            exported_from: Some(kind.mime_type),
            content,
        });
    }
    if let Some(size) = kind.size.and_then(|s| s.parse::<usize>().ok())
        && size > MAX_DOWNLOAD_BYTES
    {
        return Err(too_large(size));
    }
    let response = api()
        .get(&file_path)
        .query(&[("alt", "media"), ("supportsAllDrives", "true")])
        .send()?;
    let content = FileContent::from_response(&response, MAX_DOWNLOAD_BYTES)?;
    Ok(DownloadedFile {
        file_id: input.file_id,
        name: kind.name,
        mime_type: kind.mime_type,
        exported_from: None,
        content,
    })
}

/// A Google file type an upload can be converted to.
#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum GoogleType {
    /// Google Docs (from .docx, .odt, .rtf, .txt, .html, .md).
    Document,
    /// Google Sheets (from .xlsx, .ods, .csv).
    Spreadsheet,
    /// Google Slides (from .pptx, .odp).
    Presentation,
}

impl GoogleType {
    fn mime_type(self) -> &'static str {
        match self {
            GoogleType::Document => "application/vnd.google-apps.document",
            GoogleType::Spreadsheet => "application/vnd.google-apps.spreadsheet",
            GoogleType::Presentation => "application/vnd.google-apps.presentation",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct UploadFile {
    /// The new file's name, with its extension, e.g. `report.pdf`.
    #[schemars(length(min = 1))]
    name: String,
    /// The content as base64 (at most 5 MiB decoded). Give this or `text`, not both.
    content_base64: Option<Base64File<MAX_UPLOAD_BYTES>>,
    /// The content as plain text (UTF-8), for text files. Give this or `content_base64`.
    text: Option<String>,
    /// MIME type of the content, e.g. `application/pdf`, `text/csv` (default `text/plain` for
    /// `text`, `application/octet-stream` otherwise).
    mime_type: Option<String>,
    /// Id of the folder to upload into (default: the top of My Drive).
    folder_id: Option<String>,
    /// A description shown in Drive.
    description: Option<String>,
    /// Convert the upload into a Google file of this type, e.g. a `.docx` or `text/markdown`
    /// into a Google Doc (default: keep the file as uploaded).
    convert_to: Option<GoogleType>,
}

/// The JSON metadata part of an upload or a folder creation (Drive's `File` resource).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewFile<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parents: Vec<&'a str>,
}

fn upload_file(input: UploadFile, _: &Context) -> Result<Passthrough, Error> {
    let (bytes, default_type) = match (input.content_base64, input.text) {
        (Some(content), None) => (content.into_bytes(), "application/octet-stream"),
        (None, Some(text)) if text.len() <= MAX_UPLOAD_BYTES => (text.into_bytes(), "text/plain"),
        (None, Some(text)) => {
            return Err(Error::invalid_input(format!(
                "`text` is {} bytes, more than the {MAX_UPLOAD_BYTES} allowed",
                text.len()
            )));
        }
        _ => {
            return Err(Error::invalid_input(
                "give the content as exactly one of `content_base64` and `text`",
            ));
        }
    };
    let media_type = input.mime_type.as_deref().unwrap_or(default_type);
    let metadata = NewFile {
        name: &input.name,
        mime_type: input.convert_to.map(GoogleType::mime_type),
        description: input.description.as_deref(),
        parents: input.folder_id.as_deref().into_iter().collect(),
    };
    let body = Multipart::related()
        .json(&metadata)?
        .part(media_type, bytes);
    api()
        .post(UPLOAD_URL)
        .query(&[
            ("uploadType", "multipart"),
            ("supportsAllDrives", "true"),
            ("fields", FILE_FIELDS),
        ])
        .multipart(body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct CreateFolder {
    /// The folder's name.
    #[schemars(length(min = 1))]
    name: String,
    /// Id of the folder to create it in (default: the top of My Drive).
    parent_folder_id: Option<String>,
    /// A description shown in Drive.
    description: Option<String>,
}

fn create_folder(input: CreateFolder, _: &Context) -> Result<Passthrough, Error> {
    let metadata = NewFile {
        name: &input.name,
        mime_type: Some(FOLDER_MIME_TYPE),
        description: input.description.as_deref(),
        parents: input.parent_folder_id.as_deref().into_iter().collect(),
    };
    api()
        .post("/files")
        .query(&[("supportsAllDrives", "true"), ("fields", FILE_FIELDS)])
        .json(&metadata)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct MoveFile {
    /// The file's (or folder's) id.
    file_id: String,
    /// Id of the folder to move it into (`root` for the top of My Drive).
    folder_id: String,
}

fn move_file(input: MoveFile, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Parents {
        #[serde(default)]
        parents: Vec<String>,
    }
    let file_path = path!("/files/{}", input.file_id);
    let current: Parents = api()
        .get(&file_path)
        .query(&[("supportsAllDrives", "true"), ("fields", "parents")])
        .send()?
        .json()?;
    let remove = current
        .parents
        .iter()
        .filter(|parent| **parent != input.folder_id)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",");
    let mut query = vec![
        ("addParents", input.folder_id.as_str()),
        ("supportsAllDrives", "true"),
        ("fields", FILE_FIELDS),
    ];
    if !remove.is_empty() {
        query.insert(1, ("removeParents", remove.as_str()));
    }
    api()
        .patch(&file_path)
        .query(&query)
        .json(&json!({}))
        .send()?
        .json()
}

/// Who a permission is for.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Grantee {
    /// One person, by `email_address`.
    User,
    /// A Google Group, by `email_address`.
    Group,
    /// Everyone in a Google Workspace domain, by `domain`.
    Domain,
    /// Anyone with the link (or anyone searching, with `allow_discovery`).
    Anyone,
}

/// What the grantee may do.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
enum Role {
    /// View only.
    Reader,
    /// View and comment.
    Commenter,
    /// Edit.
    Writer,
    /// Shared drives only: organise files (move, trash) in the drive.
    FileOrganizer,
    /// Shared drives only: manage members and content.
    Organizer,
}

#[derive(Deserialize, JsonSchema)]
struct ShareFile {
    /// The file's (or folder's) id.
    file_id: String,
    /// Who gets access: `user`, `group`, `domain` or `anyone` (anyone with the link).
    grantee: Grantee,
    /// What they may do.
    role: Role,
    /// E-mail address of the user or group (required for `user` and `group`).
    #[schemars(email)]
    email_address: Option<String>,
    /// The domain, e.g. `example.com` (required for `domain`).
    domain: Option<String>,
    /// For `domain` and `anyone`: let the file be found by search rather than only opened by
    /// link (default false).
    allow_discovery: Option<bool>,
    /// E-mail the user or group about the share (Google's default: true).
    send_notification_email: Option<bool>,
    /// A plain-text message included in the notification e-mail.
    email_message: Option<String>,
}

/// The body of `permissions.create` (Drive's `Permission` resource).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewPermission<'a> {
    #[serde(rename = "type")]
    grantee: Grantee,
    role: &'a Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_file_discovery: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShareQuery<'a> {
    send_notification_email: Option<bool>,
    email_message: Option<&'a str>,
    supports_all_drives: bool,
}

fn share_file(input: ShareFile, _: &Context) -> Result<Passthrough, Error> {
    let needs_email = matches!(input.grantee, Grantee::User | Grantee::Group);
    if needs_email && input.email_address.is_none() {
        return Err(Error::invalid_input(
            "`email_address` is required to share with a user or group",
        ));
    }
    if input.grantee == Grantee::Domain && input.domain.is_none() {
        return Err(Error::invalid_input(
            "`domain` is required to share with a domain",
        ));
    }
    let discoverable = matches!(input.grantee, Grantee::Domain | Grantee::Anyone);
    let permission = NewPermission {
        grantee: input.grantee,
        role: &input.role,
        email_address: input.email_address.as_deref().filter(|_| needs_email),
        domain: input
            .domain
            .as_deref()
            .filter(|_| input.grantee == Grantee::Domain),
        allow_file_discovery: input.allow_discovery.filter(|_| discoverable),
    };
    let query = ShareQuery {
        send_notification_email: input.send_notification_email.filter(|_| needs_email),
        email_message: input.email_message.as_deref(),
        supports_all_drives: true,
    };
    api()
        .post(&path!("/files/{}/permissions", input.file_id))
        .query(&query)
        .json(&permission)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct DeleteFile {
    /// The file's (or folder's) id. A folder's contents go with it.
    file_id: String,
    /// Delete forever, skipping the trash: the file cannot be restored (default false: move it
    /// to the trash, where it can be restored for 30 days).
    #[serde(default)]
    permanently: bool,
}

/// What happened to the file.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Deletion {
    /// Moved to the trash; restorable for 30 days.
    Trashed,
    /// Deleted forever.
    DeletedForever,
}

/// What `GOOGLE_DRIVE_DELETE_FILE` returns.
#[derive(Serialize, JsonSchema)]
struct Deleted {
    /// The file's id.
    file_id: String,
    /// `trashed` or `deleted_forever`.
    outcome: Deletion,
}

fn delete_file(input: DeleteFile, _: &Context) -> Result<Deleted, Error> {
    let file_path = path!("/files/{}", input.file_id);
    let outcome = if input.permanently {
        api()
            .delete(&file_path)
            .query(&[("supportsAllDrives", "true")])
            .send()?;
        Deletion::DeletedForever
    } else {
        api()
            .patch(&file_path)
            .query(&[("supportsAllDrives", "true"), ("fields", "id,trashed")])
            .json(&json!({"trashed": true}))
            .send()?;
        Deletion::Trashed
    };
    Ok(Deleted {
        file_id: input.file_id,
        outcome,
    })
}

/// The account is shown by the user's e-mail address, from `about.get` (any Drive scope).
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let about: Value = api()
        .get("/about")
        .query(&[("fields", "user(displayName,emailAddress)")])
        .send()?
        .json()?;
    Ok(
        match about.pointer("/user/emailAddress").and_then(Value::as_str) {
            Some(email) => ConnectedAccount::labelled(email),
            None => ConnectedAccount::default(),
        },
    )
}

const DRIVE: &str = "https://www.googleapis.com/auth/drive";
const DRIVE_FILE: &str = "https://www.googleapis.com/auth/drive.file";
const DRIVE_READONLY: &str = "https://www.googleapis.com/auth/drive.readonly";
const DRIVE_METADATA: &str = "https://www.googleapis.com/auth/drive.metadata";
const DRIVE_METADATA_READONLY: &str = "https://www.googleapis.com/auth/drive.metadata.readonly";

/// Scopes that let a caller read metadata (Discovery: `files.list`, `files.get`).
const READ_METADATA: &[&str] = &[
    DRIVE_METADATA_READONLY,
    DRIVE_READONLY,
    DRIVE_METADATA,
    DRIVE_FILE,
    DRIVE,
];
/// Scopes that let a caller read content (`files.get?alt=media`, `files.export`).
const READ_CONTENT: &[&str] = &[DRIVE_READONLY, DRIVE_FILE, DRIVE];
/// Scopes that let a caller change metadata (`files.update` without media).
const WRITE_METADATA: &[&str] = &[DRIVE_FILE, DRIVE_METADATA, DRIVE];
/// Scopes that let a caller create, share and delete (`files.create`, `permissions.create`,
/// `files.delete`); `drive.file` only covers files the app created or the user opened with it.
const WRITE: &[&str] = &[DRIVE_FILE, DRIVE];

pub fn provider() -> Provider {
    Provider::new("google_drive", "Google Drive")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Files and folders in Google Drive: search, download, upload, move, share and delete.")
        .categories(&["productivity", "storage"])
        .auth(Auth::bearer_oauth2(
            // `drive` by default: `drive.file` sees only files this app created, which
            // would make search and download useless. Operators may configure narrower.
            google::oauth(&[DRIVE]),
        ))
        .origin(ORIGIN)
        .after_connect(after_connect)
        .action(Action::new(
            "GOOGLE_DRIVE_SEARCH_FILES",
            "Search or list files and folders in Google Drive (My Drive, shared with me and shared drives) with Drive's query syntax and optional folder and MIME type filters. Use to find a file's id before reading, downloading, moving or sharing it. Returns `files` (id, name, mimeType, parents, modifiedTime, size in bytes, webViewLink, owners) and `nextPageToken` while more pages remain; trashed files are left out unless asked for.",
            search_files,
        ).read_only().any_scope(READ_METADATA))
        .action(Action::new(
            "GOOGLE_DRIVE_GET_FILE",
            "Get one file's or folder's metadata by id: name, MIME type, parent folders, size in bytes, created and modified times (RFC 3339), owners, link, sharing state and what the user may do with it. Does not return content: use GOOGLE_DRIVE_DOWNLOAD_FILE for that.",
            get_file,
        ).read_only().any_scope(READ_METADATA))
        .action(Action::new(
            "GOOGLE_DRIVE_DOWNLOAD_FILE",
            "Download a file's content as base64 (at most 3,000,000 bytes). Google Docs, Sheets, Slides and Drawings are exported to `export_mime_type` (default plain text, CSV, plain text, PNG); other files come as stored. Returns the content with its size in bytes and MIME type. To read a Google Doc as Markdown with its structure, GOOGLE_DOCS_GET_DOCUMENT is better.",
            download_file,
        ).read_only().any_scope(READ_CONTENT))
        .action(Action::new(
            "GOOGLE_DRIVE_UPLOAD_FILE",
            "Upload a new file (base64 content or plain text, at most 5 MiB) into Google Drive, optionally into a folder and optionally converted to a Google Doc, Sheet or Slides. Always creates a new file, even when one of the same name exists. Returns the created file's metadata with its id and webViewLink.",
            upload_file,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DRIVE_CREATE_FOLDER",
            "Create a folder in Google Drive, optionally inside another folder. Returns the folder with its id, to upload or move files into.",
            create_folder,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DRIVE_MOVE_FILE",
            "Move a file or folder into another folder: it is removed from its current folders. Returns the file's updated metadata.",
            move_file,
        ).idempotent().any_scope(WRITE_METADATA))
        .action(Action::new(
            "GOOGLE_DRIVE_SHARE_FILE",
            "Share a file or folder: give a user or group (by e-mail), a whole domain, or anyone with the link a role (reader, commenter, writer; organizer roles on shared drives). Google e-mails users and groups unless `send_notification_email` is false. Returns the created permission with its id.",
            share_file,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DRIVE_DELETE_FILE",
            "Delete a file or folder. By default it is moved to the trash, where the user can restore it for 30 days; with `permanently: true` it is deleted forever and cannot be restored (destructive: only when the user asked for it). Returns the file id and what happened.",
            delete_file,
        ).destructive().idempotent().any_scope(WRITE))
}

actionhost_sdk::export_provider!(provider);
