//! Input decoding for CommerceML files and the schema version type.
//!
//! Turns raw bytes into the UTF-8 stream the XML parser reads: a UTF-8 BOM is stripped, and a
//! legacy encoding named in the XML declaration (1C and Bitrix write `windows-1251`) is transcoded
//! on the fly with `encoding_rs_io`, so memory stays bounded by the buffers, never the file.
//! Only the first [`PREFIX_LEN`] bytes are looked at to decide. This module must never buffer a
//! whole document and never guess an encoding from content: the BOM and the declaration decide.

use std::fmt;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::str::FromStr;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

/// How many leading bytes are inspected for a BOM and the XML declaration.
pub const PREFIX_LEN: usize = 1024;

/// A CommerceML schema version (`ВерсияСхемы`), compared as numbers: `2.10 > 2.9 > 2.03`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaVersion {
    /// Part before the dot (`2` or `3`).
    pub major: u16,
    /// Part after the dot as a number (`"2.03"` → 3, `"2.10"` → 10).
    pub minor: u16,
}

impl SchemaVersion {
    /// Builds a version from its two numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
}

impl FromStr for SchemaVersion {
    type Err = String;

    /// Parses `"2.10"`, `"2.03"`, `"3.1"`, `" 2.08 "`, `"3"` (minor 0). Anything else is an error.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
        let num = |part: &str| part.trim().parse::<u16>().map_err(|_| format!("bad schema version {s:?}"));
        Ok(Self { major: num(major)?, minor: num(minor)? })
    }
}

impl fmt::Display for SchemaVersion {
    /// Writes the conventional spelling: two minor digits for 2.x (`2.03`, `2.10`), plain otherwise (`3.1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.major == 2 {
            write!(f, "{}.{:02}", self.major, self.minor)
        } else {
            write!(f, "{}.{}", self.major, self.minor)
        }
    }
}

/// What the first bytes say about the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    /// Length of the byte-order mark to skip (0 when there is none).
    pub bom_len: usize,
    /// The encoding to decode with.
    pub encoding: &'static Encoding,
}

/// Decides the encoding from a BOM, else from `encoding="…"` in the XML declaration, else UTF-8.
/// An encoding label `encoding_rs` does not know is an error.
pub(crate) fn sniff(prefix: &[u8]) -> Result<Sniffed, String> {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(Sniffed { bom_len: 3, encoding: UTF_8 });
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(prefix) {
        return Ok(Sniffed { bom_len, encoding });
    }
    let encoding = match declared_encoding(prefix) {
        None => UTF_8,
        Some(label) => match Encoding::for_label(label.as_bytes()) {
            // A declaration we could read as ASCII cannot be UTF-16: trust the bytes.
            Some(e) if e == UTF_16LE || e == UTF_16BE => UTF_8,
            Some(e) => e.output_encoding(),
            None => return Err(format!("unsupported encoding {label:?} in the XML declaration")),
        },
    };
    Ok(Sniffed { bom_len: 0, encoding })
}

/// The `encoding` pseudo-attribute of a leading `<?xml … ?>` declaration, if any.
pub(crate) fn declared_encoding(prefix: &[u8]) -> Option<String> {
    let start = prefix.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = prefix.get(start..)?;
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(rest.get(5..end)?).into_owned();
    let at = decl.find("encoding")?;
    let after = decl.get(at + "encoding".len()..)?.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = after.get(1..)?;
    let close = value.find(quote)?;
    Some(value.get(..close)?.trim().to_string())
}

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

/// The UTF-8 byte stream handed to the XML parser.
pub(crate) enum Decoded<R: BufRead> {
    /// The input already is UTF-8 (BOM skipped): passed through without copying.
    Utf8(Prefixed<R>),
    /// A legacy encoding transcoded to UTF-8 while reading.
    Transcoded(BufReader<DecodeReaderBytes<Prefixed<R>, Vec<u8>>>),
}

impl<R: BufRead> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Utf8(r) => r.read(out),
            Decoded::Transcoded(r) => r.read(out),
        }
    }
}

impl<R: BufRead> BufRead for Decoded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Decoded::Utf8(r) => r.fill_buf(),
            Decoded::Transcoded(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Decoded::Utf8(r) => r.consume(amt),
            Decoded::Transcoded(r) => r.consume(amt),
        }
    }
}

/// Reads at most [`PREFIX_LEN`] leading bytes (without losing them) and wraps `input` so that it
/// yields UTF-8. Returns the stream and the number of source bytes skipped before it (the BOM).
pub(crate) fn open<R: BufRead>(mut input: R) -> Result<(Decoded<R>, u64), String> {
    let mut prefix = Vec::with_capacity(PREFIX_LEN);
    while prefix.len() < PREFIX_LEN {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read error: {e}")),
        };
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len().min(PREFIX_LEN - prefix.len());
        prefix.extend_from_slice(chunk.get(..n).unwrap_or_default());
        input.consume(n);
    }
    let sniffed = sniff(&prefix)?;
    if sniffed.encoding == UTF_8 {
        let mut head = Cursor::new(prefix);
        head.set_position(sniffed.bom_len as u64);
        return Ok((Decoded::Utf8(head.chain(input)), sniffed.bom_len as u64));
    }
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(sniffed.encoding))
        .strip_bom(true)
        .build(Cursor::new(prefix).chain(input));
    Ok((Decoded::Transcoded(BufReader::with_capacity(64 * 1024, decoder)), 0))
}

/// Decodes a byte prefix to text (lossy at a cut multi-byte character), for [`super::detect_kind`].
pub(crate) fn decode_prefix(prefix: &[u8]) -> String {
    match sniff(prefix) {
        Ok(s) => {
            let body = prefix.get(s.bom_len..).unwrap_or_default();
            s.encoding.decode_without_bom_handling(body).0.into_owned()
        }
        Err(_) => String::from_utf8_lossy(prefix).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1251;

    #[test]
    fn versions_compare_as_numbers() {
        let v = |s: &str| s.parse::<SchemaVersion>().expect("ok");
        assert!(v("2.10") > v("2.9"));
        assert!(v("2.9") > v("2.03"));
        assert!(v("2.09") > v("2.08"));
        assert!(v("3.1") > v("2.10"));
        assert_eq!(v("2.03"), SchemaVersion::new(2, 3));
        assert_eq!(v(" 2.08 "), SchemaVersion::new(2, 8));
        assert_eq!(v("3"), SchemaVersion::new(3, 0));
        assert_eq!(v("2.10").to_string(), "2.10");
        assert_eq!(v("2.03").to_string(), "2.03");
        assert_eq!(v("3.1").to_string(), "3.1");
        assert!("x.1".parse::<SchemaVersion>().is_err());
        assert!("".parse::<SchemaVersion>().is_err());
        let mut all = [v("2.10"), v("3.1"), v("2.03"), v("2.9"), v("2.07")];
        all.sort();
        assert_eq!(all.iter().map(|v| v.to_string()).collect::<Vec<_>>(), ["2.03", "2.07", "2.09", "2.10", "3.1"]);
    }

    #[test]
    fn sniffs_bom_and_declaration() {
        let s = sniff(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"windows-1251\"?><a/>").expect("ok");
        assert_eq!(s, Sniffed { bom_len: 3, encoding: UTF_8 });
        let s = sniff(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a/>").expect("ok");
        assert_eq!(s, Sniffed { bom_len: 0, encoding: WINDOWS_1251 });
        let s = sniff(b"  <?xml version='1.0' encoding = 'CP1251' ?>").expect("ok");
        assert_eq!(s.encoding, WINDOWS_1251);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><a/>").expect("ok").encoding, UTF_8);
        assert_eq!(sniff(b"<a/>").expect("ok").encoding, UTF_8);
        assert_eq!(sniff(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>").expect("ok").encoding, UTF_8);
        assert!(sniff(b"<?xml version=\"1.0\" encoding=\"klingon\"?>").is_err());
    }

    #[test]
    fn transcodes_windows_1251_in_small_reads() {
        let (text, _, _) = WINDOWS_1251.encode("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>Привет</a>");
        let (mut dec, skipped) = open(BufReader::with_capacity(3, &text[..])).expect("ok");
        let mut out = String::new();
        dec.read_to_string(&mut out).expect("ok");
        assert_eq!(skipped, 0);
        assert!(out.ends_with("<a>Привет</a>"));
    }

    #[test]
    fn strips_utf8_bom_and_reports_it() {
        let (mut dec, skipped) = open(&b"\xEF\xBB\xBF<a>\xD0\xAF</a>"[..]).expect("ok");
        let mut out = String::new();
        dec.read_to_string(&mut out).expect("ok");
        assert_eq!((out.as_str(), skipped), ("<a>Я</a>", 3));
    }
}
