//! Card-activation checklist templates: versioned, bilingual. A visit records which template
//! version it answered, so changing the template never changes what an old visit meant.

use serde::{Deserialize, Serialize};

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
    }
}
