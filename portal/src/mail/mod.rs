//! Outgoing email for order notifications: [`render`] builds a message from a
//! template in Russian or English, [`Transport`] delivers it over SMTP or as an
//! `.eml` file, [`test_server`] is a tiny SMTP server for tests.
//!
//! Rendering and delivery are pure (no database); [`outbox`] is the queue in
//! the database that notifications write to and the sender job drains, with
//! retries and backoff for temporary failures.

pub mod outbox;
pub mod render;
pub mod test_server;
pub mod transport;

#[cfg(test)]
mod email_snapshots;

pub use render::{placeholders, render, RenderedEmail};
pub use test_server::{ReceivedMessage, ServerMode, TestSmtpServer};
pub use transport::{eml_file_name, Envelope, MailError, Security, SmtpRelay, Transport, SMTP_TIMEOUT};

use crate::db::stored_text::stored_text_enum;

stored_text_enum! {
    /// Which email: its templates are `templates/email/{kind}.{ru,en}.txt`.
    pub enum EmailKind {
        OrderPlaced = "order_placed",
        StatusChanged = "status_changed",
        ReservationLapsing = "reservation_lapsing",
        ReservationLapsed = "reservation_lapsed",
        Shipment = "shipment",
        Payment = "payment",
        OrderCancelled = "order_cancelled",
        AwaitingApproval = "awaiting_approval",
        PaymentDue = "payment_due",
        PaymentOverdue = "payment_overdue",
        BackInStock = "back_in_stock",
        LowStock = "low_stock",
        Invite = "invite",
        PasswordReset = "password_reset",
        /// A message from the other side of a thread (order or company).
        Message = "message",
        /// News from the supplier (a mailing), with an unsubscribe link.
        Announcement = "announcement",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpStream;

    use super::*;

    fn order_email(lang: &str) -> RenderedEmail {
        let args = [
            ("number", "ОП-000123".to_string()),
            ("company", "ООО «СтройМаркет»".to_string()),
            ("total", "12\u{a0}345,60".to_string()),
            ("deadline", "25.06.2025".to_string()),
            ("url", "https://portal.example.com/orders/123".to_string()),
        ];
        render("order_placed", lang, &args).expect("renders")
    }

    fn envelope(message_id: &str) -> Envelope {
        Envelope::new("Оптовик <noreply@portal.example.com>", "buyer@example.com", order_email("ru"), message_id)
    }

    async fn send(transport: Transport, envelope: Envelope) -> Result<(), MailError> {
        tokio::task::spawn_blocking(move || transport.send(&envelope)).await.expect("send task")
    }

    #[test]
    fn files_transport_writes_a_parseable_eml_and_overwrites_it() {
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("optovik-mail-{}-{stamp}", std::process::id())).join("outbox");
        let transport = Transport::from_url(None, &dir).expect("files transport");
        let envelope = envelope("<outbox-7@portal.example.com>");
        transport.send(&envelope).expect("written");
        transport.send(&envelope).expect("written again");
        let names: Vec<_> = std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("outbox-7@portal.example.com.eml")]);
        let raw = std::fs::read_to_string(dir.join(eml_file_name(&envelope.message_id))).expect("eml");
        let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
        assert!(raw.is_ascii(), "headers and body are MIME-encoded");
        let message = ReceivedMessage { from: String::new(), to: Vec::new(), data: raw, auth_user: None };
        assert!(message.header("Subject").expect("subject").starts_with("=?utf-8?"), "{}", message.data);
        assert_eq!(message.subject().as_deref(), Some("Заказ № ОП-000123 оформлен"));
        assert_eq!(message.header("Message-ID").as_deref(), Some("<outbox-7@portal.example.com>"));
        assert_eq!(message.header("To").as_deref(), Some("buyer@example.com"));
        assert!(message.header("Content-Type").expect("type").contains("charset=utf-8"));
        assert!(message.header("Date").is_some());
        assert_eq!(message.body_text(), envelope.body.replace("\r\n", "\n"));
    }

    #[tokio::test]
    async fn smtp_delivers_to_the_test_server() {
        let server = TestSmtpServer::start(ServerMode::Accept).await.expect("server");
        let transport = Transport::from_url(Some(&server.url()), Path::new("unused")).expect("smtp");
        send(transport, envelope("outbox-8@portal.example.com")).await.expect("delivered");
        let messages = server.messages();
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        assert_eq!(
            (message.from.as_str(), message.to.as_slice()),
            ("noreply@portal.example.com", &["buyer@example.com".to_string()][..])
        );
        assert_eq!(message.subject().as_deref(), Some("Заказ № ОП-000123 оформлен"));
        assert_eq!(message.header("Message-ID").as_deref(), Some("<outbox-8@portal.example.com>"));
        assert!(message.body_text().contains("Заказ № ОП-000123 от ООО «СтройМаркет»"), "{}", message.body_text());
        assert_eq!(message.auth_user, None);
    }

    #[tokio::test]
    async fn smtp_authenticates_when_given_credentials() {
        let server = TestSmtpServer::start(ServerMode::Accept).await.expect("server");
        let url = format!("smtp://mailer:s%40cret@127.0.0.1:{}?tls=none", server.port);
        let transport = Transport::from_url(Some(&url), Path::new("unused")).expect("smtp");
        send(transport, Envelope::new("a@x.example", "b@y.example", order_email("en"), "9@x")).await.expect("sent");
        let messages = server.messages();
        assert_eq!(messages[0].auth_user.as_deref(), Some("mailer"));
        assert_eq!(messages[0].subject().as_deref(), Some("Order ОП-000123 placed"));
        server.set_mode(ServerMode::RejectAuth);
        let transport = Transport::from_url(Some(&url), Path::new("unused")).expect("smtp");
        let err = send(transport, envelope("2@x")).await.expect_err("535");
        assert!(matches!(&err, MailError::Config(m) if m.contains("535") && !m.contains("cret")), "{err:?}");
    }

    #[tokio::test]
    async fn transient_and_permanent_failures_are_told_apart() {
        let server = TestSmtpServer::start(ServerMode::TempFail).await.expect("server");
        let transport = Transport::from_url(Some(&server.url()), Path::new("unused")).expect("smtp");
        let err = send(transport.clone(), envelope("1@x")).await.expect_err("451");
        assert!(matches!(err, MailError::Temporary(_)) && err.is_temporary(), "{err:?}");
        server.set_mode(ServerMode::RejectRecipients);
        let err = send(transport.clone(), envelope("1@x")).await.expect_err("550");
        assert!(matches!(err, MailError::Permanent(_)) && !err.is_temporary(), "{err:?}");
        server.set_mode(ServerMode::Accept);
        send(transport, envelope("1@x")).await.expect("retry succeeds");
        assert_eq!(server.messages().len(), 1);
    }

    #[tokio::test]
    async fn a_closed_port_is_temporary() {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0)).and_then(|l| l.local_addr()).expect("port").port();
        let url = format!("smtp://127.0.0.1:{port}?tls=none");
        let transport = Transport::from_url(Some(&url), Path::new("unused")).expect("smtp");
        let err = send(transport, envelope("1@x")).await.expect_err("refused");
        assert!(matches!(err, MailError::Temporary(_)), "{err:?}");
    }

    #[tokio::test]
    async fn tls_mismatches_are_reported() {
        let server = TestSmtpServer::start(ServerMode::Accept).await.expect("server");
        let required = Transport::from_url(Some(&format!("smtp://127.0.0.1:{}", server.port)), Path::new("u"));
        let err = send(required.expect("smtp"), envelope("1@x")).await.expect_err("no STARTTLS offered");
        assert!(matches!(&err, MailError::Config(m) if m.contains("STARTTLS")), "{err:?}");
        let opportunistic = format!("smtp://127.0.0.1:{}?tls=opportunistic", server.port);
        send(Transport::from_url(Some(&opportunistic), Path::new("u")).expect("smtp"), envelope("1@x"))
            .await
            .expect("plain");
        let implicit = Transport::from_url(Some(&format!("smtps://127.0.0.1:{}", server.port)), Path::new("u"));
        let err = send(implicit.expect("smtps"), envelope("1@x")).await.expect_err("not a TLS server");
        assert!(matches!(err, MailError::Temporary(_)), "{err:?}");
        assert_eq!(server.messages().len(), 1);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let transport =
            Transport::from_url(Some("smtp://user:secret@127.0.0.1:2525?tls=none"), Path::new("x")).expect("parses");
        let debug = format!("{transport:?} {transport:#?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(debug.contains("user") && debug.contains("2525") && debug.contains("***"), "{debug}");
    }

    #[test]
    fn bad_urls_are_config_errors_without_the_password() {
        for url in [
            "http://u:secret@host",
            "smtps://u:secret@host?tls=none",
            "smtp://u:secret@host?tsl=none",
            "smtp://u:secret@host:99999",
            "smtp://u:secret@/",
            "u:secret@host",
        ] {
            match Transport::from_url(Some(url), Path::new("x")) {
                Err(e @ MailError::Config(_)) => assert!(!e.to_string().contains("secret"), "{url}: {e}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn bad_addresses_and_error_classes() {
        let envelope = Envelope {
            from: "Оптовик <noreply@example.com>".to_string(),
            to: "not an address".to_string(),
            subject: "s".to_string(),
            body: "b".to_string(),
            message_id: "1@x".to_string(),
        };
        let err = Transport::Files(std::env::temp_dir()).send(&envelope).expect_err("bad recipient");
        assert!(matches!(err, MailError::BadAddress(_)) && !err.is_temporary(), "{err}");
        assert!(MailError::Temporary("x".into()).is_temporary() && MailError::Io("x".into()).is_temporary());
        assert!(!MailError::Permanent("x".into()).is_temporary() && !MailError::Config("x".into()).is_temporary());
    }

    #[tokio::test]
    async fn speaks_smtp_and_undoes_dot_stuffing() {
        let server = TestSmtpServer::start(ServerMode::Accept).await.expect("starts");
        let stream = TcpStream::connect(("127.0.0.1", server.port)).await.expect("connects");
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let mut replies = String::new();
        let script = "EHLO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n\
                      Subject: hi\r\n\r\n..dot\r\nline\r\n.\r\nNOOP\r\nQUIT\r\n";
        write.write_all(script.as_bytes()).await.expect("writes");
        while reader.read_line(&mut replies).await.expect("reads") > 0 {}
        assert!(replies.starts_with("220 ") && replies.ends_with("250 OK\r\n221 Bye\r\n"), "{replies}");
        let messages = server.messages();
        assert_eq!(messages.len(), 1);
        assert_eq!((messages[0].from.as_str(), messages[0].to.clone()), ("a@x", vec!["b@y".to_string()]));
        assert_eq!(messages[0].body_text(), ".dot\nline\n");
        assert_eq!(messages[0].subject().as_deref(), Some("hi"));
    }
}
