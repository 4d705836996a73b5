//! Free text from users (order comments, PO numbers, addresses): control
//! characters other than tab and line breaks are replaced with spaces on the
//! way in. They mean nothing on a page or an invoice, PostgreSQL refuses NUL
//! in text, and XML 1.0 forbids them in what we send the ERP.

/// `text` with control characters (but tab, CR and LF) replaced by spaces.
pub fn clean_free_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && !matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(clean_free_text("a\u{0}b\u{1}c\td\ne\u{7f}f 😀"), "a b c\td\ne f 😀");
    }
}
