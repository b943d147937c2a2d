//! Encryption at rest: XChaCha20-Poly1305 under the master key, with the record's key as
//! associated data so a sealed secret cannot be moved to another user's record.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::CredentialError;

const NONCE_LEN: usize = 24;
const KEY_FILE: &str = "master.key";

/// The 32-byte key that encrypts every stored secret.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// The supplied key (never written anywhere), else the one generated into the data dir.
    pub fn load_or_generate(
        supplied: Option<&str>,
        data_dir: &Path,
    ) -> Result<Self, CredentialError> {
        if let Some(text) = supplied {
            return Self::decode(text).map_err(CredentialError::BadMasterKey);
        }
        let (text, _) = super::read_or_generate(data_dir, KEY_FILE, || {
            let mut key = [0u8; 32];
            rand::fill(&mut key);
            STANDARD.encode(key)
        })?;
        Self::decode(&text).map_err(|message| CredentialError::BadKeyFile {
            path: data_dir.join(KEY_FILE).display().to_string(),
            message,
        })
    }

    fn decode(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "not valid base64".to_string())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("decodes to {} bytes, not 32", b.len()))?;
        Ok(MasterKey(key))
    }
}

/// Seals and opens secrets under the master key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub fn new(key: &MasterKey) -> Self {
        Sealer {
            cipher: XChaCha20Poly1305::new((&key.0).into()),
        }
    }

    /// `nonce || ciphertext`, bound to `context` (the record's key).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, CredentialError> {
        if sealed.len() < NONCE_LEN {
            return Err(CredentialError::Unseal);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| CredentialError::Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_the_same_key_and_context() {
        let key = MasterKey::decode(&STANDARD.encode([7u8; 32])).unwrap();
        let other = MasterKey::decode(&STANDARD.encode([8u8; 32])).unwrap();
        let sealed = Sealer::new(&key).seal(b"gho_token", b"alice\0github");
        assert!(!sealed.windows(9).any(|w| w == b"gho_token"));
        assert_eq!(
            Sealer::new(&key).open(&sealed, b"alice\0github").unwrap(),
            b"gho_token"
        );
        assert!(Sealer::new(&key).open(&sealed, b"mallory\0github").is_err());
        assert!(Sealer::new(&other).open(&sealed, b"alice\0github").is_err());
    }

    #[test]
    fn a_master_key_of_the_wrong_length_is_refused_with_its_length() {
        let err = MasterKey::decode(&STANDARD.encode([1u8; 16])).unwrap_err();
        assert_eq!(err, "decodes to 16 bytes, not 32");
    }
}
