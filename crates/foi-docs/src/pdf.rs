//! The PDF of an issued document: its text laid out on A4 with CJK fonts embedded (subset
//! to the characters used), for sending by e-mail or archiving beside the HTML.
//!
//! HTML is the primary print format; the PDF is a simple text layout of the same document
//! ([`crate::text::blocks`]) after GB/T 9704-2012 (党政机关公文格式): the agency and the title
//! centred in the title font, the number, the addressee, paragraphs with a two-character
//! first-line indent, justified, in the body font; the signature and date right-aligned.
//! It guarantees:
//!
//! - **避头尾**: no line starts with closing punctuation (，。）；…) and none ends with opening
//!   punctuation (（《“…); where "）；" would hang into the right margin the character before
//!   is carried down instead, so every line fits the text width ([`wrap`]);
//! - **the sign-off never stands alone**: the 落款 (agency and date, where the seal goes)
//!   shares its page with the last lines of the body: when it does not fit under them, the
//!   last lines of the body move to the next page with it ([`KEEP_WITH_SIGNATURE`]);
//! - **page numbers** "— 1 —" under the text when the document runs over one page
//!   (GB/T 9704-2012 §7.5), none on a one-page document;
//! - **a real creation date**: the moment the document was issued, in the Info dictionary
//!   (and the XMP metadata where one is written), not 1970-01-01.
//!
//! Fonts: the body font is `FOI_PDF_FONT`, the title font `FOI_PDF_TITLE_FONT` (a path,
//! optionally `#index` for a face of a collection). Unset, the body is Fandol FangSong (仿宋,
//! Debian's `texlive-lang-chinese`) or else Noto Serif/Sans CJK (`fonts-noto-cjk`), and the
//! title Fandol Song Bold or Noto Serif CJK Bold, else the body font; with `FOI_PDF_FONT`
//! set and no title font, the title uses the body font. Without a body font,
//! [`PdfError::NoFont`] says how to install or configure one.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
use time::{OffsetDateTime, UtcOffset};

use crate::text::{BlockStyle, blocks};

/// The environment variable naming the body font, e.g.
/// `/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf`.
pub const FONT_ENV: &str = "FOI_PDF_FONT";

/// The environment variable naming the title font (agency and title; 小标宋 where the office
/// has it licensed), e.g. `/usr/share/fonts/truetype/fzxbs/FZXiaoBiaoSong-B05S.ttf`.
pub const TITLE_FONT_ENV: &str = "FOI_PDF_TITLE_FONT";

/// Body fonts tried in order when `FOI_PDF_FONT` is unset: Fandol FangSong (仿宋, GPL with
/// the font exception) where Debian's `texlive-lang-chinese` puts it, then the CJK fonts of
/// Debian's and Ubuntu's `fonts-noto-cjk`.
pub const DEFAULT_FONTS: [&str; 3] = [
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// Title fonts tried in order when neither `FOI_PDF_TITLE_FONT` nor `FOI_PDF_FONT` is set:
/// a heavy Song face (the nearest free relative of 小标宋); else the body font.
pub const DEFAULT_TITLE_FONTS: [&str; 2] = [
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolSong-Bold.otf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
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
    #[error("cannot read the PDF font {path} ({FONT_ENV} or {TITLE_FONT_ENV}): {message}")]
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

/// The two faces of a document: the body (仿宋) and the title (小标宋 or another heavy face).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fonts {
    /// Paragraphs, number, addressee, signature, page numbers.
    pub body: FontSource,
    /// The agency's name and the title.
    pub title: FontSource,
}

impl Fonts {
    /// One font for everything.
    pub fn single(font: FontSource) -> Fonts {
        Fonts { title: font.clone(), body: font }
    }

    /// The fonts `foi` uses: the body from [`FontSource::from_env`]; the title from
    /// `FOI_PDF_TITLE_FONT` if set, else the body font when `FOI_PDF_FONT` is set, else the
    /// first of [`DEFAULT_TITLE_FONTS`] that exists, else the body font.
    pub fn from_env() -> Result<Fonts, PdfError> {
        let body = FontSource::from_env()?;
        let set = |name: &str| std::env::var_os(name).filter(|s| !s.is_empty());
        let title = if let Some(spec) = set(TITLE_FONT_ENV) {
            FontSource::parse(&spec.to_string_lossy())
        } else if set(FONT_ENV).is_some() {
            body.clone()
        } else {
            DEFAULT_TITLE_FONTS
                .iter()
                .map(|p| FontSource::parse(p))
                .find(|f| f.path.is_file())
                .unwrap_or_else(|| body.clone())
        };
        Ok(Fonts { body, title })
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
/// The text width (版心宽度), 156 mm, in points.
pub const MEASURE: f32 = PAGE_W - LEFT - RIGHT;
/// The left edge of the text area, in points from the page's left edge.
pub const TEXT_LEFT: f32 = LEFT;
const TEXT_HEIGHT: f32 = PAGE_H - TOP - BOTTOM;
const BODY_PT: f32 = 16.0;
const BODY_LEADING: f32 = 28.0;
const TITLE_PT: f32 = 22.0;
const TITLE_LEADING: f32 = 36.0;
/// 4号 (14 pt) for the page number, GB/T 9704-2012 §7.5.
const FOLIO_PT: f32 = 14.0;

/// How many of the body's last lines move to the next page with a sign-off that does not fit
/// under them: the 落款, where the seal goes, never stands on a page without text.
pub const KEEP_WITH_SIGNATURE: usize = 2;

/// Characters that never start a line (避头点): closing punctuation and the marks that
/// follow what they close.
pub fn closing(c: char) -> bool {
    "，。、；：？！）》」』”’〕】〉］｝…‥·,.;:?!)]}%％".contains(c)
}

/// Characters that never end a line (避尾点): opening punctuation, and a form's check boxes
/// (□, ■), which belong to the choice after them.
pub fn opening(c: char) -> bool {
    "（《「『“‘〔【〈［｛([{□■".contains(c)
}

/// One unit of line breaking: a Chinese character or mark, a space, or a Latin word or number
/// (kept whole where it fits).
struct Piece {
    text: String,
    width: f32,
}

impl Piece {
    fn first(&self) -> char {
        self.text.chars().next().unwrap_or(' ')
    }
    fn last(&self) -> char {
        self.text.chars().next_back().unwrap_or(' ')
    }
    fn is_space(&self) -> bool {
        self.text == " "
    }
}

fn pieces(text: &str, width_of: &impl Fn(char) -> f32, width: f32) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // A Latin word, a number, a standard's name like GB/T 9704-2012: printable ASCII
        // up to a space or a bracket.
        let wordish = |c: char| c.is_ascii_graphic() && !"()[]{}".contains(c);
        let mut end = i + 1;
        if wordish(chars[i]) {
            while end < chars.len() && wordish(chars[end]) {
                end += 1;
            }
        }
        let word: f32 = chars[i..end].iter().map(|&c| width_of(c)).sum();
        if word > width {
            // A word wider than the line is broken where it must.
            out.extend(chars[i..end].iter().map(|&c| Piece { text: c.to_string(), width: width_of(c) }));
        } else {
            out.push(Piece { text: chars[i..end].iter().collect(), width: word });
        }
        i = end;
    }
    out
}

/// Breaks `text` into lines: the first no wider than `first_width`, the others no wider than
/// `width`, as measured by `width_of`. Latin words stay whole where they fit; spaces at a
/// break are dropped. 避头尾 (GB/T 15834-2011 §5.1.8 and office practice): a line never starts
/// with closing punctuation nor ends with opening punctuation; where "）；" does not fit at
/// the end of a line, the character before it is carried down with it, so that no mark hangs
/// into the margin. Only a run of marks longer than a line is broken against the rule.
pub fn wrap(text: &str, first_width: f32, width: f32, width_of: impl Fn(char) -> f32) -> Vec<String> {
    let finish = |line: &mut Vec<Piece>, lines: &mut Vec<String>| {
        while line.last().is_some_and(Piece::is_space) {
            line.pop();
        }
        lines.push(line.drain(..).map(|p| p.text).collect());
    };
    let mut lines = Vec::new();
    let mut line: Vec<Piece> = Vec::new();
    let mut used = 0.0;
    for piece in pieces(text, &width_of, width.min(first_width)) {
        let limit = if lines.is_empty() { first_width } else { width };
        if line.is_empty() && piece.is_space() {
            continue;
        }
        if used + piece.width <= limit + 0.01 || line.is_empty() || piece.is_space() {
            // A space that does not fit is a break point; it is dropped at the line's end.
            used += piece.width;
            line.push(piece);
            continue;
        }
        // Break before `line[at]` (or before `piece` when `at == line.len()`), going back
        // until the next line does not start with closing punctuation and this one does not
        // end with opening punctuation (spaces aside).
        let next_starts = |at: usize, line: &[Piece]| {
            line[at..].iter().chain(std::iter::once(&piece)).find(|p| !p.is_space()).map_or(' ', Piece::first)
        };
        let ends = |at: usize, line: &[Piece]| line[..at].iter().rev().find(|p| !p.is_space()).map_or(' ', Piece::last);
        let mut at = line.len();
        while at > 0 && (closing(next_starts(at, &line)) || opening(ends(at, &line))) {
            at -= 1;
        }
        let carried_width = line[at..].iter().skip_while(|p| p.is_space()).map(|p| p.width).sum::<f32>() + piece.width;
        if at == 0 || carried_width > width + 0.01 {
            // No break obeys the rule within a line: break where the line is full.
            at = line.len();
        }
        let mut carried = line.split_off(at);
        finish(&mut line, &mut lines);
        while carried.first().is_some_and(Piece::is_space) {
            carried.remove(0);
        }
        used = carried.iter().map(|p| p.width).sum::<f32>() + piece.width;
        line = carried;
        line.push(piece);
    }
    if !line.is_empty() || lines.is_empty() {
        finish(&mut line, &mut lines);
    }
    lines
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

    fn wrap(&self, text: &str, size: f32, first_width: f32, width: f32) -> Vec<String> {
        wrap(text, first_width, width, |c| self.width(c, size))
    }
}

/// Which face a line is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The body font (仿宋).
    Body,
    /// The title font (小标宋).
    Title,
}

/// One line as laid out on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its text.
    pub text: String,
    /// The block it belongs to.
    pub style: BlockStyle,
    /// The face.
    pub face: Face,
    /// The font size, in points.
    pub size: f32,
    /// Its left edge, in points from the page's left edge.
    pub x: f32,
    /// Its width as set (extra character spacing of a justified line included), in points.
    pub width: f32,
    /// Extra space after each character but the last, in points (justification).
    pub spacing: f32,
    /// The distance of its top from the top of the text area, in points.
    pub top: f32,
    /// Its height.
    leading: f32,
    /// Space above it, unless it starts a page.
    space_before: f32,
    /// For the first line of a row of a bordered form: the row's height as printed (its
    /// lines and padding); the frame is drawn from [`CELL_PAD`] above the line's top.
    pub frame: Option<f32>,
    /// Whether it is a line of a form row (kept with the row's first line).
    pub in_row: bool,
}

/// The width of a form's label column, in points (7 characters and the padding).
pub const LABEL_WIDTH: f32 = 7.0 * BODY_PT + 2.0 * CELL_PAD;

/// The padding inside a form cell, in points.
pub const CELL_PAD: f32 = 5.0;

/// A page as laid out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Its lines, top to bottom.
    pub lines: Vec<Line>,
    /// Its page number as printed ("— 1 —"), when the document runs over one page.
    pub folio: Option<Line>,
}

/// Lays the document out on A4 pages.
struct Layout<'a> {
    body: Measure<'a>,
    title: Measure<'a>,
    lines: Vec<Line>,
    /// Space to put above the next line.
    pending_gap: f32,
    /// Whether the next line must start a page.
    pending_break: bool,
    breaks: Vec<usize>,
    /// The lines of a form row's label, waiting for its value cell.
    label: Option<Vec<String>>,
}

impl Layout<'_> {
    /// Lays out one row of a bordered form: the label lines centred in the label column,
    /// the value lines beside them, each visual line on one baseline (the label's line
    /// takes no height of its own: the value's line beside it does).
    fn row(&mut self, label: Vec<String>, value: Vec<String>) {
        let rows = label.len().max(value.len()).max(1);
        let height = rows as f32 * BODY_LEADING + 2.0 * CELL_PAD;
        self.pending_gap += CELL_PAD;
        for i in 0..rows {
            let first = self.lines.len();
            if let Some(text) = label.get(i) {
                let w = self.body.text_width(text, BODY_PT);
                let x = LEFT + ((LABEL_WIDTH - w) / 2.0).max(CELL_PAD);
                self.push(text.clone(), BlockStyle::Label, (Face::Body, BODY_PT, BODY_LEADING), x, 0.0);
            }
            let text = value.get(i).cloned().unwrap_or_default();
            self.push(text, BlockStyle::Cell, (Face::Body, BODY_PT, BODY_LEADING), LEFT + LABEL_WIDTH + CELL_PAD, 0.0);
            for line in &mut self.lines[first..] {
                line.in_row = true;
            }
            if i == 0 {
                self.lines[first].frame = Some(height);
            }
        }
        self.pending_gap += CELL_PAD;
    }

    fn measure(&self, face: Face) -> &Measure<'_> {
        match face {
            Face::Body => &self.body,
            Face::Title => &self.title,
        }
    }

    /// Adds a line set in `(face, size, leading)`.
    fn push(&mut self, text: String, style: BlockStyle, (face, size, leading): (Face, f32, f32), x: f32, spacing: f32) {
        let width = self.measure(face).text_width(&text, size) + spacing * (text.chars().count().max(1) - 1) as f32;
        if std::mem::take(&mut self.pending_break) {
            self.breaks.push(self.lines.len());
        }
        let space_before = std::mem::take(&mut self.pending_gap);
        self.lines.push(Line {
            text,
            style,
            face,
            size,
            x,
            width,
            spacing,
            top: 0.0,
            leading,
            space_before,
            frame: None,
            in_row: false,
        });
    }

    fn block(&mut self, style: BlockStyle, text: &str) {
        let width = MEASURE;
        if style != BlockStyle::Cell
            && let Some(label) = self.label.take()
        {
            // A label without its value: the row is printed with an empty value.
            self.row(label, Vec::new());
        }
        match style {
            BlockStyle::Label => {
                let inner = LABEL_WIDTH - 2.0 * CELL_PAD;
                self.label = Some(self.body.wrap(text, BODY_PT, inner, inner));
            }
            BlockStyle::Cell => {
                let inner = MEASURE - LABEL_WIDTH - 2.0 * CELL_PAD;
                let value = self.body.wrap(text, BODY_PT, inner, inner);
                let label = self.label.take().unwrap_or_default();
                self.row(label, value);
            }
            BlockStyle::PageBreak => self.pending_break = !self.lines.is_empty(),
            BlockStyle::Agency | BlockStyle::Title | BlockStyle::Number => {
                let (face, size, leading) = if style == BlockStyle::Number {
                    (Face::Body, BODY_PT, BODY_LEADING)
                } else {
                    (Face::Title, TITLE_PT, TITLE_LEADING)
                };
                for line in self.measure(face).wrap(text, size, width, width) {
                    let x = LEFT + (width - self.measure(face).text_width(&line, size)).max(0.0) / 2.0;
                    self.push(line, style, (face, size, leading), x, 0.0);
                }
                self.pending_gap += match style {
                    BlockStyle::Title => 14.0,
                    BlockStyle::Number => BODY_LEADING,
                    _ => 0.0,
                };
            }
            BlockStyle::Signature => {
                let pad = 2.0 * BODY_PT;
                if self.lines.last().is_some_and(|l| l.style != BlockStyle::Signature) {
                    self.pending_gap += BODY_LEADING * 1.5;
                }
                for line in self.body.wrap(text, BODY_PT, width - pad, width - pad) {
                    let x = LEFT + (width - pad - self.body.text_width(&line, BODY_PT)).max(0.0);
                    self.push(line, style, (Face::Body, BODY_PT, BODY_LEADING), x, 0.0);
                }
            }
            BlockStyle::Flush | BlockStyle::Paragraph => {
                let indent = if style == BlockStyle::Paragraph { 2.0 * BODY_PT } else { 0.0 };
                let lines = self.body.wrap(text, BODY_PT, width - indent, width);
                let count = lines.len();
                for (n, line) in lines.into_iter().enumerate() {
                    let x = if n == 0 { LEFT + indent } else { LEFT };
                    let limit = if n == 0 { width - indent } else { width };
                    // Every line but the paragraph's last is justified to the full width, as
                    // `text-align: justify` prints it; a line shortened by 避头尾 stays flush.
                    let chars = line.chars().count();
                    let slack = limit - self.body.text_width(&line, BODY_PT);
                    let spacing = if n + 1 < count && chars > 1 && slack > 0.0 && !line.contains(' ') {
                        (slack / (chars - 1) as f32).min(BODY_PT / 2.0)
                    } else {
                        0.0
                    };
                    self.push(line, style, (Face::Body, BODY_PT, BODY_LEADING), x, spacing);
                }
            }
        }
    }

    /// Puts the lines on pages: a new page where the next line does not fit or a page break
    /// was asked for; space above a line is dropped at the top of a page. The sign-off is
    /// kept with the body: when its first line would start a page, the last
    /// [`KEEP_WITH_SIGNATURE`] lines of the body go with it.
    fn paginate(self) -> Vec<Page> {
        let mut pages: Vec<Vec<Line>> = vec![Vec::new()];
        let mut y = 0.0;
        let place = |page: &mut Vec<Line>, y: &mut f32, mut line: Line| {
            if !page.is_empty() {
                *y += line.space_before;
            }
            line.top = *y;
            // A form label shares its baseline with the value beside it, which advances.
            if line.style != BlockStyle::Label {
                *y += line.leading;
            }
            page.push(line);
        };
        let lines = self.lines;
        for (i, line) in lines.iter().enumerate() {
            let page = pages.last_mut().expect("one page at least");
            let forced = self.breaks.contains(&i) && !page.is_empty();
            let starts_signature =
                line.style == BlockStyle::Signature && i > 0 && lines[i - 1].style != BlockStyle::Signature;
            let needed = if let Some(frame) = line.frame {
                // A form row is not split across pages.
                frame - CELL_PAD
            } else if starts_signature {
                // The whole sign-off block, so that its lines are not split either.
                lines[i..].iter().take_while(|l| l.style == BlockStyle::Signature).map(|l| l.leading).sum::<f32>()
            } else if line.style == BlockStyle::Label {
                0.0
            } else {
                line.leading
            };
            let overflows = !page.is_empty() && y + line.space_before + needed > TEXT_HEIGHT + 0.01;
            if forced || overflows {
                let mut carried = Vec::new();
                if overflows && starts_signature && !forced {
                    // Keep with previous: the body's last lines come down with the sign-off
                    // (never the page's only lines, and not across a page break).
                    let body = page.iter().rev().take_while(|l| l.style != BlockStyle::Signature).count();
                    let mut take = KEEP_WITH_SIGNATURE.min(body).min(page.len().saturating_sub(1));
                    // A form row moves whole: back to its first line.
                    while take < page.len().saturating_sub(1)
                        && page[page.len() - take].in_row
                        && page[page.len() - take].frame.is_none()
                    {
                        take += 1;
                    }
                    carried = page.split_off(page.len() - take);
                }
                pages.push(Vec::new());
                y = 0.0;
                let page = pages.last_mut().expect("just pushed");
                for moved in carried {
                    place(page, &mut y, moved);
                }
            }
            let page = pages.last_mut().expect("one page at least");
            place(page, &mut y, line.clone());
        }
        let count = pages.len();
        pages
            .into_iter()
            .enumerate()
            .map(|(n, lines)| Page { lines, folio: (count > 1).then(|| self_folio(&self.body, n + 1)) })
            .collect()
    }
}

/// The page number of page `n` (1-based) after GB/T 9704-2012 §7.5: 4号 half-width Arabic
/// numerals between two 一字线 ("— 1 —"), under the text area with the dashes 7 mm below
/// its lower edge; odd pages right, even pages left, each one character in from the edge (a
/// document printed on both sides, as the standard's 单页码居右空一字，双页码居左空一字).
fn self_folio(body: &Measure<'_>, n: usize) -> Line {
    let text = format!("— {n} —");
    let width = body.text_width(&text, FOLIO_PT);
    let x = if n % 2 == 1 { LEFT + MEASURE - FOLIO_PT - width } else { LEFT + FOLIO_PT };
    // The dash sits about 0.3 em above the baseline; its top 7 mm under the text area.
    let top = TEXT_HEIGHT + 7.0 * MM - 0.3 * FOLIO_PT - FOLIO_PT * 0.24;
    Line {
        text,
        style: BlockStyle::Flush,
        face: Face::Body,
        size: FOLIO_PT,
        x,
        width,
        spacing: 0.0,
        top,
        leading: FOLIO_PT,
        space_before: 0.0,
        frame: None,
        in_row: false,
    }
}

/// Lays out a document's HTML on A4 pages with `fonts`, as [`render_pdf`] prints it.
pub fn layout(html: &str, fonts: &Fonts) -> Result<Vec<Page>, PdfError> {
    let body = load(&fonts.body)?;
    let title = load(&fonts.title)?;
    Ok(layout_with(html, &body, &title))
}

fn layout_with(html: &str, body: &ParsedFont, title: &ParsedFont) -> Vec<Page> {
    let mut layout = Layout {
        body: Measure { font: body },
        title: Measure { font: title },
        lines: Vec::new(),
        pending_gap: 0.0,
        pending_break: false,
        breaks: Vec::new(),
        label: None,
    };
    for block in blocks(html) {
        layout.block(block.style, &block.text);
    }
    if let Some(label) = layout.label.take() {
        layout.row(label, Vec::new());
    }
    layout.paginate()
}

/// What a PDF is made of besides the HTML.
#[derive(Debug, Clone)]
pub struct PdfOptions<'a> {
    /// The document title in the PDF's metadata, e.g. `政府信息公开申请答复书 游府信答〔2026〕17号`.
    pub title: &'a str,
    /// The body and title fonts.
    pub fonts: &'a Fonts,
    /// When the document was made: the moment it was issued. Written as the PDF's creation
    /// and modification dates (in UTC).
    pub created: OffsetDateTime,
}

/// The PDF of a document's HTML: laid out by [`layout`], fonts embedded (subset), dated
/// `options.created`.
pub fn render_pdf(html: &str, options: &PdfOptions<'_>) -> Result<Vec<u8>, PdfError> {
    let body = load(&options.fonts.body)?;
    let title = load(&options.fonts.title)?;
    let mut doc = PdfDocument::new(options.title);
    // printpdf writes the date's fields with a "+00'00'" zone: hand it UTC.
    let created =
        printpdf::date::OffsetDateTime::from_unix_timestamp(options.created.to_offset(UtcOffset::UTC).unix_timestamp())
            .unwrap_or_else(|_| printpdf::date::OffsetDateTime::now_utc());
    let info = &mut doc.metadata.info;
    (info.creation_date, info.modification_date, info.metadata_date) = (created, created, created);
    info.creator = "foi".to_owned();
    info.producer = "foi (printpdf)".to_owned();
    let body_id = doc.add_font(&body);
    let title_id = if options.fonts.title == options.fonts.body { body_id.clone() } else { doc.add_font(&title) };
    let show = |ops: &mut Vec<Op>, line: &Line| {
        let font = match line.face {
            Face::Body => body_id.clone(),
            Face::Title => title_id.clone(),
        };
        // The baseline sits so that the glyphs are centred in the line's leading.
        let baseline = PAGE_H - TOP - line.top - (line.leading + line.size * 0.76) / 2.0;
        ops.extend([
            Op::StartTextSection,
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(line.size) },
            Op::SetCharacterSpacing { multiplier: line.spacing },
            Op::SetTextCursor { pos: Point { x: Pt(line.x), y: Pt(baseline) } },
            Op::ShowText { items: vec![TextItem::Text(line.text.clone())] },
            Op::EndTextSection,
        ]);
    };
    let pages: Vec<PdfPage> = layout_with(html, &body, &title)
        .iter()
        .map(|page| {
            let mut ops = Vec::new();
            for line in page.lines.iter().chain(&page.folio) {
                show(&mut ops, line);
            }
            // The frames of a form's rows: the row's box and the line between its columns.
            let framed: Vec<&Line> = page.lines.iter().filter(|l| l.frame.is_some()).collect();
            if !framed.is_empty() {
                ops.push(Op::SetOutlineThickness { pt: Pt(0.75) });
            }
            for line in framed {
                let top = PAGE_H - TOP - (line.top - CELL_PAD);
                let bottom = top - line.frame.unwrap_or_default();
                let point = |x: f32, y: f32| printpdf::LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
                let (left, right, split) = (LEFT, LEFT + MEASURE, LEFT + LABEL_WIDTH);
                ops.push(Op::DrawLine {
                    line: printpdf::Line {
                        points: vec![point(left, top), point(right, top), point(right, bottom), point(left, bottom)],
                        is_closed: true,
                    },
                });
                ops.push(Op::DrawLine {
                    line: printpdf::Line { points: vec![point(split, top), point(split, bottom)], is_closed: false },
                });
            }
            PdfPage::new(Mm(210.0), Mm(297.0), ops)
        })
        .collect();
    let options = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
}

/// The PDF of a document's HTML with one `font` for body and title, dated now. Prefer
/// [`render_pdf`] with the document's issue time and [`Fonts::from_env`].
pub fn to_pdf(html: &str, title: &str, font: &FontSource) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::single(font.clone());
    render_pdf(html, &PdfOptions { title, fonts: &fonts, created: OffsetDateTime::now_utc() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every character one unit wide, Latin letters and spaces half.
    fn unit(c: char) -> f32 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    fn width(line: &str) -> f32 {
        line.chars().map(unit).sum()
    }

    #[test]
    fn a_closing_run_at_the_margin_carries_the_character_before_it_down() {
        // Ten characters fit; "）；" would make the line 12 wide. Before 避头尾 the marks hung
        // into the margin; now "十）；" starts the next line.
        let lines = wrap("一二三四五六七八九十）；甲乙", 10.0, 10.0, unit);
        assert_eq!(lines, ["一二三四五六七八九", "十）；甲乙"]);
        // Opening punctuation does not end a line: "（" goes down with what it opens.
        let lines = wrap("一二三四五六七八九（十）", 10.0, 10.0, unit);
        assert_eq!(lines, ["一二三四五六七八九", "（十）"]);
        // A form's check box goes down with its choice.
        let lines = wrap("□一二三　□四五六七□八九", 10.0, 10.0, unit);
        assert_eq!(lines, ["□一二三　□四五六七", "□八九"]);
        // A standard's name stays whole; the space at the break is dropped.
        let lines = wrap("一二三四五六七八 GB/T 9704", 10.0, 10.0, unit);
        assert_eq!(lines, ["一二三四五六七八", "GB/T 9704"]);
    }

    /// A text like a letter's: characters, words, spaces, at most three marks in a row.
    fn letterlike() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            6 => proptest::sample::select(vec!["本", "机", "关", "信", "息", "公", "开", "条", "例", "第"]).prop_map(str::to_owned),
            // Punctuation follows a character, as in any real letter: runs of closing marks are
            // at most two long ("）；"), which the rules can always carry to the next line.
            2 => proptest::sample::select(vec!["，", "。", "；", "）；", "》，", "”。", "、", "）", "……"])
                .prop_map(|p| format!("息{p}")),
            2 => proptest::sample::select(vec!["（", "《", "“", "〔"]).prop_map(str::to_owned),
            1 => "[A-Za-z0-9]{1,12}".prop_map(|w| format!(" {w} ")),
        ];
        proptest::collection::vec(token, 0..200).prop_map(|t| t.concat())
    }

    proptest! {
        #[test]
        fn every_line_fits_and_no_line_starts_with_closing_punctuation(
            text in letterlike(),
            measure in 12u8..30,
            indent in 0u8..3,
        ) {
            let measure = f32::from(measure);
            let first = measure - f32::from(indent);
            let lines = wrap(&text, first, measure, unit);
            for (n, line) in lines.iter().enumerate() {
                let limit = if n == 0 { first } else { measure };
                prop_assert!(width(line) <= limit + 0.01, "line {n} {line:?} is {} wide, more than {limit}", width(line));
                if n > 0 {
                    prop_assert!(!line.starts_with(closing), "line {n} starts with closing punctuation: {lines:?}");
                    prop_assert!(!line.starts_with(' '), "line {n} starts with a space: {lines:?}");
                }
                if n + 1 < lines.len() {
                    prop_assert!(!line.ends_with(opening), "line {n} ends with opening punctuation: {lines:?}");
                }
            }
            // Nothing is lost but spaces.
            let squeeze = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            prop_assert_eq!(squeeze(&lines.concat()), squeeze(&text));
        }
    }
}
