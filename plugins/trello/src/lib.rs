//! Trello provider: boards, lists, cards, comments and search through Trello's REST API
//! (<https://developer.atlassian.com/cloud/trello/rest/>).
//!
//! Trello authenticates every request with two query parameters, both added by the host: `key`,
//! the operator's application key (the `client_id` of the operator's connection), and `token`,
//! the user's own token (the account's API key). Write parameters go in the query string, as
//! Trello's reference describes them. Trello's errors are often plain text (`invalid id`,
//! `unauthorized permission requested`) and its 429s carry no `Retry-After`; [`trello_errors`]
//! maps both.

use actionhost_sdk::prelude::*;
use serde::Serializer;

fn api() -> Api {
    Api::new("https://api.trello.com/1")
        .header("Accept", "application/json")
        .errors(trello_errors)
}

/// Trello's rate-limit windows (developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits):
/// 300 requests per 10 s per application key and 100 per 10 s per token; requests to
/// `/1/members` also count against 100 per 900 s. Trello sends no `Retry-After`, so the window
/// of the limit its error names is the longest a caller has to wait.
const KEY_AND_TOKEN_WINDOW_SECONDS: u32 = 10;
const MEMBERS_WINDOW_SECONDS: u32 = 900;

/// Trello's error answers: a JSON `{"message", "error"}` (rate limits, newer routes) or plain
/// text (`invalid id`, `invalid token`, `unauthorized permission requested`).
fn trello_errors(response: &Response) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    let (code, message) = trello_message(response);
    let lower = message.to_ascii_lowercase();
    Some(match status {
        429 => {
            let members = lower.contains("/1/member");
            let window = if members {
                MEMBERS_WINDOW_SECONDS
            } else {
                KEY_AND_TOKEN_WINDOW_SECONDS
            };
            let message = match code {
                Some(code) if code != message => format!("{message} ({code})"),
                _ => message,
            };
            Error::rate_limited(message, response.seconds("retry-after").or(Some(window)))
        }
        // A valid token without access to the object (a board the user is not a member of,
        // or a read-only token writing): the account works, this object is out of its reach.
        401 | 403 if lower.contains("permission requested") => response.upstream_error(format!(
            "Trello refused access to this object ({message}): the connected account cannot see or change it"
        )),
        // `invalid token`, `invalid key`, `expired token`: the credential itself is refused.
        401 => Error::unauthorized(message),
        404 => Error::not_found(message),
        // Trello's answer to an id that names no object it knows.
        400 if lower == "invalid id" => Error::not_found(
            "Trello answered `invalid id`: no board, list or card has the id given",
        ),
        _ => response.upstream_error(message),
    })
}

/// The error code (`API_TOKEN_LIMIT_EXCEEDED`) and message of an error answer: the JSON
/// envelope's `error` and `message`, or the plain text body.
fn trello_message(response: &Response) -> (Option<String>, String) {
    #[derive(Deserialize)]
    struct Envelope {
        message: Option<String>,
        error: Option<String>,
    }
    if let Ok(Envelope { message, error }) = response.json::<Envelope>() {
        let text = message.clone().or_else(|| error.clone());
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            return (error, text);
        }
    }
    let text = response.text();
    let text = text.trim();
    if text.is_empty() || text.starts_with('{') || text.starts_with('<') {
        return (None, format!("HTTP {}", response.status()));
    }
    (None, text.chars().take(300).collect())
}

/// A Trello object id: 24 hexadecimal characters.
const ID: &str = "^[0-9a-fA-F]{24}$";
/// A board's or card's id, or its short link (the 8 characters after `/b/` or `/c/` in its URL).
const ID_OR_SHORT_LINK: &str = "^([0-9a-fA-F]{24}|[0-9A-Za-z]{8})$";

/// Fields of a board in lists, enough to choose one.
const BOARD_FIELDS: &str = "id,name,desc,closed,idOrganization,pinned,starred,url,shortUrl";
/// Fields of a list.
const LIST_FIELDS: &str = "id,name,closed,pos,idBoard";
/// Fields of a card: what it says, where it is, who and what is on it, when it is due.
const CARD_FIELDS: &str = "id,name,desc,idBoard,idList,idLabels,idMembers,labels,due,dueComplete,start,closed,pos,url,shortUrl,dateLastActivity";

/// Where a new list or card goes, or where a card moves to: `top`, `bottom` or a positive
/// number (Trello orders by `pos`, so a number between two neighbours' `pos` places it between
/// them).
#[derive(Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(untagged)]
enum Position {
    End(End),
    Number(f64),
}

#[derive(Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum End {
    Top,
    Bottom,
}

/// The schema of an optional [`Position`], flat, so that a model reads the forms where the
/// parameter is.
fn position_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            {"type": "string", "enum": ["top", "bottom"]},
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "null"}
        ]
    })
}

impl Position {
    fn checked(self) -> Result<String, Error> {
        match self {
            Position::End(End::Top) => Ok("top".into()),
            Position::End(End::Bottom) => Ok("bottom".into()),
            Position::Number(n) if n.is_finite() && n > 0.0 => Ok(n.to_string()),
            Position::Number(n) => Err(Error::invalid_input(format!(
                "`position` must be `top`, `bottom` or a positive number, not {n}"
            ))),
        }
    }
}

/// Sends a list of ids the way Trello takes them: one comma-separated value (empty for none).
fn comma_separated<S: Serializer>(
    ids: &Option<Vec<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&ids.as_deref().unwrap_or_default().join(","))
}

/// A position already checked by [`Position::checked`], as Trello's `pos` text.
fn position_text<S: Serializer>(
    position: &Option<Position>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let text = position
        .map(|p| p.checked().map_err(serde::ser::Error::custom))
        .transpose()?;
    serializer.serialize_str(text.as_deref().unwrap_or_default())
}

fn check_position(position: Option<Position>) -> Result<(), Error> {
    position.map(Position::checked).transpose().map(|_| ())
}

// ---- Boards ----

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum BoardFilter {
    #[default]
    Open,
    Closed,
    Starred,
    All,
}

/// Input of `TRELLO_LIST_BOARDS`.
#[derive(Deserialize, JsonSchema)]
struct ListBoards {
    /// Which boards: `open` (default), `closed` (archived), `starred`, or `all`.
    #[schemars(extend("default" = "open"))]
    filter: Option<BoardFilter>,
}

fn list_boards(input: ListBoards, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Serialize)]
    struct Query {
        filter: BoardFilter,
        fields: &'static str,
    }
    let query = Query {
        filter: input.filter.unwrap_or_default(),
        fields: BOARD_FIELDS,
    };
    api().get("/members/me/boards").query(&query).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Visibility {
    Private,
    Org,
    Public,
}

/// Input of `TRELLO_CREATE_BOARD`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateBoard {
    /// Name of the board.
    #[schemars(length(min = 1, max = 16384))]
    name: String,
    /// Description of the board, in Markdown.
    #[serde(rename(serialize = "desc"), skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 16384))]
    description: Option<String>,
    /// Id of the Workspace (organization) to create the board in; left out, the board is the
    /// user's own.
    #[serde(
        rename(serialize = "idOrganization"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(regex(pattern = ID))]
    workspace_id: Option<String>,
    /// Add the lists `To Do`, `Doing` and `Done` (default true; ignored when copying a board).
    #[serde(
        rename(serialize = "defaultLists"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("default" = true))]
    default_lists: Option<bool>,
    /// Add Trello's six colored labels without names (default true).
    #[serde(
        rename(serialize = "defaultLabels"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("default" = true))]
    default_labels: Option<bool>,
    /// Who can see the board: `private` (default: its members), `org` (the Workspace) or
    /// `public` (anyone with the link).
    #[serde(
        rename(serialize = "prefs_permissionLevel"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("default" = "private"))]
    visibility: Option<Visibility>,
    /// Id of a board (or template) to copy: its lists and labels, and its cards with
    /// `keep_cards`.
    #[serde(
        rename(serialize = "idBoardSource"),
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(regex(pattern = ID))]
    source_board_id: Option<String>,
    /// With `source_board_id`: copy its cards too (default false).
    #[serde(
        rename(serialize = "keepFromSource"),
        serialize_with = "keep_cards",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("default" = false))]
    keep_cards: Option<bool>,
}

fn keep_cards<S: Serializer>(keep: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *keep == Some(true) { "cards" } else { "none" })
}

fn create_board(input: CreateBoard, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    if input.keep_cards.is_some() && input.source_board_id.is_none() {
        return Err(Error::invalid_input(
            "`keep_cards` needs `source_board_id`, the board to copy cards from",
        ));
    }
    api().post("/boards/").query(&input).send()?.json()
}

/// Input of `TRELLO_GET_BOARD`.
#[derive(Deserialize, JsonSchema)]
struct GetBoard {
    /// The board's id, or its short link (the 8 characters after `/b/` in its URL).
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    board_id: String,
}

fn get_board(input: GetBoard, _: &Context) -> Result<Passthrough, Error> {
    let query = [
        ("fields", "id,name,desc,closed,idOrganization,url,shortUrl"),
        ("lists", "open"),
        ("labels", "all"),
        ("members", "all"),
        ("actions", "none"),
        ("cards", "none"),
    ];
    api()
        .get(&path!("/boards/{}", input.board_id))
        .query(&query)
        .send()?
        .json()
}

// ---- Lists ----

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum OpenFilter {
    #[default]
    Open,
    Closed,
    All,
}

/// Input of `TRELLO_LIST_LISTS`.
#[derive(Deserialize, JsonSchema)]
struct ListLists {
    /// The board's id, or its short link (the 8 characters after `/b/` in its URL).
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    board_id: String,
    /// Which lists: `open` (default), `closed` (archived) or `all`.
    #[schemars(extend("default" = "open"))]
    filter: Option<OpenFilter>,
}

fn list_lists(input: ListLists, _: &Context) -> Result<Passthrough, Error> {
    #[derive(Serialize)]
    struct Query {
        filter: OpenFilter,
        fields: &'static str,
    }
    let query = Query {
        filter: input.filter.unwrap_or_default(),
        fields: LIST_FIELDS,
    };
    api()
        .get(&path!("/boards/{}/lists", input.board_id))
        .query(&query)
        .send()?
        .json()
}

/// Input of `TRELLO_CREATE_LIST`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateList {
    /// Id of the board to add the list to.
    #[serde(rename(serialize = "idBoard"))]
    #[schemars(regex(pattern = ID))]
    board_id: String,
    /// Name of the list.
    #[schemars(length(min = 1, max = 16384))]
    name: String,
    /// Where the list goes among the board's lists, left to right: `top` (leftmost), `bottom`
    /// (rightmost, Trello's default for new lists) or a positive number compared with the
    /// other lists' `pos`.
    #[serde(
        rename(serialize = "pos"),
        serialize_with = "position_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(default)]
    #[schemars(schema_with = "position_schema")]
    position: Option<Position>,
}

fn create_list(input: CreateList, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    check_position(input.position)?;
    api().post("/lists").query(&input).send()?.json()
}

// ---- Cards ----

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum CardFilter {
    #[default]
    Open,
    Closed,
    All,
}

/// Input of `TRELLO_LIST_CARDS`.
#[derive(Deserialize, JsonSchema)]
struct ListCards {
    /// Id (or short link) of the board whose cards to list. Give this or `list_id`.
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    board_id: Option<String>,
    /// Id of the list whose cards to list. Give this or `board_id`.
    #[schemars(regex(pattern = ID))]
    list_id: Option<String>,
    /// Which cards: `open` (default), `closed` (archived) or `all`.
    #[schemars(extend("default" = "open"))]
    filter: Option<CardFilter>,
    /// Cards per page, 1 to 1000 (default 100).
    #[schemars(range(min = 1, max = 1000), extend("default" = 100))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the cards after it.
    #[schemars(regex(pattern = ID))]
    cursor: Option<String>,
}

/// A page of cards.
#[derive(Serialize, JsonSchema)]
struct CardPage {
    /// The cards, as Trello returns them (newest first): `id`, `name`, `desc`, `idList`,
    /// `idBoard`, `labels`, `idMembers`, `due` (ISO 8601), `dueComplete`, `closed`, `pos`, `url`
    /// and more.
    cards: Vec<Passthrough>,
    /// Pass as `cursor` to get the next (older) cards; `null` when this page is the last.
    next_cursor: Option<String>,
}

const DEFAULT_CARD_PAGE: u32 = 100;

fn list_cards(input: ListCards, _: &Context) -> Result<CardPage, Error> {
    let path = match (&input.board_id, &input.list_id) {
        (Some(board), None) => path!("/boards/{}/cards", board),
        (None, Some(list)) => path!("/lists/{}/cards", list),
        _ => {
            return Err(Error::invalid_input(
                "give exactly one of `board_id` and `list_id`",
            ));
        }
    };
    #[derive(Serialize)]
    struct Query<'a> {
        fields: &'static str,
        filter: CardFilter,
        limit: u32,
        before: Option<&'a str>,
    }
    let limit = input.limit.unwrap_or(DEFAULT_CARD_PAGE);
    let query = Query {
        fields: CARD_FIELDS,
        filter: input.filter.unwrap_or_default(),
        limit,
        before: input.cursor.as_deref(),
    };
    let cards: Vec<Passthrough> = api().get(&path).query(&query).send()?.json()?;
    // Trello pages cards by id (ids grow with creation time): a full page may have more before
    // its oldest card.
    let next_cursor = if cards.len() >= limit as usize {
        oldest_id(&cards)?
    } else {
        None
    };
    Ok(CardPage { cards, next_cursor })
}

/// The smallest (oldest) `id` among `cards`.
fn oldest_id(cards: &[Passthrough]) -> Result<Option<String>, Error> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let mut oldest: Option<String> = None;
    for card in cards {
        let Id { id } = serde_json::from_str(card.get())
            .map_err(|e| Error::internal(format!("a card without an id: {e}")))?;
        if oldest
            .as_ref()
            .is_none_or(|o| id.to_ascii_lowercase() < o.to_ascii_lowercase())
        {
            oldest = Some(id);
        }
    }
    Ok(oldest)
}

/// Input of `TRELLO_GET_CARD`.
#[derive(Deserialize, JsonSchema)]
struct GetCard {
    /// The card's id, or its short link (the 8 characters after `/c/` in its URL).
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    card_id: String,
    /// Also return the card's comments (newest first, in `actions`; default false).
    #[schemars(extend("default" = false))]
    include_comments: Option<bool>,
}

fn get_card(input: GetCard, _: &Context) -> Result<Passthrough, Error> {
    let mut query = vec![
        ("fields", CARD_FIELDS),
        ("list", "true"),
        ("members", "true"),
        ("member_fields", "fullName,username"),
        ("checklists", "all"),
    ];
    if input.include_comments == Some(true) {
        query.push(("actions", "commentCard"));
    }
    api()
        .get(&path!("/cards/{}", input.card_id))
        .query(&query)
        .send()?
        .json()
}

/// Input of `TRELLO_CREATE_CARD`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateCard {
    /// Id of the list to add the card to (from `TRELLO_LIST_LISTS`).
    #[serde(rename(serialize = "idList"))]
    #[schemars(regex(pattern = ID))]
    list_id: String,
    /// Title of the card.
    #[schemars(length(min = 1, max = 16384))]
    name: String,
    /// Description of the card, in Markdown.
    #[serde(rename(serialize = "desc"), skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 16384))]
    description: Option<String>,
    /// Due date and time, ISO 8601 with a time zone, e.g. `2026-12-01T17:00:00Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    due: Option<String>,
    /// Start date and time, ISO 8601 with a time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    start: Option<String>,
    /// Ids of labels of the card's board to put on it (`TRELLO_GET_BOARD` lists them).
    #[serde(
        rename(serialize = "idLabels"),
        serialize_with = "comma_separated",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(inner(regex(pattern = ID)))]
    label_ids: Option<Vec<String>>,
    /// Ids of board members to assign (`TRELLO_GET_BOARD` lists them).
    #[serde(
        rename(serialize = "idMembers"),
        serialize_with = "comma_separated",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(inner(regex(pattern = ID)))]
    member_ids: Option<Vec<String>>,
    /// Where the card goes in its list: `top`, `bottom` (Trello's default) or a positive number
    /// compared with the other cards' `pos`.
    #[serde(
        rename(serialize = "pos"),
        serialize_with = "position_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(default)]
    #[schemars(schema_with = "position_schema")]
    position: Option<Position>,
}

fn create_card(input: CreateCard, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    check_position(input.position)?;
    api().post("/cards").query(&input).send()?.json()
}

/// Input of `TRELLO_UPDATE_CARD`.
#[derive(Deserialize, Serialize, JsonSchema)]
struct UpdateCard {
    /// The card's id, or its short link (the 8 characters after `/c/` in its URL).
    #[serde(skip_serializing)]
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    card_id: String,
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 16384))]
    name: Option<String>,
    /// New description, in Markdown (replaces the old one).
    #[serde(rename(serialize = "desc"), skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 16384))]
    description: Option<String>,
    /// Move the card to this list (on the same board, or on `board_id`).
    #[serde(rename(serialize = "idList"), skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID))]
    list_id: Option<String>,
    /// Move the card to this board; `list_id` must then name a list on it.
    #[serde(rename(serialize = "idBoard"), skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ID))]
    board_id: Option<String>,
    /// New place in its list: `top`, `bottom` or a positive number compared with the other
    /// cards' `pos`.
    #[serde(
        rename(serialize = "pos"),
        serialize_with = "position_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[serde(default)]
    #[schemars(schema_with = "position_schema")]
    position: Option<Position>,
    /// New due date and time, ISO 8601 with a time zone, e.g. `2026-12-01T17:00:00Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    due: Option<String>,
    /// Mark the due date complete (`true`) or not (`false`).
    #[serde(
        rename(serialize = "dueComplete"),
        skip_serializing_if = "Option::is_none"
    )]
    due_complete: Option<bool>,
    /// `true` archives the card (Trello's "closed"), `false` takes it out of the archive.
    #[serde(rename(serialize = "closed"), skip_serializing_if = "Option::is_none")]
    archived: Option<bool>,
    /// Replaces the card's labels with these label ids (an empty list removes them all).
    #[serde(
        rename(serialize = "idLabels"),
        serialize_with = "comma_separated",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(inner(regex(pattern = ID)))]
    label_ids: Option<Vec<String>>,
    /// Replaces the card's members with these member ids (an empty list removes them all).
    #[serde(
        rename(serialize = "idMembers"),
        serialize_with = "comma_separated",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(inner(regex(pattern = ID)))]
    member_ids: Option<Vec<String>>,
}

fn update_card(input: UpdateCard, _: &Context) -> Result<Passthrough, Error> {
    if input.board_id.is_some() && input.list_id.is_none() {
        return Err(Error::invalid_input(
            "moving a card to another board needs `list_id`, a list on that board",
        ));
    }
    if input.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    check_position(input.position)?;
    let changes = serde_json::to_value(&input)?;
    if changes.as_object().is_none_or(|c| c.is_empty()) {
        return Err(Error::invalid_input(
            "give at least one thing to change besides `card_id`",
        ));
    }
    api()
        .put(&path!("/cards/{}", input.card_id))
        .query(&input)
        .send()?
        .json()
}

/// Input of `TRELLO_ADD_COMMENT`.
#[derive(Deserialize, JsonSchema)]
struct AddComment {
    /// The card's id, or its short link (the 8 characters after `/c/` in its URL).
    #[schemars(regex(pattern = ID_OR_SHORT_LINK))]
    card_id: String,
    /// The comment, in Markdown; `@username` mentions notify that member.
    #[schemars(length(min = 1, max = 16384))]
    text: String,
}

fn add_comment(input: AddComment, _: &Context) -> Result<Passthrough, Error> {
    if input.text.trim().is_empty() {
        return Err(Error::invalid_input("`text` must not be blank"));
    }
    api()
        .post(&path!("/cards/{}/actions/comments", input.card_id))
        .query(&[("text", &input.text)])
        .send()?
        .json()
}

// ---- Search ----

#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum SearchOnly {
    Cards,
    Boards,
}

/// Input of `TRELLO_SEARCH`.
#[derive(Deserialize, JsonSchema)]
struct Search {
    /// Words to find, with Trello's search operators if useful: `board:"Roadmap"`,
    /// `list:Doing`, `label:bug`, `member:me`, `is:open`, `due:week`, `created:7`,
    /// `name:"exact title"`.
    #[schemars(length(min = 1, max = 16384))]
    query: String,
    /// Search only `cards` or only `boards`; both by default.
    only: Option<SearchOnly>,
    /// At most this many cards per page, and this many boards, 1 to 1000 (default 10).
    #[schemars(range(min = 1, max = 1000), extend("default" = 10))]
    limit: Option<u32>,
    /// Page of cards to fetch, from 0 (default) to 100: `next_page` of the previous answer.
    #[schemars(range(min = 0, max = 100), extend("default" = 0))]
    page: Option<u32>,
    /// Also match words that start with the query's last word (`partial` search; default
    /// false).
    #[schemars(extend("default" = false))]
    partial: Option<bool>,
}

/// What matched a search.
#[derive(Serialize, JsonSchema)]
struct Found {
    /// Matching cards of this page, as Trello returns them (`id`, `name`, `desc`, `idBoard`,
    /// `idList`, `labels`, `due`, `closed`, `url`, ...).
    cards: Vec<Passthrough>,
    /// Matching boards (`id`, `name`, `desc`, `closed`, `url`, ...); not paged.
    boards: Vec<Passthrough>,
    /// Pass as `page` for more cards; `null` when there are no more.
    next_page: Option<u32>,
}

/// Trello's highest `cards_page`.
const LAST_SEARCH_PAGE: u32 = 100;
const DEFAULT_SEARCH_LIMIT: u32 = 10;

fn search(input: Search, _: &Context) -> Result<Found, Error> {
    if input.query.trim().is_empty() {
        return Err(Error::invalid_input("`query` must not be blank"));
    }
    #[derive(Serialize)]
    struct Query<'a> {
        query: &'a str,
        #[serde(rename = "modelTypes")]
        model_types: &'static str,
        card_fields: &'static str,
        board_fields: &'static str,
        cards_limit: u32,
        cards_page: u32,
        boards_limit: u32,
        partial: bool,
    }
    let limit = input.limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
    let page = input.page.unwrap_or(0);
    let query = Query {
        query: &input.query,
        model_types: match input.only {
            None => "cards,boards",
            Some(SearchOnly::Cards) => "cards",
            Some(SearchOnly::Boards) => "boards",
        },
        card_fields: CARD_FIELDS,
        board_fields: BOARD_FIELDS,
        cards_limit: limit,
        cards_page: page,
        boards_limit: limit,
        partial: input.partial.unwrap_or(false),
    };
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        cards: Vec<Passthrough>,
        #[serde(default)]
        boards: Vec<Passthrough>,
    }
    let answer: Answer = api().get("/search").query(&query).send()?.json()?;
    let more = answer.cards.len() >= limit as usize && page < LAST_SEARCH_PAGE;
    Ok(Found {
        next_page: more.then_some(page + 1),
        cards: answer.cards,
        boards: answer.boards,
    })
}

/// Checks the new key and token with `GET /members/me` (Trello's `invalid token` refuses them)
/// and labels the account `Full Name (username)`.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Me {
        username: Option<String>,
        full_name: Option<String>,
    }
    let me: Me = api()
        .get("/members/me")
        .query(&[("fields", "username,fullName")])
        .send()?
        .json()?;
    let full_name = me.full_name.filter(|n| !n.trim().is_empty());
    Ok(match (full_name, me.username) {
        (Some(name), Some(user)) => ConnectedAccount::labelled(format!("{name} ({user})")),
        (None, Some(user)) => ConnectedAccount::labelled(user),
        (Some(name), None) => ConnectedAccount::labelled(name),
        (None, None) => ConnectedAccount::default(),
    })
}

pub fn provider() -> Provider {
    Provider::new("trello", "Trello")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Boards, lists, cards and comments in Trello.")
        .categories(&["productivity", "project_management"])
        // The user's token, with the operator's application key (the connection's client id)
        // beside it: Trello needs both on every request.
        .auth(Auth::ApiKey(ApiKey::query("token").operator_key_in_query("key")))
        .origin("https://api.trello.com")
        .after_connect(after_connect)
        .action(Action::new(
            "TRELLO_LIST_BOARDS",
            "List the Trello boards the user is a member of, with their ids, names, descriptions and URLs. Use first to find a board id. Trello returns every matching board in one answer (an array; no paging).",
            list_boards,
        ).read_only())
        .action(Action::new(
            "TRELLO_GET_BOARD",
            "Get one board with its open lists, its labels and its members. Use to find the label and member ids that TRELLO_CREATE_CARD and TRELLO_UPDATE_CARD take, or a list id by name.",
            get_board,
        ).read_only())
        .action(Action::new(
            "TRELLO_CREATE_BOARD",
            "Create a Trello board, empty or copied from another board or template; returns the board with its id and URL.",
            create_board,
        ))
        .action(Action::new(
            "TRELLO_LIST_LISTS",
            "List the lists (columns) of a board, left to right, with their ids, names and positions (`pos`). Use to find the list id a card goes to. Returns every list in one answer (an array; no paging).",
            list_lists,
        ).read_only())
        .action(Action::new(
            "TRELLO_CREATE_LIST",
            "Add a list (column) to a board; returns the list with its id.",
            create_list,
        ))
        .action(Action::new(
            "TRELLO_LIST_CARDS",
            "List the cards of a board or of one list, newest first, with their names, descriptions, lists, labels, members and due dates. Returns `cards` and `next_cursor`: pass it as `cursor` for the next page (null on the last). To find cards by text across boards use TRELLO_SEARCH instead.",
            list_cards,
        ).read_only())
        .action(Action::new(
            "TRELLO_GET_CARD",
            "Get one card with its description, list (`list`), labels, members (`members`), due date, checklists and, on request, its comments.",
            get_card,
        ).read_only())
        .action(Action::new(
            "TRELLO_CREATE_CARD",
            "Create a card in a list, with an optional description, due date, labels, members and position; returns the card with its id and URL.",
            create_card,
        ))
        .action(Action::new(
            "TRELLO_UPDATE_CARD",
            "Change a card: rename it, edit its description, move it to another list (or board) or position, set its due date or mark it complete, archive or unarchive it, or replace its labels or members. Only the fields given change; returns the updated card.",
            update_card,
        ).idempotent())
        .action(Action::new(
            "TRELLO_ADD_COMMENT",
            "Add a comment to a card; returns the comment action (its `id`, and the text under `data.text`).",
            add_comment,
        ))
        .action(Action::new(
            "TRELLO_SEARCH",
            "Search the user's Trello cards and boards by text (Trello's search operators work, e.g. `label:bug is:open`). Returns `cards`, `boards` and `next_page`: pass it as `page` for more cards (null when there are no more).",
            search,
        ).read_only())
}

actionhost_sdk::export_provider!(provider);
