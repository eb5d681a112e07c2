//! `doorstep policy`: the visit intervals per special group.

use doorstep_core::i18n::Localize;
use doorstep_core::model::Category;
use doorstep_core::policy::Policy;
use doorstep_core::store::policy;
use serde_json::json;

use crate::args::PolicyCommand;
use crate::context::Context;
use crate::outln;
use crate::output::{pad, print_json, CliError};

pub fn run(ctx: &Context, cmd: &PolicyCommand) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let p = match cmd {
        PolicyCommand::Show => policy::read(store.conn())?,
        PolicyCommand::SetInterval { category, days } => {
            let c = Category::parse(category).map_err(doorstep_core::Error::from)?;
            // Read, change and write in one transaction: a concurrent change is not lost.
            store.write(|tx, _| {
                // A damaged record is replaced from the defaults, or it could never be fixed.
                let mut p = match policy::read(tx) {
                    Err(doorstep_core::Error::Corrupt { .. }) => Policy::default(),
                    other => other?,
                };
                p.visit_intervals.set(c, *days)?;
                p.version += 1;
                policy::write(tx, &p)?;
                Ok(p)
            })?
        }
    };
    let i = &p.visit_intervals;
    if ctx.json {
        print_json(&json!({
            "version": p.version,
            "visit_intervals": {
                "elderly": i.elderly, "seriously_ill": i.seriously_ill,
                "disabled": i.disabled, "minor": i.minor,
            }
        }));
    } else {
        for c in Category::ALL {
            outln!("{} {:>4}", pad(&c.localize(ctx.lang), 14), i.days(c));
        }
    }
    store.close()?;
    Ok(())
}
