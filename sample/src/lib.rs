//! doorstep-sample: a deterministic demo county (兰考县, Lankao, Henan) and its roster of
//! recipients, for the CLI demo, benchmarks and tests. Everyone in it is invented; the same seed
//! always gives the same people.

mod county;
mod csv_out;
mod id_number;
mod media;
mod names;
mod people;
mod rng;
mod subsidies;

pub use county::{lankao, County, Village};
pub use csv_out::to_csv;
pub use id_number::id_number;
pub use media::{photo, signature};
pub use people::generate;
