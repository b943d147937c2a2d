//! Write actionhost provider plugins in plain Rust.
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`. Its author describes the provider
//! with [`Provider`], adds typed [`Action`]s — functions whose input is a `serde` struct, its
//! JSON Schema derived with `schemars` (doc comments become descriptions) — and registers it
//! with one [`export_provider!`] line. Actions call the provider with [`http::Request`]; the
//! host adds the user's credential, so a plugin never handles tokens.
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
//! fn get_thing(input: GetThing, _ctx: &Context) -> Result<Value, Error> {
//!     Request::get(format!("https://api.example.com/things/{}", input.id)).send()?.json()
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
//!         .action(Action::new("EXAMPLE_GET_THING", "Get one thing by id.", get_thing).read_only())
//! }
//!
//! actionhost_sdk::export_provider!(provider);
//! ```
//!
//! The SDK's version follows the WIT contract it implements (`actionhost:provider@0.1.0`).

extern crate self as actionhost_sdk;

mod error;
pub mod http;
pub mod log;
mod provider;

pub use error::Error;
pub use provider::{Action, Auth, Context, OAuth2, Provider};

/// Everything an action file usually needs.
pub mod prelude {
    pub use crate::http::{Request, Response};
    pub use crate::{Action, Auth, Context, Error, OAuth2, Provider};
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
}

/// Registers a provider: `export_provider!(provider)` where `fn provider() -> Provider`.
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
                $crate::__private::dispatch::describe(&$provider(), &action, context)
            }
            fn execute(
                action: ::std::string::String,
                input: ::std::string::String,
                context: $crate::bindings::actionhost::provider::types::CallContext,
            ) -> ::std::result::Result<
                ::std::string::String,
                $crate::bindings::actionhost::provider::types::ActionError,
            > {
                $crate::__private::dispatch::execute(&$provider(), &action, &input, context)
            }
            fn after_connect(
                _context: $crate::bindings::actionhost::provider::types::CallContext,
            ) -> ::std::result::Result<
                $crate::bindings::actionhost::provider::types::ConnectedAccount,
                $crate::bindings::actionhost::provider::types::ActionError,
            > {
                ::std::result::Result::Ok($crate::bindings::actionhost::provider::types::ConnectedAccount {
                    fields: ::std::vec::Vec::new(),
                    label: ::std::option::Option::None,
                })
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_provider_world!(__ActionhostPlugin with_types_in $crate::bindings);
    };
}
