//! monday.com provider: boards, groups, items, their column values and updates (comments)
//! through monday's GraphQL API (<https://developer.monday.com/api-reference>), API version
//! 2026-10. Every request is a POST to `https://api.monday.com/v2`; monday answers most errors
//! with HTTP 200 and `errors[]`, which [`monday_errors`] maps to the contract's errors.
//!
//! Item column values depend on each board's columns: [`columns`] describes them per user (the
//! boards they used last) and converts plain values to monday's `column_values` JSON.
//!
//! An account connects with OAuth 2.1 (sent as `Bearer`) or a personal API token (sent bare);
//! the API is the same for both, so no action looks at which.

mod columns;

use std::collections::BTreeMap;

use actionhost_sdk::prelude::*;
use serde::de::DeserializeOwned;

use columns::{Board, Column, DESCRIBED_BOARDS};

/// The API version every request names (monday serves a dated version per `API-Version`).
const API_VERSION: &str = "2026-10";

fn api() -> Api {
    Api::new("https://api.monday.com")
        .header("API-Version", API_VERSION)
        .errors(monday_errors)
}

/// Runs one GraphQL operation at `/v2`.
fn graphql<V: Serialize, T: DeserializeOwned>(query: &str, variables: &V) -> Result<T, Error> {
    api().graphql("/v2", query, variables)
}

/// Error codes that mean a limit was hit: the complexity budget (old and new names), the
/// per-minute, daily, concurrency and IP limits.
const RATE_LIMITS: &[&str] = &[
    "ComplexityException",
    "COMPLEXITY_BUDGET_EXHAUSTED",
    "RATE_LIMIT_EXCEEDED",
    "DAILY_LIMIT_EXCEEDED",
    "maxConcurrencyExceeded",
    "CONCURRENCY_LIMIT_EXCEEDED",
    "IP_RATE_LIMIT_EXCEEDED",
];
/// The token is refused, or is a legacy OAuth token a newer API version no longer takes.
const REFUSED: &[&str] = &["Unauthorized", "OAUTH21_TOKEN_REQUIRED"];
/// The token works but may not do this (monday's 403 inside HTTP 200): the user lacks the
/// permission on one board or item. Not a refused credential: mapping it to `unauthorized` would
/// mark the whole account revoked because of one locked board.
const FORBIDDEN: &[&str] = &["UserUnauthorizedException"];
const NOT_FOUND: &[&str] = &[
    "ResourceNotFoundException",
    "InvalidBoardIdException",
    "InvalidItemIdException",
];
/// What was sent is wrong: a column value, a column id, an argument, a name too long.
const INVALID: &[&str] = &[
    "ColumnValueException",
    "InvalidColumnIdException",
    "InvalidArgumentException",
    "ItemNameTooLongException",
    "JsonParseException",
];

/// monday's error envelopes, whatever the HTTP status: GraphQL `errors[]` with
/// `extensions.code` (and `retry_in_seconds` for limits), the older top-level `error_code` /
/// `error_message` / `status_code`, and `{"errors": ["Not Authenticated"]}`.
fn monday_errors(response: &Response) -> Option<Error> {
    let body: Value = response.json().ok()?;
    let first = body
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    let extensions = first.and_then(|e| e.get("extensions"));
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let code =
        text(extensions.and_then(|e| e.get("code"))).or_else(|| text(body.get("error_code")));
    if first.is_none() && code.is_none() {
        return None;
    }
    let message = match first {
        Some(Value::String(message)) => Some(message.clone()),
        Some(error) => text(error.get("message")),
        None => None,
    }
    .or_else(|| text(body.get("error_message")))
    .unwrap_or_else(|| "monday.com error".into());
    let status = extensions
        .and_then(|e| e.get("status_code"))
        .or_else(|| body.get("status_code"))
        .and_then(Value::as_u64)
        .unwrap_or(u64::from(response.status()));
    let is = |list: &[&str]| code.as_deref().is_some_and(|c| list.contains(&c));
    Some(if is(RATE_LIMITS) || status == 429 {
        let retry = extensions
            .and_then(|e| e.get("retry_in_seconds"))
            .and_then(Value::as_u64)
            .and_then(|s| u32::try_from(s).ok())
            .or_else(|| response.seconds("retry-after"))
            .or_else(|| reset_in(&message));
        Error::rate_limited(message, retry)
    } else if is(REFUSED) || status == 401 || message == "Not Authenticated" {
        Error::unauthorized(message)
    } else if is(FORBIDDEN) {
        Error::upstream(
            403,
            format!("{message} (the account lacks the permission on this board or item)"),
        )
    } else if is(NOT_FOUND) || status == 404 {
        Error::not_found(message)
    } else if is(INVALID) {
        Error::invalid_input(message)
    } else {
        response.upstream_error(match code {
            Some(code) => format!("{code}: {message}"),
            None => message,
        })
    })
}

/// The seconds in "... reset in 3 seconds" (the complexity error's message).
fn reset_in(message: &str) -> Option<u32> {
    let (_, after) = message.split_once("reset in ")?;
    after.split_whitespace().next()?.parse().ok()
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum BoardKind {
    Public,
    Private,
    Share,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum BoardOrder {
    UsedAt,
    CreatedAt,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum BoardState {
    Active,
    Archived,
    Deleted,
    All,
}

/// Input of `MONDAY_LIST_BOARDS`.
#[derive(Deserialize, JsonSchema)]
struct ListBoards {
    /// Boards per page, 1 to 100 (default 25).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<u32>,
    /// Page number, from 1 (default 1): pass the `next_page` of the previous answer.
    #[schemars(range(min = 1))]
    page: Option<u32>,
    /// Only boards in these workspaces (numeric workspace ids).
    #[schemars(inner(regex(pattern = "^[0-9]+$")))]
    workspace_ids: Option<Vec<String>>,
    /// Only boards of this kind: `public`, `private` or `share` (shareable with guests).
    board_kind: Option<BoardKind>,
    /// Order: `used_at` (the user's most recently used first) or `created_at` (newest first).
    /// monday's default order when left out.
    order_by: Option<BoardOrder>,
    /// Board state (default `active`).
    state: Option<BoardState>,
}

/// A page of boards, and the page to ask for next.
#[derive(Serialize, JsonSchema)]
struct BoardPage {
    /// The boards as monday returns them: `id`, `name`, `description`, `state`, `board_kind`,
    /// `type` (`board`, or `sub_items_board` for the hidden boards that hold subitems),
    /// `items_count`, `updated_at`, `url`, `workspace` (`id`, `name`; null for the main
    /// workspace).
    boards: Vec<Passthrough>,
    /// The `page` to ask for next; `null` when this page was the last.
    next_page: Option<u32>,
}

const LIST_BOARDS: &str = "query ListBoards($limit: Int, $page: Int, $workspaces: [ID], $kind: BoardKind, $order: BoardsOrderBy, $state: State) { boards(limit: $limit, page: $page, workspace_ids: $workspaces, board_kind: $kind, order_by: $order, state: $state) { id name description state board_kind type items_count updated_at url workspace { id name } } }";

fn list_boards(input: ListBoards, _: &Context) -> Result<BoardPage, Error> {
    #[derive(Serialize)]
    struct Vars {
        limit: u32,
        page: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        workspaces: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<BoardKind>,
        #[serde(skip_serializing_if = "Option::is_none")]
        order: Option<BoardOrder>,
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<BoardState>,
    }
    #[derive(Deserialize)]
    struct Data {
        boards: Vec<Passthrough>,
    }
    let (limit, page) = (input.limit.unwrap_or(25), input.page.unwrap_or(1));
    let vars = Vars {
        limit,
        page,
        workspaces: input.workspace_ids,
        kind: input.board_kind,
        order: input.order_by,
        state: input.state,
    };
    let data: Data = graphql(LIST_BOARDS, &vars)?;
    // monday pages by number and says nothing about the end: a full page may have a next one.
    let next_page = (data.boards.len() as u32 >= limit).then_some(page + 1);
    Ok(BoardPage {
        boards: data.boards,
        next_page,
    })
}

/// Input of `MONDAY_GET_BOARD`.
#[derive(Deserialize, JsonSchema)]
struct GetBoard {
    /// The board's numeric id (from `MONDAY_LIST_BOARDS` or the board's URL).
    #[schemars(regex(pattern = "^[0-9]+$"))]
    board_id: String,
}

const GET_BOARD: &str = "query GetBoard($board: [ID!]) { boards(ids: $board) { id name description state board_kind type items_count url workspace { id name } groups { id title color position archived } columns { id title type description settings } } }";

/// The only board in a `boards(ids: [id])` answer; an empty list means no such board (or no
/// access to it).
fn only_board<T>(mut boards: Vec<T>, board_id: &str) -> Result<T, Error> {
    if boards.is_empty() {
        return Err(Error::not_found(format!(
            "no board {board_id}, or the account cannot see it"
        )));
    }
    Ok(boards.swap_remove(0))
}

fn get_board(input: GetBoard, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        boards: Vec<Passthrough>,
    }
    let data: Data = graphql(GET_BOARD, &json!({"board": [input.board_id]}))?;
    only_board(data.boards, &input.board_id)
}

/// How a filter compares a column's value.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum FilterOperator {
    AnyOf,
    NotAnyOf,
    IsEmpty,
    IsNotEmpty,
    GreaterThan,
    GreaterThanOrEquals,
    LowerThan,
    LowerThanOrEqual,
    Between,
    ContainsText,
    NotContainsText,
}

/// A value a filter compares with: text or a whole number.
#[derive(Serialize, Deserialize, JsonSchema, Clone)]
#[serde(untagged)]
enum FilterValue {
    Number(i64),
    Text(String),
}

/// One rule on one column.
#[derive(Serialize, Deserialize, JsonSchema)]
struct ItemFilter {
    /// The column's id (see `MONDAY_GET_BOARD`), or `name` for the item name.
    column_id: String,
    /// How to compare (default `any_of`). `is_empty`/`is_not_empty` take no values; `between`
    /// takes two.
    #[serde(skip_serializing_if = "Option::is_none")]
    operator: Option<FilterOperator>,
    /// What to compare with: status label indexes or texts, dates as YYYY-MM-DD, numbers, user
    /// ids for people columns (`"person-123"` or `"assigned_to_me"`), text to search.
    #[serde(default, rename(serialize = "compare_value"))]
    values: Vec<FilterValue>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum FilterMatch {
    All,
    Any,
}

/// Input of `MONDAY_LIST_ITEMS`.
#[derive(Deserialize, JsonSchema)]
struct ListItems {
    /// The board's numeric id. Needed for the first page; with `cursor` it is not used.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    board_id: String,
    /// Items per page, 1 to 500 (default 25).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page (valid for 60 minutes); the filters are part of it.
    cursor: Option<String>,
    /// Column filters for the first page (none by default: every item).
    #[serde(default)]
    filters: Vec<ItemFilter>,
    /// `all` filters must hold (default) or `any` of them.
    #[serde(rename = "match")]
    filter_match: Option<FilterMatch>,
    /// Only these columns' values in each item (default: every column).
    column_ids: Option<Vec<String>>,
}

/// A page of items, and the cursor of the next.
#[derive(Serialize, JsonSchema)]
struct ItemPage {
    /// The items as monday returns them: `id`, `name`, `state`, `url`, `updated_at`, `group`
    /// (`id`, `title`) and `column_values` (`id`, `type`, `text`, monday's raw `value` JSON
    /// text, `column.title`).
    items: Passthrough,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

const ITEM_PAGE_FIELDS: &str = "cursor items { id name state url updated_at group { id title } column_values(ids: $columns) { id type text value column { title } } }";

fn list_items_query() -> String {
    format!(
        "query ListItems($board: [ID!], $limit: Int!, $query: ItemsQuery, $columns: [String!]) {{ boards(ids: $board) {{ items_page(limit: $limit, query_params: $query) {{ {ITEM_PAGE_FIELDS} }} }} }}"
    )
}

fn next_items_query() -> String {
    format!(
        "query NextItems($cursor: String!, $limit: Int!, $columns: [String!]) {{ next_items_page(cursor: $cursor, limit: $limit) {{ {ITEM_PAGE_FIELDS} }} }}"
    )
}

#[derive(Deserialize)]
struct ItemsResponse {
    cursor: Option<String>,
    items: Passthrough,
}

impl From<ItemsResponse> for ItemPage {
    fn from(page: ItemsResponse) -> Self {
        ItemPage {
            items: page.items,
            next_cursor: page.cursor.filter(|c| !c.is_empty()),
        }
    }
}

fn list_items(input: ListItems, _: &Context) -> Result<ItemPage, Error> {
    let limit = input.limit.unwrap_or(25);
    if let Some(cursor) = input.cursor.filter(|c| !c.is_empty()) {
        #[derive(Deserialize)]
        struct Data {
            next_items_page: ItemsResponse,
        }
        let mut vars = json!({"cursor": cursor, "limit": limit});
        if let Some(columns) = input.column_ids {
            vars["columns"] = json!(columns);
        }
        let data: Data = graphql(&next_items_query(), &vars)?;
        return Ok(data.next_items_page.into());
    }
    #[derive(Deserialize)]
    struct Board {
        items_page: ItemsResponse,
    }
    #[derive(Deserialize)]
    struct Data {
        boards: Vec<Board>,
    }
    let mut vars = json!({"board": [input.board_id], "limit": limit});
    if !input.filters.is_empty() {
        let operator = match input.filter_match.unwrap_or(FilterMatch::All) {
            FilterMatch::All => "and",
            FilterMatch::Any => "or",
        };
        vars["query"] = json!({"rules": input.filters, "operator": operator});
    }
    if let Some(columns) = input.column_ids {
        vars["columns"] = json!(columns);
    }
    let data: Data = graphql(&list_items_query(), &vars)?;
    Ok(only_board(data.boards, &input.board_id)?.items_page.into())
}

/// Input of `MONDAY_GET_ITEM`.
#[derive(Deserialize, JsonSchema)]
struct GetItem {
    /// The item's numeric id.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    item_id: String,
}

const GET_ITEM: &str = "query GetItem($item: [ID!]) { items(ids: $item) { id name state url created_at updated_at creator { id name } board { id name } group { id title } column_values { id type text value column { title } } subitems { id name } updates(limit: 10) { id text_body created_at creator { id name } } } }";

fn get_item(input: GetItem, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        items: Vec<Passthrough>,
    }
    let mut data: Data = graphql(GET_ITEM, &json!({"item": [input.item_id]}))?;
    if data.items.is_empty() {
        return Err(Error::not_found(format!(
            "no item {}, or the account cannot see it",
            input.item_id
        )));
    }
    Ok(data.items.swap_remove(0))
}

const BOARD_COLUMNS: &str = "query BoardColumns($board: [ID!]) { boards(ids: $board) { id columns { id title type settings } } }";

/// monday's `column_values` JSON text for `values` on `board_id`, after reading the board's
/// columns (their types and labels decide the shape).
fn column_values_text(
    board_id: &str,
    values: &BTreeMap<String, Value>,
    new_labels: bool,
    item_name: Option<&str>,
) -> Result<String, Error> {
    let mut converted = serde_json::Map::new();
    if !values.is_empty() {
        #[derive(Deserialize)]
        struct Data {
            boards: Vec<Board>,
        }
        let data: Data = graphql(BOARD_COLUMNS, &json!({"board": [board_id]}))?;
        let columns: Vec<Column> = only_board(data.boards, board_id)?.columns;
        converted = columns::column_values(board_id, &columns, values, new_labels)?;
    }
    if let Some(name) = item_name {
        converted.insert("name".into(), Value::String(name.into()));
    }
    Ok(Value::Object(converted).to_string())
}

/// Input of `MONDAY_CREATE_ITEM`.
#[derive(Deserialize, JsonSchema)]
struct CreateItem {
    /// The board's numeric id.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    board_id: String,
    /// The new item's name.
    #[schemars(length(min = 1, max = 255))]
    item_name: String,
    /// The group to add the item to, e.g. `topics` (see `MONDAY_GET_BOARD`); the board's top
    /// group by default.
    group_id: Option<String>,
    /// Values of the item's columns, by column id (or exact column title): plain values that
    /// this action converts for each column's type — status: a label; dropdown: a list of
    /// labels; date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC); timeline: {"from", "to"};
    /// people: a list of user ids; numbers: a number; text, long_text: text; checkbox: true or
    /// false; email: an address; link: a URL; rating: 1 to 5. Columns of other types are
    /// refused. None by default.
    #[serde(default)]
    column_values: BTreeMap<String, Value>,
    /// Create status or dropdown labels the board lacks instead of refusing them (needs
    /// permission to change the board's structure). Default false.
    create_labels_if_missing: Option<bool>,
}

const CREATE_ITEM: &str = "mutation CreateItem($board: ID!, $name: String!, $group: String, $values: JSON, $newLabels: Boolean) { create_item(board_id: $board, item_name: $name, group_id: $group, column_values: $values, create_labels_if_missing: $newLabels) { id name url board { id } group { id title } column_values { id type text } } }";

fn create_item(input: CreateItem, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Serialize)]
    struct Vars<'a> {
        board: &'a str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        values: Option<String>,
        #[serde(rename = "newLabels", skip_serializing_if = "Option::is_none")]
        new_labels: Option<bool>,
    }
    #[derive(Deserialize)]
    struct Data {
        create_item: Passthrough,
    }
    if input.item_name.trim().is_empty() {
        return Err(Error::invalid_input("`item_name` must not be blank"));
    }
    let new_labels = input.create_labels_if_missing.unwrap_or(false);
    let values = (!input.column_values.is_empty())
        .then(|| column_values_text(&input.board_id, &input.column_values, new_labels, None))
        .transpose()?;
    let vars = Vars {
        board: &input.board_id,
        name: &input.item_name,
        group: input.group_id.as_deref(),
        values,
        new_labels: input.create_labels_if_missing,
    };
    Ok(graphql::<_, Data>(CREATE_ITEM, &vars)?.create_item)
}

/// Input of `MONDAY_UPDATE_ITEM`.
#[derive(Deserialize, JsonSchema)]
struct UpdateItem {
    /// The numeric id of the item's board.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    board_id: String,
    /// The item's numeric id.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    item_id: String,
    /// New values of the item's columns, by column id (or exact column title), as plain values
    /// converted for each column's type (see `MONDAY_CREATE_ITEM`); columns left out keep
    /// their values. Checkbox false unchecks.
    #[serde(default)]
    column_values: BTreeMap<String, Value>,
    /// A new name for the item.
    #[schemars(length(min = 1, max = 255))]
    item_name: Option<String>,
    /// Create status or dropdown labels the board lacks instead of refusing them. Default false.
    create_labels_if_missing: Option<bool>,
}

const UPDATE_ITEM: &str = "mutation UpdateItem($board: ID!, $item: ID, $values: JSON!, $newLabels: Boolean) { change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values, create_labels_if_missing: $newLabels) { id name url column_values { id type text } } }";

fn update_item(input: UpdateItem, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        change_multiple_column_values: Passthrough,
    }
    if input.column_values.is_empty() && input.item_name.is_none() {
        return Err(Error::invalid_input(
            "nothing to change: give `column_values` or `item_name`",
        ));
    }
    if input
        .item_name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err(Error::invalid_input("`item_name` must not be blank"));
    }
    let new_labels = input.create_labels_if_missing.unwrap_or(false);
    let values = column_values_text(
        &input.board_id,
        &input.column_values,
        new_labels,
        input.item_name.as_deref(),
    )?;
    let mut vars = json!({"board": input.board_id, "item": input.item_id, "values": values});
    if let Some(flag) = input.create_labels_if_missing {
        vars["newLabels"] = json!(flag);
    }
    Ok(graphql::<_, Data>(UPDATE_ITEM, &vars)?.change_multiple_column_values)
}

/// The boards the user used last, with their columns and members: the source of the item
/// actions' per-user schemas.
const DESCRIBE_BOARDS: &str = "query DescribeBoards($limit: Int) { boards(limit: $limit, order_by: used_at, state: active) { id name type subscribers { id name } columns { id title type settings } } }";

fn describe_columns(schema: Value, _: &Context) -> Result<Value, Error> {
    #[derive(Deserialize)]
    struct Data {
        boards: Vec<Board>,
    }
    // Ask for a few more than described: subitem boards are left out.
    let limit = DESCRIBED_BOARDS as u32 + 5;
    let data: Data = graphql(DESCRIBE_BOARDS, &json!({"limit": limit}))?;
    Ok(columns::describe(schema, &data.boards))
}

/// Input of `MONDAY_CREATE_UPDATE`.
#[derive(Deserialize, JsonSchema)]
struct CreateUpdate {
    /// The numeric id of the item to comment on.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    item_id: String,
    /// The update's text; simple HTML (`<p>`, `<b>`, `<a href>`, `<ul><li>`) is kept.
    #[schemars(length(min = 1))]
    body: String,
    /// The numeric id of an update to reply to, in its thread.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    parent_id: Option<String>,
}

const CREATE_UPDATE: &str = "mutation CreateUpdate($item: ID, $body: String!, $parent: ID) { create_update(item_id: $item, body: $body, parent_id: $parent) { id body text_body created_at item_id creator { id name } } }";

fn create_update(input: CreateUpdate, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        create_update: Passthrough,
    }
    if input.body.trim().is_empty() {
        return Err(Error::invalid_input("`body` must not be blank"));
    }
    let mut vars = json!({"item": input.item_id, "body": input.body});
    if let Some(parent) = input.parent_id {
        vars["parent"] = json!(parent);
    }
    Ok(graphql::<_, Data>(CREATE_UPDATE, &vars)?.create_update)
}

/// Input of `MONDAY_CREATE_BOARD`.
#[derive(Deserialize, JsonSchema)]
struct CreateBoard {
    /// The new board's name.
    #[schemars(length(min = 1, max = 255))]
    board_name: String,
    /// Who can see it: `public` (everyone in the account), `private` (invited members) or
    /// `share` (members and invited guests).
    board_kind: BoardKind,
    /// The board's description.
    description: Option<String>,
    /// The numeric id of the workspace to create it in (the main workspace by default).
    #[schemars(regex(pattern = "^[0-9]+$"))]
    workspace_id: Option<String>,
    /// The numeric id of a folder of that workspace to put it in.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    folder_id: Option<String>,
    /// The numeric id of a board or template to copy the structure from.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    template_id: Option<String>,
    /// Create the board without monday's example groups and items. Default false.
    empty: Option<bool>,
}

const CREATE_BOARD: &str = "mutation CreateBoard($name: String!, $kind: BoardKind!, $description: String, $workspace: ID, $folder: ID, $template: ID, $empty: Boolean) { create_board(board_name: $name, board_kind: $kind, description: $description, workspace_id: $workspace, folder_id: $folder, template_id: $template, empty: $empty) { id name board_kind url workspace_id groups { id title } columns { id title type } } }";

fn create_board(input: CreateBoard, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Serialize)]
    struct Vars {
        name: String,
        kind: BoardKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        workspace: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        folder: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        template: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        empty: Option<bool>,
    }
    #[derive(Deserialize)]
    struct Data {
        create_board: Passthrough,
    }
    if input.board_name.trim().is_empty() {
        return Err(Error::invalid_input("`board_name` must not be blank"));
    }
    let vars = Vars {
        name: input.board_name,
        kind: input.board_kind,
        description: input.description,
        workspace: input.workspace_id,
        folder: input.folder_id,
        template: input.template_id,
        empty: input.empty,
    };
    Ok(graphql::<_, Data>(CREATE_BOARD, &vars)?.create_board)
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum GroupPlacement {
    BeforeAt,
    AfterAt,
}

/// Input of `MONDAY_CREATE_GROUP`.
#[derive(Deserialize, JsonSchema)]
struct CreateGroup {
    /// The board's numeric id.
    #[schemars(regex(pattern = "^[0-9]+$"))]
    board_id: String,
    /// The new group's name.
    #[schemars(length(min = 1, max = 255))]
    group_name: String,
    /// The group's color as a hex code, e.g. `#ff642e` (monday picks one by default).
    #[schemars(regex(pattern = "^#[0-9a-fA-F]{6}$"))]
    group_color: Option<String>,
    /// The id of a group to place the new one next to (default: at the top of the board).
    relative_to: Option<String>,
    /// With `relative_to`: `before_at` or `after_at` that group (default `before_at`).
    position_relative_method: Option<GroupPlacement>,
}

const CREATE_GROUP: &str = "mutation CreateGroup($board: ID!, $name: String!, $color: String, $relativeTo: String, $placement: PositionRelative) { create_group(board_id: $board, group_name: $name, group_color: $color, relative_to: $relativeTo, position_relative_method: $placement) { id title color position } }";

fn create_group(input: CreateGroup, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        create_group: Passthrough,
    }
    if input.group_name.trim().is_empty() {
        return Err(Error::invalid_input("`group_name` must not be blank"));
    }
    if input.position_relative_method.is_some() && input.relative_to.is_none() {
        return Err(Error::invalid_input(
            "`position_relative_method` needs `relative_to` (the group to place it next to)",
        ));
    }
    let mut vars = json!({"board": input.board_id, "name": input.group_name});
    if let Some(color) = input.group_color {
        vars["color"] = json!(color);
    }
    if let Some(group) = input.relative_to {
        vars["relativeTo"] = json!(group);
        vars["placement"] = json!(
            input
                .position_relative_method
                .unwrap_or(GroupPlacement::BeforeAt)
        );
    }
    Ok(graphql::<_, Data>(CREATE_GROUP, &vars)?.create_group)
}

const ME: &str = "query Me { me { id name email account { id name slug } } }";

/// Checks the new credential with `me` (a refused one is not stored) and labels the account
/// `email (account name)`.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let data: Value = graphql(ME, &json!({}))?;
    let me = &data["me"];
    let email = me["email"].as_str().or_else(|| me["name"].as_str());
    Ok(
        match (email, me.pointer("/account/name").and_then(Value::as_str)) {
            (Some(who), Some(account)) => ConnectedAccount::labelled(format!("{who} ({account})")),
            (Some(who), None) => ConnectedAccount::labelled(who),
            _ => ConnectedAccount::default(),
        },
    )
}

/// The OAuth scopes: read boards (and their items, columns, groups), write them, post
/// updates, and read the user for the account's label.
const READ: &str = "boards:read";
const WRITE: &str = "boards:write";

pub fn provider() -> Provider {
    Provider::new("monday", "monday.com")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Boards, groups, items and updates in monday.com work management.")
        .categories(&["productivity", "project_management"])
        .auth(Auth::bearer_oauth2(
            // OAuth 2.1, monday's flow for every app created since it became the default: PKCE,
            // expiring access tokens and refresh tokens from the `oauth_ms` token endpoint.
            OAuth2::new("https://auth.monday.com/oauth2/authorize", "https://auth.monday.com/oauth_ms/oauth/token")
                .scopes(&["me:read", READ, WRITE, "updates:write"]),
        ))
        // A personal API token (Developer Center → API token) acts as its user with every
        // scope, and monday takes it bare in `Authorization`, without a scheme.
        .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization")))
        .origin("https://api.monday.com")
        .after_connect(after_connect)
        .action(Action::new(
            "MONDAY_LIST_BOARDS",
            "List the monday.com boards the user can see, with id, name, kind, workspace, item count and URL. Use to find a board's id before reading or adding items. Returns `boards` and `next_page`: pass it as `page` for more (null after the last page).",
            list_boards,
        ).read_only().scopes(&[READ]))
        .action(Action::new(
            "MONDAY_GET_BOARD",
            "Get one board's structure: its groups (id, title) and columns (id, title, type, settings such as status labels). Use before creating or filtering items to learn the column ids and allowed values.",
            get_board,
        ).read_only().scopes(&[READ]))
        .action(Action::new(
            "MONDAY_LIST_ITEMS",
            "List the items (rows) of a board with their column values, optionally filtered by column values (e.g. status is Done, date after 2026-01-01). Returns `items` and `next_cursor`: pass it as `cursor` for the next page (null on the last page).",
            list_items,
        ).read_only().scopes(&[READ]))
        .action(Action::new(
            "MONDAY_GET_ITEM",
            "Get one item by id: name, board, group, every column value (as text and raw JSON), subitems and its 10 latest updates (comments).",
            get_item,
        ).read_only().scopes(&[READ]))
        .action(Action::new(
            "MONDAY_CREATE_ITEM",
            "Create an item (row) on a board, optionally in a group and with column values given as plain values (a status label, a date, user ids...), converted for each column's type. Returns the new item with its id and URL.",
            create_item,
        ).scopes(&[READ, WRITE]).dynamic(describe_columns))
        .action(Action::new(
            "MONDAY_UPDATE_ITEM",
            "Change an item's column values (status, dates, people, numbers, text...) or its name; columns left out keep their values. Use MONDAY_CREATE_UPDATE to comment instead. Returns the item with its column values as text.",
            update_item,
        ).idempotent().scopes(&[READ, WRITE]).dynamic(describe_columns))
        .action(Action::new(
            "MONDAY_CREATE_UPDATE",
            "Post an update (a comment) on an item, or a reply to an update with `parent_id`. Use to report progress or discuss an item without changing its columns. Returns the update with its id.",
            create_update,
        ).scopes(&["updates:write"]))
        .action(Action::new(
            "MONDAY_CREATE_BOARD",
            "Create a board, public, private or shareable, optionally in a workspace or folder or from a template. Returns the board with its id, URL, groups and columns.",
            create_board,
        ).scopes(&[WRITE]))
        .action(Action::new(
            "MONDAY_CREATE_GROUP",
            "Create a group (a section of items) on a board, at the top or next to another group. Returns the group with its id.",
            create_group,
        ).scopes(&[WRITE]))
}

actionhost_sdk::export_provider!(provider);
