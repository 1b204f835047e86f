//! The migrated schema: upstream names kept (docs/compatibility.md#schema), every foreign key
//! indexed, `schema.rs` in step with the database, sessions in UTC.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use diesel::{Column, Expression, Table};
use ents_persistence::migrate::UPSTREAM_TABLES;
use ents_persistence::schema;
use ents_persistence::testing::TestDb;

#[tokio::test]
async fn every_foreign_key_has_an_index() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    // An index covers a foreign key when the key's columns are its leading columns.
    let unindexed = common::lines(
        &mut conn,
        r#"
SELECT format('%s.%s (%s)', c.conrelid::regclass, c.conname,
              (SELECT string_agg(a.attname, ', ')
                 FROM unnest(c.conkey) k JOIN pg_attribute a
                   ON a.attrelid = c.conrelid AND a.attnum = k)) AS line
  FROM pg_constraint c
 WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
   AND NOT EXISTS (
       SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid
          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
 ORDER BY 1"#,
    )
    .await;
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:#?}"
    );

    let foreign_keys = common::lines(
        &mut conn,
        "SELECT conname::text AS line FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    )
    .await;
    // 13 upstream + refresh_token.user_id + api_key.user_id + 6 of the alert tables +
    // import_upload.cell_id.
    assert_eq!(foreign_keys.len(), 22, "{foreign_keys:?}");
}

/// `constraint <table>.<name> <definition>` lines of the snapshot that must exist verbatim.
const UPSTREAM_CONSTRAINTS: &[&str] = &[
    "constraint cell.cell_pkey PRIMARY KEY (id)",
    "constraint cell.cell_name_key UNIQUE (name)",
    r#"constraint cell.cell_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id)"#,
    "constraint logger.logger_pkey PRIMARY KEY (id)",
    "constraint logger.logger_name_key UNIQUE (name)",
    "constraint logger.uq_logger_uuid UNIQUE (uuid)",
    r#"constraint logger.fk_logger_user_id FOREIGN KEY (user_id) REFERENCES "user"(id)"#,
    "constraint power_data.power_data_pkey PRIMARY KEY (id)",
    "constraint power_data.power_data_logger_id_fkey FOREIGN KEY (logger_id) REFERENCES logger(id)",
    "constraint power_data.power_data_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell(id) ON DELETE CASCADE",
    "constraint teros_data.teros_data_pkey PRIMARY KEY (id)",
    "constraint teros_data.teros_data_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell(id) ON DELETE CASCADE",
    "constraint sensor.sensor_pkey PRIMARY KEY (id)",
    "constraint sensor.sensor_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell(id) ON DELETE CASCADE",
    "constraint data.data_pkey PRIMARY KEY (id)",
    "constraint data.data_sensor_id_fkey FOREIGN KEY (sensor_id) REFERENCES sensor(id) ON DELETE CASCADE",
    r#"constraint "user".user_pkey PRIMARY KEY (id)"#,
    r#"constraint "user".user_email_key UNIQUE (email)"#,
    r#"constraint "user".uq_user_api_key UNIQUE (api_key)"#,
    "constraint oauth_token.oauth_token_pkey PRIMARY KEY (id)",
    "constraint oauth_token.oauth_token_access_token_key UNIQUE (access_token)",
    r#"constraint oauth_token.oauth_token_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id) ON DELETE CASCADE"#,
    "constraint tag.tag_pkey PRIMARY KEY (id)",
    "constraint tag.tag_name_key UNIQUE (name)",
    r#"constraint tag.user FOREIGN KEY (created_by) REFERENCES "user"(id)"#,
    "constraint cell_tag.cell_tag_pkey PRIMARY KEY (cell_id, tag_id)",
    "constraint cell_tag.cell_tag_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell(id)",
    "constraint cell_tag.cell_tag_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES tag(id)",
    "constraint cell_user.cell_user_pkey PRIMARY KEY (cell_id, user_id)",
    "constraint cell_user.cell_user_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell(id)",
    r#"constraint cell_user.cell_user_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user"(id)"#,
];

const UPSTREAM_INDEXES: &[&str] = &[
    "index ix_power_data_ts CREATE INDEX ix_power_data_ts ON public.power_data USING btree (ts)",
    "index ix_power_data_ts_server CREATE INDEX ix_power_data_ts_server ON public.power_data USING btree (ts_server)",
    // The upstream (cell_id, ts) / (sensor_id, ts) indexes are superseded by the unique keys of
    // 20261129000020_ingest_idempotency, which lead with the same columns.
    "index uq_power_data_cell_id_ts_logger_id CREATE UNIQUE INDEX uq_power_data_cell_id_ts_logger_id ON public.power_data USING btree (cell_id, ts, logger_id) NULLS NOT DISTINCT",
    "index ix_teros_data_ts CREATE INDEX ix_teros_data_ts ON public.teros_data USING btree (ts)",
    "index ix_teros_data_ts_server CREATE INDEX ix_teros_data_ts_server ON public.teros_data USING btree (ts_server)",
    "index uq_teros_data_cell_id_ts CREATE UNIQUE INDEX uq_teros_data_cell_id_ts ON public.teros_data USING btree (cell_id, ts)",
    "index ix_data_ts CREATE INDEX ix_data_ts ON public.data USING btree (ts)",
    "index ix_data_ts_server CREATE INDEX ix_data_ts_server ON public.data USING btree (ts_server)",
    "index uq_data_sensor_id_ts CREATE UNIQUE INDEX uq_data_sensor_id_ts ON public.data USING btree (sensor_id, ts)",
    "index idx_sensor_cell_id CREATE INDEX idx_sensor_cell_id ON public.sensor USING btree (cell_id)",
    "index ix_oauth_token_refresh_token CREATE INDEX ix_oauth_token_refresh_token ON public.oauth_token USING btree (refresh_token)",
];

const UPSTREAM_COLUMNS: &[&str] = &[
    "column cell.id #1 integer NOT NULL DEFAULT nextval('cell_id_seq'::regclass)",
    "column cell.name #2 text NOT NULL",
    "column cell.latitude #4 double precision",
    "column cell.user_id #6 uuid",
    "column cell.archive #7 boolean NOT NULL DEFAULT false",
    "column logger.uuid #3 uuid NOT NULL",
    "column logger.type #4 text",
    "column logger.date_created #7 timestamp without time zone NOT NULL",
    "column power_data.logger_id #2 integer",
    "column power_data.current #5 double precision",
    "column power_data.ts_server #7 timestamp without time zone DEFAULT now()",
    "column teros_data.ts #3 timestamp without time zone NOT NULL",
    "column teros_data.ec #6 integer",
    "column teros_data.water_pot #9 double precision",
    "column data.ts_server #4 timestamp without time zone DEFAULT now()",
    "column data.text_val #7 text",
    "column user.id #1 uuid NOT NULL",
    "column user.email #4 character varying(255)",
    "column user.password #5 character varying(72) NOT NULL",
    "column user.api_key #6 character varying(64)",
    "column oauth_token.access_token #3 character varying(255) NOT NULL",
    "column oauth_token.updated_at #5 timestamp without time zone DEFAULT now()",
    "column tag.created_at #4 timestamp without time zone",
    "column tag.created_by #5 uuid",
    "column cell_user.user_id #2 uuid NOT NULL",
];

#[tokio::test]
async fn baseline_matches_upstream() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    let snapshot = common::schema_snapshot(&mut conn).await;
    let lines: Vec<&str> = snapshot.lines().collect();
    let missing: Vec<&&str> = UPSTREAM_CONSTRAINTS
        .iter()
        .chain(UPSTREAM_INDEXES)
        .chain(UPSTREAM_COLUMNS)
        .filter(|expected| !lines.contains(expected))
        .collect();
    assert!(
        missing.is_empty(),
        "missing from the schema: {missing:#?}\n\n{snapshot}"
    );

    // Exactly the upstream tables plus ours, and no alembic_version on a fresh database.
    let mut tables: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("relation ")?.strip_suffix(" kind=r"))
        .collect();
    tables.sort_unstable();
    let mut expected: Vec<&str> = UPSTREAM_TABLES
        .iter()
        .copied()
        .chain([
            "job",
            "refresh_token",
            "api_key",
            "auth_failure",
            "__diesel_schema_migrations",
        ])
        // Series rollups (read with SQL only, so not in schema.rs).
        .chain(["power_rollup", "teros_rollup", "data_rollup"])
        // Rows set aside by the ingestion de-duplication (an operator's table, SQL only).
        .chain(["ingest_dedup_archive"])
        // Alerts (SQL only).
        .chain(["alert_rule", "alert_event", "alert_webhook_delivery"])
        // Bodies of HTTP imports (SQL only).
        .chain(["import_upload"])
        .collect();
    expected.sort_unstable();
    assert_eq!(tables, expected);

    // Serial sequences of every upstream table with an integer id.
    for table in [
        "cell",
        "logger",
        "power_data",
        "teros_data",
        "sensor",
        "data",
        "oauth_token",
        "tag",
    ] {
        let line = format!(
            "sequence {table}_id_seq integer start=1 inc=1 min=1 max=2147483647 cache=1 cycle=f owner={table}.id"
        );
        assert!(lines.contains(&line.as_str()), "missing `{line}`");
    }
}

/// Lists `(name, diesel SQL type)` of every column of a diesel table, from its type alone.
trait DescribeColumns {
    fn describe(out: &mut Vec<(String, String)>);
}

fn sql_type_name<C: Expression>() -> String {
    // `diesel::sql_types::Nullable<diesel::sql_types::Text>` → `Nullable<Text>`
    let full = std::any::type_name::<C::SqlType>();
    let mut out = String::new();
    let mut path = String::new();
    for ch in full.chars().chain(std::iter::once('\0')) {
        if matches!(ch, '<' | '>' | ',' | ' ' | '\0') {
            out.push_str(path.rsplit("::").next().unwrap_or(&path));
            path.clear();
            if ch != '\0' {
                out.push(ch);
            }
        } else {
            path.push(ch);
        }
    }
    out
}

macro_rules! describe_tuple {
    ($($c:ident),+) => {
        impl<$($c: Column + Expression),+> DescribeColumns for ($($c,)+) {
            fn describe(out: &mut Vec<(String, String)>) {
                $( out.push(($c::NAME.to_owned(), sql_type_name::<$c>())); )+
            }
        }
    };
}
describe_tuple!(A);
describe_tuple!(A, B);
describe_tuple!(A, B, C);
describe_tuple!(A, B, C, D);
describe_tuple!(A, B, C, D, E);
describe_tuple!(A, B, C, D, E, F);
describe_tuple!(A, B, C, D, E, F, G);
describe_tuple!(A, B, C, D, E, F, G, H);
describe_tuple!(A, B, C, D, E, F, G, H, I);
describe_tuple!(A, B, C, D, E, F, G, H, I, J);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
describe_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);

fn diesel_columns<T: Table>() -> Vec<(String, String)>
where
    T::AllColumns: DescribeColumns,
{
    let mut out = Vec::new();
    T::AllColumns::describe(&mut out);
    out
}

/// The diesel SQL type a PostgreSQL column type maps to (`Varchar` is diesel's alias of
/// `Text`).
fn diesel_type_for(pg_type: &str, not_null: bool) -> String {
    let base = match pg_type {
        "integer" => "Integer",
        "bigint" => "BigInt",
        "real" => "Float",
        "double precision" => "Double",
        "boolean" => "Bool",
        "text" => "Text",
        t if t.starts_with("character varying") => "Text",
        "uuid" => "Uuid",
        "jsonb" => "Jsonb",
        "timestamp without time zone" => "Timestamp",
        "timestamp with time zone" => "Timestamptz",
        other => panic!("no diesel mapping for {other}"),
    };
    if not_null {
        base.to_owned()
    } else {
        format!("Nullable<{base}>")
    }
}

#[tokio::test]
async fn schema_rs_matches_the_database() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    let tables: Vec<(&str, Vec<(String, String)>)> = vec![
        ("cell", diesel_columns::<schema::cell::table>()),
        ("logger", diesel_columns::<schema::logger::table>()),
        ("power_data", diesel_columns::<schema::power_data::table>()),
        ("teros_data", diesel_columns::<schema::teros_data::table>()),
        ("sensor", diesel_columns::<schema::sensor::table>()),
        ("data", diesel_columns::<schema::data::table>()),
        ("user", diesel_columns::<schema::users::table>()),
        (
            "oauth_token",
            diesel_columns::<schema::oauth_token::table>(),
        ),
        ("tag", diesel_columns::<schema::tag::table>()),
        ("cell_tag", diesel_columns::<schema::cell_tag::table>()),
        ("cell_user", diesel_columns::<schema::cell_user::table>()),
        ("job", diesel_columns::<schema::job::table>()),
        (
            "refresh_token",
            diesel_columns::<schema::refresh_token::table>(),
        ),
        ("api_key", diesel_columns::<schema::api_keys::table>()),
    ];
    for (table, columns) in tables {
        let sql = format!(
            "SELECT format('%s|%s|%s', a.attname, format_type(a.atttypid, a.atttypmod), \
                    a.attnotnull) AS line \
               FROM pg_attribute a \
              WHERE a.attrelid = '{}'::regclass AND a.attnum > 0 AND NOT a.attisdropped \
              ORDER BY a.attnum",
            common::quote(table)
        );
        let in_database: Vec<(String, String)> = common::lines(&mut conn, &sql)
            .await
            .iter()
            .map(|line| {
                let parts: Vec<&str> = line.split('|').collect();
                (
                    parts[0].to_owned(),
                    diesel_type_for(parts[1], parts[2] == "t"),
                )
            })
            .collect();
        assert_eq!(
            columns, in_database,
            "schema.rs disagrees with table {table}"
        );
    }
}

#[tokio::test]
async fn pool_sessions_run_in_utc_with_a_statement_timeout() {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Settings {
        #[diesel(sql_type = Text)]
        timezone: String,
        #[diesel(sql_type = Text)]
        statement_timeout: String,
    }

    let test_db = TestDb::new().await;
    let mut conn = test_db.db().get().await.unwrap();
    let settings = diesel::sql_query(
        "SELECT current_setting('TimeZone') AS timezone, \
                current_setting('statement_timeout') AS statement_timeout",
    )
    .get_result::<Settings>(&mut conn)
    .await
    .unwrap();
    assert_eq!(settings.timezone, "UTC");
    assert_eq!(settings.statement_timeout, "30s");
}
