//! Host bindings generated from the WIT contract: `wit/provider.wit` (0.4.0, the current one),
//! `host/wit-0.3.0/provider.wit`, `host/wit-0.2.0/provider.wit` and `host/wit-0.1.0/provider.wit` (both still loaded). Every wasmtime-generated type lives
//! behind this module so a wasmtime upgrade touches `runtime/` only.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "provider",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::actionhost::provider::{http, log, types};

/// Contract 0.3.0: components built before 0.4.0 keep loading; `guest.rs` adapts them.
pub mod v03 {
    wasmtime::component::bindgen!({
        path: "wit-0.3.0",
        world: "provider",
        imports: { default: async | trappable },
        exports: { default: async },
    });

    pub use self::actionhost::provider::{http, log, types};
}

/// Contract 0.2.0: components built before 0.3.0 keep loading; `guest.rs` adapts them.
pub mod v02 {
    wasmtime::component::bindgen!({
        path: "wit-0.2.0",
        world: "provider",
        imports: { default: async | trappable },
        exports: { default: async },
    });

    pub use self::actionhost::provider::{http, log, types};
}

/// Contract 0.1.0: components built before 0.2.0 keep loading; `guest.rs` adapts them.
pub mod v01 {
    wasmtime::component::bindgen!({
        path: "wit-0.1.0",
        world: "provider",
        imports: { default: async | trappable },
        exports: { default: async },
    });

    pub use self::actionhost::provider::{http, log, types};
}
