//! File content in and out of actions as base64 text (JSON cannot carry bytes), with size caps
//! that fail with a clear message instead of a trap or a truncated file. The `base64` crate is
//! re-exported as [`crate::base64`] for anything these helpers do not cover.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD,
};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

use crate::Error;
use crate::http::Response;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Standard base64 with padding (RFC 4648 §4).
///
/// ```
/// assert_eq!(actionhost_sdk::files::encode(b"hi?"), "aGk/");
/// ```
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// base64url without padding (RFC 4648 §5), as Gmail's `raw` and JWTs use it.
///
/// ```
/// assert_eq!(actionhost_sdk::files::encode_url(b"hi?"), "aGk_");
/// ```
pub fn encode_url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64 or base64url, padded or not (what agents and providers send varies).
///
/// ```
/// use actionhost_sdk::files::decode;
/// assert_eq!(decode("aGk/").unwrap(), b"hi?");
/// assert_eq!(decode("aGk_").unwrap(), b"hi?");
/// assert_eq!(decode("aQ").unwrap(), b"i");
/// assert!(decode("not base64!").is_err());
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, Error> {
    STANDARD_LENIENT
        .decode(text)
        .or_else(|_| URL_SAFE_LENIENT.decode(text))
        .map_err(|e| Error::invalid_input(format!("not base64: {e}")))
}

/// An input field holding file content as base64 (or base64url), at most `MAX` bytes once
/// decoded. Larger or malformed content is refused as invalid input before the action runs;
/// the schema says `contentEncoding: base64` and the limit.
///
/// ```
/// use actionhost_sdk::prelude::*;
/// use actionhost_sdk::files::Base64File;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Upload {
///     /// The file's content, base64-encoded.
///     content: Base64File<{ 1024 * 1024 }>,
/// }
///
/// let upload: Upload = serde_json::from_value(json!({"content": "aGVsbG8="})).unwrap();
/// assert_eq!(upload.content.bytes(), b"hello");
///
/// let big = actionhost_sdk::files::encode(vec![0u8; 1024 * 1024 + 1]);
/// let error = serde_json::from_value::<Upload>(json!({"content": big})).err().unwrap();
/// assert!(error.to_string().contains("1048577 bytes once decoded, more than the 1048576 allowed"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64File<const MAX: usize>(Vec<u8>);

impl<const MAX: usize> Base64File<MAX> {
    /// ```
    /// let file: actionhost_sdk::files::Base64File<8> = serde_json::from_str(r#""aGk=""#).unwrap();
    /// assert_eq!(file.bytes(), b"hi");
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// ```
    /// let file: actionhost_sdk::files::Base64File<8> = serde_json::from_str(r#""aGk=""#).unwrap();
    /// assert_eq!(file.into_bytes(), b"hi".to_vec());
    /// ```
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Base64File<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let text = Cow::<str>::deserialize(deserializer)?;
        // Refuse before decoding: 4 characters carry 3 bytes.
        let at_least = text.trim_end_matches('=').len() / 4 * 3;
        if at_least > MAX {
            return Err(D::Error::custom(format!(
                "the file is at least {at_least} bytes once decoded, more than the {MAX} allowed"
            )));
        }
        let bytes = decode(&text).map_err(|e| D::Error::custom(e.to_string()))?;
        if bytes.len() > MAX {
            return Err(D::Error::custom(format!(
                "the file is {} bytes once decoded, more than the {MAX} allowed",
                bytes.len()
            )));
        }
        Ok(Base64File(bytes))
    }
}

impl<const MAX: usize> JsonSchema for Base64File<MAX> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Base64File{MAX}").into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "contentEncoding": "base64",
            "maxLength": MAX.div_ceil(3) * 4,
            "description": format!("Base64-encoded content, at most {MAX} bytes once decoded."),
        })
    }
}

/// Downloaded file content as an action's output: base64 text, its size and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FileContent {
    /// The file's bytes, base64-encoded (standard alphabet, padded).
    pub content_base64: String,
    /// Size of the decoded content in bytes.
    pub size_bytes: u64,
    /// The provider's `Content-Type` for the file, when it sent one.
    pub content_type: Option<String>,
}

impl FileContent {
    /// The response body as file content, refused (as invalid input: the agent asked for a
    /// file this action cannot return) when it is larger than `max_bytes`.
    ///
    /// ```
    /// use actionhost_sdk::{Error, files::FileContent, http::Response};
    /// let response = Response::from_parts(200, vec![("content-type".into(), "text/plain".into())], b"hello".to_vec());
    /// let file = FileContent::from_response(&response, 1024).unwrap();
    /// assert_eq!((file.content_base64.as_str(), file.size_bytes), ("aGVsbG8=", 5));
    /// assert!(matches!(FileContent::from_response(&response, 4), Err(Error::InvalidInput(_))));
    /// ```
    pub fn from_response(response: &Response, max_bytes: usize) -> Result<Self, Error> {
        let bytes = response.bytes();
        if bytes.len() > max_bytes {
            return Err(Error::invalid_input(format!(
                "the file is {} bytes; this action returns files of at most {max_bytes} bytes",
                bytes.len()
            )));
        }
        Ok(FileContent {
            content_base64: encode(bytes),
            size_bytes: bytes.len() as u64,
            content_type: response.header("content-type").map(str::to_string),
        })
    }
}
