//! Google Docs provider: create, read and edit documents through the Docs API v1
//! (<https://developers.google.com/workspace/docs/api/reference/rest>). Every edit is one
//! `documents.batchUpdate`; reads decode the document's structural JSON into Markdown or plain
//! text ([`markdown`]), which a model can use, instead of passing it on. Google's error envelope
//! (`error.errors[].reason`) is mapped by [`google::errors`].

mod markdown;

use actionhost_sdk::google;
use actionhost_sdk::prelude::*;

use crate::markdown::{Document, Style};

fn api() -> Api {
    Api::new("https://docs.googleapis.com/v1").errors(google::errors)
}

/// Length of `text` in the unit Docs indexes count: UTF-16 code units.
fn utf16_len(text: &str) -> u32 {
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

fn document_url(document_id: &str) -> String {
    format!("https://docs.google.com/document/d/{document_id}/edit")
}

/// `documents.batchUpdate`'s answer, the parts the actions report.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchUpdated {
    #[serde(default)]
    replies: Vec<Value>,
    write_control: Option<WriteControl>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteControl {
    required_revision_id: Option<String>,
}

/// Runs `requests` as one `batchUpdate`; with `revision`, Google refuses it if the document
/// changed since that revision was read.
fn batch_update(
    document_id: &str,
    requests: Vec<Value>,
    revision: Option<String>,
) -> Result<BatchUpdated, Error> {
    let mut body = json!({ "requests": requests });
    if let Some(revision) = revision {
        body["writeControl"] = json!({ "requiredRevisionId": revision });
    }
    api()
        .post(&path!("/documents/{}:batchUpdate", document_id))
        .json(&body)
        .send()?
        .json()
}

impl BatchUpdated {
    fn revision(&self) -> Option<String> {
        self.write_control
            .as_ref()
            .and_then(|w| w.required_revision_id.clone())
    }
}

/// What the editing actions return.
#[derive(Serialize, JsonSchema)]
struct Edited {
    /// The document's id.
    document_id: String,
    /// The document's revision after the edit.
    revision_id: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
struct CreateDocument {
    /// The document's title (its file name in Drive).
    #[schemars(length(min = 1))]
    title: String,
    /// Initial body text; `\n` starts a new paragraph. Plain text: Markdown is not interpreted.
    /// Leave out for an empty document.
    text: Option<String>,
}

/// What `GOOGLE_DOCS_CREATE_DOCUMENT` returns.
#[derive(Serialize, JsonSchema)]
struct Created {
    /// The new document's id, for the other Google Docs actions.
    document_id: String,
    /// Its title.
    title: String,
    /// Its revision after the initial text was inserted.
    revision_id: Option<String>,
    /// Where a person opens it.
    #[schemars(url)]
    url: String,
}

fn create_document(input: CreateDocument, _: &Context) -> Result<Created, Error> {
    let created: Document = api()
        .post("/documents")
        .json(&json!({ "title": input.title }))
        .send()?
        .json()?;
    let mut revision_id = created.revision_id.clone();
    if let Some(text) = input.text.filter(|t| !t.is_empty()) {
        let insert = json!({"insertText": {"location": {"index": 1}, "text": text}});
        revision_id = batch_update(&created.document_id, vec![insert], None)?.revision();
    }
    Ok(Created {
        url: document_url(&created.document_id),
        document_id: created.document_id,
        title: created.title,
        revision_id,
    })
}

/// How `GOOGLE_DOCS_GET_DOCUMENT` renders the body.
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum Format {
    /// Markdown: headings as `#`, lists as `-` and `1.`, bold, italic, links and tables kept.
    #[default]
    Markdown,
    /// Plain text: paragraphs as lines, list items as `*`, table cells tab-separated.
    Text,
}

#[derive(Deserialize, JsonSchema)]
struct GetDocument {
    /// The document's id: the part after `/document/d/` in its URL.
    document_id: String,
    /// `markdown` (default) or `text`.
    #[serde(default)]
    format: Format,
}

/// What `GOOGLE_DOCS_GET_DOCUMENT` returns.
#[derive(Serialize, JsonSchema)]
struct ReadDocument {
    /// The document's id.
    document_id: String,
    /// Its title.
    title: String,
    /// Its current revision.
    revision_id: Option<String>,
    /// Where a person opens it.
    #[schemars(url)]
    url: String,
    /// The format of `content`.
    format: Format,
    /// The body's text, in `format` (of the first tab, in a document with several). Images,
    /// drawings and comments are left out.
    content: String,
    /// The body's headings in order (titles, subtitles and headings 1 to 6), as
    /// GOOGLE_DOCS_INSERT_TEXT's `heading` takes them.
    headings: Vec<String>,
}

fn get_document(input: GetDocument, _: &Context) -> Result<ReadDocument, Error> {
    let document = fetch(&input.document_id)?;
    let style = match input.format {
        Format::Markdown => Style::Markdown,
        Format::Text => Style::Text,
    };
    Ok(ReadDocument {
        url: document_url(&document.document_id),
        content: document.render(style),
        headings: document.headings().into_iter().map(|h| h.text).collect(),
        document_id: document.document_id,
        title: document.title,
        revision_id: document.revision_id,
        format: input.format,
    })
}

fn fetch(document_id: &str) -> Result<Document, Error> {
    api()
        .get(&path!("/documents/{}", document_id))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
struct AppendText {
    /// The document's id.
    document_id: String,
    /// The text to add at the end; `\n` starts a new paragraph. Plain text: Markdown is not
    /// interpreted.
    #[schemars(length(min = 1))]
    text: String,
    /// Start a new paragraph for the text (default true); false continues the last paragraph.
    #[serde(default = "yes")]
    new_paragraph: bool,
}

fn yes() -> bool {
    true
}

fn append_text(input: AppendText, _: &Context) -> Result<Edited, Error> {
    let text = if input.new_paragraph {
        format!("\n{}", input.text)
    } else {
        input.text
    };
    let insert = json!({"insertText": {"endOfSegmentLocation": {}, "text": text}});
    let updated = batch_update(&input.document_id, vec![insert], None)?;
    Ok(Edited {
        revision_id: updated.revision(),
        document_id: input.document_id,
    })
}

#[derive(Deserialize, JsonSchema)]
struct InsertText {
    /// The document's id.
    document_id: String,
    /// The text to insert; `\n` starts a new paragraph. Plain text: Markdown is not
    /// interpreted.
    #[schemars(length(min = 1))]
    text: String,
    /// Insert the text as new paragraph(s) right below the heading with this text (case and
    /// surrounding spaces ignored; the first match), e.g. `Next steps`. Give this or `index`.
    heading: Option<String>,
    /// Insert at this position instead, in UTF-16 code units from the start of the body: 1 is
    /// the very beginning. Give this or `heading`.
    #[schemars(range(min = 1))]
    index: Option<u32>,
}

fn insert_text(input: InsertText, _: &Context) -> Result<Edited, Error> {
    let (requests, revision) = match (&input.heading, input.index) {
        (None, Some(index)) => {
            let insert = json!({"insertText": {"location": {"index": index}, "text": input.text}});
            (vec![insert], None)
        }
        (Some(wanted), None) => {
            let document = fetch(&input.document_id)?;
            let headings = document.headings();
            let wanted = wanted.trim();
            let Some(heading) = headings
                .iter()
                .find(|h| h.text.trim().eq_ignore_ascii_case(wanted))
            else {
                let known: Vec<&str> = headings.iter().map(|h| h.text.trim()).collect();
                return Err(Error::invalid_input(format!(
                    "no heading {wanted:?} in the document; its headings are {known:?}"
                )));
            };
            let text = input.text.trim_end_matches('\n');
            let start = heading.end_index;
            let insert = if start < document.body_end() {
                // At the start of the paragraph after the heading, ending in a paragraph break.
                json!({"insertText": {"location": {"index": start}, "text": format!("{text}\n")}})
            } else {
                // The heading ends the document: break its paragraph, then the text.
                json!({"insertText": {"endOfSegmentLocation": {}, "text": format!("\n{text}")}})
            };
            // Either way the new paragraphs start at `start`; they would otherwise take the
            // named style of a neighbouring heading.
            let style = json!({"updateParagraphStyle": {
                "range": {"startIndex": start, "endIndex": start + utf16_len(text).max(1)},
                "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"},
                "fields": "namedStyleType",
            }});
            let requests = vec![insert, style];
            (requests, document.revision_id)
        }
        _ => {
            return Err(Error::invalid_input(
                "give exactly one of `heading` and `index`",
            ));
        }
    };
    let updated = batch_update(&input.document_id, requests, revision)?;
    Ok(Edited {
        revision_id: updated.revision(),
        document_id: input.document_id,
    })
}

#[derive(Deserialize, JsonSchema)]
struct ReplaceText {
    /// The document's id.
    document_id: String,
    /// The text to find (every occurrence is replaced).
    #[schemars(length(min = 1))]
    find: String,
    /// What to put in its place; empty to delete the occurrences.
    replace_with: String,
    /// Match upper and lower case exactly (default true).
    #[serde(default = "yes")]
    match_case: bool,
}

/// What `GOOGLE_DOCS_REPLACE_TEXT` returns.
#[derive(Serialize, JsonSchema)]
struct Replaced {
    /// The document's id.
    document_id: String,
    /// How many occurrences were replaced (0 when the text was not found).
    occurrences_changed: u64,
    /// The document's revision after the edit.
    revision_id: Option<String>,
}

fn replace_text(input: ReplaceText, _: &Context) -> Result<Replaced, Error> {
    let replace = json!({"replaceAllText": {
        "containsText": {"text": input.find, "matchCase": input.match_case},
        "replaceText": input.replace_with,
    }});
    let updated = batch_update(&input.document_id, vec![replace], None)?;
    let occurrences_changed = updated
        .replies
        .first()
        .and_then(|reply| reply.pointer("/replaceAllText/occurrencesChanged"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok(Replaced {
        revision_id: updated.revision(),
        document_id: input.document_id,
        occurrences_changed,
    })
}

const DOCUMENTS: &str = "https://www.googleapis.com/auth/documents";
const DOCUMENTS_READONLY: &str = "https://www.googleapis.com/auth/documents.readonly";
const DRIVE: &str = "https://www.googleapis.com/auth/drive";
const DRIVE_FILE: &str = "https://www.googleapis.com/auth/drive.file";
const DRIVE_READONLY: &str = "https://www.googleapis.com/auth/drive.readonly";

/// Scopes that allow `documents.get` (Discovery's list for the method).
const READ: &[&str] = &[
    DOCUMENTS_READONLY,
    DOCUMENTS,
    DRIVE_READONLY,
    DRIVE_FILE,
    DRIVE,
];
/// Scopes that allow `documents.create` and `documents.batchUpdate`.
const WRITE: &[&str] = &[DOCUMENTS, DRIVE_FILE, DRIVE];

pub fn provider() -> Provider {
    Provider::new("google_docs", "Google Docs")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Google Docs documents: create, read as Markdown, and edit text.")
        .categories(&["productivity", "documents"])
        .auth(Auth::bearer_oauth2(
            google::oauth(&[DOCUMENTS]),
        ))
        .origin("https://docs.googleapis.com")
        .action(Action::new(
            "GOOGLE_DOCS_CREATE_DOCUMENT",
            "Create a new Google Doc with a title and optional initial plain text. Returns its document_id, revision and URL.",
            create_document,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DOCS_GET_DOCUMENT",
            "Read a Google Doc's body as Markdown (headings, lists, bold, italic, links and tables kept; the default) or plain text, with its title, revision, URL and list of headings. Use to read, summarize or quote a document, or to find a heading before GOOGLE_DOCS_INSERT_TEXT. Find a document's id with GOOGLE_DRIVE_SEARCH_FILES if you only know its name.",
            get_document,
        ).read_only().any_scope(READ))
        .action(Action::new(
            "GOOGLE_DOCS_APPEND_TEXT",
            "Add plain text at the end of a Google Doc, as a new paragraph by default. Use to add notes or a section at the bottom; to add under a given heading use GOOGLE_DOCS_INSERT_TEXT. Returns the new revision.",
            append_text,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DOCS_INSERT_TEXT",
            "Insert plain text into a Google Doc right below a heading (by its text) or at a position (1 = the very start). Returns the new revision. Fails without change if the heading does not exist or the document changed while the heading was looked up.",
            insert_text,
        ).any_scope(WRITE))
        .action(Action::new(
            "GOOGLE_DOCS_REPLACE_TEXT",
            "Replace every occurrence of a text in a Google Doc (optionally ignoring case), or delete them with an empty replacement. Overwrites the matched text. Returns how many occurrences were changed.",
            replace_text,
        ).destructive().any_scope(WRITE))
}

actionhost_sdk::export_provider!(provider);
