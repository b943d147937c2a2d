//! Slack provider: messages, channels, history, reactions and user lookup through the Slack Web
//! API (<https://api.slack.com/web>). Slack answers HTTP 200 with `{"ok": false, "error": ...}`
//! for most failures; [`call`] turns those into errors with Slack's own error code.

use actionhost_sdk::prelude::*;

const API: &str = "https://slack.com/api";

/// Slack errors that mean the token is no longer good.
const AUTH_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
];

/// Sends a Web API request and checks Slack's `ok` flag.
fn call(request: Request) -> Result<Value, Error> {
    let response = request.send()?;
    let body: Value = response.json()?;
    if body.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(body);
    }
    let code = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error")
        .to_string();
    if AUTH_ERRORS.contains(&code.as_str()) {
        return Err(Error::unauthorized(code));
    }
    if code == "ratelimited" {
        let retry = response
            .header("retry-after")
            .and_then(|v| v.trim().parse().ok());
        return Err(Error::rate_limited(code, retry));
    }
    Err(Error::Upstream {
        status: response.status(),
        message: code,
        body: Some(response.text()),
    })
}

fn get(method: &str) -> Request {
    Request::get(format!("{API}/{method}"))
}

/// Write methods take a form body (Slack's classic encoding, accepted by every method); values
/// that are not strings (e.g. `blocks`) are sent as JSON text, as Slack expects.
fn post(method: &str, fields: &[(&str, Value)]) -> Request {
    let encoded: Vec<(&str, String)> = fields
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            (
                *k,
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = encoded.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Request::post(format!("{API}/{method}")).form(&borrowed)
}

#[derive(Deserialize, JsonSchema)]
struct SendMessage {
    /// Channel id (`C0123ABCD`), channel name (`#general`) or user id for a direct message.
    channel: String,
    /// Message text, in Slack mrkdwn. Also the notification fallback when `blocks` is given.
    text: String,
    /// Timestamp (`ts`) of a parent message, to reply in its thread.
    thread_ts: Option<String>,
    /// Block Kit blocks for a rich layout.
    blocks: Option<Vec<Value>>,
    /// Whether to unfurl links to text-based content.
    unfurl_links: Option<bool>,
}

fn send_message(input: SendMessage, _: &Context) -> Result<Value, Error> {
    call(post(
        "chat.postMessage",
        &[
            ("channel", json!(input.channel)),
            ("text", json!(input.text)),
            ("thread_ts", json!(input.thread_ts)),
            ("blocks", json!(input.blocks)),
            ("unfurl_links", json!(input.unfurl_links)),
        ],
    ))
}

#[derive(Deserialize, JsonSchema)]
struct ListChannels {
    /// Comma-separated conversation types: `public_channel`, `private_channel`, `mpim`, `im`
    /// (default `public_channel`).
    types: Option<String>,
    /// Leave out archived channels.
    exclude_archived: Option<bool>,
    /// Channels per page, 1 to 1000 (Slack recommends at most 200).
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<u32>,
    /// `response_metadata.next_cursor` of the previous page.
    cursor: Option<String>,
}

fn list_channels(input: ListChannels, _: &Context) -> Result<Value, Error> {
    call(
        get("conversations.list")
            .query_opt("types", input.types)
            .query_opt("exclude_archived", input.exclude_archived)
            .query_opt("limit", input.limit)
            .query_opt("cursor", input.cursor),
    )
}

#[derive(Deserialize, JsonSchema)]
struct CreateChannel {
    /// Channel name: lower case letters, digits, hyphens and underscores, at most 80 characters.
    #[schemars(length(min = 1, max = 80), regex(pattern = r"^[a-z0-9_-]+$"))]
    name: String,
    /// Create a private channel.
    is_private: Option<bool>,
}

fn create_channel(input: CreateChannel, _: &Context) -> Result<Value, Error> {
    call(post(
        "conversations.create",
        &[
            ("name", json!(input.name)),
            ("is_private", json!(input.is_private)),
        ],
    ))
}

#[derive(Deserialize, JsonSchema)]
struct ChannelHistory {
    /// Channel id, e.g. `C0123ABCD`.
    channel: String,
    /// Messages per page, 1 to 999 (default 100).
    #[schemars(range(min = 1, max = 999))]
    limit: Option<u32>,
    /// Only messages after this timestamp (`ts`).
    oldest: Option<String>,
    /// Only messages before this timestamp (`ts`).
    latest: Option<String>,
    /// `response_metadata.next_cursor` of the previous page.
    cursor: Option<String>,
}

fn channel_history(input: ChannelHistory, _: &Context) -> Result<Value, Error> {
    call(
        get("conversations.history")
            .query("channel", input.channel)
            .query_opt("limit", input.limit)
            .query_opt("oldest", input.oldest)
            .query_opt("latest", input.latest)
            .query_opt("cursor", input.cursor),
    )
}

#[derive(Deserialize, JsonSchema)]
struct AddReaction {
    /// Channel id of the message.
    channel: String,
    /// The message's timestamp (`ts`).
    timestamp: String,
    /// Emoji name without colons, e.g. `thumbsup`.
    name: String,
}

fn add_reaction(input: AddReaction, _: &Context) -> Result<Value, Error> {
    call(post(
        "reactions.add",
        &[
            ("channel", json!(input.channel)),
            ("timestamp", json!(input.timestamp)),
            ("name", json!(input.name.trim_matches(':'))),
        ],
    ))
}

#[derive(Deserialize, JsonSchema)]
struct FindUserByEmail {
    /// Email address of the workspace member.
    email: String,
}

fn find_user_by_email(input: FindUserByEmail, _: &Context) -> Result<Value, Error> {
    call(get("users.lookupByEmail").query("email", input.email))
}

pub fn provider() -> Provider {
    Provider::new("slack", "Slack")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Messages, channels and people in a Slack workspace.")
        .categories(&["communication"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new("https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access")
                .scopes(&["chat:write", "channels:read", "channels:manage", "channels:history", "reactions:write", "users:read.email"])
                .scope_separator(",")
                .revoke_url("https://slack.com/api/auth.revoke"),
        ))
        .origin("https://slack.com")
        .action(Action::new(
            "SLACK_SEND_MESSAGE",
            "Post a message to a Slack channel, direct message or thread. Use to notify people or reply in a conversation; returns the message with its `ts`.",
            send_message,
        ))
        .action(Action::new(
            "SLACK_LIST_CHANNELS",
            "List channels in the workspace with their ids and names. Use to find a channel id before posting or reading history. Paginate with `cursor`.",
            list_channels,
        ).read_only())
        .action(Action::new(
            "SLACK_CREATE_CHANNEL",
            "Create a new public or private channel.",
            create_channel,
        ))
        .action(Action::new(
            "SLACK_GET_CHANNEL_HISTORY",
            "Read recent messages of a channel, newest first, optionally between two timestamps. Use to catch up on or summarize a conversation.",
            channel_history,
        ).read_only())
        .action(Action::new(
            "SLACK_ADD_REACTION",
            "Add an emoji reaction to a message, e.g. to acknowledge it.",
            add_reaction,
        ).idempotent())
        .action(Action::new(
            "SLACK_FIND_USER_BY_EMAIL",
            "Find a workspace member by email address; returns their user id, name and profile. Use before sending a direct message.",
            find_user_by_email,
        ).read_only())
}

actionhost_sdk::export_provider!(provider);
