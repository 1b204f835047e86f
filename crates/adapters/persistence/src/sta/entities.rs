//! Cells and their series, as Things and Datastreams.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Double, Integer, Nullable, Text, Timestamp, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::sta::{Datastream, SeriesKey, Slot, StaCell, StaScope};

use crate::error::StoreError;

/// Which cells the scope sees, over `cell c`; `$1` is the member's id (or NULL for all).
const VISIBLE: &str = "($1::uuid IS NULL OR c.user_id = $1 OR EXISTS \
     (SELECT 1 FROM cell_user m WHERE m.cell_id = c.id AND m.user_id = $1))";

fn member(scope: StaScope) -> Option<uuid::Uuid> {
    match scope {
        StaScope::Member(user) => Some(user.0),
        StaScope::All | StaScope::Nothing => None,
    }
}

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    location: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    longitude: Option<f64>,
    #[diesel(sql_type = Bool)]
    archive: bool,
    #[diesel(sql_type = Array<Text>)]
    tags: Vec<String>,
}

pub(super) async fn cells(
    conn: &mut AsyncPgConnection,
    scope: StaScope,
) -> Result<Vec<StaCell>, StoreError> {
    let rows = diesel::sql_query(format!(
        "SELECT c.id, c.name, c.location, c.latitude, c.longitude, c.archive, \
           ARRAY(SELECT t.name FROM cell_tag ct JOIN tag t ON t.id = ct.tag_id \
                 WHERE ct.cell_id = c.id ORDER BY t.name) AS tags \
         FROM cell c WHERE {VISIBLE} ORDER BY c.id"
    ))
    .bind::<Nullable<Uuid>, _>(member(scope))
    .load::<CellRow>(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaCell {
            id: r.id,
            name: r.name,
            location: r.location,
            latitude: r.latitude,
            longitude: r.longitude,
            archive: r.archive,
            tags: r.tags,
        })
        .collect())
}

#[derive(QueryableByName)]
struct LegacyRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    p_first: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    p_last: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    t_first: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    t_last: Option<NaiveDateTime>,
}

#[derive(QueryableByName)]
struct SensorRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    cell_id: i32,
    #[diesel(sql_type = Text)]
    cell_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    measurement: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    unit: Option<String>,
    #[diesel(sql_type = Integer)]
    sensor_group: i32,
    #[diesel(sql_type = Integer)]
    property_group: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    first: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    last: Option<NaiveDateTime>,
}

fn span(
    first: Option<NaiveDateTime>,
    last: Option<NaiveDateTime>,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    Some((first?, last?))
}

fn legacy(row: &LegacyRow, slot: Slot, span: (NaiveDateTime, NaiveDateTime)) -> Datastream {
    let (measurement, unit) = slot.legacy_property().unwrap_or_default();
    Datastream {
        key: SeriesKey::new(row.id, slot),
        cell_id: row.id,
        cell_name: row.name.clone(),
        sensor_name: if slot.is_power() { "power" } else { "teros12" }.to_owned(),
        measurement: measurement.to_owned(),
        unit: unit.to_owned(),
        integer: false,
        sensor_group: 0,
        property_group: 0,
        span: Some(span),
    }
}

pub(super) async fn datastreams(
    conn: &mut AsyncPgConnection,
    scope: StaScope,
) -> Result<Vec<Datastream>, StoreError> {
    // min/max per series walk the (key, ts) indexes: two index probes each.
    let cells = diesel::sql_query(format!(
        "SELECT c.id, c.name, \
           (SELECT min(ts) FROM power_data p WHERE p.cell_id = c.id) AS p_first, \
           (SELECT max(ts) FROM power_data p WHERE p.cell_id = c.id) AS p_last, \
           (SELECT min(ts) FROM teros_data t WHERE t.cell_id = c.id) AS t_first, \
           (SELECT max(ts) FROM teros_data t WHERE t.cell_id = c.id) AS t_last \
         FROM cell c WHERE {VISIBLE}"
    ))
    .bind::<Nullable<Uuid>, _>(member(scope))
    .load::<LegacyRow>(conn)
    .await?;
    let sensors = diesel::sql_query(format!(
        "SELECT s.id, s.cell_id, c.name AS cell_name, s.name, s.measurement, s.data_type, \
           s.unit, \
           (SELECT min(id) FROM sensor g WHERE g.name = s.name) AS sensor_group, \
           (SELECT min(id) FROM sensor g WHERE g.measurement = s.measurement) AS property_group, \
           (SELECT min(ts) FROM data d WHERE d.sensor_id = s.id) AS first, \
           (SELECT max(ts) FROM data d WHERE d.sensor_id = s.id) AS last \
         FROM sensor s JOIN cell c ON c.id = s.cell_id \
         WHERE s.data_type IN ('float', 'int') AND {VISIBLE}"
    ))
    .bind::<Nullable<Uuid>, _>(member(scope))
    .load::<SensorRow>(conn)
    .await?;
    let mut out = Vec::new();
    for row in &cells {
        if let Some(s) = span(row.p_first, row.p_last) {
            out.extend(Slot::POWER.iter().map(|slot| legacy(row, *slot, s)));
        }
        if let Some(s) = span(row.t_first, row.t_last) {
            out.extend(Slot::TEROS.iter().map(|slot| legacy(row, *slot, s)));
        }
    }
    out.extend(sensors.into_iter().map(|s| Datastream {
        key: SeriesKey::new(s.id, Slot::Sensor),
        cell_id: s.cell_id,
        cell_name: s.cell_name,
        sensor_name: s.name,
        measurement: s.measurement,
        unit: s.unit.unwrap_or_default(),
        integer: s.data_type == "int",
        sensor_group: s.sensor_group,
        property_group: s.property_group,
        span: span(s.first, s.last),
    }));
    out.sort_by_key(Datastream::id);
    Ok(out)
}
