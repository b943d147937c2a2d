//! Fetching several pages of a list, up to a cap, without losing the rest: [`collect`] stops at
//! the cap and hands back the cursor of the next page, so an agent can go on where it stopped.
//!
//! Providers say "there is more" in one of three ways, and each fits [`Page::new`]: a `Link`
//! header (`Response::next_link`, GitHub), a cursor in the body (Slack's
//! `response_metadata.next_cursor`) or a page token (Google's `nextPageToken`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::Error;

/// How much one call may fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_pages: usize,
    pub max_items: usize,
}

impl Limits {
    /// At most `max_pages` pages, any number of items.
    ///
    /// ```
    /// let limits = actionhost_sdk::paginate::Limits::pages(5).items(500);
    /// assert_eq!((limits.max_pages, limits.max_items), (5, 500));
    /// ```
    pub fn pages(max_pages: usize) -> Self {
        Limits {
            max_pages,
            max_items: usize::MAX,
        }
    }

    /// Stops after the page that brings the count to `max_items` or more. A page is never cut:
    /// cutting it would lose the items between the cut and the next cursor.
    ///
    /// ```
    /// let limits = actionhost_sdk::paginate::Limits::pages(10).items(100);
    /// assert_eq!(limits.max_items, 100);
    /// ```
    pub fn items(mut self, max_items: usize) -> Self {
        self.max_items = max_items;
        self
    }
}

/// One fetched page: its items and the cursor of the page after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// An empty cursor (Slack's `""` on the last page) means there is no next page.
    ///
    /// ```
    /// let last = actionhost_sdk::paginate::Page::new(vec![1, 2], Some(String::new()));
    /// assert_eq!(last.next, None);
    /// ```
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Page {
            items,
            next: next.filter(|cursor| !cursor.is_empty()),
        }
    }
}

/// Items of one or more pages, and where to go on: `next_cursor` is set whenever more items
/// exist than were returned.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Paged<T> {
    /// The items, in the provider's order.
    pub items: Vec<T>,
    /// Cursor of the next page when there are more items; pass it back to continue. `null` when
    /// the list is complete.
    pub next_cursor: Option<String>,
}

/// Fetches pages from `start` (the caller's cursor, `None` for the first page) until the last
/// page or a limit; `fetch` gets the cursor of the page to fetch.
///
/// ```no_run
/// use actionhost_sdk::prelude::*;
/// use actionhost_sdk::paginate::{Limits, Page, collect};
///
/// # fn demo(api: &Api) -> Result<(), Error> {
/// // GitHub: the cursor is the next page's URL from the `Link` header.
/// let issues = collect(None, Limits::pages(3).items(200), |cursor| {
///     let response = api.get(cursor.unwrap_or("/repos/o/r/issues?per_page=100")).send()?;
///     Ok(Page::new(response.json::<Vec<Value>>()?, response.next_link()))
/// })?;
/// if let Some(next) = &issues.next_cursor {
///     // more issues exist; `next` fetches them
/// }
/// # Ok(()) }
/// ```
pub fn collect<T>(
    start: Option<String>,
    limits: Limits,
    mut fetch: impl FnMut(Option<&str>) -> Result<Page<T>, Error>,
) -> Result<Paged<T>, Error> {
    let mut items = Vec::new();
    let mut cursor = start.filter(|c| !c.is_empty());
    let mut pages = 0;
    loop {
        let page = fetch(cursor.as_deref())?;
        pages += 1;
        items.extend(page.items);
        cursor = page.next;
        if cursor.is_none() || pages >= limits.max_pages || items.len() >= limits.max_items {
            return Ok(Paged {
                items,
                next_cursor: cursor,
            });
        }
    }
}

/// The target of the first link in a `Link` header (RFC 8288) whose `rel` includes `rel`
/// (compared case-insensitively). `None` when there is none or the header is malformed from
/// that point on.
pub(crate) fn link_with_rel(header: &str, rel: &str) -> Option<String> {
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let after_open = rest.strip_prefix('<')?;
        let close = after_open.find('>')?;
        let target = &after_open[..close];
        rest = &after_open[close + 1..];
        let mut relations: Option<String> = None;
        while let Some(param) = rest.trim_start().strip_prefix(';') {
            let (name, value, after) = link_param(param)?;
            // Only the first `rel` counts (RFC 8288 §3.3).
            if name.eq_ignore_ascii_case("rel") && relations.is_none() {
                relations = Some(value);
            }
            rest = after;
        }
        let wanted = relations
            .as_deref()
            .unwrap_or("")
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case(rel));
        if wanted {
            return Some(target.to_string());
        }
        rest = rest.trim_start();
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
    }
}

/// One `name[=value]` link parameter (the text after its `;`): name, unquoted value and the rest.
fn link_param(text: &str) -> Option<(&str, String, &str)> {
    let text = text.trim_start();
    let name_end = text
        .find(|c: char| c == '=' || c == ';' || c == ',' || c.is_ascii_whitespace())
        .unwrap_or(text.len());
    let name = &text[..name_end];
    let rest = text[name_end..].trim_start();
    let Some(value) = rest.strip_prefix('=') else {
        return Some((name, String::new(), rest));
    };
    let value = value.trim_start();
    if let Some(quoted) = value.strip_prefix('"') {
        let mut unquoted = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => unquoted.push(chars.next()?.1),
                '"' => return Some((name, unquoted, &quoted[i + 1..])),
                c => unquoted.push(c),
            }
        }
        None
    } else {
        let end = value
            .find(|c: char| c == ';' || c == ',' || c.is_ascii_whitespace())
            .unwrap_or(value.len());
        Some((name, value[..end].to_string(), &value[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Api;
    use crate::testing::Transport;
    use serde_json::{Value, json};

    #[test]
    fn link_headers_are_read_as_rfc_8288_writes_them() {
        let github = r#"<https://api.github.com/repositories/1/issues?page=1>; rel="prev", <https://api.github.com/repositories/1/issues?page=3>; rel="next", <https://api.github.com/repositories/1/issues?page=9>; rel="last""#;
        assert_eq!(
            link_with_rel(github, "next").as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=3")
        );
        assert_eq!(
            link_with_rel(github, "last").as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=9")
        );
        // Unquoted, upper case, several relations, commas and semicolons inside the target.
        assert_eq!(
            link_with_rel("<https://x.test/a;b,c>;REL=next", "next").as_deref(),
            Some("https://x.test/a;b,c")
        );
        assert_eq!(
            link_with_rel(
                r#"<https://x.test/2> ; title="a, \"b\"; c" ; rel="last next""#,
                "next"
            )
            .as_deref(),
            Some("https://x.test/2")
        );
        // Only the first `rel` parameter counts.
        assert_eq!(
            link_with_rel(r#"<https://x.test/2>; rel="prev"; rel="next""#, "next"),
            None
        );
        assert_eq!(
            link_with_rel(r#"<https://x.test/2>; rel="prev""#, "next"),
            None
        );
        assert_eq!(link_with_rel("", "next"), None);
        assert_eq!(
            link_with_rel(r#"https://x.test/2; rel="next""#, "next"),
            None
        );
        assert_eq!(
            link_with_rel(r#"<https://x.test/2; rel="next""#, "next"),
            None
        );
        assert_eq!(
            link_with_rel(r#"<https://x.test/2>; rel="next"#, "next"),
            None
        );
    }

    #[test]
    fn link_pages_stop_at_the_page_cap_with_the_next_url() {
        let transport = Transport::install();
        let page = |n: u32, next: Option<u32>| {
            let mut headers = vec![];
            if let Some(next) = next {
                headers.push((
                    "link".to_string(),
                    format!(r#"<https://api.test/items?page={next}>; rel="next""#),
                ));
            }
            crate::http::Response::from_parts(200, headers, json!([n]).to_string().into_bytes())
        };
        transport.reply_with(page(1, Some(2)));
        transport.reply_with(page(2, Some(3)));
        let api = Api::new("https://api.test");
        let paged = collect(None, Limits::pages(2), |cursor| {
            let response = api.get(cursor.unwrap_or("/items")).send()?;
            Ok(Page::new(
                response.json::<Vec<u32>>()?,
                response.next_link(),
            ))
        })
        .unwrap();
        assert_eq!(paged.items, vec![1, 2]);
        assert_eq!(
            paged.next_cursor.as_deref(),
            Some("https://api.test/items?page=3")
        );
        let urls: Vec<String> = transport.requests().into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            ["https://api.test/items", "https://api.test/items?page=2"]
        );
    }

    #[test]
    fn body_cursors_run_to_the_last_page_and_an_empty_cursor_ends_the_list() {
        let transport = Transport::install();
        transport.reply_json(
            200,
            json!({"ok": true, "channels": [1, 2], "response_metadata": {"next_cursor": "dGVhbTpDMDYx"}}),
        );
        transport.reply_json(
            200,
            json!({"ok": true, "channels": [3], "response_metadata": {"next_cursor": ""}}),
        );
        let api = Api::new("https://slack.test/api");
        let paged = collect(Some("c0".into()), Limits::pages(10), |cursor| {
            let body: Value = api
                .get("/conversations.list")
                .query(&[("cursor", cursor)])
                .send()?
                .json()?;
            let next = body
                .pointer("/response_metadata/next_cursor")
                .and_then(Value::as_str);
            Ok(Page::new(
                serde_json::from_value::<Vec<u32>>(body["channels"].clone())?,
                next.map(str::to_string),
            ))
        })
        .unwrap();
        assert_eq!(paged.items, vec![1, 2, 3]);
        assert_eq!(paged.next_cursor, None);
        let urls: Vec<String> = transport.requests().into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            [
                "https://slack.test/api/conversations.list?cursor=c0",
                "https://slack.test/api/conversations.list?cursor=dGVhbTpDMDYx"
            ]
        );
    }

    #[test]
    fn page_tokens_stop_after_the_page_that_reaches_the_item_cap() {
        let transport = Transport::install();
        transport.reply_json(200, json!({"files": [1, 2, 3], "nextPageToken": "t2"}));
        transport.reply_json(200, json!({"files": [4, 5, 6], "nextPageToken": "t3"}));
        let api = Api::new("https://drive.test");
        let paged = collect(None, Limits::pages(10).items(4), |token| {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct List {
                files: Vec<u32>,
                next_page_token: Option<String>,
            }
            let list: List = api
                .get("/drive/v3/files")
                .query(&[("pageToken", token)])
                .send()?
                .json()?;
            Ok(Page::new(list.files, list.next_page_token))
        })
        .unwrap();
        assert_eq!(paged.items, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(paged.next_cursor.as_deref(), Some("t3"));
        assert_eq!(transport.requests().len(), 2);
    }

    #[test]
    fn an_error_on_a_later_page_is_the_callers_error() {
        let transport = Transport::install();
        transport.reply_json(200, json!({"items": [1], "next": "2"}));
        transport.reply_json(429, json!({"message": "slow down"}));
        let api = Api::new("https://x.test");
        let error = collect(None, Limits::pages(5), |cursor| {
            let body: Value = api.get("/l").query(&[("c", cursor)]).send()?.json()?;
            Ok(Page::new(
                serde_json::from_value::<Vec<u32>>(body["items"].clone())?,
                body["next"].as_str().map(str::to_string),
            ))
        })
        .unwrap_err();
        assert_eq!(error, Error::rate_limited("slow down", None));
    }
}
