//! The layout of a recipient's envelope: its personal fields, postcard-encoded. Three views
//! of one layout: borrowed for writing (no copies), owned for a full read, and a borrowed view
//! for scanning lists (no allocation per row).

use chrono::NaiveDate;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

use crate::model::{
    CardStatus, Category, CategorySet, Datum, DivisionCode, Enrolment, Gender, Guardian, IdNumber,
    Location, Phone, Recipient,
};

/// Version of the layout below; part of the envelope's associated data. A new layout gets a
/// new number and the reader keeps decoding the old one.
pub const FORMAT: u16 = 1;

/// Field order is the format: never reorder, only add a new FORMAT.
#[derive(Serialize)]
struct SecretRefV1<'a> {
    name: &'a str,
    id_number: &'a str,
    gender: Gender,
    /// Days since 0001-01-01 (CE): four bytes instead of a date string.
    birth_days: i32,
    categories: &'a [Category],
    address: &'a str,
    location: Option<(f64, f64, Datum)>,
    phone: Option<&'a str>,
    guardian: Option<(&'a str, &'a str, Option<&'a str>)>,
    enrolments: EnrolmentsRef<'a>,
    card_status: CardStatus,
}

/// Enrolments as a sequence of `(code, short_name, amount_fen, protected)` tuples.
struct EnrolmentsRef<'a>(&'a [Enrolment]);

impl Serialize for EnrolmentsRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&(&e.code, &e.short_name, e.amount_fen, e.protected))?;
        }
        seq.end()
    }
}

#[derive(Deserialize)]
struct SecretV1 {
    name: String,
    id_number: String,
    gender: Gender,
    birth_days: i32,
    categories: Vec<Category>,
    address: String,
    location: Option<(f64, f64, Datum)>,
    phone: Option<String>,
    guardian: Option<(String, String, Option<String>)>,
    enrolments: Vec<(String, String, i64, bool)>,
    card_status: CardStatus,
}

/// The fields a list needs, borrowed from the decrypted buffer. Every field of the layout is
/// still parsed, in order (a damaged envelope fails here as in a full read); those a list does
/// not show are parsed and dropped (`_`), enrolments only counted.
#[derive(Deserialize)]
pub struct RecipientView<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    _gender: Gender,
    _birth_days: i32,
    pub categories: CategorySet,
    _address: &'a str,
    location: Option<(f64, f64, Datum)>,
    _phone: Option<&'a str>,
    _guardian: Option<(&'a str, &'a str, Option<&'a str>)>,
    _enrolments: EnrolmentCount,
    pub card_status: CardStatus,
}

// Personal fields: Debug shows none of them.
impl std::fmt::Debug for RecipientView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientView").finish_non_exhaustive()
    }
}

impl RecipientView<'_> {
    pub fn location(&self) -> Option<Location> {
        self.location
            .map(|(lat, lon, datum)| Location { lat, lon, datum })
    }
}

/// Walks the enrolment sequence without keeping it.
#[derive(Debug, Clone, Copy)]
pub struct EnrolmentCount(#[allow(dead_code)] pub usize);

impl<'de> Deserialize<'de> for EnrolmentCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = EnrolmentCount;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence of enrolments")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<EnrolmentCount, A::Error> {
                let mut n = 0;
                while seq
                    .next_element::<(&'de str, &'de str, i64, bool)>()?
                    .is_some()
                {
                    n += 1;
                }
                Ok(EnrolmentCount(n))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Appends the encoded fields to `buf`; false if they cannot be encoded.
pub fn encode_into(r: &Recipient, buf: &mut Vec<u8>) -> bool {
    match postcard::to_extend(&secret_of(r), std::mem::take(buf)) {
        Ok(v) => {
            *buf = v;
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
pub fn encode(r: &Recipient) -> Option<Vec<u8>> {
    postcard::to_allocvec(&secret_of(r)).ok()
}

fn secret_of(r: &Recipient) -> SecretRefV1<'_> {
    use chrono::Datelike;
    SecretRefV1 {
        name: &r.name,
        id_number: r.id_number.as_str(),
        gender: r.gender,
        birth_days: r.birth_date.num_days_from_ce(),
        categories: &r.categories,
        address: &r.address,
        location: r.location.map(|l| (l.lat, l.lon, l.datum)),
        phone: r.phone.as_ref().map(Phone::as_str),
        guardian: r.guardian.as_ref().map(|g| {
            (
                g.name.as_str(),
                g.relation.as_str(),
                g.phone.as_ref().map(Phone::as_str),
            )
        }),
        enrolments: EnrolmentsRef(&r.enrolments),
        card_status: r.card_status,
    }
}

pub fn decode(
    id: String,
    village: String,
    last_visit: Option<NaiveDate>,
    plain: &[u8],
) -> Option<Recipient> {
    let s: SecretV1 = postcard::from_bytes(plain).ok()?;
    Some(Recipient {
        id,
        name: s.name,
        // Validated before it was sealed; the envelope is authenticated.
        id_number: IdNumber::trusted(s.id_number),
        gender: s.gender,
        birth_date: NaiveDate::from_num_days_from_ce_opt(s.birth_days)?,
        categories: s.categories,
        village: DivisionCode::trusted(village),
        address: s.address,
        location: s
            .location
            .map(|(lat, lon, datum)| Location { lat, lon, datum }),
        phone: s.phone.map(Phone::trusted),
        guardian: s.guardian.map(|(name, relation, phone)| Guardian {
            name,
            relation,
            phone: phone.map(Phone::trusted),
        }),
        enrolments: s
            .enrolments
            .into_iter()
            .map(|(code, short_name, amount_fen, protected)| Enrolment {
                code,
                short_name,
                amount_fen,
                protected,
            })
            .collect(),
        card_status: s.card_status,
        last_visit,
    })
}

pub fn view(plain: &[u8]) -> Option<RecipientView<'_>> {
    postcard::from_bytes(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::recipient;

    #[test]
    fn the_three_views_agree() {
        let mut r = recipient("R1", "王秀兰", 1);
        r.guardian = Some(Guardian {
            name: "王强".into(),
            relation: "儿子".into(),
            phone: Some(Phone::parse("13912345678").expect("phone")),
        });
        let bytes = encode(&r).expect("encode");
        let back = decode("R1".into(), r.village.as_str().into(), None, &bytes).expect("decode");
        assert_eq!(back, r);
        let v = view(&bytes).expect("view");
        assert_eq!(v.name, "王秀兰");
        assert_eq!(v.id_number, r.id_number.as_str());
        assert_eq!(v.categories.to_vec(), r.categories);
        assert_eq!(v._enrolments.0, 1);
        assert_eq!(v.location(), r.location);
        assert_eq!(v._guardian.map(|g| g.1), Some("儿子"));
    }

    #[test]
    fn truncated_bytes_do_not_decode() {
        let bytes = encode(&recipient("R1", "王秀兰", 1)).expect("encode");
        assert!(decode(
            "R1".into(),
            "410225100201".into(),
            None,
            &bytes[..bytes.len() / 2]
        )
        .is_none());
        assert!(view(&bytes[..bytes.len() / 2]).is_none());
    }
}
