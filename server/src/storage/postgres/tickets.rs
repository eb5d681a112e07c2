//! The ledger's rows on PostgreSQL: tickets entered from visit records, moved by a step,
//! read back, and their changes for the device that raised them.

use deadpool_postgres::{Client, GenericClient};

use super::{audit_in, rows, schema};
use crate::ledger::{Step, TicketRow, TicketState};
use crate::storage::rules::{self, code_of};
use crate::storage::stored::{self, finish_ticket, StoredTicket, TICKET_COLUMNS};
use crate::storage::{IncomingVisit, Result, StorageError, TicketUpdate};

fn ticket_row(r: &tokio_postgres::Row) -> std::result::Result<StoredTicket, tokio_postgres::Error> {
    Ok(StoredTicket {
        id: r.try_get(0)?,
        visit_id: r.try_get(1)?,
        village: r.try_get(2)?,
        kind: r.try_get(3)?,
        urgency: r.try_get(4)?,
        description: r.try_get(5)?,
        state: r.try_get(6)?,
        department: r.try_get(7)?,
        reply: r.try_get(8)?,
        outcome: r.try_get(9)?,
        due: r.try_get(10)?,
    })
}

async fn next_version(tx: &impl GenericClient) -> Result<i64> {
    Ok(tx
        .query_one(
            "SELECT coalesce(max(version), 0)::BIGINT + 1 FROM tickets",
            &[],
        )
        .await?
        .try_get(0)?)
}

/// Enters a new visit's tickets in the ledger as accepted (受理), due as the device set.
pub(super) async fn enter(tx: &impl GenericClient, v: &IncomingVisit, village: &str) -> Result<()> {
    let r = &v.record;
    if r.tickets.is_empty() {
        return Ok(());
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let put = tx
        .prepare_cached(
            "INSERT INTO tickets (id, visit_id, number, device_id, area, village, kind,
                 urgency, description, state, due, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'accepted', $10, $11, $12)
             ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    for t in &r.tickets {
        let version = next_version(tx).await?;
        tx.execute(
            &put,
            &[
                &rules::ticket_id(&r.visit_id, t.number),
                &r.visit_id,
                &i64::from(t.number),
                &v.device_id,
                &v.area,
                &village,
                &code_of(&t.kind),
                &code_of(&t.urgency),
                &t.description,
                &t.due.to_string(),
                &v.now,
                &version,
            ],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn ticket_in(
    c: &impl GenericClient,
    id: &str,
    area: Option<&str>,
) -> Result<Option<TicketRow>> {
    let area = area.unwrap_or("");
    let st = c
        .prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1 AND village >= $2 AND village < $3"
        ))
        .await?;
    let r = c
        .query_opt(&st, &[&id, &area, &rules::area_end(area)])
        .await?;
    r.map(|r| finish_ticket(ticket_row(&r)?)).transpose()
}

pub(super) async fn advance(
    c: &mut Client,
    id: &str,
    from: TicketState,
    step: &Step,
    actor: &str,
    now: i64,
) -> Result<TicketRow> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let version = next_version(&tx).await?;
    let to = step.moves_to().code();
    let n = match step {
        Step::Transfer { department, due } => {
            tx.execute(
                "UPDATE tickets SET state = $3, department = $4, due = $5, updated_at = $6,
                     version = $7 WHERE id = $1 AND state = $2",
                &[
                    &id,
                    &from.code(),
                    &to,
                    department,
                    &due.to_string(),
                    &now,
                    &version,
                ],
            )
            .await?
        }
        Step::Reply { text, due } => {
            tx.execute(
                "UPDATE tickets SET state = $3, reply = $4, due = $5, updated_at = $6,
                     version = $7 WHERE id = $1 AND state = $2",
                &[
                    &id,
                    &from.code(),
                    &to,
                    text,
                    &due.to_string(),
                    &now,
                    &version,
                ],
            )
            .await?
        }
        Step::Close { outcome } => {
            tx.execute(
                "UPDATE tickets SET state = $3, outcome = $4, updated_at = $5, version = $6
                 WHERE id = $1 AND state = $2",
                &[&id, &from.code(), &to, outcome, &now, &version],
            )
            .await?
        }
    };
    if n != 1 {
        return Err(StorageError::Changed);
    }
    audit_in(&tx, actor, &format!("ticket:{to}"), id, now).await?;
    let row = ticket_in(&tx, id, None)
        .await?
        .ok_or(StorageError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub(super) async fn tickets_in(c: &impl GenericClient, area: &str) -> Result<Vec<TicketRow>> {
    let found = c
        .query(
            &format!(
                "SELECT {TICKET_COLUMNS} FROM tickets WHERE village >= $1 AND village < $2
                 ORDER BY due, id"
            ),
            &[&area, &rules::area_end(area)],
        )
        .await?;
    rows(found, ticket_row)?
        .into_iter()
        .map(finish_ticket)
        .collect()
}

pub(super) async fn updates(
    c: &impl GenericClient,
    device_id: &str,
    cursor: i64,
    limit: usize,
) -> Result<Vec<TicketUpdate>> {
    let st = c
        .prepare_cached(
            "SELECT version, id, visit_id, number, state, department, reply, outcome, due
             FROM tickets WHERE device_id = $1 AND version > $2 ORDER BY version LIMIT $3",
        )
        .await?;
    let found = c
        .query(&st, &[&device_id, &cursor, &(limit as i64)])
        .await?;
    found
        .iter()
        .map(|r| {
            Ok(TicketUpdate {
                cursor: r.try_get(0)?,
                ticket_id: r.try_get(1)?,
                visit_id: r.try_get(2)?,
                number: u32::try_from(r.try_get::<_, i64>(3)?)
                    .map_err(|_| StorageError::Damaged("ticket number"))?,
                state: stored::ticket_state(r.try_get(4)?)?,
                department: r.try_get(5)?,
                reply: r.try_get(6)?,
                outcome: r.try_get(7)?,
                due: stored::due_date(r.try_get(8)?)?,
            })
        })
        .collect()
}
