//! Passphrases: from an environment variable (scripts) or a hidden prompt on the terminal,
//! never from an argument.

use doorstep_core::i18n::{Lang, Text};

use crate::output::CliError;

/// Reads `var`, or prompts without echo; `confirm` asks twice (for a new passphrase).
pub fn passphrase(var: &str, prompt: Text, confirm: bool, lang: Lang) -> Result<String, CliError> {
    if let Ok(p) = std::env::var(var) {
        if p.is_empty() {
            return Err(CliError::usage_with(Text::VarEmpty, var));
        }
        return Ok(p);
    }
    let no_tty = || CliError::usage_with(Text::NoPassphrase, var);
    let first = rpassword::prompt_password(prompt.get(lang)).map_err(|_| no_tty())?;
    if first.is_empty() {
        return Err(CliError::usage(Text::EmptyPassphrase));
    }
    if confirm {
        let again =
            rpassword::prompt_password(Text::PromptAgain.get(lang)).map_err(|_| no_tty())?;
        if again != first {
            return Err(CliError::usage(Text::PassphrasesDiffer));
        }
    }
    Ok(first)
}
