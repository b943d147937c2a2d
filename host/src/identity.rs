//! Who is calling: users by JWT (`sub`, `exp` required; `iss` and `aud` too when the operator
//! names them), operators by the admin key, compared in constant time. User tokens are checked
//! one way, chosen by the settings: HS256 with the configured secret, RS256 with one public key,
//! or the identity provider's key set ([`jwks`]: RS256 and ES256, keys rotated by `kid`).
//! Nothing else is accepted — `alg: none` and algorithm confusion are refused. The HTTP
//! extractors that use these live in `api/auth.rs`.

pub mod jwks;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::credentials::{SecretString, read_or_generate};
use jwks::{KeySource, quote};

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    // Optional here so that a missing claim is reported by name (required_spec_claims) rather
    // than as malformed JSON.
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    /// Read only to say what a refused token carried.
    #[serde(default, skip_serializing)]
    iss: Option<serde_json::Value>,
    #[serde(default, skip_serializing)]
    aud: Option<serde_json::Value>,
}

/// Verifies (and for HS256, mints) user tokens.
pub struct Authenticator {
    keys: UserKeys,
    /// Required `iss`, in every mode.
    issuer: Option<String>,
    /// Required `aud`, in every mode (RFC 8707: the resource, `{public_url}/mcp`).
    audience: Option<String>,
    /// Only with an HS256 secret: other tokens are minted by the operator's identity provider.
    encoding: Option<EncodingKey>,
    /// Tokens already verified. An agent sends the same token on every call; checking its
    /// signature and parsing it again each time was ~4% of the CPU per request. An entry is
    /// used only until the token's own expiry (plus the leeway), and only by this
    /// authenticator, whose keys, issuer and audience never change; with a key set, only while
    /// the key that verified it is still in the set.
    verified: quick_cache::sync::Cache<String, Remembered>,
}

/// What user tokens are checked with.
enum UserKeys {
    /// An HS256 secret or an RS256 public key, for one algorithm.
    Fixed {
        decoding: DecodingKey,
        algorithm: Algorithm,
    },
    /// The identity provider's key set.
    Jwks(Arc<KeySource>),
}

/// A verified token, remembered.
#[derive(Clone)]
struct Remembered {
    sub: String,
    exp: u64,
    /// The thumbprint of the key-set key that verified it.
    key: Option<String>,
}

/// Verified tokens remembered at once.
const VERIFIED_TOKENS: usize = 10_000;

/// The algorithms of a key set's keys.
const KEY_SET_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Why a user token was refused; the message says what is wrong, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefused {
    /// The token is not valid here.
    #[error("{0}")]
    Invalid(String),
    /// The identity provider's keys could not be fetched, so the token could not be checked:
    /// it may well be valid, and asking the user to sign in again would not help.
    #[error("{0}")]
    KeysUnavailable(String),
}

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("tokens can only be minted with an HS256 secret (ACTIONHOST_JWT_SECRET)")]
    NotHs256,
    #[error("cannot encode the token: {0}")]
    Encoding(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("ACTIONHOST_JWT_PUBLIC_KEY is not an RS256 public key in PEM: {0}")]
    BadPublicKey(String),
    #[error("cannot make the HTTP client for ACTIONHOST_JWT_JWKS_URL: {0}")]
    KeySetClient(String),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
}

impl Authenticator {
    /// The identity provider's key set when configured, else RS256 with the public key when
    /// configured, else HS256 with the configured secret or the one generated into the data
    /// dir. The key set is not fetched until [`Authenticator::start`].
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self, AuthSetupError> {
        let authenticator = if let Some(url) = &settings.jwt_jwks_url {
            let source = KeySource::new(
                url.clone(),
                settings.jwks_cooldown,
                settings.jwks_max_age,
                &settings.extra_roots,
            )
            .map_err(|e| AuthSetupError::KeySetClient(e.to_string()))?;
            Self::new(UserKeys::Jwks(Arc::new(source)), None)
        } else if let Some(pem) = &settings.jwt_public_key {
            let pem = if pem.trim_start().starts_with("-----BEGIN") {
                pem.clone()
            } else {
                std::fs::read_to_string(pem)
                    .map_err(|e| AuthSetupError::BadPublicKey(format!("cannot read {pem}: {e}")))?
            };
            let decoding = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|e| AuthSetupError::BadPublicKey(e.to_string()))?;
            Self::new(
                UserKeys::Fixed {
                    decoding,
                    algorithm: Algorithm::RS256,
                },
                None,
            )
        } else {
            let secret = match &settings.jwt_secret {
                Some(secret) => secret.clone(),
                None => {
                    read_or_generate(&settings.data_dir, "jwt.secret", || {
                        crate::credentials::random_token(48)
                    })?
                    .0
                }
            };
            Self::hs256(secret.as_bytes())
        };
        Ok(authenticator.with_claims(settings.jwt_issuer.clone(), settings.jwt_audience.clone()))
    }

    pub fn hs256(secret: &[u8]) -> Self {
        Self::new(
            UserKeys::Fixed {
                decoding: DecodingKey::from_secret(secret),
                algorithm: Algorithm::HS256,
            },
            Some(EncodingKey::from_secret(secret)),
        )
    }

    fn new(keys: UserKeys, encoding: Option<EncodingKey>) -> Self {
        Authenticator {
            keys,
            issuer: None,
            audience: None,
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS),
            encoding,
        }
    }

    /// Requires `iss` and `aud` to be these, when given.
    fn with_claims(mut self, issuer: Option<String>, audience: Option<String>) -> Self {
        self.issuer = issuer;
        self.audience = audience;
        self
    }

    /// Starts fetching the identity provider's key set, when there is one (in the background:
    /// a provider that is down does not keep the host from serving).
    pub fn start(&self) {
        if let UserKeys::Jwks(source) = &self.keys {
            source.start();
        }
    }

    /// The user id of a valid token; the error says what is wrong without echoing the token.
    pub async fn verify(&self, token: &str) -> Result<String, TokenRefused> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(remembered) = self.verified.get(token) {
            let key_trusted = match (&self.keys, &remembered.key) {
                (UserKeys::Jwks(source), Some(thumbprint)) => source.still_trusts(thumbprint),
                _ => true,
            };
            if key_trusted && now <= remembered.exp.saturating_add(LEEWAY_SECONDS) {
                return Ok(remembered.sub);
            }
            self.verified.remove(token);
        }
        let (claims, key) = match &self.keys {
            UserKeys::Fixed {
                decoding,
                algorithm,
            } => {
                signed_header(token, &[*algorithm])?;
                (self.decode(token, decoding, *algorithm)?, None)
            }
            UserKeys::Jwks(source) => {
                let header = signed_header(token, &KEY_SET_ALGORITHMS)?;
                let key = source.key_for(header.kid.as_deref(), header.alg).await?;
                let claims = self.decode(token, &key.decoding, key.algorithm)?;
                (claims, Some(key.thumbprint.clone()))
            }
        };
        let sub = claims.sub.unwrap_or_default();
        if sub.is_empty() || sub.len() > 256 || sub.chars().any(char::is_control) {
            return Err(TokenRefused::Invalid(
                "the token's `sub` must be 1 to 256 printable characters".into(),
            ));
        }
        if let Some(exp) = claims.exp {
            self.verified.insert(
                token.to_string(),
                Remembered {
                    sub: sub.clone(),
                    exp,
                    key,
                },
            );
        }
        Ok(sub)
    }

    /// The checks every mode makes: the signature with `decoding` for `algorithm` only, `exp`,
    /// `nbf`, `sub`, and `iss` and `aud` when configured.
    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        let mut required = vec!["exp", "sub"];
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            // Without a configured audience, a token's `aud` is not looked at.
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    fn decode(
        &self,
        token: &str,
        decoding: &DecodingKey,
        algorithm: Algorithm,
    ) -> Result<Claims, TokenRefused> {
        let validation = self.validation(algorithm);
        match jsonwebtoken::decode::<Claims>(token, decoding, &validation) {
            Ok(data) => Ok(data.claims),
            Err(e) => Err(TokenRefused::Invalid(self.refusal(token, &e, algorithm))),
        }
    }

    /// What is wrong with a token jsonwebtoken refused, in words.
    fn refusal(
        &self,
        token: &str,
        error: &jsonwebtoken::errors::Error,
        algorithm: Algorithm,
    ) -> String {
        use jsonwebtoken::errors::ErrorKind;
        // `iss` and `aud` are checked after the signature, so what the token says is authentic
        // and worth showing beside what was expected.
        let carried = |claim: fn(Claims) -> Option<serde_json::Value>| {
            jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
                .ok()
                .and_then(|data| claim(data.claims))
                .map(|value| match value {
                    serde_json::Value::String(text) => quote(&text),
                    other => crate::quote::truncate(&other.to_string(), 200).to_string(),
                })
                .unwrap_or_else(|| "nothing".into())
        };
        match error.kind() {
            ErrorKind::ExpiredSignature => "the token has expired".to_string(),
            ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".to_string(),
            ErrorKind::InvalidSignature => "the token's signature is not valid".to_string(),
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                format!("the token must be signed with {algorithm:?}")
            }
            ErrorKind::InvalidIssuer => format!(
                "the token's issuer (`iss`) is {}; expected {}",
                carried(|c| c.iss),
                quote(self.issuer.as_deref().unwrap_or_default())
            ),
            ErrorKind::InvalidAudience => format!(
                "the token's audience (`aud`) is {}; expected {}",
                carried(|c| c.aud),
                quote(self.audience.as_deref().unwrap_or_default())
            ),
            ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
                "iss" => format!(
                    "the token has no `iss` claim; expected {}",
                    quote(self.issuer.as_deref().unwrap_or_default())
                ),
                "aud" => format!(
                    "the token has no `aud` claim; expected {}",
                    quote(self.audience.as_deref().unwrap_or_default())
                ),
                _ => format!("the token has no `{claim}` claim"),
            },
            ErrorKind::InvalidClaimFormat(claim) => {
                format!("the token's `{claim}` claim is not valid")
            }
            ErrorKind::InvalidToken
            | ErrorKind::Base64(_)
            | ErrorKind::Json(_)
            | ErrorKind::Utf8(_) => NOT_A_JWT.to_string(),
            _ => format!("the token is not valid ({error})"),
        }
    }

    /// A token for `user` valid for `ttl_seconds` (development and tests).
    pub fn mint(&self, user: &str, ttl_seconds: u64) -> Result<String, MintError> {
        let encoding = self.encoding.as_ref().ok_or(MintError::NotHs256)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| MintError::Encoding(e.to_string()))?
            .as_secs();
        let claims = Claims {
            sub: Some(user.into()),
            exp: Some(now + ttl_seconds),
            iat: Some(now),
            iss: None,
            aud: None,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, encoding)
            .map_err(|e| MintError::Encoding(e.to_string()))
    }
}

const NOT_A_JWT: &str = "the bearer token is not a well-formed JWT";

/// The header of a token signed with one of `accepted`. A header whose `alg` is not a signature
/// algorithm at all (`none`) is refused here, by name.
fn signed_header(token: &str, accepted: &[Algorithm]) -> Result<Header, TokenRefused> {
    let expected = || {
        accepted
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match jsonwebtoken::decode_header(token) {
        Ok(header) if accepted.contains(&header.alg) => Ok(header),
        Ok(header) => Err(TokenRefused::Invalid(format!(
            "the token must be signed with {}, not {:?}",
            expected(),
            header.alg
        ))),
        Err(_) => Err(TokenRefused::Invalid(match header_alg(token) {
            Some(alg) => format!(
                "the token must be signed with {}, not {}",
                expected(),
                quote(&alg)
            ),
            None => NOT_A_JWT.to_string(),
        })),
    }
}

/// The `alg` a token's header names, as text, when jsonwebtoken does not know it.
fn header_alg(token: &str) -> Option<String> {
    use base64::Engine as _;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()?;
    let header: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    header.get("alg")?.as_str().map(str::to_string)
}

/// The operator's key, kept as a digest so comparisons take the same time whatever the input.
pub struct AdminKey {
    digest: [u8; 32],
}

impl AdminKey {
    /// The configured key, or the one generated into the data dir; a freshly generated key is
    /// returned so the caller can print it once.
    pub fn from_settings(
        settings: &crate::config::Settings,
    ) -> Result<(Self, Option<SecretString>), AuthSetupError> {
        if let Some(key) = &settings.admin_key {
            return Ok((Self::new(key), None));
        }
        let (key, generated) = read_or_generate(&settings.data_dir, "admin.key", || {
            crate::credentials::random_token(32)
        })?;
        let shown = generated.then(|| SecretString::new(key.clone()));
        Ok((Self::new(&key), shown))
    }

    pub fn new(key: &str) -> Self {
        AdminKey {
            digest: Sha256::digest(key.as_bytes()).into(),
        }
    }

    pub fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.digest.ct_eq(&presented).into()
    }
}

/// Which user owns each MCP session (the 2025-11-25 revision's `Mcp-Session-Id`): a session id
/// is no use to any other user, whose requests under it are answered as for an unknown session.
pub struct SessionOwners {
    owners: quick_cache::sync::Cache<String, String>,
}

/// Sessions remembered at once; a client whose session was forgotten gets 404 and starts a new
/// one, as the protocol has it do for any session the server ended.
const SESSIONS: usize = 100_000;

impl Default for SessionOwners {
    fn default() -> Self {
        SessionOwners {
            owners: quick_cache::sync::Cache::new(SESSIONS),
        }
    }
}

impl SessionOwners {
    /// Records that `user` opened session `id`.
    pub fn bind(&self, id: &str, user: String) {
        self.owners.insert(id.to_string(), user);
    }

    /// Whether session `id` is known and `user`'s.
    pub fn owned_by(&self, id: &str, user: &str) -> bool {
        self.owners.get(id).as_deref() == Some(user)
    }

    /// Forgets a closed session.
    pub fn forget(&self, id: &str) {
        self.owners.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &[u8] = b"a-secret-of-at-least-thirty-two-bytes!!";

    fn sign(claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    }

    fn refused(message: &str) -> Result<String, TokenRefused> {
        Err(TokenRefused::Invalid(message.into()))
    }

    #[tokio::test]
    async fn a_remembered_token_is_accepted_only_until_its_expiry_and_only_for_its_own_key() {
        let auth = Authenticator::hs256(SECRET);
        let token = auth.mint("alice", 600).unwrap();
        assert_eq!(auth.verify(&token).await.unwrap(), "alice");
        assert_eq!(
            auth.verify(&token).await.unwrap(),
            "alice",
            "answered from memory"
        );
        assert!(auth.verified.get(&token).is_some());

        // A remembered entry past its expiry (and the leeway) is not used: the token is
        // verified again and refused as expired.
        let now = jsonwebtoken::get_current_timestamp();
        let expired = sign(json!({"sub": "alice", "exp": now - LEEWAY_SECONDS - 1}));
        auth.verified.insert(
            expired.clone(),
            Remembered {
                sub: "alice".into(),
                exp: now - LEEWAY_SECONDS - 1,
                key: None,
            },
        );
        assert_eq!(
            auth.verify(&expired).await,
            refused("the token has expired")
        );

        // Another verifier (another key) remembers nothing of the first one's tokens.
        let other = Authenticator::hs256(b"another-secret-of-at-least-32-bytes!!!");
        assert_eq!(
            other.verify(&token).await,
            refused("the token's signature is not valid")
        );
    }

    #[tokio::test]
    async fn issuer_and_audience_are_checked_when_configured_and_say_what_was_expected() {
        let exp = jsonwebtoken::get_current_timestamp() + 600;
        let auth = Authenticator::hs256(SECRET).with_claims(
            Some("https://idp.example".into()),
            Some("https://host.example/mcp".into()),
        );
        let good = sign(
            json!({"sub": "alice", "exp": exp, "iss": "https://idp.example",
                               "aud": ["other", "https://host.example/mcp"]}),
        );
        assert_eq!(auth.verify(&good).await.unwrap(), "alice");
        let cases = [
            (
                json!({"sub": "alice", "exp": exp, "iss": "https://idp.example/", "aud": "https://host.example/mcp"}),
                "the token's issuer (`iss`) is \"https://idp.example/\"; expected \"https://idp.example\"",
            ),
            (
                json!({"sub": "alice", "exp": exp, "aud": "https://host.example/mcp"}),
                "the token has no `iss` claim; expected \"https://idp.example\"",
            ),
            (
                json!({"sub": "alice", "exp": exp, "iss": "https://idp.example", "aud": "https://host.example"}),
                "the token's audience (`aud`) is \"https://host.example\"; expected \"https://host.example/mcp\"",
            ),
            (
                json!({"sub": "alice", "exp": exp, "iss": "https://idp.example"}),
                "the token has no `aud` claim; expected \"https://host.example/mcp\"",
            ),
            (
                json!({"sub": "alice", "exp": exp, "nbf": exp, "iss": "https://idp.example", "aud": "https://host.example/mcp"}),
                "the token is not valid yet (`nbf`)",
            ),
        ];
        for (claims, message) in cases {
            assert_eq!(auth.verify(&sign(claims)).await, refused(message));
        }

        // Same key, another issuer or audience: a token remembered by the first verifier is
        // checked afresh by the second, and refused.
        let elsewhere = Authenticator::hs256(SECRET).with_claims(
            Some("https://idp.example".into()),
            Some("https://elsewhere.example/mcp".into()),
        );
        assert!(auth.verified.get(&good).is_some());
        assert!(matches!(
            elsewhere.verify(&good).await,
            Err(TokenRefused::Invalid(m)) if m.contains("expected \"https://elsewhere.example/mcp\"")
        ));

        // Without a configured audience, `aud` is not looked at.
        let open = Authenticator::hs256(SECRET);
        assert_eq!(open.verify(&good).await.unwrap(), "alice");
    }

    #[test]
    fn only_the_accepted_algorithms_pass_the_header_and_none_is_named() {
        use base64::Engine as _;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let unsigned = format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT"})),
            b64(json!({"sub": "alice", "exp": 4_000_000_000u64}))
        );
        assert_eq!(
            signed_header(&unsigned, &KEY_SET_ALGORITHMS).unwrap_err(),
            TokenRefused::Invalid(
                "the token must be signed with RS256 or ES256, not \"none\"".into()
            )
        );
        let hs256 = sign(json!({"sub": "alice", "exp": 4_000_000_000u64}));
        assert_eq!(
            signed_header(&hs256, &KEY_SET_ALGORITHMS).unwrap_err(),
            TokenRefused::Invalid("the token must be signed with RS256 or ES256, not HS256".into())
        );
        assert_eq!(
            signed_header(&hs256, &[Algorithm::HS256]).unwrap().alg,
            Algorithm::HS256
        );
        assert_eq!(
            signed_header("garbage", &[Algorithm::HS256]).unwrap_err(),
            TokenRefused::Invalid(NOT_A_JWT.into())
        );
    }
}
