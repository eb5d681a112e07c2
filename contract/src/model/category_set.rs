//! A set of special-group categories in one byte. Encodes exactly like `Vec<Category>` (a
//! sequence of variant indexes), so a stored list decodes into it without allocating.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::Category;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategorySet(u8);

fn bit(c: Category) -> u8 {
    1 << (c as u8)
}

impl CategorySet {
    pub fn contains(self, c: Category) -> bool {
        self.0 & bit(c) != 0
    }

    pub fn insert(&mut self, c: Category) {
        self.0 |= bit(c);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |&c| self.contains(c))
    }

    pub fn to_vec(self) -> Vec<Category> {
        self.iter().collect()
    }
}

impl FromIterator<Category> for CategorySet {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        let mut s = CategorySet::default();
        for c in iter {
            s.insert(c);
        }
        s
    }
}

impl<'de> Deserialize<'de> for CategorySet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = CategorySet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of categories")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CategorySet, A::Error> {
                let mut s = CategorySet::default();
                while let Some(c) = seq.next_element::<Category>()? {
                    s.insert(c);
                }
                Ok(s)
            }
        }
        d.deserialize_seq(SetVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_a_vec_of_categories_encodes() {
        let v = vec![Category::Elderly, Category::Minor];
        let bytes = postcard::to_allocvec(&v).expect("encode");
        let s: CategorySet = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(s.to_vec(), v);
        assert!(s.contains(Category::Minor) && !s.contains(Category::Disabled));
    }
}
