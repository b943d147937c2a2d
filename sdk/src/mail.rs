//! RFC 5322 messages for mail providers that take a raw message (Gmail's `raw`, Outlook's MIME
//! send): `mail-builder` builds them — headers encoded, bodies and attachments in MIME parts —
//! and [`gmail_raw`] encodes one as Gmail expects.
//!
//! ```
//! use actionhost_sdk::mail::{MessageBuilder, gmail_raw};
//!
//! let message = MessageBuilder::new()
//!     .from(("Ada Lovelace", "ada@example.com"))
//!     .to(vec![("Charles", "charles@example.com")])
//!     .subject("Engine notes — draft")
//!     .text_body("See the attached table.")
//!     .attachment("text/csv", "table.csv", b"a,b\n1,2\n".as_slice());
//! let raw = gmail_raw(message).unwrap();
//! // `POST https://gmail.googleapis.com/gmail/v1/users/me/messages/send` with `{"raw": raw}`.
//! let decoded = String::from_utf8(actionhost_sdk::files::decode(&raw).unwrap()).unwrap();
//! assert!(decoded.contains("To: \"Charles\" <charles@example.com>\r\n"));
//! assert!(decoded.contains("Subject: =?utf-8?"));
//! assert!(!raw.contains('+') && !raw.contains('/'));
//! ```

use crate::Error;

pub use mail_builder::MessageBuilder;
pub use mail_builder::headers;
pub use mail_builder::mime::MimePart;

/// The message's bytes (RFC 5322, CRLF line ends).
///
/// ```
/// let bytes = actionhost_sdk::mail::to_bytes(
///     actionhost_sdk::mail::MessageBuilder::new().to("a@example.com").subject("Hi").text_body("Hello"),
/// ).unwrap();
/// assert!(String::from_utf8(bytes).unwrap().contains("Subject: Hi\r\n"));
/// ```
pub fn to_bytes(message: MessageBuilder<'_>) -> Result<Vec<u8>, Error> {
    message
        .write_to_vec()
        .map_err(|e| Error::internal(format!("cannot write the message: {e}")))
}

/// The message as base64url (Gmail's `raw` field of `users.messages.send` and drafts).
///
/// ```
/// let raw = actionhost_sdk::mail::gmail_raw(
///     actionhost_sdk::mail::MessageBuilder::new().to("a@example.com").subject("Hi").text_body("Hello"),
/// ).unwrap();
/// assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
/// ```
pub fn gmail_raw(message: MessageBuilder<'_>) -> Result<String, Error> {
    Ok(crate::files::encode_url(to_bytes(message)?))
}
