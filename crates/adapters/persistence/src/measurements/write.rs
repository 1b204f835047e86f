//! The inserts: one multi-row statement per table, rows de-duplicated by key and sorted by it
//! (concurrent writers then take the unique-index locks in the same order and cannot
//! deadlock on each other).

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::result::Error as DieselError;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::measurements::SensorValue;

use super::queries::{
    CreateSensors, DataKeyRow, FastDataRow, FastInsertData, FindSensors, InsertData, InsertPower,
    InsertTeros, PowerKeyRow, SensorIdRow, TerosKeyRow,
};
use super::rows::{Counts, DataRec, PowerRec, Rows, SensorKey, TerosRec, attribute};

/// The fast path's single statement for `rows`: `Ok(false)` when it does not apply (rows for
/// more than one table, or an id that cannot exist: its upload must be reported missing) or
/// a generic row's sensor does not exist yet — nothing is inserted then. A foreign-key violation (unknown cell or logger) is returned as the error it is.
pub(crate) async fn insert_fast(
    conn: &mut AsyncPgConnection,
    rows: &Rows,
    counts: &mut [Counts],
) -> Result<bool, DieselError> {
    if rows.tables() != 1 || rows.dropped {
        return Ok(false);
    }
    if rows.data.is_empty() {
        insert_rows(conn, rows, &HashMap::new(), counts).await?;
        return Ok(true);
    }
    let unique: BTreeMap<_, &DataRec> =
        first_by_key(rows.data.iter().map(|r| ((r.sensor, r.ts), r)));
    let statement = FastInsertData {
        cell_ids: unique.keys().map(|k| k.0.0).collect(),
        names: unique.keys().map(|k| k.0.1.to_owned()).collect(),
        measurements: unique.keys().map(|k| k.0.2.to_owned()).collect(),
        ts: unique.keys().map(|k| k.1).collect(),
        float_val: unique.values().map(|r| float_of(r.value)).collect(),
        int_val: unique.values().map(|r| int_of(r.value)).collect(),
        expected: i64::try_from(unique.len()).unwrap_or(i64::MAX),
    };
    let result = statement.load::<FastDataRow>(conn).await?;
    let matched = result
        .iter()
        .find(|r| r.cell_id.is_none())
        .map_or(0, |r| r.matched);
    if usize::try_from(matched).ok() != Some(unique.len()) {
        return Ok(false);
    }
    let mut inserted: HashSet<(i32, String, String, chrono::NaiveDateTime)> = result
        .into_iter()
        .filter_map(|r| Some((r.cell_id?, r.name?, r.measurement?, r.ts?)))
        .collect();
    for r in &rows.data {
        let Some(c) = counts.get_mut(r.upload) else {
            continue;
        };
        let key = (
            r.sensor.0,
            r.sensor.1.to_owned(),
            r.sensor.2.to_owned(),
            r.ts,
        );
        // The first row with an inserted key owns it; a repeat in the same upload is a
        // duplicate.
        if inserted.remove(&key) {
            c.inserted += 1;
        } else {
            c.duplicates += 1;
        }
    }
    Ok(true)
}

/// Inserts every row of `rows`; `sensor_ids` must hold every sensor the data rows need.
pub(crate) async fn insert_rows(
    conn: &mut AsyncPgConnection,
    rows: &Rows,
    sensor_ids: &HashMap<SensorKey, i32>,
    counts: &mut [Counts],
) -> Result<(), DieselError> {
    insert_power(conn, &rows.power, counts).await?;
    insert_teros(conn, &rows.teros, counts).await?;
    insert_data(conn, &rows.data, sensor_ids, counts).await
}

async fn insert_power(
    conn: &mut AsyncPgConnection,
    rows: &[PowerRec],
    counts: &mut [Counts],
) -> Result<(), DieselError> {
    if rows.is_empty() {
        return Ok(());
    }
    let unique: BTreeMap<_, &PowerRec> = first_by_key(rows.iter().map(|r| (r.key, r)));
    let statement = InsertPower {
        cell_ids: unique.keys().map(|k| k.0).collect(),
        ts: unique.keys().map(|k| k.1).collect(),
        logger_ids: unique.keys().map(|k| k.2).collect(),
        voltage: unique.values().map(|r| r.voltage).collect(),
        current: unique.values().map(|r| r.current).collect(),
    };
    let inserted: HashSet<_> = statement
        .load::<PowerKeyRow>(conn)
        .await?
        .into_iter()
        .map(|r| (r.cell_id, r.ts, r.logger_id.unwrap_or_default()))
        .collect();
    attribute(rows.iter().map(|r| (r.upload, r.key)), inserted, counts);
    Ok(())
}

async fn insert_teros(
    conn: &mut AsyncPgConnection,
    rows: &[TerosRec],
    counts: &mut [Counts],
) -> Result<(), DieselError> {
    if rows.is_empty() {
        return Ok(());
    }
    let unique: BTreeMap<_, &TerosRec> = first_by_key(rows.iter().map(|r| (r.key, r)));
    let statement = InsertTeros {
        cell_ids: unique.keys().map(|k| k.0).collect(),
        ts: unique.keys().map(|k| k.1).collect(),
        vwc: unique.values().map(|r| r.vwc).collect(),
        raw_vwc: unique.values().map(|r| r.raw_vwc).collect(),
        temp: unique.values().map(|r| r.temp).collect(),
        ec: unique.values().map(|r| r.ec).collect(),
    };
    let inserted: HashSet<_> = statement
        .load::<TerosKeyRow>(conn)
        .await?
        .into_iter()
        .map(|r| (r.cell_id, r.ts))
        .collect();
    attribute(rows.iter().map(|r| (r.upload, r.key)), inserted, counts);
    Ok(())
}

async fn insert_data(
    conn: &mut AsyncPgConnection,
    rows: &[DataRec],
    sensor_ids: &HashMap<SensorKey, i32>,
    counts: &mut [Counts],
) -> Result<(), DieselError> {
    if rows.is_empty() {
        return Ok(());
    }
    // A sensor missing from the map is a bug of the caller; its rows would be lost silently,
    // so refuse the whole statement instead.
    let keyed = rows
        .iter()
        .map(|r| {
            let id = sensor_ids.get(&r.sensor).copied().ok_or_else(|| {
                DieselError::QueryBuilderError(format!("no sensor id for {:?}", r.sensor).into())
            })?;
            Ok(((id, r.ts), r))
        })
        .collect::<Result<Vec<_>, DieselError>>()?;
    let unique: BTreeMap<_, &DataRec> = first_by_key(keyed.iter().map(|(k, r)| (*k, *r)));
    let statement = InsertData {
        sensor_ids: unique.keys().map(|k| k.0).collect(),
        ts: unique.keys().map(|k| k.1).collect(),
        float_val: unique.values().map(|r| float_of(r.value)).collect(),
        int_val: unique.values().map(|r| int_of(r.value)).collect(),
    };
    let inserted: HashSet<_> = statement
        .load::<DataKeyRow>(conn)
        .await?
        .into_iter()
        .map(|r| (r.sensor_id, r.ts))
        .collect();
    attribute(keyed.iter().map(|(k, r)| (r.upload, *k)), inserted, counts);
    Ok(())
}

/// The first row of each key (upload order: the first write wins), sorted by key.
fn first_by_key<K: Ord, R>(rows: impl Iterator<Item = (K, R)>) -> BTreeMap<K, R> {
    let mut unique = BTreeMap::new();
    for (key, row) in rows {
        unique.entry(key).or_insert(row);
    }
    unique
}

/// The ids of `sensors` (key → unit and `data_type` of the first value), creating the
/// missing ones. Race-free thanks to `uq_sensor_cell_id_name_measurement`: a concurrent
/// creator makes `CreateSensors` wait and skip the row, and the second lookup (a new
/// statement, hence a new snapshot under READ COMMITTED) sees the committed row.
pub(crate) async fn sensor_ids(
    conn: &mut AsyncPgConnection,
    sensors: &BTreeMap<SensorKey, (&'static str, &'static str)>,
) -> Result<HashMap<SensorKey, i32>, DieselError> {
    if sensors.is_empty() {
        return Ok(HashMap::new());
    }
    let mut ids = find_sensors(conn, sensors.keys()).await?;
    let missing: Vec<(&SensorKey, &(&str, &str))> = sensors
        .iter()
        .filter(|(k, _)| !ids.contains_key(*k))
        .collect();
    if missing.is_empty() {
        return Ok(ids);
    }
    CreateSensors {
        cell_ids: missing.iter().map(|(k, _)| k.0).collect(),
        names: missing.iter().map(|(k, _)| k.1.to_owned()).collect(),
        measurements: missing.iter().map(|(k, _)| k.2.to_owned()).collect(),
        units: missing.iter().map(|(_, v)| v.0.to_owned()).collect(),
        data_types: missing.iter().map(|(_, v)| v.1.to_owned()).collect(),
    }
    .execute(conn)
    .await?;
    ids.extend(find_sensors(conn, missing.iter().map(|(k, _)| *k)).await?);
    Ok(ids)
}

async fn find_sensors<'a>(
    conn: &mut AsyncPgConnection,
    keys: impl Iterator<Item = &'a SensorKey> + Clone,
) -> Result<HashMap<SensorKey, i32>, DieselError> {
    let by_text: HashMap<(i32, &str, &str), SensorKey> =
        keys.clone().map(|k| ((k.0, k.1, k.2), *k)).collect();
    let found = FindSensors {
        cell_ids: keys.clone().map(|k| k.0).collect(),
        names: keys.clone().map(|k| k.1.to_owned()).collect(),
        measurements: keys.map(|k| k.2.to_owned()).collect(),
    }
    .load::<SensorIdRow>(conn)
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|row| {
            let key = by_text.get(&(row.cell_id, row.name.as_str(), row.measurement.as_str()))?;
            Some((*key, row.id))
        })
        .collect())
}

fn float_of(value: SensorValue) -> Option<f64> {
    match value {
        SensorValue::Float(f) => Some(f),
        SensorValue::Int(_) => None,
    }
}

fn int_of(value: SensorValue) -> Option<i32> {
    match value {
        SensorValue::Int(i) => Some(i),
        SensorValue::Float(_) => None,
    }
}
