//! Notion provider: search, read pages as Markdown, create and edit pages from Markdown, and
//! query and fill databases, through Notion's REST API (<https://developers.notion.com/reference>)
//! at the `Notion-Version` that npm `@notionhq/client` 5.26.0 sends, 2025-09-03.
//!
//! Since that version a database holds one or more *data sources* (tables); rows are pages whose
//! parent is a data source, and queries go to `/data_sources/{id}/query`. The database actions
//! keep the names and take either a data source id (what NOTION_SEARCH returns) or a
//! database id (from a database's URL; its first data source is used).
//!
//! Users sign in with OAuth 2 (a public integration) or give an internal integration's secret.
//!
//! Page content goes both ways as Markdown ([`markdown`]); database values are written as plain
//! JSON and turned into Notion's property values by the data source's own property types
//! ([`properties`], which also builds NOTION_CREATE_DATABASE_ITEM's per-user schema). Notion's
//! error envelope (`{"object": "error", "code", "message"}`) is mapped by [`notion_errors`].

mod markdown;
mod properties;

use actionhost_sdk::prelude::*;
use serde_json::Map;

/// The API version `@notionhq/client` 5.26.0 sends by default (`Client.defaultNotionVersion`).
pub const NOTION_VERSION: &str = "2025-09-03";

fn api() -> Api {
    Api::new("https://api.notion.com/v1")
        .header("Notion-Version", NOTION_VERSION)
        .errors(notion_errors)
}

/// Notion's error envelope: `code` says what went wrong, `message` says it for people.
fn notion_errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct Envelope {
        object: String,
        code: String,
        message: String,
    }
    if response.status() < 400 {
        return None;
    }
    let envelope: Envelope = response.json().ok()?;
    if envelope.object != "error" {
        return None;
    }
    let message = envelope.message;
    Some(match envelope.code.as_str() {
        "unauthorized" => Error::unauthorized(message),
        "object_not_found" => Error::not_found(format!(
            "{message} (a page or database must be shared with the integration to be found)"
        )),
        "rate_limited" => Error::rate_limited(message, response.seconds("retry-after")),
        _ => response.upstream_error(message),
    })
}

/// A Notion id from what a user may paste: an id with or without dashes, or a page's URL
/// (`https://www.notion.so/Title-1f2e...`), as the dashed form Notion's answers use.
fn notion_id(what: &str, text: &str) -> Result<String, Error> {
    let text = text.trim();
    let path = text.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let hex: String = last.chars().filter(|c| *c != '-').collect();
    let tail = hex.len().saturating_sub(32);
    let id = hex.get(tail..).unwrap_or_default();
    if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::invalid_input(format!(
            "`{what}` is not a Notion id or page URL: {text:?}"
        )));
    }
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    ))
}

fn page_size_default() -> u32 {
    20
}

/// What NOTION_SEARCH looks for.
// No doc comments on the variants: they would make the schema a list of alternatives, which
// OpenAI's strict tool schemas refuse; the field's description says what each means.
#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum SearchFilter {
    Page,
    Database,
}

#[derive(Deserialize, JsonSchema)]
struct Search {
    /// Words to find in page and database titles (not in page content). Leave out to list
    /// everything shared with the integration.
    query: Option<String>,
    /// `page` for pages only (database rows included), `database` for databases only
    /// (answered as their data sources, `object: "data_source"`); both by default.
    filter: Option<SearchFilter>,
    /// Results per page, 1 to 100 (default 20).
    #[serde(default = "page_size_default")]
    #[schemars(range(min = 1, max = 100))]
    page_size: u32,
    /// `next_cursor` of the previous answer, to get the next page.
    start_cursor: Option<String>,
}

fn search(input: Search, _: &Context) -> Result<Passthrough, Error> {
    let mut body = json!({ "page_size": input.page_size });
    if let Some(query) = input.query.filter(|q| !q.trim().is_empty()) {
        body["query"] = json!(query);
    }
    if let Some(filter) = input.filter {
        let value = match filter {
            SearchFilter::Page => "page",
            SearchFilter::Database => "data_source",
        };
        body["filter"] = json!({ "property": "object", "value": value });
    }
    if let Some(cursor) = input.start_cursor {
        body["start_cursor"] = json!(cursor);
    }
    api().post("/search").json(&body).send()?.json()
}

#[derive(Deserialize, JsonSchema)]
struct GetPage {
    /// The page's id, or its URL.
    page_id: String,
}

fn get_page(input: GetPage, _: &Context) -> Result<Passthrough, Error> {
    let id = notion_id("page_id", &input.page_id)?;
    api().get(&path!("/pages/{}", id)).send()?.json()
}

fn content_page_size() -> u32 {
    100
}

#[derive(Deserialize, JsonSchema)]
struct GetPageContent {
    /// The page's id or URL; or the id of a block, to read its nested blocks.
    page_id: String,
    /// Top-level blocks per call, 1 to 100 (default 100).
    #[serde(default = "content_page_size")]
    #[schemars(range(min = 1, max = 100))]
    page_size: u32,
    /// `next_cursor` of the previous answer, to read on.
    start_cursor: Option<String>,
}

/// What NOTION_GET_PAGE_CONTENT returns.
#[derive(Serialize, JsonSchema)]
struct PageContent {
    /// The page (or block) read.
    page_id: String,
    /// Its blocks as Markdown: headings, paragraphs, lists (nested ones indented), to-dos
    /// (`- [ ]`), quotes, code, dividers, tables, links; child pages and databases as links with
    /// their ids. Nested blocks not loaded in this call are marked with a comment naming their
    /// block id.
    markdown: String,
    /// Cursor of the next blocks when the page has more; pass it as `start_cursor`. `null` at
    /// the end of the page.
    next_cursor: Option<String>,
}

/// A list of blocks as Notion answers it.
#[derive(Deserialize)]
struct BlockList {
    results: Vec<Value>,
    next_cursor: Option<String>,
    #[serde(default)]
    has_more: bool,
}

fn block_children(id: &str, cursor: Option<&str>, page_size: u32) -> Result<BlockList, Error> {
    let mut query = vec![("page_size", page_size.to_string())];
    if let Some(cursor) = cursor {
        query.push(("start_cursor", cursor.to_string()));
    }
    api()
        .get(&path!("/blocks/{}/children", id))
        .query(&query)
        .send()?
        .json()
}

/// Requests one NOTION_GET_PAGE_CONTENT call may spend on nested blocks (the host allows 200).
const CHILD_REQUESTS: usize = 60;

/// Children fetched for rendering, by block id.
#[derive(Default)]
struct Fetched(std::collections::HashMap<String, Vec<Value>>);

impl markdown::Children for Fetched {
    fn of(&self, id: &str) -> Option<&[Value]> {
        self.0.get(id).map(Vec::as_slice)
    }
}

/// Fetches the nested blocks of `blocks` (depth first, every page of each) while the budget
/// lasts; child pages and databases are left as links.
fn fetch_children(
    blocks: &[Value],
    fetched: &mut Fetched,
    budget: &mut usize,
) -> Result<(), Error> {
    for block in blocks {
        let kind = block["type"].as_str().unwrap_or_default();
        if block["has_children"] != true || matches!(kind, "child_page" | "child_database") {
            continue;
        }
        let Some(id) = block["id"].as_str() else {
            continue;
        };
        let mut children = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            if *budget == 0 {
                return Ok(());
            }
            *budget -= 1;
            let page = block_children(id, cursor.as_deref(), 100)?;
            children.extend(page.results);
            cursor = page.next_cursor.filter(|_| page.has_more);
            if cursor.is_none() {
                break;
            }
        }
        fetch_children(&children, fetched, budget)?;
        fetched.0.insert(id.to_string(), children);
    }
    Ok(())
}

fn get_page_content(input: GetPageContent, _: &Context) -> Result<PageContent, Error> {
    let id = notion_id("page_id", &input.page_id)?;
    let page = block_children(&id, input.start_cursor.as_deref(), input.page_size)?;
    let mut fetched = Fetched::default();
    let mut budget = CHILD_REQUESTS;
    fetch_children(&page.results, &mut fetched, &mut budget)?;
    Ok(PageContent {
        markdown: markdown::render(&page.results, &fetched),
        next_cursor: page.next_cursor.filter(|_| page.has_more),
        page_id: id,
    })
}

/// Appends `blocks` under `parent` in requests of at most 100 blocks, the first after the block
/// `after` when given, each next one after the last block the previous one added. Returns the
/// ids of the top-level blocks added.
fn append_blocks(
    parent: &str,
    blocks: Vec<Value>,
    after: Option<String>,
) -> Result<Vec<String>, Error> {
    let mut ids = Vec::new();
    let mut after = after;
    for batch in markdown::batches(blocks) {
        let mut body = json!({ "children": batch });
        if let Some(after) = &after {
            body["after"] = json!(after);
        }
        let added: BlockList = api()
            .patch(&path!("/blocks/{}/children", parent))
            .json(&body)
            .send()?
            .json()?;
        let batch_ids: Vec<String> = added
            .results
            .iter()
            .filter_map(|b| b["id"].as_str().map(str::to_string))
            .collect();
        if after.is_some() {
            after = batch_ids.last().cloned().or(after);
        }
        ids.extend(batch_ids);
    }
    Ok(ids)
}

/// Creates a page with `parent`, `properties`, an optional emoji icon and Markdown content: the
/// first 100 blocks in the create request, the rest appended after them.
fn create_with_content(
    parent: Value,
    properties: Map<String, Value>,
    markdown: Option<&str>,
    icon: Option<String>,
) -> Result<Value, Error> {
    let mut batches = markdown::batches(markdown.map(markdown::to_blocks).unwrap_or_default());
    let rest: Vec<Value> = batches.drain(1.min(batches.len())..).flatten().collect();
    let mut body = json!({ "parent": parent, "properties": properties });
    if let Some(first) = batches.pop() {
        body["children"] = json!(first);
    }
    if let Some(icon) = icon {
        body["icon"] = json!({ "type": "emoji", "emoji": icon });
    }
    let page: Value = api().post("/pages").json(&body).send()?.json()?;
    if !rest.is_empty() {
        let id = page["id"]
            .as_str()
            .ok_or_else(|| Error::internal("Notion's new page has no id"))?;
        append_blocks(id, rest, None)?;
    }
    Ok(page)
}

/// The data source to work on: the one given, or the first of the database given.
fn data_source(data_source_id: Option<&str>, database_id: Option<&str>) -> Result<String, Error> {
    match (data_source_id, database_id) {
        (Some(id), None) => notion_id("data_source_id", id),
        (None, Some(database)) => {
            let database = notion_id("database_id", database)?;
            let found: Value = api()
                .get(&path!("/databases/{}", database))
                .send()?
                .json()?;
            found["data_sources"][0]["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| {
                    Error::invalid_input(format!("database {database} has no data source"))
                })
        }
        _ => Err(Error::invalid_input(
            "give exactly one of `data_source_id` and `database_id`",
        )),
    }
}

#[derive(Deserialize, JsonSchema)]
struct CreatePage {
    /// Create the page inside this page (id or URL). Give exactly one of `parent_page_id`,
    /// `data_source_id` and `database_id`.
    parent_page_id: Option<String>,
    /// Create the page as a row of this data source (from NOTION_SEARCH with filter
    /// `database`), with only its title set; NOTION_CREATE_DATABASE_ITEM sets other properties.
    data_source_id: Option<String>,
    /// Create the page as a row of this database (id or URL); its first data source is used.
    database_id: Option<String>,
    /// The page's title.
    title: String,
    /// The page's content as Markdown: headings, paragraphs, bulleted, numbered and task lists
    /// (`- [ ]`), code blocks, quotes, dividers (`---`), **bold**, _italic_, ~~strike~~, `code`
    /// and [links](https://example.com). Leave out for an empty page.
    markdown: Option<String>,
    /// An emoji for the page's icon, e.g. `📝`.
    icon: Option<String>,
}

fn title_properties(title: &str) -> Map<String, Value> {
    // The title property's id is `title` in every page and data source.
    let mut properties = Map::new();
    properties.insert(
        "title".into(),
        json!({ "title": markdown::plain_rich_text(title) }),
    );
    properties
}

fn create_page(input: CreatePage, _: &Context) -> Result<Value, Error> {
    let parent = match (
        &input.parent_page_id,
        &input.data_source_id,
        &input.database_id,
    ) {
        (Some(page), None, None) => {
            json!({ "type": "page_id", "page_id": notion_id("parent_page_id", page)? })
        }
        (None, source, database) if source.is_some() != database.is_some() => {
            let id = data_source(source.as_deref(), database.as_deref())?;
            json!({ "type": "data_source_id", "data_source_id": id })
        }
        _ => {
            return Err(Error::invalid_input(
                "give exactly one of `parent_page_id`, `data_source_id` and `database_id`",
            ));
        }
    };
    create_with_content(
        parent,
        title_properties(&input.title),
        input.markdown.as_deref(),
        input.icon,
    )
}

#[derive(Deserialize, JsonSchema)]
struct UpdatePage {
    /// The page's id or URL.
    page_id: String,
    /// A new title.
    title: Option<String>,
    /// Property values to set, by the property's name as Notion shows it, in plain JSON: text
    /// as a string, a number, true/false for a checkbox, a select or status option's name, a
    /// list of names for a multi-select, a date `2026-05-01` (or `START/END`), a list of user
    /// ids for people, a list of page ids for a relation, `null` to clear.
    #[serde(default)]
    properties: Map<String, Value>,
    /// true moves the page to the trash (Notion's archive; restorable for 30 days), false
    /// restores it.
    archived: Option<bool>,
    /// An emoji for the page's icon.
    icon: Option<String>,
}

fn update_page(input: UpdatePage, _: &Context) -> Result<Value, Error> {
    let id = notion_id("page_id", &input.page_id)?;
    if input.title.is_none()
        && input.properties.is_empty()
        && input.archived.is_none()
        && input.icon.is_none()
    {
        return Err(Error::invalid_input(
            "nothing to change: give `title`, `properties`, `archived` or `icon`",
        ));
    }
    let mut properties = Map::new();
    if !input.properties.is_empty() {
        // A page's own values carry each property's type.
        let page: Value = api().get(&path!("/pages/{}", id)).send()?.json()?;
        let types = page["properties"].as_object().cloned().unwrap_or_default();
        properties = properties::to_notion(&input.properties, &types)?;
    }
    if let Some(title) = &input.title {
        properties.extend(title_properties(title));
    }
    let mut body = json!({});
    if !properties.is_empty() {
        body["properties"] = Value::Object(properties);
    }
    if let Some(archived) = input.archived {
        body["in_trash"] = json!(archived);
    }
    if let Some(icon) = input.icon {
        body["icon"] = json!({ "type": "emoji", "emoji": icon });
    }
    api()
        .patch(&path!("/pages/{}", id))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct AppendContent {
    /// The page's id or URL, or a block's id to add nested blocks under it.
    page_id: String,
    /// The content to add, as Markdown (the forms NOTION_CREATE_PAGE takes).
    #[schemars(length(min = 1))]
    markdown: String,
    /// Insert after this block (an id from NOTION_GET_PAGE_CONTENT's nested-block comments or
    /// Notion's block links) instead of at the end.
    after: Option<String>,
}

/// What NOTION_APPEND_CONTENT returns.
#[derive(Serialize, JsonSchema)]
struct Appended {
    /// The page or block added to.
    page_id: String,
    /// Ids of the top-level blocks added, in order.
    block_ids: Vec<String>,
}

fn append_content(input: AppendContent, _: &Context) -> Result<Appended, Error> {
    let id = notion_id("page_id", &input.page_id)?;
    let after = input
        .after
        .as_deref()
        .map(|a| notion_id("after", a))
        .transpose()?;
    let blocks = markdown::to_blocks(&input.markdown);
    if blocks.is_empty() {
        return Err(Error::invalid_input("`markdown` has no content"));
    }
    let block_ids = append_blocks(&id, blocks, after)?;
    Ok(Appended {
        page_id: id,
        block_ids,
    })
}

/// Sort direction.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Direction {
    Ascending,
    Descending,
}

/// A timestamp every row has.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Timestamp {
    CreatedTime,
    LastEditedTime,
}

/// One sort: by a property or by a timestamp.
#[derive(Deserialize, Serialize, JsonSchema)]
struct Sort {
    /// The property's name, e.g. `Due`. Give this or `timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<String>,
    /// `created_time` or `last_edited_time`. Give this or `property`.
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<Timestamp>,
    direction: Direction,
}

#[derive(Deserialize, JsonSchema)]
struct QueryDatabase {
    /// The data source to query (from NOTION_SEARCH with filter `database`). Give this or
    /// `database_id`.
    data_source_id: Option<String>,
    /// The database to query (id or URL); its first data source is used.
    database_id: Option<String>,
    /// A filter object as Notion's query takes it, e.g.
    /// `{"property": "Status", "status": {"equals": "Done"}}`, or
    /// `{"and": [{"property": "Due", "date": {"on_or_before": "2026-05-01"}}, {"property": "Done", "checkbox": {"equals": false}}]}`.
    /// Leave out for every row.
    filter: Option<Map<String, Value>>,
    /// Sorts, first one first; Notion's default is by creation time, newest first.
    #[serde(default)]
    sorts: Vec<Sort>,
    /// Rows per page, 1 to 100 (default 20).
    #[serde(default = "page_size_default")]
    #[schemars(range(min = 1, max = 100))]
    page_size: u32,
    /// `next_cursor` of the previous answer, to get the next page.
    start_cursor: Option<String>,
}

fn query_database(input: QueryDatabase, _: &Context) -> Result<Passthrough, Error> {
    let source = data_source(
        input.data_source_id.as_deref(),
        input.database_id.as_deref(),
    )?;
    for sort in &input.sorts {
        if sort.property.is_some() == sort.timestamp.is_some() {
            return Err(Error::invalid_input(
                "each sort takes exactly one of `property` and `timestamp`",
            ));
        }
    }
    let mut body = json!({ "page_size": input.page_size });
    if let Some(filter) = input.filter {
        body["filter"] = Value::Object(filter);
    }
    if !input.sorts.is_empty() {
        body["sorts"] = json!(input.sorts);
    }
    if let Some(cursor) = input.start_cursor {
        body["start_cursor"] = json!(cursor);
    }
    api()
        .post(&path!("/data_sources/{}/query", source))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct CreateDatabaseItem {
    /// The data source (table) to add the row to. Give this or `database_id`.
    data_source_id: Option<String>,
    /// The database (id or URL) to add the row to; its first data source is used.
    database_id: Option<String>,
    /// The row's property values by the property's name as Notion shows it, in plain JSON: text
    /// as a string, a number, true/false for a checkbox, a select or status option's name, a
    /// list of names for a multi-select, a date `2026-05-01` (or `START/END`), a list of user
    /// ids for people, a list of page ids for a relation. Computed properties (formulas,
    /// rollups, created time) cannot be set.
    #[serde(default)]
    properties: Map<String, Value>,
    /// The row's page content as Markdown (the forms NOTION_CREATE_PAGE takes).
    markdown: Option<String>,
    /// An emoji for the row's icon.
    icon: Option<String>,
}

fn create_database_item(input: CreateDatabaseItem, _: &Context) -> Result<Value, Error> {
    let source = data_source(
        input.data_source_id.as_deref(),
        input.database_id.as_deref(),
    )?;
    let found: Value = api()
        .get(&path!("/data_sources/{}", source))
        .send()?
        .json()?;
    let config = found["properties"].as_object().cloned().unwrap_or_default();
    let properties = properties::to_notion(&input.properties, &config)?;
    let parent = json!({ "type": "data_source_id", "data_source_id": source });
    create_with_content(parent, properties, input.markdown.as_deref(), input.icon)
}

/// NOTION_CREATE_DATABASE_ITEM's schema for this user: the data sources shared with the
/// integration and their properties.
fn describe_database_item(schema: Value, _: &Context) -> Result<Value, Error> {
    let body = json!({
        "filter": { "property": "object", "value": "data_source" },
        "page_size": properties::DESCRIBED_DATA_SOURCES,
    });
    let found: BlockList = api().post("/search").json(&body).send()?.json()?;
    // People properties name the workspace's users when the integration may read them.
    let users = api()
        .get("/users")
        .query(&[("page_size", "100")])
        .send()
        .and_then(|r| r.json::<BlockList>())
        .map(|list| list.results)
        .unwrap_or_default();
    Ok(properties::describe(schema, &found.results, &users))
}

fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let me: Value = api().get("/users/me").send()?.json()?;
    let workspace = me["bot"]["workspace_name"].as_str();
    let label = workspace
        .or_else(|| me["name"].as_str())
        .unwrap_or("Notion");
    let mut account = ConnectedAccount::labelled(label);
    if let Some(workspace) = workspace {
        account = account.field("workspace_name", workspace);
    }
    if let Some(id) = me["bot"]["workspace_id"].as_str() {
        account = account.field("workspace_id", id);
    }
    Ok(account)
}

pub fn provider() -> Provider {
    Provider::new("notion", "Notion")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Notion pages and databases: search, read and write pages as Markdown, query and add database rows.")
        .categories(&["productivity", "documents"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new(
                "https://api.notion.com/v1/oauth/authorize",
                "https://api.notion.com/v1/oauth/token",
            )
            // Notion documents neither PKCE nor scopes: what the integration may do is set
            // in its capabilities, and the user picks the pages it may reach.
            .without_pkce()
            .param("owner", "user")
            // `oauthRevoke` in @notionhq/client's table: `token`, client authenticated by
            // HTTP Basic like the token endpoint.
            .revoke_url("https://api.notion.com/v1/oauth/revoke")
            .client_auth_basic(),
        ))
        // An internal integration's secret (`ntn_...`), sent the same way; every action works
        // the same with either, so no action looks at `ctx.credential`.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bearer ")))
        .field(Field::after_connect("workspace_name", "The Notion workspace's name."))
        .field(Field::after_connect("workspace_id", "The Notion workspace's id."))
        .origin("https://api.notion.com")
        .after_connect(after_connect)
        .action(Action::new(
            "NOTION_SEARCH",
            "Find Notion pages and databases shared with the integration by words in their title (not their content). Returns Notion's list: `results` (pages with `id`, `url`, `properties`; databases as data sources, `object: \"data_source\"`, whose `id` NOTION_QUERY_DATABASE and NOTION_CREATE_DATABASE_ITEM take) and `next_cursor` for the next page. Use first to find the id of a page or database you know by name.",
            search,
        ).read_only())
        .action(Action::new(
            "NOTION_GET_PAGE",
            "Get a Notion page's properties (title, database columns such as status, dates, people), parent, icon, URL and timestamps, as Notion's page object. Does not include the page's text: use NOTION_GET_PAGE_CONTENT for that.",
            get_page,
        ).read_only())
        .action(Action::new(
            "NOTION_GET_PAGE_CONTENT",
            "Read the text of a Notion page as Markdown (headings, lists, to-dos, code, quotes, tables; nested blocks included). Long pages come in parts: pass `next_cursor` back as `start_cursor` to read on. Use to read, summarize or quote a page; use NOTION_GET_PAGE for its properties.",
            get_page_content,
        ).read_only())
        .action(Action::new(
            "NOTION_CREATE_PAGE",
            "Create a Notion page inside another page, or as a row of a database with only a title, with content written as Markdown. Returns the new page (its `id` and `url`). To set a database row's other columns use NOTION_CREATE_DATABASE_ITEM.",
            create_page,
        ))
        .action(Action::new(
            "NOTION_UPDATE_PAGE",
            "Change a Notion page's title, property values (database columns, by their names, in plain JSON) or icon, or move it to the trash (`archived: true`) or back. Overwrites the properties given; leaves content and other properties alone. Returns the updated page. To add text use NOTION_APPEND_CONTENT.",
            update_page,
        ).idempotent())
        .action(Action::new(
            "NOTION_APPEND_CONTENT",
            "Add Markdown content at the end of a Notion page (or after a given block, or under a block). Returns the ids of the blocks added. Existing content is kept.",
            append_content,
        ))
        .action(Action::new(
            "NOTION_QUERY_DATABASE",
            "List rows of a Notion database, optionally filtered and sorted with Notion's filter and sort objects. Returns Notion's list of pages (each row's `properties`) and `next_cursor` for the next page. Find the database with NOTION_SEARCH (filter `database`).",
            query_database,
        ).read_only())
        .action(
            Action::new(
                "NOTION_CREATE_DATABASE_ITEM",
                "Add a row to a Notion database with its property values (columns) by their Notion names in plain JSON, and optional page content as Markdown. The schema lists the databases (data sources) shared with the integration and their properties with their types and options. Returns the new page.",
                create_database_item,
            )
            .dynamic(describe_database_item),
        )
}

actionhost_sdk::export_provider!(provider);
