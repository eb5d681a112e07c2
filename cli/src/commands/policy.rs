//! `doorstep policy`: the visit intervals per special group.

use doorstep_core::model::Category;
use doorstep_core::text::Localize;
use serde_json::json;

use crate::args::PolicyCommand;
use crate::context::Context;
use crate::outln;
use crate::output::{pad, print_json, CliError};

pub fn run(ctx: &Context, cmd: &PolicyCommand) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let p = match cmd {
        PolicyCommand::Show => store.policy()?,
        PolicyCommand::SetInterval { category, days } => {
            let c = Category::parse(category).map_err(doorstep_core::Error::from)?;
            store.set_visit_interval(c, *days)?
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
