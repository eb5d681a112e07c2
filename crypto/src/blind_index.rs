//! Blind indexes: HMAC-SHA256 of a normalised value under a per-column key, truncated to 16
//! bytes. They allow exact lookups on encrypted fields (ID number, phone) without storing the
//! value; 128 bits keep collisions out of reach for any roster.

use ring::hmac;

use super::keys::KeySet;

pub const BLIND_INDEX_LEN: usize = 16;

#[derive(Debug, Clone, Copy)]
pub enum BlindIndex {
    IdNumber,
    Phone,
}

impl KeySet {
    /// The blind index of an already normalised value (see `IdNumber`, `Phone`).
    pub fn blind_index(&self, column: BlindIndex, normalised: &str) -> [u8; BLIND_INDEX_LEN] {
        let key = match column {
            BlindIndex::IdNumber => &self.bidx_id_number,
            BlindIndex::Phone => &self.bidx_phone,
        };
        let tag = hmac::sign(key, normalised.as_bytes());
        tag.as_ref()[..BLIND_INDEX_LEN]
            .try_into()
            .expect("HMAC-SHA256 is 32 bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DataKey;

    #[test]
    fn columns_have_separate_keys() {
        let k = KeySet::derive(1, &DataKey::generate().expect("key")).expect("derive");
        let v = "13812345678";
        assert_eq!(
            k.blind_index(BlindIndex::Phone, v),
            k.blind_index(BlindIndex::Phone, v)
        );
        assert_ne!(
            k.blind_index(BlindIndex::Phone, v),
            k.blind_index(BlindIndex::IdNumber, v)
        );
        let other = KeySet::derive(2, &DataKey::generate().expect("key")).expect("derive");
        assert_ne!(
            k.blind_index(BlindIndex::Phone, v),
            other.blind_index(BlindIndex::Phone, v)
        );
    }
}
