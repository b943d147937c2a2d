//! `actionhost plugin new`: a new plugin crate that builds on its own with
//! `cargo build --release --target wasm32-wasip2`, depending on the SDK by path.

use std::path::{Path, PathBuf};

use crate::manifest::is_integration_id;

const CARGO_TOML: &str = r#"[package]
name = "{id}-plugin"
version = "0.1.0"
edition = "2024"
publish = false

# A plugin is its own workspace: it never joins a workspace it happens to sit in.
[workspace]

[lib]
# cdylib: the wasm component; rlib: native unit tests of the actions' pure logic.
crate-type = ["cdylib", "rlib"]

[dependencies]
actionhost-sdk = { path = "{sdk}" }
schemars = "1"
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[profile.release]
opt-level = "s"
lto = true
strip = "debuginfo"
"#;

const LIB_RS: &str = r#"//! {Name} provider for actionhost.

use actionhost_sdk::prelude::*;

/// Every request goes to {Name}'s API and asks for JSON.
fn api() -> Api {
    Api::new("https://api.{id}.example").header("Accept", "application/json")
}

/// Input of `{ID}_GET_ITEM`.
#[derive(Deserialize, JsonSchema)]
struct GetItem {
    /// Id of the item to fetch.
    id: String,
}

fn get_item(input: GetItem, _ctx: &Context) -> Result<Passthrough, Error> {
    api().get(&path!("/items/{}", input.id)).send()?.json()
}

pub fn provider() -> Provider {
    Provider::new("{id}", "{Name}")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Items in {Name}.")
        .categories(&["productivity"])
        .auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bearer ")))
        .origin("https://api.{id}.example")
        .action(Action::new("{ID}_GET_ITEM", "Get one item by its id.", get_item).read_only())
}

actionhost_sdk::export_provider!(provider);

#[cfg(test)]
mod tests {
    use actionhost_sdk::testing::{self, Transport};
    use actionhost_sdk::Context;
    use serde_json::json;

    #[test]
    fn get_item_sends_one_get_for_the_item() {
        let transport = Transport::install();
        transport.reply_json(200, json!({"id": "a/b"}));
        let item = testing::run(&super::provider(), "{ID}_GET_ITEM", json!({"id": "a/b"}), &Context::new("alice"));
        assert_eq!(item.unwrap(), json!({"id": "a/b"}));
        let request = transport.only_request();
        assert_eq!(request.method, "GET");
        assert_eq!(request.url, "https://api.{id}.example/items/a%2Fb");
        assert_eq!(request.header("accept"), Some("application/json"));
    }
}
"#;

/// Why a plugin crate could not be scaffolded.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "{0:?} is not a valid integration id: it must match ^[a-z][a-z0-9_]{{0,31}}$ (e.g. acme, google_calendar)"
    )]
    InvalidId(String),
    #[error("cannot find the SDK at {path}: {source} (pass --sdk PATH)")]
    NoSdk {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Creates `dir/{name}-plugin` and returns its path.
pub fn create(name: &str, dir: &Path, sdk: &Path) -> Result<PathBuf, ScaffoldError> {
    if !is_integration_id(name) {
        return Err(ScaffoldError::InvalidId(name.to_string()));
    }
    let sdk = sdk.canonicalize().map_err(|source| ScaffoldError::NoSdk {
        path: sdk.to_path_buf(),
        source,
    })?;
    let root = dir.join(format!("{name}-plugin"));
    if root.exists() {
        return Err(ScaffoldError::Exists(root));
    }
    let display_name: String = name
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let fill = |template: &str| {
        template
            .replace("{id}", name)
            .replace("{ID}", &name.to_ascii_uppercase())
            .replace("{Name}", &display_name)
            .replace("{sdk}", &sdk.display().to_string())
    };
    let written = |path: PathBuf| move |source| ScaffoldError::Write { path, source };
    std::fs::create_dir_all(root.join("src")).map_err(written(root.join("src")))?;
    for (file, text) in [
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/lib.rs", fill(LIB_RS)),
        (".gitignore", "/target\n".to_string()),
    ] {
        std::fs::write(root.join(file), text).map_err(written(root.join(file)))?;
    }
    Ok(root)
}
