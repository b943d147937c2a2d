//! OneDrive provider: list, search, read, download, upload, organise, share and delete the
//! signed-in user's files through Microsoft Graph v1.0 (`/me/drive/...`,
//! <https://learn.microsoft.com/graph/api/resources/onedrive>).
//!
//! Items are addressed by id (`/me/drive/items/{id}`) or by path from the drive's root
//! (`/me/drive/root:/{path}:`, every segment percent-encoded); [`Location`] builds both. Graph's
//! error envelope and `@odata.nextLink` paging come from the SDK's [`microsoft`] module.
//!
//! Two kinds of request leave Graph's origin and go without the user's token, to hosts declared
//! with [`Provider::origin_without_credentials`]:
//! - downloads: `GET /me/drive/items/{id}/content` answers 302 with a pre-authenticated URL on
//!   another host (SharePoint for work accounts, `*.files.1drv.com` or
//!   `my.microsoftpersonalcontent.com` for personal ones), which the host does not follow across
//!   origins, so [`download_file`] follows it itself with a plain request;
//! - upload sessions: files over [`SIMPLE_UPLOAD_MAX`] go through `createUploadSession`, whose
//!   `uploadUrl` (SharePoint, `*.up.1drv.com` or `api.onedrive.com`) takes the bytes in
//!   `Content-Range` chunks.

use actionhost_sdk::files::{Base64File, FileContent};
use actionhost_sdk::http::segment;
use actionhost_sdk::microsoft;
use actionhost_sdk::paginate::{Limits, Paged};
use actionhost_sdk::prelude::*;

/// Largest file `ONEDRIVE_DOWNLOAD_FILE` returns: its base64 (4/3 of the size) must fit the
/// host's 4 MiB output limit.
const MAX_DOWNLOAD_BYTES: usize = 3_000_000;
/// Largest file `ONEDRIVE_UPLOAD_FILE` sends: the host's cap on one request body (16 MiB), so
/// that the whole file also fits one action call.
const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Largest file sent in one `PUT .../content` (Graph's simple upload takes up to 4 MB); larger
/// files go through an upload session.
const SIMPLE_UPLOAD_MAX: usize = 4 * 1024 * 1024;
/// Bytes per upload-session request: Graph wants multiples of 320 KiB; 16 × 320 KiB = 5 MiB
/// keeps each request well under the host's body cap and its per-request timeout.
const CHUNK_BYTES: usize = 16 * 320 * 1024;

/// The item properties list and search actions ask for: what a model needs to pick an item and
/// act on it, without the pre-authenticated `@microsoft.graph.downloadUrl`.
const LIST_FIELDS: &str = "id,name,size,file,folder,package,remoteItem,parentReference,\
    createdDateTime,lastModifiedDateTime,lastModifiedBy,webUrl";
/// The item properties `ONEDRIVE_GET_FILE` asks for: the list fields and every facet.
const ITEM_FIELDS: &str = "id,name,description,size,file,folder,package,remoteItem,\
    parentReference,createdDateTime,lastModifiedDateTime,createdBy,lastModifiedBy,webUrl,\
    fileSystemInfo,shared,specialFolder,root,image,photo,video,audio,location,deleted,eTag,cTag";

/// Scopes that read the user's files (any of them; `.All` also reaches files shared with them).
const READ: &[&str] = &[
    "Files.Read",
    "Files.ReadWrite",
    "Files.Read.All",
    "Files.ReadWrite.All",
];
/// Scopes that change the user's files.
const WRITE: &[&str] = &["Files.ReadWrite", "Files.ReadWrite.All"];

/// Where an item is in the user's drive.
#[derive(Debug, Clone, PartialEq)]
enum Location {
    /// The drive's root folder.
    Root,
    /// By id (`01BYE5RZ...` on work accounts, `D4648F06C91D9D3D!54927` on personal ones).
    Id(String),
    /// By path from the root: its segments, each percent-encoded.
    Path(Vec<String>),
}

impl Location {
    /// The item an input names by `id` or `path` (not both); `None` for both means the root
    /// when `root_by_default`, else an error naming the two fields.
    fn of(
        id: Option<&str>,
        path: Option<&str>,
        (id_field, path_field): (&str, &str),
        root_by_default: bool,
    ) -> Result<Location, Error> {
        match (id.map(str::trim), path) {
            (Some(_), Some(_)) => Err(Error::invalid_input(format!(
                "give `{id_field}` or `{path_field}`, not both"
            ))),
            (Some(""), None) => Err(Error::invalid_input(format!(
                "`{id_field}` must not be blank"
            ))),
            (Some(id), None) => Ok(Location::Id(id.to_string())),
            (None, Some(path)) => Location::path(path, path_field),
            (None, None) if root_by_default => Ok(Location::Root),
            (None, None) => Err(Error::invalid_input(format!(
                "give the item as `{id_field}` or `{path_field}`"
            ))),
        }
    }

    /// A path from the root, `/`-separated; empty segments (a leading, trailing or doubled `/`)
    /// are dropped, so `/` and `` are the root.
    fn path(path: &str, field: &str) -> Result<Location, Error> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(Error::invalid_input(format!(
                "`{field}` must be a path from the drive's root without `.` or `..` segments"
            )));
        }
        Ok(if segments.is_empty() {
            Location::Root
        } else {
            Location::Path(segments.into_iter().map(segment).collect())
        })
    }

    /// The item's Graph path, e.g. `/me/drive/items/{id}` or `/me/drive/root:/a/b.txt:`.
    fn url(&self) -> String {
        match self {
            Location::Root => "/me/drive/root".into(),
            Location::Id(id) => path!("/me/drive/items/{}", id),
            Location::Path(segments) => format!("/me/drive/root:/{}:", segments.join("/")),
        }
    }

    /// An address below the item, e.g. `/me/drive/items/{id}/children`; a path-addressed item
    /// takes it after its closing colon (`/me/drive/root:/a:/children`).
    fn below(&self, rest: &str) -> String {
        format!("{}/{rest}", self.url())
    }

    /// The child called `name` of this folder, addressed by path: `/me/drive/root:/{name}:`,
    /// `/me/drive/items/{id}:/{name}:` or `/me/drive/root:/a/b/{name}:`.
    fn child(&self, name: &str) -> String {
        let name = segment(name);
        match self {
            Location::Root => format!("/me/drive/root:/{name}:"),
            Location::Id(id) => format!("{}:/{name}:", path!("/me/drive/items/{}", id)),
            Location::Path(segments) => {
                format!("/me/drive/root:/{}/{name}:", segments.join("/"))
            }
        }
    }
}

/// A file or folder name: one path segment.
fn check_name(name: &str, field: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(Error::invalid_input(format!(
            "`{field}` is a name, not a path: it must not contain `/` or `\\`"
        )));
    }
    Ok(())
}

/// The query of a list or search page: how many items, and which properties.
#[derive(Serialize)]
struct PageQuery<'a> {
    #[serde(rename = "$top", skip_serializing_if = "Option::is_none")]
    top: Option<u32>,
    #[serde(rename = "$select")]
    select: &'a str,
}

/// One page of a list through the SDK's Graph pager: `first`, or the caller's cursor (an
/// `@odata.nextLink` a previous page returned).
fn one_page(cursor: Option<String>, first: Request) -> Result<Paged<Value>, Error> {
    microsoft::list(cursor, Limits::pages(1), first)
}

#[derive(Deserialize, JsonSchema)]
struct ListFiles {
    /// Id of the folder to list. Give this or `folder_path`; neither lists the top of the
    /// user's OneDrive.
    folder_id: Option<String>,
    /// Path of the folder to list, from the top of the user's OneDrive, e.g. `Documents/Reports`
    /// (`/` alone is the top).
    folder_path: Option<String>,
    /// Items per page, 1 to 999 (Graph's default is 200; it may return fewer).
    #[schemars(range(min = 1, max = 999))]
    page_size: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the next one; the other inputs are then
    /// ignored.
    cursor: Option<String>,
}

fn list_files(input: ListFiles, _: &Context) -> Result<Paged<Value>, Error> {
    let folder = Location::of(
        input.folder_id.as_deref(),
        input.folder_path.as_deref(),
        ("folder_id", "folder_path"),
        true,
    )?;
    let url = folder.below("children");
    let query = PageQuery {
        top: input.page_size,
        select: LIST_FIELDS,
    };
    one_page(input.cursor, microsoft::graph().get(&url).query(&query))
}

#[derive(Deserialize, JsonSchema)]
struct SearchFiles {
    /// Text to look for: matched against file and folder names, metadata and file content,
    /// e.g. `quarterly report`.
    #[schemars(length(min = 1))]
    query: String,
    /// Search only inside this folder (its id) and its subfolders. Give this, `folder_path` or
    /// neither (the whole drive).
    folder_id: Option<String>,
    /// Search only inside this folder (its path from the top of the drive, e.g. `Documents`)
    /// and its subfolders.
    folder_path: Option<String>,
    /// Items per page, 1 to 999 (Graph may return fewer).
    #[schemars(range(min = 1, max = 999))]
    page_size: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the next one; the other inputs are then
    /// ignored.
    cursor: Option<String>,
}

fn search_files(input: SearchFiles, _: &Context) -> Result<Paged<Value>, Error> {
    if input.cursor.is_none() && input.query.trim().is_empty() {
        return Err(Error::invalid_input("`query` must not be blank"));
    }
    let folder = Location::of(
        input.folder_id.as_deref(),
        input.folder_path.as_deref(),
        ("folder_id", "folder_path"),
        true,
    )?;
    // An OData string literal: a quote is doubled; then the whole text is one encoded segment.
    let literal = segment(&input.query.replace('\'', "''"));
    let url = folder.below(&format!("search(q='{literal}')"));
    let query = PageQuery {
        top: input.page_size,
        select: LIST_FIELDS,
    };
    one_page(input.cursor, microsoft::graph().get(&url).query(&query))
}

#[derive(Deserialize, JsonSchema)]
struct GetFile {
    /// The item's id, e.g. from `ONEDRIVE_LIST_FILES` or `ONEDRIVE_SEARCH_FILES`. Give this or
    /// `path`.
    item_id: Option<String>,
    /// The item's path from the top of the user's OneDrive, e.g. `Documents/Budget 2024.xlsx`.
    path: Option<String>,
}

fn get_file(input: GetFile, _: &Context) -> Result<Passthrough, Error> {
    let item = Location::of(
        input.item_id.as_deref(),
        input.path.as_deref(),
        ("item_id", "path"),
        false,
    )?;
    microsoft::graph()
        .get(&item.url())
        .query(&[("$select", ITEM_FIELDS)])
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct DownloadFile {
    /// The file's id. Give this or `path`.
    item_id: Option<String>,
    /// The file's path from the top of the user's OneDrive, e.g. `Documents/notes.txt`.
    path: Option<String>,
}

/// What `ONEDRIVE_DOWNLOAD_FILE` returns.
#[derive(Serialize, JsonSchema)]
struct DownloadedFile {
    /// The file's id.
    item_id: String,
    /// The file's name in OneDrive.
    name: String,
    /// The file's MIME type as OneDrive records it, e.g. `application/pdf`.
    mime_type: Option<String>,
    #[serde(flatten)]
    content: FileContent,
}

/// The metadata a download needs before fetching content.
#[derive(Deserialize)]
struct FileKind {
    id: String,
    name: String,
    /// Bytes.
    size: Option<u64>,
    file: Option<FileFacet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileFacet {
    mime_type: Option<String>,
}

fn download_file(input: DownloadFile, _: &Context) -> Result<DownloadedFile, Error> {
    let item = Location::of(
        input.item_id.as_deref(),
        input.path.as_deref(),
        ("item_id", "path"),
        false,
    )?;
    let kind: FileKind = microsoft::graph()
        .get(&item.url())
        .query(&[("$select", "id,name,size,file")])
        .send()?
        .json()?;
    let Some(file) = kind.file else {
        return Err(Error::invalid_input(format!(
            "`{}` is not a file (a folder, notebook or other package) and has no content to \
             download",
            kind.name
        )));
    };
    if let Some(size) = kind.size
        && size > MAX_DOWNLOAD_BYTES as u64
    {
        return Err(Error::invalid_input(format!(
            "`{}` is {size} bytes; ONEDRIVE_DOWNLOAD_FILE returns files of at most \
             {MAX_DOWNLOAD_BYTES} bytes",
            kind.name
        )));
    }
    let response = microsoft::graph()
        .get(&path!("/me/drive/items/{}/content", kind.id))
        .send()?;
    let response = match response.header("location") {
        // The pre-authenticated URL carries its own authorisation: it is fetched as a plain
        // request, which the host sends without the user's token.
        Some(location) if (300..400).contains(&response.status()) => Request::get(location)
            .errors(microsoft::graph_errors)
            .send()?,
        _ if (300..400).contains(&response.status()) => {
            return Err(response.upstream_error(
                "Graph answered the download with a redirect that has no Location",
            ));
        }
        _ => response,
    };
    let content = FileContent::from_response(&response, MAX_DOWNLOAD_BYTES)?;
    Ok(DownloadedFile {
        item_id: kind.id,
        name: kind.name,
        mime_type: file.mime_type,
        content,
    })
}

/// What to do when an item of the same name is already there.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum FileConflict {
    /// Refuse, leaving the existing item as it is (an `upstream_error` saying the name exists).
    #[default]
    Fail,
    /// Keep both: the new item gets a numbered name, e.g. `report 1.pdf`.
    Rename,
    /// Overwrite the existing file's content (OneDrive keeps the old one as a previous version).
    Replace,
}

impl FileConflict {
    fn as_str(self) -> &'static str {
        match self {
            FileConflict::Fail => "fail",
            FileConflict::Rename => "rename",
            FileConflict::Replace => "replace",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct UploadFile {
    /// The file's name, with its extension, e.g. `report.pdf` (a name, not a path: the folder
    /// is `folder_id` or `folder_path`).
    #[schemars(length(min = 1))]
    name: String,
    /// Id of the folder to upload into. Give this, `folder_path` or neither (the top of the
    /// user's OneDrive).
    folder_id: Option<String>,
    /// Path of the folder to upload into, from the top of the drive, e.g. `Documents/Reports`.
    folder_path: Option<String>,
    /// The content as base64 (at most 16 MiB decoded). Give this or `text`, not both.
    content_base64: Option<Base64File<MAX_UPLOAD_BYTES>>,
    /// The content as plain text (UTF-8), for text files. Give this or `content_base64`.
    text: Option<String>,
    /// MIME type of the content, e.g. `application/pdf`, `text/csv` (default `text/plain` for
    /// `text`, `application/octet-stream` otherwise).
    mime_type: Option<String>,
    /// When a file of that name is already in the folder: `fail` (default), `rename` (keep
    /// both) or `replace` (overwrite its content).
    #[serde(default)]
    conflict_behavior: FileConflict,
}

/// The item an upload session creates: how it resolves a name conflict.
#[derive(Serialize)]
struct SessionItem {
    #[serde(rename = "@microsoft.graph.conflictBehavior")]
    conflict_behavior: &'static str,
}

/// The body of `createUploadSession`.
#[derive(Serialize)]
struct NewSession {
    item: SessionItem,
}

/// What `createUploadSession` and each accepted chunk answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadSession {
    upload_url: Option<String>,
    #[serde(default)]
    next_expected_ranges: Vec<String>,
}

fn upload_file(input: UploadFile, _: &Context) -> Result<Passthrough, Error> {
    check_name(&input.name, "name")?;
    let folder = Location::of(
        input.folder_id.as_deref(),
        input.folder_path.as_deref(),
        ("folder_id", "folder_path"),
        true,
    )?;
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
    let target = folder.child(&input.name);
    let conflict = input.conflict_behavior.as_str();
    if bytes.len() <= SIMPLE_UPLOAD_MAX {
        let media_type = input.mime_type.as_deref().unwrap_or(default_type);
        return microsoft::graph()
            .put(&format!("{target}/content"))
            .query(&[("@microsoft.graph.conflictBehavior", conflict)])
            .body_bytes(media_type, bytes)
            .send()?
            .json();
    }
    let session: UploadSession = microsoft::graph()
        .post(&format!("{target}/createUploadSession"))
        .json(&NewSession {
            item: SessionItem {
                conflict_behavior: conflict,
            },
        })
        .send()?
        .json()?;
    let upload_url = session
        .upload_url
        .ok_or_else(|| Error::internal("Graph's upload session has no `uploadUrl`"))?;
    let result = upload_chunks(&upload_url, &bytes);
    if result.is_err() {
        // Best effort: free the session's temporary storage rather than leave it to expire.
        let _ = Request::delete(&upload_url).send_raw();
    }
    result
}

/// Sends `bytes` to an upload session in [`CHUNK_BYTES`] ranges, each where the session says it
/// expects the next one; the last answer (200 or 201) is the created item.
fn upload_chunks(upload_url: &str, bytes: &[u8]) -> Result<Passthrough, Error> {
    let total = bytes.len();
    let mut start = 0;
    loop {
        let end = (start + CHUNK_BYTES).min(total);
        let response = Request::put(upload_url)
            .header(
                "Content-Range",
                format!("bytes {start}-{}/{total}", end - 1),
            )
            .body_bytes("application/octet-stream", bytes[start..end].to_vec())
            .errors(microsoft::graph_errors)
            .send()?;
        if response.status() != 202 {
            return response.json();
        }
        let progress: UploadSession = response.json()?;
        let next = progress
            .next_expected_ranges
            .first()
            .and_then(|range| range.split('-').next())
            .and_then(|first| first.parse::<usize>().ok())
            .unwrap_or(end);
        if next <= start || next >= total {
            return Err(response.upstream_error(format!(
                "the upload session accepted bytes {start}-{} but then expected byte {next} of \
                 {total}",
                end - 1
            )));
        }
        start = next;
    }
}

/// What to do when a folder of the same name is already there.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum FolderConflict {
    /// Refuse (an `upstream_error` saying the name exists).
    #[default]
    Fail,
    /// Create it with a numbered name, e.g. `Reports 1`.
    Rename,
}

#[derive(Deserialize, JsonSchema)]
struct CreateFolder {
    /// The new folder's name (a name, not a path).
    #[schemars(length(min = 1))]
    name: String,
    /// Id of the folder to create it in. Give this, `parent_folder_path` or neither (the top of
    /// the user's OneDrive).
    parent_folder_id: Option<String>,
    /// Path of the folder to create it in, from the top of the drive, e.g. `Documents`.
    parent_folder_path: Option<String>,
    /// When a folder of that name is already there: `fail` (default) or `rename` (create
    /// `name 1`).
    #[serde(default)]
    conflict_behavior: FolderConflict,
}

/// The body of a folder creation: a driveItem with an empty `folder` facet.
#[derive(Serialize)]
struct NewFolder<'a> {
    name: &'a str,
    folder: Value,
    #[serde(rename = "@microsoft.graph.conflictBehavior")]
    conflict_behavior: &'static str,
}

fn create_folder(input: CreateFolder, _: &Context) -> Result<Passthrough, Error> {
    check_name(&input.name, "name")?;
    let parent = Location::of(
        input.parent_folder_id.as_deref(),
        input.parent_folder_path.as_deref(),
        ("parent_folder_id", "parent_folder_path"),
        true,
    )?;
    let body = NewFolder {
        name: &input.name,
        folder: json!({}),
        conflict_behavior: match input.conflict_behavior {
            FolderConflict::Fail => "fail",
            FolderConflict::Rename => "rename",
        },
    };
    microsoft::graph()
        .post(&parent.below("children"))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct MoveFile {
    /// Id of the file or folder to move. Give this or `path`.
    item_id: Option<String>,
    /// Path of the file or folder to move, from the top of the drive, e.g. `Inbox/scan.pdf`.
    path: Option<String>,
    /// Id of the folder to move it into. Give this or `destination_folder_path`.
    destination_folder_id: Option<String>,
    /// Path of the folder to move it into, from the top of the drive, e.g. `Archive/2024`
    /// (`/` for the top of the drive).
    destination_folder_path: Option<String>,
    /// A new name for the item, with its extension (default: keep its name).
    new_name: Option<String>,
}

/// The body of a move: the new parent, and the new name if any.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Moved<'a> {
    parent_reference: ParentId<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct ParentId<'a> {
    id: &'a str,
}

fn move_file(input: MoveFile, _: &Context) -> Result<Passthrough, Error> {
    let item = Location::of(
        input.item_id.as_deref(),
        input.path.as_deref(),
        ("item_id", "path"),
        false,
    )?;
    if let Some(name) = &input.new_name {
        check_name(name, "new_name")?;
    }
    let destination = Location::of(
        input.destination_folder_id.as_deref(),
        input.destination_folder_path.as_deref(),
        ("destination_folder_id", "destination_folder_path"),
        false,
    )?;
    // `parentReference` takes an id: a folder given by path (or the root) is looked up first.
    let folder_id = match destination {
        Location::Id(id) => id,
        other => {
            #[derive(Deserialize)]
            struct Id {
                id: String,
            }
            let folder: Id = microsoft::graph()
                .get(&other.url())
                .query(&[("$select", "id")])
                .send()?
                .json()?;
            folder.id
        }
    };
    microsoft::graph()
        .patch(&item.url())
        .json(&Moved {
            parent_reference: ParentId { id: &folder_id },
            name: input.new_name.as_deref(),
        })
        .send()?
        .json()
}

/// What a sharing link lets its users do.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum LinkType {
    /// Read-only.
    #[default]
    View,
    /// Read and write.
    Edit,
    /// An embeddable link for a web page (personal accounts only).
    Embed,
}

/// Who a sharing link works for.
#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum LinkScope {
    /// Anyone with the link, without signing in (may be disabled by the organisation).
    Anonymous,
    /// Anyone signed in to the user's organisation (work or school accounts).
    Organization,
    /// Only the people in `recipients` (work or school accounts).
    Users,
}

#[derive(Deserialize, JsonSchema)]
struct CreateShareLink {
    /// Id of the file or folder to share. Give this or `path`.
    item_id: Option<String>,
    /// Path of the file or folder to share, from the top of the drive.
    path: Option<String>,
    /// `view` (default, read-only), `edit` or `embed` (personal accounts only).
    #[serde(default, rename = "type")]
    link_type: LinkType,
    /// Who the link works for: `anonymous`, `organization` or `users` (the `recipients`).
    /// Default: the organisation's default link scope (`anonymous` on personal accounts).
    scope: Option<LinkScope>,
    /// With scope `users`: the e-mail addresses of the people the link works for.
    #[serde(default)]
    #[schemars(inner(email))]
    recipients: Vec<String>,
    /// When the link stops working, as RFC 3339 UTC, e.g. `2025-01-31T00:00:00Z` (default:
    /// never, unless the organisation sets a limit).
    #[schemars(extend("format" = "date-time"))]
    expiration_date_time: Option<String>,
    /// A password the link asks for (personal accounts only).
    password: Option<String>,
}

/// The body of `createLink`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewLink<'a> {
    #[serde(rename = "type")]
    link_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    recipients: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
}

fn create_share_link(input: CreateShareLink, _: &Context) -> Result<Passthrough, Error> {
    let item = Location::of(
        input.item_id.as_deref(),
        input.path.as_deref(),
        ("item_id", "path"),
        false,
    )?;
    match (input.scope, input.recipients.is_empty()) {
        (Some(LinkScope::Users), true) => {
            return Err(Error::invalid_input(
                "scope `users` needs `recipients`: the e-mail addresses the link is for",
            ));
        }
        (Some(LinkScope::Users), false) => {}
        (_, false) => {
            return Err(Error::invalid_input(
                "`recipients` are only used with scope `users`",
            ));
        }
        (_, true) => {}
    }
    let body = NewLink {
        link_type: match input.link_type {
            LinkType::View => "view",
            LinkType::Edit => "edit",
            LinkType::Embed => "embed",
        },
        scope: input.scope.map(|scope| match scope {
            LinkScope::Anonymous => "anonymous",
            LinkScope::Organization => "organization",
            LinkScope::Users => "users",
        }),
        recipients: input
            .recipients
            .iter()
            .map(|email| json!({ "email": email }))
            .collect(),
        expiration_date_time: input.expiration_date_time.as_deref(),
        password: input.password.as_deref(),
    };
    microsoft::graph()
        .post(&item.below("createLink"))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct DeleteFile {
    /// Id of the file or folder to delete. Give this or `path`.
    item_id: Option<String>,
    /// Path of the file or folder to delete, from the top of the drive.
    path: Option<String>,
    /// Delete forever, skipping the recycle bin: the item cannot be restored (work or school
    /// accounts only; default false: move it to the recycle bin, where the user can restore
    /// it).
    #[serde(default)]
    permanently: bool,
}

/// What happened to the item.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Deletion {
    /// Moved to the recycle bin; restorable from there.
    RecycleBin,
    /// Deleted forever.
    DeletedForever,
}

/// What `ONEDRIVE_DELETE_FILE` returns.
#[derive(Serialize, JsonSchema)]
struct Deleted {
    /// The item as it was given: its id, or its path.
    item: String,
    /// `recycle_bin` or `deleted_forever`.
    outcome: Deletion,
}

fn delete_file(input: DeleteFile, _: &Context) -> Result<Deleted, Error> {
    let item = Location::of(
        input.item_id.as_deref(),
        input.path.as_deref(),
        ("item_id", "path"),
        false,
    )?;
    if item == Location::Root {
        return Err(Error::invalid_input(
            "`path` names the top of the drive, which cannot be deleted",
        ));
    }
    let outcome = if input.permanently {
        microsoft::graph()
            .post(&item.below("permanentDelete"))
            .send()?;
        Deletion::DeletedForever
    } else {
        microsoft::graph().delete(&item.url()).send()?;
        Deletion::RecycleBin
    };
    Ok(Deleted {
        item: input.item_id.or(input.path).unwrap_or_default(),
        outcome,
    })
}

pub fn provider() -> Provider {
    microsoft::provider("onedrive", "OneDrive", &["Files.ReadWrite"])
        .version(env!("CARGO_PKG_VERSION"))
        .description("Files and folders in the user's OneDrive (personal, work or school): list, search, download, upload, move, share and delete.")
        .categories(&["productivity", "storage"])
        // Pre-authenticated download URLs and upload-session URLs: never sent the user's token.
        .origin_without_credentials("https://*.sharepoint.com")
        .origin_without_credentials("https://*.files.1drv.com")
        .origin_without_credentials("https://my.microsoftpersonalcontent.com")
        .origin_without_credentials("https://*.up.1drv.com")
        .origin_without_credentials("https://api.onedrive.com")
        .action(Action::new(
            "ONEDRIVE_LIST_FILES",
            "List the files and folders directly inside one OneDrive folder (by id or path; default the top of the drive), one page at a time. Use to browse; use ONEDRIVE_SEARCH_FILES to find items by name or content anywhere. Returns `items` (Graph driveItems: id, name, size in bytes, `file` with mimeType or `folder` with childCount, parentReference, created/lastModified date-times, webUrl) and `next_cursor` while more pages remain.",
            list_files,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "ONEDRIVE_SEARCH_FILES",
            "Search the user's OneDrive (or one folder and its subfolders) for files and folders whose name, metadata or content matches a text. Use to find an item's id before reading, downloading, moving or sharing it. Returns `items` (Graph driveItems: id, name, size in bytes, `file` or `folder`, parentReference, date-times, webUrl) and `next_cursor` while more pages remain.",
            search_files,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "ONEDRIVE_GET_FILE",
            "Get one file's or folder's metadata by id or path: name, size in bytes, MIME type and hashes (`file`) or child count (`folder`), parent folder, created and modified date-times (RFC 3339) and by whom, webUrl, sharing state and media facets. Does not return content: use ONEDRIVE_DOWNLOAD_FILE for that.",
            get_file,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "ONEDRIVE_DOWNLOAD_FILE",
            "Download a file's content as base64 (files of at most 3,000,000 bytes; larger ones are refused before downloading). Returns the item id, name, MIME type, the content and its size in bytes. Folders have no content.",
            download_file,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "ONEDRIVE_UPLOAD_FILE",
            "Upload a file (base64 content or plain text, at most 16 MiB) into a OneDrive folder by id or path (default the top of the drive). Up to 4 MiB goes in one request, larger files through an upload session in 5 MiB chunks. If a file of that name exists the upload fails unless `conflict_behavior` is `rename` (keep both) or `replace` (overwrite its content: destructive). Returns the created or updated driveItem with its id and webUrl.",
            upload_file,
        ).destructive().any_scope(WRITE))
        .action(Action::new(
            "ONEDRIVE_CREATE_FOLDER",
            "Create a folder in OneDrive, inside a parent folder by id or path (default the top of the drive). Fails if the name exists unless `conflict_behavior` is `rename`. Returns the folder's driveItem with its id, to upload or move files into.",
            create_folder,
        ).any_scope(WRITE))
        .action(Action::new(
            "ONEDRIVE_MOVE_FILE",
            "Move a file or folder (by id or path) into another folder (by id or path; `/` for the top of the drive), optionally renaming it with `new_name`. Returns the item's updated driveItem.",
            move_file,
        ).idempotent().any_scope(WRITE))
        .action(Action::new(
            "ONEDRIVE_CREATE_SHARE_LINK",
            "Create a sharing link to a file or folder: `view` (read-only, default) or `edit`, for anyone with the link, the user's organisation or named people, optionally expiring. Returns the permission with `link.webUrl`, the URL to hand out; if the same kind of link already exists it is returned instead of a new one.",
            create_share_link,
        ).idempotent().any_scope(WRITE))
        .action(Action::new(
            "ONEDRIVE_DELETE_FILE",
            "Delete a file or folder (by id or path); a folder's contents go with it. By default it moves to the recycle bin, where the user can restore it; with `permanently: true` (work or school accounts) it is deleted forever (destructive: only when the user asked for it). Returns the item and what happened.",
            delete_file,
        ).destructive().idempotent().any_scope(WRITE))
}

actionhost_sdk::export_provider!(provider);
