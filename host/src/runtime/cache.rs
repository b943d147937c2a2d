//! Compiled components cached in the data dir, keyed by the wasm's hash and the engine's
//! compatibility hash, so a restart deserializes (under a millisecond) instead of recompiling (~60 ms+).

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Clone)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
    engine_hash: String,
}

impl ComponentCache {
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        ComponentCache {
            dir,
            engine_hash: format!("{:016x}", hasher.finish()),
        }
    }

    /// The compiled component for `wasm`, from the cache when present.
    pub fn compile(&self, engine: &Engine, wasm: &[u8], hash: &str) -> Result<Component, String> {
        let Some(dir) = &self.dir else {
            return Component::new(engine, wasm)
                .map_err(|e| format!("not a valid component: {e:#}"));
        };
        let path = dir.join(format!("{hash}-{}.cwasm", self.engine_hash));
        // Read into memory rather than `deserialize_file`'s mmap: a cache file truncated or
        // replaced while mapped would kill the whole host with SIGBUS.
        if let Ok(bytes) = std::fs::read(&path) {
            // SAFETY: the file was written by `Component::serialize` of an engine with the same
            // compatibility hash (it is in the file name), in a directory only this host writes;
            // wasmtime checks its header and refuses anything else.
            match unsafe { Component::deserialize(engine, &bytes) } {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!(
                    path = %path.display(),
                    error = %e,
                    "discarding an unreadable compiled component"
                ),
            }
        }
        let component =
            Component::new(engine, wasm).map_err(|e| format!("not a valid component: {e:#}"))?;
        if let Err(e) = write_atomically(dir, &path, &component) {
            tracing::warn!(path = %path.display(), error = %e, "cannot cache a compiled component");
        }
        Ok(component)
    }
}

fn write_atomically(
    dir: &std::path::Path,
    path: &std::path::Path,
    component: &Component,
) -> Result<(), String> {
    let bytes = component.serialize().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    // One temporary file per write: hosts (or runtimes in one process) sharing a cache dir may
    // write the same entry at once; the last rename wins with a whole file either way.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}
