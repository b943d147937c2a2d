//! Discord provider: servers (guilds), channels, messages, reactions, threads and members through
//! Discord's HTTP API v10 (<https://discord.com/developers/docs/reference>).
//!
//! Two credentials. The user connects with OAuth 2 (`identify`, `guilds`): their own token only
//! says who they are and which servers they are in (`GET /users/@me/guilds`). Everything else is
//! done by the operator's bot (`Authorization: Bot <token>`, the operator credential, sent with
//! [`Api::as_operator`]), which a server's admin has invited into the server: Discord lets a user
//! token read servers, but not post, create channels or list members.
//!
//! The bot acts for every user of the deployment, so no user may drive it in a server they are
//! not in. Before every bot action the plugin resolves the server (the `guild_id` given, or the
//! channel's `guild_id` read with the bot) and checks that it is among the calling user's servers
//! (with the user's token); creating a channel also needs the user's MANAGE_CHANNELS permission
//! there (the `permissions` bitfield of that answer). Otherwise the action is refused, before the
//! bot does anything. The check is per server: Discord's per-channel permission overwrites are
//! not evaluated, so a member of a server can reach every channel of it the bot can see.
//!
//! The OAuth authorize URL does not ask for the `bot` scope: with it, Discord makes every
//! connecting user pick a server they may manage (MANAGE_GUILD) to add the bot to, which ordinary
//! members cannot; a server's admin invites the bot once with the app's install link instead.
//!
//! Operator's setup: create an application at <https://discord.com/developers/applications>;
//! under OAuth2 add the redirect URI `<public URL>/oauth/callback`; under Bot copy the token and
//! enable the Server Members privileged intent (for `DISCORD_LIST_MEMBERS`) and the Message Content
//! intent (else other users' message text reads empty); then `PUT /admin/connections/discord`
//! with `client_id`, `client_secret` and the bot token as `operator_secret`.

use actionhost_sdk::prelude::*;

const BASE: &str = "https://discord.com/api/v10";

/// Requests with the user's own OAuth token: who they are and which servers they are in.
fn user_api() -> Api {
    Api::new(BASE)
        .header("Accept", "application/json")
        .errors(user_errors)
}

/// Requests with the operator's bot token (the operator credential).
fn bot_api() -> Api {
    Api::new(BASE)
        .header("Accept", "application/json")
        .errors(bot_errors)
        .as_operator()
}

fn user_errors(response: &Response) -> Option<Error> {
    discord_error(response, false)
}

fn bot_errors(response: &Response) -> Option<Error> {
    discord_error(response, true)
}

/// Discord's error envelope: `{"code": 10003, "message": "Unknown Channel"}`, and on 429
/// `{"message", "retry_after": 1.5, "global"}` with the delay in seconds as a float.
#[derive(Deserialize, Default)]
struct Envelope {
    code: Option<i64>,
    message: Option<String>,
    retry_after: Option<f64>,
}

/// Discord's errors: 429 → rate limited with `retry_after` rounded up (else the
/// `X-RateLimit-Reset-After` or `Retry-After` header); an unknown-object code (10xxx) → not
/// found; Missing Access (50001) and Missing Permissions (50013) → upstream 403 with Discord's
/// message. A 401 refuses the user's token (not connected) or, on a bot request, the operator's
/// bot token: that is the operator's to fix, so it is an upstream error and the user's account
/// stays connected. Other statuses keep the SDK's mapping.
fn discord_error(response: &Response, bot: bool) -> Option<Error> {
    let status = response.status();
    if status < 400 {
        return None;
    }
    let envelope: Envelope = response.json().unwrap_or_default();
    let message = envelope
        .message
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    if status == 429 {
        let header = |name| {
            response
                .header(name)
                .and_then(|v: &str| v.trim().parse::<f64>().ok())
        };
        let seconds = envelope
            .retry_after
            .or_else(|| header("x-ratelimit-reset-after"))
            .or_else(|| header("retry-after"))
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| s.ceil().min(f64::from(u32::MAX)) as u32);
        return Some(Error::rate_limited(message, seconds));
    }
    match envelope.code {
        Some(10001..=10999) => return Some(Error::not_found(message)),
        Some(50001 | 50013) => {
            let Error::Upstream { body, .. } = response.upstream_error("") else {
                unreachable!("upstream_error builds an upstream error")
            };
            return Some(Error::Upstream {
                status: 403,
                message,
                body,
            });
        }
        _ => {}
    }
    if status == 401 && bot {
        return Some(Error::upstream(
            401,
            format!(
                "Discord refused the operator's bot token ({message}); the operator must set a \
                 valid one in PUT /admin/connections/discord"
            ),
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Who may drive the bot where.

/// ADMINISTRATOR: every permission.
const ADMINISTRATOR: u64 = 1 << 3;
/// MANAGE_CHANNELS: create, edit and delete channels.
const MANAGE_CHANNELS: u64 = 1 << 4;
/// Discord's largest page of `GET /users/@me/guilds`; a user is in at most 200 servers.
const GUILDS_PAGE: usize = 200;
/// Pages of the user's servers read before giving up (a user is in at most 200 servers).
const GUILD_PAGES: usize = 3;

/// One of the calling user's servers, as `GET /users/@me/guilds` lists it.
#[derive(Deserialize, Clone)]
struct UserGuild {
    id: String,
    #[serde(default)]
    owner: bool,
    /// The user's permissions in the server (without channel overwrites), a decimal bitfield.
    #[serde(default)]
    permissions: Option<String>,
}

impl UserGuild {
    fn may_manage_channels(&self) -> bool {
        let permissions = self
            .permissions
            .as_deref()
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(0);
        self.owner || permissions & (ADMINISTRATOR | MANAGE_CHANNELS) != 0
    }
}

/// The calling user's membership of server `guild_id`, read with their own token; refused
/// (before the bot does anything) when they are not in it.
fn users_guild(guild_id: &str) -> Result<UserGuild, Error> {
    let mut after: Option<String> = None;
    for _ in 0..GUILD_PAGES {
        let mut request = user_api()
            .get("/users/@me/guilds")
            .query(&[("limit", GUILDS_PAGE)]);
        if let Some(after) = &after {
            request = request.query(&[("after", after)]);
        }
        let page: Vec<UserGuild> = request.send()?.json()?;
        if let Some(found) = page.iter().find(|g| g.id == guild_id) {
            return Ok(found.clone());
        }
        if page.len() < GUILDS_PAGE {
            break;
        }
        after = newest(page.iter().map(|g| g.id.as_str())).map(str::to_string);
    }
    Err(Error::upstream(
        403,
        format!(
            "you are not a member of the Discord server {guild_id}: the bot acts only in servers \
             you are in (DISCORD_LIST_GUILDS lists them)"
        ),
    ))
}

/// The server of channel `channel_id` (read with the bot), checked to be one of the calling
/// user's servers.
fn authorize_channel(channel_id: &str) -> Result<(), Error> {
    #[derive(Deserialize)]
    struct Channel {
        guild_id: Option<String>,
    }
    let channel: Channel = bot_api()
        .get(&path!("/channels/{}", channel_id))
        .send()?
        .json()?;
    let Some(guild_id) = channel.guild_id else {
        return Err(Error::upstream(
            403,
            format!(
                "the Discord channel {channel_id} is not in a server (a direct message): the bot \
                 acts only in channels of servers you are in"
            ),
        ));
    };
    users_guild(&guild_id).map(drop)
}

// ---------------------------------------------------------------------------------------------
// Snowflakes and pages.

/// A Discord id (a snowflake): a positive integer up to 20 digits, sent as a string.
type Snowflake = String;

fn snowflake_value(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

/// The newest (largest) of some snowflakes.
fn newest<'a>(ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    ids.max_by_key(|id| snowflake_value(id))
}

/// The oldest (smallest) of some snowflakes.
fn oldest<'a>(ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    ids.min_by_key(|id| snowflake_value(id))
}

#[derive(Deserialize)]
struct HasId {
    id: String,
}

/// The ids of a list answer, and the list as Discord sent it.
fn listed(response: &Response) -> Result<(Vec<String>, Passthrough), Error> {
    let ids: Vec<HasId> = response.json()?;
    Ok((ids.into_iter().map(|i| i.id).collect(), response.json()?))
}

// ---------------------------------------------------------------------------------------------
// Servers and channels.

#[derive(Deserialize, Serialize, JsonSchema)]
struct ListGuilds {
    /// Only servers with an id after this one (the `next_cursor` of the previous page).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    after: Option<Snowflake>,
    /// Only servers with an id before this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    before: Option<Snowflake>,
    /// Servers per page, 1 to 200 (default 200).
    #[serde(default = "default_guilds_limit")]
    #[schemars(range(min = 1, max = 200), extend("default" = 200))]
    limit: u32,
    /// Also answer each server's approximate member and online counts
    /// (`approximate_member_count`, `approximate_presence_count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    with_counts: Option<bool>,
}

fn default_guilds_limit() -> u32 {
    200
}

/// `^[1-9][0-9]{0,19}$`: a snowflake.
const SNOWFLAKE: &str = "^[1-9][0-9]{0,19}$";

/// A page of the user's servers.
#[derive(Serialize, JsonSchema)]
struct Guilds {
    /// The servers (partial guild objects: `id`, `name`, `icon`, `owner`, `permissions` as a
    /// decimal bitfield string, `features`), oldest id first, as Discord returns them.
    guilds: Passthrough,
    /// Pass as `after` for the next page; `null` when this page was the last.
    next_cursor: Option<String>,
}

fn list_guilds(input: ListGuilds, _: &Context) -> Result<Guilds, Error> {
    let response = user_api().get("/users/@me/guilds").query(&input).send()?;
    let (ids, guilds) = listed(&response)?;
    let full = ids.len() >= input.limit as usize;
    Ok(Guilds {
        next_cursor: full
            .then(|| newest(ids.iter().map(String::as_str)).map(str::to_string))
            .flatten(),
        guilds,
    })
}

// A server, by id (no doc comment: flattened into inputs).
#[derive(Deserialize, JsonSchema)]
struct GuildRef {
    /// Id of the server (guild), e.g. `613425648685547541` (from DISCORD_LIST_GUILDS).
    #[schemars(extend("pattern" = SNOWFLAKE))]
    guild_id: Snowflake,
}

fn list_channels(input: GuildRef, _: &Context) -> Result<Passthrough, Error> {
    users_guild(&input.guild_id)?;
    bot_api()
        .get(&path!("/guilds/{}/channels", input.guild_id))
        .send()?
        .json()
}

/// The kinds of channel DISCORD_CREATE_CHANNEL makes.
#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum ChannelKind {
    /// A text channel (type 0).
    Text,
    /// A voice channel (type 2).
    Voice,
    /// A category that groups channels (type 4); give its id as `parent_id` of others.
    Category,
    /// An announcement channel that other servers can follow (type 5; Community servers only).
    Announcement,
    /// A stage channel for events (type 13; Community servers only).
    Stage,
    /// A forum channel whose posts are threads (type 15; Community servers only).
    Forum,
}

impl ChannelKind {
    fn code(self) -> u8 {
        match self {
            ChannelKind::Text => 0,
            ChannelKind::Voice => 2,
            ChannelKind::Category => 4,
            ChannelKind::Announcement => 5,
            ChannelKind::Stage => 13,
            ChannelKind::Forum => 15,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct CreateChannel {
    #[serde(flatten)]
    guild: GuildRef,
    /// Name of the channel, 1 to 100 characters; Discord lower-cases text channel names and
    /// turns spaces into dashes.
    #[schemars(length(min = 1, max = 100))]
    name: String,
    /// What kind of channel; `text` by default.
    #[serde(default)]
    #[schemars(extend("default" = "text"))]
    kind: Option<ChannelKind>,
    /// The channel's topic, shown under its name (text, announcement and forum channels), up to
    /// 1024 characters.
    #[schemars(length(max = 1024))]
    topic: Option<String>,
    /// Id of the category to put the channel in.
    #[schemars(extend("pattern" = SNOWFLAKE))]
    parent_id: Option<Snowflake>,
    /// Whether the channel is age-restricted (NSFW). Default false.
    nsfw: Option<bool>,
    /// Slow mode: seconds a member must wait between messages, 0 to 21600. Default 0.
    #[schemars(range(min = 0, max = 21600))]
    rate_limit_per_user: Option<u32>,
}

/// `POST /guilds/{guild.id}/channels`'s body.
#[derive(Serialize)]
struct ChannelBody<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nsfw: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit_per_user: Option<u32>,
}

fn create_channel(input: CreateChannel, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    let guild = users_guild(&input.guild.guild_id)?;
    if !guild.may_manage_channels() {
        return Err(Error::upstream(
            403,
            format!(
                "you lack the Manage Channels permission in the Discord server {}: the bot creates \
                 channels only for users who may create them themselves",
                input.guild.guild_id
            ),
        ));
    }
    let body = ChannelBody {
        name: input.name.trim(),
        kind: input.kind.unwrap_or(ChannelKind::Text).code(),
        topic: input.topic.as_deref(),
        parent_id: input.parent_id.as_deref(),
        nsfw: input.nsfw,
        rate_limit_per_user: input.rate_limit_per_user,
    };
    bot_api()
        .post(&path!("/guilds/{}/channels", input.guild.guild_id))
        .json(&body)
        .send()?
        .json()
}

// ---------------------------------------------------------------------------------------------
// Messages.

/// A rich embed: a card under the message's text (a subset of Discord's embed object).
#[derive(Deserialize, Serialize, JsonSchema)]
struct Embed {
    /// Title of the embed, up to 256 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    title: Option<String>,
    /// Text of the embed, Discord Markdown, up to 4096 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    description: Option<String>,
    /// Link the title points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), extend("format" = "uri"))]
    url: Option<String>,
    /// Colour of the embed's left border as an RGB integer `0xRRGGBB` in decimal, e.g. `5793266`
    /// for `#5865F2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 16777215))]
    color: Option<u32>,
    /// Name/value pairs shown as a table, up to 25.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 25))]
    fields: Option<Vec<EmbedField>>,
    /// Small text at the bottom of the embed.
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<EmbedFooter>,
}

/// One name/value pair of an embed.
#[derive(Deserialize, Serialize, JsonSchema)]
struct EmbedField {
    /// The field's name, up to 256 characters.
    #[schemars(length(min = 1, max = 256))]
    name: String,
    /// The field's value, up to 1024 characters.
    #[schemars(length(min = 1, max = 1024))]
    value: String,
    /// Show beside the neighbouring inline fields rather than on a line of its own. Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    inline: Option<bool>,
}

/// The footer of an embed.
#[derive(Deserialize, Serialize, JsonSchema)]
struct EmbedFooter {
    /// The footer's text, up to 2048 characters.
    #[schemars(length(min = 1, max = 2048))]
    text: String,
    /// URL of a small icon shown before the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), extend("format" = "uri"))]
    icon_url: Option<String>,
}

// A channel, by id (no doc comment: flattened into inputs).
#[derive(Deserialize, JsonSchema)]
struct ChannelRef {
    /// Id of the channel (or thread), e.g. `1011243431853621248` (from DISCORD_LIST_CHANNELS).
    #[schemars(extend("pattern" = SNOWFLAKE))]
    channel_id: Snowflake,
}

#[derive(Deserialize, JsonSchema)]
struct SendMessage {
    #[serde(flatten)]
    channel: ChannelRef,
    /// Text of the message, Discord Markdown, up to 2000 characters. Mention a user as
    /// `<@USER_ID>`, a channel as `<#CHANNEL_ID>`. Give `content`, `embeds` or both.
    #[schemars(length(max = 2000))]
    content: Option<String>,
    /// Up to 10 rich embeds (cards) under the text.
    #[schemars(length(max = 10))]
    embeds: Option<Vec<Embed>>,
    /// Id of a message in the same channel to reply to (shown quoted above this one).
    #[schemars(extend("pattern" = SNOWFLAKE))]
    reply_to_message_id: Option<Snowflake>,
    /// Let `@everyone`, `@here` and role mentions in `content` notify people. Default false:
    /// only mentioned users are notified.
    #[serde(default)]
    mention_everyone: bool,
}

#[derive(Serialize)]
struct MessageReference<'a> {
    message_id: &'a str,
}

#[derive(Serialize)]
struct AllowedMentions {
    parse: &'static [&'static str],
}

/// `POST /channels/{channel.id}/messages`'s body.
#[derive(Serialize)]
struct MessageBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embeds: Option<&'a [Embed]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_reference: Option<MessageReference<'a>>,
    allowed_mentions: AllowedMentions,
}

fn allowed_mentions(everyone: bool) -> AllowedMentions {
    AllowedMentions {
        parse: if everyone {
            &["users", "roles", "everyone"]
        } else {
            &["users"]
        },
    }
}

/// Refuses a message with neither text nor embeds (Discord would: "Cannot send an empty
/// message").
fn check_not_empty(content: Option<&str>, embeds: Option<&[Embed]>) -> Result<(), Error> {
    let text = content.is_some_and(|c| !c.trim().is_empty());
    if text || embeds.is_some_and(|e| !e.is_empty()) {
        return Ok(());
    }
    Err(Error::invalid_input(
        "give `content` (non-blank text), `embeds`, or both",
    ))
}

fn send_message(input: SendMessage, _: &Context) -> Result<Passthrough, Error> {
    check_not_empty(input.content.as_deref(), input.embeds.as_deref())?;
    let channel_id = &input.channel.channel_id;
    authorize_channel(channel_id)?;
    let body = MessageBody {
        content: input.content.as_deref(),
        embeds: input.embeds.as_deref(),
        message_reference: input
            .reply_to_message_id
            .as_deref()
            .map(|message_id| MessageReference { message_id }),
        allowed_mentions: allowed_mentions(input.mention_everyone),
    };
    bot_api()
        .post(&path!("/channels/{}/messages", channel_id))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct EditMessage {
    #[serde(flatten)]
    channel: ChannelRef,
    /// Id of the message to edit; it must be one the bot sent.
    #[schemars(extend("pattern" = SNOWFLAKE))]
    message_id: Snowflake,
    /// The new text, replacing the old, up to 2000 characters; an empty string removes the text.
    /// Left out, the text stays.
    #[schemars(length(max = 2000))]
    content: Option<String>,
    /// The new embeds, replacing all old ones; `[]` removes them. Left out, they stay.
    #[schemars(length(max = 10))]
    embeds: Option<Vec<Embed>>,
}

#[derive(Serialize)]
struct EditBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embeds: Option<&'a [Embed]>,
}

fn edit_message(input: EditMessage, _: &Context) -> Result<Passthrough, Error> {
    if input.content.is_none() && input.embeds.is_none() {
        return Err(Error::invalid_input(
            "give `content`, `embeds`, or both: there is nothing to change",
        ));
    }
    let channel_id = &input.channel.channel_id;
    authorize_channel(channel_id)?;
    let body = EditBody {
        content: input.content.as_deref(),
        embeds: input.embeds.as_deref(),
    };
    bot_api()
        .patch(&path!(
            "/channels/{}/messages/{}",
            channel_id,
            input.message_id
        ))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct ListMessages {
    #[serde(flatten, skip_serializing)]
    channel: ChannelRef,
    /// Only messages older than this message id: pass the `next_cursor` of the previous page
    /// here to read further back. Give at most one of `before`, `after` and `around`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    before: Option<Snowflake>,
    /// Only messages newer than this message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    after: Option<Snowflake>,
    /// Messages around this message id (about half before, half after).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    around: Option<Snowflake>,
    /// Messages per page, 1 to 100 (default 50).
    #[serde(default = "default_messages_limit")]
    #[schemars(range(min = 1, max = 100), extend("default" = 50))]
    limit: u32,
}

fn default_messages_limit() -> u32 {
    50
}

/// A page of a channel's messages.
#[derive(Serialize, JsonSchema)]
struct Messages {
    /// The messages (Discord message objects: `id`, `content`, `author`, `timestamp`,
    /// `embeds`, `reactions`, `message_reference`, ...), newest first, as Discord returns them.
    messages: Passthrough,
    /// The oldest message's id when the page is full: pass it as `before` for older messages;
    /// `null` when there are no more.
    next_cursor: Option<String>,
}

fn list_messages(input: ListMessages, _: &Context) -> Result<Messages, Error> {
    let cursors = [&input.before, &input.after, &input.around];
    if cursors.iter().filter(|c| c.is_some()).count() > 1 {
        return Err(Error::invalid_input(
            "give at most one of `before`, `after` and `around`",
        ));
    }
    let channel_id = &input.channel.channel_id;
    authorize_channel(channel_id)?;
    let response = bot_api()
        .get(&path!("/channels/{}/messages", channel_id))
        .query(&input)
        .send()?;
    let (ids, messages) = listed(&response)?;
    let full = ids.len() >= input.limit as usize;
    Ok(Messages {
        next_cursor: full
            .then(|| oldest(ids.iter().map(String::as_str)).map(str::to_string))
            .flatten(),
        messages,
    })
}

// ---------------------------------------------------------------------------------------------
// Reactions and threads.

#[derive(Deserialize, JsonSchema)]
struct AddReaction {
    #[serde(flatten)]
    channel: ChannelRef,
    /// Id of the message to react to.
    #[schemars(extend("pattern" = SNOWFLAKE))]
    message_id: Snowflake,
    /// The emoji: a Unicode emoji such as `👍`, or a server's custom emoji as `name:id`
    /// (`<:name:id>` as it appears in messages is accepted too).
    #[schemars(length(min = 1, max = 100))]
    emoji: String,
}

/// A custom emoji as written in a message (`<:name:id>`, `<a:name:id>`) becomes the `name:id`
/// Discord's reaction path takes; anything else is kept, trimmed.
fn reaction_emoji(given: &str) -> &str {
    let trimmed = given.trim();
    let inner = trimmed
        .strip_prefix('<')
        .and_then(|e| e.strip_suffix('>'))
        .map(|e| e.strip_prefix("a:").unwrap_or(e))
        .map(|e| e.strip_prefix(':').unwrap_or(e));
    inner.unwrap_or(trimmed)
}

/// What an action without an answer body returns.
#[derive(Serialize, JsonSchema)]
struct Done {
    /// Always true: Discord accepted the request.
    ok: bool,
}

fn add_reaction(input: AddReaction, _: &Context) -> Result<Done, Error> {
    let emoji = reaction_emoji(&input.emoji);
    if emoji.is_empty() {
        return Err(Error::invalid_input("`emoji` must not be blank"));
    }
    let channel_id = &input.channel.channel_id;
    authorize_channel(channel_id)?;
    bot_api()
        .put(&path!(
            "/channels/{}/messages/{}/reactions/{}/@me",
            channel_id,
            input.message_id,
            emoji
        ))
        .send()?;
    Ok(Done { ok: true })
}

#[derive(Deserialize, JsonSchema)]
struct CreateThread {
    #[serde(flatten)]
    channel: ChannelRef,
    /// Name of the thread, 1 to 100 characters.
    #[schemars(length(min = 1, max = 100))]
    name: String,
    /// Start the thread from this message of the channel (the message becomes its first post).
    /// Left out, a thread without a starter message is created.
    #[schemars(extend("pattern" = SNOWFLAKE))]
    message_id: Option<Snowflake>,
    /// A private thread, visible only to those invited and to moderators (not with
    /// `message_id`). Default false: a public thread.
    #[serde(default)]
    private: bool,
    /// Minutes of inactivity after which the thread is archived: 60, 1440 (a day), 4320 or
    /// 10080 (a week). Default: the channel's setting.
    #[schemars(extend("enum" = [60, 1440, 4320, 10080]))]
    auto_archive_duration: Option<u32>,
}

#[derive(Serialize)]
struct ThreadBody<'a> {
    name: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_archive_duration: Option<u32>,
}

/// Discord's PUBLIC_THREAD and PRIVATE_THREAD channel types.
const PUBLIC_THREAD: u8 = 11;
const PRIVATE_THREAD: u8 = 12;

fn create_thread(input: CreateThread, _: &Context) -> Result<Passthrough, Error> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid_input("`name` must not be blank"));
    }
    if input.private && input.message_id.is_some() {
        return Err(Error::invalid_input(
            "a thread started from a message is public: leave out `private` or `message_id`",
        ));
    }
    if let Some(minutes) = input.auto_archive_duration
        && ![60, 1440, 4320, 10080].contains(&minutes)
    {
        return Err(Error::invalid_input(
            "`auto_archive_duration` is one of 60, 1440, 4320 and 10080 minutes",
        ));
    }
    let channel_id = &input.channel.channel_id;
    authorize_channel(channel_id)?;
    let name = input.name.trim();
    let (path, kind) = match &input.message_id {
        Some(message_id) => (
            path!("/channels/{}/messages/{}/threads", channel_id, message_id),
            None,
        ),
        None => (
            path!("/channels/{}/threads", channel_id),
            Some(if input.private {
                PRIVATE_THREAD
            } else {
                PUBLIC_THREAD
            }),
        ),
    };
    let body = ThreadBody {
        name,
        kind,
        auto_archive_duration: input.auto_archive_duration,
    };
    bot_api().post(&path).json(&body).send()?.json()
}

// ---------------------------------------------------------------------------------------------
// Members.

#[derive(Deserialize, Serialize, JsonSchema)]
struct ListMembers {
    #[serde(flatten, skip_serializing)]
    guild: GuildRef,
    /// Members per page, 1 to 1000 (default 100).
    #[serde(default = "default_members_limit")]
    #[schemars(range(min = 1, max = 1000), extend("default" = 100))]
    limit: u32,
    /// Only members whose user id is after this one: the `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = SNOWFLAKE))]
    after: Option<Snowflake>,
}

fn default_members_limit() -> u32 {
    100
}

/// A page of a server's members.
#[derive(Serialize, JsonSchema)]
struct Members {
    /// The members (Discord guild member objects: `user` with `id`, `username`, `global_name`;
    /// `nick`, `roles` as role ids, `joined_at`), by user id, as Discord returns them.
    members: Passthrough,
    /// The last member's user id when the page is full: pass it as `after` for the next page;
    /// `null` when there are no more.
    next_cursor: Option<String>,
}

fn list_members(input: ListMembers, _: &Context) -> Result<Members, Error> {
    users_guild(&input.guild.guild_id)?;
    let response = bot_api()
        .get(&path!("/guilds/{}/members", input.guild.guild_id))
        .query(&input)
        .send()?;
    #[derive(Deserialize)]
    struct Member {
        user: Option<HasId>,
    }
    let members: Vec<Member> = response.json()?;
    let full = members.len() >= input.limit as usize;
    let next_cursor = full
        .then(|| {
            newest(
                members
                    .iter()
                    .filter_map(|m| Some(m.user.as_ref()?.id.as_str())),
            )
        })
        .flatten()
        .map(str::to_string);
    Ok(Members {
        members: response.json()?,
        next_cursor,
    })
}

// ---------------------------------------------------------------------------------------------
// The provider.

/// Checks the new OAuth token with `GET /users/@me` (a refused one is not stored) and labels
/// the account with the user's Discord username.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Me {
        username: Option<String>,
    }
    let me: Me = user_api().get("/users/@me").send()?.json()?;
    Ok(match me.username {
        Some(username) => ConnectedAccount::labelled(username),
        None => ConnectedAccount::default(),
    })
}

/// Every action reads the user's servers (`guilds`) to check where the bot may act for them.
const GUILDS: &[&str] = &["guilds"];

/// Which server a bot action is checked against, for the descriptions.
const CHECKED: &str = "The operator's bot does this, only in a server the connected user is a member of (refused otherwise).";

pub fn provider() -> Provider {
    Provider::new("discord", "Discord")
        .version(env!("CARGO_PKG_VERSION"))
        .description(
            "Discord servers: channels, messages, reactions, threads and members, through the \
             operator's bot in the servers the user is in.",
        )
        .categories(&["communication"])
        .auth(Auth::bearer_oauth2(
            OAuth2::new(
                "https://discord.com/oauth2/authorize",
                "https://discord.com/api/oauth2/token",
            )
            .scopes(&["identify", "guilds"])
            .revoke_url("https://discord.com/api/oauth2/token/revoke"),
        ))
        .operator_credential(
            OperatorCredential::header("Authorization")
                .prefix("Bot ")
                .label("Bot token (Discord Developer Portal → your application → Bot)"),
        )
        .origin("https://discord.com")
        .after_connect(after_connect)
        .action(Action::new(
            "DISCORD_LIST_GUILDS",
            "List the Discord servers (guilds) the connected user is a member of, with each one's id, name, whether the user owns it and the user's permissions there. Use first to find a `guild_id`; the bot can act only in these servers, and only where it has been invited. Returns `guilds` and `next_cursor`: pass it as `after` for more (null on the last page).",
            list_guilds,
        ).read_only().scopes(GUILDS))
        .action(Action::new(
            "DISCORD_LIST_CHANNELS",
            &format!("List every channel of a server, categories included: `id`, `name`, `type` (0 text, 2 voice, 4 category, 5 announcement, 13 stage, 15 forum, 16 media), `parent_id` (its category), `position`, `topic`. Use to find a `channel_id`. Active threads are not listed. {CHECKED}"),
            list_channels,
        ).read_only().scopes(GUILDS))
        .action(Action::new(
            "DISCORD_SEND_MESSAGE",
            &format!("Post a message in a channel or thread as the bot: text (`content`), rich embeds, or both, optionally as a reply to a message. Returns the created message with its `id`. {CHECKED}"),
            send_message,
        ).scopes(GUILDS))
        .action(Action::new(
            "DISCORD_EDIT_MESSAGE",
            &format!("Change the text or embeds of a message the bot sent earlier (Discord refuses edits of other users' messages). Only the parts given are replaced. Returns the edited message. {CHECKED}"),
            edit_message,
        ).idempotent().scopes(GUILDS))
        .action(Action::new(
            "DISCORD_LIST_MESSAGES",
            &format!("Read a channel's or thread's messages, newest first: text, author, time, embeds, reactions, replies. Page back in time with `before` = the returned `next_cursor` (null when there are no more); `after` reads newer messages, `around` those near a message. Message text of other users is empty unless the operator enabled the bot's Message Content intent. {CHECKED}"),
            list_messages,
        ).read_only().scopes(GUILDS))
        .action(Action::new(
            "DISCORD_ADD_REACTION",
            &format!("React to a message with an emoji as the bot (a Unicode emoji or a server's custom emoji `name:id`). Reacting twice with the same emoji changes nothing. Returns `{{\"ok\": true}}`. {CHECKED}"),
            add_reaction,
        ).idempotent().scopes(GUILDS))
        .action(Action::new(
            "DISCORD_CREATE_CHANNEL",
            &format!("Create a channel in a server: text (default), voice, category, announcement, stage or forum, optionally in a category with a topic. Needs the user's Manage Channels permission in that server (refused otherwise) and the bot's. Returns the created channel with its `id`. {CHECKED}"),
            create_channel,
        ).scopes(GUILDS))
        .action(Action::new(
            "DISCORD_CREATE_THREAD",
            &format!("Start a thread in a text or announcement channel: from an existing message (`message_id`), or on its own, public or private. Use to move a discussion out of the main channel; post in it with DISCORD_SEND_MESSAGE and the returned thread's `id` as `channel_id`. Forum posts are not supported. Returns the thread (a channel object). {CHECKED}"),
            create_thread,
        ).scopes(GUILDS))
        .action(Action::new(
            "DISCORD_LIST_MEMBERS",
            &format!("List a server's members by user id: user (id, username, display name), nickname, role ids, join time. Needs the Server Members privileged intent enabled for the operator's bot in the Discord Developer Portal (Discord refuses with Missing Access otherwise). Returns `members` and `next_cursor`: pass it as `after` for more (null on the last page). {CHECKED}"),
            list_members,
        ).read_only().scopes(GUILDS))
}

actionhost_sdk::export_provider!(provider);
