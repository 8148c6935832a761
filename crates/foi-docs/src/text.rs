//! The text of a rendered document, read back from its HTML: the blocks a PDF lays out
//! (title, number, paragraphs, signature, page breaks) and the plain text the golden tests
//! compare and the remedy-clause check searches.
//!
//! This reads only the HTML our templates produce (and agencies' overrides of them): block
//! elements start a new block, the `class` of a block says how it is laid out, entities are
//! decoded, `<head>`, `<style>` and `<script>` are skipped. Whitespace is collapsed as a
//! browser does, and a line break next to a Chinese character is dropped, as it is no space.

/// How a block is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockStyle {
    /// The issuing agency's name above the title (class `agency`).
    Agency,
    /// The title (`<h1>`).
    Title,
    /// The document number under the title (class `doc-number`).
    Number,
    /// A paragraph with no first-line indent: the addressee, a list item (classes
    /// `addressee`, `item`, `flush`).
    Flush,
    /// A body paragraph, first line indented by two characters.
    Paragraph,
    /// The signature and date, right-aligned (class `signature`).
    Signature,
    /// A page break (class `page-break`).
    PageBreak,
    /// The label cell of a row of a bordered form (`th` or `td` of class `label`): the
    /// proof of service and the approval sheet.
    Label,
    /// The value cell beside a label (`td` of class `value`).
    Cell,
}

/// One block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// How it is laid out.
    pub style: BlockStyle,
    /// Its text, whitespace collapsed.
    pub text: String,
}

const BLOCK_TAGS: [&str; 22] = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ol",
    "ul",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "header",
    "footer",
    "article",
    "blockquote",
    "br",
    "hr",
];
const SKIPPED: [&str; 4] = ["head", "style", "script", "title"];

fn style_of(tag: &str, class: &str) -> Option<BlockStyle> {
    let has = |c: &str| class.split_whitespace().any(|k| k == c);
    if has("page-break") {
        Some(BlockStyle::PageBreak)
    } else if has("agency") {
        Some(BlockStyle::Agency)
    } else if tag == "h1" || has("title") {
        Some(BlockStyle::Title)
    } else if has("doc-number") {
        Some(BlockStyle::Number)
    } else if has("label") && matches!(tag, "th" | "td") {
        Some(BlockStyle::Label)
    } else if has("value") && matches!(tag, "th" | "td") {
        Some(BlockStyle::Cell)
    } else if has("signature") {
        Some(BlockStyle::Signature)
    } else if has("addressee") || has("item") || has("flush") || tag == "li" {
        Some(BlockStyle::Flush)
    } else if tag == "p" {
        Some(BlockStyle::Paragraph)
    } else {
        None
    }
}

/// The `class` attribute's value in a tag's inside (`p class="x y"`).
fn class_attr(inside: &str) -> String {
    let Some(at) = inside.find("class=") else { return String::new() };
    let rest = &inside[at + 6..];
    let (quote, rest) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
        _ => (None, rest),
    };
    let end = match quote {
        Some(q) => rest.find(q),
        None => rest.find(|c: char| c.is_whitespace() || c == '/'),
    };
    rest[..end.unwrap_or(rest.len())].to_owned()
}

/// Decodes the entity starting after `&` in `rest`; returns the character and the length
/// consumed (after the `&`).
fn entity(rest: &str) -> Option<(char, usize)> {
    let end = rest.find(';').filter(|&e| e <= 10)?;
    let name = &rest[..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// Collapses whitespace: runs become one space; dropped at the ends, and where a line break
/// meets a character outside ASCII (Chinese text has no spaces between words, so a source
/// line break there is no space).
fn collapse(raw: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_whitespace() {
                j += 1;
            }
            let before = out.last().copied();
            let after = chars.get(j).copied();
            let cjk = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
            let line_break = chars[i..j].contains(&'\n');
            if before.is_some() && after.is_some() && !(line_break && (cjk(before) || cjk(after))) {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(if c == '\u{a0}' { ' ' } else { c });
        i += 1;
    }
    out.into_iter().collect()
}

/// The blocks of a document's HTML, in order; empty blocks are left out.
pub fn blocks(html: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, Option<BlockStyle>)> = Vec::new();
    let mut skipping: Option<String> = None;
    let mut buffer = String::new();
    let current = |stack: &[(String, Option<BlockStyle>)]| {
        stack.iter().rev().find_map(|(_, s)| *s).unwrap_or(BlockStyle::Paragraph)
    };
    let flush = |buffer: &mut String, style: BlockStyle, out: &mut Vec<Block>| {
        let text = collapse(buffer);
        buffer.clear();
        if !text.is_empty() {
            out.push(Block { style, text });
        }
    };
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let Some(close) = rest.find('>') else { break };
            let inside = rest[1..close].trim();
            rest = &rest[close + 1..];
            if inside.starts_with('!') || inside.starts_with('?') {
                continue;
            }
            let closing = inside.starts_with('/');
            let name: String = inside
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(skipped) = &skipping {
                if closing && name == *skipped {
                    skipping = None;
                }
                continue;
            }
            if !closing && SKIPPED.contains(&name.as_str()) && !inside.ends_with('/') {
                skipping = Some(name);
                continue;
            }
            if !BLOCK_TAGS.contains(&name.as_str()) {
                continue;
            }
            flush(&mut buffer, current(&stack), &mut out);
            if closing {
                if let Some(at) = stack.iter().rposition(|(n, _)| *n == name) {
                    stack.truncate(at);
                }
            } else {
                let style = style_of(&name, &class_attr(inside));
                if style == Some(BlockStyle::PageBreak) {
                    out.push(Block { style: BlockStyle::PageBreak, text: String::new() });
                }
                let void = matches!(name.as_str(), "br" | "hr") || inside.ends_with('/');
                if !void && style != Some(BlockStyle::PageBreak) {
                    stack.push((name, style));
                } else if !void {
                    stack.push((name, None));
                }
            }
            continue;
        }
        if skipping.is_some() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '&'
            && let Some((decoded, len)) = entity(&rest[1..])
        {
            buffer.push(decoded);
            rest = &rest[1 + len..];
            continue;
        }
        buffer.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut buffer, current(&stack), &mut out);
    out
}

/// The plain text of a document: one line per block, a form feed for a page break.
pub fn text_content(html: &str) -> String {
    blocks(html)
        .into_iter()
        .map(|b| if b.style == BlockStyle::PageBreak { "\u{c}".to_owned() } else { b.text })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the document's text contains `needle`, whitespace aside (a template may wrap a
/// sentence across lines).
pub fn contains_text(html: &str, needle: &str) -> bool {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let needle = squeeze(needle);
    !needle.is_empty() && squeeze(&text_content(html)).contains(&needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_a_letter() {
        let html = r#"<!DOCTYPE html><html><head><title>x</title><style>p { color: red; }</style></head>
<body><div class="agency">绵阳市游仙区人民政府</div>
<h1>政府信息公开申请答复书</h1><div class="doc-number">游府信答〔2026〕1号</div>
<p class="addressee">张三：</p>
<p>本机关于
   2026年10月9日收到 A &amp; B 的申请&#xff0c;“&lt;预算&gt;”。</p>
<p class="item">1. 第一项</p>
<div class="page-break"></div>
<div class="signature-block"><p class="signature">绵阳市游仙区人民政府</p><p class="signature">2026年10月9日</p></div>
</body></html>"#;
        let got: Vec<(BlockStyle, String)> = blocks(html).into_iter().map(|b| (b.style, b.text)).collect();
        let got: Vec<(BlockStyle, &str)> = got.iter().map(|(s, t)| (*s, t.as_str())).collect();
        assert_eq!(
            got,
            [
                (BlockStyle::Agency, "绵阳市游仙区人民政府"),
                (BlockStyle::Title, "政府信息公开申请答复书"),
                (BlockStyle::Number, "游府信答〔2026〕1号"),
                (BlockStyle::Flush, "张三："),
                (BlockStyle::Paragraph, "本机关于2026年10月9日收到 A & B 的申请，“<预算>”。"),
                (BlockStyle::Flush, "1. 第一项"),
                (BlockStyle::PageBreak, ""),
                (BlockStyle::Signature, "绵阳市游仙区人民政府"),
                (BlockStyle::Signature, "2026年10月9日"),
            ]
        );
        let text = text_content(html);
        assert!(text.starts_with("绵阳市游仙区人民政府\n政府信息公开申请答复书\n"));
        assert!(contains_text(html, "A & B 的申请，“<预算>”"));
        assert!(!contains_text(html, "color"));
        assert!(!contains_text(html, ""));
    }

    #[test]
    fn odd_html_never_panics() {
        for html in ["<", "<p", "&", "&#xzz;", "&#99999999;", "<p class=>x</p>", "</div></p>text", "<style>x"] {
            let _ = blocks(html);
        }
        assert_eq!(text_content("a<br>b<br/>c"), "a\nb\nc");
    }
}
