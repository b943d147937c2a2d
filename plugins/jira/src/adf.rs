//! Atlassian Document Format (ADF), the JSON tree Jira Cloud's REST v3 uses for every rich-text
//! value (an issue's description, a comment's body, multi-line text custom fields), converted
//! both ways so that a model only ever reads and writes plain text.
//!
//! - [`from_text`]: plain text to ADF. Blank lines separate paragraphs, single line breaks stay
//!   line breaks (`hardBreak`), lines starting with `- ` or `* ` make a bullet list, lines
//!   starting with `1. ` (any number) an ordered list, and a fenced block (```` ``` ```` lines,
//!   an optional language after the opening fence) a code block. Nothing else is interpreted:
//!   text is never lost or reformatted.
//! - [`to_text`]: ADF to plain text. Every node type degrades to its text: headings as `# `,
//!   lists as `- ` / `1. ` (nested ones indented), code blocks fenced, quotes as `> `, tables as
//!   `|`-separated rows, tasks as `[ ]` / `[x]`, mentions, emoji, statuses and dates as their
//!   text, cards and links with their URL; node types this module does not know give the text
//!   of their content. Marks other than links (bold, colour, ...) are dropped.
//! - [`plain`]: replaces every ADF document inside a JSON answer by its text.
//!
//! Reference: <https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/>.

use serde_json::{Map, Value, json};

/// The ADF document for `text` (see the module doc for what is interpreted).
///
/// ```
/// let doc = actionhost_plugin_jira::adf::from_text("Hello\nworld");
/// assert_eq!(doc["content"][0]["content"][1]["type"], "hardBreak");
/// ```
pub fn from_text(text: &str) -> Value {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
        } else if let Some(language) = fence(line) {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && fence(lines[end]).is_none() {
                end += 1;
            }
            blocks.push(code_block(language, &lines[start..end.min(lines.len())]));
            // Past the closing fence (an unclosed block runs to the end).
            i = end + 1;
        } else if bullet(line).is_some() {
            let mut items = Vec::new();
            while i < lines.len()
                && let Some(item) = bullet(lines[i])
            {
                items.push(list_item(item));
                i += 1;
            }
            blocks.push(json!({"type": "bulletList", "content": items}));
        } else if let Some((first, _)) = numbered(line) {
            let mut items = Vec::new();
            while i < lines.len()
                && let Some((_, item)) = numbered(lines[i])
            {
                items.push(list_item(item));
                i += 1;
            }
            let mut list = json!({"type": "orderedList", "content": items});
            if first != 1 {
                list["attrs"] = json!({"order": first});
            }
            blocks.push(list);
        } else {
            let start = i;
            while i < lines.len()
                && !lines[i].trim().is_empty()
                && fence(lines[i]).is_none()
                && bullet(lines[i]).is_none()
                && numbered(lines[i]).is_none()
            {
                i += 1;
            }
            blocks.push(paragraph(&lines[start..i]));
        }
    }
    json!({"type": "doc", "version": 1, "content": blocks})
}

/// The language of a fence line (```` ```rust ```` → `Some("rust")`, ```` ``` ```` → `Some("")`).
fn fence(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("```")?;
    (!rest.contains('`')).then(|| rest.trim())
}

fn bullet(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .filter(|item| !item.trim().is_empty())
}

/// `12. text` → `(12, "text")`.
fn numbered(line: &str) -> Option<(u64, &str)> {
    let trimmed = line.trim_start();
    let digits = trimmed.find(|c: char| !c.is_ascii_digit())?;
    let number = trimmed[..digits].parse().ok()?;
    let item = trimmed[digits..].strip_prefix(". ")?;
    (!item.trim().is_empty()).then_some((number, item))
}

/// A paragraph of `lines`, a `hardBreak` between each two.
fn paragraph(lines: &[&str]) -> Value {
    let mut content = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            content.push(json!({"type": "hardBreak"}));
        }
        if !line.is_empty() {
            content.push(json!({"type": "text", "text": line}));
        }
    }
    json!({"type": "paragraph", "content": content})
}

fn list_item(text: &str) -> Value {
    json!({"type": "listItem", "content": [paragraph(&[text.trim()])]})
}

fn code_block(language: &str, lines: &[&str]) -> Value {
    let mut block = json!({"type": "codeBlock"});
    if !language.is_empty() {
        block["attrs"] = json!({"language": language});
    }
    let code = lines.join("\n");
    // ADF refuses empty text nodes.
    block["content"] = if code.is_empty() {
        json!([])
    } else {
        json!([{"type": "text", "text": code}])
    };
    block
}

/// Whether `value` is an ADF document (`{"type": "doc", "version": 1, "content": [...]}`).
pub fn is_document(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("doc")
        && value.get("version").is_some_and(Value::is_number)
        && value.get("content").is_some_and(Value::is_array)
}

/// Replaces every ADF document found in `value` (at any depth) by its plain text.
///
/// ```
/// let mut issue = serde_json::json!({"fields": {"description": {"type": "doc", "version": 1, "content": [
///     {"type": "paragraph", "content": [{"type": "text", "text": "Crash on start"}]}]}}});
/// actionhost_plugin_jira::adf::plain(&mut issue);
/// assert_eq!(issue["fields"]["description"], "Crash on start");
/// ```
pub fn plain(value: &mut Value) {
    if is_document(value) {
        *value = Value::String(to_text(value));
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(plain),
        Value::Array(items) => items.iter_mut().for_each(plain),
        _ => {}
    }
}

/// The plain text of an ADF node (a document or any node in it).
///
/// ```
/// let doc = serde_json::json!({"type": "doc", "version": 1, "content": [
///     {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Steps"}]},
///     {"type": "bulletList", "content": [{"type": "listItem", "content": [
///         {"type": "paragraph", "content": [{"type": "text", "text": "Open the app"}]}]}]}]});
/// assert_eq!(actionhost_plugin_jira::adf::to_text(&doc), "## Steps\n\n- Open the app");
/// ```
pub fn to_text(node: &Value) -> String {
    let text = if is_inline(node) {
        inline(std::slice::from_ref(node))
    } else {
        render(node)
    };
    text.trim_end().to_string()
}

/// A block node as text; a node type not known here gives the text of its content.
fn render(node: &Value) -> String {
    block(node).unwrap_or_else(|| blocks(children(node)).join("\n\n"))
}

fn kind(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

fn children(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn attr<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    node.get("attrs")?
        .get(name)?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// Inline nodes: text and the nodes that sit in a paragraph's line.
fn is_inline(node: &Value) -> bool {
    matches!(
        kind(node),
        "text"
            | "hardBreak"
            | "mention"
            | "emoji"
            | "date"
            | "status"
            | "inlineCard"
            | "mediaInline"
            | "placeholder"
            | "inlineExtension"
    ) || node.get("text").is_some()
}

/// The blocks of `nodes`, each rendered (empty ones left out).
fn blocks(nodes: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for node in nodes {
        if is_inline(node) {
            // Inline nodes directly in a block container (lenient): one paragraph.
            run.push(node.clone());
            continue;
        }
        if !run.is_empty() {
            out.push(inline(&std::mem::take(&mut run)));
        }
        let text = render(node);
        if !text.trim().is_empty() {
            out.push(text);
        }
    }
    if !run.is_empty() {
        out.push(inline(&run));
    }
    out
}

/// One block node as text; `None` for nodes that are not blocks this module renders itself.
fn block(node: &Value) -> Option<String> {
    let content = children(node);
    Some(match kind(node) {
        "doc" => blocks(content).join("\n\n"),
        "paragraph" => inline(content),
        "heading" => {
            let level = node
                .pointer("/attrs/level")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 6);
            format!("{} {}", "#".repeat(level as usize), inline(content))
        }
        "codeBlock" => format!(
            "```{}\n{}\n```",
            attr(node, "language").unwrap_or(""),
            inline(content)
        ),
        "blockquote" => prefixed(&blocks(content).join("\n\n"), "> "),
        "rule" => "---".to_string(),
        "bulletList" => list(content, |_| "- ".to_string()),
        "orderedList" => {
            let start = node
                .pointer("/attrs/order")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            list(content, |n| format!("{}. ", start + n as u64))
        }
        "taskList" => list(content, |_| String::new()),
        "taskItem" => {
            let done = attr(node, "state") == Some("DONE");
            format!("[{}] {}", if done { "x" } else { " " }, inline(content))
        }
        "decisionList" => list(content, |_| "- ".to_string()),
        "decisionItem" => inline(content),
        "table" => content
            .iter()
            .map(|row| {
                children(row)
                    .iter()
                    .map(|cell| blocks(children(cell)).join(" ").replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "media" => media(node),
        "mediaSingle" | "mediaGroup" => content.iter().map(media).collect::<Vec<_>>().join("\n"),
        "blockCard" | "embedCard" => attr(node, "url").unwrap_or("").to_string(),
        _ => return None,
    })
}

/// The items of a list, each on its own line(s) after `marker(n)`, continuation lines indented.
fn list(items: &[Value], marker: impl Fn(usize) -> String) -> String {
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let text = match kind(item) {
                "listItem" => blocks(children(item)).join("\n"),
                _ => to_text(item),
            };
            let marker = marker(n);
            let indent = " ".repeat(marker.len().max(2));
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("");
            let mut out = format!("{marker}{first}");
            for line in lines {
                out.push('\n');
                if !line.is_empty() {
                    out.push_str(&indent);
                    out.push_str(line);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn prefixed(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn media(node: &Value) -> String {
    let name = attr(node, "alt")
        .or_else(|| attr(node, "url"))
        .or_else(|| attr(node, "id"))
        .unwrap_or("file");
    format!("[attachment: {name}]")
}

/// The text of inline nodes on one line (line breaks from `hardBreak`).
fn inline(nodes: &[Value]) -> String {
    let mut out = String::new();
    for node in nodes {
        match kind(node) {
            "text" => {
                let text = node.get("text").and_then(Value::as_str).unwrap_or("");
                out.push_str(text);
                if let Some(href) = link(node).filter(|href| *href != text) {
                    out.push_str(&format!(" ({href})"));
                }
            }
            "hardBreak" => out.push('\n'),
            "mention" => match attr(node, "text") {
                Some(text) => out.push_str(text),
                None => out.push_str(&format!("@{}", attr(node, "id").unwrap_or("someone"))),
            },
            "emoji" => out.push_str(
                attr(node, "text")
                    .or_else(|| attr(node, "shortName"))
                    .unwrap_or(""),
            ),
            "date" => out.push_str(&attr(node, "timestamp").map(date).unwrap_or_default()),
            "status" => out.push_str(attr(node, "text").unwrap_or("")),
            "inlineCard" => out.push_str(attr(node, "url").unwrap_or("")),
            "placeholder" => out.push_str(attr(node, "text").unwrap_or("")),
            "mediaInline" => out.push_str(&media(node)),
            _ => match node.get("text").and_then(Value::as_str) {
                Some(text) => out.push_str(text),
                None => out.push_str(&render(node)),
            },
        }
    }
    out
}

/// The `href` of a text node's `link` mark.
fn link(node: &Value) -> Option<&str> {
    node.get("marks")?
        .as_array()?
        .iter()
        .find(|mark| kind(mark) == "link")
        .and_then(|mark| attr(mark, "href"))
}

/// An ADF date (milliseconds since the epoch, as text) as `YYYY-MM-DD` in UTC; the text as it is
/// when it is not a number.
fn date(timestamp: &str) -> String {
    let Ok(millis) = timestamp.trim().parse::<i64>() else {
        return timestamp.to_string();
    };
    let days = millis.div_euclid(86_400_000);
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Removes the members of `map` whose value is `null` (Jira lists every field of an issue, most
/// of them empty).
pub fn drop_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, value| !value.is_null());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(content: Value) -> Value {
        json!({"type": "doc", "version": 1, "content": content})
    }

    fn text(t: &str) -> Value {
        json!({"type": "text", "text": t})
    }

    fn para(content: Value) -> Value {
        json!({"type": "paragraph", "content": content})
    }

    #[test]
    fn paragraphs_and_line_breaks_become_paragraphs_and_hard_breaks() {
        assert_eq!(
            from_text("First line\nsecond line\n\n\nNext paragraph"),
            doc(json!([
                para(json!([text("First line"), {"type": "hardBreak"}, text("second line")])),
                para(json!([text("Next paragraph")])),
            ]))
        );
    }

    #[test]
    fn lists_and_code_blocks_are_recognised() {
        let written = "Steps:\n- open the app\n* tap Save\n\n3. three\n4. four\n```rust\nfn main() {}\n\n```\nafter";
        assert_eq!(
            from_text(written),
            doc(json!([
                para(json!([text("Steps:")])),
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [para(json!([text("open the app")]))]},
                    {"type": "listItem", "content": [para(json!([text("tap Save")]))]},
                ]},
                {"type": "orderedList", "attrs": {"order": 3}, "content": [
                    {"type": "listItem", "content": [para(json!([text("three")]))]},
                    {"type": "listItem", "content": [para(json!([text("four")]))]},
                ]},
                {"type": "codeBlock", "attrs": {"language": "rust"}, "content": [text("fn main() {}\n")]},
                para(json!([text("after")])),
            ]))
        );
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end_and_empty_text_is_an_empty_document() {
        assert_eq!(
            from_text("```\nlet x = 1;"),
            doc(json!([{"type": "codeBlock", "content": [text("let x = 1;")]}]))
        );
        assert_eq!(from_text(" \n\n"), doc(json!([])));
        assert_eq!(
            from_text("```\n```"),
            doc(json!([{"type": "codeBlock", "content": []}]))
        );
    }

    #[test]
    fn text_survives_a_round_trip() {
        for written in [
            "One paragraph.",
            "Line one\nline two\n\nSecond paragraph",
            "- a\n- b\n\n1. x\n2. y",
            "```sh\ncargo test\n```",
        ] {
            assert_eq!(to_text(&from_text(written)), written, "{written:?}");
        }
    }

    #[test]
    fn every_node_type_degrades_to_its_text() {
        let rich = doc(json!([
            {"type": "heading", "attrs": {"level": 3}, "content": [text("Context")]},
            para(json!([
                text("See "),
                {"type": "text", "text": "the runbook", "marks": [{"type": "strong"}, {"type": "link", "attrs": {"href": "https://wiki.example.com/run"}}]},
                text(", ask "),
                {"type": "mention", "attrs": {"id": "5b10a2844c20165700ede21g", "text": "@Ada Lovelace"}},
                text(" "),
                {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
                text(" by "),
                {"type": "date", "attrs": {"timestamp": "1700000000000"}},
                text(" "),
                {"type": "status", "attrs": {"text": "BLOCKED", "color": "red"}},
                {"type": "hardBreak"},
                {"type": "inlineCard", "attrs": {"url": "https://acme.atlassian.net/browse/PROJ-7"}},
            ])),
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [
                    para(json!([text("outer")])),
                    {"type": "orderedList", "content": [
                        {"type": "listItem", "content": [para(json!([text("inner")]))]}
                    ]}
                ]}
            ]},
            {"type": "blockquote", "content": [para(json!([text("quoted")])), para(json!([text("twice")]))]},
            {"type": "rule"},
            {"type": "codeBlock", "content": [text("x = 1")]},
            {"type": "table", "content": [
                {"type": "tableRow", "content": [
                    {"type": "tableHeader", "content": [para(json!([text("Name")]))]},
                    {"type": "tableHeader", "content": [para(json!([text("Value")]))]}
                ]},
                {"type": "tableRow", "content": [
                    {"type": "tableCell", "content": [para(json!([text("a")]))]},
                    {"type": "tableCell", "content": [para(json!([text("1")]))]}
                ]}
            ]},
            {"type": "taskList", "attrs": {"localId": "t"}, "content": [
                {"type": "taskItem", "attrs": {"localId": "1", "state": "DONE"}, "content": [text("write it")]},
                {"type": "taskItem", "attrs": {"localId": "2", "state": "TODO"}, "content": [text("ship it")]}
            ]},
            {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(json!([text("in a panel")]))]},
            {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"type": "file", "id": "abc", "alt": "screenshot.png"}}]},
            {"type": "expand", "attrs": {"title": "More"}, "content": [para(json!([text("hidden")]))]},
            {"type": "someFutureNode", "content": [para(json!([text("still text")]))]},
        ]));
        assert_eq!(
            to_text(&rich),
            "### Context\n\n\
             See the runbook (https://wiki.example.com/run), ask @Ada Lovelace 😄 by 2023-11-14 BLOCKED\n\
             https://acme.atlassian.net/browse/PROJ-7\n\n\
             - outer\n  1. inner\n\n\
             > quoted\n>\n> twice\n\n\
             ---\n\n\
             ```\nx = 1\n```\n\n\
             Name | Value\na | 1\n\n\
             [x] write it\n[ ] ship it\n\n\
             in a panel\n\n\
             [attachment: screenshot.png]\n\n\
             hidden\n\n\
             still text"
        );
    }

    #[test]
    fn plain_replaces_documents_at_any_depth_and_keeps_everything_else() {
        let mut answer = json!({
            "key": "PROJ-1",
            "fields": {
                "description": doc(json!([para(json!([text("Crash")]))])),
                "customfield_10050": doc(json!([para(json!([text("Notes")]))])),
                "comment": {"comments": [{"id": "1", "body": doc(json!([para(json!([text("On it")]))]))}]},
                "summary": "Crash on start",
                "status": {"name": "To Do", "type": "doc"}
            }
        });
        plain(&mut answer);
        assert_eq!(
            answer,
            json!({
                "key": "PROJ-1",
                "fields": {
                    "description": "Crash",
                    "customfield_10050": "Notes",
                    "comment": {"comments": [{"id": "1", "body": "On it"}]},
                    "summary": "Crash on start",
                    "status": {"name": "To Do", "type": "doc"}
                }
            })
        );
    }

    #[test]
    fn dates_before_and_after_leap_days_are_right() {
        assert_eq!(date("0"), "1970-01-01");
        assert_eq!(date("951782400000"), "2000-02-29");
        assert_eq!(date("1709251199000"), "2024-02-29");
        assert_eq!(date("-86400000"), "1969-12-31");
        assert_eq!(date("soon"), "soon");
    }
}
