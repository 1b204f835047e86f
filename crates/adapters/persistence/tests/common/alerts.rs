//! What the alert tests stand on: a cell with its owner, and a rule on it.

use diesel_async::AsyncPgConnection;
use ents_domain::alerts::{Condition, Recipients, RuleSpec, Severity};
use ents_domain::users::UserId;

use super::exec;

/// A user with e-mail `email` who owns cell 1 (`field`) and is a member of it, so that the
/// rules' mail may go to them.
pub async fn seed_cell_owner(conn: &mut AsyncPgConnection, email: &str) -> UserId {
    let user = UserId::new();
    exec(
        conn,
        &format!(
            "INSERT INTO \"user\" (id, email, password) VALUES ('{user}', '{email}', 'x'); \
             INSERT INTO cell (id, name, user_id) VALUES (1, 'field', '{user}'); \
             INSERT INTO cell_user (cell_id, user_id) VALUES (1, '{user}');"
        ),
    )
    .await;
    user
}

/// An enabled rule on cell 1 (any logger), with no quiet hours and no reminders.
pub fn rule_spec(
    name: &str,
    condition: Condition,
    severity: Severity,
    recipients: Recipients,
) -> RuleSpec {
    RuleSpec {
        cell_id: 1,
        logger_id: None,
        name: name.to_owned(),
        condition,
        severity,
        quiet_hours: None,
        recipients,
        reminder_hours: None,
        enabled: true,
    }
}
