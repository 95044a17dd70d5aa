//! The local secret store: one `secrets.json` (name → value) readable only by
//! its owner, rewritten atomically on every change so a crash never leaves a
//! half-written file. The file is the truth and is read on every access, so
//! another process's change (`paas keys rotate` beside a running server) is
//! seen at once.
//!
//! A read of a file up to [`READ_HERE_MAX`] runs on the calling task: it
//! takes tens of microseconds, less than handing it to a blocking thread (a
//! cold start would start one thread per secret it loads). A bigger file
//! (tenants' tool secrets add up) is read on a blocking thread, so that no
//! read holds up the async threads for long. Writes, which sync to disk,
//! always run on blocking threads.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;

use super::SecretStore;

const FILE_NAME: &str = "secrets.json";

/// Names per page of [`SecretStore::list`].
const PAGE: usize = 100;

/// The largest file read and parsed on the calling task.
const READ_HERE_MAX: u64 = 16 * 1024;

type Secrets = BTreeMap<String, String>;

pub struct LocalSecrets {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// Serialises this process's read-modify-write cycles.
    writing: Mutex<()>,
}

impl LocalSecrets {
    /// Opens `dir/secrets.json`, creating the directory and an empty file when missing.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(FILE_NAME);
        if path.exists() {
            restrict(&path)?;
            read(&path)?;
        } else {
            write_atomic(&path, &Secrets::new())?;
        }
        Ok(Self { inner: Arc::new(Inner { path, writing: Mutex::new(()) }) })
    }

    /// The whole map: here when the file is small, else on a blocking thread.
    async fn read_all(&self) -> anyhow::Result<Secrets> {
        let path = &self.inner.path;
        let len = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
        if len <= READ_HERE_MAX {
            return read(path);
        }
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || read(&inner.path)).await?
    }

    /// Applies `change` and persists the result off the async threads; `change`
    /// returns false when it changed nothing, which skips the write.
    async fn update(&self, change: impl FnOnce(&mut Secrets) -> bool + Send + 'static) -> anyhow::Result<()> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // The file is replaced whole or not at all, so a poisoned lock still guards consistent data.
            let _writing = inner.writing.lock().unwrap_or_else(PoisonError::into_inner);
            let mut map = read(&inner.path)?;
            if change(&mut map) {
                write_atomic(&inner.path, &map)?;
            }
            Ok(())
        })
        .await?
    }
}

impl fmt::Debug for LocalSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSecrets").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl SecretStore for LocalSecrets {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.read_all().await?.remove(name))
    }

    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()> {
        let (name, value) = (name.to_owned(), value.to_owned());
        self.update(move |map| map.insert(name, value.clone()).is_none_or(|old| old != value)).await
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        let name = name.to_owned();
        self.update(move |map| map.remove(&name).is_some()).await
    }

    /// Names in order; a page's token is its last name.
    async fn list(&self, prefix: &str, page: Option<String>) -> anyhow::Result<(Vec<String>, Option<String>)> {
        let map = self.read_all().await?;
        let start = match &page {
            Some(after) => Bound::Excluded(after.as_str()),
            None => Bound::Included(prefix),
        };
        let names: Vec<String> = map
            .range::<str, _>((start, Bound::Unbounded))
            .map(|(name, _)| name)
            .take_while(|name| name.starts_with(prefix))
            .take(PAGE)
            .cloned()
            .collect();
        let next = (names.len() == PAGE).then(|| names[PAGE - 1].clone());
        Ok((names, next))
    }
}

fn read(path: &Path) -> anyhow::Result<Secrets> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// Writes a temporary file beside `path` (owner-only from its creation), syncs
/// it and renames it over `path`.
fn write_atomic(path: &Path, map: &Secrets) -> anyhow::Result<()> {
    let dir = path.parent().context("secrets file has no directory")?;
    let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", ulid::Ulid::new()));
    let result = (|| {
        let mut file = private_options().write(true).create_new(true).open(&tmp)?;
        file.write_all(&serde_json::to_vec_pretty(map)?)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // Persist the rename itself; directories cannot be opened as files on Windows.
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        anyhow::Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

/// Tightens a file that was created or copied with a broader mode.
#[cfg(unix)]
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .with_context(|| format!("restricting {}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_delete() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        assert_eq!(secrets.get("a").await.unwrap(), None);
        secrets.put("a", "one").await.unwrap();
        assert_eq!(secrets.get("a").await.unwrap().as_deref(), Some("one"));
        secrets.put("a", "two").await.unwrap();
        assert_eq!(secrets.get("a").await.unwrap().as_deref(), Some("two"));
        secrets.delete("a").await.unwrap();
        assert_eq!(secrets.get("a").await.unwrap(), None);
        secrets.delete("a").await.unwrap();
    }

    #[tokio::test]
    async fn lists_names_by_prefix_page_by_page() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        let mut names: Vec<String> = (0..PAGE + 5).map(|i| format!("tenants/a/{i:03}")).collect();
        for name in names.iter().chain(&["tenants/ab".into(), "tenants/".into(), "other".into()]) {
            secrets.put(name, "v").await.unwrap();
        }
        let (first, next) = secrets.list("tenants/a/", None).await.unwrap();
        assert_eq!(first.len(), PAGE);
        let (rest, last) = secrets.list("tenants/a/", next).await.unwrap();
        assert_eq!(last, None);
        names.sort();
        assert_eq!([first, rest].concat(), names, "every name under the prefix, once, and no other");

        crate::secrets::delete_prefixed(&secrets, "tenants/a/").await.unwrap();
        assert_eq!(secrets.list("tenants/a/", None).await.unwrap(), (vec![], None));
        assert_eq!(secrets.list("", None).await.unwrap().0, ["other", "tenants/", "tenants/ab"]);
    }

    #[tokio::test]
    async fn a_big_file_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        let big = "x".repeat(READ_HERE_MAX as usize);
        secrets.put("big", &big).await.unwrap();
        secrets.put("small", "value").await.unwrap();
        assert!(fs::metadata(dir.path().join(FILE_NAME)).unwrap().len() > READ_HERE_MAX);
        assert_eq!(secrets.get("big").await.unwrap(), Some(big));
        assert_eq!(secrets.get("small").await.unwrap().as_deref(), Some("value"));
        assert_eq!(secrets.list("", None).await.unwrap().0, ["big", "small"]);
    }

    #[tokio::test]
    async fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        secrets.put("kept", "value").await.unwrap();
        secrets.put("gone", "value").await.unwrap();
        secrets.delete("gone").await.unwrap();
        drop(secrets);

        let reopened = LocalSecrets::open(dir.path()).unwrap();
        assert_eq!(reopened.get("kept").await.unwrap().as_deref(), Some("value"));
        assert_eq!(reopened.get("gone").await.unwrap(), None);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, [FILE_NAME], "no temporary files are left behind");
    }

    #[tokio::test]
    async fn debug_hides_values() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = LocalSecrets::open(dir.path()).unwrap();
        secrets.put("key", "hunter2").await.unwrap();
        assert!(!format!("{secrets:?}").contains("hunter2"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mode = || fs::metadata(&path).unwrap().permissions().mode() & 0o777;

        let secrets = LocalSecrets::open(dir.path()).unwrap();
        assert_eq!(mode(), 0o600);
        secrets.put("a", "one").await.unwrap();
        assert_eq!(mode(), 0o600);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        LocalSecrets::open(dir.path()).unwrap();
        assert_eq!(mode(), 0o600, "reopening tightens a broader mode");
    }
}
