//! Rendering a document's context through its template: the built-in Chinese templates,
//! or an agency's own from the template directory.
//!
//! Templates are Jinja (minijinja), HTML-escaped, and extend a shared layout `base.html`
//! (A4 page, 仿宋/宋体 font stack, issuing agency, title, number, addressee, signature and
//! date). An agency overrides any of them by placing a file of the same name in
//! `<template dir>/<agency code>/` (e.g. `FOI_TEMPLATE_DIR=/etc/foi/templates` and
//! `/etc/foi/templates/youxian/reply.html`); the others stay built in. A template that does
//! not parse or render is a [`DocError::Template`] naming the file and line; a reply or
//! "not handled" notice whose output lacks the remedy clause is refused
//! ([`DocError::RemedyClauseMissing`]), so an override cannot drop it (rules.md §5).

use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use sha2::{Digest, Sha256};

use crate::facts::DocumentContext;
use crate::{DocumentKind, text};

/// The environment variable naming the template directory.
pub const TEMPLATE_DIR_ENV: &str = "FOI_TEMPLATE_DIR";

/// The layout every template extends.
pub const BASE_TEMPLATE: &str = "base.html";

/// The built-in templates: (file name, source).
const BUILT_IN: [(&str, &str); 11] = [
    (BASE_TEMPLATE, include_str!("../templates/base.html")),
    ("receipt.html", include_str!("../templates/receipt.html")),
    ("correction_notice.html", include_str!("../templates/correction_notice.html")),
    ("extension_notice.html", include_str!("../templates/extension_notice.html")),
    ("consultation_letter.html", include_str!("../templates/consultation_letter.html")),
    ("fee_notice.html", include_str!("../templates/fee_notice.html")),
    ("not_handled_notice.html", include_str!("../templates/not_handled_notice.html")),
    ("reply.html", include_str!("../templates/reply.html")),
    ("proof_of_service.html", include_str!("../templates/proof_of_service.html")),
    ("approval_sheet.html", include_str!("../templates/approval_sheet.html")),
    ("application_form.html", include_str!("../templates/application_form.html")),
];

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// A template does not parse, or fails while rendering.
    #[error("template {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The template file: a path for an override, `built-in reply.html` otherwise.
        file: String,
        /// The line of the error, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The template directory or an override in it cannot be read.
    #[error("cannot read the template {path}: {message}; fix the file or {TEMPLATE_DIR_ENV}")]
    Unreadable {
        /// The path.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A reply or "not handled" notice rendered without the remedy clause (rules.md §5).
    #[error(
        "template {file} left out the remedy clause, which every reply and \"not handled\" notice must carry \
         (rules.md §5): print {{{{ remedy.text }}}} in it"
    )]
    RemedyClauseMissing {
        /// The template file of the document.
        file: String,
    },
}

/// A rendered document, ready to store and print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The kind.
    pub kind: DocumentKind,
    /// The title printed on it.
    pub title: String,
    /// Its number (or `〔待编号〕` in a preview).
    pub number: String,
    /// The printable HTML.
    pub html: String,
    /// The lower-case hex SHA-256 of the HTML's UTF-8 bytes.
    pub sha256: String,
}

/// The lower-case hex SHA-256 of `html`, as stored beside an issued document.
pub fn sha256_hex(html: &str) -> String {
    Sha256::digest(html.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders documents: the built-in templates, overridden per agency from a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renderer {
    template_dir: Option<PathBuf>,
}

impl Renderer {
    /// The built-in templates only.
    pub fn built_in() -> Renderer {
        Renderer { template_dir: None }
    }

    /// The built-in templates, overridden by `<dir>/<agency code>/<name>.html` where present.
    pub fn with_template_dir(dir: impl Into<PathBuf>) -> Renderer {
        Renderer { template_dir: Some(dir.into()) }
    }

    /// The renderer `foi` runs with: the directory named by `FOI_TEMPLATE_DIR`, if set and
    /// not empty; otherwise the built-in templates.
    pub fn from_env() -> Renderer {
        match std::env::var_os(TEMPLATE_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Renderer::with_template_dir(PathBuf::from(dir)),
            _ => Renderer::built_in(),
        }
    }

    /// The template directory, if any.
    pub fn template_dir(&self) -> Option<&Path> {
        self.template_dir.as_deref()
    }

    /// The override of `name` for the agency, if the directory has one.
    fn override_of(&self, agency_code: &str, name: &str) -> Result<Option<(PathBuf, String)>, DocError> {
        let Some(dir) = &self.template_dir else { return Ok(None) };
        // Agency codes are plain identifiers; anything else never names a directory.
        if agency_code.is_empty() || !agency_code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Ok(None);
        }
        if !dir.is_dir() {
            return Err(DocError::Unreadable { path: dir.display().to_string(), message: "not a directory".into() });
        }
        let path = dir.join(agency_code).join(name);
        match std::fs::read_to_string(&path) {
            Ok(source) => Ok(Some((path, source))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DocError::Unreadable { path: path.display().to_string(), message: e.to_string() }),
        }
    }

    /// The templates for `agency_code`: every built-in one, replaced by its override where
    /// there is one, with the file each came from.
    fn environment(&self, agency_code: &str) -> Result<(Environment<'static>, Vec<(String, String)>), DocError> {
        let mut env = Environment::new();
        // A misspelt variable in an override is an error at issue time, not a blank.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        let mut files = Vec::new();
        for (name, source) in BUILT_IN {
            let (file, source) = match self.override_of(agency_code, name)? {
                Some((path, source)) => (path.display().to_string(), source),
                None => (format!("built-in {name}"), source.to_owned()),
            };
            env.add_template_owned(name, source).map_err(|e| template_error(&file, &e))?;
            files.push((name.to_owned(), file));
        }
        Ok((env, files))
    }

    /// Checks that every template of the agency parses (built-in and overrides).
    pub fn check(&self, agency_code: &str) -> Result<(), DocError> {
        self.environment(agency_code).map(|_| ())
    }

    /// Renders `context` with the agency's template for its kind.
    pub fn render(&self, context: &DocumentContext) -> Result<Rendered, DocError> {
        let kind = context.kind;
        let (env, files) = self.environment(&context.agency.code)?;
        let file_of =
            |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, f)| f.clone()).unwrap_or_else(|| name.into());
        let template =
            env.get_template(kind.template_name()).map_err(|e| template_error(&file_of(kind.template_name()), &e))?;
        let html = template.render(Value::from(Serde(context))).map_err(|e| {
            let name = e.name().unwrap_or(kind.template_name()).to_owned();
            template_error(&file_of(&name), &e)
        })?;
        if kind.needs_remedy_clause() {
            let clause = context.remedy.as_ref().map(|r| r.text.as_str()).unwrap_or_default();
            if clause.is_empty() || !text::contains_text(&html, clause) {
                return Err(DocError::RemedyClauseMissing { file: file_of(kind.template_name()) });
            }
        }
        Ok(Rendered {
            kind,
            title: context.title.clone(),
            number: context.number.clone(),
            sha256: sha256_hex(&html),
            html,
        })
    }
}

fn template_error(file: &str, e: &minijinja::Error) -> DocError {
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    DocError::Template { file: file.to_owned(), line: e.line(), message }
}
