//! Every kind of caller the authorization matrices try each route as, and how each one
//! proves who it is.
#![allow(dead_code)]

use ents_runtime::testing::TestApp;
use uuid::Uuid;

use super::registry::{Auth, DASHBOARD, Registered, api_key, register, seeded};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Who {
    Owner,
    Member,
    Stranger,
    Anonymous,
    OwnerKey,
    OwnerIngestKey,
    StrangerKey,
    CookieAllowedOrigin,
    CookieForeignOrigin,
}

pub const EVERYONE: [Who; 9] = [
    Who::Owner,
    Who::Member,
    Who::Stranger,
    Who::Anonymous,
    Who::OwnerKey,
    Who::OwnerIngestKey,
    Who::StrangerKey,
    Who::CookieAllowedOrigin,
    Who::CookieForeignOrigin,
];

/// An owner registered through the API (so it has a refresh cookie), a future member and a
/// stranger, and their API keys.
pub struct Callers {
    pub owner: Registered,
    pub member: Uuid,
    pub member_email: String,
    pub stranger: Uuid,
    pub owner_full: String,
    pub owner_ingest: String,
    pub stranger_full: String,
}

impl Callers {
    pub async fn new(app: &TestApp) -> Self {
        let owner = register(app).await;
        let (member, member_email) = seeded(app).await;
        let (stranger, _) = seeded(app).await;
        Self {
            owner_full: api_key(app, owner.id, "full").await,
            owner_ingest: api_key(app, owner.id, "ingest").await,
            stranger_full: api_key(app, stranger, "full").await,
            owner,
            member,
            member_email,
            stranger,
        }
    }

    pub fn auth(&self, who: Who) -> Auth {
        match who {
            Who::Owner => Auth::Bearer(self.owner.id),
            Who::Member => Auth::Bearer(self.member),
            Who::Stranger => Auth::Bearer(self.stranger),
            Who::Anonymous => Auth::None,
            Who::OwnerKey => Auth::Key(self.owner_full.clone()),
            Who::OwnerIngestKey => Auth::Key(self.owner_ingest.clone()),
            Who::StrangerKey => Auth::Key(self.stranger_full.clone()),
            Who::CookieAllowedOrigin => Auth::Cookie {
                cookie: self.owner.cookie.clone(),
                origin: DASHBOARD.into(),
            },
            Who::CookieForeignOrigin => Auth::Cookie {
                cookie: self.owner.cookie.clone(),
                origin: "https://evil.example".into(),
            },
        }
    }
}
