//! What a file is, from its bytes: the allow-list of attachment types and the magic-byte
//! sniffer that checks an upload against the type its uploader declared.
//!
//! A declared `Content-Type` is only a claim; the bytes decide. PDF, PNG and JPEG are told by
//! their first bytes; OFD, DOCX and XLSX are ZIP packages, told apart by the names in the
//! archive's central directory (`OFD.xml` at the root for OFD, GB/T 33190;
//! `[Content_Types].xml` with `word/` or `xl/` parts for Office Open XML); plain text is
//! valid UTF-8 without control characters other than tab, line feed, form feed and carriage
//! return. Anything else is refused.

use std::io::{Read, Seek, SeekFrom};

/// The kinds of file an attachment may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `application/pdf`.
    Pdf,
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
    /// `application/ofd`: the Chinese fixed-layout format of GB/T 33190 (版式文档).
    Ofd,
    /// A Word document (Office Open XML).
    Docx,
    /// An Excel workbook (Office Open XML).
    Xlsx,
    /// `text/plain` in UTF-8.
    Text,
}

impl Kind {
    /// Every kind, in the order error messages list them.
    pub const ALL: [Kind; 7] = [Kind::Pdf, Kind::Png, Kind::Jpeg, Kind::Ofd, Kind::Docx, Kind::Xlsx, Kind::Text];

    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Ofd => "application/ofd",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }

    /// What it is, for messages: `a PNG image (image/png)`.
    pub fn describe(self) -> String {
        let what = match self {
            Kind::Pdf => "a PDF document",
            Kind::Png => "a PNG image",
            Kind::Jpeg => "a JPEG image",
            Kind::Ofd => "an OFD document",
            Kind::Docx => "a Word document (DOCX)",
            Kind::Xlsx => "an Excel workbook (XLSX)",
            Kind::Text => "plain UTF-8 text",
        };
        format!("{what} ({})", self.essence())
    }

    /// The media type without parameters.
    pub fn essence(self) -> &'static str {
        self.media_type().split(';').next().unwrap_or_default()
    }

    /// The usual file-name extension, for uploads that name no file.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Png => "png",
            Kind::Jpeg => "jpg",
            Kind::Ofd => "ofd",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Text => "txt",
        }
    }

    /// The kind a declared `Content-Type` names, if it is on the allow-list. Parameters are
    /// ignored, except that text must be UTF-8 (or ASCII, a subset) if a charset is given.
    pub fn from_media_type(declared: &str) -> Option<Kind> {
        let mut parts = declared.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        let kind = match essence.as_str() {
            "application/pdf" => Kind::Pdf,
            "image/png" => Kind::Png,
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Kind::Jpeg,
            "application/ofd" => Kind::Ofd,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Kind::Docx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Kind::Xlsx,
            "text/plain" => Kind::Text,
            _ => return None,
        };
        if kind == Kind::Text {
            for param in parts {
                if let Some((name, value)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("charset")
                {
                    let value = value.trim().trim_matches('"').to_ascii_lowercase();
                    if !matches!(value.as_str(), "utf-8" | "utf8" | "us-ascii") {
                        return None;
                    }
                }
            }
        }
        Some(kind)
    }

    /// The allow-list, for messages: `application/pdf, image/png, …`.
    pub fn allowed_list() -> String {
        Kind::ALL.iter().map(|k| k.essence()).collect::<Vec<_>>().join(", ")
    }
}

/// What the first bytes say, before a ZIP archive is looked into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A kind told by its first bytes (or, for text, by all of them).
    Kind(Kind),
    /// A ZIP archive: OFD, DOCX, XLSX or something else; see [`zip_kind`].
    Zip,
    /// Nothing on the allow-list.
    Unknown,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";
/// How many leading bytes decide the magic-byte kinds.
const HEAD_BYTES: usize = 8;

/// Looks at a file as it streams past, chunk by chunk, holding at most a few bytes.
#[derive(Debug)]
pub struct Sniffer {
    head: Vec<u8>,
    len: u64,
    /// Still possibly plain text: valid UTF-8 so far, no forbidden control character.
    text: bool,
    /// The bytes of a UTF-8 sequence cut by the end of the last chunk.
    pending: Vec<u8>,
}

impl Default for Sniffer {
    fn default() -> Self {
        Sniffer::new()
    }
}

impl Sniffer {
    /// A sniffer that has seen nothing.
    pub fn new() -> Sniffer {
        Sniffer { head: Vec::with_capacity(HEAD_BYTES), len: 0, text: true, pending: Vec::new() }
    }

    /// Takes the next chunk of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.len += chunk.len() as u64;
        if self.text {
            self.text = self.check_text(chunk);
        }
    }

    fn check_text(&mut self, chunk: &[u8]) -> bool {
        if chunk.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r')) {
            return false;
        }
        let joined;
        let bytes = if self.pending.is_empty() {
            chunk
        } else {
            joined = [self.pending.as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {
                self.pending.clear();
                true
            }
            // Cut off at the end of the chunk: keep the start of the sequence (at most 3 bytes).
            Err(e) if e.error_len().is_none() => {
                self.pending = bytes[e.valid_up_to()..].to_vec();
                true
            }
            Err(_) => false,
        }
    }

    /// The bytes seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What the file is, now that all of it was seen.
    pub fn finish(&self) -> Sniffed {
        let head = self.head.as_slice();
        if head.starts_with(b"%PDF-") {
            Sniffed::Kind(Kind::Pdf)
        } else if head.starts_with(PNG_SIGNATURE) {
            Sniffed::Kind(Kind::Png)
        } else if head.starts_with(b"\xff\xd8\xff") {
            Sniffed::Kind(Kind::Jpeg)
        } else if head.starts_with(ZIP_LOCAL_HEADER) {
            Sniffed::Zip
        } else if self.text && self.pending.is_empty() && self.len > 0 {
            Sniffed::Kind(Kind::Text)
        } else {
            Sniffed::Unknown
        }
    }
}

/// The end-of-central-directory record: 22 bytes plus a comment of at most 65 535.
const EOCD_SIGNATURE: &[u8] = b"PK\x05\x06";
const EOCD_MIN: u64 = 22;
const EOCD_MAX: u64 = EOCD_MIN + 65_535;
const CENTRAL_HEADER_SIGNATURE: &[u8] = b"PK\x01\x02";
const CENTRAL_HEADER_LEN: usize = 46;
/// A central directory larger than this is not looked into (an attachment is a document,
/// not an archive of thousands of files).
const MAX_CENTRAL_DIRECTORY: u64 = 4 * 1024 * 1024;

/// Which package a ZIP archive is, from the names in its central directory: OFD (`OFD.xml`
/// at the root), DOCX (`[Content_Types].xml` and `word/…`), XLSX (`[Content_Types].xml`
/// and `xl/…`); `None` for any other archive or one that cannot be read.
pub fn zip_kind<R: Read + Seek>(mut file: R) -> std::io::Result<Option<Kind>> {
    let Some(names) = central_directory_names(&mut file)? else { return Ok(None) };
    if names.iter().any(|n| n == "OFD.xml") {
        return Ok(Some(Kind::Ofd));
    }
    if names.iter().any(|n| n == "[Content_Types].xml") {
        if names.iter().any(|n| n.starts_with("word/")) {
            return Ok(Some(Kind::Docx));
        }
        if names.iter().any(|n| n.starts_with("xl/")) {
            return Ok(Some(Kind::Xlsx));
        }
    }
    Ok(None)
}

fn u16_at(bytes: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]))
}

/// The entry names of a ZIP archive's central directory; `None` if it has none that can be
/// read (not a ZIP, truncated, ZIP64, or too large).
fn central_directory_names<R: Read + Seek>(file: &mut R) -> std::io::Result<Option<Vec<String>>> {
    let len = file.seek(SeekFrom::End(0))?;
    if len < EOCD_MIN {
        return Ok(None);
    }
    let tail_len = len.min(EOCD_MAX);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail)?;
    let Some(eocd) = (0..=tail.len() - EOCD_MIN as usize).rev().find(|&i| tail[i..].starts_with(EOCD_SIGNATURE)) else {
        return Ok(None);
    };
    let record = &tail[eocd..];
    let entries = u16_at(record, 10);
    let size = u32_at(record, 12);
    let offset = u32_at(record, 16);
    // 0xFFFF / 0xFFFFFFFF mean ZIP64, which no document of this size needs.
    if entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return Ok(None);
    }
    if size > MAX_CENTRAL_DIRECTORY || offset.saturating_add(size) > len {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(offset))?;
    let mut directory = vec![0; size as usize];
    file.read_exact(&mut directory)?;
    let mut names = Vec::with_capacity(entries);
    let mut at = 0;
    for _ in 0..entries {
        let Some(header) = directory.get(at..at + CENTRAL_HEADER_LEN) else { return Ok(None) };
        if !header.starts_with(CENTRAL_HEADER_SIGNATURE) {
            return Ok(None);
        }
        let (name_len, extra_len, comment_len) = (u16_at(header, 28), u16_at(header, 30), u16_at(header, 32));
        let name_start = at + CENTRAL_HEADER_LEN;
        let Some(name) = directory.get(name_start..name_start + name_len) else { return Ok(None) };
        names.push(String::from_utf8_lossy(name).into_owned());
        at = name_start + name_len + extra_len + comment_len;
    }
    Ok(Some(names))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Cursor;

    use super::*;

    fn sniff(chunks: &[&[u8]]) -> Sniffed {
        let mut sniffer = Sniffer::new();
        for chunk in chunks {
            sniffer.feed(chunk);
        }
        sniffer.finish()
    }

    /// A minimal ZIP archive (entries stored, CRCs not filled in: the sniffer reads names
    /// only) holding `names`.
    pub(crate) fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for name in names {
            let offset = out.len() as u32;
            let body = b"<x/>";
            let mut local = Vec::new();
            local.extend_from_slice(ZIP_LOCAL_HEADER);
            local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
            local.extend_from_slice(&0u32.to_le_bytes()); // crc
            local.extend_from_slice(&(body.len() as u32).to_le_bytes());
            local.extend_from_slice(&(body.len() as u32).to_le_bytes());
            local.extend_from_slice(&(name.len() as u16).to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(name.as_bytes());
            local.extend_from_slice(body);
            out.extend_from_slice(&local);

            central.extend_from_slice(CENTRAL_HEADER_SIGNATURE);
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // made by, needed, flags, method, time, date
            central.extend_from_slice(&0u32.to_le_bytes());
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attributes
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(EOCD_SIGNATURE);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(sniff(&[b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]), Sniffed::Kind(Kind::Pdf));
        assert_eq!(sniff(&[b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"]), Sniffed::Kind(Kind::Png));
        assert_eq!(sniff(&[b"\xff\xd8\xff\xe0\0\x10JFIF"]), Sniffed::Kind(Kind::Jpeg));
        assert_eq!(sniff(&[b"PK\x03\x04rest"]), Sniffed::Zip);
        // Cut across chunks, the head is still seen whole.
        assert_eq!(sniff(&[b"\x89P", b"NG\r", b"\n\x1a\nxx"]), Sniffed::Kind(Kind::Png));
        assert_eq!(sniff(&[b"%P", b"DF-1.4"]), Sniffed::Kind(Kind::Pdf));
    }

    #[test]
    fn text_is_utf8_without_binary_controls() {
        assert_eq!(sniff(&["政府信息公开申请答复\r\n\tline 2\n".as_bytes()]), Sniffed::Kind(Kind::Text));
        // A UTF-8 sequence cut by a chunk boundary: 政 is e6 94 bf.
        assert_eq!(sniff(&[b"ab\xe6", b"\x94", b"\xbfcd"]), Sniffed::Kind(Kind::Text));
        // With a byte-order mark.
        assert_eq!(sniff(&[b"\xef\xbb\xbfhello"]), Sniffed::Kind(Kind::Text));
        assert_eq!(sniff(&[b"GIF89a\x01\x00\x01\x00\x00"]), Sniffed::Unknown);
        assert_eq!(sniff(&[b"abc\0def"]), Sniffed::Unknown);
        assert_eq!(sniff(&[b"caf\xe9"]), Sniffed::Unknown, "Latin-1 is not UTF-8");
        assert_eq!(sniff(&[b"truncated \xe6\x94"]), Sniffed::Unknown, "a sequence cut by the end of the file");
        assert_eq!(sniff(&[]), Sniffed::Unknown);
        assert_eq!(sniff(&[b"MZ\x90\x00\x03"]), Sniffed::Unknown);
    }

    #[test]
    fn zip_packages_are_told_apart_by_their_entries() {
        let kind = |names: &[&str]| zip_kind(Cursor::new(zip_with(names))).unwrap();
        assert_eq!(kind(&["OFD.xml", "Doc_0/Document.xml"]), Some(Kind::Ofd));
        assert_eq!(kind(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]), Some(Kind::Docx));
        assert_eq!(kind(&["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]), Some(Kind::Xlsx));
        assert_eq!(kind(&["[Content_Types].xml", "ppt/presentation.xml"]), None, "PowerPoint is not allowed");
        assert_eq!(kind(&["payload.exe"]), None);
        assert_eq!(kind(&["sub/OFD.xml"]), None, "OFD.xml must be at the root");
        assert_eq!(zip_kind(Cursor::new(b"PK\x03\x04 truncated".to_vec())).unwrap(), None);
        assert_eq!(zip_kind(Cursor::new(Vec::new())).unwrap(), None);
    }

    #[test]
    fn a_real_workbook_is_xlsx() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet().write_string(0, 0, "答复").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(sniff(&[&bytes]), Sniffed::Zip);
        assert_eq!(zip_kind(Cursor::new(bytes)).unwrap(), Some(Kind::Xlsx));
    }

    #[test]
    fn declared_media_types() {
        assert_eq!(Kind::from_media_type("application/pdf"), Some(Kind::Pdf));
        assert_eq!(Kind::from_media_type("Application/PDF"), Some(Kind::Pdf));
        assert_eq!(Kind::from_media_type("image/jpg"), Some(Kind::Jpeg));
        assert_eq!(Kind::from_media_type("text/plain; charset=UTF-8"), Some(Kind::Text));
        assert_eq!(Kind::from_media_type("text/plain"), Some(Kind::Text));
        assert_eq!(Kind::from_media_type("text/plain; charset=gbk"), None, "only UTF-8 text");
        assert_eq!(Kind::from_media_type("application/octet-stream"), None);
        assert_eq!(Kind::from_media_type("application/zip"), None);
        assert_eq!(Kind::from_media_type(""), None);
        for kind in Kind::ALL {
            assert_eq!(Kind::from_media_type(kind.media_type()), Some(kind), "{kind:?} round-trips");
        }
    }
}
