//! Index files shared by several OS users: they take the database file's permission bits, and an
//! index that cannot be read for want of permission is reported, never rebuilt (a rebuild by every
//! user in turn would switch the index pointer back and forth forever).
use anyhow::Error;
use std::io;
use std::path::{Path, PathBuf};
use tantivy::TantivyError;
use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};

/// What to do when an index cannot be opened or brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnOpenError {
    /// Missing or corrupt: build it again from SQLite.
    Rebuild,
    /// Present but not accessible (permission denied, disk error...): report it, do not rebuild.
    Refuse,
}

/// The decision for one I/O error kind: only "missing" and "corrupt" call for a rebuild.
pub fn on_io_error(kind: io::ErrorKind) -> OnOpenError {
    match kind {
        io::ErrorKind::NotFound | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            OnOpenError::Rebuild
        }
        _ => OnOpenError::Refuse,
    }
}

/// The decision for an error from opening or catching up an index: `Refuse` when an I/O error
/// other than "missing/corrupt" is anywhere in its chain (also inside tantivy's errors).
pub fn on_open_error(e: &Error) -> OnOpenError {
    let refused = e
        .chain()
        .any(|c| io_kind(c).is_some_and(|k| on_io_error(k) == OnOpenError::Refuse));
    if refused {
        OnOpenError::Refuse
    } else {
        OnOpenError::Rebuild
    }
}

fn io_kind(c: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    if let Some(e) = c.downcast_ref::<io::Error>() {
        return Some(e.kind());
    }
    if let Some(e) = c.downcast_ref::<IndexAccessDenied>() {
        return Some(e.error.kind());
    }
    let t = c.downcast_ref::<TantivyError>()?;
    match t {
        TantivyError::IoError(e) => Some(e.kind()),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. })
        | TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. })
        | TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. })
        | TantivyError::LockFailure(LockError::IoError(io_error), _) => Some(io_error.kind()),
        _ => None,
    }
}

/// An index file or directory this process may not read or write.
#[derive(Debug)]
pub struct IndexAccessDenied {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for IndexAccessDenied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "running chartdesk".to_string());
        write!(
            f,
            "cannot open index file {} as OS user {user} ({}); the index was left as it is. Let every \
             chartdesk user read and write the data directory (e.g. put them in one group and run \
             'chmod -R g+rwX DATA_DIR'), or run chartdesk as the user who owns it",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for IndexAccessDenied {}

/// Opens every file under `dir` for reading (recursively), so a permission problem is reported
/// with the file's name before tantivy turns it into "the index is unusable". Files that vanish
/// meanwhile (a merge) are fine.
pub fn check_readable(dir: &Path) -> Result<(), IndexAccessDenied> {
    let deny = |path: &Path, error: io::Error| IndexAccessDenied {
        path: path.to_path_buf(),
        error,
    };
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if on_io_error(e.kind()) == OnOpenError::Rebuild => return Ok(()),
        Err(e) => return Err(deny(dir, e)),
    };
    for entry in rd {
        let entry = entry.map_err(|e| deny(dir, e))?;
        let path = entry.path();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let result = if is_dir {
            check_readable(&path)
        } else {
            match std::fs::File::open(&path) {
                Ok(_) => Ok(()),
                Err(e) if on_io_error(e.kind()) == OnOpenError::Rebuild => Ok(()),
                Err(e) => Err(deny(&path, e)),
            }
        };
        result?;
    }
    Ok(())
}

/// The permission bits (0o777) of `reference` (the database file), if it can be read.
pub fn mode_of(reference: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(reference)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = reference;
        None
    }
}

/// A file mode for `mode`: the same bits without execute.
pub fn file_mode(mode: u32) -> u32 {
    mode & 0o666
}

/// A directory mode for `mode`: execute (search) wherever read is allowed.
pub fn dir_mode(mode: u32) -> u32 {
    let m = mode & 0o777;
    m | ((m & 0o444) >> 2)
}

/// Best effort: gives `path` (and, for a directory, everything under it) the bits of `mode` —
/// files `file_mode`, directories `dir_mode`. Files that already have them are left alone (they
/// may belong to another user); failures are logged, not returned.
pub fn share_tree(path: &Path, mode: u32) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        set_mode(path, &meta, dir_mode(mode));
        if let Ok(rd) = std::fs::read_dir(path) {
            for e in rd.flatten() {
                share_tree(&e.path(), mode);
            }
        }
    } else if meta.is_file() {
        set_mode(path, &meta, file_mode(mode));
    }
}

/// Like `share_tree`, but only `path` itself (not what a directory holds).
pub fn share_one(path: &Path, mode: u32) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    let m = if meta.is_dir() {
        dir_mode(mode)
    } else {
        file_mode(mode)
    };
    set_mode(path, &meta, m);
}

/// Best effort: gives the files directly in `dir` the bits of `dir`'s own mode (without execute).
/// Called after every notes index commit, as tantivy writes its files with mode 0600.
pub fn share_files_like_dir(dir: &Path) {
    let Some(mode) = mode_of(dir) else {
        return;
    };
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if let Ok(meta) = std::fs::symlink_metadata(e.path())
                && meta.is_file()
            {
                set_mode(&e.path(), &meta, file_mode(mode));
            }
        }
    }
}

fn set_mode(path: &Path, meta: &std::fs::Metadata, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o777 == mode {
            return;
        }
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::debug!("could not set mode {mode:o} on {}: {e}", path.display());
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, meta, mode);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_missing_or_corrupt_rebuilds() {
        assert_eq!(on_io_error(io::ErrorKind::NotFound), OnOpenError::Rebuild);
        assert_eq!(
            on_io_error(io::ErrorKind::InvalidData),
            OnOpenError::Rebuild
        );
        assert_eq!(
            on_io_error(io::ErrorKind::PermissionDenied),
            OnOpenError::Refuse
        );
        assert_eq!(on_io_error(io::ErrorKind::Other), OnOpenError::Refuse);
    }

    #[test]
    fn permission_denied_inside_tantivy_errors_refuses() {
        let denied = || Arc::new(io::Error::from(io::ErrorKind::PermissionDenied));
        use std::sync::Arc;
        let open_read = TantivyError::OpenReadError(OpenReadError::IoError {
            io_error: denied(),
            filepath: PathBuf::from("meta.json"),
        });
        let e = Error::new(open_read).context("opening the notes index");
        assert_eq!(on_open_error(&e), OnOpenError::Refuse);
        let lock = TantivyError::LockFailure(LockError::IoError(denied()), None);
        assert_eq!(on_open_error(&Error::new(lock)), OnOpenError::Refuse);
        let plain = Error::new(io::Error::from(io::ErrorKind::PermissionDenied)).context("x");
        assert_eq!(on_open_error(&plain), OnOpenError::Refuse);
        let missing = TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(PathBuf::from(
            "meta.json",
        )));
        assert_eq!(on_open_error(&Error::new(missing)), OnOpenError::Rebuild);
        let schema = anyhow::anyhow!("the notes index has another schema");
        assert_eq!(on_open_error(&schema), OnOpenError::Rebuild);
        let denied_access = IndexAccessDenied {
            path: PathBuf::from("meta.json"),
            error: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            on_open_error(&Error::new(denied_access)),
            OnOpenError::Refuse
        );
    }

    #[test]
    fn modes_follow_the_reference() {
        assert_eq!(file_mode(0o664), 0o664);
        assert_eq!(dir_mode(0o664), 0o775);
        assert_eq!(dir_mode(0o600), 0o700);
        assert_eq!(file_mode(0o755), 0o644);
    }
}
