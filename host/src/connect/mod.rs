//! Connect sessions: the short-lived links to the hosted connect page (`POST /connect-sessions`)
//! and the browser sessions they are exchanged for.
//!
//! A link carries a random secret; opening it once exchanges it for a session id carried in a
//! cookie. Only SHA-256 hashes of both are stored, so the store alone cannot open a page. A
//! used link stays recorded (as used) until it expires, so a replay is told apart from a link
//! that never existed; expired records are swept whenever a link is made.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::credentials::random_token;
use crate::store::{Store, StoreError, Tree, trees};

/// How long a link works by default, and a session lasts after the link is opened.
pub const DEFAULT_LINK_TTL: Duration = Duration::from_secs(30 * 60);

/// Records are kept this long past their expiry (an expired link is told apart from an unknown one).
const KEEP_EXPIRED: i64 = 24 * 60 * 60;

/// What a link or session grants: one user's connect page, maybe limited to some integrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub user: String,
    /// The integrations shown; `None`: every integration.
    pub integrations: Option<Vec<String>>,
    /// Where a finished connection sends the browser (the application's own page).
    pub return_url: Option<String>,
}

impl Scope {
    /// Whether the page may show and change `integration`.
    pub fn allows(&self, integration: &str) -> bool {
        self.integrations
            .as_ref()
            .is_none_or(|list| list.iter().any(|i| i == integration))
    }
}

#[derive(Serialize, Deserialize)]
struct LinkRecord {
    scope: Scope,
    expires_at: i64,
    used: bool,
}

/// An open connect session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub scope: Scope,
    pub expires_at: i64,
    /// Hex SHA-256 of the link it was opened with: the same browser opening the link again
    /// is sent to its page rather than told the link was used.
    pub link: String,
}

impl Session {
    /// Whether this session was opened with the link `secret`.
    pub fn opened_with(&self, secret: &str) -> bool {
        hex::encode(Sha256::digest(secret.as_bytes())) == self.link
    }
}

/// Why a link does not open a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// No such link.
    Unknown,
    /// Its time is up.
    Expired,
    /// It was opened already (links work once).
    Used,
}

/// The connect sessions tree.
#[derive(Clone)]
pub struct ConnectSessions {
    tree: Tree,
}

fn hash(kind: &str, secret: &str) -> Vec<u8> {
    let digest = Sha256::digest(secret.as_bytes());
    let mut key = kind.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&digest);
    key
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("connect session: {e}"))
}

impl ConnectSessions {
    pub fn open(store: &Store) -> Result<Self, StoreError> {
        Ok(ConnectSessions {
            tree: store.tree(trees::CONNECT_SESSIONS)?,
        })
    }

    /// Makes a link secret for `scope`, working for `ttl`; returns it with its expiry.
    pub async fn create(&self, scope: Scope, ttl: Duration) -> Result<(String, i64), StoreError> {
        self.sweep().await?;
        let secret = random_token(32);
        let expires_at = now() + ttl.as_secs() as i64;
        let record = LinkRecord {
            scope,
            expires_at,
            used: false,
        };
        self.tree
            .insert(
                hash("link", &secret),
                serde_json::to_vec(&record).map_err(corrupt)?,
            )
            .await?;
        Ok((secret, expires_at))
    }

    /// Exchanges a link secret for a new session lasting `ttl`: the session id to put in the
    /// cookie, and the session. The link is marked used atomically, so two browsers racing with
    /// one link get one session.
    pub async fn open_link(
        &self,
        secret: &str,
        ttl: Duration,
    ) -> Result<Result<(String, Session), LinkRefused>, StoreError> {
        let key = hash("link", secret);
        let Some(old) = self.tree.get(&key).await? else {
            return Ok(Err(LinkRefused::Unknown));
        };
        let mut record: LinkRecord = serde_json::from_slice(&old).map_err(corrupt)?;
        if record.expires_at < now() {
            return Ok(Err(LinkRefused::Expired));
        }
        if record.used {
            return Ok(Err(LinkRefused::Used));
        }
        record.used = true;
        let new = serde_json::to_vec(&record).map_err(corrupt)?;
        if !self
            .tree
            .compare_and_swap(&key, Some(&old), Some(new))
            .await?
        {
            return Ok(Err(LinkRefused::Used));
        }
        let id = random_token(32);
        let session = Session {
            scope: record.scope,
            expires_at: now() + ttl.as_secs() as i64,
            link: hex::encode(Sha256::digest(secret.as_bytes())),
        };
        self.tree
            .insert(
                hash("session", &id),
                serde_json::to_vec(&session).map_err(corrupt)?,
            )
            .await?;
        Ok(Ok((id, session)))
    }

    /// The live session with this id, if any.
    pub async fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let Some(bytes) = self.tree.get(hash("session", id)).await? else {
            return Ok(None);
        };
        let session: Session = serde_json::from_slice(&bytes).map_err(corrupt)?;
        Ok((session.expires_at >= now()).then_some(session))
    }

    /// Removes records that expired more than a day ago.
    async fn sweep(&self) -> Result<(), StoreError> {
        #[derive(Deserialize)]
        struct Expiry {
            expires_at: i64,
        }
        let cutoff = now() - KEEP_EXPIRED;
        for (key, value) in self.tree.all().await? {
            let expired = serde_json::from_slice::<Expiry>(&value)
                .map(|e| e.expires_at < cutoff)
                .unwrap_or(true);
            if expired {
                self.tree.remove(key).await?;
            }
        }
        Ok(())
    }
}

/// The CSRF token of a session: derived from its id (a secret only the cookie holds), so a
/// page from another site can neither read nor guess it.
pub fn csrf_token(session_id: &str) -> String {
    hex::encode(Sha256::digest(format!(
        "actionhost connect csrf\0{session_id}"
    )))
}

/// Whether a form's token is the session's, compared in constant time.
pub fn csrf_matches(session_id: &str, given: &str) -> bool {
    csrf_token(session_id)
        .as_bytes()
        .ct_eq(given.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> (tempfile::TempDir, ConnectSessions) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let sessions = ConnectSessions::open(&store).unwrap();
        (dir, sessions)
    }

    fn scope(user: &str) -> Scope {
        Scope {
            user: user.into(),
            integrations: Some(vec!["github".into()]),
            return_url: None,
        }
    }

    #[tokio::test]
    async fn a_link_opens_one_session_once_and_stores_no_secret() {
        let (_dir, sessions) = sessions();
        let (secret, _) = sessions
            .create(scope("alice"), Duration::from_secs(60))
            .await
            .unwrap();
        let (id, session) = sessions
            .open_link(&secret, Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(session.scope, scope("alice"));
        assert_eq!(
            sessions
                .open_link(&secret, Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap_err(),
            LinkRefused::Used
        );
        assert_eq!(
            sessions.session(&id).await.unwrap().unwrap().scope.user,
            "alice"
        );
        assert!(sessions.session("other").await.unwrap().is_none());
        for (key, value) in sessions.tree.all().await.unwrap() {
            for raw in [&secret, &id] {
                let needle = raw.as_bytes();
                assert!(!key.windows(needle.len()).any(|w| w == needle));
                assert!(!value.windows(needle.len()).any(|w| w == needle));
            }
        }
    }

    #[tokio::test]
    async fn an_expired_link_is_told_apart_from_an_unknown_one() {
        let (_dir, sessions) = sessions();
        let (secret, _) = sessions
            .create(scope("bob"), Duration::from_secs(0))
            .await
            .unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(
            sessions
                .open_link(&secret, Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap_err(),
            LinkRefused::Expired
        );
        assert_eq!(
            sessions
                .open_link("nope", Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap_err(),
            LinkRefused::Unknown
        );
    }

    #[tokio::test]
    async fn the_csrf_token_is_the_sessions_own() {
        let token = csrf_token("a");
        assert!(csrf_matches("a", &token));
        assert!(!csrf_matches("b", &token));
        assert!(!csrf_matches("a", ""));
    }
}
