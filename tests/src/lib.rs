//! Helpers of the end-to-end suite (tests in `tests/tests/`): waiting for a condition with a
//! generous bound, the cell and logger the device vectors upload to, and a response's request
//! id. The server itself comes from `ents_runtime::testing::TestApp`.

use std::future::Future;
use std::time::Duration;

use ents_runtime::testing::TestApp;

/// Every wait in this suite is bounded by this; slowness on a shared machine is not a failure.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Polls `check` until it returns `Some`, or gives up after [`PATIENCE`] with `None`.
pub async fn eventually<T, F, Fut>(mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if let Some(value) = check().await {
            return Some(value);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Cell 1 and logger 1, which the device vectors upload to.
///
/// # Panics
/// When the database refuses them (a test's setup).
#[allow(clippy::unwrap_used)]
pub async fn seed_cell_and_logger(app: &TestApp) {
    let (client, connection) = tokio_postgres::connect(app.db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "INSERT INTO cell (id, name) VALUES (1, 'cell-1'); \
             INSERT INTO logger (id, name, uuid, date_created) \
               VALUES (1, 'logger-1', gen_random_uuid(), now()); \
             SELECT setval('cell_id_seq', 1); SELECT setval('logger_id_seq', 1);",
        )
        .await
        .unwrap();
}

/// The `X-Request-Id` the server answered with.
///
/// # Panics
/// When the response has none.
#[allow(clippy::unwrap_used)]
pub fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}
