//! Observations: keyset pages, counts and single rows of a series.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Double, Integer, Nullable, Timestamp};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::sta::filter::Filter;
use ents_domain::sta::{Datastream, Observation, ObservationId, ObservationPage, SeriesKey, Slot};

use super::where_sql::{self, Bind, Columns};
use crate::error::StoreError;
use crate::series::spec::{self, SeriesSpec};

/// The table, key column and value expression of a series.
fn source(slot: Slot, integer: bool) -> (&'static SeriesSpec, &'static str) {
    let spec: &'static SeriesSpec = match slot {
        Slot::Sensor if integer => &spec::DATA_INT,
        Slot::Sensor => &spec::DATA_FLOAT,
        s if s.is_power() => &spec::POWER,
        _ => &spec::TEROS,
    };
    let value = spec.fields.get(slot.field()).map_or("NULL", |f| f.raw);
    (spec, value)
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Integer)]
    row_id: i32,
    #[diesel(sql_type = Integer)]
    key: i32,
    #[diesel(sql_type = Timestamp)]
    ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    ts_server: Option<NaiveDateTime>,
    #[diesel(sql_type = Double)]
    value: f64,
}

impl Row {
    fn observation(self, slot: Slot) -> Observation {
        Observation {
            id: ObservationId::new(self.row_id, slot),
            series: SeriesKey::new(self.key, slot),
            phenomenon_time: self.ts,
            result_time: self.ts_server,
            result: self.value,
        }
    }
}

/// `WHERE` for the rows of `stream` with a value, plus the filter; `$1` is the key.
fn conditions(stream: &Datastream, filter: Option<&Filter>, binds: &mut Vec<Bind>) -> String {
    let (spec, value) = source(stream.key.slot, stream.integer);
    let mut sql = format!("{} = $1 AND ({value}) IS NOT NULL", spec.key);
    if let Some(filter) = filter {
        sql.push_str(" AND ");
        let columns = Columns {
            value,
            slot: stream.key.slot as i64,
        };
        // Placeholders after the key ($1) and the keyset's two ($2, $3).
        where_sql::push(filter, &columns, 3, &mut sql, binds);
    }
    sql
}

pub(super) async fn page(
    conn: &mut AsyncPgConnection,
    stream: &Datastream,
    page: ObservationPage<'_>,
) -> Result<Vec<Observation>, StoreError> {
    let (spec, value) = source(stream.key.slot, stream.integer);
    let mut binds = Vec::new();
    let conditions = conditions(stream, page.filter, &mut binds);
    let (dir, cmp) = if page.descending {
        ("DESC", "<")
    } else {
        ("ASC", ">")
    };
    // The keyset: `$2`/`$3` are NULL on the first page.
    let sql = format!(
        "SELECT id AS row_id, {key} AS key, ts, ts_server, ({value}) AS value FROM {table} \
         WHERE {conditions} AND ($2::timestamp IS NULL OR (ts, id) {cmp} ($2, $3)) \
         ORDER BY ts {dir}, id {dir} LIMIT {limit}",
        key = spec.key,
        table = spec.table,
        limit = page.limit,
    );
    let mut query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Integer, _>(stream.key.key)
        .bind::<Nullable<Timestamp>, _>(page.after.map(|a| a.0))
        .bind::<Nullable<Integer>, _>(page.after.map(|a| a.1));
    for bind in binds {
        query = bind.apply(query);
    }
    let rows = query.load::<Row>(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| r.observation(stream.key.slot))
        .collect())
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

pub(super) async fn count(
    conn: &mut AsyncPgConnection,
    stream: &Datastream,
    filter: Option<&Filter>,
) -> Result<i64, StoreError> {
    let (spec, _) = source(stream.key.slot, stream.integer);
    let mut binds = Vec::new();
    let conditions = conditions(stream, filter, &mut binds);
    // `$2` and `$3` are the keyset's in `conditions`' numbering; bound and unused here.
    let sql = format!(
        "SELECT count(*) AS n FROM {table} \
         WHERE {conditions} AND ($2::timestamp IS NULL OR $3::int IS NULL)",
        table = spec.table
    );
    let mut query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Integer, _>(stream.key.key)
        .bind::<Nullable<Timestamp>, _>(None::<NaiveDateTime>)
        .bind::<Nullable<Integer>, _>(None::<i32>);
    for bind in binds {
        query = bind.apply(query);
    }
    Ok(query.get_result::<CountRow>(conn).await?.n)
}

pub(super) async fn by_id(
    conn: &mut AsyncPgConnection,
    id: ObservationId,
) -> Result<Option<Observation>, StoreError> {
    let sql = match id.slot {
        // Numeric sensors only: text sensors have no Datastream.
        Slot::Sensor => "SELECT d.id AS row_id, d.sensor_id AS key, d.ts, d.ts_server, \
               CASE s.data_type WHEN 'int' THEN d.int_val::double precision \
                                ELSE d.float_val END AS value \
             FROM data d JOIN sensor s ON s.id = d.sensor_id \
             WHERE d.id = $1 AND s.data_type IN ('float', 'int')"
            .to_owned(),
        slot => {
            let (spec, value) = source(slot, false);
            format!(
                "SELECT id AS row_id, {key} AS key, ts, ts_server, ({value}) AS value \
                 FROM {table} WHERE id = $1",
                key = spec.key,
                table = spec.table
            )
        }
    };
    let sql = format!("SELECT * FROM ({sql}) o WHERE value IS NOT NULL");
    let rows = diesel::sql_query(sql)
        .bind::<Integer, _>(id.row_id)
        .load::<Row>(conn)
        .await?;
    Ok(rows.into_iter().next().map(|r| r.observation(id.slot)))
}
