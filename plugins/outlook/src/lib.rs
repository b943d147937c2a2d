//! Outlook provider: send, draft and reply to mail, list, search and read messages, move,
//! flag and categorise them, and list mail folders, through Microsoft Graph v1.0
//! (<https://learn.microsoft.com/en-us/graph/api/resources/mail-api-overview>).
//!
//! Graph's error envelope, OAuth (tenant in the URL, PKCE, `offline_access`) and paging by
//! `@odata.nextLink` come from the SDK's [`microsoft`] module; this file holds the input types,
//! the requests and the checks Graph would otherwise fail on late or obscurely: attachments sent
//! inline are capped as Graph caps them ([`ATTACHMENT_LIMIT`], [`REQUEST_LIMIT`]), `$search` is
//! never combined with `$filter` or `$orderby` (Graph refuses that on messages), and a folder
//! given by display name is looked up among the mailbox's folders with a clear error when none
//! matches. Messages are read with `Prefer: outlook.body-content-type="text"` so that a model
//! gets the body as text rather than HTML.

use actionhost_sdk::files::{self, Base64File};
use actionhost_sdk::microsoft;
use actionhost_sdk::paginate::{Limits, Paged};
use actionhost_sdk::prelude::*;
use chrono::{DateTime, SecondsFormat, Utc};

/// Largest file attached inline (as `contentBytes`), once decoded: Graph's documented limit for
/// attaching in the message itself; larger files need an upload session, which this plugin does
/// not do.
pub const ATTACHMENT_LIMIT: usize = 3 * 1024 * 1024;

/// Largest request body sent to `sendMail` or to create a draft: Graph refuses requests over
/// 4 MB. Attachments travel as base64, about 4/3 of their size.
pub const REQUEST_LIMIT: usize = 4 * 1024 * 1024;

/// Messages per page when `page_size` is not given.
const DEFAULT_PAGE_SIZE: u32 = 25;

/// Pages of folders read to find a folder by its display name (100 folders each).
const FOLDER_PAGES: usize = 10;

/// Fields of a message in `OUTLOOK_LIST_MESSAGES`: enough to choose one, without its body.
const LIST_FIELDS: &str = "id,subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,isRead,isDraft,hasAttachments,importance,flag,categories,bodyPreview,conversationId,parentFolderId,webLink";

/// Fields of a message in `OUTLOOK_GET_MESSAGE`.
const GET_FIELDS: &str = "id,subject,from,sender,toRecipients,ccRecipients,bccRecipients,replyTo,receivedDateTime,sentDateTime,isRead,isDraft,hasAttachments,importance,flag,categories,body,conversationId,parentFolderId,internetMessageId,webLink";

/// Fields of an attachment listed by `OUTLOOK_GET_MESSAGE` (not its content).
const ATTACHMENT_FIELDS: &str = "id,name,contentType,size,isInline";

/// Folder names Graph accepts in place of a folder id (the documented well-known names that a
/// mailbox always has).
const WELL_KNOWN_FOLDERS: &[&str] = &[
    "inbox",
    "drafts",
    "sentitems",
    "deleteditems",
    "archive",
    "junkemail",
    "outbox",
];

/// Graph's delegated mail permissions, as its permission reference spells them.
const MAIL_READ_BASIC: &str = "Mail.ReadBasic";
const MAIL_READ: &str = "Mail.Read";
const MAIL_READ_WRITE: &str = "Mail.ReadWrite";
const MAIL_SEND: &str = "Mail.Send";

/// Refuses a blank id before it turns a path like `/me/messages/{id}` into another endpoint.
fn id<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("`{field}` must not be blank")));
    }
    Ok(value)
}

/// A plain e-mail address (`local@domain`): no display name, spaces, brackets or line breaks.
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

/// Graph's `recipient` resources for plain addresses, checked.
fn recipients<'a>(field: &str, addresses: &'a [String]) -> Result<Vec<Recipient<'a>>, Error> {
    addresses
        .iter()
        .enumerate()
        .map(|(i, address)| {
            check_address(&format!("{field}[{i}]"), address)?;
            Ok(Recipient {
                email_address: EmailAddress { address },
            })
        })
        .collect()
}

/// Graph's `recipient`: `{"emailAddress": {"address": "..."}}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Recipient<'a> {
    email_address: EmailAddress<'a>,
}

#[derive(Serialize)]
struct EmailAddress<'a> {
    address: &'a str,
}

/// How a body is written: plain `text` or `html` (variants undocumented so that the schema is a
/// plain `enum`, which every tool-calling API accepts).
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum BodyType {
    #[default]
    Text,
    Html,
}

/// A message's importance.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum Importance {
    Low,
    Normal,
    High,
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
    /// The file's content, base64-encoded (standard or URL-safe alphabet), at most 3 MiB once
    /// decoded. Graph takes at most 4 MiB per request, and base64 adds a third, so all
    /// attachments of one message together can be about 2.9 MiB; larger files are refused.
    content_base64: Base64File<ATTACHMENT_LIMIT>,
}

/// Input of `OUTLOOK_SEND_EMAIL` and `OUTLOOK_CREATE_DRAFT`.
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
    /// Subject line, plain text (none by default).
    subject: Option<String>,
    /// The message body, plain text or HTML as `body_type` says (empty by default).
    body: Option<String>,
    /// Whether `body` is plain `text` (default) or `html` (e.g. `<p>Hello <b>Ada</b></p>`).
    #[serde(default)]
    body_type: BodyType,
    /// Addresses that replies should go to, when not the sender's own.
    #[serde(default)]
    #[schemars(inner(email))]
    reply_to: Vec<String>,
    /// `low`, `normal` (Outlook's default) or `high`.
    importance: Option<Importance>,
    /// Files to attach (none by default), sent inline in the request: each at most 3 MiB, all
    /// together about 2.9 MiB (Graph's 4 MiB request limit, base64 included).
    #[serde(default)]
    attachments: Vec<Attachment>,
}

/// Graph's `itemBody`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemBody<'a> {
    content_type: BodyType,
    content: &'a str,
}

/// Graph's `fileAttachment`, content inline.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileAttachment<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    name: &'a str,
    content_type: &'a str,
    content_bytes: String,
}

/// The `message` resource a new mail or draft is made of.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<ItemBody<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to_recipients: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cc_recipients: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bcc_recipients: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reply_to: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    importance: Option<Importance>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<FileAttachment<'a>>,
}

impl Compose {
    /// The input as Graph's `message`, every address and attachment checked.
    fn message(&self) -> Result<NewMessage<'_>, Error> {
        let mut attachments = Vec::with_capacity(self.attachments.len());
        for (i, file) in self.attachments.iter().enumerate() {
            let name = file.filename.trim();
            if name.is_empty() {
                return Err(Error::invalid_input(format!(
                    "`attachments[{i}].filename` must not be blank"
                )));
            }
            let content_type = file
                .mime_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            if !content_type.contains('/') || content_type.chars().any(char::is_whitespace) {
                return Err(Error::invalid_input(format!(
                    "`attachments[{i}].mime_type` is not a MIME type like application/pdf: {content_type:?}"
                )));
            }
            attachments.push(FileAttachment {
                odata_type: "#microsoft.graph.fileAttachment",
                name,
                content_type,
                content_bytes: files::encode(file.content_base64.bytes()),
            });
        }
        Ok(NewMessage {
            subject: self.subject.as_deref(),
            body: self.body.as_deref().map(|content| ItemBody {
                content_type: self.body_type,
                content,
            }),
            to_recipients: recipients("to", &self.to)?,
            cc_recipients: recipients("cc", &self.cc)?,
            bcc_recipients: recipients("bcc", &self.bcc)?,
            reply_to: recipients("reply_to", &self.reply_to)?,
            importance: self.importance,
            attachments,
        })
    }
}

/// `body` as JSON, refused when over Graph's request limit.
fn json_body(body: &impl Serialize) -> Result<Vec<u8>, Error> {
    let bytes = serde_json::to_vec(body)?;
    if bytes.len() > REQUEST_LIMIT {
        return Err(Error::invalid_input(format!(
            "the request is {} bytes with the attachments in base64; Graph takes at most {REQUEST_LIMIT} bytes (attach less: about 2.9 MiB of files in all)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// What sending answers: Graph accepts the message (HTTP 202) and returns nothing else.
#[derive(Serialize, JsonSchema)]
struct Sent {
    /// Always true: Graph accepted the message for delivery. Delivery happens afterwards; a
    /// failure comes back as a non-delivery report in the mailbox.
    sent: bool,
}

/// Input of `OUTLOOK_SEND_EMAIL`.
#[derive(Deserialize, JsonSchema)]
struct SendEmail {
    #[serde(flatten)]
    message: Compose,
    /// Keep a copy in Sent Items (default true).
    #[serde(default = "yes")]
    save_to_sent_items: bool,
}

fn yes() -> bool {
    true
}

fn send_email(input: SendEmail, _: &Context) -> Result<Sent, Error> {
    let compose = &input.message;
    if compose.to.is_empty() && compose.cc.is_empty() && compose.bcc.is_empty() {
        return Err(Error::invalid_input(
            "give at least one recipient in `to`, `cc` or `bcc`",
        ));
    }
    if compose.body.is_none() && compose.attachments.is_empty() {
        return Err(Error::invalid_input("give a `body` or `attachments`"));
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        message: NewMessage<'a>,
        save_to_sent_items: bool,
    }
    let body = json_body(&Body {
        message: compose.message()?,
        save_to_sent_items: input.save_to_sent_items,
    })?;
    microsoft::graph()
        .post("/me/sendMail")
        .body_bytes("application/json", body)
        .send()?;
    Ok(Sent { sent: true })
}

fn create_draft(input: Compose, _: &Context) -> Result<Passthrough, Error> {
    let body = json_body(&input.message()?)?;
    microsoft::graph()
        .post("/me/messages")
        .body_bytes("application/json", body)
        .send()?
        .json()
}

/// Input of `OUTLOOK_SEND_DRAFT`.
#[derive(Deserialize, JsonSchema)]
struct SendDraft {
    /// Id of the draft message (`id` returned by `OUTLOOK_CREATE_DRAFT`).
    #[schemars(length(min = 1))]
    message_id: String,
}

fn send_draft(input: SendDraft, _: &Context) -> Result<Sent, Error> {
    let message_id = id("message_id", &input.message_id)?;
    microsoft::graph()
        .post(&path!("/me/messages/{}/send", message_id))
        .send()?;
    Ok(Sent { sent: true })
}

/// Input of `OUTLOOK_REPLY_TO_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct Reply {
    /// Id of the message to answer (`id` from `OUTLOOK_LIST_MESSAGES` or `OUTLOOK_GET_MESSAGE`).
    #[schemars(length(min = 1))]
    message_id: String,
    /// The reply's text, placed above the quoted original as Outlook does.
    #[schemars(length(min = 1))]
    comment: String,
    /// Reply to the sender and every other recipient of the message (To and Cc) rather than to
    /// the sender (or its Reply-To) only. Default false.
    #[serde(default)]
    reply_all: bool,
}

fn reply_to_message(input: Reply, _: &Context) -> Result<Sent, Error> {
    let message_id = id("message_id", &input.message_id)?;
    if input.comment.trim().is_empty() {
        return Err(Error::invalid_input("`comment` must not be blank"));
    }
    let action = if input.reply_all { "replyAll" } else { "reply" };
    microsoft::graph()
        .post(&format!(
            "{}/{action}",
            path!("/me/messages/{}", message_id)
        ))
        .json(&json!({"comment": input.comment}))
        .send()?;
    Ok(Sent { sent: true })
}

/// A mail folder as found: its id and, when looked up by name, its display name.
#[derive(Serialize, JsonSchema, Debug, Clone, PartialEq, Eq)]
struct FolderRef {
    /// The folder's id, or the well-known name given (`inbox`, ...).
    id: String,
    /// The display name of the folder `folder_name` matched; null when the folder was given by
    /// id or well-known name.
    display_name: Option<String>,
}

/// A folder given either way: by id or well-known name, or by display name.
#[derive(Deserialize, JsonSchema)]
struct FolderChoice {
    /// Folder by id (from `OUTLOOK_LIST_FOLDERS`) or well-known name: `inbox`, `drafts`,
    /// `sentitems`, `deleteditems`, `archive`, `junkemail` or `outbox`.
    folder_id: Option<String>,
    /// Folder by its display name as Outlook shows it, e.g. `Receipts` (case-insensitive). Only
    /// top-level folders are searched; for a subfolder give `folder_id`.
    folder_name: Option<String>,
}

impl FolderChoice {
    /// The folder named, when one is; looks a display name up among the top-level folders.
    fn resolve(&self) -> Result<Option<FolderRef>, Error> {
        match (&self.folder_id, &self.folder_name) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                "give `folder_id` or `folder_name`, not both",
            )),
            (Some(folder_id), None) => Ok(Some(FolderRef {
                id: folder_key(id("folder_id", folder_id)?),
                display_name: None,
            })),
            (None, Some(name)) => folder_by_name(id("folder_name", name)?).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// A well-known folder name in the lower case Graph documents, anything else as given.
fn folder_key(folder_id: &str) -> String {
    match WELL_KNOWN_FOLDERS
        .iter()
        .find(|name| name.eq_ignore_ascii_case(folder_id))
    {
        Some(name) => name.to_string(),
        None => folder_id.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FolderName {
    id: String,
    display_name: String,
}

/// The top-level folder whose display name is `name` (compared case-insensitively; an exact
/// match wins), or an error listing the names there are.
fn folder_by_name(name: &str) -> Result<FolderRef, Error> {
    let first = microsoft::graph()
        .get("/me/mailFolders")
        .query(&[("$select", "id,displayName"), ("$top", "100")]);
    let folders: Paged<FolderName> = microsoft::list(None, Limits::pages(FOLDER_PAGES), first)?;
    let wanted = name.to_lowercase();
    let found = folders
        .items
        .iter()
        .find(|f| f.display_name == name)
        .or_else(|| {
            folders
                .items
                .iter()
                .find(|f| f.display_name.to_lowercase() == wanted)
        });
    match found {
        Some(folder) => Ok(FolderRef {
            id: folder.id.clone(),
            display_name: Some(folder.display_name.clone()),
        }),
        None => {
            let names: Vec<&str> = folders
                .items
                .iter()
                .map(|f| f.display_name.as_str())
                .collect();
            let more = if folders.next_cursor.is_some() {
                format!(" (the first {} folders)", folders.items.len())
            } else {
                String::new()
            };
            Err(Error::invalid_input(format!(
                "no top-level mail folder is named {name:?}; the folders are{more}: {}. For a subfolder give its `folder_id` (OUTLOOK_LIST_FOLDERS with `parent_folder_id` lists subfolders)",
                names.join(", ")
            )))
        }
    }
}

/// Input of `OUTLOOK_LIST_MESSAGES`.
#[derive(Deserialize, JsonSchema)]
struct ListMessages {
    /// The folder to list (by id or well-known name, e.g. `inbox`). Every folder of the mailbox
    /// when neither this nor `folder_name` is given.
    folder_id: Option<String>,
    /// The folder to list by display name, e.g. `Receipts` (top-level folders only,
    /// case-insensitive).
    folder_name: Option<String>,
    /// Full-text search in Outlook's search syntax (KQL), e.g. `quarterly report`,
    /// `from:ada@example.com`, `subject:invoice hasAttachments:true`,
    /// `received>=2024-01-31`. Results come newest sent first, at most 1,000 in all. Graph
    /// cannot combine a search with `unread_only`, `from`, `received_after`, `received_before`
    /// or `has_attachments`: put those conditions in the search text instead.
    search: Option<String>,
    /// Only unread messages (default false: read and unread).
    #[serde(default)]
    unread_only: bool,
    /// Only messages from this sender address, e.g. `ada@example.com`.
    #[schemars(email)]
    from: Option<String>,
    /// Only messages received at or after this instant, RFC 3339 with an offset, e.g.
    /// `2024-01-31T00:00:00Z`.
    #[schemars(extend("format" = "date-time"))]
    received_after: Option<String>,
    /// Only messages received before this instant, RFC 3339 with an offset.
    #[schemars(extend("format" = "date-time"))]
    received_before: Option<String>,
    /// Only messages with (true) or without (false) file attachments.
    has_attachments: Option<bool>,
    /// Messages per page, 1 to 100 (default 25).
    #[schemars(range(min = 1, max = 100))]
    page_size: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the next one; the other parameters are then
    /// ignored (the cursor carries them).
    cursor: Option<String>,
}

/// An instant for `$filter`, in UTC (`2024-01-31T00:00:00Z`), or an error naming the field.
fn filter_instant(field: &str, text: &str) -> Result<String, Error> {
    let at = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
        Error::invalid_input(format!(
            "`{field}` is not an RFC 3339 date-time with an offset like 2024-01-31T09:00:00Z: {text:?}"
        ))
    })?;
    Ok(at
        .with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A string literal of OData (single quotes, an inner quote doubled).
fn odata_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A `$search` value: Graph wants it in double quotes, an inner double quote escaped.
fn search_value(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl ListMessages {
    /// The `$filter` clauses, the date clause first: Graph refuses (`InefficientFilter`) a
    /// `$filter` with `$orderby=receivedDateTime desc` unless `receivedDateTime` comes first in
    /// the filter, so a filter without dates opens with a clause every message meets.
    fn filter(&self) -> Result<Option<String>, Error> {
        let mut dates = Vec::new();
        if let Some(after) = &self.received_after {
            dates.push(format!(
                "receivedDateTime ge {}",
                filter_instant("received_after", after)?
            ));
        }
        if let Some(before) = &self.received_before {
            dates.push(format!(
                "receivedDateTime lt {}",
                filter_instant("received_before", before)?
            ));
        }
        let mut others = Vec::new();
        if self.unread_only {
            others.push("isRead eq false".to_string());
        }
        if let Some(from) = &self.from {
            check_address("from", from.trim())?;
            others.push(format!(
                "from/emailAddress/address eq {}",
                odata_string(from.trim())
            ));
        }
        if let Some(has) = self.has_attachments {
            others.push(format!("hasAttachments eq {has}"));
        }
        if dates.is_empty() && others.is_empty() {
            return Ok(None);
        }
        if dates.is_empty() {
            dates.push("receivedDateTime ge 1900-01-01T00:00:00Z".to_string());
        }
        dates.extend(others);
        Ok(Some(dates.join(" and ")))
    }

    /// The filters set beside `search`, which Graph cannot combine with it.
    fn filters_set(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        if self.unread_only {
            set.push("unread_only");
        }
        if self.from.is_some() {
            set.push("from");
        }
        if self.received_after.is_some() {
            set.push("received_after");
        }
        if self.received_before.is_some() {
            set.push("received_before");
        }
        if self.has_attachments.is_some() {
            set.push("has_attachments");
        }
        set
    }
}

/// One page of messages.
#[derive(Serialize, JsonSchema)]
struct MessagePage {
    /// The messages as Graph returns them (`id`, `subject`, `from`, `toRecipients`,
    /// `ccRecipients`, `receivedDateTime`, `sentDateTime`, `isRead`, `isDraft`,
    /// `hasAttachments`, `importance`, `flag`, `categories`, `bodyPreview`, `conversationId`,
    /// `parentFolderId`, `webLink`), newest first. Read a whole message with
    /// `OUTLOOK_GET_MESSAGE`.
    items: Vec<Value>,
    /// Pass as `cursor` to fetch the next page; null when there are no more messages.
    next_cursor: Option<String>,
    /// The folder `folder_name` matched; null otherwise.
    folder: Option<FolderRef>,
}

fn list_messages(input: ListMessages, _: &Context) -> Result<MessagePage, Error> {
    let api = microsoft::graph();
    if input.cursor.is_some() {
        // The next link carries the folder, the query and the page size.
        let page: Paged<Value> =
            microsoft::list(input.cursor, Limits::pages(1), api.get("/me/messages"))?;
        return Ok(MessagePage {
            items: page.items,
            next_cursor: page.next_cursor,
            folder: None,
        });
    }
    let mut query: Vec<(&str, String)> = vec![("$select", LIST_FIELDS.to_string())];
    query.push((
        "$top",
        input.page_size.unwrap_or(DEFAULT_PAGE_SIZE).to_string(),
    ));
    match &input.search {
        Some(search) => {
            if search.trim().is_empty() {
                return Err(Error::invalid_input("`search` must not be blank"));
            }
            let set = input.filters_set();
            if !set.is_empty() {
                return Err(Error::invalid_input(format!(
                    "Graph cannot combine `search` with filters ($search with $filter); drop {} or write the condition into the search text (e.g. `from:ada@example.com received>=2024-01-31 hasAttachments:true`)",
                    set.iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            query.push(("$search", search_value(search.trim())));
        }
        None => {
            if let Some(filter) = input.filter()? {
                query.push(("$filter", filter));
            }
            query.push(("$orderby", "receivedDateTime desc".to_string()));
        }
    }
    let folder = FolderChoice {
        folder_id: input.folder_id.clone(),
        folder_name: input.folder_name.clone(),
    }
    .resolve()?;
    let path = match &folder {
        Some(folder) => path!("/me/mailFolders/{}/messages", folder.id),
        None => "/me/messages".to_string(),
    };
    let page: Paged<Value> = microsoft::list(None, Limits::pages(1), api.get(&path).query(&query))?;
    Ok(MessagePage {
        items: page.items,
        next_cursor: page.next_cursor,
        folder: folder.filter(|f| f.display_name.is_some()),
    })
}

/// Input of `OUTLOOK_GET_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct GetMessage {
    /// The message's id (`id` from `OUTLOOK_LIST_MESSAGES`).
    #[schemars(length(min = 1))]
    message_id: String,
    /// The body as `text` (default: HTML converted to plain text by Outlook) or as `html`.
    #[serde(default)]
    body_type: BodyType,
}

fn get_message(input: GetMessage, _: &Context) -> Result<Value, Error> {
    let message_id = id("message_id", &input.message_id)?;
    let api = microsoft::graph();
    let prefer = match input.body_type {
        BodyType::Text => "outlook.body-content-type=\"text\"",
        BodyType::Html => "outlook.body-content-type=\"html\"",
    };
    let mut message: serde_json::Map<String, Value> = api
        .get(&path!("/me/messages/{}", message_id))
        .query(&[("$select", GET_FIELDS)])
        .header("Prefer", prefer)
        .send()?
        .json()?;
    let attachments_path = format!("{}/attachments", path!("/me/messages/{}", message_id));
    // Graph returns a message's attachments on one page; a next link is followed all the same.
    let attachments: Paged<Value> = microsoft::list(
        None,
        Limits::pages(10),
        api.get(&attachments_path)
            .query(&[("$select", ATTACHMENT_FIELDS)]),
    )?;
    message.insert("attachments".into(), Value::Array(attachments.items));
    Ok(Value::Object(message))
}

/// Input of `OUTLOOK_MOVE_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct MoveMessage {
    /// The message's id.
    #[schemars(length(min = 1))]
    message_id: String,
    #[serde(flatten)]
    folder: FolderChoice,
}

/// Where a message went and what it is now.
#[derive(Serialize, JsonSchema)]
struct Moved {
    /// The destination folder: its id (or well-known name) and, when found by name, the display
    /// name it matched.
    folder: FolderRef,
    /// The moved message as Graph returns it. Its `id` is usually new: use this id from now on.
    message: Value,
}

fn move_message(input: MoveMessage, _: &Context) -> Result<Moved, Error> {
    let message_id = id("message_id", &input.message_id)?;
    let folder = input.folder.resolve()?.ok_or_else(|| {
        Error::invalid_input("give the destination as `folder_id` or `folder_name`")
    })?;
    let message: Value = microsoft::graph()
        .post(&format!("{}/move", path!("/me/messages/{}", message_id)))
        .json(&json!({"destinationId": folder.id}))
        .send()?
        .json()?;
    Ok(Moved { folder, message })
}

/// Input of `OUTLOOK_LIST_FOLDERS`.
#[derive(Deserialize, JsonSchema)]
struct ListFolders {
    /// List the subfolders of this folder (id or well-known name, e.g. `inbox`) instead of the
    /// top-level folders.
    parent_folder_id: Option<String>,
    /// Also list hidden folders (default false).
    #[serde(default)]
    include_hidden: bool,
    /// Folders per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    page_size: Option<u32>,
    /// `next_cursor` of the previous page, to fetch the next one; the other parameters are then
    /// ignored.
    cursor: Option<String>,
}

fn list_folders(input: ListFolders, _: &Context) -> Result<Paged<Value>, Error> {
    let api = microsoft::graph();
    let path = match &input.parent_folder_id {
        Some(parent) => format!(
            "{}/childFolders",
            path!(
                "/me/mailFolders/{}",
                folder_key(id("parent_folder_id", parent)?)
            )
        ),
        None => "/me/mailFolders".to_string(),
    };
    let mut query = vec![("$top", input.page_size.unwrap_or(50).to_string())];
    if input.include_hidden {
        query.push(("includeHiddenFolders", "true".to_string()));
    }
    microsoft::list(input.cursor, Limits::pages(1), api.get(&path).query(&query))
}

/// A follow-up flag's state.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
enum FlagStatus {
    NotFlagged,
    Flagged,
    Complete,
}

/// Input of `OUTLOOK_UPDATE_MESSAGE`.
#[derive(Deserialize, JsonSchema)]
struct UpdateMessage {
    /// The message's id.
    #[schemars(length(min = 1))]
    message_id: String,
    /// true marks the message read, false unread.
    is_read: Option<bool>,
    /// The message's categories, replacing the ones it has (e.g. `["Red category", "Travel"]`;
    /// `[]` removes all). Names are the mailbox's category names.
    categories: Option<Vec<String>>,
    /// The follow-up flag: `flagged`, `complete` or `notFlagged` (removes the flag).
    flag_status: Option<FlagStatus>,
    /// `low`, `normal` or `high`.
    importance: Option<Importance>,
}

fn update_message(input: UpdateMessage, _: &Context) -> Result<Passthrough, Error> {
    let message_id = id("message_id", &input.message_id)?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Flag {
        flag_status: FlagStatus,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        is_read: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        categories: Option<&'a [String]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        flag: Option<Flag>,
        #[serde(skip_serializing_if = "Option::is_none")]
        importance: Option<Importance>,
    }
    if input.is_read.is_none()
        && input.categories.is_none()
        && input.flag_status.is_none()
        && input.importance.is_none()
    {
        return Err(Error::invalid_input(
            "give at least one of `is_read`, `categories`, `flag_status` or `importance`",
        ));
    }
    if let Some(blank) = input
        .categories
        .iter()
        .flatten()
        .position(|c| c.trim().is_empty())
    {
        return Err(Error::invalid_input(format!(
            "`categories[{blank}]` must not be blank"
        )));
    }
    microsoft::graph()
        .patch(&path!("/me/messages/{}", message_id))
        .json(&Body {
            is_read: input.is_read,
            categories: input.categories.as_deref(),
            flag: input.flag_status.map(|flag_status| Flag { flag_status }),
            importance: input.importance,
        })
        .send()?
        .json()
}

/// Scopes asked for when an account connects: together they cover every action.
const DEFAULT_SCOPES: &[&str] = &[MAIL_READ_WRITE, MAIL_SEND];

pub fn provider() -> Provider {
    microsoft::provider("outlook", "Outlook", DEFAULT_SCOPES)
        .version(env!("CARGO_PKG_VERSION"))
        .description("Send, draft, search, read, move and flag mail in an Outlook (Microsoft 365 or Outlook.com) mailbox through Microsoft Graph.")
        .categories(&["communication", "email"])
        .action(Action::new(
            "OUTLOOK_SEND_EMAIL",
            "Send a new e-mail at once from the connected Outlook mailbox: to, cc and bcc addresses, subject, a plain-text or HTML body, importance, Reply-To, and file attachments as base64 (each at most 3 MiB, about 2.9 MiB in all: Graph takes at most 4 MiB per request). A copy is kept in Sent Items unless `save_to_sent_items` is false. To answer a received message use OUTLOOK_REPLY_TO_MESSAGE; to prepare mail without sending use OUTLOOK_CREATE_DRAFT. Returns `{\"sent\": true}` (Graph returns no message id for sent mail).",
            send_email,
        ).scopes(&[MAIL_SEND]))
        .action(Action::new(
            "OUTLOOK_CREATE_DRAFT",
            "Save a new draft in the Drafts folder without sending it (recipients, subject, text or HTML body, importance, attachments as base64 with the same limits as OUTLOOK_SEND_EMAIL); every field is optional. Send it later with OUTLOOK_SEND_DRAFT. Returns the draft message as Graph returns it, with its `id`.",
            create_draft,
        ).scopes(&[MAIL_READ_WRITE]))
        .action(Action::new(
            "OUTLOOK_SEND_DRAFT",
            "Send an existing draft (by the message id from OUTLOOK_CREATE_DRAFT) to the recipients it names; it moves to Sent Items. Returns `{\"sent\": true}`.",
            send_draft,
        ).scopes(&[MAIL_SEND]))
        .action(Action::new(
            "OUTLOOK_REPLY_TO_MESSAGE",
            "Reply to a received message in its conversation with a text comment placed above the quoted original: to its sender (or Reply-To), or with `reply_all` to everyone on it. Outlook sets the subject (`RE: ...`) and threading. Use instead of OUTLOOK_SEND_EMAIL when answering a message. Returns `{\"sent\": true}`.",
            reply_to_message,
        ).scopes(&[MAIL_SEND]))
        .action(Action::new(
            "OUTLOOK_LIST_MESSAGES",
            "List messages newest first, in one folder (`folder_id` such as `inbox`, or `folder_name`) or the whole mailbox, either filtered (unread only, from a sender address, received after/before an instant, with attachments) or found by full-text `search` (Outlook's search syntax; Graph cannot combine search with the filters). Returns `items` (each message's id, subject, sender, recipients, dates, read state, flag, categories and a body preview), `next_cursor` to pass as `cursor` for the next page, and the `folder` a name matched. Read one message in full with OUTLOOK_GET_MESSAGE.",
            list_messages,
        ).read_only().any_scope(&[MAIL_READ, MAIL_READ_WRITE]))
        .action(Action::new(
            "OUTLOOK_GET_MESSAGE",
            "Read one message by id: subject, sender, to/cc/bcc, Reply-To, sent and received times, read state, flag, categories, importance, conversation id, web link, the body as plain text (or HTML with `body_type`), and `attachments` listed (id, name, contentType, size in bytes, isInline; not their content).",
            get_message,
        ).read_only().any_scope(&[MAIL_READ, MAIL_READ_WRITE]))
        .action(Action::new(
            "OUTLOOK_MOVE_MESSAGE",
            "Move a message to another folder, given by `folder_id` (an id from OUTLOOK_LIST_FOLDERS or a well-known name: inbox, drafts, sentitems, deleteditems, archive, junkemail, outbox) or by `folder_name` (a top-level folder's display name, case-insensitive; the error lists the names when none matches). Moving to `deleteditems` deletes it recoverably. Returns the `folder` used (with the display name matched) and the moved `message`, whose `id` is usually new.",
            move_message,
        ).scopes(&[MAIL_READ_WRITE]))
        .action(Action::new(
            "OUTLOOK_LIST_FOLDERS",
            "List the mailbox's top-level mail folders, or the subfolders of `parent_folder_id`, with each folder's id, displayName, parentFolderId, childFolderCount, unreadItemCount and totalItemCount. Use the ids with OUTLOOK_LIST_MESSAGES and OUTLOOK_MOVE_MESSAGE. Returns `items` and `next_cursor` (pass it as `cursor` for the next page).",
            list_folders,
        ).read_only().any_scope(&[MAIL_READ_BASIC, MAIL_READ, MAIL_READ_WRITE]))
        .action(Action::new(
            "OUTLOOK_UPDATE_MESSAGE",
            "Change a message's state: mark it read or unread (`is_read`), set its categories (replacing the current ones), flag it for follow-up, mark the flag complete or clear it (`flag_status`), or set its importance. Give at least one. Returns the updated message as Graph returns it.",
            update_message,
        ).idempotent().scopes(&[MAIL_READ_WRITE]))
}

actionhost_sdk::export_provider!(provider);
