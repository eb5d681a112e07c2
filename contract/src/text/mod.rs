//! The catalogue of every string shown to people, Simplified Chinese first, English second:
//! the words for each value a screen shows (categories, card states, outcomes, steps, flags
//! with their measurements, missing items, errors) and the labels of every shell's screens
//! (phone apps, CLI, web app). Each shell says the same thing in the same words because it
//! asks here; nothing else in the workspace holds a string meant for a person.

mod errors;
mod labels;
mod values;

pub use labels::Text;
pub use values::flag_kind;

/// The language a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// From a locale such as `DOORSTEP_LANG`, `LANG` or a phone's: English for `en…`,
    /// Chinese otherwise.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// Something that can be said to a person.
pub trait Localize {
    fn localize(&self, lang: Lang) -> String;
}

pub(crate) fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests;
