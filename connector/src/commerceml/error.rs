//! The error of [`super::read`]: what went wrong, where (byte offset and element path), and the
//! sink's own error when it was the sink that stopped the read.
//!
//! Never carries document content beyond element names, so it is safe to log.

use std::fmt;

/// Why a read stopped.
#[derive(Debug)]
pub enum ErrorKind<E> {
    /// Not well-formed XML: bad syntax, mismatched tags, or a truncated file.
    Malformed,
    /// Undecodable bytes, or an encoding label that is not supported.
    Encoding,
    /// The root element is not `КоммерческаяИнформация`, or there is no root element.
    NotCommerceMl,
    /// The input could not be read.
    Io,
    /// The sink returned this error; nothing after that item was read.
    Sink(E),
}

/// A failed read. `position` is a byte offset in the input for UTF-8 files (BOM included); for
/// files in a legacy encoding it is the offset in the UTF-8 text they were decoded to.
#[derive(Debug)]
pub struct ReadError<E = std::convert::Infallible> {
    pub message: String,
    pub position: u64,
    /// Element path, e.g. `КоммерческаяИнформация/Каталог/Товары/Товар[1234]/Наименование`;
    /// `[n]` is the 1-based index among consecutive siblings of that name (always shown on items).
    pub path: String,
    pub kind: ErrorKind<E>,
}

impl<E> ReadError<E> {
    /// The sink's error, if the sink stopped the read.
    pub fn into_sink_error(self) -> Option<E> {
        match self.kind {
            ErrorKind::Sink(e) => Some(e),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommerceML: {} at byte {}", self.message, self.position)?;
        if !self.path.is_empty() {
            write!(f, " in {}", self.path)?;
        }
        if let ErrorKind::Sink(e) = &self.kind {
            write!(f, ": {e}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display + 'static> std::error::Error for ReadError<E> {}
