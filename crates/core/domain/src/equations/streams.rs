/// The stream names a reference may use (case-insensitive), with the series each reads:
/// upstream's allow-list.
pub const STREAMS: &[(&str, &str)] = &[
    ("vwc", "teros"),
    ("temp", "teros"),
    ("ec", "teros"),
    ("voltage", "power"),
    ("v", "power"),
    ("current", "power"),
    ("i", "power"),
    ("power", "power"),
    ("p", "power"),
    ("co2", "co2"),
    ("bme280", "bme280"),
    ("pressure", "bme280"),
    ("humidity", "bme280"),
    ("temperature", "bme280"),
    ("soil_water_potential", "teros21"),
    ("teros21", "teros21"),
    ("flow", "yfs210c"),
    ("yfs210c", "yfs210c"),
];

pub(crate) fn is_known(name: &str) -> bool {
    let lower = name.to_lowercase();
    STREAMS.iter().any(|(key, _)| *key == lower)
}
