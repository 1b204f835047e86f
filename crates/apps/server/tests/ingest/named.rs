//! Legacy JSON uploads: `POST /api/power/` and `POST /api/teros/`
//! (docs/wire-format.md#json-uploads).

use serde_json::json;

use super::support::*;

async fn post_json(
    app: &ents_runtime::testing::TestApp,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    post(
        app,
        path,
        Some("application/json"),
        &[],
        body.to_string().into_bytes(),
    )
    .await
}

#[tokio::test]
async fn power_creates_cell_and_logger_by_name_and_answers_the_row_like_jsonify() {
    let app = app().await;
    let body = json!({"type": "power", "logger": "new-logger", "cell": "new-cell", "ts": 1705176162, "v": 1, "i": 2});
    let response = post_json(&app, "/api/power/", body.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert!(text.ends_with("}\n"), "{text}");
    let row: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["current", "id", "ts", "ts_server", "voltage"]);
    assert_eq!(
        (
            row["ts"].as_str(),
            row["voltage"].as_f64(),
            row["current"].as_f64()
        ),
        (Some("2024-01-13T20:02:42"), Some(1.0), Some(2.0))
    );
    assert!(
        text.starts_with("{\"current\":2.0,\"id\":"),
        "compact, sorted: {text}"
    );

    // A retry answers the same row; the cell and logger exist once.
    let again: serde_json::Value = post_json(&app, "/api/power/", body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, row);
    assert_eq!(
        lines(
            &app,
            "SELECT count(*)::text FROM cell WHERE name = 'new-cell'"
        )
        .await,
        ["1"]
    );
    assert_eq!(
        lines(
            &app,
            "SELECT count(*)::text FROM logger WHERE name = 'new-logger'"
        )
        .await,
        ["1"]
    );
    assert_eq!(count(&app, "power_data").await, 1);
}

#[tokio::test]
async fn teros_stores_water_pot_and_rounds_ec() {
    let app = app().await;
    let body = json!({"type": "teros12", "cell": "cell-1", "ts": 1705176162.25, "vwc": 1, "raw_vwc": 2, "temp": 3, "ec": 4.5, "water_pot": 5});
    let response = post_json(&app, "/api/teros/", body).await;
    assert_eq!(response.status(), 200);
    let row: serde_json::Value = response.json().await.unwrap();
    assert_eq!(row["ec"], 4, "half to even, as PostgreSQL");
    assert_eq!(row["water_pot"], 5.0);
    assert_eq!(row["ts"], "2024-01-13T20:02:42.250000");
    let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ec",
            "id",
            "raw_vwc",
            "temp",
            "ts",
            "ts_server",
            "vwc",
            "water_pot"
        ]
    );
    assert_eq!(
        lines(&app, "SELECT cell_id::text FROM teros_data").await,
        ["1"]
    );
}

#[tokio::test]
async fn invalid_bodies_are_400_not_500() {
    let app = app().await;
    for body in [
        json!({"logger": "l", "cell": "c", "ts": 1, "v": 1}),
        json!({"logger": "l", "cell": "c", "ts": 1, "v": 1, "i": 2, "extra": 1}),
        json!({"logger": "l", "cell": "c", "ts": "x", "v": 1, "i": 2}),
    ] {
        assert_eq!(post_json(&app, "/api/power/", body).await.status(), 400);
    }
    let response = post_json(
        &app,
        "/api/teros/",
        json!({"cell": "c", "ts": 1, "vwc": 1, "raw_vwc": 1, "temp": 1, "ec": null}),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(measurement_rows(&app).await, 0);
}
