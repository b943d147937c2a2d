//! Capabilities the host grants to plugins. Each lives in one module and can be tested without
//! a guest: [`http`] (the only way out to the network) and [`log`] (into the host's log).

pub mod http;
pub mod log;
