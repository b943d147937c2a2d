//! `multipart/form-data` (RFC 7578: file uploads) and `multipart/related` (RFC 2387: Google
//! Drive's JSON metadata + media upload) bodies, for [`Request::multipart`](crate::http::Request::multipart).
//!
//! The boundary is derived from the parts and checked against them, so a body is the same for the
//! same parts (tests can compare it byte for byte) and no part can contain its delimiter.

use serde::Serialize;

use crate::Error;

/// A multipart body being built.
#[derive(Debug, Clone, PartialEq)]
pub struct Multipart {
    subtype: &'static str,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
struct Part {
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Multipart {
    /// A `multipart/form-data` body: named fields and files, as an HTML form uploads them.
    ///
    /// ```
    /// use actionhost_sdk::multipart::Multipart;
    /// let (content_type, body) = Multipart::form_data()
    ///     .text("channels", "C1")
    ///     .file("file", "notes.txt", "text/plain", b"hello".to_vec())
    ///     .encode();
    /// let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    /// let body = String::from_utf8(body).unwrap();
    /// assert!(body.contains("Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"));
    /// assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    /// ```
    pub fn form_data() -> Self {
        Multipart {
            subtype: "form-data",
            parts: Vec::new(),
        }
    }

    /// A `multipart/related` body: parts in order, each with its content type (Drive: the JSON
    /// metadata first, then the media).
    ///
    /// ```
    /// use actionhost_sdk::multipart::Multipart;
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let body = Multipart::related()
    ///     .json(&serde_json::json!({"name": "report.pdf", "parents": ["folder-id"]}))?
    ///     .part("application/pdf", b"%PDF-1.7".to_vec());
    /// let (content_type, bytes) = body.encode();
    /// assert!(content_type.starts_with("multipart/related; boundary="));
    /// # Ok(()) }
    /// # demo().unwrap();
    /// ```
    pub fn related() -> Self {
        Multipart {
            subtype: "related",
            parts: Vec::new(),
        }
    }

    /// A form field with a text value.
    ///
    /// ```
    /// let body = actionhost_sdk::multipart::Multipart::form_data().text("title", "Q3 plan");
    /// ```
    pub fn text(mut self, name: &str, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            headers: vec![(
                "Content-Disposition",
                format!("form-data; name=\"{}\"", quoted(name)),
            )],
            body: value.into().into_bytes(),
        });
        self
    }

    /// A form field holding a file.
    ///
    /// ```
    /// let body = actionhost_sdk::multipart::Multipart::form_data().file("file", "a.png", "image/png", vec![0x89, b'P']);
    /// ```
    pub fn file(mut self, name: &str, filename: &str, content_type: &str, bytes: Vec<u8>) -> Self {
        self.parts.push(Part {
            headers: vec![
                (
                    "Content-Disposition",
                    format!(
                        "form-data; name=\"{}\"; filename=\"{}\"",
                        quoted(name),
                        quoted(filename)
                    ),
                ),
                ("Content-Type", content_type.to_string()),
            ],
            body: bytes,
        });
        self
    }

    /// A part with its content type (for `multipart/related`).
    ///
    /// ```
    /// let body = actionhost_sdk::multipart::Multipart::related().part("text/plain", b"hi".to_vec());
    /// ```
    pub fn part(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.parts.push(Part {
            headers: vec![("Content-Type", content_type.to_string())],
            body: bytes,
        });
        self
    }

    /// A JSON part (`application/json; charset=UTF-8`), e.g. Drive's file metadata.
    ///
    /// ```
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let body = actionhost_sdk::multipart::Multipart::related().json(&serde_json::json!({"name": "a.txt"}))?;
    /// # Ok(()) }
    /// ```
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value)?;
        Ok(self.part("application/json; charset=UTF-8", bytes))
    }

    /// The `Content-Type` header value (with the boundary) and the body.
    ///
    /// ```
    /// let (content_type, body) = actionhost_sdk::multipart::Multipart::related().part("text/plain", b"hi".to_vec()).encode();
    /// let boundary = content_type.split("boundary=").nth(1).unwrap();
    /// assert_eq!(body, format!("--{boundary}\r\nContent-Type: text/plain\r\n\r\nhi\r\n--{boundary}--\r\n").into_bytes());
    /// ```
    pub fn encode(&self) -> (String, Vec<u8>) {
        let boundary = self.boundary();
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            for (name, value) in &part.headers {
                body.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.body);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (
            format!("multipart/{}; boundary={boundary}", self.subtype),
            body,
        )
    }

    /// A boundary that occurs in no part: a hash of the parts, rehashed while it collides.
    fn boundary(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |bytes: &[u8]| {
            for &b in bytes {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            hash
        };
        for part in &self.parts {
            mix(&part.body);
        }
        loop {
            let candidate = format!("actionhost-{:016x}", mix(b"+"));
            let collides = self.parts.iter().any(|part| {
                part.body
                    .windows(candidate.len())
                    .any(|window| window == candidate.as_bytes())
            });
            if !collides {
                return candidate;
            }
        }
    }
}

/// A field name or file name inside a quoted header parameter, escaped as browsers do
/// (WHATWG HTML: `"` → `%22`, CR → `%0D`, LF → `%0A`).
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drive_upload_is_metadata_then_media_in_order() {
        let (content_type, body) = Multipart::related()
            .json(&serde_json::json!({"name": "a.txt"}))
            .unwrap()
            .part("text/plain", b"hello".to_vec())
            .encode();
        let boundary = content_type
            .strip_prefix("multipart/related; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"a.txt\"}}\r\n\
             --{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        let first = Multipart::form_data().text("a", "x");
        let (content_type, _) = first.encode();
        let boundary = content_type.split("boundary=").nth(1).unwrap().to_string();
        // A part that contains the boundary the same parts would otherwise get.
        let tricky = Multipart::form_data()
            .text("a", "x")
            .text("b", boundary.clone());
        let (content_type, body) = tricky.encode();
        let chosen = content_type.split("boundary=").nth(1).unwrap();
        let body = String::from_utf8(body).unwrap();
        assert_eq!(body.matches(&format!("--{chosen}")).count(), 3);
        assert!(
            !tricky
                .parts
                .iter()
                .any(|p| { String::from_utf8_lossy(&p.body).contains(chosen) })
        );
    }

    #[test]
    fn names_cannot_break_out_of_their_quotes() {
        let (_, body) = Multipart::form_data()
            .file("f\"x", "a\r\nb.txt", "text/plain", vec![])
            .encode();
        let body = String::from_utf8(body).unwrap();
        assert!(body.contains("name=\"f%22x\"; filename=\"a%0D%0Ab.txt\""));
    }
}
