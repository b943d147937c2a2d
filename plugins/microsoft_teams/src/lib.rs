//! Microsoft Teams provider: teams, channels, channel messages and replies, and chats through
//! Microsoft Graph v1.0 (<https://learn.microsoft.com/graph/api/resources/teams-api-overview>).
//!
//! Graph's own JSON is passed on as it came; lists come back as `{items, next_cursor}` pages,
//! where `next_cursor` is Graph's `@odata.nextLink`. Sending actions take plain text or HTML and a
//! simple list of users to @mention; [`compose`] builds the two parts Graph wants for a mention
//! (an `<at id="N">` element in an HTML body and an entry of `mentions`), escaping the text.
//! Auth, the tenant field, error mapping and paging are the SDK's `microsoft` module.

use actionhost_sdk::http::Passthrough;
use actionhost_sdk::microsoft;
use actionhost_sdk::paginate::{Limits, Paged};
use actionhost_sdk::prelude::*;

/// Every scope an action below needs; asked for at connect time (the SDK adds `offline_access`).
const SCOPES: &[&str] = &[
    "Team.ReadBasic.All",
    "Channel.ReadBasic.All",
    "Channel.Create",
    "ChannelMessage.Read.All",
    "ChannelMessage.Send",
    "Chat.Read",
    "ChatMessage.Send",
];

/// Pages one call may follow for lists that Graph rarely splits (teams, channels).
const WHOLE_LIST_PAGES: usize = 10;

/// The OData system query options the actions use; Graph reads `$top` and `%24top` alike.
#[derive(Serialize, Default)]
struct OData<'a> {
    #[serde(rename = "$top", skip_serializing_if = "Option::is_none")]
    top: Option<u32>,
    #[serde(rename = "$filter", skip_serializing_if = "Option::is_none")]
    filter: Option<String>,
    #[serde(rename = "$select", skip_serializing_if = "Option::is_none")]
    select: Option<&'a str>,
    #[serde(rename = "$expand", skip_serializing_if = "Option::is_none")]
    expand: Option<&'a str>,
    #[serde(rename = "$orderby", skip_serializing_if = "Option::is_none")]
    orderby: Option<&'a str>,
}

// ---- Teams and channels ----------------------------------------------------------------------

/// Input of `MICROSOFT_TEAMS_LIST_TEAMS`.
#[derive(Deserialize, JsonSchema)]
struct ListTeams {
    /// `next_cursor` of the previous answer, to fetch the teams after it (rarely needed).
    cursor: Option<String>,
}

fn list_teams(input: ListTeams, _: &Context) -> Result<Paged<Passthrough>, Error> {
    // joinedTeams takes no OData options; Graph fills id, displayName, description, isArchived
    // and tenantId of each team and leaves the rest null.
    let first = microsoft::graph().get("/me/joinedTeams");
    microsoft::list(input.cursor, Limits::pages(WHOLE_LIST_PAGES), first)
}

/// Who can see a channel: `standard` (every member of the team), `private` (only the people
/// added to it) or `shared` (people from the team and from other teams it is shared with).
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
enum MembershipType {
    Standard,
    Private,
    Shared,
}

impl MembershipType {
    fn name(self) -> &'static str {
        match self {
            MembershipType::Standard => "standard",
            MembershipType::Private => "private",
            MembershipType::Shared => "shared",
        }
    }
}

/// Input of `MICROSOFT_TEAMS_LIST_CHANNELS`.
#[derive(Deserialize, JsonSchema)]
struct ListChannels {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Only channels of this kind (default: all the user can see).
    membership_type: Option<MembershipType>,
    /// `next_cursor` of the previous answer, to fetch the channels after it (rarely needed).
    cursor: Option<String>,
}

/// Channel properties worth a model's attention; leaving out `email` and `moderationSettings`
/// also spares Graph its slowest lookups (Graph's advice for listing channels).
const CHANNEL_FIELDS: &str =
    "id,displayName,description,membershipType,isArchived,createdDateTime,webUrl,tenantId";

fn list_channels(input: ListChannels, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let query = OData {
        filter: input
            .membership_type
            .map(|kind| format!("membershipType eq '{}'", kind.name())),
        select: Some(CHANNEL_FIELDS),
        ..OData::default()
    };
    let first = microsoft::graph()
        .get(&path!("/teams/{}/channels", input.team_id))
        .query(&query);
    microsoft::list(input.cursor, Limits::pages(WHOLE_LIST_PAGES), first)
}

/// A kind of channel that `MICROSOFT_TEAMS_CREATE_CHANNEL` creates (Graph's 202-answered
/// `shared` channels are left out: they are created asynchronously).
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug, Default)]
#[serde(rename_all = "camelCase")]
enum NewChannelType {
    #[default]
    Standard,
    Private,
}

/// Input of `MICROSOFT_TEAMS_CREATE_CHANNEL`.
#[derive(Deserialize, JsonSchema)]
struct CreateChannel {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Name of the channel as Teams shows it, at most 50 characters, unique in the team, e.g.
    /// `Architecture Discussion`.
    #[schemars(length(min = 1, max = 50))]
    display_name: String,
    /// What the channel is for, at most 1024 characters.
    #[schemars(length(max = 1024))]
    description: Option<String>,
    /// `standard` (the default: every member of the team sees it) or `private` (only the
    /// people added to it see it; the signed-in user creates it as its first member).
    #[serde(default)]
    membership_type: NewChannelType,
}

fn create_channel(input: CreateChannel, _: &Context) -> Result<Passthrough, Error> {
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        return Err(Error::invalid_input("`display_name` must not be blank"));
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct NewChannel<'a> {
        display_name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        membership_type: NewChannelType,
    }
    let body = NewChannel {
        display_name,
        description: input.description.as_deref(),
        membership_type: input.membership_type,
    };
    microsoft::graph()
        .post(&path!("/teams/{}/channels", input.team_id))
        .json(&body)
        .send()?
        .json()
}

// ---- Messages --------------------------------------------------------------------------------

/// How the message content is written.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug, Default)]
#[serde(rename_all = "camelCase")]
enum ContentType {
    #[default]
    Text,
    Html,
}

/// How Teams flags a message.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
enum Importance {
    Normal,
    High,
    Urgent,
}

/// A user to @mention in a message.
#[derive(Deserialize, JsonSchema, Clone, Debug)]
struct Mention {
    /// The user's Microsoft Entra object id (a GUID), e.g. a chat member's `userId` from
    /// MICROSOFT_TEAMS_LIST_CHATS or a message author's `from.user.id`.
    #[schemars(extend("format" = "uuid"))]
    user_id: String,
    /// The name the mention shows, usually the user's display name, e.g. `Jane Smith`.
    display_name: String,
}

/// The body of a Graph `chatMessage`.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ItemBody {
    content_type: ContentType,
    content: String,
}

/// One entry of a `chatMessage`'s `mentions`: its `id` is the `id` of an `<at>` in the body.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct GraphMention {
    id: u32,
    mention_text: String,
    mentioned: Mentioned,
}

#[derive(Serialize, Debug, PartialEq)]
struct Mentioned {
    user: MentionedUser,
}

/// A Teams user. `userIdentityType` belongs to `teamworkUserIdentity`, not to the `identity`
/// that `mentioned.user` is declared as, so the derived type is named (Graph's docs leave it out;
/// its model needs it).
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct MentionedUser {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    id: String,
    display_name: String,
    user_identity_type: &'static str,
}

/// A new `chatMessage`, as the three sending actions post it.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct NewMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    body: ItemBody,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<GraphMention>,
    #[serde(skip_serializing_if = "Option::is_none")]
    importance: Option<Importance>,
}

/// A GUID as Graph writes object ids: 8-4-4-4-12 hexadecimal digits.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Builds a message body and its `mentions`. Without mentions the content goes as written.
/// With mentions the body is HTML: plain text is escaped (line breaks become `<br>`), and each
/// mention replaces the first `@Display Name` in the content that no other mention took (longer
/// names first, so `@Jane Smith` is not taken by a mention of `Jane`); a mention whose name does
/// not appear is put at the start of the message.
fn compose(
    content: &str,
    content_type: ContentType,
    mentions: &[Mention],
) -> Result<(ItemBody, Vec<GraphMention>), Error> {
    if content.trim().is_empty() {
        return Err(Error::invalid_input("`content` must not be blank"));
    }
    if mentions.is_empty() {
        let body = ItemBody {
            content_type,
            content: content.to_string(),
        };
        return Ok((body, Vec::new()));
    }
    for (i, mention) in mentions.iter().enumerate() {
        if !is_guid(mention.user_id.trim()) {
            return Err(Error::invalid_input(format!(
                "`mentions[{i}].user_id` must be a user's Microsoft Entra object id (a GUID such \
                 as 8ea0e38b-efb3-4757-924a-5f94061cf8c2), not {:?}",
                mention.user_id
            )));
        }
        if mention.display_name.trim().is_empty() {
            return Err(Error::invalid_input(format!(
                "`mentions[{i}].display_name` must not be blank"
            )));
        }
    }
    let mut html = match content_type {
        ContentType::Text => html_escape::encode_text(content).replace('\n', "<br>"),
        ContentType::Html => content.to_string(),
    };
    let tag = |i: usize, name: &str| {
        format!(
            "<at id=\"{i}\">{}</at>",
            html_escape::encode_text(name.trim())
        )
    };
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(mentions[i].display_name.trim().len()));
    let mut missing = Vec::new();
    for i in order {
        let name = html_escape::encode_text(mentions[i].display_name.trim()).into_owned();
        match html.find(&format!("@{name}")) {
            Some(at) => {
                html.replace_range(at..at + 1 + name.len(), &tag(i, &mentions[i].display_name))
            }
            None => missing.push(i),
        }
    }
    missing.sort_unstable();
    let leading: Vec<String> = missing
        .iter()
        .map(|&i| tag(i, &mentions[i].display_name))
        .collect();
    if !leading.is_empty() {
        html = format!("{} {html}", leading.join(" "));
    }
    let graph_mentions = mentions
        .iter()
        .enumerate()
        .map(|(i, mention)| GraphMention {
            id: i as u32,
            mention_text: mention.display_name.trim().to_string(),
            mentioned: Mentioned {
                user: MentionedUser {
                    odata_type: "#microsoft.graph.teamworkUserIdentity",
                    id: mention.user_id.trim().to_string(),
                    display_name: mention.display_name.trim().to_string(),
                    user_identity_type: "aadUser",
                },
            },
        })
        .collect();
    let body = ItemBody {
        content_type: ContentType::Html,
        content: html,
    };
    Ok((body, graph_mentions))
}

/// Input of `MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct SendChannelMessage {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Id of the channel, e.g. `19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2`, from
    /// MICROSOFT_TEAMS_LIST_CHANNELS.
    channel_id: String,
    /// The message. To @mention someone, list them in `mentions` and write `@` followed by their
    /// `display_name` where the mention belongs (`Thanks @Jane Smith!`); do not write `<at>`
    /// tags yourself.
    content: String,
    /// `text` (the default: plain text, line breaks kept) or `html` (e.g. `<p>Release <b>2.1</b>
    /// is out</p>`; Teams keeps basic formatting tags).
    #[serde(default)]
    content_type: ContentType,
    /// Subject line shown above the message (channel posts only).
    subject: Option<String>,
    /// Users to @mention (they get a notification). Each replaces the first `@display_name` in
    /// `content`, or is put at the start of the message when `content` has none.
    #[serde(default)]
    mentions: Vec<Mention>,
    /// `normal` (Graph's default), `high` or `urgent`.
    importance: Option<Importance>,
}

fn send_channel_message(input: SendChannelMessage, _: &Context) -> Result<Passthrough, Error> {
    let (body, mentions) = compose(&input.content, input.content_type, &input.mentions)?;
    let message = NewMessage {
        subject: input.subject.as_deref().filter(|s| !s.trim().is_empty()),
        body,
        mentions,
        importance: input.importance,
    };
    microsoft::graph()
        .post(&path!(
            "/teams/{}/channels/{}/messages",
            input.team_id,
            input.channel_id
        ))
        .json(&message)
        .send()?
        .json()
}

/// Input of `MICROSOFT_TEAMS_REPLY_TO_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct ReplyToMessage {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Id of the channel, e.g. `19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2`.
    channel_id: String,
    /// Id of the message that starts the thread (a top-level message's `id`, e.g.
    /// `1616965872395`, from MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES), not of a reply.
    message_id: String,
    /// The reply. To @mention someone, list them in `mentions` and write `@` followed by their
    /// `display_name` where the mention belongs; do not write `<at>` tags yourself.
    content: String,
    /// `text` (the default: plain text, line breaks kept) or `html` (e.g. `<p>Release <b>2.1</b>
    /// is out</p>`; Teams keeps basic formatting tags).
    #[serde(default)]
    content_type: ContentType,
    /// Users to @mention (they get a notification). Each replaces the first `@display_name` in
    /// `content`, or is put at the start of the reply when `content` has none.
    #[serde(default)]
    mentions: Vec<Mention>,
    /// `normal` (Graph's default), `high` or `urgent`.
    importance: Option<Importance>,
}

fn reply_to_message(input: ReplyToMessage, _: &Context) -> Result<Passthrough, Error> {
    let (body, mentions) = compose(&input.content, input.content_type, &input.mentions)?;
    let message = NewMessage {
        subject: None,
        body,
        mentions,
        importance: input.importance,
    };
    microsoft::graph()
        .post(&path!(
            "/teams/{}/channels/{}/messages/{}/replies",
            input.team_id,
            input.channel_id,
            input.message_id
        ))
        .json(&message)
        .send()?
        .json()
}

/// Input of `MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES`.
#[derive(Deserialize, JsonSchema)]
struct ListChannelMessages {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Id of the channel, e.g. `19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2`.
    channel_id: String,
    /// Messages per page, 1 to 50 (Graph's default 20).
    #[schemars(range(min = 1, max = 50))]
    top: Option<u32>,
    /// Also return each message's replies, in its `replies` (default false).
    #[serde(default)]
    include_replies: bool,
    /// `next_cursor` of the previous answer, to fetch the older messages after it.
    cursor: Option<String>,
}

fn list_channel_messages(
    input: ListChannelMessages,
    _: &Context,
) -> Result<Paged<Passthrough>, Error> {
    let path = path!(
        "/teams/{}/channels/{}/messages",
        input.team_id,
        input.channel_id
    );
    let query = OData {
        top: input.top,
        expand: input.include_replies.then_some("replies"),
        ..OData::default()
    };
    let first = microsoft::graph().get(&path).query(&query);
    microsoft::list(input.cursor, Limits::pages(1), first)
}

/// Input of `MICROSOFT_TEAMS_LIST_MESSAGE_REPLIES`.
#[derive(Deserialize, JsonSchema)]
struct ListMessageReplies {
    /// Id of the team (a GUID), from MICROSOFT_TEAMS_LIST_TEAMS.
    team_id: String,
    /// Id of the channel, e.g. `19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2`.
    channel_id: String,
    /// Id of the top-level message whose replies to list, e.g. `1616965872395`.
    message_id: String,
    /// Replies per page, 1 to 50.
    #[schemars(range(min = 1, max = 50))]
    top: Option<u32>,
    /// `next_cursor` of the previous answer, to fetch the replies after it.
    cursor: Option<String>,
}

fn list_message_replies(
    input: ListMessageReplies,
    _: &Context,
) -> Result<Paged<Passthrough>, Error> {
    let path = path!(
        "/teams/{}/channels/{}/messages/{}/replies",
        input.team_id,
        input.channel_id,
        input.message_id
    );
    let query = OData {
        top: input.top,
        ..OData::default()
    };
    let first = microsoft::graph().get(&path).query(&query);
    microsoft::list(input.cursor, Limits::pages(1), first)
}

// ---- Chats -----------------------------------------------------------------------------------

/// A kind of chat: between two people, among several, or an online meeting's.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
enum ChatType {
    OneOnOne,
    Group,
    Meeting,
}

impl ChatType {
    fn name(self) -> &'static str {
        match self {
            ChatType::OneOnOne => "oneOnOne",
            ChatType::Group => "group",
            ChatType::Meeting => "meeting",
        }
    }
}

fn yes() -> bool {
    true
}

/// Input of `MICROSOFT_TEAMS_LIST_CHATS`.
#[derive(Deserialize, JsonSchema)]
struct ListChats {
    /// Only chats of this kind: `oneOnOne`, `group` or `meeting` (default: all).
    chat_type: Option<ChatType>,
    /// Return each chat's `members` (display name, `userId`, email) so chats without a topic
    /// can be told apart (default true; Graph returns at most 25 members per chat).
    #[serde(default = "yes")]
    #[schemars(extend("default" = true))]
    include_members: bool,
    /// Return each chat's `lastMessagePreview` (its latest message, abridged) (default false).
    #[serde(default)]
    include_last_message: bool,
    /// Chats per page, 1 to 50.
    #[schemars(range(min = 1, max = 50))]
    top: Option<u32>,
    /// `next_cursor` of the previous answer, to fetch the chats after it.
    cursor: Option<String>,
}

fn list_chats(input: ListChats, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let expand = match (input.include_members, input.include_last_message) {
        (true, true) => Some("members,lastMessagePreview"),
        (true, false) => Some("members"),
        (false, true) => Some("lastMessagePreview"),
        (false, false) => None,
    };
    let query = OData {
        top: input.top,
        filter: input
            .chat_type
            .map(|kind| format!("chatType eq '{}'", kind.name())),
        expand,
        ..OData::default()
    };
    let first = microsoft::graph().get("/me/chats").query(&query);
    microsoft::list(input.cursor, Limits::pages(1), first)
}

/// Input of `MICROSOFT_TEAMS_SEND_CHAT_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct SendChatMessage {
    /// Id of the chat, e.g. `19:561082c0f3f847a58069deb8eb300807@thread.v2`, from
    /// MICROSOFT_TEAMS_LIST_CHATS.
    chat_id: String,
    /// The message. To @mention someone, list them in `mentions` and write `@` followed by their
    /// `display_name` where the mention belongs; do not write `<at>` tags yourself.
    content: String,
    /// `text` (the default: plain text, line breaks kept) or `html` (e.g. `<p>Release <b>2.1</b>
    /// is out</p>`; Teams keeps basic formatting tags).
    #[serde(default)]
    content_type: ContentType,
    /// Chat members to @mention. Each replaces the first `@display_name` in `content`, or is
    /// put at the start of the message when `content` has none.
    #[serde(default)]
    mentions: Vec<Mention>,
    /// `normal` (Graph's default), `high` or `urgent`.
    importance: Option<Importance>,
}

fn send_chat_message(input: SendChatMessage, _: &Context) -> Result<Passthrough, Error> {
    let (body, mentions) = compose(&input.content, input.content_type, &input.mentions)?;
    let message = NewMessage {
        subject: None,
        body,
        mentions,
        importance: input.importance,
    };
    microsoft::graph()
        .post(&path!("/chats/{}/messages", input.chat_id))
        .json(&message)
        .send()?
        .json()
}

/// Which time orders a chat's messages, newest first.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Debug, Default)]
#[serde(rename_all = "camelCase")]
enum ChatMessageOrder {
    #[default]
    LastModifiedDateTime,
    CreatedDateTime,
}

/// Input of `MICROSOFT_TEAMS_LIST_CHAT_MESSAGES`.
#[derive(Deserialize, JsonSchema)]
struct ListChatMessages {
    /// Id of the chat, e.g. `19:561082c0f3f847a58069deb8eb300807@thread.v2`, from
    /// MICROSOFT_TEAMS_LIST_CHATS.
    chat_id: String,
    /// Newest first by `lastModifiedDateTime` (the default: last change, so an edited message
    /// comes up again) or by `createdDateTime` (when it was sent).
    #[serde(default)]
    order_by: ChatMessageOrder,
    /// Messages per page, 1 to 50.
    #[schemars(range(min = 1, max = 50))]
    top: Option<u32>,
    /// `next_cursor` of the previous answer, to fetch the older messages after it.
    cursor: Option<String>,
}

fn list_chat_messages(input: ListChatMessages, _: &Context) -> Result<Paged<Passthrough>, Error> {
    let path = path!("/chats/{}/messages", input.chat_id);
    let query = OData {
        top: input.top,
        orderby: Some(match input.order_by {
            ChatMessageOrder::LastModifiedDateTime => "lastModifiedDateTime desc",
            ChatMessageOrder::CreatedDateTime => "createdDateTime desc",
        }),
        ..OData::default()
    };
    let first = microsoft::graph().get(&path).query(&query);
    microsoft::list(input.cursor, Limits::pages(1), first)
}

pub fn provider() -> Provider {
    microsoft::provider("microsoft_teams", "Microsoft Teams", SCOPES)
        .version(env!("CARGO_PKG_VERSION"))
        .description("Teams, channels, channel conversations and chats in Microsoft Teams (work or school accounts).")
        .categories(&["communication"])
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_TEAMS",
            "List the teams the signed-in user is a direct member of, with each team's `id`, `displayName`, `description` and `isArchived`. Start here to find a team id for the channel actions. Returns `{items, next_cursor}`.",
            list_teams,
        ).read_only().scopes(&["Team.ReadBasic.All"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_CHANNELS",
            "List the channels of a team that the user can see, with `id`, `displayName`, `description`, `membershipType` (standard, private or shared), `isArchived` and `webUrl`. Use to find a channel id before reading or posting. Returns `{items, next_cursor}`.",
            list_channels,
        ).read_only().scopes(&["Channel.ReadBasic.All"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_CREATE_CHANNEL",
            "Create a standard or private channel in a team. Returns the new channel with its `id` and `webUrl`. Fails if the team already has a channel of that name.",
            create_channel,
        ).scopes(&["Channel.Create"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
            "Post a new message (a new conversation) in a team channel, as plain text or HTML, optionally with a subject and @mentions of users. To answer an existing conversation use MICROSOFT_TEAMS_REPLY_TO_MESSAGE; for a chat use MICROSOFT_TEAMS_SEND_CHAT_MESSAGE. Returns the created message with its `id` and `webUrl`.",
            send_channel_message,
        ).scopes(&["ChannelMessage.Send"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_REPLY_TO_MESSAGE",
            "Reply in the thread of a channel message, as plain text or HTML, optionally with @mentions of users. Returns the created reply with its `id`.",
            reply_to_message,
        ).scopes(&["ChannelMessage.Send"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
            "Read the top-level messages of a channel, newest first (replies are left out unless `include_replies`). Each message has `id`, `from.user`, `createdDateTime`, `subject`, `body` (`contentType` text or html, `content`) and `mentions`. Returns `{items, next_cursor}`: pass `next_cursor` back as `cursor` for older messages.",
            list_channel_messages,
        ).read_only().scopes(&["ChannelMessage.Read.All"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_MESSAGE_REPLIES",
            "Read the replies in the thread of one channel message. Returns `{items, next_cursor}`.",
            list_message_replies,
        ).read_only().scopes(&["ChannelMessage.Read.All"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_CHATS",
            "List the user's chats (one-on-one, group and meeting chats, not team channels) with `id`, `chatType`, `topic` (null for most one-on-one chats), `lastUpdatedDateTime` and, by default, `members`, so a chat can be found by who is in it. Returns `{items, next_cursor}`.",
            list_chats,
        ).read_only().any_scope(&["Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
            "Send a message in an existing chat (one-on-one, group or meeting chat), as plain text or HTML, optionally with @mentions of members. For team channels use MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE. Returns the created message with its `id`.",
            send_chat_message,
        ).any_scope(&["ChatMessage.Send", "Chat.ReadWrite"]))
        .action(Action::new(
            "MICROSOFT_TEAMS_LIST_CHAT_MESSAGES",
            "Read the messages of a chat, newest first. Each message has `id`, `from.user`, `createdDateTime`, `body` (`contentType` text or html, `content`) and `mentions`. Returns `{items, next_cursor}`: pass `next_cursor` back as `cursor` for older messages.",
            list_chat_messages,
        ).read_only().any_scope(&["Chat.Read", "Chat.ReadWrite"]))
}

actionhost_sdk::export_provider!(provider);

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(id: &str, name: &str) -> Mention {
        Mention {
            user_id: id.into(),
            display_name: name.into(),
        }
    }

    const JANE: &str = "ef1c916a-3135-4417-ba27-8eb7bd084193";
    const JAN: &str = "8ea0e38b-efb3-4757-924a-5f94061cf8c2";

    #[test]
    fn text_without_mentions_goes_as_written() {
        let (body, mentions) = compose("a < b\nc", ContentType::Text, &[]).unwrap();
        assert_eq!(
            body,
            ItemBody {
                content_type: ContentType::Text,
                content: "a < b\nc".into()
            }
        );
        assert!(mentions.is_empty());
    }

    #[test]
    fn mentions_replace_the_longest_names_first_and_escape_the_text() {
        let (body, mentions) = compose(
            "Hi @Jan & @Jane Smith <b>\nbye",
            ContentType::Text,
            &[mention(JAN, "Jan"), mention(JANE, "Jane Smith")],
        )
        .unwrap();
        assert_eq!(body.content_type, ContentType::Html);
        assert_eq!(
            body.content,
            "Hi <at id=\"0\">Jan</at> &amp; <at id=\"1\">Jane Smith</at> &lt;b&gt;<br>bye"
        );
        assert_eq!(mentions.len(), 2);
        assert_eq!(mentions[1].mention_text, "Jane Smith");
        assert_eq!(mentions[1].mentioned.user.id, JANE);
    }

    #[test]
    fn a_mention_missing_from_the_text_leads_the_message_and_names_are_escaped() {
        let (body, _) = compose(
            "<p>Please review</p>",
            ContentType::Html,
            &[mention(JANE, "O'Neil <QA>"), mention(JAN, "Jan")],
        )
        .unwrap();
        assert_eq!(
            body.content,
            "<at id=\"0\">O'Neil &lt;QA&gt;</at> <at id=\"1\">Jan</at> <p>Please review</p>"
        );
    }

    #[test]
    fn bad_mentions_and_blank_content_are_refused() {
        let error = compose(
            "hi",
            ContentType::Text,
            &[mention("jane@contoso.com", "Jane")],
        )
        .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(m) if m.contains("mentions[0].user_id")));
        let error = compose("hi", ContentType::Text, &[mention(JANE, " ")]).unwrap_err();
        assert_eq!(
            error,
            Error::invalid_input("`mentions[0].display_name` must not be blank")
        );
        let error = compose(" \n", ContentType::Text, &[]).unwrap_err();
        assert_eq!(error, Error::invalid_input("`content` must not be blank"));
    }
}
