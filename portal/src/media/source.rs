//! Where an import finds the files its catalog names. 1C writes relative
//! paths such as `import_files/ab/ab12….jpg`; the files come in the same
//! exchange session (separate `file` calls or a zip), beside the XML in the
//! exchange folder, or inside an uploaded zip.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Files an import may read by the relative path its catalog names.
pub trait FileSource: Sync {
    /// The file's bytes; `None` when it is not there. At most
    /// [`super::MAX_BYTES`] + 1 bytes are read (the rest is refused later).
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>>;
}

/// A path as the catalog writes it, made safe: forward slashes, relative,
/// no `..`; `None` when it cannot be.
pub fn clean(path: &str) -> Option<String> {
    let path = path.trim().replace('\\', "/");
    let path = path.trim_start_matches("./");
    let safe = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(':')
        && path.split('/').all(|part| !part.is_empty() && part != "..");
    safe.then(|| path.to_string())
}

/// No files (an import from a single uploaded file): every picture it names
/// is reported missing.
pub struct NoFiles;

impl FileSource for NoFiles {
    fn read(&self, _path: &str) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }
}

/// Files under a folder (the exchange folder, a directory given to the CLI).
pub struct Folder(pub PathBuf);

impl FileSource for Folder {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(path) = clean(path) else { return Ok(None) };
        let file = match std::fs::File::open(self.0.join(path)) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Internal(format!("reading an attached file: {e}"))),
        };
        let mut bytes = Vec::new();
        file.take(super::MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Internal(format!("reading an attached file: {e}")))?;
        Ok(Some(bytes))
    }
}

/// The files of an uploaded zip, by their path inside it.
pub struct ZipFiles(pub HashMap<String, Vec<u8>>);

impl FileSource for ZipFiles {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(clean(path).and_then(|p| self.0.get(&p).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn paths_are_made_relative_and_safe() {
        assert_eq!(clean("import_files\\ab\\x.jpg").as_deref(), Some("import_files/ab/x.jpg"));
        assert_eq!(clean("./import_files/x.jpg").as_deref(), Some("import_files/x.jpg"));
        assert_eq!(clean("../etc/passwd"), None);
        assert_eq!(clean("/etc/passwd"), None);
        assert_eq!(clean("C:/x.jpg"), None);
        assert_eq!(clean("a//b.jpg"), None);
    }
}
