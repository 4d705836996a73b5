//! Where a form or the login page may send the browser next: a path on this
//! site only. Anything a browser could read as another host — `//evil`,
//! `/\evil`, `/%09/evil` (browsers drop tabs and newlines), encoded slashes
//! and backslashes, absolute URLs — is refused and the fallback used instead.

/// `target` if it is a path on this site, otherwise `fallback`.
pub fn local_path_or(target: &str, fallback: &str) -> String {
    local_path(target).unwrap_or_else(|| fallback.to_string())
}

/// `target` if it is a same-site path (starting with one `/`), else `None`.
pub fn local_path(target: &str) -> Option<String> {
    if target.len() > 2048 || !target.starts_with('/') {
        return None;
    }
    // What a browser would see: percent-decoded (twice, for double encoding),
    // with tabs and newlines removed.
    let once = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
    let twice = percent_encoding::percent_decode_str(&once).decode_utf8_lossy().into_owned();
    for form in [target, once.as_str(), twice.as_str()] {
        if form.chars().any(|c| c.is_control() || c == '\\') {
            return None;
        }
        let browser_view: String = form.chars().filter(|c| !c.is_whitespace()).collect();
        if !browser_view.starts_with('/') || browser_view.starts_with("//") {
            return None;
        }
    }
    // And the parser's view: joined to a base, the host must not change.
    let base = url::Url::parse("http://optovik.invalid/").ok()?;
    let joined = base.join(target).ok()?;
    if joined.host_str() != Some("optovik.invalid") || joined.scheme() != "http" {
        return None;
    }
    Some(target.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_pass() {
        for ok in ["/catalog", "/orders/12?tab=lines", "/catalog?q=%D0%B1%D0%BE%D0%BB%D1%82", "/"] {
            assert_eq!(local_path(ok).as_deref(), Some(ok), "{ok}");
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%0a/evil.example",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/%5Cevil.example",
            "/%252f%252fevil.example",
            "https://evil.example/",
            "http:/evil.example",
            "evil.example",
            "javascript:alert(1)",
            " //evil.example",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?} must be refused");
        }
        assert_eq!(local_path_or("//evil.example", "/catalog"), "/catalog");
    }
}
