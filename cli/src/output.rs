//! Printing: tables for people, JSON for scripts, and errors in the user's language (as JSON on
//! stderr with `--json`). Error text comes from the core's catalogue and carries no personal data.

use std::process::ExitCode;

use doorstep_core::error::ErrorCode;

use doorstep_core::roster::RowError;
use doorstep_core::text::{Lang, Localize, Text};
use serde_json::{json, Value};

/// A failure of a command: the core's, or a usage problem found by the shell (a catalogue
/// text and the value for its placeholder, if it has one).
#[derive(Debug)]
pub enum CliError {
    Core(doorstep_core::Error),
    Usage(Text, String),
    /// `verify` found problems; it already said which.
    VerifyFailed,
    /// The server or an operator command failed (messages carry no personal data).
    Server(String),
    /// An operator command was refused.
    Admin(doorstep_server::admin::AdminError),
}

impl CliError {
    pub fn usage(text: Text) -> Self {
        CliError::Usage(text, String::new())
    }

    pub fn usage_with(text: Text, value: &str) -> Self {
        CliError::Usage(text, value.to_owned())
    }
}

impl From<doorstep_core::Error> for CliError {
    fn from(e: doorstep_core::Error) -> Self {
        CliError::Core(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Core(e.into())
    }
}

/// A stable, machine-readable name for each kind of failure.
fn kind(e: &CliError) -> &'static str {
    match e {
        CliError::Usage(..) => "usage",
        CliError::VerifyFailed => "verify_failed",
        CliError::Server(_) | CliError::Admin(_) => "server",
        CliError::Core(e) => match e.code() {
            // One kind for every failure of the sync protocol, as scripts have known it.
            ErrorCode::NotEnrolled
            | ErrorCode::AlreadyEnrolled
            | ErrorCode::Unreachable
            | ErrorCode::Refused
            | ErrorCode::ClockSkew
            | ErrorCode::Protocol => "sync",
            other => other.as_str(),
        },
    }
}

pub fn row_json(e: &RowError, lang: Lang) -> Value {
    json!({ "line": e.line, "field": e.field, "reason": e.problem.localize(lang) })
}

pub fn fail(json_mode: bool, e: &CliError, lang: Lang) -> ExitCode {
    let message = match e {
        CliError::Usage(t, v) => t.fill(lang, v),
        CliError::VerifyFailed => Text::NotVerified.get(lang).to_owned(),
        CliError::Core(c) => c.localize(lang),
        CliError::Server(m) => m.clone(),
        CliError::Admin(a) => a.localize(lang),
    };
    let rows = match e {
        CliError::Core(doorstep_core::Error::InvalidRows(rows)) => rows.as_slice(),
        _ => &[],
    };
    if json_mode {
        let mut err = json!({ "kind": kind(e), "message": message });
        if !rows.is_empty() {
            err["rows"] = rows.iter().map(|r| row_json(r, lang)).collect();
        }
        eprintln!("{}", json!({ "error": err }));
    } else {
        eprintln!("{}: {message}", Text::ErrorPrefix.get(lang));
        for r in rows {
            eprintln!("  {}", r.localize(lang));
        }
    }
    match e {
        // A bad argument, whether the shell or the core's validation found it.
        CliError::Usage(..) | CliError::Core(doorstep_core::Error::Invalid(_)) => ExitCode::from(2),
        CliError::Core(_) | CliError::VerifyFailed | CliError::Server(_) | CliError::Admin(_) => {
            ExitCode::FAILURE
        }
    }
}

/// Writes one line to stdout. A closed pipe (`doorstep roster list | head`) ends the process
/// quietly: everything the command wrote to the store is already committed.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Any other failure (a full disk behind a redirect) must not pass for success.
        eprintln!("{e}");
        std::process::exit(1);
    }
}

/// `println!` that survives a closed pipe (see `write_line`).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::write_line(format_args!($($arg)*)) };
}

pub fn print_json(v: &Value) {
    outln!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON values always serialise")
    );
}

/// A warning on stderr: one JSON object per line with `--json`, text otherwise.
pub fn warn(json_mode: bool, kind: &str, message: &str, ids: &[String]) {
    if json_mode {
        eprintln!(
            "{}",
            json!({ "warning": { "kind": kind, "message": message, "ids": ids } })
        );
    } else if ids.is_empty() {
        eprintln!("{message}");
    } else {
        eprintln!("{message}: {}", ids.join(", "));
    }
}

/// Pads `s` to `width` display columns (CJK characters take two).
pub fn pad(s: &str, width: usize) -> String {
    let w: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}
