//! Supervisors' logins on PostgreSQL: their accounts, web sessions and the failed attempts
//! the login rate limit counts, all in the database so that every server process behind the
//! load balancer sees the same.

use deadpool_postgres::GenericClient;

use crate::storage::web::{SessionRow, Supervisor, SupervisorChange};
use crate::storage::{rules, Result, StorageError};

pub(super) async fn supervisor(c: &impl GenericClient, login: &str) -> Result<Option<Supervisor>> {
    let r = c
        .query_opt(
            "SELECT login, area, password_hash, disabled FROM supervisors WHERE login = $1",
            &[&login],
        )
        .await?;
    r.as_ref().map(supervisor_row).transpose()
}

fn supervisor_row(r: &tokio_postgres::Row) -> Result<Supervisor> {
    Ok(Supervisor {
        login: r.try_get(0)?,
        area: r.try_get(1)?,
        password_hash: r.try_get(2)?,
        disabled: r.try_get(3)?,
    })
}

pub(super) async fn supervisors_in(c: &impl GenericClient, area: &str) -> Result<Vec<Supervisor>> {
    let found = c
        .query(
            "SELECT login, area, password_hash, disabled FROM supervisors
             WHERE area >= $1 AND area < $2 ORDER BY login",
            &[&area, &rules::area_end(area)],
        )
        .await?;
    found.iter().map(supervisor_row).collect()
}

/// The change, and the end of the supervisor's sessions.
pub(super) async fn change_supervisor(
    tx: &impl GenericClient,
    login: &str,
    change: &SupervisorChange,
) -> Result<()> {
    let n = match change {
        SupervisorChange::Password(hash) => {
            tx.execute(
                "UPDATE supervisors SET password_hash = $2 WHERE login = $1",
                &[&login, hash],
            )
            .await?
        }
        SupervisorChange::Disabled(off) => {
            tx.execute(
                "UPDATE supervisors SET disabled = $2 WHERE login = $1",
                &[&login, off],
            )
            .await?
        }
    };
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    tx.execute("DELETE FROM sessions WHERE login = $1", &[&login])
        .await?;
    Ok(())
}

/// A new session; sessions expired a month ago are cleared on the way.
pub(super) async fn create(
    c: &impl GenericClient,
    token_hash: &str,
    login: &str,
    csrf: &str,
    expires_at: i64,
) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE expires_at < $1",
        &[&(expires_at - 30 * 86_400)],
    )
    .await?;
    c.execute(
        "INSERT INTO sessions (token_hash, login, csrf, expires_at) VALUES ($1, $2, $3, $4)",
        &[&token_hash, &login, &csrf, &expires_at],
    )
    .await?;
    Ok(())
}

/// The live session a cookie's token hash names, with its supervisor's area.
pub(super) async fn session(
    c: &impl GenericClient,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>> {
    let st = c
        .prepare_cached(
            "SELECT s.login, p.area, s.csrf, s.expires_at FROM sessions s
             JOIN supervisors p ON p.login = s.login
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT p.disabled",
        )
        .await?;
    let r = c.query_opt(&st, &[&token_hash, &now]).await?;
    r.map(|r| {
        Ok(SessionRow {
            login: r.try_get(0)?,
            area: r.try_get(1)?,
            csrf: r.try_get(2)?,
            expires_at: r.try_get(3)?,
        })
    })
    .transpose()
}

pub(super) async fn delete(c: &impl GenericClient, token_hash: &str) -> Result<()> {
    c.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
        .await?;
    Ok(())
}

/// Failed logins since `since`; older ones are forgotten on the way.
pub(super) async fn failures_since(
    c: &impl GenericClient,
    login: &str,
    since: i64,
) -> Result<usize> {
    c.execute(
        "DELETE FROM login_failures WHERE login = $1 AND at < $2",
        &[&login, &since],
    )
    .await?;
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM login_failures WHERE login = $1",
            &[&login],
        )
        .await?
        .try_get(0)?;
    Ok(n as usize)
}

pub(super) async fn note_failure(c: &impl GenericClient, login: &str, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO login_failures (login, at) VALUES ($1, $2)",
        &[&login, &now],
    )
    .await?;
    Ok(())
}

/// A new supervisor; `AlreadyExists` when the login is taken.
pub(super) async fn add_supervisor(
    c: &impl GenericClient,
    login: &str,
    area: &str,
    password_hash: &str,
    now: i64,
) -> Result<()> {
    let n = c
        .execute(
            "INSERT INTO supervisors (login, area, password_hash, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO NOTHING",
            &[&login, &area, &password_hash, &now],
        )
        .await?;
    if n == 0 {
        return Err(StorageError::AlreadyExists);
    }
    Ok(())
}
