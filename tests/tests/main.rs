//! Every end-to-end suite, one module each, in one test binary. As 19 binaries of their own,
//! each compiling the same generic code and linked against wasmtime and the whole host, they
//! took 934 s of compile time; as one, 167 s (docs/performance.md). A suite runs alone with
//! `cargo test --release --test e2e <suite>::` (e.g. `hostile::`); each module's own
//! documentation says what it covers.

mod api;
mod binary;
mod browser;
mod capability_http;
mod connect_page;
mod contract;
mod guide;
mod hostile;
mod hot_reload;
mod jwks;
mod loading;
mod mcp;
mod mcp_search;
mod oauth;
mod policy;
mod providers;
mod replicas;
mod sandbox;
mod store;
