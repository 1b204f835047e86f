//! Helpers shared by the integration tests: catalog snapshots and raw SQL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod alerts;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

/// The SQL of the baseline migration, to build "upstream" databases by hand.
pub const BASELINE_UP: &str =
    include_str!("../../../../../migrations/20260703000000_upstream_baseline/up.sql");

/// Realistic rows in every upstream table.
pub const UPSTREAM_ROWS: &str = include_str!("../fixtures/upstream_rows.sql");

/// How alembic creates its bookkeeping table on PostgreSQL.
pub const ALEMBIC_VERSION_DDL: &str = "CREATE TABLE alembic_version (\
    version_num varchar(32) NOT NULL, \
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))";

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

pub async fn connect(url: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(url)
        .await
        .expect("connect to the test database")
}

pub async fn exec(conn: &mut AsyncPgConnection, sql: &str) {
    conn.batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
}

/// Runs a query whose single column is named `line`.
pub async fn lines(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    sql_query(sql)
        .load::<Line>(conn)
        .await
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// The schema of `public`, from pg_catalog, as one sorted line per object: relations,
/// columns (position, type, nullability, default, identity), constraints (name and
/// definition), indexes (name and definition), sequences (parameters and owner), triggers,
/// functions and enum/domain types. Independent of pg_dump.
pub async fn schema_snapshot(conn: &mut AsyncPgConnection) -> String {
    const SQL: &str = r#"
SELECT line FROM (
SELECT format('relation %s kind=%s', c.relname, c.relkind) AS line
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
UNION ALL
SELECT format('column %s.%s #%s %s%s%s%s', c.relname, a.attname,
              row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
              format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''),
              CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END)
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('constraint %s.%s %s', con.conrelid::regclass, con.conname,
              pg_get_constraintdef(con.oid))
  FROM pg_constraint con
 WHERE con.connamespace = 'public'::regnamespace
UNION ALL
SELECT format('index %s %s', i.indexname, i.indexdef)
  FROM pg_indexes i
 WHERE i.schemaname = 'public'
UNION ALL
SELECT format('sequence %s %s start=%s inc=%s min=%s max=%s cache=%s cycle=%s owner=%s',
              s.sequencename, s.data_type, s.start_value, s.increment_by, s.min_value,
              s.max_value, s.cache_size, s.cycle,
              (SELECT dep.refobjid::regclass || '.' || att.attname
                 FROM pg_depend dep
                 JOIN pg_attribute att
                   ON att.attrelid = dep.refobjid AND att.attnum = dep.refobjsubid
                WHERE dep.classid = 'pg_class'::regclass
                  AND dep.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
                  AND dep.deptype IN ('a', 'i')))
  FROM pg_sequences s
 WHERE s.schemaname = 'public'
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
UNION ALL
SELECT format('function %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
UNION ALL
SELECT format('type %s kind=%s base=%s labels=%s', t.typname, t.typtype,
              format_type(t.typbasetype, t.typtypmod),
              (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid))
  FROM pg_type t
 WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
) AS catalog
ORDER BY line COLLATE "C"
"#;
    lines(conn, SQL).await.join("\n")
}

/// Every row of `table` as JSON text, sorted: a full, order-independent content dump.
pub async fn table_rows(conn: &mut AsyncPgConnection, table: &str) -> Vec<String> {
    let sql = format!(
        "SELECT to_jsonb(t)::text AS line FROM {} t ORDER BY to_jsonb(t)::text COLLATE \"C\"",
        quote(table)
    );
    lines(conn, &sql).await
}

/// The state of every sequence in `public` (`last_value`, `is_called`).
pub async fn sequence_states(conn: &mut AsyncPgConnection) -> Vec<String> {
    let names = lines(
        conn,
        "SELECT sequencename::text AS line FROM pg_sequences WHERE schemaname = 'public' \
         ORDER BY 1",
    )
    .await;
    let mut states = Vec::new();
    for name in names {
        let sql = format!(
            "SELECT format('%s %s %s', '{name}', last_value, is_called) AS line FROM {}",
            quote(&name)
        );
        states.extend(lines(conn, &sql).await);
    }
    states
}

pub async fn table_exists(conn: &mut AsyncPgConnection, table: &str) -> bool {
    let sql = format!(
        "SELECT (to_regclass('{}') IS NOT NULL)::text AS line",
        quote(table).replace('\'', "''")
    );
    lines(conn, &sql).await == ["true"]
}

pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
