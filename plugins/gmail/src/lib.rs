//! Gmail provider: send, draft and reply to mail, search and read messages with their bodies
//! and attachments, label, archive and trash them, through the Gmail API v1
//! (<https://developers.google.com/gmail/api/reference/rest>).
//!
//! Outgoing mail is an RFC 5322 message built with `mail-builder` (the SDK's [`mail`] module)
//! and sent as base64url `raw`; a message over [`RAW_LIMIT`] goes to the media upload endpoint
//! instead (`/upload/...?uploadType=multipart`, a `multipart/related` body: the metadata JSON,
//! then the message as `message/rfc822`). `GMAIL_GET_MESSAGE` decodes Gmail's MIME tree into
//! headers, plain text and HTML bodies and an attachment list, since base64url MIME parts are
//! unusable for a model. Google's error envelope is mapped by [`google::errors`].

use actionhost_sdk::files::{self, Base64File, FileContent};
use actionhost_sdk::google;
use actionhost_sdk::mail::{self, MessageBuilder};
use actionhost_sdk::multipart::Multipart;
use actionhost_sdk::prelude::*;

/// The signed-in user's mailbox; every path below is relative to it.
const USER: &str = "/gmail/v1/users/me";

/// Largest message sent inline as `raw` JSON; Google's upload guide advises the simple request
/// for up to 5 MB and the upload endpoint beyond.
pub const RAW_LIMIT: usize = 5 * 1024 * 1024;

/// Largest message this plugin sends: the host caps request bodies at 16 MiB, and the upload
/// body carries the metadata and multipart framing beside the message.
pub const MESSAGE_LIMIT: usize = 15 * 1024 * 1024;

/// Largest attachment accepted, once decoded (attachments are base64 again in the message, so
/// the whole message stays under [`MESSAGE_LIMIT`] only with about 11 MiB of attachments).
const ATTACHMENT_LIMIT: usize = 10 * 1024 * 1024;

/// Largest attachment `GMAIL_GET_ATTACHMENT` returns: its base64 text must fit in the host's
/// 4 MiB output cap.
pub const DOWNLOAD_LIMIT: usize = 3 * 1024 * 1024;

const SCOPE_ALL: &str = "https://mail.google.com/";
const SCOPE_MODIFY: &str = "https://www.googleapis.com/auth/gmail.modify";
const SCOPE_READONLY: &str = "https://www.googleapis.com/auth/gmail.readonly";
const SCOPE_METADATA: &str = "https://www.googleapis.com/auth/gmail.metadata";
const SCOPE_LABELS: &str = "https://www.googleapis.com/auth/gmail.labels";
const SCOPE_COMPOSE: &str = "https://www.googleapis.com/auth/gmail.compose";
const SCOPE_SEND: &str = "https://www.googleapis.com/auth/gmail.send";

/// Scopes that may read full messages (`format=full`, search with `q`, attachments).
const READ: &[&str] = &[SCOPE_READONLY, SCOPE_MODIFY, SCOPE_ALL];
/// Scopes that may send a message.
const SEND: &[&str] = &[SCOPE_SEND, SCOPE_COMPOSE, SCOPE_MODIFY, SCOPE_ALL];
/// Scopes that may create and send drafts.
const COMPOSE: &[&str] = &[SCOPE_COMPOSE, SCOPE_MODIFY, SCOPE_ALL];
/// Scopes that may change labels and trash messages.
const MODIFY: &[&str] = &[SCOPE_MODIFY, SCOPE_ALL];

fn api() -> Api {
    Api::new("https://gmail.googleapis.com")
        .header("Accept", "application/json")
        .errors(google::errors)
}

/// Refuses a blank id before it turns a path like `/messages/{id}` into another endpoint.
fn id<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    Ok(value)
}

/// A plain e-mail address (`local@domain`): no display name, spaces, brackets or line breaks,
/// which would otherwise end up inside a header.
fn check_address(field: &str, address: &str) -> Result<(), Error> {
    let plain = address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !address
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"()[]".contains(c));
    if plain {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "`{field}` is not a plain e-mail address like ada@example.com: {address:?}"
        )))
    }
}

fn check_addresses(field: &str, addresses: &[String]) -> Result<(), Error> {
    for (i, address) in addresses.iter().enumerate() {
        check_address(&format!("{field}[{i}]"), address)?;
    }
    Ok(())
}

/// A file to attach.
#[derive(Deserialize, JsonSchema)]
struct Attachment {
    /// File name shown to the recipients, with its extension, e.g. `report.pdf`.
    #[schemars(length(min = 1))]
    filename: String,
    /// MIME type of the file, e.g. `application/pdf` or `image/png` (default
    /// `application/octet-stream`).
    mime_type: Option<String>,
    /// The file's content, base64-encoded (standard or URL-safe alphabet), at most 10 MiB once
    /// decoded; all attachments together at most about 11 MiB.
    content_base64: Base64File<ATTACHMENT_LIMIT>,
}

/// The body and attachments of a new message (shared by sending, drafting and replying).
#[derive(Deserialize, JsonSchema)]
struct Content {
    /// Plain-text body. Give `body`, `html_body` or both (mail clients then show the HTML and
    /// fall back to the text).
    body: Option<String>,
    /// HTML body, e.g. `<p>Hello <b>Ada</b></p>`.
    html_body: Option<String>,
    /// Files to attach (none by default).
    #[serde(default)]
    attachments: Vec<Attachment>,
}

impl Content {
    fn is_empty(&self) -> bool {
        self.body.is_none() && self.html_body.is_none() && self.attachments.is_empty()
    }

    fn add_to<'a>(&'a self, mut message: MessageBuilder<'a>) -> Result<MessageBuilder<'a>, Error> {
        if let Some(text) = &self.body {
            message = message.text_body(text.as_str());
        }
        if let Some(html) = &self.html_body {
            message = message.html_body(html.as_str());
        }
        if self.body.is_none() && self.html_body.is_none() {
            message = message.text_body("");
        }
        for (i, file) in self.attachments.iter().enumerate() {
            if file.filename.trim().is_empty() {
                return Err(Error::invalid_input(format!(
                    "`attachments[{i}].filename` must not be blank"
                )));
            }
            let mime_type = file
                .mime_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            if !mime_type.contains('/') || mime_type.chars().any(|c| c.is_whitespace()) {
                return Err(Error::invalid_input(format!(
                    "`attachments[{i}].mime_type` is not a MIME type like application/pdf: {mime_type:?}"
                )));
            }
            message = message.attachment(
                mime_type,
                file.filename.as_str(),
                file.content_base64.bytes(),
            );
        }
        Ok(message)
    }
}

/// Input of `GMAIL_SEND_EMAIL` and `GMAIL_CREATE_DRAFT`.
#[derive(Deserialize, JsonSchema)]
struct Compose {
    /// Recipients' e-mail addresses, e.g. `["ada@example.com"]` (plain addresses, no display
    /// names). Sending needs at least one address in `to`, `cc` or `bcc`.
    #[serde(default)]
    #[schemars(inner(email))]
    to: Vec<String>,
    /// Addresses to copy (Cc), visible to every recipient.
    #[serde(default)]
    #[schemars(inner(email))]
    cc: Vec<String>,
    /// Addresses to blind-copy (Bcc), hidden from the other recipients.
    #[serde(default)]
    #[schemars(inner(email))]
    bcc: Vec<String>,
    /// Subject line, plain text in any language (none by default).
    subject: Option<String>,
    /// Address that replies should go to, when not the sender's own.
    #[schemars(email)]
    reply_to: Option<String>,
    #[serde(flatten)]
    content: Content,
}

impl Compose {
    fn check(&self) -> Result<(), Error> {
        check_addresses("to", &self.to)?;
        check_addresses("cc", &self.cc)?;
        check_addresses("bcc", &self.bcc)?;
        if let Some(reply_to) = &self.reply_to {
            check_address("reply_to", reply_to)?;
        }
        Ok(())
    }

    fn message(&self) -> Result<Vec<u8>, Error> {
        let mut message = MessageBuilder::new();
        message = with_addresses(message, Header::To, &self.to);
        message = with_addresses(message, Header::Cc, &self.cc);
        message = with_addresses(message, Header::Bcc, &self.bcc);
        if let Some(reply_to) = &self.reply_to {
            message = message.reply_to(reply_to.as_str());
        }
        if let Some(subject) = &self.subject {
            message = message.subject(subject.as_str());
        }
        finish(self.content.add_to(message)?)
    }
}

#[derive(Clone, Copy)]
enum Header {
    To,
    Cc,
    Bcc,
}

/// Sets an address header when the list is not empty (an empty `To:` is not a valid header).
fn with_addresses<'a>(
    message: MessageBuilder<'a>,
    header: Header,
    addresses: &'a [String],
) -> MessageBuilder<'a> {
    if addresses.is_empty() {
        return message;
    }
    let list: Vec<&str> = addresses.iter().map(String::as_str).collect();
    match header {
        Header::To => message.to(list),
        Header::Cc => message.cc(list),
        Header::Bcc => message.bcc(list),
    }
}

/// The message's bytes, refused when too large to send.
fn finish(message: MessageBuilder<'_>) -> Result<Vec<u8>, Error> {
    let bytes = mail::to_bytes(message)?;
    if bytes.len() > MESSAGE_LIMIT {
        return Err(Error::invalid_input(format!(
            "the message is {} bytes with its attachments encoded; at most {MESSAGE_LIMIT} bytes can be sent (attach less)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Sends the message to `path` (`/messages/send` or `/drafts`): when small, inline as the JSON
/// body `inline` builds around its base64url `raw`; else through the upload endpoint, with
/// `metadata` (the same resource without `raw`) as the first part and the message as the second.
fn send_message(
    path: &str,
    metadata: Value,
    inline: impl FnOnce(String) -> Value,
    message: Vec<u8>,
) -> Result<Passthrough, Error> {
    if message.len() <= RAW_LIMIT {
        let body = inline(files::encode_url(&message));
        return api()
            .post(&format!("{USER}{path}"))
            .json(&body)
            .send()?
            .json();
    }
    let body = Multipart::related()
        .json(&metadata)?
        .part("message/rfc822", message);
    api()
        .post(&format!("/upload{USER}{path}"))
        .query(&[("uploadType", "multipart")])
        .multipart(body)
        .send()?
        .json()
}

fn send_email(input: Compose, _: &Context) -> Result<Passthrough, Error> {
    input.check()?;
    if input.to.is_empty() && input.cc.is_empty() && input.bcc.is_empty() {
        return Err(Error::invalid_input(
            "give at least one recipient in `to`, `cc` or `bcc`",
        ));
    }
    if input.content.is_empty() {
        return Err(Error::invalid_input(
            "give a `body`, an `html_body` or `attachments`",
        ));
    }
    send_message(
        "/messages/send",
        json!({}),
        |raw| json!({"raw": raw}),
        input.message()?,
    )
}

fn create_draft(input: Compose, _: &Context) -> Result<Passthrough, Error> {
    input.check()?;
    send_message(
        "/drafts",
        json!({}),
        |raw| json!({"message": {"raw": raw}}),
        input.message()?,
    )
}

/// Input of `GMAIL_SEND_DRAFT`.
#[derive(Deserialize, JsonSchema)]
struct SendDraft {
    /// Id of the draft (`id` returned by `GMAIL_CREATE_DRAFT`, not its message id).
    #[schemars(length(min = 1))]
    draft_id: String,
}

fn send_draft(input: SendDraft, _: &Context) -> Result<Passthrough, Error> {
    let draft_id = id("draft_id", &input.draft_id)?;
    api()
        .post(&format!("{USER}/drafts/send"))
        .json(&json!({"id": draft_id}))
        .send()?
        .json()
}

/// Input of `GMAIL_REPLY_TO_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct Reply {
    /// Id of the message to answer (`id` from `GMAIL_LIST_MESSAGES` or `GMAIL_GET_MESSAGE`).
    #[schemars(length(min = 1))]
    message_id: String,
    /// Also reply to everyone else the message went to (its To and Cc), not only to its
    /// sender. Default false.
    #[serde(default)]
    reply_all: bool,
    /// More addresses to copy (Cc).
    #[serde(default)]
    #[schemars(inner(email))]
    cc: Vec<String>,
    /// Addresses to blind-copy (Bcc).
    #[serde(default)]
    #[schemars(inner(email))]
    bcc: Vec<String>,
    #[serde(flatten)]
    content: Content,
}

/// The headers of the message replied to, as `format=metadata` returns them.
const REPLY_HEADERS: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Message-ID",
    "References",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GmailMessage {
    id: String,
    thread_id: Option<String>,
    #[serde(default)]
    label_ids: Vec<String>,
    snippet: Option<String>,
    history_id: Option<String>,
    internal_date: Option<String>,
    size_estimate: Option<u64>,
    payload: Option<GmailPart>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GmailPart {
    mime_type: Option<String>,
    filename: Option<String>,
    #[serde(default)]
    headers: Vec<MessageHeader>,
    body: Option<GmailBody>,
    #[serde(default)]
    parts: Vec<GmailPart>,
}

impl GmailPart {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GmailBody {
    attachment_id: Option<String>,
    size: Option<u64>,
    data: Option<String>,
}

/// An address of a header, with its display name when it has one.
#[derive(Clone)]
struct Mailbox {
    name: Option<String>,
    address: String,
}

/// The addresses of an address-list header (`"Doe, Jane" <jane@example.com>, bob@example.com`),
/// parsed by `mail-parser`.
fn mailboxes(header: &str, value: Option<&str>) -> Vec<Mailbox> {
    let Some(value) = value else {
        return Vec::new();
    };
    let raw = format!("{header}: {value}\r\n\r\n");
    let Some(parsed) = mail_parser::MessageParser::default().parse_headers(raw.as_bytes()) else {
        return Vec::new();
    };
    let list = match header {
        "From" => parsed.from(),
        "To" => parsed.to(),
        "Cc" => parsed.cc(),
        _ => parsed.reply_to(),
    };
    list.map(|list| {
        list.iter()
            .filter_map(|addr| {
                Some(Mailbox {
                    name: addr.name().map(str::to_string),
                    address: addr.address()?.to_string(),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Message ids of a `Message-ID` or `References` header, without their angle brackets.
fn message_ids(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split_whitespace()
        .map(|id| id.trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|id| !id.is_empty())
        .collect()
}

fn reply_to_message(input: Reply, _: &Context) -> Result<Passthrough, Error> {
    let message_id = id("message_id", &input.message_id)?;
    check_addresses("cc", &input.cc)?;
    check_addresses("bcc", &input.bcc)?;
    if input.content.is_empty() {
        return Err(Error::invalid_input(
            "give a `body`, an `html_body` or `attachments`",
        ));
    }
    let mut query = vec![("format", "metadata")];
    query.extend(REPLY_HEADERS.iter().map(|h| ("metadataHeaders", *h)));
    let original: GmailMessage = api()
        .get(&path!("/gmail/v1/users/me/messages/{}", message_id))
        .query(&query)
        .send()?
        .json()?;
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Profile {
        email_address: String,
    }
    let me: Profile = api().get(&format!("{USER}/profile")).send()?.json()?;
    let is_me = |m: &Mailbox| m.address.eq_ignore_ascii_case(&me.email_address);

    let headers = original.payload.unwrap_or_default();
    let from = mailboxes("From", headers.header("From"));
    let original_to = mailboxes("To", headers.header("To"));
    // A reply to one's own message goes on to the same people, as Gmail's Reply does.
    let mut to = if !from.is_empty() && from.iter().all(is_me) {
        original_to.clone()
    } else {
        let reply_to = mailboxes("Reply-To", headers.header("Reply-To"));
        if reply_to.is_empty() { from } else { reply_to }
    };
    let mut cc = Vec::new();
    if input.reply_all {
        let original_cc = mailboxes("Cc", headers.header("Cc"));
        cc.extend(original_to.into_iter().chain(original_cc));
    }
    cc.extend(input.cc.iter().map(|address| Mailbox {
        name: None,
        address: address.clone(),
    }));
    dedupe(&mut to, &[]);
    let taken: Vec<String> = to.iter().map(|m| m.address.clone()).collect();
    cc.retain(|m| !is_me(m));
    dedupe(&mut cc, &taken);
    if to.is_empty() {
        return Err(Error::invalid_input(format!(
            "message {message_id} has no sender address to reply to"
        )));
    }

    let subject = headers.header("Subject").unwrap_or("").trim();
    let subject = if subject
        .get(..3)
        .is_some_and(|re| re.eq_ignore_ascii_case("re:"))
    {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    };
    let parent = message_ids(headers.header("Message-ID"));
    let mut references = message_ids(headers.header("References"));
    references.extend(parent.iter().cloned());

    let mut message = MessageBuilder::new().to(addresses(&to)).subject(subject);
    if !cc.is_empty() {
        message = message.cc(addresses(&cc));
    }
    if !input.bcc.is_empty() {
        message = with_addresses(message, Header::Bcc, &input.bcc);
    }
    if let Some(parent) = parent.first() {
        message = message.in_reply_to(parent.clone()).references(references);
    }
    let bytes = finish(input.content.add_to(message)?)?;
    let thread_id = original.thread_id;
    let metadata = match &thread_id {
        Some(thread) => json!({"threadId": thread}),
        None => json!({}),
    };
    let inline = |raw: String| match &thread_id {
        Some(thread) => json!({"raw": raw, "threadId": thread}),
        None => json!({"raw": raw}),
    };
    send_message("/messages/send", metadata, inline, bytes)
}

/// Drops repeated addresses and those in `taken` (compared case-insensitively).
fn dedupe(list: &mut Vec<Mailbox>, taken: &[String]) {
    let mut seen: Vec<String> = taken.iter().map(|a| a.to_ascii_lowercase()).collect();
    list.retain(|m| {
        let key = m.address.to_ascii_lowercase();
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
}

fn addresses(list: &[Mailbox]) -> mail::headers::address::Address<'static> {
    let items = list
        .iter()
        .map(|m| mail::headers::address::Address::new_address(m.name.clone(), m.address.clone()))
        .collect();
    mail::headers::address::Address::new_list(items)
}

/// Input of `GMAIL_LIST_MESSAGES`.
#[derive(Deserialize, JsonSchema)]
struct ListMessages {
    /// Gmail search query, as typed in Gmail's search box, e.g. `from:ada@example.com
    /// is:unread`, `subject:invoice after:2024/01/31 has:attachment`, `in:sent newer_than:7d`.
    /// All mail but spam and trash when absent.
    q: Option<String>,
    /// Only messages carrying every one of these label ids, e.g. `["INBOX", "UNREAD"]` (system
    /// labels are their names; ids of user labels come from `GMAIL_LIST_LABELS`).
    #[serde(default)]
    label_ids: Vec<String>,
    /// Messages per page, 1 to 500 (default 100).
    #[schemars(range(min = 1, max = 500))]
    max_results: Option<u32>,
    /// `nextPageToken` of the previous page, to fetch the next one.
    page_token: Option<String>,
    /// Include messages in Spam and Trash (default false).
    include_spam_trash: Option<bool>,
}

fn list_messages(input: ListMessages, _: &Context) -> Result<Passthrough, Error> {
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(q) = &input.q {
        query.push(("q", q.clone()));
    }
    for label in &input.label_ids {
        query.push(("labelIds", label.clone()));
    }
    if let Some(max) = input.max_results {
        query.push(("maxResults", max.to_string()));
    }
    if let Some(token) = &input.page_token {
        query.push(("pageToken", token.clone()));
    }
    if let Some(spam) = input.include_spam_trash {
        query.push(("includeSpamTrash", spam.to_string()));
    }
    api()
        .get(&format!("{USER}/messages"))
        .query(&query)
        .send()?
        .json()
}

/// Input of `GMAIL_GET_MESSAGE` and `GMAIL_TRASH_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct MessageRef {
    /// The message's id (`id` from `GMAIL_LIST_MESSAGES`), e.g. `18c2f0a1b2c3d4e5`.
    #[schemars(length(min = 1))]
    message_id: String,
}

/// A message header.
#[derive(Deserialize, Serialize, JsonSchema)]
struct MessageHeader {
    /// Header name as in the message, e.g. `List-Unsubscribe`.
    name: String,
    /// Header value, decoded to text.
    value: String,
}

/// An attachment of a message (its content comes from `GMAIL_GET_ATTACHMENT`).
#[derive(Serialize, JsonSchema)]
struct AttachmentInfo {
    /// Pass to `GMAIL_GET_ATTACHMENT` with the message id to download the file; absent for a
    /// small attachment Gmail could not return separately.
    attachment_id: Option<String>,
    /// File name, e.g. `invoice.pdf` (empty for an unnamed inline part).
    filename: String,
    /// MIME type, e.g. `application/pdf`.
    mime_type: String,
    /// Size in bytes.
    size_bytes: u64,
    /// Whether the part is shown inside the HTML body (an inline image with a `Content-ID`)
    /// rather than offered as a file.
    inline: bool,
}

/// A message decoded: its headers, text and HTML bodies and attachment list.
#[derive(Serialize, JsonSchema)]
struct DecodedMessage {
    /// The message's id.
    id: String,
    /// Id of the conversation (thread) the message belongs to.
    thread_id: Option<String>,
    /// Label ids on the message, e.g. `INBOX`, `UNREAD`, `STARRED`, `SENT`, `Label_12`.
    label_ids: Vec<String>,
    /// Short plain-text excerpt of the body, as Gmail shows in lists.
    snippet: Option<String>,
    /// When Gmail received the message, in milliseconds since 1970-01-01T00:00:00Z.
    internal_date_ms: Option<u64>,
    /// Gmail's estimate of the message's size, in bytes.
    size_estimate: Option<u64>,
    /// The mailbox's history id after the message was last changed.
    history_id: Option<String>,
    /// The `Subject` header.
    subject: Option<String>,
    /// The `From` header, e.g. `Ada Lovelace <ada@example.com>`.
    from: Option<String>,
    /// The `To` header (comma-separated addresses).
    to: Option<String>,
    /// The `Cc` header.
    cc: Option<String>,
    /// The `Reply-To` header.
    reply_to: Option<String>,
    /// The `Date` header as the sender wrote it (RFC 5322, e.g. `Tue, 30 Jan 2024 09:15:00 +0100`).
    date: Option<String>,
    /// The `Message-ID` header (an RFC 5322 id, not Gmail's `id`).
    rfc822_message_id: Option<String>,
    /// Every header of the message, in order.
    headers: Vec<MessageHeader>,
    /// The plain-text body (text parts joined), or null when the message has none.
    text_body: Option<String>,
    /// The HTML body, or null when the message has none.
    html_body: Option<String>,
    /// Files attached to the message.
    attachments: Vec<AttachmentInfo>,
}

fn get_message(input: MessageRef, _: &Context) -> Result<DecodedMessage, Error> {
    let message_id = id("message_id", &input.message_id)?;
    let message: GmailMessage = api()
        .get(&path!("/gmail/v1/users/me/messages/{}", message_id))
        .query(&[("format", "full")])
        .send()?
        .json()?;
    Ok(decode(message))
}

fn decode(message: GmailMessage) -> DecodedMessage {
    let payload = message.payload.unwrap_or_default();
    let header = |name: &str| payload.header(name).map(str::to_string);
    let mut bodies = Bodies::default();
    walk(&payload, &mut bodies);
    DecodedMessage {
        id: message.id,
        thread_id: message.thread_id,
        label_ids: message.label_ids,
        snippet: message.snippet,
        internal_date_ms: message.internal_date.and_then(|d| d.parse().ok()),
        size_estimate: message.size_estimate,
        history_id: message.history_id,
        subject: header("Subject"),
        from: header("From"),
        to: header("To"),
        cc: header("Cc"),
        reply_to: header("Reply-To"),
        date: header("Date"),
        rfc822_message_id: header("Message-ID"),
        text_body: bodies.text,
        html_body: bodies.html,
        attachments: bodies.attachments,
        headers: payload.headers,
    }
}

#[derive(Default)]
struct Bodies {
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<AttachmentInfo>,
}

/// Collects the text and HTML parts and the attachments of a MIME tree, depth first.
fn walk(part: &GmailPart, into: &mut Bodies) {
    let mime_type = part.mime_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let filename = part.filename.clone().unwrap_or_default();
    let body = part.body.as_ref();
    let attachment_id = body.and_then(|b| b.attachment_id.clone());
    let disposition = part
        .header("Content-Disposition")
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_text = mime_type == "text/plain" || mime_type == "text/html";
    if !filename.is_empty()
        || disposition.starts_with("attachment")
        || (attachment_id.is_some() && !is_text)
    {
        into.attachments.push(AttachmentInfo {
            attachment_id,
            filename,
            mime_type,
            size_bytes: body.and_then(|b| b.size).unwrap_or(0),
            inline: disposition.starts_with("inline") || part.header("Content-ID").is_some(),
        });
        return;
    }
    if is_text && let Some(data) = body.and_then(|b| b.data.as_deref()) {
        let text = decode_text(data, part.header("Content-Type"));
        let slot = if mime_type == "text/plain" {
            &mut into.text
        } else {
            &mut into.html
        };
        match slot {
            Some(existing) => {
                existing.push('\n');
                existing.push_str(&text);
            }
            None => *slot = Some(text),
        }
    }
    for child in &part.parts {
        walk(child, into);
    }
}

/// A part's base64url data as text in the charset its `Content-Type` names (UTF-8 by default;
/// undecodable bytes become U+FFFD).
fn decode_text(data: &str, content_type: Option<&str>) -> String {
    let bytes = files::decode(data).unwrap_or_default();
    let charset = content_type.and_then(|value| {
        value.split(';').find_map(|param| {
            let (key, value) = param.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_string())
        })
    });
    let encoding = charset
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(&bytes).0.into_owned()
}

/// Input of `GMAIL_GET_ATTACHMENT`.
#[derive(Deserialize, JsonSchema)]
struct GetAttachment {
    /// Id of the message the file is attached to.
    #[schemars(length(min = 1))]
    message_id: String,
    /// `attachment_id` of the file, from `GMAIL_GET_MESSAGE`'s `attachments`.
    #[schemars(length(min = 1))]
    attachment_id: String,
}

fn get_attachment(input: GetAttachment, _: &Context) -> Result<FileContent, Error> {
    let message_id = id("message_id", &input.message_id)?;
    let attachment_id = id("attachment_id", &input.attachment_id)?;
    #[derive(Deserialize)]
    struct Body {
        data: Option<String>,
    }
    let body: Body = api()
        .get(&path!(
            "/gmail/v1/users/me/messages/{}/attachments/{}",
            message_id,
            attachment_id
        ))
        .send()?
        .json()?;
    let bytes = files::decode(body.data.as_deref().unwrap_or(""))
        .map_err(|e| Error::internal(format!("Gmail sent an attachment that is {e}")))?;
    if bytes.len() > DOWNLOAD_LIMIT {
        return Err(Error::invalid_input(format!(
            "the attachment is {} bytes; this action returns attachments of at most {DOWNLOAD_LIMIT} bytes",
            bytes.len()
        )));
    }
    Ok(FileContent {
        content_base64: files::encode(&bytes),
        size_bytes: bytes.len() as u64,
        content_type: None,
    })
}

/// Input of `GMAIL_MODIFY_LABELS`.
#[derive(Deserialize, JsonSchema)]
struct ModifyLabels {
    /// The message's id.
    #[schemars(length(min = 1))]
    message_id: String,
    /// Label ids to add, e.g. `STARRED` (star), `UNREAD` (mark unread), `IMPORTANT`, `INBOX`
    /// (move back to the inbox) or a user label's id from `GMAIL_LIST_LABELS`.
    #[serde(default)]
    add_label_ids: Vec<String>,
    /// Label ids to remove, e.g. `INBOX` (archive), `UNREAD` (mark read), `STARRED` (unstar).
    #[serde(default)]
    remove_label_ids: Vec<String>,
}

fn modify_labels(input: ModifyLabels, _: &Context) -> Result<Passthrough, Error> {
    let message_id = id("message_id", &input.message_id)?;
    if input.add_label_ids.is_empty() && input.remove_label_ids.is_empty() {
        return Err(Error::invalid_input(
            "give label ids in `add_label_ids`, `remove_label_ids` or both",
        ));
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        add_label_ids: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        remove_label_ids: &'a [String],
    }
    api()
        .post(&path!("/gmail/v1/users/me/messages/{}/modify", message_id))
        .json(&Body {
            add_label_ids: &input.add_label_ids,
            remove_label_ids: &input.remove_label_ids,
        })
        .send()?
        .json()
}

/// Input of `GMAIL_LIST_LABELS` (none: Gmail returns every label at once, unpaged).
#[derive(Deserialize, JsonSchema)]
struct ListLabels {}

fn list_labels(_: ListLabels, _: &Context) -> Result<Passthrough, Error> {
    api().get(&format!("{USER}/labels")).send()?.json()
}

fn trash_message(input: MessageRef, _: &Context) -> Result<Passthrough, Error> {
    let message_id = id("message_id", &input.message_id)?;
    api()
        .post(&path!("/gmail/v1/users/me/messages/{}/trash", message_id))
        .send()?
        .json()
}

/// Checks the new token with `users.getProfile` and labels the account with its address.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Profile {
        email_address: Option<String>,
    }
    let profile: Profile = api().get(&format!("{USER}/profile")).send()?.json()?;
    Ok(match profile.email_address {
        Some(address) => ConnectedAccount::labelled(address),
        None => ConnectedAccount::default(),
    })
}

pub fn provider() -> Provider {
    Provider::new("gmail", "Gmail")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Send, draft, search, read and organise mail in a Gmail mailbox.")
        .categories(&["communication", "email"])
        .auth(Auth::bearer_oauth2(
            // gmail.modify covers every action below (read, compose, send, label, trash)
            // and, unlike https://mail.google.com/, cannot delete mail for good.
            google::oauth(&[SCOPE_MODIFY]),
        ))
        .origin("https://gmail.googleapis.com")
        .after_connect(after_connect)
        .action(Action::new(
            "GMAIL_SEND_EMAIL",
            "Send a new e-mail from the connected Gmail account, with optional Cc, Bcc, Reply-To, plain-text and/or HTML body and file attachments (base64). To answer an existing message in its conversation use GMAIL_REPLY_TO_MESSAGE; to prepare mail for later use GMAIL_CREATE_DRAFT. Returns the sent message's `id`, `threadId` and `labelIds`.",
            send_email,
        ).any_scope(SEND))
        .action(Action::new(
            "GMAIL_CREATE_DRAFT",
            "Save a new draft e-mail (recipients, subject, plain-text and/or HTML body, attachments) without sending it; every field is optional. Send it later with GMAIL_SEND_DRAFT. Returns the draft's `id` and its `message` (`id`, `threadId`).",
            create_draft,
        ).any_scope(COMPOSE))
        .action(Action::new(
            "GMAIL_SEND_DRAFT",
            "Send an existing draft by its draft id (from GMAIL_CREATE_DRAFT) to the recipients it names; the draft is removed. Returns the sent message's `id`, `threadId` and `labelIds`.",
            send_draft,
        ).any_scope(COMPOSE))
        .action(Action::new(
            "GMAIL_REPLY_TO_MESSAGE",
            "Reply to a received message in its conversation: addressed to its sender (or Reply-To; with `reply_all`, also to its other recipients), subject `Re: ...`, with In-Reply-To and References set so mail clients thread it. Use instead of GMAIL_SEND_EMAIL when answering a message. Returns the sent message's `id`, `threadId` and `labelIds`.",
            reply_to_message,
        ).any_scope(&[SCOPE_METADATA, SCOPE_READONLY, SCOPE_MODIFY, SCOPE_ALL]).any_scope(SEND))
        .action(Action::new(
            "GMAIL_LIST_MESSAGES",
            "Search the mailbox with Gmail's search syntax (`q`, e.g. `from:ada@example.com is:unread newer_than:7d`) and/or label ids, newest first. Returns `messages` as ids and thread ids only (read one with GMAIL_GET_MESSAGE), `resultSizeEstimate`, and `nextPageToken` when more pages remain (pass it as `page_token`).",
            list_messages,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GMAIL_GET_MESSAGE",
            "Read one message by id, decoded: subject, from, to, cc, date and every header, the plain-text and HTML bodies as text, labels, and the list of attachments (names, types, sizes and ids for GMAIL_GET_ATTACHMENT).",
            get_message,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GMAIL_GET_ATTACHMENT",
            "Download one attachment of a message, by the message id and the `attachment_id` that GMAIL_GET_MESSAGE lists. Returns the file as standard base64 (`content_base64`) with its size in bytes; files over 3 MiB are refused.",
            get_attachment,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GMAIL_MODIFY_LABELS",
            "Add and/or remove labels on a message: archive (remove `INBOX`), mark read (remove `UNREAD`) or unread (add `UNREAD`), star (add `STARRED`), or apply a user label by id (GMAIL_LIST_LABELS). Returns the message's `id`, `threadId` and new `labelIds`.",
            modify_labels,
        ).idempotent().any_scope(MODIFY))
        .action(Action::new(
            "GMAIL_LIST_LABELS",
            "List every label of the mailbox, system (`INBOX`, `UNREAD`, `STARRED`, `SENT`, ...) and user-created, with ids, names and types; use the ids with GMAIL_LIST_MESSAGES and GMAIL_MODIFY_LABELS. Returns `labels` (all at once: Gmail does not page them).",
            list_labels,
        ).read_only().any_scope(&[SCOPE_LABELS, SCOPE_METADATA, SCOPE_READONLY, SCOPE_MODIFY, SCOPE_ALL]))
        .action(Action::new(
            "GMAIL_TRASH_MESSAGE",
            "Move a message to the Trash, where Gmail deletes it for good after 30 days (it can be restored until then). To only take it out of the inbox, archive it with GMAIL_MODIFY_LABELS instead. Returns the message's `id`, `threadId` and `labelIds`.",
            trash_message,
        ).destructive().idempotent().any_scope(MODIFY))
}

actionhost_sdk::export_provider!(provider);
