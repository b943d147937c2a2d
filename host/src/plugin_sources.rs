//! Where plugins come from and how they change while the host serves: the bundled ones, the
//! watched `ACTIONHOST_PLUGINS_DIR`, and uploads (`PUT /admin/plugins/{id}`, kept in the data
//! dir on sled, in the database on PostgreSQL, where an upload or deletion on one host is heard
//! by the others and applied at once, [`PluginSources::sync_from_store`]). Later sources override earlier ones with the same id (bundled < file < uploaded). A swap
//! replaces the served `Arc`, so calls in flight finish on the version they started with;
//! compilation happens here, off the request path. A refused component is reported and the
//! version that was serving keeps serving.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::catalog::{PluginRegistry, PluginSource};
use crate::config::Settings;
use crate::observability::metrics::Metrics;
use crate::runtime::{LoadError, LoadedPlugin, Runtime};
use crate::store::{Notice, Store, StoreError, trees};

/// How long file events are collected before acting on them.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The plugin sources of one host: they load, swap and unload plugins in the registry.
pub struct PluginSources {
    settings: Settings,
    store: Store,
    runtime: Arc<Runtime>,
    registry: Arc<PluginRegistry>,
    metrics: Arc<Metrics>,
    files: PluginFiles,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
}

/// Which file serves which plugin id, so a removal unloads the right one; and the hash of what
/// was last read from each file, so an unchanged file is not loaded again.
#[derive(Default)]
struct PluginFiles {
    by_path: Mutex<HashMap<PathBuf, String>>,
    last_hash: Mutex<HashMap<PathBuf, String>>,
}

/// Why an upload or deletion was refused.
#[derive(Debug, thiserror::Error)]
pub enum PluginChangeError {
    #[error("{}", .0.reasons.join("; "))]
    Refused(LoadError),
    #[error("there is no plugin {0:?}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

const DISABLED_PREFIX: &str = "disabled:";
/// On PostgreSQL, an uploaded plugin's bytes: `upload:{id}`.
const UPLOAD_PREFIX: &str = "upload:";

impl PluginSources {
    /// Loads every source (bundled, the plugins dir, uploads) into `registry`, then watches the
    /// plugins dir for changes.
    pub async fn start(
        settings: Settings,
        store: Store,
        runtime: Arc<Runtime>,
        registry: Arc<PluginRegistry>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Self>, WatchError> {
        let sources = Arc::new(PluginSources {
            settings,
            store,
            runtime,
            registry,
            metrics,
            files: PluginFiles::default(),
            watcher: Mutex::new(None),
        });
        sources.load_all_plugins().await;
        sources.watch_store();
        let watcher = watch(&sources)?;
        *sources.watcher.lock().expect("watcher lock") = watcher;
        Ok(sources)
    }

    fn uploads_dir(&self) -> PathBuf {
        self.settings.data_dir.join("plugins")
    }

    async fn disabled(&self, id: &str) -> bool {
        let tree = match self.store.tree(trees::PLUGINS) {
            Ok(tree) => tree,
            Err(_) => return false,
        };
        match tree.contains_key(format!("{DISABLED_PREFIX}{id}")).await {
            Ok(disabled) => disabled,
            Err(e) => {
                tracing::error!(plugin = id, error = %e, "cannot read whether the plugin is disabled; serving it");
                false
            }
        }
    }

    async fn set_disabled(&self, id: &str, disabled: bool) -> Result<(), StoreError> {
        let tree = self.store.tree(trees::PLUGINS)?;
        let key = format!("{DISABLED_PREFIX}{id}");
        if disabled {
            tree.insert(key, b"1".to_vec()).await?;
        } else {
            tree.remove(key).await?;
        }
        tree.flush().await?;
        Ok(())
    }

    /// The uploaded plugins as stored: `(id, bytes)`, by id.
    async fn stored_uploads(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        if self.store.shared() {
            let tree = self.store.tree(trees::PLUGINS)?;
            return Ok(tree
                .scan_prefix(UPLOAD_PREFIX)
                .await?
                .into_iter()
                .map(|(key, bytes)| {
                    let id = String::from_utf8_lossy(&key[UPLOAD_PREFIX.len()..]).into_owned();
                    (id, bytes)
                })
                .collect());
        }
        let mut uploads = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.uploads_dir()) else {
            return Ok(uploads);
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_wasm(p))
            .collect();
        files.sort();
        for path in files {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let id = path
                        .file_stem()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    uploads.push((id, bytes));
                }
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "cannot read an uploaded plugin")
                }
            }
        }
        Ok(uploads)
    }

    async fn read_upload(&self, id: &str) -> Result<Option<Vec<u8>>, PluginChangeError> {
        if self.store.shared() {
            let tree = self.store.tree(trees::PLUGINS)?;
            return Ok(tree.get(format!("{UPLOAD_PREFIX}{id}")).await?);
        }
        let path = self.uploads_dir().join(format!("{id}.wasm"));
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(PluginChangeError::Io(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    async fn write_upload(&self, id: &str, bytes: &[u8]) -> Result<(), PluginChangeError> {
        if self.store.shared() {
            let tree = self.store.tree(trees::PLUGINS)?;
            tree.insert(format!("{UPLOAD_PREFIX}{id}"), bytes.to_vec())
                .await?;
            return Ok(());
        }
        let dir = self.uploads_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| PluginChangeError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(format!("{id}.wasm"));
        let tmp = dir.join(format!(".{id}.wasm.tmp"));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| PluginChangeError::Io(format!("cannot store the plugin: {e}")))
    }

    async fn remove_upload(&self, id: &str) -> Result<(), PluginChangeError> {
        if self.store.shared() {
            let tree = self.store.tree(trees::PLUGINS)?;
            tree.remove(format!("{UPLOAD_PREFIX}{id}")).await?;
            return Ok(());
        }
        let path = self.uploads_dir().join(format!("{id}.wasm"));
        std::fs::remove_file(&path)
            .map_err(|e| PluginChangeError::Io(format!("cannot remove {}: {e}", path.display())))
    }

    /// Tells the other hosts sharing the store that the uploads or disabled flags changed.
    async fn tell_others(&self) {
        if let Err(e) = self.store.publish(&Notice::Plugins).await {
            tracing::warn!(error = %e, "cannot tell the other hosts of a plugin change");
        }
    }

    /// Makes what this host serves from uploads and bundled plugins match the store, after
    /// another host changed it: a new or changed upload is loaded, a deleted one unloaded (its
    /// bundled version serves again unless disabled), a bundled plugin disabled is removed.
    pub async fn sync_from_store(self: &Arc<Self>) {
        let uploads = match self.stored_uploads().await {
            Ok(uploads) => uploads,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the uploaded plugins; keeping what serves");
                return;
            }
        };
        let stored: HashMap<&str, &Vec<u8>> =
            uploads.iter().map(|(id, b)| (id.as_str(), b)).collect();
        for (id, bytes) in &uploads {
            let serving = self.registry.get(id);
            let same = serving.as_ref().is_some_and(|p| {
                p.source == PluginSource::Uploaded
                    && p.loaded.hash == crate::runtime::sha256_hex(bytes)
            });
            if !same {
                self.load(&format!("{id}.wasm"), bytes, PluginSource::Uploaded)
                    .await;
            }
        }
        for plugin in self.registry.plugins() {
            let id = plugin.loaded.info.id.clone();
            if plugin.source == PluginSource::Uploaded && !stored.contains_key(id.as_str()) {
                self.unload(&id, PluginSource::Uploaded).await;
            }
        }
        for (file, bytes) in crate::bundled::PLUGINS {
            let id = file.trim_end_matches(".wasm");
            match self.registry.source_of(id) {
                Some(PluginSource::Bundled) if self.disabled(id).await => {
                    if let Some(old) = self.registry.remove(id) {
                        self.metrics
                            .plugin_serving(id, Some(&old.loaded.info.version), None);
                    }
                    tracing::info!(plugin = id, "bundled plugin disabled on another host");
                }
                None => self.load_bundled(file, bytes).await,
                _ => {}
            }
        }
    }

    /// Applies the other hosts' plugin changes as they are told, and everything again after a
    /// lost connection to the database (a notice may have been missed).
    fn watch_store(self: &Arc<Self>) {
        if !self.store.shared() {
            return;
        }
        let mut notices = self.store.notices();
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let notice = notices.recv().await;
                let Some(this) = this.upgrade() else { return };
                match notice {
                    Ok(Notice::Plugins | Notice::Resync) | Err(RecvError::Lagged(_)) => {
                        this.sync_from_store().await
                    }
                    Ok(Notice::Account(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Loads every source at start-up: bundled, then the plugins dir, then uploads.
    async fn load_all_plugins(self: &Arc<Self>) {
        for (file, bytes) in crate::bundled::PLUGINS {
            self.load_bundled(file, bytes).await;
        }
        if let Some(dir) = self.settings.plugins_dir.clone() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_else(|e| {
                    tracing::error!(dir = %dir.display(), error = %e, "cannot read the plugins dir");
                    Vec::new()
                });
            files.sort();
            for path in files.into_iter().filter(|p| is_wasm(p)) {
                self.load_file(&path).await;
            }
        }
        let uploads = match self.stored_uploads().await {
            Ok(uploads) => uploads,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the uploaded plugins");
                Vec::new()
            }
        };
        // Uploads are named by their unique id, so they load in parallel.
        let loads: Vec<_> = uploads
            .into_iter()
            .map(|(id, bytes)| {
                let state = self.clone();
                tokio::spawn(async move {
                    state
                        .load(&format!("{id}.wasm"), &bytes, PluginSource::Uploaded)
                        .await;
                })
            })
            .collect();
        for load in loads {
            if let Err(e) = load.await {
                tracing::error!(error = %e, "loading an uploaded plugin failed");
            }
        }
    }

    async fn load_bundled(&self, file: &str, bytes: &[u8]) {
        let id = file.trim_end_matches(".wasm");
        if self.disabled(id).await {
            tracing::info!(plugin = id, "bundled plugin is disabled by an operator");
            return;
        }
        self.load(file, bytes, PluginSource::Bundled).await;
    }

    /// Loads (or reloads) one file of the plugins dir.
    pub async fn load_file(self: &Arc<Self>, path: &Path) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(file = %path.display(), error = %e, "cannot read a plugin file");
                return;
            }
        };
        let hash = crate::runtime::sha256_hex(&bytes);
        let previous = self
            .files
            .last_hash
            .lock()
            .expect("plugin files")
            .insert(path.to_path_buf(), hash.clone());
        if previous.as_deref() == Some(hash.as_str()) {
            tracing::debug!(file = %name, "plugin file unchanged; not reloaded");
            return;
        }
        let plugin = match self.runtime.load(&bytes, self.settings.call_limits).await {
            Ok(plugin) => plugin,
            Err(error) => {
                tracing::error!(file = %name, reasons = ?error.reasons, "refused plugin file {name}; the serving version stays");
                self.metrics.plugin_load(&name, "refused");
                self.registry.record_failure(
                    &name,
                    PluginSource::File,
                    crate::runtime::sha256_hex(&bytes),
                    error.reasons.join("; "),
                );
                return;
            }
        };
        let id = plugin.info.id.clone();
        let taken_by = self
            .files
            .by_path
            .lock()
            .expect("plugin files")
            .iter()
            .find(|(other, other_id)| *other != path && **other_id == id)
            .map(|(other, _)| other.clone());
        if let Some(other) = taken_by {
            let reason = format!(
                "plugin id {id:?} is already served by {}",
                other
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            );
            tracing::error!(file = %name, "refused plugin file {name}: {reason}");
            self.registry.record_failure(
                &name,
                PluginSource::File,
                crate::runtime::sha256_hex(&bytes),
                reason,
            );
            // Not the content's fault: the same bytes are tried again at the next change.
            self.forget_hash(path);
            return;
        }
        if self.registry.source_of(&id) == Some(PluginSource::Uploaded) {
            tracing::warn!(plugin = %id, file = %name, "an uploaded version of this plugin takes precedence over the file");
            self.forget_hash(path);
            return;
        }
        let previous_id = self
            .files
            .by_path
            .lock()
            .expect("plugin files")
            .insert(path.to_path_buf(), id.clone());
        if let Some(previous) = previous_id.filter(|p| *p != id) {
            self.unload(&previous, PluginSource::File).await;
        }
        self.registry.clear_failure(&name);
        self.serve(plugin, PluginSource::File, &name).await;
    }

    /// `<id>.policy.toml` was written or removed: serve the same version of `id` again under the
    /// policy now in force (an invalid file is logged and ignored, as at load).
    async fn policy_changed(self: &Arc<Self>, id: &str) {
        let Some(source) = self.registry.source_of(id) else {
            return;
        };
        tracing::info!(plugin = id, "policy file changed; applying it");
        match source {
            PluginSource::File => {
                if let Some(path) = self.file_serving(id) {
                    self.forget_hash(&path);
                    self.load_file(&path).await;
                }
            }
            PluginSource::Uploaded => match self.read_upload(id).await {
                Ok(Some(bytes)) => {
                    self.load(&format!("{id}.wasm"), &bytes, PluginSource::Uploaded)
                        .await;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(plugin = id, error = %e, "cannot read the uploaded plugin")
                }
            },
            PluginSource::Bundled => {
                if let Some((file, bytes)) = crate::bundled::PLUGINS
                    .iter()
                    .find(|(f, _)| f.trim_end_matches(".wasm") == id)
                {
                    self.load_bundled(file, bytes).await;
                }
            }
        }
    }

    /// The file of the plugins dir that serves `id`, if one does.
    fn file_serving(&self, id: &str) -> Option<PathBuf> {
        self.files
            .by_path
            .lock()
            .expect("plugin files")
            .iter()
            .find(|(_, served)| served.as_str() == id)
            .map(|(path, _)| path.clone())
    }

    fn forget_hash(&self, path: &Path) {
        self.files
            .last_hash
            .lock()
            .expect("plugin files")
            .remove(path);
    }

    /// The operator's policy for `id`: `<id>.policy.toml` beside the plugin files wins over
    /// `[plugins.<id>]`.
    fn policy_for(&self, id: &str) -> Option<crate::policy::PluginPolicy> {
        let from_file = match &self.settings.plugins_dir {
            Some(dir) => crate::policy::PluginPolicy::from_file(dir, id).unwrap_or_else(|e| {
                tracing::error!(plugin = %id, error = %e, "ignoring an invalid policy file");
                None
            }),
            None => None,
        };
        from_file.or_else(|| self.settings.plugin_policies.get(id).cloned())
    }

    /// Loads one component and serves it, or records why it was refused; the log says which.
    pub async fn load(&self, name: &str, bytes: &[u8], source: PluginSource) -> bool {
        match self.runtime.load(bytes, self.settings.call_limits).await {
            Ok(plugin) => {
                self.serve(plugin, source, name).await;
                true
            }
            Err(error) => {
                tracing::error!(file = name, reasons = ?error.reasons, "refused plugin {name}");
                let key = error.plugin_id.clone().unwrap_or_else(|| name.to_string());
                self.metrics.plugin_load(&key, "refused");
                self.registry.record_failure(
                    &key,
                    source,
                    crate::runtime::sha256_hex(bytes),
                    error.reasons.join("; "),
                );
                false
            }
        }
    }

    /// Serves a validated plugin, logging a load or a swap. Its validators are compiled and
    /// its tools rendered on the blocking pool. A plugin that takes a bundled plugin's id is
    /// the operator's decision, but a visible one: warned about with both hashes and shown in
    /// `GET /admin/plugins`, since it inherits every user's credentials for that id.
    /// The operator's policy for its id narrows it, and its admission gates are made here.
    async fn serve(&self, mut plugin: LoadedPlugin, source: PluginSource, name: &str) {
        let policy = self.policy_for(&plugin.info.id);
        if let Some(policy) = &policy {
            for ignored in policy.apply(&mut plugin, self.settings.call_limits) {
                tracing::warn!(plugin = %plugin.info.id, "policy entry ignored: {ignored}");
            }
            tracing::info!(plugin = %plugin.info.id, policy = ?policy, "policy applied");
        }
        let gates = Arc::new(crate::policy::Gates::new(
            policy.as_ref(),
            self.settings.max_concurrent_calls,
        ));
        let (id, version, actions) = (
            plugin.info.id.clone(),
            plugin.info.version.clone(),
            plugin.actions.len(),
        );
        let replaced = (source != PluginSource::Bundled)
            .then(|| bundled_version_of(&id))
            .flatten();
        if let Some(bundled) = &replaced {
            tracing::warn!(
                plugin = %id, file = name, bundled_hash = %bundled.hash, hash = %plugin.hash,
                "plugin {id} from {name} replaces the bundled plugin {id}: it serves every user's stored {id} credentials"
            );
        }
        let prepared = {
            let source = source.clone();
            tokio::task::spawn_blocking(move || {
                let mut prepared =
                    crate::catalog::CatalogPlugin::prepare(plugin, source, policy, gates);
                prepared.replaces_bundled = replaced;
                prepared
            })
            .await
        };
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                tracing::error!(plugin = %id, error = %e, "preparing plugin {id} failed");
                return;
            }
        };
        let old = self.registry.insert(prepared);
        self.metrics
            .plugin_load(&id, if old.is_some() { "swapped" } else { "loaded" });
        self.metrics.plugin_serving(
            &id,
            old.as_ref().map(|o| o.loaded.info.version.as_str()),
            Some(&version),
        );
        match old {
            Some(old) => tracing::info!(
                plugin = %id, file = name, from = %old.loaded.info.version, to = %version,
                "swapped plugin {id} {} -> {version} ({actions} actions)", old.loaded.info.version
            ),
            None => {
                tracing::info!(plugin = %id, file = name, source = ?source, "loaded plugin {id} {version} ({actions} actions)")
            }
        }
    }

    /// Unloads `id` if `source` is what serves it, falling back to the bundled version.
    async fn unload(&self, id: &str, source: PluginSource) {
        if self.registry.source_of(id) != Some(source) {
            return;
        }
        if let Some(old) = self.registry.remove(id) {
            self.metrics.plugin_load(id, "unloaded");
            self.metrics
                .plugin_serving(id, Some(&old.loaded.info.version), None);
        }
        tracing::info!(plugin = id, "unloaded plugin {id}");
        if let Some((file, bytes)) = crate::bundled::PLUGINS
            .iter()
            .find(|(f, _)| f.trim_end_matches(".wasm") == id)
        {
            self.load_bundled(file, bytes).await;
        }
    }

    /// A file of the plugins dir was removed.
    pub async fn file_removed(&self, path: &Path) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        self.registry.clear_failure(&name);
        self.files
            .last_hash
            .lock()
            .expect("plugin files")
            .remove(path);
        let id = self
            .files
            .by_path
            .lock()
            .expect("plugin files")
            .remove(path);
        if let Some(id) = id {
            self.unload(&id, PluginSource::File).await;
        }
    }

    /// `PUT /admin/plugins/{id}`: validates, stores the bytes in the data dir and serves them.
    pub async fn upload(&self, id: &str, bytes: &[u8]) -> Result<(), PluginChangeError> {
        let plugin = self
            .runtime
            .load(bytes, self.settings.call_limits)
            .await
            .map_err(|e| {
                self.metrics.plugin_load(id, "refused");
                PluginChangeError::Refused(e)
            })?;
        if plugin.info.id != id {
            self.metrics.plugin_load(id, "refused");
            return Err(PluginChangeError::Refused(LoadError {
                plugin_id: Some(plugin.info.id.clone()),
                reasons: vec![format!(
                    "the component declares id {:?}, not {id:?}",
                    plugin.info.id
                )],
            }));
        }
        self.write_upload(id, bytes).await?;
        self.set_disabled(id, false).await?;
        self.serve(plugin, PluginSource::Uploaded, &format!("{id}.wasm"))
            .await;
        self.tell_others().await;
        Ok(())
    }

    /// `DELETE /admin/plugins/{id}`: unloads it and keeps it unloaded across restarts.
    pub async fn delete(&self, id: &str) -> Result<(), PluginChangeError> {
        let Some(source) = self.registry.source_of(id) else {
            return Err(PluginChangeError::NotFound(id.to_string()));
        };
        match source {
            PluginSource::Uploaded => self.remove_upload(id).await?,
            PluginSource::File => {
                if let Some(path) = self.file_serving(id) {
                    self.files
                        .by_path
                        .lock()
                        .expect("plugin files")
                        .remove(&path);
                    self.files
                        .last_hash
                        .lock()
                        .expect("plugin files")
                        .remove(&path);
                    std::fs::remove_file(&path).map_err(|e| {
                        PluginChangeError::Io(format!("cannot remove {}: {e}", path.display()))
                    })?;
                }
            }
            PluginSource::Bundled => {}
        }
        // Whatever served it, a bundled plugin with this id stays off until it is PUT again.
        if crate::bundled::PLUGINS
            .iter()
            .any(|(f, _)| f.trim_end_matches(".wasm") == id)
        {
            self.set_disabled(id, true).await?;
        }
        self.registry.remove(id);
        tracing::info!(plugin = id, "plugin deleted by an operator");
        self.tell_others().await;
        Ok(())
    }
}

/// The bundled plugin with id `id`, if there is one: what an operator's plugin replaces.
fn bundled_version_of(id: &str) -> Option<crate::catalog::ReplacedBundled> {
    let (_, bytes) = crate::bundled::PLUGINS
        .iter()
        .find(|(file, _)| file.trim_end_matches(".wasm") == id)?;
    Some(crate::catalog::ReplacedBundled {
        hash: crate::runtime::sha256_hex(bytes),
    })
}

fn is_wasm(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "wasm") && path.is_file()
}

/// The plugin id of a `<id>.policy.toml` path.
fn policy_file_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_suffix(".policy.toml")?;
    crate::manifest::is_integration_id(id).then(|| id.to_string())
}

/// How long a file may go without events before it is taken as completely written when no
/// close-after-write was seen (a writer that does not close, platforms without that event).
const SETTLE: Duration = Duration::from_secs(2);

/// What an event says about a file of the plugins dir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileChange {
    /// Still being written: wait for the writer to close it, or for it to settle.
    Writing,
    /// Complete (closed after writing, moved in) or gone: act after the debounce.
    Done,
}

/// Events that change a file's content or presence; reads (open, close without writing) and
/// metadata changes are not changes, or every read of a plugin would reload it.
fn classify(kind: &notify::EventKind) -> Option<FileChange> {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(FileChange::Done),
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
            Some(FileChange::Writing)
        }
        EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => Some(FileChange::Done),
        _ => None,
    }
}

/// Why the plugins dir cannot be watched.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {dir}: {source}")]
pub struct WatchError {
    dir: PathBuf,
    source: notify::Error,
}

/// Watches the plugins dir and applies changes until the sources are dropped: a file is loaded once
/// it is completely written (closed after writing, moved in, or quiet for [`SETTLE`]), and only
/// when its content differs from what was last loaded or refused from it.
fn watch(state: &Arc<PluginSources>) -> Result<Option<notify::RecommendedWatcher>, WatchError> {
    use notify::Watcher;
    let Some(dir) = state.settings.plugins_dir.clone() else {
        return Ok(None);
    };
    let failed = |source| WatchError {
        dir: dir.clone(),
        source,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(PathBuf, FileChange)>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let Some(change) = classify(&event.kind) else {
            return;
        };
        for path in event.paths {
            if path.extension().is_some_and(|e| e == "wasm") || policy_file_id(&path).is_some() {
                let _ = tx.send((path, change));
            }
        }
    })
    .map_err(failed)?;
    watcher
        .watch(&dir, notify::RecursiveMode::NonRecursive)
        .map_err(failed)?;
    let weak = Arc::downgrade(state);
    tokio::spawn(async move {
        // Path → (is it complete, when its last event came).
        let mut pending: HashMap<PathBuf, (FileChange, tokio::time::Instant)> = HashMap::new();
        loop {
            let next_due = pending
                .values()
                .map(|(change, at)| {
                    *at + match change {
                        FileChange::Done => DEBOUNCE,
                        FileChange::Writing => SETTLE,
                    }
                })
                .min();
            let event = match next_due {
                Some(due) => tokio::select! {
                    event = rx.recv() => event.map(Some),
                    () = tokio::time::sleep_until(due) => Some(None),
                },
                None => rx.recv().await.map(Some),
            };
            match event {
                None => break,
                Some(Some((path, change))) => {
                    let now = tokio::time::Instant::now();
                    let entry = pending.entry(path).or_insert((change, now));
                    // A write after a close starts a new write.
                    *entry = (change, now);
                }
                Some(None) => {}
            }
            let now = tokio::time::Instant::now();
            let mut due: Vec<PathBuf> = pending
                .iter()
                .filter(|(_, (change, at))| match change {
                    FileChange::Done => now >= *at + DEBOUNCE,
                    FileChange::Writing => now >= *at + SETTLE,
                })
                .map(|(path, _)| path.clone())
                .collect();
            due.sort();
            for path in &due {
                pending.remove(path);
            }
            let Some(state) = weak.upgrade() else { break };
            for path in due {
                if let Some(id) = policy_file_id(&path) {
                    state.policy_changed(&id).await;
                } else if path.is_file() {
                    state.load_file(&path).await;
                } else {
                    state.file_removed(&path).await;
                }
            }
        }
    });
    tracing::info!(dir = %dir.display(), "watching the plugins dir");
    Ok(Some(watcher))
}
