//! Figma provider: files (the document tree to a chosen depth, single nodes), rendered images,
//! comments, version history, and a team's projects and their files, through Figma's REST API
//! (<https://developers.figma.com/docs/rest-api/>, OpenAPI: npm `@figma/rest-api-spec`).
//!
//! A Figma file's JSON is its whole node tree and can run to many megabytes, so
//! `FIGMA_GET_FILE` always sends a `depth` (2 unless asked: pages and their top-level frames) and
//! never asks for vector geometry; `FIGMA_GET_FILE_NODES` fetches the subtrees a model picked.
//! Answers are Figma's JSON as it came, except the lists that get a `next_cursor`.
//!
//! Errors come as `{"status": 403, "err": "Invalid token"}` (or, on a few endpoints,
//! `{"error": true, "status": 404, "message": "..."}`); Figma refuses a bad or expired token
//! with 403 rather than 401, so [`errors`] maps that to not connected, 404 to not found, 429 to
//! rate limited with Figma's `Retry-After` (seconds), the rest to an upstream error with
//! Figma's message.
//!
//! Users connect with OAuth 2 (Figma's granular scopes; the client authenticates at the token
//! endpoint with HTTP Basic) or, instead, a personal access token sent as `X-Figma-Token`.
//! Figma's access tokens last 90 days and are renewed at a separate endpoint,
//! `https://api.figma.com/v1/oauth/refresh` (its OpenAPI description's `refreshUrl`), which
//! contract 0.3 cannot declare: the host refreshes at the token URL, so until the contract has
//! a refresh URL an expired Figma account must be connected again.

use actionhost_sdk::http::query_param;
use actionhost_sdk::prelude::*;

/// Figma's REST API; the host adds `Authorization: Bearer <token>` or `X-Figma-Token`.
const BASE: &str = "https://api.figma.com/v1";

fn api() -> Api {
    Api::new(BASE)
        .header("Accept", "application/json")
        .errors(errors)
}

/// Figma's error envelopes: `err` (most endpoints) or `message` (with `"error": true`).
fn errors(response: &Response) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    #[derive(Deserialize)]
    struct Envelope {
        err: Option<String>,
        message: Option<String>,
    }
    let message = response
        .json::<Envelope>()
        .ok()
        .and_then(|e| e.err.or(e.message))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    Some(match status {
        401 => Error::unauthorized(message),
        // Figma answers an invalid, expired or revoked token with 403 "Invalid token" (or
        // "Token expired"); any other 403 is a file the user may not see.
        403 if message.to_ascii_lowercase().contains("token") => Error::unauthorized(message),
        404 => Error::not_found(message),
        429 => Error::rate_limited(message, response.seconds("retry-after")),
        _ => response.upstream_error(message),
    })
}

/// Node ids as Figma's `ids` query parameter: comma-separated, none blank.
fn node_ids(ids: &[String]) -> Result<String, Error> {
    if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
        return Err(Error::invalid_input(
            "`ids` must list at least one node id (such as `1:2`), none blank",
        ));
    }
    Ok(ids.join(","))
}

/// A file key, checked before it becomes a path segment.
fn file_key(key: &str) -> Result<&str, Error> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid_input(
            "`file_key` must not be blank: it is the part after /file/ or /design/ in the file's URL",
        ));
    }
    Ok(key)
}

// ----- Files -----

/// Depth of `FIGMA_GET_FILE` when none is given: pages and their top-level frames.
const FILE_DEPTH: u32 = 2;
/// Depth of `FIGMA_GET_FILE_NODES` below each node when none is given.
const NODES_DEPTH: u32 = 3;

#[derive(Deserialize, JsonSchema)]
struct GetFile {
    /// The file's key: the part after `/file/` or `/design/` in its URL
    /// (`https://www.figma.com/design/{file_key}/{title}`), or a branch key.
    file_key: String,
    /// How deep into the document tree to go: 1 returns only the pages, 2 (the default) pages
    /// and the top-level frames on each, 3 and more their children. Deeper trees grow fast; use
    /// FIGMA_GET_FILE_NODES for the inside of chosen frames.
    #[schemars(range(min = 1, max = 20), extend("default" = 2))]
    depth: Option<u32>,
    /// Only these nodes (ids such as `1:2`), their ancestors and their subtrees (to `depth`
    /// counted from the document root); Figma always includes the pages.
    ids: Option<Vec<String>>,
    /// A version id from FIGMA_GET_FILE_VERSIONS, for the file as it was then (default: the
    /// current version).
    version: Option<String>,
}

fn get_file(input: GetFile, _: &Context) -> Result<Passthrough, Error> {
    let key = file_key(&input.file_key)?;
    let ids = input.ids.as_deref().map(node_ids).transpose()?;
    let query = [
        ("depth", Some(input.depth.unwrap_or(FILE_DEPTH).to_string())),
        ("ids", ids),
        ("version", input.version),
    ];
    api()
        .get(&path!("/files/{}", key))
        .query(&query)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct GetFileNodes {
    /// The file's key (the part after `/file/` or `/design/` in its URL).
    file_key: String,
    /// The node ids to fetch, such as `1:2` (in a URL's `node-id=1-2`, the dash stands for the
    /// colon).
    #[schemars(length(min = 1))]
    ids: Vec<String>,
    /// How deep below each node to go: 1 returns its direct children only; default 3.
    #[schemars(range(min = 1, max = 20), extend("default" = 3))]
    depth: Option<u32>,
    /// A version id from FIGMA_GET_FILE_VERSIONS (default: the current version).
    version: Option<String>,
}

fn get_file_nodes(input: GetFileNodes, _: &Context) -> Result<Passthrough, Error> {
    let key = file_key(&input.file_key)?;
    let query = [
        ("ids", Some(node_ids(&input.ids)?)),
        (
            "depth",
            Some(input.depth.unwrap_or(NODES_DEPTH).to_string()),
        ),
        ("version", input.version),
    ];
    api()
        .get(&path!("/files/{}/nodes", key))
        .query(&query)
        .send()?
        .json()
}

/// The image formats Figma renders.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ImageFormat {
    Png,
    Jpg,
    Svg,
    Pdf,
}

impl ImageFormat {
    fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpg => "jpg",
            ImageFormat::Svg => "svg",
            ImageFormat::Pdf => "pdf",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct RenderImages {
    /// The file's key (the part after `/file/` or `/design/` in its URL).
    file_key: String,
    /// The node ids to render, such as `1:2` (frames, components, any node).
    #[schemars(length(min = 1))]
    ids: Vec<String>,
    /// Image format (default `png`).
    #[schemars(extend("default" = "png"))]
    format: Option<ImageFormat>,
    /// Scale factor from 0.01 to 4 (default 1); ignored for `svg` and `pdf`.
    #[schemars(range(min = 0.01, max = 4.0), extend("default" = 1))]
    scale: Option<f64>,
    /// A version id from FIGMA_GET_FILE_VERSIONS (default: the current version).
    version: Option<String>,
}

fn render_images(input: RenderImages, _: &Context) -> Result<Passthrough, Error> {
    let key = file_key(&input.file_key)?;
    if let Some(scale) = input.scale
        && !(0.01..=4.0).contains(&scale)
    {
        return Err(Error::invalid_input(format!(
            "`scale` must be from 0.01 to 4, not {scale}"
        )));
    }
    let query = [
        ("ids", Some(node_ids(&input.ids)?)),
        ("format", input.format.map(|f| f.name().to_string())),
        ("scale", input.scale.map(|s| s.to_string())),
        ("version", input.version),
    ];
    api()
        .get(&path!("/images/{}", key))
        .query(&query)
        .send()?
        .json()
}

// ----- Comments -----

/// Comments per page when the caller gives no `limit`.
const COMMENTS_LIMIT: usize = 50;

#[derive(Deserialize, JsonSchema)]
struct ListComments {
    /// The file's key (the part after `/file/` or `/design/` in its URL).
    file_key: String,
    /// Comment text as Markdown where it has formatting (default false: plain text).
    #[serde(default)]
    as_md: bool,
    /// Comments per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100), extend("default" = 50))]
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One page of a file's comments.
#[derive(Serialize, JsonSchema)]
struct Comments {
    /// The comments of this page as Figma returns them (id, `message`, `user`, `created_at`,
    /// `resolved_at`, `parent_id` for replies, `client_meta` for the position, `order_id`).
    comments: Vec<Passthrough>,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

fn list_comments(input: ListComments, _: &Context) -> Result<Comments, Error> {
    let key = file_key(&input.file_key)?;
    let start = match input.cursor.as_deref() {
        None => 0,
        Some(cursor) => cursor.parse::<usize>().map_err(|_| {
            Error::invalid_input(format!(
                "`cursor` {cursor:?} is not a `next_cursor` of FIGMA_LIST_COMMENTS"
            ))
        })?,
    };
    let limit = input.limit.unwrap_or(COMMENTS_LIMIT).clamp(1, 100);
    let query = [("as_md", input.as_md.then_some("true"))];
    #[derive(Deserialize)]
    struct All {
        comments: Vec<Passthrough>,
    }
    // Figma answers every comment of the file at once; pages are cut here so that a file
    // with thousands of comments does not become one huge answer.
    let all: All = api()
        .get(&path!("/files/{}/comments", key))
        .query(&query)
        .send()?
        .json()?;
    let end = start.saturating_add(limit).min(all.comments.len());
    let next_cursor = (end < all.comments.len()).then(|| end.to_string());
    let comments = all
        .comments
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    Ok(Comments {
        comments,
        next_cursor,
    })
}

#[derive(Deserialize, JsonSchema)]
struct AddComment {
    /// The file's key (the part after `/file/` or `/design/` in its URL).
    file_key: String,
    /// The comment's text.
    message: String,
    /// Reply to this comment (the id of a top-level comment; replies to replies are refused).
    comment_id: Option<String>,
    /// Pin the comment to this node (such as `1:2`), at `x`, `y` from its top-left corner
    /// (default 0, 0). Without it and without `x`, `y`, the comment is not pinned.
    node_id: Option<String>,
    /// Horizontal position in pixels: from the node's left edge with `node_id`, else on the
    /// canvas.
    x: Option<f64>,
    /// Vertical position in pixels: from the node's top edge with `node_id`, else on the
    /// canvas.
    y: Option<f64>,
}

fn add_comment(input: AddComment, _: &Context) -> Result<Passthrough, Error> {
    let key = file_key(&input.file_key)?;
    if input.message.trim().is_empty() {
        return Err(Error::invalid_input("`message` must not be blank"));
    }
    let client_meta = match (&input.node_id, input.x, input.y) {
        (Some(node), x, y) => Some(json!({
            "node_id": node,
            "node_offset": {"x": x.unwrap_or(0.0), "y": y.unwrap_or(0.0)},
        })),
        (None, Some(x), Some(y)) => Some(json!({"x": x, "y": y})),
        (None, None, None) => None,
        (None, _, _) => {
            return Err(Error::invalid_input(
                "give both `x` and `y` to place a comment on the canvas (or `node_id` to pin it to a node)",
            ));
        }
    };
    if input.comment_id.is_some() && client_meta.is_some() {
        return Err(Error::invalid_input(
            "a reply (`comment_id`) sits in its thread: give no `node_id`, `x` or `y` with it",
        ));
    }
    let mut body = json!({ "message": input.message });
    if let Some(id) = &input.comment_id {
        body["comment_id"] = json!(id);
    }
    if let Some(meta) = client_meta {
        body["client_meta"] = meta;
    }
    api()
        .post(&path!("/files/{}/comments", key))
        .json(&body)
        .send()?
        .json()
}

// ----- Versions -----

#[derive(Deserialize, JsonSchema)]
struct GetFileVersions {
    /// The file's key (the part after `/file/` or `/design/` in its URL).
    file_key: String,
    /// Versions per page, 1 to 50 (default 30).
    #[schemars(range(min = 1, max = 50), extend("default" = 30))]
    page_size: Option<u32>,
    /// `next_cursor` of the previous page (older versions).
    cursor: Option<String>,
}

/// One page of a file's version history, newest first.
#[derive(Serialize, JsonSchema)]
struct Versions {
    /// The versions as Figma returns them: `id` (pass as `version` to FIGMA_GET_FILE),
    /// `created_at`, `label`, `description`, `user`.
    versions: Passthrough,
    /// Pass back as `cursor` for older versions; `null` on the last page (the `before` of
    /// Figma's `pagination.next_page`).
    next_cursor: Option<String>,
}

fn get_file_versions(input: GetFileVersions, _: &Context) -> Result<Versions, Error> {
    let key = file_key(&input.file_key)?;
    if let Some(cursor) = &input.cursor
        && (cursor.is_empty() || !cursor.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::invalid_input(format!(
            "`cursor` {cursor:?} is not a `next_cursor` of FIGMA_GET_FILE_VERSIONS"
        )));
    }
    let query = [
        ("page_size", input.page_size.map(|n| n.to_string())),
        ("before", input.cursor),
    ];
    #[derive(Deserialize)]
    struct Page {
        versions: Passthrough,
        #[serde(default)]
        pagination: Pagination,
    }
    #[derive(Deserialize, Default)]
    struct Pagination {
        next_page: Option<String>,
    }
    let page: Page = api()
        .get(&path!("/files/{}/versions", key))
        .query(&query)
        .send()?
        .json()?;
    let next_cursor = page
        .pagination
        .next_page
        .as_deref()
        .and_then(|url| query_param(url, "before"));
    Ok(Versions {
        versions: page.versions,
        next_cursor,
    })
}

// ----- Projects -----

#[derive(Deserialize, JsonSchema)]
struct ListTeamProjects {
    /// The team's id: the number after `/team/` in the URL of the team's page in Figma
    /// (`https://www.figma.com/files/team/1234567890/...`); it cannot be looked up from a
    /// token.
    team_id: String,
}

fn list_team_projects(input: ListTeamProjects, _: &Context) -> Result<Passthrough, Error> {
    let team = input.team_id.trim();
    if team.is_empty() {
        return Err(Error::invalid_input("`team_id` must not be blank"));
    }
    api().get(&path!("/teams/{}/projects", team)).send()?.json()
}

#[derive(Deserialize, JsonSchema)]
struct ListProjectFiles {
    /// The project's id, from FIGMA_LIST_TEAM_PROJECTS.
    project_id: String,
    /// Also list each file's branches (default false).
    #[serde(default)]
    branch_data: bool,
}

fn list_project_files(input: ListProjectFiles, _: &Context) -> Result<Passthrough, Error> {
    let project = input.project_id.trim();
    if project.is_empty() {
        return Err(Error::invalid_input("`project_id` must not be blank"));
    }
    let query = [("branch_data", input.branch_data.then_some("true"))];
    api()
        .get(&path!("/projects/{}/files", project))
        .query(&query)
        .send()?
        .json()
}

// ----- The account -----

/// Checks the new credential with `GET /me` (a refused one is not stored) and labels the
/// account `handle (e-mail)`.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Me {
        handle: Option<String>,
        email: Option<String>,
    }
    let me: Me = api().get("/me").send()?.json()?;
    Ok(match (me.handle, me.email) {
        (Some(handle), Some(email)) => ConnectedAccount::labelled(format!("{handle} ({email})")),
        (None, Some(email)) => ConnectedAccount::labelled(email),
        (Some(handle), None) => ConnectedAccount::labelled(handle),
        (None, None) => ConnectedAccount::default(),
    })
}

/// Figma's granular OAuth scopes for every action and the account's label (`files:read`, the
/// deprecated scope that covered all reads, is still accepted where Figma accepts it).
const SCOPES: &[&str] = &[
    "current_user:read",
    "file_content:read",
    "file_comments:read",
    "file_comments:write",
    "file_versions:read",
    "projects:read",
];

pub fn provider() -> Provider {
    Provider::new("figma", "Figma")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Figma design files: document trees, nodes, rendered images, comments, version history, team projects.")
        .categories(&["design"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://www.figma.com/oauth", "https://api.figma.com/v1/oauth/token")
                .scopes(SCOPES)
                .client_auth_basic(),
        ))
        // A personal access token (Figma: Settings → Security → Personal access tokens) is
        // sent as `X-Figma-Token`; it carries the scopes chosen when it was made.
        .alternative_auth(Auth::ApiKey(ApiKey::header("X-Figma-Token")))
        .origin("https://api.figma.com")
        .after_connect(after_connect)
        .action(Action::new(
            "FIGMA_GET_FILE",
            "Get a Figma file's document tree to a limited depth (default 2: pages and their top-level frames, with ids, names, types and sizes), plus its name, last modification, version, and the components and styles it uses. Use first to find node ids; then FIGMA_GET_FILE_NODES for the inside of chosen frames, FIGMA_RENDER_IMAGES to see them. Vector geometry is never included.",
            get_file,
        ).read_only().any_scope(&["file_content:read", "files:read"]))
        .action(Action::new(
            "FIGMA_GET_FILE_NODES",
            "Get chosen nodes of a Figma file (frames, components, text layers, by id) with their subtrees to a limited depth (default 3): properties such as text, fills, layout and bounding boxes. Returns `nodes` keyed by id (`null` for an id not in the file) and the file's name and version.",
            get_file_nodes,
        ).read_only().any_scope(&["file_content:read", "files:read"]))
        .action(Action::new(
            "FIGMA_RENDER_IMAGES",
            "Render nodes of a Figma file as images (PNG, JPG, SVG or PDF, at a scale) and get a download URL for each. Returns `images` mapping each node id to its URL (valid 30 days), or `null` where that node could not be rendered.",
            render_images,
        ).read_only().any_scope(&["file_content:read", "files:read"]))
        .action(Action::new(
            "FIGMA_LIST_COMMENTS",
            "List the comments on a Figma file, with author, text, time, resolution, position and replies (`parent_id`). Returns `comments` and `next_cursor` (pass it as `cursor` for more).",
            list_comments,
        ).read_only().any_scope(&["file_comments:read", "files:read"]))
        .action(Action::new(
            "FIGMA_ADD_COMMENT",
            "Post a comment on a Figma file: unpinned, pinned to a node or a point on the canvas, or as a reply to a top-level comment. Returns the created comment with its id.",
            add_comment,
        ).scopes(&["file_comments:write"]))
        .action(Action::new(
            "FIGMA_LIST_TEAM_PROJECTS",
            "List the projects of a Figma team that the user can see, with their ids and names. The team id is in the URL of the team's page in Figma. Returns the team's `name` and all its `projects` at once.",
            list_team_projects,
        ).read_only().any_scope(&["projects:read", "files:read"]))
        .action(Action::new(
            "FIGMA_LIST_PROJECT_FILES",
            "List the files of a Figma project, with each file's key (for the file actions), name, thumbnail URL and last modification. Returns the project's `name` and all its `files` at once.",
            list_project_files,
        ).read_only().any_scope(&["projects:read", "files:read"]))
        .action(Action::new(
            "FIGMA_GET_FILE_VERSIONS",
            "List a Figma file's version history, newest first: each version's id, time, label, description and author. Pass a version id as `version` to the file actions to see the file as it was. Returns `versions` and `next_cursor` for older ones.",
            get_file_versions,
        ).read_only().any_scope(&["file_versions:read", "files:read"]))
}

actionhost_sdk::export_provider!(provider);
