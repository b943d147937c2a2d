//! The identity provider's JSON Web Key Set (`ACTIONHOST_JWT_JWKS_URL`), for user tokens that
//! provider signs. The set is fetched at startup and kept in memory; it is fetched again when a
//! token names a key id the set lacks (the provider rotated its keys) and, on the next token,
//! once it is older than its max age (so that a withdrawn key stops being trusted).
//!
//! Fetches run one at a time — a request that needs the set waits for the fetch in flight rather
//! than starting its own — and those prompted by unknown key ids at most once per cooldown, so
//! that tokens with made-up key ids cannot make the host hammer the provider. Only RS256 and
//! ES256 keys are used, each only with the algorithm it is for (no algorithm confusion: an RSA
//! key never checks an ES256 or HS256 signature).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse, ThumbprintHash,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::TokenRefused;

/// Largest key set read. A provider publishes a few keys (a few KiB); the cap keeps a wrong URL
/// (a web page, a large file) from being read whole.
pub const MAX_KEY_SET_BYTES: usize = 256 * 1024;

/// A fetch's whole time, connecting included: requests with an unknown key id wait for it.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// After a failed fetch the next may come this soon (or after the cooldown, if that is
/// shorter): a provider that was down when the host started is picked up within a second of
/// coming back, and one that is down is asked at most once a second.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Smallest RSA modulus used: 2048 bits.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// Longest piece of provider-supplied text (a key id, an algorithm name) quoted in a message.
const QUOTED: usize = 64;

/// A key of the set that tokens may be verified with.
pub struct SigningKey {
    pub kid: Option<String>,
    /// The one algorithm this key checks.
    pub algorithm: Algorithm,
    pub decoding: DecodingKey,
    /// RFC 7638 thumbprint: names the key material, so that a remembered token is tied to the
    /// key that verified it, not to a key id the provider could reuse for another key.
    pub thumbprint: String,
}

/// The set as last fetched.
#[derive(Default, Clone)]
struct KeySet {
    usable: Vec<Arc<SigningKey>>,
    /// The set's other keys, by key id, with the reason each is not used.
    unusable: Vec<(Option<String>, String)>,
    /// When the keys above were fetched; `None` until a fetch succeeds.
    fetched_at: Option<Instant>,
    /// Why the latest fetch failed, when it did (the keys above are then the older ones).
    failure: Option<String>,
}

/// What a key set says about a token's key id.
enum Found {
    Key(Arc<SigningKey>),
    /// The token is refused whatever a fetch would bring.
    Refused(String),
    /// Not in this set; a newer set may have it.
    Missing,
}

impl KeySet {
    fn find(&self, kid: Option<&str>) -> Found {
        let Some(kid) = kid else {
            // Without a key id a token could be checked against every key in turn; it is
            // matched only when there is no choice to make.
            return match self.usable.as_slice() {
                [key] => Found::Key(key.clone()),
                [] => Found::Missing,
                keys => Found::Refused(format!(
                    "the token's header names no key (`kid`), and the identity provider's key \
                     set has {} keys",
                    keys.len()
                )),
            };
        };
        if let Some(key) = self.usable.iter().find(|k| k.kid.as_deref() == Some(kid)) {
            return Found::Key(key.clone());
        }
        match self
            .unusable
            .iter()
            .find(|(id, _)| id.as_deref() == Some(kid))
        {
            Some((_, why)) => Found::Refused(format!(
                "the token's key {} is not used by this host: {why}",
                quote(kid)
            )),
            None => Found::Missing,
        }
    }

    /// Why a token whose key is not in the set (even after trying a fetch) is refused.
    fn missing(&self, kid: Option<&str>) -> TokenRefused {
        if let Some(failure) = &self.failure {
            // The key may well be the provider's: say so, rather than calling the token bad.
            return TokenRefused::KeysUnavailable(format!(
                "the identity provider's keys could not be fetched ({failure}), so the token \
                 was not checked; try again shortly"
            ));
        }
        let Some(fetched_at) = self.fetched_at else {
            return TokenRefused::KeysUnavailable(
                "the identity provider's keys have not been fetched yet; try again shortly".into(),
            );
        };
        match kid {
            Some(kid) => TokenRefused::Invalid(format!(
                "the token's key id {} is not in the identity provider's key set (fetched {} s \
                 ago)",
                quote(kid),
                fetched_at.elapsed().as_secs()
            )),
            None => TokenRefused::Invalid(
                "the token's header names no key (`kid`), and the identity provider's key set \
                 has no key this host uses"
                    .into(),
            ),
        }
    }
}

/// Bookkeeping of fetches, locked for the whole of one: this is what makes requests wait for
/// the fetch in flight instead of starting their own.
#[derive(Default)]
struct FetchLog {
    last_attempt: Option<Instant>,
    last_failed: bool,
}

/// The identity provider's key set and how it is kept fresh.
pub struct KeySource {
    url: url::Url,
    http: reqwest::Client,
    cooldown: Duration,
    max_age: Duration,
    current: RwLock<Arc<KeySet>>,
    fetching: tokio::sync::Mutex<FetchLog>,
    /// Fetches attempted so far. A request that read `n` before waiting for the fetch lock
    /// knows from a larger value that a fetch finished meanwhile, and uses its result.
    attempts: AtomicU64,
    /// A background fetch of a stale set is queued or running.
    refreshing: AtomicBool,
}

/// Why the key set could not be fetched. Never names the URL (the log line does, beside it):
/// the message reaches API clients, who need not learn the provider's internal address.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no answer within {} s", FETCH_TIMEOUT.as_secs())]
    Timeout,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Http(String),
    #[error("it answered HTTP {status}{}", redirect_note(*.status))]
    Status { status: u16 },
    #[error("the key set is over {} KiB", MAX_KEY_SET_BYTES / 1024)]
    TooLarge,
    #[error("the answer is not a JSON Web Key Set: {0}")]
    NotAKeySet(String),
}

fn redirect_note(status: u16) -> &'static str {
    if (300..400).contains(&status) {
        " (redirects are not followed: configure the key set's final URL)"
    } else {
        ""
    }
}

impl FetchError {
    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            return FetchError::Timeout;
        }
        let connect = error.is_connect();
        let text = crate::origin::innermost_cause(&error);
        if connect {
            FetchError::Connect(text)
        } else {
            FetchError::Http(text)
        }
    }
}

impl KeySource {
    pub fn new(
        url: url::Url,
        cooldown: Duration,
        max_age: Duration,
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Result<Self, reqwest::Error> {
        let http = crate::origin::trusting(reqwest::Client::builder(), extra_roots)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .no_proxy()
            .build()?;
        Ok(KeySource {
            url,
            http,
            cooldown,
            max_age,
            current: RwLock::new(Arc::new(KeySet::default())),
            fetching: tokio::sync::Mutex::new(FetchLog::default()),
            attempts: AtomicU64::new(0),
            refreshing: AtomicBool::new(false),
        })
    }

    /// Fetches the set in the background: the host serves at once, and a provider that is down
    /// only gets a warning (requests that need the keys try again).
    pub fn start(self: &Arc<Self>) {
        let source = self.clone();
        tokio::spawn(async move { source.refresh(0).await });
    }

    /// The key to check a token with key id `kid`, signed (its header says) with `algorithm`.
    pub async fn key_for(
        self: &Arc<Self>,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Arc<SigningKey>, TokenRefused> {
        let seen = self.attempts.load(Ordering::Acquire);
        let set = self.snapshot();
        self.refresh_if_stale(&set, seen);
        let key = match set.find(kid) {
            Found::Key(key) => key,
            Found::Refused(why) => return Err(TokenRefused::Invalid(why)),
            Found::Missing => {
                self.refresh(seen).await;
                let set = self.snapshot();
                match set.find(kid) {
                    Found::Key(key) => key,
                    Found::Refused(why) => return Err(TokenRefused::Invalid(why)),
                    Found::Missing => return Err(set.missing(kid)),
                }
            }
        };
        if key.algorithm != algorithm {
            return Err(TokenRefused::Invalid(format!(
                "the token says {algorithm:?}, but its key {} is an {:?} key",
                key.kid.as_deref().map(quote).unwrap_or_default(),
                key.algorithm
            )));
        }
        Ok(key)
    }

    /// Whether the key with this thumbprint is still in the set (for remembered tokens).
    pub fn still_trusts(self: &Arc<Self>, thumbprint: &str) -> bool {
        let seen = self.attempts.load(Ordering::Acquire);
        let set = self.snapshot();
        self.refresh_if_stale(&set, seen);
        set.usable.iter().any(|k| k.thumbprint == thumbprint)
    }

    fn snapshot(&self) -> Arc<KeySet> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, set: KeySet) {
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(set);
    }

    /// Starts a background fetch when the set is older than its max age. The token at hand is
    /// checked with the set as it is: a slow provider delays nobody.
    fn refresh_if_stale(self: &Arc<Self>, set: &KeySet, seen: u64) {
        let stale = set
            .fetched_at
            .is_some_and(|at| at.elapsed() >= self.max_age);
        if stale && !self.refreshing.swap(true, Ordering::AcqRel) {
            let source = self.clone();
            tokio::spawn(async move {
                source.refresh(seen).await;
                source.refreshing.store(false, Ordering::Release);
            });
        }
    }

    /// Fetches the set unless a fetch finished since the caller read `seen` (its result is the
    /// answer) or the last one was too recent.
    async fn refresh(&self, seen: u64) {
        let mut log = self.fetching.lock().await;
        if self.attempts.load(Ordering::Acquire) != seen {
            return;
        }
        if let Some(at) = log.last_attempt {
            let wait = if log.last_failed {
                self.cooldown.min(RETRY_AFTER_FAILURE)
            } else {
                self.cooldown
            };
            if at.elapsed() < wait {
                return;
            }
        }
        log.last_attempt = Some(Instant::now());
        match self.fetch().await {
            Ok(set) => {
                tracing::info!(
                    url = %self.url,
                    keys = set.usable.len(),
                    unused = set.unusable.len(),
                    "fetched the identity provider's key set"
                );
                for (kid, why) in &set.unusable {
                    tracing::info!(url = %self.url, kid = ?kid, "a key of the set is not used: {why}");
                }
                log.last_failed = false;
                self.replace(set);
            }
            Err(error) => {
                tracing::warn!(
                    url = %self.url,
                    %error,
                    "cannot fetch the identity provider's key set; tokens signed with a key not \
                     already known are refused until it answers"
                );
                log.last_failed = true;
                let mut set = (*self.snapshot()).clone();
                set.failure = Some(error.to_string());
                self.replace(set);
            }
        }
        self.attempts.fetch_add(1, Ordering::AcqRel);
    }

    async fn fetch(&self) -> Result<KeySet, FetchError> {
        let mut response = self
            .http
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::from_reqwest)? {
            if body.len() + chunk.len() > MAX_KEY_SET_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let mut set = parse_key_set(&body)?;
        set.fetched_at = Some(Instant::now());
        Ok(set)
    }
}

/// The keys of a JSON Web Key Set, split into those this host uses and the others (with why).
/// Keys are read one by one with jsonwebtoken's [`Jwk`], so that one key the host does not use
/// (an encryption key, an algorithm it does not know) leaves the others usable.
fn parse_key_set(body: &[u8]) -> Result<KeySet, FetchError> {
    #[derive(serde::Deserialize)]
    struct Published {
        keys: Vec<Value>,
    }
    let published: Published =
        serde_json::from_slice(body).map_err(|e| FetchError::NotAKeySet(e.to_string()))?;
    let mut set = KeySet::default();
    for raw in published.keys {
        let kid = raw.get("kid").and_then(Value::as_str).map(str::to_string);
        match signing_key(raw) {
            Ok(key) => set.usable.push(Arc::new(key)),
            Err(why) => set.unusable.push((kid, why)),
        }
    }
    Ok(set)
}

/// A published key as this host uses it: RSA (2048 bits or more) for RS256, EC P-256 for
/// ES256, each only for that algorithm, whether the key says `alg` or not (when it does, it
/// must agree).
fn signing_key(raw: Value) -> Result<SigningKey, String> {
    let declared = raw.get("alg").map(|alg| match alg.as_str() {
        Some(name) => quote(name),
        None => alg.to_string(),
    });
    let jwk: Jwk = serde_json::from_value(raw)
        .map_err(|e| format!("it is not a JSON Web Key this host reads ({e})"))?;
    if let Some(usage) = &jwk.common.public_key_use
        && *usage != PublicKeyUse::Signature
    {
        return Err("its `use` is not `sig`".into());
    }
    if let Some(operations) = &jwk.common.key_operations
        && !operations.contains(&KeyOperations::Verify)
    {
        return Err("its `key_ops` do not include `verify`".into());
    }
    let for_only = |algorithm: &str| match &declared {
        Some(declared) if *declared != quote(algorithm) => Err(format!(
            "it is declared for {declared}; this host uses it for {algorithm} only"
        )),
        _ => Ok(()),
    };
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            for_only("RS256")?;
            let modulus = decode_b64(&rsa.n).ok_or("its modulus `n` is not base64url")?;
            let bytes = modulus.iter().skip_while(|b| **b == 0).count();
            if bytes < MIN_RSA_MODULUS_BYTES {
                return Err(format!(
                    "it is a {}-bit RSA key; at least 2048 bits are required",
                    bytes * 8
                ));
            }
            Algorithm::RS256
        }
        AlgorithmParameters::EllipticCurve(ec) => {
            if ec.curve != EllipticCurve::P256 {
                return Err(format!(
                    "it is an EC key on {:?}; this host uses P-256 (ES256) only",
                    ec.curve
                ));
            }
            for_only("ES256")?;
            for (name, coordinate) in [("x", &ec.x), ("y", &ec.y)] {
                if decode_b64(coordinate).map(|c| c.len()) != Some(32) {
                    return Err(format!("its `{name}` is not a 32-byte P-256 coordinate"));
                }
            }
            Algorithm::ES256
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err(
                "it is a symmetric (`oct`) key, which a public key set must not hold".into(),
            );
        }
        AlgorithmParameters::OctetKeyPair(_) => {
            return Err(
                "it is an OKP (EdDSA) key; this host uses RSA (RS256) and EC P-256 (ES256) keys \
                 only"
                    .into(),
            );
        }
        _ => {
            return Err("its `kty` and members are not an RSA or EC key this host reads".into());
        }
    };
    let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| format!("it is not usable ({e})"))?;
    let thumbprint = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| format!("it is not usable ({e})"))?;
    Ok(SigningKey {
        kid: jwk.common.key_id,
        algorithm,
        decoding,
        thumbprint,
    })
}

/// base64url, with or without padding (providers differ).
fn decode_b64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

/// Provider- or token-supplied text as quoted in a message: in quotes, bounded.
pub fn quote(text: &str) -> String {
    format!("{:?}", crate::quote::truncate(text, QUOTED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A P-256 public key (the x and y of RFC 7515's appendix A.3 example).
    fn ec_key(kid: &str) -> Value {
        json!({"kty": "EC", "crv": "P-256", "kid": kid,
               "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
               "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})
    }

    /// A 2048-bit RSA public key's modulus (RFC 7517 appendix A.1), and a short one.
    const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    fn rsa_key(kid: &str) -> Value {
        json!({"kty": "RSA", "kid": kid, "n": RSA_N, "e": "AQAB"})
    }

    fn set(keys: Vec<Value>) -> KeySet {
        let mut set = parse_key_set(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
        set.fetched_at = Some(Instant::now());
        set
    }

    fn reason(set: &KeySet, kid: &str) -> String {
        set.unusable
            .iter()
            .find(|(id, _)| id.as_deref() == Some(kid))
            .map(|(_, why)| why.clone())
            .unwrap_or_else(|| panic!("{kid} is usable"))
    }

    #[test]
    fn keys_are_used_for_rs256_and_es256_only_and_only_as_declared() {
        let mut declared_rs512 = rsa_key("rs512");
        declared_rs512["alg"] = json!("RS512");
        let mut rsa_declared_es256 = rsa_key("confused");
        rsa_declared_es256["alg"] = json!("ES256");
        let mut encryption = rsa_key("enc");
        encryption["use"] = json!("enc");
        let mut p384 = ec_key("p384");
        p384["crv"] = json!("P-384");
        let mut short = rsa_key("short");
        short["n"] = json!(
            "04oBeYK4dDR2dTXPMsGCFRMmIkkrVcuHQ6BB7LY-YRI1ttdXvb5QrpulWKJJ3eX-3fJMfSSgASTnqhtwfp-QZd9PyqD2g_Km852miSsgKTgnmHo-N8e5j_NNECGQx6u6kEJHw2TNw9T5I3UQO7Y-WIatn-FqSpC2jDW_BFcWsZ0"
        );
        let set = set(vec![
            rsa_key("rsa"),
            ec_key("ec"),
            declared_rs512,
            rsa_declared_es256,
            encryption,
            p384,
            short,
            json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}),
            json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
            json!({"kid": "junk", "kty": "RSA"}),
        ]);
        let usable: Vec<(Option<&str>, Algorithm)> = set
            .usable
            .iter()
            .map(|k| (k.kid.as_deref(), k.algorithm))
            .collect();
        assert_eq!(
            usable,
            [
                (Some("rsa"), Algorithm::RS256),
                (Some("ec"), Algorithm::ES256)
            ]
        );
        assert_eq!(
            reason(&set, "rs512"),
            "it is declared for \"RS512\"; this host uses it for RS256 only"
        );
        assert_eq!(
            reason(&set, "confused"),
            "it is declared for \"ES256\"; this host uses it for RS256 only"
        );
        assert_eq!(reason(&set, "enc"), "its `use` is not `sig`");
        assert_eq!(
            reason(&set, "p384"),
            "it is an EC key on P384; this host uses P-256 (ES256) only"
        );
        assert_eq!(
            reason(&set, "short"),
            "it is a 1024-bit RSA key; at least 2048 bits are required"
        );
        assert!(reason(&set, "hmac").contains("symmetric"));
        assert_eq!(
            reason(&set, "ed"),
            "it is an OKP (EdDSA) key; this host uses RSA (RS256) and EC P-256 (ES256) keys only"
        );
        assert_eq!(
            reason(&set, "junk"),
            "its `kty` and members are not an RSA or EC key this host reads"
        );

        // A token naming an unused key is told why, without a fetch (`Refused`, not `Missing`).
        match set.find(Some("rs512")) {
            Found::Refused(why) => assert_eq!(
                why,
                "the token's key \"rs512\" is not used by this host: it is declared for \"RS512\"; \
                 this host uses it for RS256 only"
            ),
            _ => panic!("an unused key is refused"),
        }
        assert!(matches!(set.find(Some("unknown")), Found::Missing));
    }

    #[test]
    fn a_token_without_kid_is_matched_only_when_the_set_has_exactly_one_key() {
        let one = set(vec![rsa_key("only")]);
        assert!(matches!(one.find(None), Found::Key(k) if k.kid.as_deref() == Some("only")));
        let two = set(vec![rsa_key("a"), ec_key("b")]);
        match two.find(None) {
            Found::Refused(why) => assert_eq!(
                why,
                "the token's header names no key (`kid`), and the identity provider's key set \
                 has 2 keys"
            ),
            _ => panic!("ambiguous without kid"),
        }
        assert!(matches!(set(vec![]).find(None), Found::Missing));
    }

    #[test]
    fn a_missing_key_is_the_tokens_fault_only_when_the_set_was_fetched() {
        let fetched = set(vec![rsa_key("a")]);
        assert_eq!(
            fetched.missing(Some("gone")),
            TokenRefused::Invalid(
                "the token's key id \"gone\" is not in the identity provider's key set (fetched 0 \
                 s ago)"
                    .into()
            )
        );
        let mut failed = fetched.clone();
        failed.failure = Some("cannot connect: Connection refused".into());
        assert_eq!(
            failed.missing(Some("gone")),
            TokenRefused::KeysUnavailable(
                "the identity provider's keys could not be fetched (cannot connect: Connection \
                 refused), so the token was not checked; try again shortly"
                    .into()
            )
        );
        assert!(matches!(
            KeySet::default().missing(Some("a")),
            TokenRefused::KeysUnavailable(_)
        ));
    }

    #[test]
    fn what_is_not_a_key_set_is_refused_whole() {
        for body in [&b"<html>"[..], b"{\"keys\": 3}", b"[]"] {
            assert!(matches!(
                parse_key_set(body),
                Err(FetchError::NotAKeySet(_))
            ));
        }
        assert_eq!(
            FetchError::Status { status: 301 }.to_string(),
            "it answered HTTP 301 (redirects are not followed: configure the key set's final URL)"
        );
        assert_eq!(
            FetchError::Status { status: 500 }.to_string(),
            "it answered HTTP 500"
        );
    }

    #[test]
    fn quoted_text_is_bounded() {
        assert_eq!(quote("kid-1"), "\"kid-1\"");
        assert_eq!(quote(&"x".repeat(1000)).len(), QUOTED + 2);
    }
}
