//! Passphrases: from an environment variable (scripts) or a hidden prompt on the terminal,
//! never from an argument.

use doorstep_core::text::{Lang, Text};

use crate::output::CliError;

/// The shortest new passphrase accepted: the key derivation slows guessing, it cannot make a
/// four-letter word safe on a lost phone.
const MIN_NEW_CHARS: usize = 8;

/// Reads `var`, or prompts without echo. `new` asks twice and enforces the minimum length
/// (only for new passphrases: an existing store opens with whatever it was given).
pub fn passphrase(var: &str, prompt: Text, new: bool, lang: Lang) -> Result<String, CliError> {
    let confirm = new;
    let checked = |p: String| {
        if new && p.chars().count() < MIN_NEW_CHARS {
            Err(CliError::usage_with(
                Text::PassphraseTooShort,
                &MIN_NEW_CHARS.to_string(),
            ))
        } else {
            Ok(p)
        }
    };
    if let Ok(p) = std::env::var(var) {
        if p.is_empty() {
            return Err(CliError::usage_with(Text::VarEmpty, var));
        }
        return checked(p);
    }
    let no_tty = || CliError::usage_with(Text::NoPassphrase, var);
    let first = rpassword::prompt_password(prompt.get(lang)).map_err(|_| no_tty())?;
    if first.is_empty() {
        return Err(CliError::usage(Text::EmptyPassphrase));
    }
    if confirm {
        let again = zeroize::Zeroizing::new(
            rpassword::prompt_password(Text::PromptAgain.get(lang)).map_err(|_| no_tty())?,
        );
        if *again != first {
            return Err(CliError::usage(Text::PassphrasesDiffer));
        }
    }
    checked(first)
}
