//! `PgLoggerRepository` against PostgreSQL: the port's error contract, the registration
//! columns, and deletion that keeps measurements.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use ents_domain::loggers::{
    LoggerChanges, LoggerFilter, LoggerId, LoggerRepository, LoraCredentials, NewLogger, TtnState,
};
use ents_domain::users::UserId;
use ents_domain::{ConflictKind, DomainError};
use ents_persistence::PgLoggerRepository;
use ents_persistence::testing::TestDb;

const KEY: &str = "CEC24E6A258B2B20A5A7C05ABD2C1724";

async fn with_user(test_db: &TestDb) -> UserId {
    let id = UserId::new();
    let mut conn = common::connect(test_db.url()).await;
    common::exec(
        &mut conn,
        &format!(
            "INSERT INTO \"user\" (id, first_name, last_name, email, password) \
             VALUES ('{id}', 'A', 'B', '{id}@example.com', '')"
        ),
    )
    .await;
    id
}

fn new(name: &str, owner: UserId, registration: Option<LoraCredentials>) -> NewLogger {
    NewLogger {
        name: name.into(),
        kind: "ents".into(),
        device_eui: "0080E1150546D093".into(),
        description: String::new(),
        owner,
        registration,
    }
}

#[tokio::test]
async fn the_port_contract_holds() {
    let test_db = TestDb::new().await;
    let owner = with_user(&test_db).await;
    let repo = PgLoggerRepository::new(test_db.db());

    let a = repo.create(new("a", owner, None)).await.unwrap();
    assert_eq!(a.owner, Some(owner));
    assert_eq!(a.ttn_state, None);
    assert!(matches!(
        repo.create(new("a", owner, None)).await,
        Err(DomainError::Conflict {
            kind: ConflictKind::DuplicateName,
            ..
        })
    ));
    // EUIs may repeat.
    let b = repo.create(new("b", owner, None)).await.unwrap();
    assert!(matches!(
        repo.update(
            b.id,
            LoggerChanges {
                name: Some("a".into()),
                description: None
            }
        )
        .await,
        Err(DomainError::Conflict {
            kind: ConflictKind::DuplicateName,
            ..
        })
    ));
    let b = repo
        .update(
            b.id,
            LoggerChanges {
                name: None,
                description: Some("d".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!((b.name.as_str(), b.description.as_str()), ("b", "d"));
    let unknown = LoggerId(424_242);
    assert!(matches!(
        repo.get(unknown).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        repo.delete(unknown).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        repo.finish_registration(unknown, TtnState::Failed, None)
            .await,
        Err(DomainError::NotFound(_))
    ));
    let mine = repo
        .list(LoggerFilter { owner: Some(owner) })
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    let nobody = repo
        .list(LoggerFilter {
            owner: Some(UserId::new()),
        })
        .await
        .unwrap();
    assert!(nobody.is_empty());
    repo.delete(a.id).await.unwrap();
    assert_eq!(repo.list(LoggerFilter::default()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn credentials_wait_in_the_row_until_registration_finishes() {
    let test_db = TestDb::new().await;
    let owner = with_user(&test_db).await;
    let repo = PgLoggerRepository::new(test_db.db());
    let creds = LoraCredentials::parse(
        Some("0080E1150546D093"),
        Some("0101010101010101"),
        Some(KEY),
    );
    let logger = repo
        .create(new("node", owner, creds.clone()))
        .await
        .unwrap();
    assert_eq!(logger.ttn_state, Some(TtnState::Pending));
    let pending = repo.pending_registration(logger.id).await.unwrap().unwrap();
    assert_eq!(Some(pending.credentials), creds);
    assert_eq!(pending.name, "node");

    repo.finish_registration(logger.id, TtnState::Failed, Some("refused"))
        .await
        .unwrap();
    assert_eq!(repo.pending_registration(logger.id).await.unwrap(), None);
    let logger = repo.get(logger.id).await.unwrap();
    assert_eq!(logger.ttn_state, Some(TtnState::Failed));
    assert_eq!(logger.ttn_error.as_deref(), Some("refused"));
    let mut conn = common::connect(test_db.url()).await;
    let keys = common::lines(
        &mut conn,
        "SELECT coalesce(ttn_app_key, '-') || coalesce(ttn_dev_eui, '-') AS line FROM logger",
    )
    .await;
    assert_eq!(keys, ["--"]);
}
