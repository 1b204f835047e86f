//! The statements of the ingestion path, as prepared statements cached per connection.
//!
//! `diesel::sql_query` is never cached (it marks itself unsafe to cache), so every upload
//! would pay a parse/plan and an extra round trip. These statements have a fixed text (the
//! rows travel as arrays through `UNNEST`, whatever their number), so each gets a static
//! query id and diesel-async keeps it prepared: an upload on the fast path is one round trip.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::{QueryResult, QueryableByName};

/// Declares a cached statement: a struct holding its binds, in order. `?` in the SQL marks
/// where each bind goes (so the SQL must contain no other `?`).
macro_rules! cached_statement {
    ($(#[$doc:meta])* $name:ident = $sql:expr; { $($field:ident : $st:ty => $rt:ty),* $(,)? }) => {
        $(#[$doc])*
        pub(crate) struct $name {
            $(pub(crate) $field: $rt,)*
        }

        impl QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl Query for $name {
            type SqlType = Untyped;
        }

        impl QueryFragment<Pg> for $name {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
                let mut parts = $sql.split('?');
                out.push_sql(parts.next().unwrap_or_default());
                $(
                    out.push_bind_param::<$st, $rt>(&self.$field)?;
                    out.push_sql(parts.next().unwrap_or_default());
                )*
                Ok(())
            }
        }
    };
}

cached_statement! {
    /// Existing cells among `ids`, key-share locked until commit so that none can be deleted
    /// before this transaction's rows reference it.
    LockCells = "SELECT id FROM cell WHERE id = ANY(?) FOR KEY SHARE";
    { ids: Array<Integer> => Vec<i32> }
}

cached_statement! {
    /// Existing loggers among `ids`, locked as [`LockCells`].
    LockLoggers = "SELECT id FROM logger WHERE id = ANY(?) FOR KEY SHARE";
    { ids: Array<Integer> => Vec<i32> }
}

cached_statement! {
    /// Existing cells among `ids` (no lock: the queued mode's pre-check).
    FindCells = "SELECT id FROM cell WHERE id = ANY(?)";
    { ids: Array<Integer> => Vec<i32> }
}

cached_statement! {
    /// Existing loggers among `ids` (no lock).
    FindLoggers = "SELECT id FROM logger WHERE id = ANY(?)";
    { ids: Array<Integer> => Vec<i32> }
}

cached_statement! {
    /// Inserted `power_data` rows come back; a key already stored is skipped.
    InsertPower = "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) \
        SELECT * FROM UNNEST(?, ?, ?, ?, ?) \
        ON CONFLICT (cell_id, ts, logger_id) DO NOTHING \
        RETURNING cell_id, ts, logger_id";
    {
        cell_ids: Array<Integer> => Vec<i32>,
        logger_ids: Array<Integer> => Vec<i32>,
        ts: Array<Timestamp> => Vec<NaiveDateTime>,
        voltage: Array<Double> => Vec<f64>,
        current: Array<Double> => Vec<f64>,
    }
}

cached_statement! {
    /// Inserted `teros_data` rows come back (`water_pot` stays NULL on this path).
    InsertTeros = "INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) \
        SELECT * FROM UNNEST(?, ?, ?, ?, ?, ?) \
        ON CONFLICT (cell_id, ts) DO NOTHING \
        RETURNING cell_id, ts";
    {
        cell_ids: Array<Integer> => Vec<i32>,
        ts: Array<Timestamp> => Vec<NaiveDateTime>,
        vwc: Array<Double> => Vec<f64>,
        raw_vwc: Array<Double> => Vec<f64>,
        temp: Array<Double> => Vec<f64>,
        ec: Array<Nullable<Integer>> => Vec<Option<i32>>,
    }
}

cached_statement! {
    /// Inserted `data` rows come back.
    InsertData = "INSERT INTO data (sensor_id, ts, float_val, int_val) \
        SELECT * FROM UNNEST(?, ?, ?, ?) \
        ON CONFLICT (sensor_id, ts) DO NOTHING \
        RETURNING sensor_id, ts";
    {
        sensor_ids: Array<Integer> => Vec<i32>,
        ts: Array<Timestamp> => Vec<NaiveDateTime>,
        float_val: Array<Nullable<Double>> => Vec<Option<f64>>,
        int_val: Array<Nullable<Integer>> => Vec<Option<i32>>,
    }
}

cached_statement! {
    /// The fast path of generic rows: sensors are found by their key inside the statement,
    /// and the rows are inserted only if every one of them has its sensor (`expected` = the
    /// number of rows), so the statement stays all or nothing. The first result row is a
    /// sentinel (NULL key) carrying how many rows found their sensor; the others are the
    /// inserted keys. Rows are inserted in (sensor_id, ts) order, like the slow path.
    FastInsertData = "WITH r AS ( \
            SELECT * FROM UNNEST(?::int4[], ?::text[], ?::text[], ?::timestamp[], ?::float8[], ?::int4[]) \
              AS r(cell_id, name, measurement, ts, float_val, int_val)), \
        v AS ( \
            SELECT s.id AS sensor_id, r.* FROM r JOIN sensor s \
              ON s.cell_id = r.cell_id AND s.name = r.name AND s.measurement = r.measurement), \
        ins AS ( \
            INSERT INTO data (sensor_id, ts, float_val, int_val) \
            SELECT sensor_id, ts, float_val, int_val FROM v \
             WHERE (SELECT count(*) FROM v) = ? \
             ORDER BY sensor_id, ts \
            ON CONFLICT (sensor_id, ts) DO NOTHING \
            RETURNING sensor_id, ts) \
        SELECT NULL::int4 AS cell_id, NULL::text AS name, NULL::text AS measurement, \
               NULL::timestamp AS ts, (SELECT count(*) FROM v)::int4 AS matched \
        UNION ALL \
        SELECT v.cell_id, v.name, v.measurement, v.ts, 0 FROM ins JOIN v USING (sensor_id, ts)";
    {
        cell_ids: Array<Integer> => Vec<i32>,
        names: Array<Text> => Vec<String>,
        measurements: Array<Text> => Vec<String>,
        ts: Array<Timestamp> => Vec<NaiveDateTime>,
        float_val: Array<Nullable<Double>> => Vec<Option<f64>>,
        int_val: Array<Nullable<Integer>> => Vec<Option<i32>>,
        expected: BigInt => i64,
    }
}

cached_statement! {
    /// The ids of the sensors with these keys.
    FindSensors = "SELECT s.id, s.cell_id, s.name, s.measurement FROM sensor s \
        JOIN UNNEST(?::int4[], ?::text[], ?::text[]) AS k(cell_id, name, measurement) \
          ON s.cell_id = k.cell_id AND s.name = k.name AND s.measurement = k.measurement";
    {
        cell_ids: Array<Integer> => Vec<i32>,
        names: Array<Text> => Vec<String>,
        measurements: Array<Text> => Vec<String>,
    }
}

cached_statement! {
    /// Creates the sensors that do not exist yet. A concurrent creator of the same key makes
    /// this wait for its commit, then skip the row (`uq_sensor_cell_id_name_measurement`).
    CreateSensors = "INSERT INTO sensor (cell_id, name, measurement, unit, data_type) \
        SELECT * FROM UNNEST(?::int4[], ?::text[], ?::text[], ?::text[], ?::text[]) \
        ON CONFLICT (cell_id, name, measurement) DO NOTHING";
    {
        cell_ids: Array<Integer> => Vec<i32>,
        names: Array<Text> => Vec<String>,
        measurements: Array<Text> => Vec<String>,
        units: Array<Text> => Vec<String>,
        data_types: Array<Text> => Vec<String>,
    }
}

#[derive(Debug, QueryableByName)]
pub(crate) struct IdRow {
    #[diesel(sql_type = Integer)]
    pub(crate) id: i32,
}

#[derive(Debug, QueryableByName)]
pub(crate) struct PowerKeyRow {
    #[diesel(sql_type = Integer)]
    pub(crate) cell_id: i32,
    #[diesel(sql_type = Timestamp)]
    pub(crate) ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Integer>)]
    pub(crate) logger_id: Option<i32>,
}

#[derive(Debug, QueryableByName)]
pub(crate) struct TerosKeyRow {
    #[diesel(sql_type = Integer)]
    pub(crate) cell_id: i32,
    #[diesel(sql_type = Timestamp)]
    pub(crate) ts: NaiveDateTime,
}

#[derive(Debug, QueryableByName)]
pub(crate) struct DataKeyRow {
    #[diesel(sql_type = Integer)]
    pub(crate) sensor_id: i32,
    #[diesel(sql_type = Timestamp)]
    pub(crate) ts: NaiveDateTime,
}

#[derive(Debug, QueryableByName)]
pub(crate) struct SensorIdRow {
    #[diesel(sql_type = Integer)]
    pub(crate) id: i32,
    #[diesel(sql_type = Integer)]
    pub(crate) cell_id: i32,
    #[diesel(sql_type = Text)]
    pub(crate) name: String,
    #[diesel(sql_type = Text)]
    pub(crate) measurement: String,
}

#[derive(Debug, QueryableByName)]
pub(crate) struct FastDataRow {
    #[diesel(sql_type = Nullable<Integer>)]
    pub(crate) cell_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) measurement: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub(crate) ts: Option<NaiveDateTime>,
    #[diesel(sql_type = Integer)]
    pub(crate) matched: i32,
}
