//! Renders outgoing emails from the plain-text templates in `templates/email/`
//! (`<kind>.<lang>.txt`: a `Subject: …` line, a blank line, the body), compiled
//! into the binary. Pure string work: it never touches the network, the disk
//! or the database, and never panics on missing or unknown placeholders.

use super::MailError;

/// A rendered message: one-line subject and plain-text body (`\n` line ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub body: String,
}

/// One template kind: its name, the Russian and English sources, and the
/// placeholders it uses.
struct Template {
    kind: &'static str,
    ru: &'static str,
    en: &'static str,
    placeholders: &'static [&'static str],
}

macro_rules! template {
    ($kind:literal, [$($p:literal),*]) => {
        Template {
            kind: $kind,
            ru: include_str!(concat!("../../../templates/email/", $kind, ".ru.txt")),
            en: include_str!(concat!("../../../templates/email/", $kind, ".en.txt")),
            placeholders: &[$($p),*],
        }
    };
}

static TEMPLATES: &[Template] = &[
    template!("order_placed", ["number", "company", "total", "deadline", "url"]),
    template!("status_changed", ["number", "status", "comment", "url"]),
    template!("reservation_lapsing", ["number", "total", "deadline", "url"]),
    template!("reservation_lapsed", ["number", "url"]),
    template!("shipment", ["number", "shipment_number", "comment", "url"]),
    template!("payment", ["number", "amount", "total", "url"]),
    template!("order_cancelled", ["number", "comment", "url"]),
    template!("awaiting_approval", ["number", "company", "total", "reason", "url"]),
    template!("payment_due", ["number", "contract", "amount", "due", "url"]),
    template!("payment_overdue", ["number", "contract", "amount", "due", "url"]),
    template!("back_in_stock", ["sku", "name", "available", "url"]),
    template!("low_stock", ["sku", "name", "available", "threshold", "url"]),
    template!("invite", ["name", "company", "email", "url", "deadline"]),
    template!("password_reset", ["name", "url", "deadline"]),
    template!("message", ["name", "company", "thread", "text", "url"]),
    template!("announcement", ["title", "text", "url", "unsubscribe"]),
];

/// Every email kind, in a stable order (a test keeps it equal to the
/// templates).
pub fn kinds() -> &'static [super::EmailKind] {
    super::EmailKind::ALL
}

/// The placeholders a kind's templates use (the same in both languages), or
/// `None` for an unknown kind. Handy for callers assembling `args`.
pub fn placeholders(kind: &str) -> Option<&'static [&'static str]> {
    TEMPLATES.iter().find(|t| t.kind == kind).map(|t| t.placeholders)
}

/// Renders `kind` in `lang` ("en" or "ru"; anything else is Russian), filling
/// `{name}` placeholders from `args`. Unknown placeholders stay as written;
/// values are inserted verbatim and never expanded again. Line breaks in values
/// become spaces in the subject. An empty value on a line of its own leaves no
/// run of blank lines behind.
pub fn render(kind: &str, lang: &str, args: &[(&str, String)]) -> Result<RenderedEmail, MailError> {
    let template =
        TEMPLATES.iter().find(|t| t.kind == kind).ok_or_else(|| MailError::UnknownTemplate(kind.to_string()))?;
    let source = if lang.trim().eq_ignore_ascii_case("en") { template.en } else { template.ru };
    let source = source.replace("\r\n", "\n");
    let (subject, body) = split_template(&source)
        .ok_or_else(|| MailError::Config(format!("email template {kind}.{lang} has no `Subject:` line")))?;
    let subject = fill(subject, args).split_whitespace().collect::<Vec<_>>().join(" ");
    let body = collapse_blank_lines(&fill(body, args));
    Ok(RenderedEmail { subject, body })
}

/// Splits a template source into its subject line and body.
fn split_template(source: &str) -> Option<(&str, &str)> {
    let (first, rest) = source.split_once('\n')?;
    let subject = first.strip_prefix("Subject:")?.trim();
    Some((subject, rest.strip_prefix('\n').unwrap_or(rest)))
}

/// Replaces every `{name}` whose name is in `args`; leaves anything else alone.
fn fill(text: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let value = if after[name_len..].starts_with('}') {
            args.iter().find(|(name, _)| *name == &after[..name_len]).map(|(_, value)| value)
        } else {
            None
        };
        match value {
            Some(value) => {
                out.push_str(value);
                rest = &after[name_len + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Trims trailing spaces of each line, squeezes runs of blank lines to one and
/// ends the text with exactly one newline.
fn collapse_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typical_args() -> Vec<(&'static str, String)> {
        vec![
            ("number", "ОП-000123".to_string()),
            ("company", "ООО «Ромашка»".to_string()),
            ("total", "12\u{a0}345,60".to_string()),
            ("status", "Собран".to_string()),
            ("deadline", "25.06.2025".to_string()),
            ("shipment_number", "ОТГ-77".to_string()),
            ("amount", "5\u{a0}000,00".to_string()),
            ("url", "https://portal.example.com/orders/123".to_string()),
            ("comment", "Доставка во вторник".to_string()),
            ("name", "Иван Петров".to_string()),
            ("email", "ivan@example.com".to_string()),
            ("reason", "Задолженность превысит кредитный лимит.".to_string()),
            ("contract", "ОПТ-2026/014".to_string()),
            ("due", "15.12.2026".to_string()),
            ("sku", "NUT-934-M10".to_string()),
            ("available", "500 шт".to_string()),
            ("threshold", "1000 шт".to_string()),
            ("thread", "заказ № ОП-000123".to_string()),
            ("text", "Можно ли отгрузить в среду?".to_string()),
            ("title", "Новинка: анкеры в наличии".to_string()),
            ("unsubscribe", "https://portal.example.com/unsubscribe/abc".to_string()),
        ]
    }

    fn has_placeholder(text: &str) -> bool {
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            if len > 0 && after[len..].starts_with('}') {
                return true;
            }
            rest = after;
        }
        false
    }

    #[test]
    fn every_kind_renders_in_both_languages() {
        assert_eq!(TEMPLATES.len(), kinds().len());
        let args = typical_args();
        for kind in kinds().iter().map(|k| k.as_str()) {
            assert!(TEMPLATES.iter().any(|t| t.kind == kind), "{kind} has no template");
            for (lang, signature) in [("ru", "Оптовик"), ("en", "Optovik")] {
                let email = render(kind, lang, &args).expect("renders");
                let what = format!("{kind}.{lang}: {email:?}");
                assert!(!email.subject.is_empty(), "{what}");
                assert!(!email.subject.contains('\n'), "{what}");
                assert!(!has_placeholder(&email.subject) && !has_placeholder(&email.body), "{what}");
                assert!(email.body.trim_end().ends_with(signature), "{what}");
                assert!(email.body.ends_with('\n') && !email.body.ends_with("\n\n"), "{what}");
                for name in placeholders(kind).expect("known kind") {
                    let value = &args.iter().find(|(n, _)| n == name).expect("typical arg").1;
                    assert!(email.subject.contains(value.as_str()) || email.body.contains(value.as_str()), "{what}");
                }
            }
        }
    }

    #[test]
    fn placeholder_lists_match_the_templates() {
        for template in TEMPLATES {
            let cyrillic = |s: &str| s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
            assert!(cyrillic(template.ru) && !cyrillic(template.en), "{}: wrong language", template.kind);
            for source in [template.ru, template.en] {
                let rendered = fill(source, &[]);
                for name in template.placeholders {
                    assert!(rendered.contains(&format!("{{{name}}}")), "{} lacks {{{name}}}", template.kind);
                }
                let args: Vec<(&str, String)> = template.placeholders.iter().map(|n| (*n, String::new())).collect();
                assert!(!has_placeholder(&fill(source, &args)), "{} uses an unlisted placeholder", template.kind);
            }
        }
    }

    #[test]
    fn unknown_kind_is_an_error() {
        assert!(matches!(render("no_such_kind", "ru", &[]), Err(MailError::UnknownTemplate(k)) if k == "no_such_kind"));
    }

    #[test]
    fn missing_arg_stays_visible_and_other_languages_fall_back_to_russian() {
        let email = render("order_placed", "de", &[("number", "42".to_string())]).expect("renders");
        assert!(email.subject.contains("42"));
        assert!(email.body.contains("{company}") && email.body.contains("{total}"));
        assert_eq!(email, render("order_placed", "ru", &[("number", "42".to_string())]).expect("renders"));
    }

    #[test]
    fn fill_is_single_pass_and_tolerates_odd_braces() {
        let args = [("a", "{b}".to_string()), ("b", "x".to_string())];
        assert_eq!(fill("{a} {b} { {} {a {c} }{", &args), "{b} x { {} {a {c} }{");
        assert_eq!(fill("{ä}{a}", &args), "{ä}{b}");
    }

    #[test]
    fn subject_values_cannot_break_the_header() {
        let email = render("order_placed", "en", &[("number", "1\r\nBcc: x@example.com".to_string())]).expect("ok");
        assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
    }
}
