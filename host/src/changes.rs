//! Changes to what a user's tool list holds, for whoever lists tools live (the MCP server's
//! `notifications/tools/list_changed`): a plugin loaded, replaced or removed changes every
//! user's list; an account connected, disconnected, or changed in status, scopes or fields
//! changes its user's.

use tokio::sync::broadcast;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolsChanged {
    /// The catalog changed: every user's list may differ.
    Catalog,
    /// This user's accounts changed.
    User(String),
}

impl ToolsChanged {
    /// Whether `user`'s list may have changed.
    pub fn concerns(&self, user: &str) -> bool {
        match self {
            ToolsChanged::Catalog => true,
            ToolsChanged::User(who) => who == user,
        }
    }
}

/// Changes not yet read that a slow listener may fall behind by; one that falls further behind
/// hears of a catalog change (it re-lists), never nothing.
const BACKLOG: usize = 256;

/// The feed of changes: cheap to clone, all clones share one channel.
#[derive(Clone)]
pub struct Changes {
    sender: broadcast::Sender<ToolsChanged>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Changes {
    /// Tells the current listeners (none listening is fine).
    pub fn send(&self, change: ToolsChanged) {
        let _ = self.sender.send(change);
    }

    /// A listener for the changes from now on.
    pub fn listen(&self) -> Listener {
        Listener {
            receiver: self.sender.subscribe(),
        }
    }
}

/// Receives changes.
pub struct Listener {
    receiver: broadcast::Receiver<ToolsChanged>,
}

impl Listener {
    /// The next change; `None` once the feed is gone. A listener that fell behind gets
    /// [`ToolsChanged::Catalog`], so it never misses that something changed.
    pub async fn next(&mut self) -> Option<ToolsChanged> {
        match self.receiver.recv().await {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(ToolsChanged::Catalog),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listener_hears_changes_after_it_started_and_a_lagging_one_hears_of_the_catalog() {
        let changes = Changes::default();
        changes.send(ToolsChanged::User("before".into()));
        let mut listener = changes.listen();
        changes.send(ToolsChanged::User("alice".into()));
        assert_eq!(
            listener.next().await,
            Some(ToolsChanged::User("alice".into()))
        );
        for _ in 0..BACKLOG + 1 {
            changes.send(ToolsChanged::User("bob".into()));
        }
        assert_eq!(listener.next().await, Some(ToolsChanged::Catalog));
        assert!(ToolsChanged::Catalog.concerns("anyone"));
        assert!(!ToolsChanged::User("bob".into()).concerns("alice"));
    }
}
