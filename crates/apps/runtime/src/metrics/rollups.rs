//! The time the rollup triggers take, as PostgreSQL counts it (`pg_stat_user_functions`,
//! filled by sessions with `database.track_functions`), sampled every stale-job sweep
//! interval and rendered at each scrape.
//!
//! The totals are the database's, not this process's: whichever process samples them reports
//! the same figures (aggregate instances with `max`, never `sum`). They are written into the
//! exposition here rather than through the `metrics` facade, whose counters are integers: a
//! trigger run takes well under a millisecond, and whole seconds would read zero for hours.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ents_config::Settings;
use ents_persistence::{Db, RollupMaintenance, rollup_maintenance};

/// Counter (seconds, fractional): time spent in the rollup triggers, by measurement `table`.
pub(super) const SECONDS: &str = "ents_rollup_maintenance_seconds_total";
/// Counter: rollup trigger runs (one per statement writing the table), by `table`.
pub(super) const CALLS: &str = "ents_rollup_maintenance_calls_total";

/// The last sample; empty until one succeeded, or while nothing was measured.
static LATEST: Mutex<Vec<RollupMaintenance>> = Mutex::new(Vec::new());

/// Samples the rollup triggers' totals every `jobs.sweep_interval_secs` until `shutdown`
/// resolves; does nothing when metrics are disabled.
pub async fn run_rollup_sampler<F>(settings: &Settings, db: Db, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    if !settings.metrics.enabled {
        return;
    }
    let interval = Duration::from_secs(settings.jobs.sweep_interval_secs.max(1));
    crate::periodic::every(interval, shutdown, || sample(&db)).await;
}

async fn sample(db: &Db) {
    match rollup_maintenance(db).await {
        Ok(totals) => *LATEST.lock().unwrap_or_else(PoisonError::into_inner) = totals,
        Err(error) => tracing::debug!(%error, "could not read the rollup triggers' statistics"),
    }
}

/// Appends the last sample to an exposition (nothing while there is none).
pub(super) fn render(exposition: &mut String) {
    let latest = LATEST.lock().unwrap_or_else(PoisonError::into_inner);
    if !latest.is_empty() && !exposition.is_empty() && !exposition.ends_with('\n') {
        exposition.push('\n');
    }
    write_families(exposition, &latest);
}

fn write_families(out: &mut String, totals: &[RollupMaintenance]) {
    if totals.is_empty() {
        return;
    }
    let help = "by measurement table, database-wide (needs database.track_functions)";
    let _ = writeln!(
        out,
        "# HELP {SECONDS} Time spent in the rollup triggers {help}\n# TYPE {SECONDS} counter"
    );
    for total in totals {
        let _ = writeln!(
            out,
            "{SECONDS}{{table=\"{}\"}} {}",
            total.table, total.seconds
        );
    }
    let _ = writeln!(
        out,
        "\n# HELP {CALLS} Rollup trigger runs {help}\n# TYPE {CALLS} counter"
    );
    for total in totals {
        let _ = writeln!(out, "{CALLS}{{table=\"{}\"}} {}", total.table, total.calls);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_render_as_fractional_counters_per_table() {
        let mut out = String::new();
        write_families(&mut out, &[]);
        assert_eq!(out, "", "nothing measured, nothing exposed");
        write_families(
            &mut out,
            &[RollupMaintenance {
                table: "teros_data",
                calls: 12,
                seconds: 0.0042,
            }],
        );
        assert!(out.contains("# TYPE ents_rollup_maintenance_seconds_total counter\n"));
        assert!(
            out.contains("ents_rollup_maintenance_seconds_total{table=\"teros_data\"} 0.0042\n")
        );
        assert!(out.contains("ents_rollup_maintenance_calls_total{table=\"teros_data\"} 12\n"));
    }
}
