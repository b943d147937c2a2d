//! Write actionhost provider plugins in plain Rust.
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`. Its author describes the provider
//! with [`Provider`] (auth, origins, account fields, an `after_connect` step), adds typed
//! [`Action`]s — functions whose input is a `serde` struct, its JSON Schema derived with
//! `schemars` (doc comments become descriptions), and whose typed output gets a schema too — and
//! registers it with one [`export_provider!`] line. Actions call the provider through an
//! [`api::Api`] (base URL, headers, the provider's error envelope); the host adds the user's
//! credential, so a plugin never handles tokens.
//!
//! ```no_run
//! use actionhost_sdk::prelude::*;
//!
//! /// Input of `EXAMPLE_GET_THING`.
//! #[derive(Deserialize, JsonSchema)]
//! struct GetThing {
//!     /// Id of the thing.
//!     id: String,
//! }
//!
//! fn api() -> Api {
//!     Api::new("https://api.example.com").header("Accept", "application/json")
//! }
//!
//! fn get_thing(input: GetThing, _ctx: &Context) -> Result<Passthrough, Error> {
//!     api().get(&path!("/things/{}", input.id)).send()?.json()
//! }
//!
//! fn provider() -> Provider {
//!     Provider::new("example", "Example")
//!         .version(env!("CARGO_PKG_VERSION"))
//!         .description("Things at example.com.")
//!         .auth(Auth::bearer_oauth2(
//!             OAuth2::new("https://example.com/oauth/authorize", "https://example.com/oauth/token"),
//!         ))
//!         .origin("https://api.example.com")
//!         .action(Action::new("EXAMPLE_GET_THING", "Get one thing by id.", get_thing).read_only().scopes(&["things:read"]))
//! }
//!
//! actionhost_sdk::export_provider!(provider);
//! ```
//!
//! Beside that: [`paginate`] (several pages up to a cap, with the next cursor), [`multipart`]
//! bodies, [`files`] (base64 content in and out, with size caps), [`mail`] (RFC 5322 messages)
//! and, in native builds, [`testing`] (a transport that records requests, and a runner). What the
//! plugins of one vendor share lives in a module per vendor: [`google`] (OAuth and error
//! envelope) and [`microsoft`] (Graph's OAuth with the tenant, errors and `@odata.nextLink` paging).
//!
//! The SDK implements the WIT contract `actionhost:provider@0.4.0`.

extern crate self as actionhost_sdk;

pub mod api;
mod error;
pub mod files;
pub mod google;
pub mod http;
pub mod log;
pub mod mail;
pub mod microsoft;
pub mod multipart;
pub mod paginate;
mod provider;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use base64;
pub use error::Error;
pub use provider::{
    Action, ApiKey, Auth, ConnectedAccount, Context, CredentialKind, Field, Hints, OAuth2,
    OperatorCredential, Placement, Provider,
};

/// Everything an action file usually needs.
pub mod prelude {
    pub use crate::api::Api;
    pub use crate::http::{Passthrough, Request, Response};
    pub use crate::path;
    pub use crate::{
        Action, ApiKey, Auth, ConnectedAccount, Context, CredentialKind, Error, Field, OAuth2,
        OperatorCredential, Provider,
    };
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
    pub use serde_json::{Value, json};
}

/// Generated bindings of the WIT world; plugin authors do not need them.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "provider",
        pub_export_macro: true,
        export_macro_name: "__export_provider_world",
        default_bindings_module: "actionhost_sdk::bindings",
        runtime_path: "actionhost_sdk::__private::wit_bindgen::rt",
        bitflags_path: "actionhost_sdk::__private::wit_bindgen::rt::bitflags",
    });
}

#[doc(hidden)]
pub mod __private {
    pub use crate::provider::dispatch;
    pub use wit_bindgen;

    /// The end of a provider built for one `execute`. In a component it is not freed: the host
    /// runs each call in a fresh instance and throws the instance's memory away after it, so
    /// freeing every action's strings and closures first was work for nothing (about a fifth
    /// of the guest's CPU for a 20-action provider). Elsewhere (unit tests) it is dropped.
    pub fn discard(provider: crate::Provider) {
        #[cfg(target_arch = "wasm32")]
        std::mem::forget(provider);
        #[cfg(not(target_arch = "wasm32"))]
        drop(provider);
    }
}

/// Registers a provider: `export_provider!(provider)` where `fn provider() -> Provider`. Exports
/// `info`, `list-actions`, `describe`, `execute` and `after-connect`.
///
/// ```
/// fn provider() -> actionhost_sdk::Provider {
///     actionhost_sdk::Provider::new("demo", "Demo")
/// }
/// actionhost_sdk::export_provider!(provider);
/// ```
#[macro_export]
macro_rules! export_provider {
    ($provider:path) => {
        // Only a wasm build exports the component's functions: their names (`pkg:iface@ver#f`)
        // cannot be linked into a native cdylib, and native builds are for unit tests.
        #[allow(dead_code)]
        struct __ActionhostPlugin;

        impl $crate::bindings::exports::actionhost::provider::plugin::Guest for __ActionhostPlugin {
            fn info() -> $crate::bindings::actionhost::provider::types::ProviderInfo {
                $crate::__private::dispatch::info(&$provider())
            }
            fn list_actions() -> ::std::vec::Vec<$crate::bindings::actionhost::provider::types::ActionDefinition> {
                $crate::__private::dispatch::list_actions(&$provider())
            }
            fn describe(
                action: ::std::string::String,
                context: $crate::bindings::actionhost::provider::types::CallContext,
            ) -> ::std::result::Result<
                $crate::bindings::actionhost::provider::types::ActionDefinition,
                $crate::bindings::actionhost::provider::types::ActionError,
            > {
                let (provider, action) = $crate::__private::dispatch::build_for(action, $provider);
                let definition = $crate::__private::dispatch::describe(&provider, &action, context);
                $crate::__private::discard(provider);
                definition
            }
            fn execute(
                action: ::std::string::String,
                input: ::std::string::String,
                context: $crate::bindings::actionhost::provider::types::CallContext,
            ) -> ::std::result::Result<
                ::std::string::String,
                $crate::bindings::actionhost::provider::types::ActionError,
            > {
                let (provider, action) = $crate::__private::dispatch::build_for(action, $provider);
                let output = $crate::__private::dispatch::execute(&provider, &action, &input, context);
                $crate::__private::discard(provider);
                output
            }
            fn after_connect(
                context: $crate::bindings::actionhost::provider::types::CallContext,
            ) -> ::std::result::Result<
                $crate::bindings::actionhost::provider::types::ConnectedAccount,
                $crate::bindings::actionhost::provider::types::ActionError,
            > {
                $crate::__private::dispatch::after_connect(&$provider(), context)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_provider_world!(__ActionhostPlugin with_types_in $crate::bindings);
    };
}
