//! `doorstep policy`: the visit intervals per special group.

use doorstep_core::i18n::Text;
use doorstep_core::model::Category;
use doorstep_core::store::policy;
use serde_json::json;

use crate::args::PolicyCommand;
use crate::context::Context;
use crate::output::{print_json, CliError};

pub fn run(ctx: &Context, cmd: &PolicyCommand) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let mut p = policy::read(store.conn())?;
    if let PolicyCommand::SetInterval { category, days } = cmd {
        let c = Category::parse(category).map_err(doorstep_core::Error::from)?;
        if *days == 0 || *days > 3650 {
            return Err(CliError::usage(Text::BadDays));
        }
        p.visit_intervals.set(c, *days);
        p.version += 1;
        store.write(|tx, _| policy::write(tx, &p))?;
    }
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
            println!("{:<14} {:>4}", c.code(), i.days(c));
        }
    }
    store.close()?;
    Ok(())
}
