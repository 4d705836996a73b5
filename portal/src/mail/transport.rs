//! Delivers one rendered email: over SMTP (lettre, blocking, short timeout) or,
//! when no SMTP server is configured, as an `.eml` file in a folder. Classifies
//! failures as temporary (retry later) or permanent. It must never leak the SMTP
//! password into errors or `Debug` output, and never retries by itself: the
//! caller's outbox owns retries.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport as _};

use super::RenderedEmail;

/// How long one SMTP connection attempt or reply may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything that can go wrong rendering or delivering an email.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No template of this kind.
    #[error("unknown email template `{0}`")]
    UnknownTemplate(String),
    /// A sender or recipient address that does not parse.
    #[error("bad email address: {0}")]
    BadAddress(String),
    /// Misconfiguration: bad SMTP URL, TLS setup, no usable AUTH mechanism, broken template.
    #[error("mail configuration: {0}")]
    Config(String),
    /// temporary: worth retrying (connection refused, timeout, 4xx reply, TLS or network trouble)
    #[error("temporary mail failure: {0}")]
    Temporary(String),
    /// permanent: retrying will not help (e.g. 5xx rejection of the recipient)
    #[error("mail rejected: {0}")]
    Permanent(String),
    /// Writing the `.eml` file failed (disk full, permissions).
    #[error("mail file: {0}")]
    Io(String),
}

impl MailError {
    /// Whether a later retry may succeed: `Temporary`, and `Io` (a full disk or a
    /// permission problem is usually fixed by an operator, not by the message).
    pub fn is_temporary(&self) -> bool {
        matches!(self, MailError::Temporary(_) | MailError::Io(_))
    }
}

/// One message ready to go. `from`/`to` are RFC 5322 mailboxes
/// (`"Оптовик <noreply@example.com>"` or a bare address); `message_id` should be
/// stable per outbox row (`<…@…>`; angle brackets optional) so re-sends are
/// recognisable and overwrite the same `.eml` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
}

impl Envelope {
    /// An envelope for a rendered template.
    pub fn new(
        from: impl Into<String>,
        to: impl Into<String>,
        email: RenderedEmail,
        message_id: impl Into<String>,
    ) -> Self {
        Envelope {
            from: from.into(),
            to: to.into(),
            subject: email.subject,
            body: email.body,
            message_id: message_id.into(),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://` (default, port 587): STARTTLS, refusing to continue without it.
    StartTls,
    /// `smtp://…?tls=opportunistic` (port 587): STARTTLS when the server offers it.
    Opportunistic,
    /// `smtps://` (port 465): TLS from the first byte.
    Implicit,
    /// `smtp://…?tls=none` (port 25): plain text, for local relays and tests.
    None,
}

/// A configured SMTP relay. `Debug` shows the host, port, security and user,
/// never the password.
#[derive(Clone)]
pub struct SmtpRelay {
    transport: SmtpTransport,
    host: String,
    port: u16,
    security: Security,
    user: Option<String>,
    has_password: bool,
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &if self.has_password { "***" } else { "(none)" })
            .finish()
    }
}

/// Where emails go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP relay.
    Smtp(Box<SmtpRelay>),
    /// `.eml` files in this folder (no SMTP configured).
    Files(PathBuf),
}

impl Transport {
    /// `SMTP_URL` style: "smtp://user:pass@host:port" (STARTTLS required; add
    /// `?tls=opportunistic` to allow plain text when the server offers no STARTTLS),
    /// "smtps://…" (implicit TLS), "smtp://host:port?tls=none" for plain (local
    /// relays, tests). User and password are percent-decoded; a path
    /// ("smtp://host/portal.example.com") sets the EHLO name. Without a URL (or
    /// with an empty one): Files(dir).
    pub fn from_url(url: Option<&str>, files_dir: &Path) -> Result<Transport, MailError> {
        match url.map(str::trim).filter(|url| !url.is_empty()) {
            None => Ok(Transport::Files(files_dir.to_path_buf())),
            Some(url) => Ok(Transport::Smtp(Box::new(parse_smtp_url(url)?))),
        }
    }

    /// Blocking send (the caller runs it off the async runtime). Connection refused / timeouts / 4xx → Temporary.
    pub fn send(&self, envelope: &Envelope) -> Result<(), MailError> {
        let message = build_message(envelope)?;
        match self {
            Transport::Smtp(relay) => relay.transport.send(&message).map(|_| ()).map_err(classify),
            Transport::Files(dir) => write_file(dir, &eml_file_name(&envelope.message_id), &message.formatted()),
        }
    }
}

/// The file name the `Files` transport uses for a message id: the id without
/// angle brackets, anything but `[A-Za-z0-9._@+=-]` replaced by `_`, plus `.eml`.
pub fn eml_file_name(message_id: &str) -> String {
    let id = message_id.trim().trim_start_matches('<').trim_end_matches('>');
    let mut name: String =
        id.chars().take(200).map(|c| if c.is_ascii_alphanumeric() || "._@+=-".contains(c) { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    name + ".eml"
}

fn parse_smtp_url(raw: &str) -> Result<SmtpRelay, MailError> {
    let url = url::Url::parse(raw).map_err(|e| MailError::Config(format!("SMTP URL does not parse: {e}")))?;
    let mut security = match url.scheme() {
        "smtp" => Security::StartTls,
        "smtps" => Security::Implicit,
        other => return Err(MailError::Config(format!("SMTP URL scheme must be smtp or smtps, not `{other}`"))),
    };
    for (key, value) in url.query_pairs() {
        security = match (key.as_ref(), value.as_ref(), security) {
            ("tls", "required", Security::StartTls) => Security::StartTls,
            ("tls", "opportunistic", Security::StartTls) => Security::Opportunistic,
            ("tls", "none", Security::StartTls) => Security::None,
            _ => return Err(MailError::Config(format!("unsupported SMTP URL parameter `{key}={value}`"))),
        };
    }
    let host = match url.host() {
        Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(MailError::Config("SMTP URL has no host".to_string())),
    };
    let port = url.port().unwrap_or(match security {
        Security::StartTls | Security::Opportunistic => 587,
        Security::Implicit => 465,
        Security::None => 25,
    });
    let mut builder = SmtpTransport::builder_dangerous(host.as_str()).port(port).timeout(Some(SMTP_TIMEOUT));
    if security != Security::None {
        let params = TlsParameters::new(host.clone()).map_err(|e| MailError::Config(format!("SMTP TLS setup: {e}")))?;
        builder = builder.tls(match security {
            Security::Opportunistic => Tls::Opportunistic(params),
            Security::Implicit => Tls::Wrapper(params),
            _ => Tls::Required(params),
        });
    }
    let hello = url.path().trim_matches('/');
    if !hello.is_empty() {
        builder = builder.hello_name(ClientId::Domain(hello.to_string()));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| MailError::Config("SMTP URL user or password is not valid UTF-8".to_string()))
    };
    let user = decode(url.username())?;
    let password = decode(url.password().unwrap_or(""))?;
    let has_password = url.password().is_some();
    if !user.is_empty() || has_password {
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    let user = Some(user).filter(|u| !u.is_empty());
    Ok(SmtpRelay { transport: builder.build(), host, port, security, user, has_password })
}

/// Turns lettre's SMTP error into ours. Its text carries server replies and I/O
/// errors, never credentials. A permanent `53x` (authentication required or
/// rejected) is the relay's configuration, not this message's fault: `Config`.
fn classify(error: lettre::transport::smtp::Error) -> MailError {
    let auth_rejected = error.status().is_some_and(|code| code.to_string().starts_with("53"));
    if error.is_permanent() && auth_rejected {
        MailError::Config(format!("SMTP authentication: {error}"))
    } else if error.is_permanent() {
        MailError::Permanent(error.to_string())
    } else if error.is_client() {
        MailError::Config(error.to_string())
    } else {
        MailError::Temporary(error.to_string())
    }
}

/// `<left@right>` from whatever the caller passed: characters outside RFC 5322
/// `atext` become `_`, a missing right part becomes `optovik.local`.
fn normalize_message_id(raw: &str) -> Result<String, MailError> {
    let id = raw.trim().trim_start_matches('<').trim_end_matches('>');
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) { c } else { '_' })
            .collect()
    };
    let (left, right) = id.rsplit_once('@').unwrap_or((id, ""));
    let (left, right) = (clean(left), clean(right));
    if left.is_empty() {
        return Err(MailError::Config("empty Message-ID".to_string()));
    }
    Ok(format!("<{left}@{}>", if right.is_empty() { "optovik.local" } else { &right }))
}

/// The RFC 5322 message, exactly as both transports deliver it.
fn build_message(envelope: &Envelope) -> Result<Message, MailError> {
    let mailbox = |role: &str, raw: &str| {
        raw.trim().parse::<Mailbox>().map_err(|e| MailError::BadAddress(format!("{role} `{raw}`: {e}")))
    };
    let subject = envelope.subject.split_whitespace().collect::<Vec<_>>().join(" ");
    Message::builder()
        .from(mailbox("from", &envelope.from)?)
        .to(mailbox("to", &envelope.to)?)
        .subject(subject)
        .message_id(Some(normalize_message_id(&envelope.message_id)?))
        .header(ContentType::TEXT_PLAIN)
        .body(envelope.body.clone())
        .map_err(|e| MailError::Config(format!("building the message: {e}")))
}

/// Writes through a temporary file and a rename, so a reader never sees half a message.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), MailError> {
    let io = |what: &str, path: &Path, e: std::io::Error| MailError::Io(format!("{what} {}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(|e| io("creating", dir, e))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| io("writing", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io("renaming to", &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(url: &str) -> SmtpRelay {
        match Transport::from_url(Some(url), Path::new("unused")).expect("parses") {
            Transport::Smtp(relay) => *relay,
            Transport::Files(_) => panic!("expected SMTP for {url}"),
        }
    }

    #[test]
    fn url_forms() {
        let r = relay("smtp://mailer%40example.com:p%40ss@smtp.example.com");
        assert_eq!((r.host.as_str(), r.port, r.security), ("smtp.example.com", 587, Security::StartTls));
        assert_eq!(r.user.as_deref(), Some("mailer@example.com"));
        let r = relay("smtps://u:p@smtp.example.com");
        assert_eq!((r.port, r.security), (465, Security::Implicit));
        let r = relay("smtp://localhost?tls=none");
        assert_eq!((r.port, r.security, r.user, r.has_password), (25, Security::None, None, false));
        assert_eq!(relay("smtp://[::1]:2525/portal.example.com?tls=opportunistic").host, "::1");
        assert!(
            matches!(Transport::from_url(Some("  "), Path::new("out")), Ok(Transport::Files(d)) if d == Path::new("out"))
        );
        assert!(matches!(Transport::from_url(None, Path::new("out")), Ok(Transport::Files(_))));
    }

    #[test]
    fn message_ids_and_file_names() {
        assert_eq!(
            normalize_message_id("<order-1.placed@portal.example>").expect("ok"),
            "<order-1.placed@portal.example>"
        );
        assert_eq!(normalize_message_id("outbox 7").expect("ok"), "<outbox_7@optovik.local>");
        assert_eq!(normalize_message_id("a@b@c\r\nX: y").expect("ok"), "<a_b@c__X__y>");
        assert!(normalize_message_id("<@x>").is_err());
        assert_eq!(eml_file_name("<outbox.7@portal.example>"), "outbox.7@portal.example.eml");
        assert_eq!(eml_file_name("../../etc/passwd"), "_.._.._etc_passwd.eml");
        assert_eq!(eml_file_name("<>"), "_.eml");
    }
}
