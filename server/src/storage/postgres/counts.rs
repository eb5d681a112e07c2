//! The review queue's kept counts on PostgreSQL: what the queue sums (the folded counts and
//! the deltas appended since), and the fold that moves the deltas in.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;

use crate::storage::Result;

/// The counts as the queue reads them: exact at any moment, since one statement sees both
/// tables at one snapshot, and a fold moves rows between them in one transaction.
pub(super) const COUNTS: &str = "(SELECT village, status, flagged, n FROM queue_counts
      UNION ALL SELECT village, status, flagged, n FROM queue_count_deltas) AS c";

/// Moves the deltas into `queue_counts`: deleted, and exactly what was deleted added. Only
/// one transaction may fold at a time (the caller holds the flagger's lock), so no two
/// writers ever update the same count at once.
pub(super) async fn fold(tx: &impl GenericClient) -> Result<()> {
    let st = tx
        .prepare_cached("DELETE FROM queue_count_deltas RETURNING village, status, flagged, n")
        .await?;
    let moved = tx.query(&st, &[]).await?;
    if moved.is_empty() {
        return Ok(());
    }
    // Summed per count first, and written in key order.
    let mut sums: BTreeMap<(String, String, bool), i64> = BTreeMap::new();
    for r in &moved {
        *sums
            .entry((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
            .or_default() += r.try_get::<_, i64>(3)?;
    }
    let (mut villages, mut statuses, mut flagged, mut ns) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((village, status, f), n) in sums {
        villages.push(village);
        statuses.push(status);
        flagged.push(f);
        ns.push(n);
    }
    let st = tx
        .prepare_cached(
            "INSERT INTO queue_counts (village, status, flagged, n)
             SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BOOLEAN[], $4::BIGINT[])
             ON CONFLICT (village, status, flagged) DO UPDATE SET n = queue_counts.n + EXCLUDED.n",
        )
        .await?;
    tx.execute(&st, &[&villages, &statuses, &flagged, &ns])
        .await?;
    Ok(())
}
