//! Who is calling: users by JWT (`sub`, `exp` required; HS256 with the configured secret or
//! RS256 with a public key, nothing else — `alg: none` and algorithm confusion are refused),
//! operators by the admin key, compared in constant time. The HTTP extractors that use these
//! live in `api/auth.rs`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::credentials::{SecretString, read_or_generate};

/// Seconds of clock skew tolerated on `exp`.
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
}

/// Verifies (and for HS256, mints) user tokens.
pub struct Authenticator {
    decoding: DecodingKey,
    validation: Validation,
    /// Only with an HS256 secret: RS256 tokens are minted by the operator's identity provider.
    encoding: Option<EncodingKey>,
    /// Tokens already verified: token → (`sub`, `exp`). An agent sends the same token on every
    /// call; checking its signature and parsing it again each time was ~4% of the CPU per
    /// request. An entry is used only until the token's own expiry (plus the leeway).
    verified: quick_cache::sync::Cache<String, (String, u64)>,
}

/// Verified tokens remembered at once.
const VERIFIED_TOKENS: usize = 10_000;

/// Why a user token was refused; the message says what is wrong, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenRefused(pub String);

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
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
}

impl Authenticator {
    /// RS256 with the public key when configured, else HS256 with the configured secret or the
    /// one generated into the data dir.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self, AuthSetupError> {
        if let Some(pem) = &settings.jwt_public_key {
            let pem = if pem.trim_start().starts_with("-----BEGIN") {
                pem.clone()
            } else {
                std::fs::read_to_string(pem)
                    .map_err(|e| AuthSetupError::BadPublicKey(format!("cannot read {pem}: {e}")))?
            };
            let decoding = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|e| AuthSetupError::BadPublicKey(e.to_string()))?;
            return Ok(Self::new(decoding, Algorithm::RS256, None));
        }
        let secret = match &settings.jwt_secret {
            Some(secret) => secret.clone(),
            None => {
                read_or_generate(&settings.data_dir, "jwt.secret", || {
                    crate::credentials::random_token(48)
                })?
                .0
            }
        };
        Ok(Self::hs256(secret.as_bytes()))
    }

    pub fn hs256(secret: &[u8]) -> Self {
        Self::new(
            DecodingKey::from_secret(secret),
            Algorithm::HS256,
            Some(EncodingKey::from_secret(secret)),
        )
    }

    fn new(decoding: DecodingKey, algorithm: Algorithm, encoding: Option<EncodingKey>) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_aud = false;
        Authenticator {
            decoding,
            validation,
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS),
            encoding,
        }
    }

    /// The user id of a valid token; the error says what is wrong without echoing the token.
    pub fn verify(&self, token: &str) -> Result<String, TokenRefused> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some((sub, exp)) = self.verified.get(token)
            && now <= exp.saturating_add(LEEWAY_SECONDS)
        {
            return Ok(sub);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired".to_string(),
                    ErrorKind::InvalidSignature => "the token's signature is not valid".to_string(),
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        format!(
                            "the token must be signed with {:?}",
                            self.validation.algorithms[0]
                        )
                    }
                    ErrorKind::MissingRequiredClaim(claim) => {
                        format!("the token has no `{claim}` claim")
                    }
                    ErrorKind::InvalidToken
                    | ErrorKind::Base64(_)
                    | ErrorKind::Json(_)
                    | ErrorKind::Utf8(_) => "the bearer token is not a well-formed JWT".to_string(),
                    _ => format!("the token is not valid ({e})"),
                };
                TokenRefused(why)
            })?;
        let sub = data.claims.sub.unwrap_or_default();
        if sub.is_empty() || sub.len() > 256 || sub.chars().any(char::is_control) {
            return Err(TokenRefused(
                "the token's `sub` must be 1 to 256 printable characters".into(),
            ));
        }
        if let Some(exp) = data.claims.exp {
            self.verified.insert(token.to_string(), (sub.clone(), exp));
        }
        Ok(sub)
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
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, encoding)
            .map_err(|e| MintError::Encoding(e.to_string()))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_token_is_accepted_only_until_its_expiry_and_only_for_its_own_key() {
        let auth = Authenticator::hs256(b"a-secret-of-at-least-thirty-two-bytes!!");
        let token = auth.mint("alice", 600).unwrap();
        assert_eq!(auth.verify(&token).unwrap(), "alice");
        assert_eq!(
            auth.verify(&token).unwrap(),
            "alice",
            "answered from memory"
        );
        assert!(auth.verified.get(&token).is_some());

        // A remembered entry past its expiry (and the leeway) is not used: the token is
        // verified again and refused as expired.
        let now = jsonwebtoken::get_current_timestamp();
        let header = jsonwebtoken::Header::default();
        let expired = jsonwebtoken::encode(
            &header,
            &Claims {
                sub: Some("alice".into()),
                exp: Some(now - LEEWAY_SECONDS - 1),
                iat: None,
            },
            &EncodingKey::from_secret(b"a-secret-of-at-least-thirty-two-bytes!!"),
        )
        .unwrap();
        auth.verified
            .insert(expired.clone(), ("alice".into(), now - LEEWAY_SECONDS - 1));
        let refused = auth.verify(&expired).unwrap_err();
        assert!(refused.to_string().contains("expired"), "{refused}");

        // Another verifier (another key) remembers nothing of the first one's tokens.
        let other = Authenticator::hs256(b"another-secret-of-at-least-32-bytes!!!");
        assert!(other.verify(&token).is_err());
    }
}
