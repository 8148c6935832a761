//! The PDF of an issued document: its text laid out on A4 with a CJK font embedded (subset
//! to the characters used), for sending by e-mail or archiving beside the HTML.
//!
//! HTML is the primary print format; the PDF is a simple text layout of the same document
//! ([`crate::text::blocks`]): the agency and the title centred, the number, the addressee,
//! paragraphs with a two-character first-line indent, the signature and date right-aligned,
//! line breaks by measured glyph widths (no line starts with closing punctuation), and new
//! pages as needed. The font is `FOI_PDF_FONT` (a path, optionally `#index` for a face of a
//! collection), else Noto Serif CJK or Noto Sans CJK where Debian's `fonts-noto-cjk` puts
//! them; without one, [`PdfError::NoFont`] says how to install or configure it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

use crate::text::{BlockStyle, blocks};

/// The environment variable naming the font, e.g. `/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2`.
pub const FONT_ENV: &str = "FOI_PDF_FONT";

/// Where Debian's and Ubuntu's `fonts-noto-cjk` install the CJK fonts, tried in order.
pub const DEFAULT_FONTS: [&str; 2] = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// Why no PDF could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// No font with Chinese glyphs was found.
    #[error(
        "no CJK font for the PDF: install one (Debian/Ubuntu: `apt-get install fonts-noto-cjk`) or set \
         {FONT_ENV}=/path/to/font.ttc (a TrueType/OpenType font or collection with Chinese glyphs; \
         `#N` after the path picks face N of a collection); tried: {}", tried.join(", ")
    )]
    NoFont {
        /// The paths tried.
        tried: Vec<String>,
    },
    /// The font file cannot be read.
    #[error("cannot read the PDF font {path} ({FONT_ENV}): {message}")]
    Unreadable {
        /// The path.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The file is not a font this crate can use, or lacks Chinese glyphs.
    #[error(
        "{path} (face {index}) is not a TrueType/OpenType font with Chinese glyphs; set {FONT_ENV} to one, \
         e.g. /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2"
    )]
    NotACjkFont {
        /// The path.
        path: String,
        /// The face of the collection.
        index: usize,
    },
}

/// A font file and the face in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FontSource {
    /// The file.
    pub path: PathBuf,
    /// The face of a collection (`.ttc`); 0 for a single font.
    pub index: usize,
}

impl FontSource {
    /// `path` or `path#index`. Without an index, a Noto CJK collection uses face 2 (Simplified
    /// Chinese glyph forms), any other file face 0.
    pub fn parse(spec: &str) -> FontSource {
        let spec = spec.trim();
        if let Some((path, index)) = spec.rsplit_once('#')
            && let Ok(index) = index.parse()
        {
            return FontSource { path: PathBuf::from(path), index };
        }
        let path = PathBuf::from(spec);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let index = usize::from(name.contains("CJK") && name.ends_with(".ttc")) * 2;
        FontSource { path, index }
    }

    /// The font `foi` uses: `FOI_PDF_FONT` if set, else the first of [`DEFAULT_FONTS`] that
    /// exists.
    pub fn from_env() -> Result<FontSource, PdfError> {
        if let Some(spec) = std::env::var_os(FONT_ENV).filter(|s| !s.is_empty()) {
            return Ok(FontSource::parse(&spec.to_string_lossy()));
        }
        DEFAULT_FONTS
            .iter()
            .map(|p| FontSource::parse(p))
            .find(|f| f.path.is_file())
            .ok_or_else(|| PdfError::NoFont { tried: DEFAULT_FONTS.iter().map(|p| (*p).to_owned()).collect() })
    }
}

/// Fonts parsed once per process: a CJK collection is tens of megabytes.
fn load(source: &FontSource) -> Result<Arc<ParsedFont>, PdfError> {
    static CACHE: OnceLock<Mutex<HashMap<FontSource, Arc<ParsedFont>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(font) = cache.lock().unwrap_or_else(PoisonError::into_inner).get(source) {
        return Ok(Arc::clone(font));
    }
    let path = source.path.display().to_string();
    let bytes = std::fs::read(&source.path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => PdfError::NoFont { tried: vec![path.clone()] },
        _ => PdfError::Unreadable { path: path.clone(), message: e.to_string() },
    })?;
    let not_cjk = || PdfError::NotACjkFont { path: path.clone(), index: source.index };
    let font = ParsedFont::from_bytes(&bytes, source.index, &mut Vec::new()).ok_or_else(not_cjk)?;
    if font.lookup_glyph_index('中' as u32).is_none() {
        return Err(not_cjk());
    }
    let font = Arc::new(font);
    cache.lock().unwrap_or_else(PoisonError::into_inner).insert(source.clone(), Arc::clone(&font));
    Ok(font)
}

/// Checks that the font can be used (for a start-up check or a clear early error).
pub fn check_font(source: &FontSource) -> Result<(), PdfError> {
    load(source).map(|_| ())
}

// The page: A4 with the margins of GB/T 9704-2012, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = 26.0 * MM;
const TOP: f32 = 37.0 * MM;
const BOTTOM: f32 = 35.0 * MM;
const BODY_PT: f32 = 16.0;
const BODY_LEADING: f32 = 28.0;
const TITLE_PT: f32 = 22.0;
const TITLE_LEADING: f32 = 36.0;

/// Characters that never start a line (避头点).
fn closing(c: char) -> bool {
    "，。、；：？！）》」』”’〕】…,.;:?!)".contains(c)
}

struct Measure<'a> {
    font: &'a ParsedFont,
}

impl Measure<'_> {
    fn width(&self, c: char, size: f32) -> f32 {
        let units = f32::from(self.font.font_metrics.units_per_em.max(1));
        let advance = self.font.lookup_glyph_index(c as u32).map(|g| self.font.get_horizontal_advance(g));
        match advance.filter(|&w| w > 0) {
            Some(w) => f32::from(w) / units * size,
            None if c.is_ascii() => 0.5 * size,
            None => size,
        }
    }

    fn text_width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.width(c, size)).sum()
    }

    /// Breaks `text` into lines no wider than `width`; the first line is `first_width` wide.
    /// Latin words stay whole where they fit; closing punctuation never starts a line.
    fn wrap(&self, text: &str, size: f32, first_width: f32, width: f32) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut used = 0.0;
        let mut i = 0;
        while i < chars.len() {
            // A Latin word (or number) is placed as one piece.
            let mut end = i + 1;
            if chars[i].is_ascii_alphanumeric() {
                while end < chars.len() && chars[end].is_ascii_alphanumeric() {
                    end += 1;
                }
            }
            let piece: String = chars[i..end].iter().collect();
            let piece_width = self.text_width(&piece, size);
            let limit = if lines.is_empty() { first_width } else { width };
            let fits = used + piece_width <= limit + 0.01;
            if !fits && !line.is_empty() && !closing(chars[i]) {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                used = 0.0;
                if chars[i] == ' ' {
                    i = end;
                    continue;
                }
            }
            line.push_str(&piece);
            used += piece_width;
            i = end;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Lays the document out on A4 pages.
struct Layout<'a> {
    measure: Measure<'a>,
    font: printpdf::FontId,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Distance of the next line's top from the top of the text area.
    y: f32,
    /// The style of the block before.
    last: Option<BlockStyle>,
}

impl Layout<'_> {
    fn new_page(&mut self) {
        if !self.ops.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        self.y = 0.0;
    }

    fn line(&mut self, text: &str, size: f32, leading: f32, x: f32) {
        if self.y + leading > PAGE_H - TOP - BOTTOM {
            self.new_page();
        }
        // The baseline sits so that the glyphs are centred in the line's leading.
        let baseline = PAGE_H - TOP - self.y - (leading + size * 0.76) / 2.0;
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::External(self.font.clone()), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(baseline) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
        self.y += leading;
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    fn block(&mut self, style: BlockStyle, text: &str) {
        let width = PAGE_W - LEFT - RIGHT;
        match style {
            BlockStyle::PageBreak => self.new_page(),
            BlockStyle::Agency | BlockStyle::Title | BlockStyle::Number => {
                let (size, leading) =
                    if style == BlockStyle::Number { (BODY_PT, BODY_LEADING) } else { (TITLE_PT, TITLE_LEADING) };
                for line in self.measure.wrap(text, size, width, width) {
                    let x = LEFT + (width - self.measure.text_width(&line, size)).max(0.0) / 2.0;
                    self.line(&line, size, leading, x);
                }
                self.gap(match style {
                    BlockStyle::Title => 14.0,
                    BlockStyle::Number => BODY_LEADING,
                    _ => 0.0,
                });
            }
            BlockStyle::Signature => {
                let pad = 2.0 * BODY_PT;
                if self.y > 0.0 && !matches!(self.last, Some(BlockStyle::Signature)) {
                    self.gap(BODY_LEADING * 1.5);
                }
                for line in self.measure.wrap(text, BODY_PT, width - pad, width - pad) {
                    let x = LEFT + (width - pad - self.measure.text_width(&line, BODY_PT)).max(0.0);
                    self.line(&line, BODY_PT, BODY_LEADING, x);
                }
            }
            BlockStyle::Flush | BlockStyle::Paragraph => {
                let indent = if style == BlockStyle::Paragraph { 2.0 * BODY_PT } else { 0.0 };
                for (n, line) in self.measure.wrap(text, BODY_PT, width - indent, width).into_iter().enumerate() {
                    let x = if n == 0 { LEFT + indent } else { LEFT };
                    self.line(&line, BODY_PT, BODY_LEADING, x);
                }
            }
        }
        self.last = Some(style);
    }
}

/// The PDF of a document's HTML, with `font` embedded (subset), titled `title`.
pub fn to_pdf(html: &str, title: &str, font: &FontSource) -> Result<Vec<u8>, PdfError> {
    let parsed = load(font)?;
    let mut doc = PdfDocument::new(title);
    let font_id = doc.add_font(&parsed);
    let mut layout = Layout {
        measure: Measure { font: &parsed },
        font: font_id,
        pages: Vec::new(),
        ops: Vec::new(),
        y: 0.0,
        last: None,
    };
    for block in blocks(html) {
        layout.block(block.style, &block.text);
    }
    layout.new_page();
    let mut pages: Vec<PdfPage> = layout.pages.into_iter().map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops)).collect();
    if pages.is_empty() {
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), Vec::new()));
    }
    let options = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
}
