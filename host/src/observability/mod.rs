//! What operators read about the host's work: the audit log (every execution, stored) and the
//! Prometheus metrics. Both are written off the request path.

pub mod audit;
pub mod metrics;
