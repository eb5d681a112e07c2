//! Card-activation checklist templates: versioned, bilingual. A visit records which template
//! version it answered, so changing the template never changes what an old visit meant.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// At most this many questions in one template, and this many characters in a question or a
/// title: a worker answers every one on a small screen at the door.
pub const MAX_ITEMS: usize = 40;
pub const MAX_LABEL_CHARS: usize = 200;

/// A string shown to people, Simplified Chinese first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub zh: String,
    pub en: String,
}

impl Label {
    fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable key answers refer to; never reused for a different question.
    pub key: String,
    pub label: Label,
    /// Only asked when a proxy acts for the recipient (minors, people who cannot act).
    pub proxy_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistTemplate {
    pub version: u32,
    pub title: Label,
    pub items: Vec<ChecklistItem>,
}

impl ChecklistTemplate {
    /// Whether a device can ask this template: one to [`MAX_ITEMS`] questions, each with a
    /// key used once and its words in both languages, none longer than [`MAX_LABEL_CHARS`];
    /// a title in both languages.
    pub fn validate(&self) -> Result<(), Invalid> {
        let label_ok = |l: &Label| {
            [&l.zh, &l.en]
                .iter()
                .all(|s| !s.trim().is_empty() && s.chars().count() <= MAX_LABEL_CHARS)
        };
        let mut keys: Vec<&str> = self.items.iter().map(|i| i.key.as_str()).collect();
        keys.sort_unstable();
        let unique = keys.windows(2).all(|w| w[0] != w[1]);
        let keys_ok = self.items.iter().all(|i| {
            (1..=64).contains(&i.key.len())
                && i.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
        if (1..=MAX_ITEMS).contains(&self.items.len())
            && unique
            && keys_ok
            && label_ok(&self.title)
            && self.items.iter().all(|i| label_ok(&i.label))
        {
            Ok(())
        } else {
            Err(Invalid::ChecklistItems)
        }
    }

    /// The built-in template, version 1, from the card-activation steps of the policy.
    pub fn builtin() -> Self {
        let item = |key: &str, zh: &str, en: &str, proxy_only: bool| ChecklistItem {
            key: key.to_owned(),
            label: Label::new(zh, en),
            proxy_only,
        };
        Self {
            version: 1,
            title: Label::new("社保卡激活清单", "Card activation checklist"),
            items: vec![
                item("identity_checked", "核验身份", "Identity checked", false),
                item(
                    "card_in_hand",
                    "社保卡在手（或已申领、挂失补办）",
                    "Card in hand (or applied for, or replacement requested)",
                    false,
                ),
                item(
                    "social_security_activated",
                    "激活社保功能",
                    "Social-security function activated",
                    false,
                ),
                item(
                    "bank_activated",
                    "激活金融账户（现场或预约银行上门）",
                    "Bank account activated (in person or bank home service requested)",
                    false,
                ),
                item(
                    "ss_password_changed",
                    "修改社保初始密码",
                    "Social-security password changed from the initial one",
                    false,
                ),
                item(
                    "bank_pin_set",
                    "设置或重置银行密码",
                    "Bank PIN set or reset",
                    false,
                ),
                item(
                    "sms_enabled",
                    "登记手机号并开通资金到账短信",
                    "Phone registered and fund-arrival SMS enabled",
                    false,
                ),
                item(
                    "balance_shown",
                    "教会查询余额",
                    "Shown how to check the balance",
                    false,
                ),
                item(
                    "subsidies_seen",
                    "核对补贴到账",
                    "Subsidies seen arriving on the card",
                    false,
                ),
                item(
                    "guardian_present",
                    "监护人或代理人在场",
                    "Guardian or proxy present",
                    true,
                ),
                item(
                    "documents_seen",
                    "查验户口簿或委托书",
                    "Household register or power of attorney seen",
                    true,
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_keys_are_unique_and_bilingual() {
        let t = ChecklistTemplate::builtin();
        let mut keys: Vec<_> = t.items.iter().map(|i| i.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), t.items.len());
        assert!(t
            .items
            .iter()
            .all(|i| !i.label.zh.is_empty() && i.label.en.is_ascii()));
        assert_eq!(t.items.iter().filter(|i| i.proxy_only).count(), 2);
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn a_template_no_device_could_ask_is_refused() {
        let good = ChecklistTemplate::builtin();
        let mut empty = good.clone();
        empty.items.clear();
        let mut twice = good.clone();
        twice.items.push(good.items[0].clone());
        let mut blank = good.clone();
        blank.items[2].label.en = "  ".into();
        let mut long = good.clone();
        long.items[0].label.zh = "问".repeat(MAX_LABEL_CHARS + 1);
        let mut key = good.clone();
        key.items[0].key = "Card In Hand".into();
        let mut many = good.clone();
        many.items = (0..=MAX_ITEMS)
            .map(|n| ChecklistItem {
                key: format!("q{n}"),
                ..good.items[0].clone()
            })
            .collect();
        let mut untitled = good.clone();
        untitled.title.zh.clear();
        for bad in [empty, twice, blank, long, key, many, untitled] {
            assert_eq!(bad.validate(), Err(Invalid::ChecklistItems));
        }
        let mut most = good.clone();
        most.items.truncate(1);
        most.items[0].label.zh = "问".repeat(MAX_LABEL_CHARS);
        assert_eq!(most.validate(), Ok(()));
    }
}
