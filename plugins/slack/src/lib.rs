//! Slack provider: messages, channels, history, reactions and user lookup through the Slack Web
//! API (<https://api.slack.com/web>). Slack answers HTTP 200 with `{"ok": false, "error": ...}`
//! for most failures; [`slack_errors`] turns those into errors with Slack's own error code.

use actionhost_sdk::http::json_text;
use actionhost_sdk::prelude::*;

/// Write methods take a form body (Slack's classic encoding, accepted by every method).
fn api() -> Api {
    Api::new("https://slack.com/api").errors(slack_errors)
}

/// Slack errors that mean the token is no longer good.
const AUTH_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
];

/// Slack's envelope: `ok: false` with an error code, whatever the HTTP status.
fn slack_errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct Envelope {
        ok: bool,
        error: Option<String>,
    }
    let envelope: Envelope = response.json().ok()?;
    if envelope.ok {
        return None;
    }
    let code = envelope.error.unwrap_or_else(|| "unknown_error".into());
    Some(match code.as_str() {
        code if AUTH_ERRORS.contains(&code) => Error::unauthorized(code),
        "ratelimited" => Error::rate_limited(code, response.seconds("retry-after")),
        code if code.ends_with("_not_found") => Error::not_found(code),
        _ => response.upstream_error(code),
    })
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct SendMessage {
    /// Channel id (`C0123ABCD`), channel name (`#general`) or user id for a direct message.
    channel: String,
    /// Message text, in Slack mrkdwn. Also the notification fallback when `blocks` is given.
    text: String,
    /// Timestamp (`ts`) of a parent message, to reply in its thread.
    thread_ts: Option<String>,
    /// Block Kit blocks for a rich layout.
    #[serde(serialize_with = "json_text", skip_serializing_if = "Option::is_none")]
    blocks: Option<Vec<Value>>,
    /// Whether to unfurl links to text-based content.
    unfurl_links: Option<bool>,
}

fn send_message(input: SendMessage, _: &Context) -> Result<Value, Error> {
    api().post("/chat.postMessage").form(&input).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
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
    api()
        .get("/conversations.list")
        .query(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct CreateChannel {
    /// Channel name: lower case letters, digits, hyphens and underscores, at most 80 characters.
    #[schemars(length(min = 1, max = 80), regex(pattern = r"^[a-z0-9_-]+$"))]
    name: String,
    /// Create a private channel.
    is_private: Option<bool>,
}

fn create_channel(input: CreateChannel, _: &Context) -> Result<Value, Error> {
    api()
        .post("/conversations.create")
        .form(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
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
    api()
        .get("/conversations.history")
        .query(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct AddReaction {
    /// Channel id of the message.
    channel: String,
    /// The message's timestamp (`ts`).
    timestamp: String,
    /// Emoji name without colons, e.g. `thumbsup`.
    name: String,
}

fn add_reaction(input: AddReaction, _: &Context) -> Result<Value, Error> {
    let name = input.name.trim_matches(':').to_string();
    let input = AddReaction { name, ..input };
    api().post("/reactions.add").form(&input).send()?.json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct FindUserByEmail {
    /// Email address of the workspace member.
    email: String,
}

fn find_user_by_email(input: FindUserByEmail, _: &Context) -> Result<Value, Error> {
    api()
        .get("/users.lookupByEmail")
        .query(&input)
        .send()?
        .json()
}

/// The account is shown as `user (team)`, from `auth.test` (no scope needed).
/// Checks the new token with `auth.test` (Slack's `invalid_auth` refuses it) and labels the
/// account `user (team)`.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let who: Value = api().post("/auth.test").send()?.json()?;
    let text = |key: &str| who.get(key).and_then(Value::as_str);
    Ok(match (text("user"), text("team")) {
        (Some(user), Some(team)) => ConnectedAccount::labelled(format!("{user} ({team})")),
        (Some(user), None) => ConnectedAccount::labelled(user),
        _ => ConnectedAccount::default(),
    })
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
                .revoke_url("https://slack.com/api/auth.revoke")
                // Slack takes the client credentials either way and recommends HTTP Basic.
                .client_auth_basic(),
        ))
        .origin("https://slack.com")
        .after_connect(after_connect)
        .action(Action::new(
            "SLACK_SEND_MESSAGE",
            "Post a message to a Slack channel, direct message or thread. Use to notify people or reply in a conversation; returns the message with its `ts`.",
            send_message,
        ).scopes(&["chat:write"]))
        .action(Action::new(
            "SLACK_LIST_CHANNELS",
            "List channels in the workspace with their ids and names. Use to find a channel id before posting or reading history. Paginate with `cursor`.",
            list_channels,
        ).read_only().scopes(&["channels:read"]))
        .action(Action::new(
            "SLACK_CREATE_CHANNEL",
            "Create a new public or private channel.",
            create_channel,
        ).any_scope(&["channels:manage", "groups:write", "channels:write"]))
        .action(Action::new(
            "SLACK_GET_CHANNEL_HISTORY",
            "Read recent messages of a channel, newest first, optionally between two timestamps. Use to catch up on or summarize a conversation.",
            channel_history,
        ).read_only().any_scope(&["channels:history", "groups:history", "im:history", "mpim:history"]))
        .action(Action::new(
            "SLACK_ADD_REACTION",
            "Add an emoji reaction to a message, e.g. to acknowledge it.",
            add_reaction,
        ).idempotent().scopes(&["reactions:write"]))
        .action(Action::new(
            "SLACK_FIND_USER_BY_EMAIL",
            "Find a workspace member by email address; returns their user id, name and profile. Use before sending a direct message.",
            find_user_by_email,
        ).read_only().scopes(&["users:read.email"]))
}

actionhost_sdk::export_provider!(provider);
