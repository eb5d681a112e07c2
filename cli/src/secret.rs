//! Passphrases: from an environment variable (scripts) or a hidden prompt on the terminal,
//! never from an argument.

use crate::output::CliError;

/// Reads `var`, or prompts without echo; `confirm` asks twice (for a new passphrase).
pub fn passphrase(var: &str, prompt: &str, confirm: bool) -> Result<String, CliError> {
    if let Ok(p) = std::env::var(var) {
        if p.is_empty() {
            return Err(CliError::usage(format!("{var} is empty")));
        }
        return Ok(p);
    }
    let no_tty = || CliError::usage(format!("no passphrase: set {var} or run in a terminal"));
    let first = rpassword::prompt_password(prompt).map_err(|_| no_tty())?;
    if first.is_empty() {
        return Err(CliError::usage("the passphrase is empty"));
    }
    if confirm {
        let again = rpassword::prompt_password("再次输入 / again: ").map_err(|_| no_tty())?;
        if again != first {
            return Err(CliError::usage("the two passphrases differ"));
        }
    }
    Ok(first)
}
