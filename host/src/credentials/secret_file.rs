//! Development secrets generated into the data dir on first start (mode 0600), read back later.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::CredentialError;

/// Returns the content of `dir/name`, creating it with `generate()` (mode 0600) if it is missing.
/// The second value is true when the file was just created.
pub fn read_or_generate(
    dir: &Path,
    name: &str,
    generate: impl FnOnce() -> String,
) -> Result<(String, bool), CredentialError> {
    let path = dir.join(name);
    let io_error = |source| CredentialError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io_error)?;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut file) => {
            let value = generate();
            file.write_all(value.as_bytes()).map_err(io_error)?;
            file.sync_all().map_err(io_error)?;
            Ok((value, true))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let value = std::fs::read_to_string(&path).map_err(io_error)?;
            Ok((value.trim().to_string(), false))
        }
        Err(e) => Err(io_error(e)),
    }
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
