//! Log lines into the host's log, tagged with the plugin's id. Never log secrets or user data
//! you would not want an operator to read. Native builds (tests) write them to stderr instead.

use crate::bindings::actionhost::provider::log::Level;

#[cfg(target_arch = "wasm32")]
fn log(level: Level, message: &str) {
    crate::bindings::actionhost::provider::log::log(level, message);
}

#[cfg(not(target_arch = "wasm32"))]
fn log(level: Level, message: &str) {
    eprintln!("[{level:?}] {message}");
}

/// ```
/// actionhost_sdk::log::debug("fetched 3 pages");
/// ```
pub fn debug(message: impl AsRef<str>) {
    log(Level::Debug, message.as_ref());
}

/// ```
/// actionhost_sdk::log::info("created issue #42");
/// ```
pub fn info(message: impl AsRef<str>) {
    log(Level::Info, message.as_ref());
}

/// ```
/// actionhost_sdk::log::warn("unexpected field `foo` in the response");
/// ```
pub fn warn(message: impl AsRef<str>) {
    log(Level::Warn, message.as_ref());
}

/// ```
/// actionhost_sdk::log::error("the provider returned an empty page");
/// ```
pub fn error(message: impl AsRef<str>) {
    log(Level::Error, message.as_ref());
}
