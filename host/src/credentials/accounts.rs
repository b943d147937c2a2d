//! Connected accounts: a user's authorised link to one integration, with its secret sealed.
//!
//! The public part of an account (status, scopes, times) is stored in the clear so it can be
//! listed without the master key; the secret part is sealed and bound to `user \0 integration`.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;

use super::{CredentialError, Sealer, SecretString};
use crate::store::{Notice, Store, StoreError, Tree, trees};

/// Lifecycle of a connected account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Authorization started, not finished.
    Pending,
    /// Usable.
    Active,
    /// The token expired and cannot be refreshed; the user must re-authorize.
    Expired,
    /// Revoked by the user or refused by the provider.
    Revoked,
}

/// What the API shows of an account: never a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectedAccount {
    pub id: String,
    pub user: String,
    pub integration: String,
    pub status: AccountStatus,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub last_error: Option<String>,
    /// The integration's account fields (non-secret: Shopify's `shop`, Jira's `cloud_id`).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// How the account is shown: the user's login or e-mail at the provider.
    #[serde(default)]
    pub label: Option<String>,
}

/// What is stored with a newly connected account besides its secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountDetails {
    pub scopes: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub fields: std::collections::BTreeMap<String, String>,
    pub label: Option<String>,
}

/// The secret part of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountSecret {
    /// OAuth 2 (or a bring-your-own bearer token).
    Oauth2 {
        access_token: SecretString,
        refresh_token: Option<SecretString>,
    },
    /// A static API key.
    ApiKey { api_key: SecretString },
    /// HTTP Basic: `username:password`, as the header carries it before encoding.
    Basic { user_pass: SecretString },
    /// Nothing yet: an authorization is under way.
    Pending,
}

impl AccountSecret {
    /// The value the HTTP capability injects.
    pub fn injected(&self) -> Option<&SecretString> {
        match self {
            AccountSecret::Oauth2 { access_token, .. } => Some(access_token),
            AccountSecret::ApiKey { api_key } => Some(api_key),
            AccountSecret::Basic { user_pass } => Some(user_pass),
            AccountSecret::Pending => None,
        }
    }

    /// The kind of credential held (`None` while an authorization is under way).
    pub fn kind(&self) -> Option<crate::manifest::CredentialKind> {
        use crate::manifest::CredentialKind;
        match self {
            AccountSecret::Oauth2 { .. } => Some(CredentialKind::OAuth2),
            AccountSecret::ApiKey { .. } => Some(CredentialKind::ApiKey),
            AccountSecret::Basic { .. } => Some(CredentialKind::Basic),
            AccountSecret::Pending => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct StoredAccount {
    account: ConnectedAccount,
    /// base64 of `nonce || ciphertext` of the JSON of [`AccountSecret`].
    sealed: String,
}

/// Connected accounts in the store, keyed by (user, integration).
///
/// Decrypted accounts are remembered in memory ([`OPENED`] of them), so that an execute does
/// not read and decrypt the record every time (~4% of the CPU per request); so is each user's
/// list of accounts, which every tool listing reads (a database round trip on PostgreSQL). Every write goes
/// through [`Self::write`] or [`Self::delete`], which forget the key; a reader that raced a
/// write does not remember what it read (see [`Opened`]). At rest, secrets stay sealed.
///
/// With several hosts on one database, a write also tells the others ([`Notice::Account`]),
/// which forget the key too; after a lost connection to the database they forget everything
/// ([`Self::watch`]). So a disconnected account stops working on every host within the
/// notice's delivery, and while the database is down, an account remembered keeps working.
#[derive(Clone)]
pub struct AccountStore {
    tree: Tree,
    /// For telling other hosts sharing the store of a write, and hearing of theirs.
    store: Store,
    sealer: Sealer,
    opened: Arc<Opened>,
    /// Told when an account appears, goes, or changes in status, scopes or fields.
    changes: crate::changes::Changes,
    /// Told of every account event (connected, renewed, expired, revoked, disconnected).
    events: Option<AccountEvents>,
}

/// Told of an account event: the account as it is (or was, when removed) and the event's name
/// (`account.connected`, ...). The host records them in its audit log.
pub type AccountEvents = Arc<dyn Fn(&ConnectedAccount, &'static str) + Send + Sync>;

/// Accounts remembered at once.
const OPENED: usize = 10_000;

/// The in-memory accounts and a count of writes: a reader remembers what it read only if no
/// write happened since it started reading.
struct Opened {
    cache: quick_cache::sync::Cache<Vec<u8>, Arc<(ConnectedAccount, AccountSecret)>>,
    /// Each user's accounts without secrets, as [`AccountStore::list`] read them (every tool
    /// listing asks), forgotten with any of the user's accounts.
    lists: quick_cache::sync::Cache<String, Arc<Vec<ConnectedAccount>>>,
    writes: std::sync::Mutex<u64>,
}

fn record_key(user: &str, integration: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(user.len() + integration.len() + 1);
    key.extend_from_slice(user.as_bytes());
    key.push(0);
    key.extend_from_slice(integration.as_bytes());
    key
}

/// The audit event of an account's change from `before` (none: it did not exist) to `after`;
/// none when nothing worth recording happened (a status written again unchanged).
fn account_event(before: Option<AccountStatus>, after: AccountStatus) -> Option<&'static str> {
    use AccountStatus::*;
    Some(match (before, after) {
        (None | Some(Expired | Revoked | Active), Pending) => "account.authorization_started",
        (None | Some(Pending), Active) => "account.connected",
        (Some(Expired | Revoked), Active) => "account.reconnected",
        // A refreshed token, or the same account connected again.
        (Some(Active), Active) => "account.credential_renewed",
        (Some(b), Expired) if b != Expired => "account.expired",
        (None, Expired) => "account.expired",
        (Some(b), Revoked) if b != Revoked => "account.revoked",
        (None, Revoked) => "account.revoked",
        _ => return None,
    })
}

impl AccountStore {
    pub fn open(store: &Store, sealer: Sealer) -> Result<Self, CredentialError> {
        Ok(AccountStore {
            tree: store.tree(trees::ACCOUNTS)?,
            store: store.clone(),
            sealer,
            opened: Arc::new(Opened {
                cache: quick_cache::sync::Cache::new(OPENED),
                lists: quick_cache::sync::Cache::new(OPENED),
                writes: std::sync::Mutex::new(0),
            }),
            changes: crate::changes::Changes::default(),
            events: None,
        })
    }

    /// Tells `events` of every account event: what happened to whose account (the account
    /// carries no secret; the event names no provider message).
    pub fn with_events(mut self, events: AccountEvents) -> Self {
        self.events = Some(events);
        self
    }

    fn audit(&self, account: &ConnectedAccount, event: &'static str) {
        if let Some(events) = &self.events {
            events(account, event);
        }
    }

    /// Tells `changes` when an account appears, goes, or changes in what decides its user's
    /// tools (status, scopes, fields); a refreshed token alone tells nothing.
    pub fn with_changes(mut self, changes: crate::changes::Changes) -> Self {
        self.changes = changes;
        self
    }

    /// Stores (or replaces) the user's account for `integration` as active with `secret`,
    /// keeping the fields and label it had (a refreshed token changes neither).
    pub async fn put(
        &self,
        user: &str,
        integration: &str,
        secret: &AccountSecret,
        scopes: Vec<String>,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<ConnectedAccount, CredentialError> {
        let previous = self.get_public(user, integration).await?;
        let (fields, label) = previous.map(|a| (a.fields, a.label)).unwrap_or_default();
        self.connect(
            user,
            integration,
            secret,
            AccountDetails {
                scopes,
                expires_at,
                fields,
                label,
            },
        )
        .await
    }

    /// Stores (or replaces) a newly connected account, with its fields and label.
    pub async fn connect(
        &self,
        user: &str,
        integration: &str,
        secret: &AccountSecret,
        details: AccountDetails,
    ) -> Result<ConnectedAccount, CredentialError> {
        self.store(user, integration, secret, details, AccountStatus::Active)
            .await
    }

    /// Writes the account in one write, keeping the id and creation time it had.
    async fn store(
        &self,
        user: &str,
        integration: &str,
        secret: &AccountSecret,
        details: AccountDetails,
        status: AccountStatus,
    ) -> Result<ConnectedAccount, CredentialError> {
        let AccountDetails {
            scopes,
            expires_at,
            fields,
            label,
        } = details;
        let key = record_key(user, integration);
        let now = OffsetDateTime::now_utc();
        let previous = self.get_public(user, integration).await?;
        let account = ConnectedAccount {
            id: previous
                .as_ref()
                .map(|a| a.id.clone())
                .unwrap_or_else(|| super::secret_file::random_token(12)),
            user: user.to_string(),
            integration: integration.to_string(),
            status,
            scopes,
            expires_at,
            created_at: previous.map(|a| a.created_at).unwrap_or(now),
            updated_at: now,
            last_error: None,
            fields,
            label,
        };
        self.write(&key, &account, secret).await?;
        Ok(account)
    }

    async fn write(
        &self,
        key: &[u8],
        account: &ConnectedAccount,
        secret: &AccountSecret,
    ) -> Result<(), CredentialError> {
        use base64::Engine;
        let plaintext = serde_json::to_vec(secret).expect("secrets serialize");
        let sealed = self.sealer.seal(&plaintext, key);
        let stored = StoredAccount {
            account: account.clone(),
            sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
        };
        let bytes = serde_json::to_vec(&stored).expect("accounts serialize");
        let result = self.tree.insert(key, bytes).await;
        self.forget(key);
        let previous = result?;
        self.tell_others(key).await;
        let before = previous
            .and_then(|bytes| serde_json::from_slice::<StoredAccount>(&bytes).ok())
            .map(|stored| stored.account);
        if let Some(event) = account_event(before.as_ref().map(|b| b.status), account.status) {
            self.audit(account, event);
        }
        let same_tools = before.is_some_and(|b| {
            b.status == account.status && b.scopes == account.scopes && b.fields == account.fields
        });
        if !same_tools {
            self.changes
                .send(crate::changes::ToolsChanged::User(account.user.clone()));
        }
        Ok(())
    }

    /// Drops `key` from memory after a write, and makes readers that started before it not
    /// remember what they read.
    fn forget(&self, key: &[u8]) {
        let mut writes = self.opened.writes.lock().expect("accounts lock");
        *writes += 1;
        self.opened.cache.remove(key);
        if let Some(user) = key.split(|b| *b == 0).next() {
            self.opened
                .lists
                .remove(String::from_utf8_lossy(user).as_ref());
        }
    }

    /// Tells the other hosts sharing the store to forget `key`. A failure is logged: the write
    /// itself is done, and a host that missed the notice resyncs when its listener reconnects.
    async fn tell_others(&self, key: &[u8]) {
        if let Err(e) = self.store.publish(&Notice::Account(key.to_vec())).await {
            tracing::warn!(error = %e, "cannot tell the other hosts of an account change");
        }
    }

    /// Forgets what other hosts change, from now until the store closes: an account they
    /// wrote or removed, or everything after a lost connection (a notice may be missed).
    pub fn watch(&self) {
        if !self.store.shared() {
            return;
        }
        let mut notices = self.store.notices();
        let this = self.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match notices.recv().await {
                    Ok(Notice::Account(key)) => {
                        this.forget(&key);
                        if let Some(user) = key.split(|b| *b == 0).next() {
                            this.changes.send(crate::changes::ToolsChanged::User(
                                String::from_utf8_lossy(user).into_owned(),
                            ));
                        }
                    }
                    Ok(Notice::Resync) | Err(RecvError::Lagged(_)) => this.forget_all(),
                    Ok(Notice::Plugins) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Forgets every remembered account.
    fn forget_all(&self) {
        let mut writes = self.opened.writes.lock().expect("accounts lock");
        *writes += 1;
        self.opened.cache.clear();
        self.opened.lists.clear();
        drop(writes);
        self.changes.send(crate::changes::ToolsChanged::Catalog);
    }

    async fn read(&self, key: &[u8]) -> Result<Option<StoredAccount>, CredentialError> {
        let Some(bytes) = self.tree.get(key).await? else {
            return Ok(None);
        };
        let stored = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("account record: {e}")))?;
        Ok(Some(stored))
    }

    /// The account without its secret.
    pub async fn get_public(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<Option<ConnectedAccount>, CredentialError> {
        Ok(self
            .read(&record_key(user, integration))
            .await?
            .map(|s| s.account))
    }

    /// The account and its decrypted secret.
    pub async fn get(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<Option<(ConnectedAccount, AccountSecret)>, CredentialError> {
        let key = record_key(user, integration);
        if let Some(opened) = self.opened.cache.get(&key) {
            return Ok(Some((*opened).clone()));
        }
        self.get_stored(user, integration).await
    }

    /// The account and its decrypted secret as stored now, never as remembered: what a refresh
    /// must start from when another host may have just refreshed.
    pub async fn get_stored(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<Option<(ConnectedAccount, AccountSecret)>, CredentialError> {
        use base64::Engine;
        let key = record_key(user, integration);
        let writes_before = *self.opened.writes.lock().expect("accounts lock");
        let Some(stored) = self.read(&key).await? else {
            return Ok(None);
        };
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(&stored.sealed)
            .map_err(|_| CredentialError::Unseal)?;
        let plaintext = self.sealer.open(&sealed, &key)?;
        let secret = serde_json::from_slice(&plaintext)
            .map_err(|e| StoreError::Corrupt(format!("account secret: {e}")))?;
        let opened = (stored.account, secret);
        let writes = self.opened.writes.lock().expect("accounts lock");
        if *writes == writes_before {
            self.opened.cache.insert(key, Arc::new(opened.clone()));
        }
        drop(writes);
        Ok(Some(opened))
    }

    /// Every account of `user`, without secrets, ordered by integration.
    pub async fn list(&self, user: &str) -> Result<Vec<ConnectedAccount>, CredentialError> {
        if let Some(listed) = self.opened.lists.get(user) {
            return Ok((*listed).clone());
        }
        let writes_before = *self.opened.writes.lock().expect("accounts lock");
        let mut prefix = user.as_bytes().to_vec();
        prefix.push(0);
        let mut accounts = Vec::new();
        for (_, bytes) in self.tree.scan_prefix(&prefix).await? {
            let stored: StoredAccount = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("account record: {e}")))?;
            accounts.push(stored.account);
        }
        let writes = self.opened.writes.lock().expect("accounts lock");
        if *writes == writes_before {
            self.opened
                .lists
                .insert(user.to_string(), Arc::new(accounts.clone()));
        }
        drop(writes);
        Ok(accounts)
    }

    /// Records that an authorization started for an integration the user has no account for.
    pub async fn put_pending(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<ConnectedAccount, CredentialError> {
        // One write: never an active account with a pending secret, even for a moment.
        let previous = self.get_public(user, integration).await?;
        let (fields, label) = previous.map(|a| (a.fields, a.label)).unwrap_or_default();
        self.store(
            user,
            integration,
            &AccountSecret::Pending,
            AccountDetails {
                scopes: Vec::new(),
                expires_at: None,
                fields,
                label,
            },
            AccountStatus::Pending,
        )
        .await
    }

    /// Removes the account only while it is still pending (a failed first authorization).
    pub async fn delete_if_pending(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<(), CredentialError> {
        if self
            .get_public(user, integration)
            .await?
            .is_some_and(|a| a.status == AccountStatus::Pending)
        {
            self.delete(user, integration).await?;
        }
        Ok(())
    }

    /// Changes an account's status (keeping its secret) and records why.
    pub async fn set_status(
        &self,
        user: &str,
        integration: &str,
        status: AccountStatus,
        last_error: Option<String>,
    ) -> Result<(), CredentialError> {
        let key = record_key(user, integration);
        let Some((mut account, secret)) = self.get_stored(user, integration).await? else {
            return Ok(());
        };
        account.status = status;
        account.last_error = last_error;
        account.updated_at = OffsetDateTime::now_utc();
        self.write(&key, &account, &secret).await
    }

    /// Removes the account and its secret; false when there was none.
    pub async fn delete(&self, user: &str, integration: &str) -> Result<bool, CredentialError> {
        let key = record_key(user, integration);
        let removed = self.tree.remove(&key).await;
        self.forget(&key);
        let removed = removed?;
        self.tell_others(&key).await;
        let was = removed
            .as_ref()
            .and_then(|bytes| serde_json::from_slice::<StoredAccount>(bytes).ok())
            .map(|stored| stored.account);
        if let Some(account) = &was {
            let event = if account.status == AccountStatus::Pending {
                "account.authorization_abandoned"
            } else {
                "account.disconnected"
            };
            self.audit(account, event);
        }
        let removed = removed.is_some();
        if removed {
            self.changes
                .send(crate::changes::ToolsChanged::User(user.to_string()));
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::MasterKey;

    fn store(dir: &std::path::Path) -> AccountStore {
        let key = MasterKey::load_or_generate(None, dir).unwrap();
        AccountStore::open(&Store::open(dir).unwrap(), Sealer::new(&key)).unwrap()
    }

    #[tokio::test]
    async fn an_account_read_from_memory_follows_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = store(dir.path());
        let first = AccountSecret::Oauth2 {
            access_token: SecretString::new("first"),
            refresh_token: None,
        };
        accounts
            .put("alice", "github", &first, vec![], None)
            .await
            .unwrap();
        assert_eq!(
            accounts.get("alice", "github").await.unwrap().unwrap().1,
            first
        );
        assert_eq!(
            accounts.get("alice", "github").await.unwrap().unwrap().1,
            first
        );

        let second = AccountSecret::Oauth2 {
            access_token: SecretString::new("second"),
            refresh_token: None,
        };
        // Another handle to the same store (as the OAuth flows hold) writes.
        accounts
            .clone()
            .put("alice", "github", &second, vec![], None)
            .await
            .unwrap();
        assert_eq!(
            accounts.get("alice", "github").await.unwrap().unwrap().1,
            second
        );

        accounts
            .set_status(
                "alice",
                "github",
                AccountStatus::Revoked,
                Some("gone".into()),
            )
            .await
            .unwrap();
        let (account, _) = accounts.get("alice", "github").await.unwrap().unwrap();
        assert_eq!(account.status, AccountStatus::Revoked);

        assert!(accounts.delete("alice", "github").await.unwrap());
        assert!(accounts.get("alice", "github").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn accounts_are_kept_per_user_and_the_token_is_not_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = store(dir.path());
        let secret = AccountSecret::Oauth2 {
            access_token: SecretString::new("gho_secret_token_value"),
            refresh_token: None,
        };
        accounts
            .put("alice", "github", &secret, vec!["repo".into()], None)
            .await
            .unwrap();

        let (account, read_back) = accounts.get("alice", "github").await.unwrap().unwrap();
        assert_eq!(read_back, secret);
        assert_eq!(account.status, AccountStatus::Active);
        assert!(accounts.get("bob", "github").await.unwrap().is_none());
        assert_eq!(accounts.list("alice").await.unwrap().len(), 1);
        assert!(accounts.list("bob").await.unwrap().is_empty());

        accounts.tree.flush().await.unwrap();
        let files = walk(dir.path());
        // The record itself is on disk (so the search below is not vacuous)...
        assert!(
            files
                .iter()
                .any(|f| std::fs::read(f).unwrap().windows(6).any(|w| w == b"github"))
        );
        // ...but the token is not, in any file.
        for entry in files {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                !bytes.windows(22).any(|w| w == b"gho_secret_token_value"),
                "{} holds the token in plaintext",
                entry.display()
            );
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}
