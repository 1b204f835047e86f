use ents_domain::DomainError;
use ents_domain::notifications::Email;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

/// The domain's e-mail as a MIME message from `from`. A missing or malformed recipient is
/// `BadRequest`: no retry can fix it.
pub(crate) fn build(from: &Mailbox, email: &Email) -> Result<Message, DomainError> {
    if email.to.is_empty() {
        return Err(DomainError::BadRequest(
            "an e-mail needs at least one recipient".into(),
        ));
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(email.subject.as_str());
    for to in &email.to {
        let mailbox: Mailbox = to.parse().map_err(|e| {
            DomainError::BadRequest(format!("invalid recipient address {to:?}: {e}"))
        })?;
        builder = builder.to(mailbox);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|e| DomainError::internal(format!("could not build the e-mail: {e}")))
}
