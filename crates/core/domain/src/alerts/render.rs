//! The words of a notification: the e-mail (plain text and HTML) and the webhook JSON.

use super::notification::Notification;
use super::state::NotificationKind;
use crate::DomainError;
use crate::notifications::Email;

/// The dashboard page of a cell.
pub fn cell_link(public_url: &str, cell_id: i32) -> String {
    format!(
        "{}/dashboard?cell_id={cell_id}",
        public_url.trim_end_matches('/')
    )
}

fn headline(n: &Notification) -> String {
    let what = match n.kind {
        NotificationKind::Fired => "FIRING",
        NotificationKind::Reminder => "STILL FIRING",
        NotificationKind::Resolved => "RESOLVED",
    };
    format!(
        "[ENTS {}] {what}: {} on cell {}",
        n.severity.as_str(),
        n.rule_name,
        n.cell_name
    )
}

fn value_text(n: &Notification) -> String {
    n.value
        .map_or_else(|| "unknown".to_owned(), |v| format!("{v}"))
}

/// The e-mail to `n.emails`.
pub fn email(n: &Notification, public_url: &str) -> Email {
    let link = cell_link(public_url, n.cell_id);
    let subject = headline(n);
    let fired = n.fired_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let resolved = n
        .resolved_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string());
    let mut text = format!(
        "{subject}\n\nRule: {}\nCondition: {}\nCell: {} (id {})\nFired at: {fired}\n",
        n.rule_name, n.condition, n.cell_name, n.cell_id
    );
    if let Some(resolved) = &resolved {
        text.push_str(&format!("Resolved at: {resolved}\n"));
    }
    text.push_str(&format!("Value: {}\n\nDashboard: {link}\n", value_text(n)));
    let mut html = format!(
        "<html><body><h2>{}</h2><table>\
         <tr><th align=\"left\">Rule</th><td>{}</td></tr>\
         <tr><th align=\"left\">Condition</th><td>{}</td></tr>\
         <tr><th align=\"left\">Cell</th><td>{} (id {})</td></tr>\
         <tr><th align=\"left\">Fired at</th><td>{fired}</td></tr>",
        escape(&subject),
        escape(&n.rule_name),
        escape(&n.condition),
        escape(&n.cell_name),
        n.cell_id
    );
    if let Some(resolved) = &resolved {
        html.push_str(&format!(
            "<tr><th align=\"left\">Resolved at</th><td>{resolved}</td></tr>"
        ));
    }
    html.push_str(&format!(
        "<tr><th align=\"left\">Value</th><td>{}</td></tr></table>\
         <p><a href=\"{}\">Open the cell on the dashboard</a></p></body></html>",
        escape(&value_text(n)),
        escape(&link)
    ));
    Email {
        to: n.emails.clone(),
        subject,
        text,
        html,
    }
}

/// The webhook document (docs/alerts.md#webhook): what happened, to which rule and cell.
/// Errors: `Internal` (serialization does not fail for these types).
pub fn webhook_body(n: &Notification) -> Result<String, DomainError> {
    serde_json::to_string(&serde_json::json!({
        "type": format!("alert.{}", n.kind.as_str()),
        "delivery_id": n.delivery_id(),
        "rule": {"id": n.rule_id, "name": n.rule_name, "condition": n.condition},
        "severity": n.severity.as_str(),
        "cell": {"id": n.cell_id, "name": n.cell_name},
        "logger_id": n.logger_id,
        "event": {
            "id": n.event_id,
            "fired_at": n.fired_at,
            "resolved_at": n.resolved_at,
        },
        "value": n.value,
        "sent_at": n.at,
    }))
    .map_err(DomainError::internal)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
