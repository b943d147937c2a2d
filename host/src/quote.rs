//! Quoting text the host did not write — a plugin's URLs, header names and messages, an
//! upstream's body — in errors and log lines, always bounded so that no input can make an
//! error body or a log line grow with it.

/// Longest piece of a plugin-supplied URL or header name quoted in an error or log line.
pub const QUOTE_LIMIT: usize = 200;

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most `max` bytes with a marker saying how much was left out, for quoting
/// plugin-supplied text (URLs, header names) in errors and log lines.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(format!(
        "{}… ({} bytes in all)",
        truncate(text, max),
        text.len()
    ))
}
