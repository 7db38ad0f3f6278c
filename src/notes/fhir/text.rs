//! Turning FHIR attachments into note text: base64 decoding, character sets, and HTML to plain text.

/// Decodes standard base64 (with or without padding; whitespace ignored). None if it is not base64.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0;
    for &c in s.as_bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None; // data after padding
        }
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero padding of the last group.
    if bits >= 6 || acc != 0 || padding > 2 {
        return None;
    }
    Some(out)
}

/// Bytes in a declared charset as text: UTF-8 (the default), US-ASCII, or ISO-8859-1 / Windows-1252
/// (read as Latin-1). None for bytes that are not valid in the charset.
pub fn decode_charset(bytes: Vec<u8>, charset: Option<&str>) -> Option<String> {
    match charset.map(|c| c.trim().trim_matches('"').to_ascii_lowercase()) {
        None => String::from_utf8(bytes).ok(),
        Some(c) if c == "utf-8" || c == "utf8" || c == "us-ascii" || c == "ascii" => {
            String::from_utf8(bytes).ok()
        }
        Some(c) if c == "iso-8859-1" || c == "latin1" || c == "windows-1252" || c == "cp1252" => {
            Some(bytes.into_iter().map(char::from).collect())
        }
        Some(_) => None,
    }
}

/// Plain text from HTML: tags dropped (block ends become line breaks), scripts and styles removed,
/// entities decoded, runs of blank lines collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        let after = &rest[lt + 1..];
        // A tag starts with a letter, '/' or '!'; any other '<' is text.
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            out.push('<');
            rest = after;
            continue;
        }
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map(|e| &comment[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = after.find('>') else {
            // A stray '<' is text.
            push_text(&mut out, &rest[lt..]);
            rest = "";
            break;
        };
        let tag = after[..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            match rest.to_ascii_lowercase().find(&close) {
                Some(end) => {
                    rest = &rest[end..];
                    if let Some(g) = rest.find('>') {
                        rest = &rest[g + 1..];
                    }
                }
                None => rest = "",
            }
            continue;
        }
        if name == "br" {
            out.push('\n');
        } else if matches!(
            name.as_str(),
            "p" | "div"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "table"
                | "ul"
                | "ol"
                | "pre"
                | "section"
                | "hr"
        ) {
            // Block boundaries start a new line (once).
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        } else if name == "td" || name == "th" {
            out.push(' ');
        }
    }
    push_text(&mut out, rest);
    // Tidy: trim line ends, at most one blank line in a row.
    let mut tidy = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 || tidy.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        tidy.push_str(line);
        tidy.push('\n');
    }
    tidy.trim_end().to_string()
}

fn push_text(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "deg" => Some('°'),
        "plusmn" => Some('±'),
        "micro" => Some('µ'),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert_eq!(base64_decode("TWE=").unwrap(), b"Ma");
        assert_eq!(base64_decode("TQ==").unwrap(), b"M");
        assert_eq!(base64_decode("TQ").unwrap(), b"M");
        assert_eq!(base64_decode("SGVs\nbG8=").unwrap(), b"Hello");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("TQ==TQ").is_none());
        assert!(base64_decode("T*Q=").is_none());
        assert!(base64_decode("TR==").is_none(), "non-zero leftover bits");
    }

    #[test]
    fn charsets() {
        assert_eq!(
            decode_charset(b"caf\xc3\xa9".to_vec(), None).unwrap(),
            "café"
        );
        assert_eq!(
            decode_charset(b"caf\xe9".to_vec(), Some("ISO-8859-1")).unwrap(),
            "café"
        );
        assert!(decode_charset(b"caf\xe9".to_vec(), Some("utf-8")).is_none());
        assert!(decode_charset(b"x".to_vec(), Some("ebcdic")).is_none());
    }

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><style>p {color: red}</style><script>alert(1)</script></head>\
                    <body><h1>Discharge&nbsp;Summary</h1><p>Na &lt; 130, K &gt; 5 &amp; rising.</p>\
                    <ul><li>NSTEMI</li><li>T2DM &#8211; A1c 9%</li></ul><br/>a &unknown; b</body></html>";
        assert_eq!(
            html_to_text(html),
            "Discharge Summary\nNa < 130, K > 5 & rising.\nNSTEMI\nT2DM – A1c 9%\n\na &unknown; b"
        );
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        assert_eq!(html_to_text("a<!-- hidden <b> -->b"), "ab");
    }
}
