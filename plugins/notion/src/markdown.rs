//! Markdown to Notion blocks and back.
//!
//! A model writes Markdown and reads Markdown; Notion stores a page as a tree of blocks whose
//! text is "rich text" (runs of text with annotations and links). [`to_blocks`] parses CommonMark
//! (with strikethrough and task lists) with `pulldown-cmark` and builds the block objects Notion's
//! API takes: headings, paragraphs, bulleted and numbered list items (nested), to-dos, code,
//! quotes and dividers, with bold, italic, strikethrough, inline code and links in the text.
//! Notion's limits are kept by splitting, never by cutting: a text run holds at most 2,000
//! characters, a block at most 100 runs, a request at most 100 blocks ([`batches`]) nested at
//! most two levels deep.
//!
//! [`render`] does the reverse for the blocks Notion answers, children included.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value, json};

/// Longest `text.content` of one rich-text run Notion accepts, in UTF-16 code units (the
/// length JavaScript measures).
pub const MAX_TEXT: usize = 2000;
/// Most rich-text runs in one block's `rich_text`.
pub const MAX_RUNS: usize = 100;
/// Most blocks in one request's `children`, nested ones included.
pub const MAX_BLOCKS: usize = 100;
/// Levels of `children` one request may carry below a top-level block.
const MAX_NESTING: usize = 2;

/// The style of a run of text.
#[derive(Clone, Default, PartialEq)]
struct Style {
    bold: bool,
    italic: bool,
    strikethrough: bool,
    code: bool,
    link: Option<String>,
}

/// Rich text being collected for one block.
#[derive(Default)]
struct Runs {
    runs: Vec<(String, Style)>,
}

impl Runs {
    fn push(&mut self, text: &str, style: &Style) {
        if text.is_empty() {
            return;
        }
        match self.runs.last_mut() {
            Some((last, last_style)) if last_style == style => last.push_str(text),
            _ => self.runs.push((text.to_string(), style.clone())),
        }
    }

    fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Notion's `rich_text` array: each run split at [`MAX_TEXT`].
    fn into_rich_text(self) -> Vec<Value> {
        let mut out = Vec::new();
        for (text, style) in self.runs {
            for piece in split_text(&text, MAX_TEXT) {
                out.push(run(piece, &style));
            }
        }
        out
    }
}

/// Text split into pieces of at most `max` UTF-16 code units, never inside a character.
pub fn split_text(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > max {
            pieces.push(&text[start..i]);
            start = i;
            units = 0;
        }
        units += c.len_utf16();
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

fn run(text: &str, style: &Style) -> Value {
    let mut content = json!({ "content": text });
    if let Some(url) = &style.link {
        content["link"] = json!({ "url": url });
    }
    let mut item = json!({ "type": "text", "text": content });
    let mut annotations = Map::new();
    for (name, on) in [
        ("bold", style.bold),
        ("italic", style.italic),
        ("strikethrough", style.strikethrough),
        ("code", style.code),
    ] {
        if on {
            annotations.insert(name.into(), Value::Bool(true));
        }
    }
    if !annotations.is_empty() {
        item["annotations"] = Value::Object(annotations);
    }
    item
}

/// Plain rich text (no annotations), split at Notion's limits: a title or a text property.
pub fn plain_rich_text(text: &str) -> Vec<Value> {
    split_text(text, MAX_TEXT)
        .into_iter()
        .map(|piece| run(piece, &Style::default()))
        .collect()
}

/// A block of `kind` whose body is `rich_text` plus `extra` members.
fn block(kind: &str, rich_text: Vec<Value>, extra: Value) -> Value {
    let mut body = json!({ "rich_text": rich_text });
    if let Value::Object(extra) = extra {
        body.as_object_mut().expect("object").extend(extra);
    }
    json!({ "object": "block", "type": kind, kind: body })
}

/// A container that collects blocks: a list item or a quote being built.
enum Open {
    Item {
        ordered: bool,
        checked: Option<bool>,
        text: Option<Vec<Value>>,
        children: Vec<Value>,
    },
    Quote {
        text: Vec<Value>,
        children: Vec<Value>,
    },
}

/// Builds blocks from parser events.
#[derive(Default)]
struct Builder {
    top: Vec<Value>,
    open: Vec<Open>,
    lists: Vec<bool>,
    runs: Runs,
    style: Style,
    styles: Vec<Style>,
    heading: Option<HeadingLevel>,
    code: Option<(String, String)>,
}

impl Builder {
    /// Adds a finished block to the innermost open container, or to the top level.
    fn emit(&mut self, block: Value) {
        match self.open.last_mut() {
            Some(Open::Item { children, .. } | Open::Quote { children, .. }) => {
                children.push(block)
            }
            None => self.top.push(block),
        }
    }

    /// The text collected so far, as the innermost container's own text when it has none yet,
    /// else as paragraphs of it.
    fn flush_text(&mut self) {
        if self.runs.is_empty() {
            return;
        }
        let rich_text = std::mem::take(&mut self.runs).into_rich_text();
        match self.open.last_mut() {
            Some(Open::Item {
                text: text @ None, ..
            }) => *text = Some(rich_text),
            Some(Open::Quote { text, children }) if children.is_empty() => {
                if !text.is_empty() {
                    text.extend(plain_rich_text("\n"));
                }
                text.extend(rich_text);
            }
            _ => {
                for chunk in chunk_runs(rich_text) {
                    self.emit(block("paragraph", chunk, Value::Null));
                }
            }
        }
    }

    fn start_style(&mut self, change: impl FnOnce(&mut Style)) {
        self.styles.push(self.style.clone());
        change(&mut self.style);
    }

    fn end_style(&mut self) {
        self.style = self.styles.pop().unwrap_or_default();
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(text) => return code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        match event {
            Event::Start(Tag::Paragraph | Tag::HtmlBlock)
            | Event::End(TagEnd::Paragraph | TagEnd::HtmlBlock) => self.flush_text(),
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush_text();
                self.heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = match self.heading.take() {
                    Some(HeadingLevel::H1) => 1,
                    Some(HeadingLevel::H2) => 2,
                    _ => 3,
                };
                let rich_text = std::mem::take(&mut self.runs).into_rich_text();
                for chunk in chunk_runs(rich_text) {
                    self.emit(block(&format!("heading_{level}"), chunk, Value::Null));
                }
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush_text();
                self.open.push(Open::Quote {
                    text: Vec::new(),
                    children: Vec::new(),
                });
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush_text();
                if let Some(Open::Quote { text, children }) = self.open.pop() {
                    let mut quote = block("quote", text, Value::Null);
                    if !children.is_empty() {
                        quote["quote"]["children"] = Value::Array(children);
                    }
                    self.emit(quote);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.flush_text();
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((info, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, mut code)) = self.code.take() {
                    if code.ends_with('\n') {
                        code.pop();
                    }
                    let language = language(info.split_whitespace().next().unwrap_or(""));
                    let rich_text = plain_rich_text(&code);
                    for chunk in chunk_runs(rich_text) {
                        self.emit(block("code", chunk, json!({ "language": language })));
                    }
                }
            }
            Event::Start(Tag::List(first)) => {
                self.flush_text();
                self.lists.push(first.is_some());
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush_text();
                self.open.push(Open::Item {
                    ordered: self.lists.last().copied().unwrap_or(false),
                    checked: None,
                    text: None,
                    children: Vec::new(),
                });
            }
            Event::TaskListMarker(done) => {
                if let Some(Open::Item { checked, .. }) = self.open.last_mut() {
                    *checked = Some(done);
                }
            }
            Event::End(TagEnd::Item) => {
                self.flush_text();
                if let Some(Open::Item {
                    ordered,
                    checked,
                    text,
                    children,
                }) = self.open.pop()
                {
                    let (kind, extra) = match (checked, ordered) {
                        (Some(done), _) => ("to_do", json!({ "checked": done })),
                        (None, true) => ("numbered_list_item", Value::Null),
                        (None, false) => ("bulleted_list_item", Value::Null),
                    };
                    let mut item = block(kind, text.unwrap_or_default(), extra);
                    if !children.is_empty() {
                        item[kind]["children"] = Value::Array(children);
                    }
                    self.emit(item);
                }
            }
            Event::Rule => {
                self.flush_text();
                self.emit(json!({ "object": "block", "type": "divider", "divider": {} }));
            }
            Event::Start(Tag::Emphasis) => self.start_style(|s| s.italic = true),
            Event::Start(Tag::Strong) => self.start_style(|s| s.bold = true),
            Event::Start(Tag::Strikethrough) => self.start_style(|s| s.strikethrough = true),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.to_string();
                // Notion refuses links that are not absolute URLs (a relative `#anchor` too).
                let usable = url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("mailto:");
                self.start_style(|s| s.link = usable.then_some(url));
            }
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => self.end_style(),
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                let style = self.style.clone();
                self.runs.push(&text, &style);
            }
            Event::Code(text) => {
                let mut style = self.style.clone();
                style.code = true;
                self.runs.push(&text, &style);
            }
            Event::SoftBreak | Event::HardBreak => {
                let style = self.style.clone();
                self.runs.push("\n", &style);
            }
            _ => {}
        }
    }
}

/// `rich_text` in chunks of at most [`MAX_RUNS`] runs (one block each); one empty chunk for
/// empty text.
fn chunk_runs(rich_text: Vec<Value>) -> Vec<Vec<Value>> {
    if rich_text.is_empty() {
        return vec![Vec::new()];
    }
    rich_text.chunks(MAX_RUNS).map(<[Value]>::to_vec).collect()
}

/// Notion's name for a fenced code block's language (`plain text` when it has none it knows).
fn language(info: &str) -> &'static str {
    let info = info.to_ascii_lowercase();
    let known = match info.as_str() {
        "sh" | "zsh" | "console" => "shell",
        "js" | "jsx" | "mjs" => "javascript",
        "ts" | "tsx" => "typescript",
        "py" => "python",
        "rs" => "rust",
        "rb" => "ruby",
        "yml" => "yaml",
        "md" => "markdown",
        "kt" => "kotlin",
        "cs" | "csharp" => "c#",
        "cpp" | "cc" => "c++",
        "dockerfile" => "docker",
        "golang" => "go",
        "text" | "txt" | "plaintext" | "" => "plain text",
        other => other,
    };
    LANGUAGES
        .iter()
        .find(|l| **l == known)
        .copied()
        .unwrap_or("plain text")
}

/// The languages a Notion code block takes (`LanguageRequest` in `@notionhq/client`).
const LANGUAGES: &[&str] = &[
    "abap",
    "abc",
    "agda",
    "arduino",
    "ascii art",
    "assembly",
    "bash",
    "basic",
    "bnf",
    "c",
    "c#",
    "c++",
    "clojure",
    "coffeescript",
    "coq",
    "css",
    "dart",
    "dhall",
    "diff",
    "docker",
    "ebnf",
    "elixir",
    "elm",
    "erlang",
    "f#",
    "flow",
    "fortran",
    "gherkin",
    "glsl",
    "go",
    "graphql",
    "groovy",
    "haskell",
    "hcl",
    "html",
    "idris",
    "java",
    "javascript",
    "json",
    "julia",
    "kotlin",
    "latex",
    "less",
    "lisp",
    "livescript",
    "llvm ir",
    "lua",
    "makefile",
    "markdown",
    "markup",
    "matlab",
    "mathematica",
    "mermaid",
    "nix",
    "notion formula",
    "objective-c",
    "ocaml",
    "pascal",
    "perl",
    "php",
    "plain text",
    "powershell",
    "prolog",
    "protobuf",
    "purescript",
    "python",
    "r",
    "racket",
    "reason",
    "ruby",
    "rust",
    "sass",
    "scala",
    "scheme",
    "scss",
    "shell",
    "smalltalk",
    "solidity",
    "sql",
    "swift",
    "toml",
    "typescript",
    "vb.net",
    "verilog",
    "vhdl",
    "visual basic",
    "webassembly",
    "xml",
    "yaml",
    "java/c/c++/c#",
];

/// Markdown as Notion blocks, nested at most as deep as one request may carry them.
pub fn to_blocks(markdown: &str) -> Vec<Value> {
    let mut builder = Builder::default();
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        builder.event(event);
    }
    builder.flush_text();
    builder
        .top
        .into_iter()
        .flat_map(|block| limit_depth(block, 0))
        .collect()
}

/// `block` with its descendants deeper than [`MAX_NESTING`] lifted to be its siblings at the
/// deepest level allowed (a deeply nested list keeps its order, one level flatter).
fn limit_depth(mut block: Value, depth: usize) -> Vec<Value> {
    let kind = block["type"].as_str().unwrap_or_default().to_string();
    let Some(children) = block[&kind]
        .as_object_mut()
        .and_then(|body| body.remove("children"))
    else {
        return vec![block];
    };
    let children = children.as_array().cloned().unwrap_or_default();
    if depth >= MAX_NESTING {
        let mut flat = vec![block];
        for child in children {
            flat.extend(limit_depth(child, depth));
        }
        return flat;
    }
    let kept: Vec<Value> = children
        .into_iter()
        .flat_map(|child| limit_depth(child, depth + 1))
        .collect();
    block[&kind]["children"] = Value::Array(kept);
    vec![block]
}

/// The number of blocks in `block`, its nested children included.
fn count(block: &Value) -> usize {
    let kind = block["type"].as_str().unwrap_or_default();
    1 + block[kind]["children"]
        .as_array()
        .map_or(0, |children| children.iter().map(count).sum())
}

/// Top-level blocks in batches of at most [`MAX_BLOCKS`] blocks each, nested ones counted: one
/// request's `children` each.
pub fn batches(blocks: Vec<Value>) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = Vec::new();
    let mut size = 0;
    for block in blocks {
        let n = count(&block);
        if out.is_empty() || size + n > MAX_BLOCKS {
            out.push(Vec::new());
            size = 0;
        }
        size += n;
        out.last_mut().expect("a batch").push(block);
    }
    out
}

/// Rich text as Markdown: annotations as `**`, `_`, `~~` and backticks, links as `[text](url)`,
/// mentions and equations by their plain text.
pub fn rich_text(items: &Value) -> String {
    let mut out = String::new();
    for item in items.as_array().into_iter().flatten() {
        let text = item["plain_text"]
            .as_str()
            .or_else(|| item["text"]["content"].as_str())
            .unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        // Markers must touch the text: `** bold **` is not bold in Markdown.
        let body = text.trim();
        if body.is_empty() {
            out.push_str(text);
            continue;
        }
        let leading = &text[..text.len() - text.trim_start().len()];
        let trailing = &text[text.trim_end().len()..];
        let a = &item["annotations"];
        let mut styled = if a["code"] == true {
            format!("`{body}`")
        } else if item["type"] == "equation" {
            format!("${body}$")
        } else {
            body.to_string()
        };
        if a["bold"] == true {
            styled = format!("**{styled}**");
        }
        if a["italic"] == true {
            styled = format!("_{styled}_");
        }
        if a["strikethrough"] == true {
            styled = format!("~~{styled}~~");
        }
        let link = item["href"]
            .as_str()
            .or_else(|| item["text"]["link"]["url"].as_str());
        if let Some(url) = link {
            styled = format!("[{styled}]({url})");
        }
        out.push_str(leading);
        out.push_str(&styled);
        out.push_str(trailing);
    }
    out
}

/// A Notion page's URL from its id (what Notion's own `url` fields look like).
pub fn page_url(id: &str) -> String {
    format!("https://www.notion.so/{}", id.replace('-', ""))
}

/// Children of a block, by the block's id, as fetched for rendering.
pub trait Children {
    /// The children of the block `id`, or `None` when they were not fetched.
    fn of(&self, id: &str) -> Option<&[Value]>;
}

/// Blocks as Markdown: each block on its lines, children indented below list items, quoted in
/// quotes; list items of one list on consecutive lines, other blocks separated by a blank line.
pub fn render(blocks: &[Value], children: &dyn Children) -> String {
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    let mut number = 0;
    for block in blocks {
        let kind = block["type"].as_str().unwrap_or("unsupported");
        number = if kind == "numbered_list_item" {
            if previous == Some("numbered_list_item") {
                number + 1
            } else {
                1
            }
        } else {
            0
        };
        let text = render_block(block, kind, number, children);
        if text.is_none() {
            continue;
        }
        if let Some(before) = previous {
            let list = |k: &str| {
                matches!(
                    k,
                    "bulleted_list_item" | "numbered_list_item" | "to_do" | "toggle"
                )
            };
            out.push_str(if list(before) && list(kind) {
                "\n"
            } else {
                "\n\n"
            });
        }
        out.push_str(&text.unwrap_or_default());
        previous = Some(kind);
    }
    out
}

/// Children rendered and indented by `prefix` on every line.
fn nested(block: &Value, children: &dyn Children, prefix: &str) -> String {
    let id = block["id"].as_str().unwrap_or_default();
    let Some(kids) = children.of(id) else {
        if block["has_children"] == true {
            return format!(
                "\n{prefix}<!-- nested blocks not loaded: read block {id} with NOTION_GET_PAGE_CONTENT -->"
            );
        }
        return String::new();
    };
    let text = render(kids, children);
    if text.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.is_empty() {
                prefix.trim_end().to_string()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect();
    format!("\n{}", lines.join("\n"))
}

fn render_block(
    block: &Value,
    kind: &str,
    number: usize,
    children: &dyn Children,
) -> Option<String> {
    let body = &block[kind];
    let text = rich_text(&body["rich_text"]);
    let file_url = |body: &Value| {
        body["external"]["url"]
            .as_str()
            .or_else(|| body["file"]["url"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let caption = rich_text(&body["caption"]);
    Some(match kind {
        "paragraph" => format!("{text}{}", nested(block, children, "  ")),
        "heading_1" | "heading_2" | "heading_3" | "heading_4" => {
            let level: usize = kind[8..].parse().unwrap_or(3);
            format!(
                "{} {text}{}",
                "#".repeat(level),
                nested(block, children, "")
            )
        }
        "bulleted_list_item" | "toggle" => {
            format!("- {text}{}", nested(block, children, "  "))
        }
        "numbered_list_item" => format!("{number}. {text}{}", nested(block, children, "   ")),
        "to_do" => {
            let mark = if body["checked"] == true { "x" } else { " " };
            format!("- [{mark}] {text}{}", nested(block, children, "  "))
        }
        "quote" | "callout" => {
            let icon = body["icon"]["emoji"]
                .as_str()
                .map(|e| format!("{e} "))
                .unwrap_or_default();
            let inner = format!("{icon}{text}{}", nested(block, children, ""));
            inner
                .lines()
                .map(|line| {
                    if line.is_empty() {
                        ">".to_string()
                    } else {
                        format!("> {line}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        "code" => {
            let language = match body["language"].as_str() {
                Some("plain text") | None => "",
                Some(language) => language,
            };
            format!("```{language}\n{text}\n```")
        }
        "divider" => "---".to_string(),
        "equation" => format!(
            "$$\n{}\n$$",
            body["expression"].as_str().unwrap_or_default()
        ),
        "image" => format!("![{caption}]({})", file_url(body)),
        "video" | "file" | "pdf" | "audio" => {
            let url = file_url(body);
            let name = body["name"].as_str().map(str::to_string);
            let label = name
                .filter(|n| !n.is_empty())
                .unwrap_or(if caption.is_empty() {
                    url.clone()
                } else {
                    caption.clone()
                });
            format!("[{label}]({url})")
        }
        "bookmark" | "embed" | "link_preview" => {
            let url = body["url"].as_str().unwrap_or_default();
            let label = if caption.is_empty() { url } else { &caption };
            format!("[{label}]({url})")
        }
        "child_page" => {
            let id = block["id"].as_str().unwrap_or_default();
            let title = body["title"].as_str().unwrap_or("Untitled");
            format!("[{title}]({}) (child page {id})", page_url(id))
        }
        "child_database" => {
            let id = block["id"].as_str().unwrap_or_default();
            let title = body["title"].as_str().unwrap_or("Untitled");
            format!("[{title}]({}) (child database {id})", page_url(id))
        }
        "link_to_page" => {
            let id = body["page_id"]
                .as_str()
                .or_else(|| body["database_id"].as_str())
                .unwrap_or_default();
            format!("[Link to page]({})", page_url(id))
        }
        "table" => render_table(block, children),
        "column_list" | "column" | "synced_block" => {
            let id = block["id"].as_str().unwrap_or_default();
            match children.of(id) {
                Some(kids) => render(kids, children),
                None => nested(block, children, "").trim_start().to_string(),
            }
        }
        "table_of_contents" | "breadcrumb" => return None,
        other => format!("<!-- a {other} block, which has no Markdown form -->"),
    })
}

fn render_table(block: &Value, children: &dyn Children) -> String {
    let id = block["id"].as_str().unwrap_or_default();
    let Some(rows) = children.of(id) else {
        return nested(block, children, "").trim_start().to_string();
    };
    let cells = |row: &Value| -> Vec<String> {
        row["table_row"]["cells"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|cell| rich_text(cell).replace('|', "\\|").replace('\n', " "))
            .collect()
    };
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let row = cells(row);
        lines.push(format!("| {} |", row.join(" | ")));
        if i == 0 {
            lines.push(format!("|{}", " --- |".repeat(row.len().max(1))));
        }
    }
    lines.join("\n")
}
