//! The store's suite, run against both backends: the embedded sled store and PostgreSQL (a
//! throwaway cluster, a fresh database per test). Every behaviour the host relies on is
//! checked on each, so the rest of the host can run on either without knowing which.
//! What only exists with several hosts (notices, the shared lock, the master-key check) is
//! checked with two stores on one database.

use std::sync::Arc;
use std::time::Duration;

use actionhost::connect::{ConnectSessions, LinkRefused, Scope};
use actionhost::credentials::{
    AccountSecret, AccountStatus, AccountStore, MasterKey, Sealer, SecretString,
};
use actionhost::observability::audit::{AuditLog, AuditQuery, AuditRecord};
use actionhost::store::{Store, trees};
use actionhost_e2e::postgres;

/// One store of each backend, with what keeps it alive.
struct Backend {
    name: &'static str,
    store: Store,
    /// The PostgreSQL database's URL (none: sled).
    url: Option<String>,
    _dir: tempfile::TempDir,
}

async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let sled = Store::open(dir.path()).unwrap();
    let url = postgres::shared().database();
    let pg = Store::connect(&url, 8).await.unwrap();
    vec![
        Backend {
            name: "sled",
            store: sled,
            url: None,
            _dir: dir,
        },
        Backend {
            name: "postgres",
            store: pg,
            url: Some(url),
            _dir: tempfile::tempdir().unwrap(),
        },
    ]
}

fn sealer() -> Sealer {
    let dir = tempfile::tempdir().unwrap();
    Sealer::new(
        &MasterKey::load_or_generate(
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            dir.path(),
        )
        .unwrap(),
    )
}

fn oauth(token: &str, refresh: Option<&str>) -> AccountSecret {
    AccountSecret::Oauth2 {
        access_token: SecretString::new(token),
        refresh_token: refresh.map(SecretString::new),
    }
}

#[tokio::test]
async fn a_tree_gets_inserts_removes_scans_and_swaps_alike_on_both_backends() {
    for b in backends().await {
        let tree = b.store.tree(trees::CONNECTIONS).unwrap();
        let other = b.store.tree(trees::OAUTH_STATES).unwrap();
        let name = b.name;
        assert_eq!(tree.get(b"a").await.unwrap(), None, "{name}");
        assert_eq!(
            tree.insert(b"a", b"1".to_vec()).await.unwrap(),
            None,
            "{name}"
        );
        assert_eq!(
            tree.insert(b"a", b"2".to_vec()).await.unwrap(),
            Some(b"1".to_vec()),
            "{name}: insert returns what was there"
        );
        assert_eq!(tree.get(b"a").await.unwrap(), Some(b"2".to_vec()), "{name}");
        assert!(tree.contains_key(b"a").await.unwrap(), "{name}");
        assert_eq!(
            other.get(b"a").await.unwrap(),
            None,
            "{name}: trees are apart"
        );

        // Prefix scans in byte order, with keys at the edges of the byte range.
        for key in [&b"p\x00"[..], b"p\xff\xff", b"p\x01z", b"q", b"o\xff", b"p"] {
            tree.insert(key, key.to_vec()).await.unwrap();
        }
        let keys: Vec<Vec<u8>> = tree
            .scan_prefix(b"p")
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            vec![
                b"p".to_vec(),
                b"p\x00".to_vec(),
                b"p\x01z".to_vec(),
                b"p\xff\xff".to_vec()
            ],
            "{name}"
        );
        let all: Vec<Vec<u8>> = tree
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(all.len(), 7, "{name}");
        assert!(all.windows(2).all(|w| w[0] < w[1]), "{name}: in key order");

        // Compare-and-swap: only from the expected value.
        assert!(
            !tree
                .compare_and_swap(b"a", Some(b"1"), Some(b"3".to_vec()))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            tree.compare_and_swap(b"a", Some(b"2"), Some(b"3".to_vec()))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !tree
                .compare_and_swap(b"a", None, Some(b"4".to_vec()))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            tree.compare_and_swap(b"new", None, Some(b"x".to_vec()))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            tree.compare_and_swap(b"new", Some(b"x"), None)
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(tree.get(b"new").await.unwrap(), None, "{name}");
        assert_eq!(tree.get(b"a").await.unwrap(), Some(b"3".to_vec()), "{name}");

        assert_eq!(
            tree.remove(b"a").await.unwrap(),
            Some(b"3".to_vec()),
            "{name}"
        );
        assert_eq!(tree.remove(b"a").await.unwrap(), None, "{name}");
        tree.flush().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_twenty_concurrent_removals_exactly_one_gets_the_value() {
    for b in backends().await {
        let tree = b.store.tree(trees::OAUTH_STATES).unwrap();
        for round in 0..5u8 {
            tree.insert([round], b"state".to_vec()).await.unwrap();
            let removals = (0..20).map(|_| {
                let tree = tree.clone();
                tokio::spawn(async move { tree.remove([round]).await.unwrap() })
            });
            let got = futures::future::join_all(removals)
                .await
                .into_iter()
                .filter(|r| r.as_ref().unwrap().is_some())
                .count();
            assert_eq!(got, 1, "{}: a single-use state is used once", b.name);
        }
    }
}

#[tokio::test]
async fn accounts_are_stored_sealed_listed_per_user_and_deleted() {
    for b in backends().await {
        let accounts = AccountStore::open(&b.store, sealer()).unwrap();
        let secret = oauth(
            "gho_token_that_must_stay_sealed",
            Some("refresh_that_must_stay_sealed"),
        );
        accounts
            .put("alice", "github", &secret, vec!["repo".into()], None)
            .await
            .unwrap();
        accounts
            .put("alice", "slack", &oauth("xoxb", None), vec![], None)
            .await
            .unwrap();
        accounts
            .put("bob", "github", &oauth("bobs", None), vec![], None)
            .await
            .unwrap();

        let (account, read) = accounts.get("alice", "github").await.unwrap().unwrap();
        assert_eq!(read, secret, "{}", b.name);
        assert_eq!(account.status, AccountStatus::Active);
        assert_eq!(account.scopes, ["repo"]);
        let listed: Vec<String> = accounts
            .list("alice")
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.integration)
            .collect();
        assert_eq!(listed, ["github", "slack"], "{}", b.name);

        // No plaintext secret anywhere in the store.
        let records = b.store.tree(trees::ACCOUNTS).unwrap().all().await.unwrap();
        assert_eq!(records.len(), 3);
        for (_, value) in &records {
            for needle in [
                "gho_token_that_must_stay_sealed",
                "refresh_that_must_stay_sealed",
            ] {
                assert!(
                    !value.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{}: a secret is stored in plaintext",
                    b.name
                );
            }
        }
        if let Some(url) = &b.url {
            let found = postgres::shared().sql(
                url,
                "SELECT count(*) FROM kv WHERE position('gho_token_that_must_stay_sealed'::bytea in value) > 0",
            );
            assert_eq!(found, "0", "the database never sees a plaintext secret");
        }

        accounts
            .set_status(
                "alice",
                "github",
                AccountStatus::Expired,
                Some("gone".into()),
            )
            .await
            .unwrap();
        let (account, read) = accounts.get("alice", "github").await.unwrap().unwrap();
        assert_eq!(account.status, AccountStatus::Expired);
        assert_eq!(read, secret, "a status change keeps the secret");
        assert!(accounts.delete("alice", "github").await.unwrap());
        assert!(!accounts.delete("alice", "github").await.unwrap());
        assert!(accounts.get("alice", "github").await.unwrap().is_none());
        assert_eq!(accounts.list("bob").await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_connect_link_opens_one_session_once_on_both_backends() {
    for b in backends().await {
        let sessions = ConnectSessions::open(&b.store).unwrap();
        let scope = Scope {
            user: "alice".into(),
            integrations: None,
            return_url: None,
        };
        let (secret, _) = sessions
            .create(scope, Duration::from_secs(60))
            .await
            .unwrap();
        let (id, session) = sessions
            .open_link(&secret, Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(session.scope.user, "alice");
        assert_eq!(
            sessions
                .open_link(&secret, Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap_err(),
            LinkRefused::Used,
            "{}",
            b.name
        );
        assert_eq!(
            sessions.session(&id).await.unwrap().unwrap().scope.user,
            "alice"
        );
        assert!(sessions.session("nope").await.unwrap().is_none());
    }
}

fn record(user: &str, action: &str) -> AuditRecord {
    let mut record = AuditRecord::account_event(user, "github", action);
    record.upstream_status = Some(200);
    record
}

/// Every page of `query`, newest first.
async fn all_pages(log: &AuditLog, mut query: AuditQuery) -> Vec<AuditRecord> {
    let mut all = Vec::new();
    loop {
        let (records, next) = log.query(&query).await.unwrap();
        all.extend(records);
        match next {
            Some(cursor) => query.before = Some(cursor),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_pages_newest_first_without_gaps_and_filters_on_both_backends() {
    for b in backends().await {
        let log = AuditLog::open(&b.store).unwrap();
        for n in 0..40 {
            let user = if n % 2 == 0 { "alice" } else { "bob" };
            log.append(record(user, &format!("A{n}")));
            if n % 7 == 0 {
                log.sync();
            }
        }
        let all = all_pages(
            &log,
            AuditQuery {
                limit: Some(6),
                ..Default::default()
            },
        )
        .await;
        let actions: Vec<String> = all.iter().map(|r| r.action.clone()).collect();
        let expected: Vec<String> = (0..40).rev().map(|n| format!("A{n}")).collect();
        assert_eq!(actions, expected, "{}", b.name);
        let alice = all_pages(
            &log,
            AuditQuery {
                user: Some("alice".into()),
                limit: Some(4),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(alice.len(), 20, "{}", b.name);
        assert!(alice.iter().all(|r| r.user == "alice"));
        let one = all_pages(
            &log,
            AuditQuery {
                action: Some("A7".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(one.len(), 1);
        assert_eq!(log.count().await.unwrap(), 40);
    }
}

#[tokio::test]
async fn an_unknown_audit_cursor_on_postgres_is_refused_by_name() {
    let url = postgres::shared().database();
    let store = Store::connect(&url, 4).await.unwrap();
    let log = AuditLog::open(&store).unwrap();
    log.append(record("alice", "A"));
    let error = log
        .query(&AuditQuery {
            before: Some("not-a-cursor".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(error.to_string().contains("`before`"), "{error}");
}

/// Two hosts' stores on one database.
async fn two_hosts() -> (Store, Store, String) {
    let url = postgres::shared().database();
    let a = Store::connect(&url, 8).await.unwrap();
    let b = Store::connect(&url, 8).await.unwrap();
    (a, b, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_written_on_one_host_is_forgotten_by_the_other() {
    let (a, b, _) = two_hosts().await;
    let on_a = AccountStore::open(&a, sealer()).unwrap();
    let on_b = AccountStore::open(&b, sealer()).unwrap();
    on_b.watch();
    on_a.put("alice", "github", &oauth("one", None), vec![], None)
        .await
        .unwrap();
    // B reads (and remembers) it.
    assert_eq!(
        on_b.get("alice", "github").await.unwrap().unwrap().1,
        oauth("one", None)
    );
    on_a.put("alice", "github", &oauth("two", None), vec![], None)
        .await
        .unwrap();
    let changed = wait_for(|| async {
        on_b.get("alice", "github").await.unwrap().map(|(_, s)| s) == Some(oauth("two", None))
    })
    .await;
    assert!(changed.is_some(), "B still serves the token A replaced");
    on_a.delete("alice", "github").await.unwrap();
    let gone = wait_for(|| async { on_b.get("alice", "github").await.unwrap().is_none() }).await;
    assert!(gone.is_some(), "B still serves an account A deleted");
    eprintln!("B forgot the deleted account after {:?}", gone.unwrap());
}

/// Polls `check` for up to 2 s; how long it took to hold.
async fn wait_for<F, Fut>(check: F) -> Option<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_lock_is_held_by_one_host_at_a_time() {
    let (a, b, _) = two_hosts().await;
    let held = a.lock("account\0alice\0github").await.unwrap();
    let entered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let waiter = {
        let entered = entered.clone();
        tokio::spawn(async move {
            let lock = b.lock("account\0alice\0github").await.unwrap();
            entered.store(true, std::sync::atomic::Ordering::SeqCst);
            lock.release().await;
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !entered.load(std::sync::atomic::Ordering::SeqCst),
        "B took a lock A holds"
    );
    // Another name is not blocked.
    a.lock("account\0bob\0github")
        .await
        .unwrap()
        .release()
        .await;
    held.release().await;
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert!(entered.load(std::sync::atomic::Ordering::SeqCst));

    // A lock dropped without release (a cancelled request) is let go too.
    let dropped = a.lock("x").await.unwrap();
    drop(dropped);
    let again = tokio::time::timeout(Duration::from_secs(5), a.lock("x")).await;
    assert!(again.is_ok(), "a dropped lock was never let go");
}

#[tokio::test]
async fn a_database_it_cannot_reach_is_a_clear_start_error_without_the_password() {
    let error = match Store::connect("postgres://actionhost:hunter2-secret@127.0.0.1:1/db", 2).await
    {
        Ok(_) => panic!("connected to nothing"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("cannot connect to PostgreSQL"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
}
