//! A Google Doc's structural JSON (`documents.get`) read into what a model can use: Markdown
//! (headings, bulleted and numbered lists, bold, italic, links and tables kept) or plain text,
//! and the document's headings with their indexes, for inserting text under one.
//!
//! Only the parts of Google's `Document` resource that carry text are decoded; the rest (styles,
//! inline objects, suggestions) is ignored.

use std::collections::HashMap;

use serde::Deserialize;

/// The parts of a `Document` this module reads.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    pub document_id: String,
    pub title: String,
    pub revision_id: Option<String>,
    body: Body,
    lists: HashMap<String, List>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Body {
    content: Vec<StructuralElement>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StructuralElement {
    start_index: u32,
    end_index: u32,
    paragraph: Option<Paragraph>,
    table: Option<Table>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Paragraph {
    elements: Vec<ParagraphElement>,
    paragraph_style: ParagraphStyle,
    bullet: Option<Bullet>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ParagraphStyle {
    named_style_type: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Bullet {
    list_id: String,
    nesting_level: usize,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ParagraphElement {
    text_run: Option<TextRun>,
    rich_link: Option<RichLink>,
    person: Option<Person>,
    horizontal_rule: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct TextRun {
    content: String,
    text_style: TextStyle,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextStyle {
    bold: bool,
    italic: bool,
    strikethrough: bool,
    link: Option<Link>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Link {
    url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RichLink {
    rich_link_properties: RichLinkProperties,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RichLinkProperties {
    title: String,
    uri: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Person {
    person_properties: PersonProperties,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonProperties {
    name: Option<String>,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Table {
    table_rows: Vec<TableRow>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct TableRow {
    table_cells: Vec<TableCell>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TableCell {
    content: Vec<StructuralElement>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct List {
    list_properties: ListProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ListProperties {
    nesting_levels: Vec<NestingLevel>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NestingLevel {
    glyph_type: Option<String>,
}

/// A heading of the body, as `GOOGLE_DOCS_INSERT_TEXT` looks one up.
#[derive(Debug, PartialEq, Eq)]
pub struct Heading {
    /// The heading's text without its final newline.
    pub text: String,
    /// Index (UTF-16 code units) just after the heading's paragraph: the start of what follows.
    pub end_index: u32,
}

/// How the text is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Markdown,
    Text,
}

impl Document {
    /// The index just past the body's last character (its final newline).
    pub fn body_end(&self) -> u32 {
        self.body.content.last().map_or(1, |e| e.end_index)
    }

    /// Headings, titles and subtitles of the body, in order.
    pub fn headings(&self) -> Vec<Heading> {
        self.body
            .content
            .iter()
            .filter_map(|element| {
                let paragraph = element.paragraph.as_ref()?;
                heading_level(&paragraph.paragraph_style.named_style_type)?;
                let text = plain_runs(paragraph);
                Some(Heading {
                    text: text.trim_end_matches('\n').to_string(),
                    end_index: element.end_index,
                })
            })
            .collect()
    }

    /// The body rendered as Markdown or plain text, blocks separated by a blank line (list items
    /// by a line break), ending without a trailing newline.
    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        let mut previous_was_item = false;
        for element in &self.body.content {
            let Some((block, is_item)) = self.block(element, style) else {
                continue;
            };
            if !out.is_empty() {
                out.push_str(if previous_was_item && is_item {
                    "\n"
                } else {
                    "\n\n"
                });
            }
            out.push_str(&block);
            previous_was_item = is_item;
        }
        out
    }

    /// One structural element as a block of text, and whether it is a list item; `None` for
    /// empty paragraphs and section breaks.
    fn block(&self, element: &StructuralElement, style: Style) -> Option<(String, bool)> {
        if let Some(table) = &element.table {
            return Some((self.table(table, style), false));
        }
        let paragraph = element.paragraph.as_ref()?;
        let level = heading_level(&paragraph.paragraph_style.named_style_type);
        // Headings are styled by their named style; marking their runs would double it.
        let text = match (style, level) {
            (Style::Markdown, None) => markdown_runs(paragraph),
            _ => plain_runs(paragraph),
        };
        let text = text.trim_end_matches('\n').replace('\u{b}', "\n");
        if text.trim().is_empty() {
            return None;
        }
        if let Some(bullet) = &paragraph.bullet {
            // Four spaces nest under both `- ` and `1. ` in CommonMark.
            let width = if style == Style::Markdown { 4 } else { 2 };
            let indent = " ".repeat(width * bullet.nesting_level);
            let marker = match (style, self.is_numbered(bullet)) {
                (Style::Markdown, true) => "1.",
                (Style::Markdown, false) => "-",
                (Style::Text, _) => "*",
            };
            return Some((format!("{indent}{marker} {text}"), true));
        }
        Some(match (style, level) {
            (Style::Markdown, Some(level)) => (format!("{} {text}", "#".repeat(level)), false),
            _ => (text, false),
        })
    }

    /// Whether a list item's level is numbered (a glyph type other than none) rather than
    /// bulleted (a glyph symbol, no glyph type).
    fn is_numbered(&self, bullet: &Bullet) -> bool {
        self.lists
            .get(&bullet.list_id)
            .and_then(|list| {
                list.list_properties
                    .nesting_levels
                    .get(bullet.nesting_level)
            })
            .and_then(|level| level.glyph_type.as_deref())
            .is_some_and(|glyph| !matches!(glyph, "NONE" | "GLYPH_TYPE_UNSPECIFIED"))
    }

    /// A table: a Markdown table (the first row as its header) or tab-separated lines.
    fn table(&self, table: &Table, style: Style) -> String {
        let rows: Vec<Vec<String>> = table
            .table_rows
            .iter()
            .map(|row| {
                row.table_cells
                    .iter()
                    .map(|cell| {
                        let parts: Vec<String> = cell
                            .content
                            .iter()
                            .filter_map(|e| self.block(e, style).map(|(text, _)| text))
                            .collect();
                        parts.join(" ").replace('\n', " ")
                    })
                    .collect()
            })
            .collect();
        match style {
            Style::Text => rows
                .iter()
                .map(|row| row.join("\t"))
                .collect::<Vec<_>>()
                .join("\n"),
            Style::Markdown => {
                let line = |row: &Vec<String>| {
                    let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
                    format!("| {} |", cells.join(" | "))
                };
                let mut lines: Vec<String> = Vec::new();
                for (i, row) in rows.iter().enumerate() {
                    lines.push(line(row));
                    if i == 0 {
                        lines.push(format!("|{}", " --- |".repeat(row.len())));
                    }
                }
                lines.join("\n")
            }
        }
    }
}

/// Markdown heading level of a named style: `TITLE` and `HEADING_1` are `#`, `SUBTITLE` and
/// `HEADING_2` are `##`, and so on; `None` for body text.
fn heading_level(named_style: &str) -> Option<usize> {
    match named_style {
        "TITLE" => Some(1),
        "SUBTITLE" => Some(2),
        other => other
            .strip_prefix("HEADING_")
            .and_then(|n| n.parse().ok())
            .filter(|n| (1..=6).contains(n)),
    }
}

/// The paragraph's text as it reads, no markup.
fn plain_runs(paragraph: &Paragraph) -> String {
    paragraph
        .elements
        .iter()
        .map(|element| {
            if let Some(run) = &element.text_run {
                run.content.clone()
            } else if let Some(link) = &element.rich_link {
                let properties = &link.rich_link_properties;
                if properties.title.is_empty() {
                    properties.uri.clone()
                } else {
                    properties.title.clone()
                }
            } else if let Some(person) = &element.person {
                let properties = &person.person_properties;
                properties
                    .name
                    .clone()
                    .unwrap_or_else(|| properties.email.clone())
            } else {
                String::new()
            }
        })
        .collect()
}

/// The paragraph's text with bold, italic, strikethrough and links as Markdown.
fn markdown_runs(paragraph: &Paragraph) -> String {
    let mut out = String::new();
    for element in &paragraph.elements {
        if let Some(run) = &element.text_run {
            out.push_str(&styled(&run.content, &run.text_style));
        } else if let Some(link) = &element.rich_link {
            let properties = &link.rich_link_properties;
            let title = if properties.title.is_empty() {
                &properties.uri
            } else {
                &properties.title
            };
            out.push_str(&format!("[{title}]({})", properties.uri));
        } else if let Some(person) = &element.person {
            let email = &person.person_properties.email;
            let name = person.person_properties.name.as_deref().unwrap_or(email);
            out.push_str(&format!("[{name}](mailto:{email})"));
        } else if element.horizontal_rule.is_some() {
            out.push_str("\n---\n");
        }
    }
    out
}

/// One run with its marks; surrounding whitespace stays outside them, as Markdown requires.
fn styled(content: &str, style: &TextStyle) -> String {
    let inner = content.trim();
    if inner.is_empty() {
        return content.to_string();
    }
    let start = content.len() - content.trim_start().len();
    let (leading, rest) = content.split_at(start);
    let trailing = &rest[inner.len()..];
    let mut text = inner.to_string();
    if style.strikethrough {
        text = format!("~~{text}~~");
    }
    if style.italic {
        text = format!("_{text}_");
    }
    if style.bold {
        text = format!("**{text}**");
    }
    if let Some(url) = style.link.as_ref().and_then(|l| l.url.as_deref()) {
        text = format!("[{text}]({url})");
    }
    format!("{leading}{text}{trailing}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(text: &str) -> serde_json::Value {
        json!({"textRun": {"content": text, "textStyle": {}}})
    }

    #[test]
    fn marks_wrap_the_words_not_the_spaces_around_them() {
        let bold = TextStyle {
            bold: true,
            ..TextStyle::default()
        };
        assert_eq!(styled(" big deal \n", &bold), " **big deal** \n");
        assert_eq!(styled("\n", &bold), "\n");
    }

    #[test]
    fn numbered_and_bulleted_lists_nest_by_level() {
        let doc: Document = serde_json::from_value(json!({
            "documentId": "d", "title": "t",
            "body": {"content": [
                {"startIndex": 1, "endIndex": 5, "paragraph": {"elements": [run("one\n")], "bullet": {"listId": "n"}, "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}}},
                {"startIndex": 5, "endIndex": 9, "paragraph": {"elements": [run("two\n")], "bullet": {"listId": "b", "nestingLevel": 1}, "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"}}}
            ]},
            "lists": {
                "n": {"listProperties": {"nestingLevels": [{"glyphType": "DECIMAL"}]}},
                "b": {"listProperties": {"nestingLevels": [{"glyphSymbol": "●"}, {"glyphSymbol": "○"}]}}
            }
        }))
        .unwrap();
        assert_eq!(doc.render(Style::Markdown), "1. one\n    - two");
        assert_eq!(doc.render(Style::Text), "* one\n  * two");
    }
}
