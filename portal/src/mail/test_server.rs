//! A tiny SMTP server for tests: on 127.0.0.1, plain text, no TLS, any AUTH PLAIN
//! accepted. It records what it receives and decodes subjects and bodies the
//! way lettre encodes them, so tests can assert on Cyrillic text. Tests only:
//! it must never be exposed on a real network or relay mail anywhere.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerMode {
    /// Accept every message.
    Accept,
    /// `451` to MAIL FROM: a transient failure.
    TempFail,
    /// `550` to every RCPT TO: a permanent failure.
    RejectRecipients,
    /// `535` to AUTH: wrong credentials.
    RejectAuth,
}

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// MAIL FROM address (without angle brackets).
    pub from: String,
    /// RCPT TO addresses.
    pub to: Vec<String>,
    /// The DATA section with dot-stuffing undone, CRLF line ends kept.
    pub data: String,
    /// The user name from AUTH PLAIN, if the client authenticated.
    pub auth_user: Option<String>,
}

struct Shared {
    mode: Mutex<ServerMode>,
    messages: Mutex<Vec<ReceivedMessage>>,
}

/// A running test server; dropping it stops it and its connections.
pub struct TestSmtpServer {
    /// The port it listens on at 127.0.0.1.
    pub port: u16,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl TestSmtpServer {
    /// Binds 127.0.0.1:0 and starts serving (needs a tokio runtime).
    pub async fn start(mode: ServerMode) -> std::io::Result<TestSmtpServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared { mode: Mutex::new(mode), messages: Mutex::new(Vec::new()) });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(TestSmtpServer { port, shared, task })
    }

    /// The `SMTP_URL` that reaches this server.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Messages accepted so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.shared.messages.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Changes how later commands are answered.
    pub fn set_mode(&self, mode: ServerMode) {
        *self.shared.mode.lock().unwrap_or_else(PoisonError::into_inner) = mode;
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    sessions.spawn(session(stream, shared.clone()));
                }
            }
            Some(_) = sessions.join_next() => {}
        }
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 test.local ESMTP test server\r\n").await?;
    let (mut from, mut to, mut auth_user) = (None::<String>, Vec::new(), None);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_string();
        let (verb, arg) = command.split_once(' ').unwrap_or((&command, ""));
        let mode = *shared.mode.lock().unwrap_or_else(PoisonError::into_inner);
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                (from, to) = (None, Vec::new());
                "250-test.local\r\n250 AUTH PLAIN"
            }
            "HELO" | "RSET" => {
                (from, to) = (None, Vec::new());
                "250 OK"
            }
            "NOOP" => "250 OK",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            "AUTH" if mode == ServerMode::RejectAuth => "535 5.7.8 Authentication credentials invalid",
            "AUTH" if arg.to_ascii_uppercase().starts_with("PLAIN") => {
                let mut response = arg[5..].trim().to_string();
                if response.is_empty() {
                    write.write_all(b"334 \r\n").await?;
                    line.clear();
                    reader.read_until(b'\n', &mut line).await?;
                    response = String::from_utf8_lossy(&line).trim().to_string();
                }
                let decoded = base64_decode(&response).unwrap_or_default();
                auth_user = decoded.split(|b| *b == 0).nth(1).map(|u| String::from_utf8_lossy(u).into_owned());
                "235 2.7.0 Authentication successful"
            }
            "MAIL" if mode == ServerMode::TempFail => "451 4.3.0 Try again later",
            "MAIL" => {
                (from, to) = (Some(address(arg)), Vec::new());
                "250 OK"
            }
            "RCPT" if from.is_none() => "503 5.5.1 MAIL first",
            "RCPT" if mode == ServerMode::RejectRecipients => "550 5.1.1 No such user",
            "RCPT" => {
                to.push(address(arg));
                "250 OK"
            }
            "DATA" if to.is_empty() => "503 5.5.1 RCPT first",
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
                }
                let message = ReceivedMessage {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data: String::from_utf8_lossy(&data).into_owned(),
                    auth_user: auth_user.clone(),
                };
                shared.messages.lock().unwrap_or_else(PoisonError::into_inner).push(message);
                "250 2.0.0 Queued"
            }
            _ => "502 5.5.2 Command not implemented",
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// `FROM:<a@b> SIZE=1` → `a@b`.
fn address(arg: &str) -> String {
    let after_colon = arg.split_once(':').map_or(arg, |(_, rest)| rest).trim();
    after_colon.split_whitespace().next().unwrap_or("").trim_matches(['<', '>']).to_string()
}

impl ReceivedMessage {
    /// The raw value of the first header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }

    /// The Subject header with RFC 2047 encoded-words (B or Q, UTF-8) decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|raw| decode_words(&raw))
    }

    /// The body decoded per Content-Transfer-Encoding (base64, quoted-printable
    /// or as is), as UTF-8 with `\n` line ends.
    pub fn body_text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let encoding = self.header("Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => base64_decode(body).unwrap_or_else(|| body.as_bytes().to_vec()),
            "quoted-printable" => qp_decode(body, false),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

/// Decodes `=?charset?B|Q?…?=` words (charset assumed UTF-8), dropping the
/// whitespace between adjacent words.
pub fn decode_words(raw: &str) -> String {
    let mut out = Vec::new();
    let mut rest = raw;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(after_word && before.trim().is_empty()) {
            out.extend_from_slice(before.as_bytes());
        }
        let word = &rest[start + 2..];
        let parsed = word.split_once('?').and_then(|(_charset, tail)| {
            let (kind, tail) = tail.split_once('?')?;
            let end = tail.find("?=")?;
            let payload = &tail[..end];
            let bytes = match kind {
                "B" | "b" => base64_decode(payload)?,
                "Q" | "q" => qp_decode(payload, true),
                _ => return None,
            };
            Some((bytes, raw.len() - tail.len() + end + 2))
        });
        match parsed {
            Some((bytes, consumed_to)) => {
                out.extend_from_slice(&bytes);
                rest = &raw[consumed_to..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(b"=?");
                rest = word;
                after_word = false;
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64, whitespace ignored; `None` on any other stray character.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Quoted-printable (soft line breaks removed); in header mode `_` is a space.
fn qp_decode(text: &str, header: bool) -> Vec<u8> {
    let (bytes, mut out, mut i) = (text.as_bytes(), Vec::new(), 0);
    while i < bytes.len() {
        let hex =
            |at: usize| bytes.get(at..at + 2).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match bytes[i] {
            b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if bytes[i + 1..].starts_with(b"\n") => i += 2,
            b'=' if hex(i + 1).is_some() => {
                out.extend(hex(i + 1));
                i += 3;
            }
            b'_' if header => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encoded_words_and_bodies() {
        assert_eq!(decode_words("=?utf-8?b?0JfQsNC60LDQtw==?= =?UTF-8?B?IOKEliA1?="), "Заказ № 5");
        assert_eq!(decode_words("Re: =?utf-8?q?=D0=97=D0=B0_1?= x =?bad"), "Re: За 1 x =?bad");
        assert_eq!(qp_decode("a=3Db=\r\nc=ZZ", false), b"a=bc=ZZ");
        assert_eq!(base64_decode("0J/RgNC4\r\n0LLQtdGC").as_deref(), Some("Привет".as_bytes()));
    }
}
