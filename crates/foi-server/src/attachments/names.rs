//! File names of attachments: read from the `X-File-Name` header (percent-encoded UTF-8),
//! made harmless, and written back into `Content-Disposition` on download.
//!
//! A file name is metadata only: the bytes are stored under their SHA-256, never under a
//! name a client chose. It is still cleaned, because it is shown to people and handed to
//! their browsers: no directory part, no control characters, none of the characters
//! Windows refuses in names, no leading dots, and at most [`MAX_FILE_NAME_CHARS`]
//! characters (the extension kept).

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// The longest extension kept whole when a long name is shortened.
const MAX_EXTENSION_CHARS: usize = 16;

/// Why an `X-File-Name` header cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileNameError {
    /// Not percent-encoded ASCII, a bad `%XX` escape, or not UTF-8 once decoded.
    #[error("X-File-Name must be the file name in UTF-8, percent-encoded (e.g. `%E7%AD%94%E5%A4%8D.pdf` for 答复.pdf)")]
    Encoding,
}

/// Decodes `%XX` escapes (a `+` stays a `+`) and checks that the result is UTF-8.
pub fn percent_decode(raw: &str) -> Result<String, FileNameError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(FileNameError::Encoding)?;
            let hex = std::str::from_utf8(hex).map_err(|_| FileNameError::Encoding)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| FileNameError::Encoding)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| FileNameError::Encoding)
}

/// Percent-encodes everything but the unreserved characters of RFC 3986, for the
/// `filename*=UTF-8''…` parameter of RFC 6266 / RFC 8187.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file name made safe to keep and show: the last path component only, no control
/// characters, `<>:"|?*` replaced by `_`, no leading dots or surrounding spaces, no
/// trailing dots, at most [`MAX_FILE_NAME_CHARS`] characters. `None` if nothing is left.
pub fn sanitize_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).trim();
    if cleaned.is_empty() {
        return None;
    }
    Some(shorten(cleaned))
}

/// Cuts a name to [`MAX_FILE_NAME_CHARS`] characters, keeping a short extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_FILE_NAME_CHARS {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= MAX_EXTENSION_CHARS);
    match extension {
        Some(ext) => {
            let keep = MAX_FILE_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => name.chars().take(MAX_FILE_NAME_CHARS).collect(),
    }
}

/// The file name of an upload: the `X-File-Name` header decoded and sanitised, or
/// `attachment.<ext>` when there is none (or nothing is left of it).
pub fn file_name_from_header(header: Option<&[u8]>, extension: &str) -> Result<String, FileNameError> {
    let fallback = || format!("attachment.{extension}");
    let Some(raw) = header else { return Ok(fallback()) };
    let raw = std::str::from_utf8(raw).map_err(|_| FileNameError::Encoding)?;
    if !raw.is_ascii() {
        return Err(FileNameError::Encoding);
    }
    Ok(sanitize_file_name(&percent_decode(raw.trim())?).unwrap_or_else(fallback))
}

/// `Content-Disposition` for downloading `file_name`: an ASCII fallback for old clients and
/// the exact name in `filename*` (RFC 6266).
pub fn content_disposition(file_name: &str) -> String {
    let plain = |c: char| c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\');
    let fallback: String = file_name.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", percent_encode(file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%E7%AD%94%E5%A4%8D.pdf").unwrap(), "答复.pdf");
        assert_eq!(percent_decode("a+b%20c.txt").unwrap(), "a+b c.txt");
        assert_eq!(percent_decode("%e7%ad%94").unwrap(), "答");
        assert_eq!(percent_decode("bad%2").unwrap_err(), FileNameError::Encoding);
        assert_eq!(percent_decode("bad%zz").unwrap_err(), FileNameError::Encoding);
        assert_eq!(percent_decode("%FF").unwrap_err(), FileNameError::Encoding, "not UTF-8");
    }

    #[test]
    fn percent_encoding_round_trips() {
        for name in ["答复 (2026).pdf", "a/b\\c.txt", "plain-name_1.0~x"] {
            assert_eq!(percent_decode(&percent_encode(name)).unwrap(), name);
        }
        assert_eq!(percent_encode("a b"), "a%20b");
    }

    #[test]
    fn sanitising_keeps_only_a_harmless_last_component() {
        assert_eq!(sanitize_file_name("答复书.pdf").as_deref(), Some("答复书.pdf"));
        assert_eq!(sanitize_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_file_name("C:\\Users\\x\\报告.docx").as_deref(), Some("报告.docx"));
        assert_eq!(sanitize_file_name("..").as_deref(), None);
        assert_eq!(sanitize_file_name("dir/").as_deref(), None);
        assert_eq!(sanitize_file_name(".hidden").as_deref(), Some("hidden"));
        assert_eq!(sanitize_file_name("  a\u{0}b\nc\u{7f}.txt ").as_deref(), Some("abc.txt"));
        assert_eq!(sanitize_file_name("what?<is>:this|\"*.pdf").as_deref(), Some("what__is__this___.pdf"));
        assert_eq!(sanitize_file_name("trailing. . .").as_deref(), Some("trailing"));
        assert_eq!(sanitize_file_name("   ").as_deref(), None);
    }

    #[test]
    fn long_names_are_cut_with_their_extension() {
        let long = format!("{}.pdf", "公".repeat(300));
        let cut = sanitize_file_name(&long).unwrap();
        assert_eq!(cut.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cut.ends_with(".pdf"), "{cut}");
        let no_ext = "x".repeat(500);
        assert_eq!(sanitize_file_name(&no_ext).unwrap().chars().count(), MAX_FILE_NAME_CHARS);
        let long_ext = format!("a.{}", "e".repeat(200));
        assert_eq!(sanitize_file_name(&long_ext).unwrap().chars().count(), MAX_FILE_NAME_CHARS);
    }

    #[test]
    fn header_values() {
        assert_eq!(file_name_from_header(None, "pdf").unwrap(), "attachment.pdf");
        assert_eq!(file_name_from_header(Some(b"%2E%2E%2Fsecret.pdf"), "pdf").unwrap(), "secret.pdf");
        assert_eq!(file_name_from_header(Some(b"%2F"), "png").unwrap(), "attachment.png");
        assert_eq!(file_name_from_header(Some("答复.pdf".as_bytes()), "pdf").unwrap_err(), FileNameError::Encoding);
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("答复 \"1\".pdf"),
            "attachment; filename=\"__ _1_.pdf\"; filename*=UTF-8''%E7%AD%94%E5%A4%8D%20%221%22.pdf"
        );
        assert_eq!(content_disposition("a.pdf"), "attachment; filename=\"a.pdf\"; filename*=UTF-8''a.pdf");
    }
}
