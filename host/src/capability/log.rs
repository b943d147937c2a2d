//! The `log` capability: a plugin's log lines go to the host's log, tagged with its id, bounded
//! per call so a chatty or hostile plugin cannot flood the log.

/// Severity as the plugin states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginLogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Longest message kept from one log call; the rest is cut.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Lines per plugin call that reach the host log; later ones are counted and dropped.
pub const MAX_LINES_PER_CALL: u32 = 200;

/// Per-call log budget.
#[derive(Debug, Default)]
pub struct PluginLog {
    lines: u32,
    dropped: u32,
}

impl PluginLog {
    /// Takes one line from the call's budget: every line a call causes counts (the plugin's
    /// own, its stderr, the host's lines about its refused requests).
    pub fn admit(&mut self) -> bool {
        if self.lines >= MAX_LINES_PER_CALL {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
        self.lines += 1;
        true
    }

    /// Writes one plugin log line into the host log, unless the call's budget is spent.
    pub fn write(&mut self, plugin: &str, level: PluginLogLevel, message: &str) {
        if !self.admit() {
            return;
        }
        let message = crate::quote::truncate(message, MAX_MESSAGE_BYTES);
        match level {
            PluginLogLevel::Trace => tracing::trace!(target: "plugin", plugin, "{message}"),
            PluginLogLevel::Debug => tracing::debug!(target: "plugin", plugin, "{message}"),
            PluginLogLevel::Info => tracing::info!(target: "plugin", plugin, "{message}"),
            PluginLogLevel::Warn => tracing::warn!(target: "plugin", plugin, "{message}"),
            PluginLogLevel::Error => tracing::error!(target: "plugin", plugin, "{message}"),
        }
    }

    /// Reports lines that were dropped; called when the call ends.
    pub fn finish(&self, plugin: &str) {
        if self.dropped > 0 {
            tracing::warn!(target: "plugin", plugin, dropped = self.dropped, "plugin log lines over the per-call budget were dropped");
        }
    }
}
