//! The time PostgreSQL spends keeping the hourly and daily rollups: statement-level PL/pgSQL
//! triggers (`migrations/20261129000030_series_rollups`) that run inside each upload's
//! transaction, so no client can time them apart. PostgreSQL can: in sessions with
//! `track_functions = 'pl'` (`PoolSettings::track_functions`) it adds each trigger run to
//! `pg_stat_user_functions`, database-wide. This reads those totals.

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Double, Text};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;

use crate::pool::Db;

/// The measurement tables and the trigger functions that maintain their rollups. The
/// rebuild functions are called by the delete and update triggers, whose time includes
/// theirs, so they are not counted again.
const TRIGGERS: [(&str, [&str; 3]); 3] = [
    (
        "power_data",
        [
            "power_rollup_add",
            "power_rollup_on_delete",
            "power_rollup_on_update",
        ],
    ),
    (
        "teros_data",
        [
            "teros_rollup_add",
            "teros_rollup_on_delete",
            "teros_rollup_on_update",
        ],
    ),
    (
        "data",
        [
            "data_rollup_add",
            "data_rollup_on_delete",
            "data_rollup_on_update",
        ],
    ),
];

/// The trigger runs that kept one table's rollups, since the statistics were last reset.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupMaintenance {
    /// The measurement table (`power_data`, `teros_data`, `data`).
    pub table: &'static str,
    /// Trigger runs (one per statement that wrote the table).
    pub calls: u64,
    /// Their total time, nested functions included.
    pub seconds: f64,
}

#[derive(QueryableByName)]
struct FunctionRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    calls: i64,
    #[diesel(sql_type = Double)]
    total_ms: f64,
}

const READ: &str = "SELECT funcname::text AS name, calls, total_time AS total_ms \
    FROM pg_stat_user_functions \
    WHERE schemaname = current_schema() AND funcname = ANY($1)";

/// The totals of every table whose triggers were timed at least once; a table is missing
/// while no session with `track_functions` has written it (not measured is not zero).
/// They are the database's, whichever process reads them. Errors: `Unavailable` (no
/// connection), `Internal`.
pub async fn rollup_maintenance(db: &Db) -> Result<Vec<RollupMaintenance>, DomainError> {
    let names: Vec<&str> = TRIGGERS
        .iter()
        .flat_map(|(_, names)| names)
        .copied()
        .collect();
    let rows = db
        .with_conn(async |conn| {
            Ok(diesel::sql_query(READ)
                .bind::<Array<Text>, _>(names)
                .load::<FunctionRow>(conn)
                .await?)
        })
        .await?;
    Ok(by_table(&rows))
}

fn by_table(rows: &[FunctionRow]) -> Vec<RollupMaintenance> {
    TRIGGERS
        .iter()
        .filter_map(|(table, functions)| {
            let mine: Vec<&FunctionRow> = rows
                .iter()
                .filter(|row| functions.contains(&row.name.as_str()))
                .collect();
            (!mine.is_empty()).then(|| RollupMaintenance {
                table,
                calls: mine
                    .iter()
                    .map(|row| u64::try_from(row.calls).unwrap_or(0))
                    .sum(),
                seconds: mine.iter().map(|row| row.total_ms).sum::<f64>() / 1000.0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, calls: i64, total_ms: f64) -> FunctionRow {
        FunctionRow {
            name: name.to_owned(),
            calls,
            total_ms,
        }
    }

    #[test]
    fn functions_add_up_per_table_and_untimed_tables_are_absent() {
        let rows = [
            row("teros_rollup_add", 3, 1.5),
            row("teros_rollup_on_delete", 1, 0.5),
            row("data_rollup_add", 2, 250.0),
        ];
        assert_eq!(
            by_table(&rows),
            [
                RollupMaintenance {
                    table: "teros_data",
                    calls: 4,
                    seconds: 0.002,
                },
                RollupMaintenance {
                    table: "data",
                    calls: 2,
                    seconds: 0.25,
                },
            ]
        );
    }
}
