//! Request bodies (upstream's, docs/ttn.md#what-upstream-did), built fresh for each call.

use ents_domain::loggers::DeviceRegistration;
use serde_json::{Value, json};

/// The LoRaWAN defaults upstream registers every device with (US915, FSB 2, 1.0.3).
fn device(app_id: &str, server_host: &str, device: &DeviceRegistration) -> Value {
    json!({
        "ids": ids(app_id, device),
        "name": device.name,
        "lorawan_version": "MAC_V1_0_3",
        "lorawan_phy_version": "PHY_V1_0_3_REV_A",
        "frequency_plan_id": "US_902_928_FSB_2",
        "mac_settings": { "rx2_data_rate_index": 8, "rx2_frequency": 923_300_000 },
        "supports_join": true,
        "multicast": false,
        "supports_class_b": false,
        "supports_class_c": false,
        "network_server_address": server_host,
        "application_server_address": server_host,
        "join_server_address": server_host,
    })
}

fn ids(app_id: &str, device: &DeviceRegistration) -> Value {
    json!({
        "device_id": device.device_id,
        "dev_eui": device.credentials.dev_eui,
        "join_eui": device.credentials.join_eui,
        "application_ids": { "application_id": app_id },
    })
}

const ID_PATHS: [&str; 4] = [
    "ids.join_eui",
    "ids.dev_eui",
    "ids.device_id",
    "ids.application_ids.application_id",
];

/// Identity Server create: the device without keys (the IS does not keep root keys).
pub(crate) fn identity_server(app_id: &str, host: &str, d: &DeviceRegistration) -> Value {
    json!({ "end_device": device(app_id, host, d) })
}

pub(crate) fn network_server(app_id: &str, host: &str, d: &DeviceRegistration) -> Value {
    let mut paths = vec![
        "frequency_plan_id",
        "lorawan_version",
        "lorawan_phy_version",
        "supports_join",
        "multicast",
        "supports_class_b",
        "supports_class_c",
        "mac_settings.rx2_data_rate_index",
        "mac_settings.rx2_frequency",
    ];
    paths.extend(ID_PATHS);
    json!({ "end_device": device(app_id, host, d), "field_mask": { "paths": paths } })
}

pub(crate) fn application_server(app_id: &str, host: &str, d: &DeviceRegistration) -> Value {
    json!({ "end_device": device(app_id, host, d), "field_mask": { "paths": ID_PATHS } })
}

/// Join Server: the only body with the AppKey.
pub(crate) fn join_server(app_id: &str, host: &str, d: &DeviceRegistration) -> Value {
    let mut end_device = device(app_id, host, d);
    end_device["root_keys"] = json!({ "app_key": { "key": d.credentials.app_key.expose() } });
    let mut paths = vec!["network_server_address", "application_server_address"];
    paths.extend(ID_PATHS);
    paths.push("root_keys.app_key.key");
    json!({ "end_device": end_device, "field_mask": { "paths": paths } })
}

/// Identity Server update of the name only.
pub(crate) fn rename(app_id: &str, device_id: &str, name: &str) -> Value {
    json!({
        "end_device": {
            "ids": { "device_id": device_id, "application_ids": { "application_id": app_id } },
            "name": name,
        },
        "field_mask": { "paths": ["name"] },
    })
}
