//! Host bindings generated from `wit/provider.wit`. Every wasmtime-generated type lives behind
//! this module so a wasmtime upgrade touches `runtime/` only.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "provider",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::actionhost::provider::{http, log, types};
