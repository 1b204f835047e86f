//! The authorization matrix (docs/compatibility.md#authorization), as a table.
#![allow(clippy::unwrap_used)]

use uuid::Uuid;

use super::*;
use crate::DomainError;
use crate::auth::{ApiKeyId, ApiKeyScope, Caller, Credential};
use crate::users::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Owner,
    Member,
    Stranger,
    OwnerIngestKey,
    MemberIngestKey,
    OwnerFullKey,
    OwnerCookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Unauthenticated,
    Forbidden,
}

struct World {
    owner: UserId,
    member: UserId,
    stranger: UserId,
}

impl World {
    fn new() -> Self {
        Self {
            owner: UserId::new(),
            member: UserId::new(),
            stranger: UserId::new(),
        }
    }

    fn facts(&self, kind: ResourceKind) -> ResourceFacts {
        ResourceFacts::new(kind, Some(self.owner), vec![self.member])
    }

    fn caller(&self, who: Who) -> Option<Caller> {
        let key = |scope| Credential::ApiKey {
            key_id: ApiKeyId(Uuid::new_v4()),
            scope,
        };
        Some(match who {
            Who::Anonymous => return None,
            Who::Owner => Caller::new(self.owner, Credential::AccessToken),
            Who::Member => Caller::new(self.member, Credential::AccessToken),
            Who::Stranger => Caller::new(self.stranger, Credential::AccessToken),
            Who::OwnerIngestKey => Caller::new(self.owner, key(ApiKeyScope::Ingest)),
            Who::MemberIngestKey => Caller::new(self.member, key(ApiKeyScope::Ingest)),
            Who::OwnerFullKey => Caller::new(self.owner, key(ApiKeyScope::Full)),
            Who::OwnerCookie => Caller::new(self.owner, Credential::BrowserCookie),
        })
    }
}

fn outcome(result: Result<(), DomainError>) -> Expect {
    match result {
        Ok(()) => Expect::Allowed,
        Err(DomainError::Unauthenticated(_)) => Expect::Unauthenticated,
        Err(DomainError::Forbidden(_)) => Expect::Forbidden,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

use Action::*;
use Expect::*;
use Who::*;

/// (who, action, expected with public_read = true, expected with public_read = false)
const MATRIX: &[(Who, Action, Expect, Expect)] = &[
    (Anonymous, Read, Allowed, Unauthenticated),
    (Anonymous, Write, Unauthenticated, Unauthenticated),
    (Anonymous, Ingest, Unauthenticated, Unauthenticated),
    (Anonymous, ManageMembers, Unauthenticated, Unauthenticated),
    (Owner, Read, Allowed, Allowed),
    (Owner, Write, Allowed, Allowed),
    (Owner, Ingest, Allowed, Allowed),
    (Owner, ManageMembers, Allowed, Allowed),
    (Member, Read, Allowed, Allowed),
    (Member, Write, Allowed, Allowed),
    (Member, Ingest, Allowed, Allowed),
    (Member, ManageMembers, Forbidden, Forbidden),
    (Stranger, Read, Allowed, Forbidden),
    (Stranger, Write, Forbidden, Forbidden),
    (Stranger, Ingest, Forbidden, Forbidden),
    (Stranger, ManageMembers, Forbidden, Forbidden),
    (OwnerIngestKey, Read, Forbidden, Forbidden),
    (OwnerIngestKey, Write, Forbidden, Forbidden),
    (OwnerIngestKey, Ingest, Allowed, Allowed),
    (OwnerIngestKey, ManageMembers, Forbidden, Forbidden),
    (MemberIngestKey, Ingest, Allowed, Allowed),
    (MemberIngestKey, Write, Forbidden, Forbidden),
    (OwnerFullKey, Write, Allowed, Allowed),
    (OwnerFullKey, ManageMembers, Allowed, Allowed),
    (OwnerCookie, Write, Allowed, Allowed),
    (OwnerCookie, ManageMembers, Allowed, Allowed),
];

#[test]
fn the_authorization_matrix_holds_for_every_resource_kind() {
    let world = World::new();
    for kind in [ResourceKind::Cell, ResourceKind::Logger] {
        let facts = world.facts(kind);
        for &(who, action, public, private) in MATRIX {
            for (public_read, expected) in [(true, public), (false, private)] {
                let caller = world.caller(who);
                let got = outcome(authorize(
                    AccessPolicy { public_read },
                    caller.as_ref(),
                    action,
                    &facts,
                ));
                assert_eq!(
                    got, expected,
                    "{kind:?}: {who:?} {action:?} with public_read={public_read}"
                );
            }
        }
    }
}

#[test]
fn only_the_creator_may_change_a_tag() {
    let world = World::new();
    let tag = ResourceFacts::new(ResourceKind::Tag, Some(world.owner), Vec::new());
    let policy = AccessPolicy::default();
    let owner = world.caller(Owner);
    let stranger = world.caller(Stranger);
    assert!(authorize(policy, owner.as_ref(), Write, &tag).is_ok());
    assert!(matches!(
        authorize(policy, stranger.as_ref(), Write, &tag),
        Err(DomainError::Forbidden(_))
    ));
    assert!(authorize(policy, stranger.as_ref(), Read, &tag).is_ok());
}

#[test]
fn nobody_changes_a_resource_without_an_owner() {
    let world = World::new();
    let orphan = ResourceFacts::new(ResourceKind::Cell, None, Vec::new());
    let policy = AccessPolicy::default();
    for who in [Owner, Stranger, OwnerFullKey] {
        let caller = world.caller(who);
        assert!(matches!(
            authorize(policy, caller.as_ref(), Write, &orphan),
            Err(DomainError::Forbidden(_))
        ));
        assert!(authorize(policy, caller.as_ref(), Read, &orphan).is_ok());
    }
}

#[test]
fn creating_needs_an_identified_caller_with_more_than_an_ingest_key() {
    let world = World::new();
    assert!(matches!(
        require_caller(None),
        Err(DomainError::Unauthenticated(_))
    ));
    let ingest = world.caller(OwnerIngestKey);
    assert!(matches!(
        require_caller(ingest.as_ref()),
        Err(DomainError::Forbidden(_))
    ));
    for who in [Owner, OwnerFullKey, OwnerCookie] {
        let caller = world.caller(who);
        assert_eq!(
            require_caller(caller.as_ref()).unwrap().user_id,
            world.owner
        );
    }
}

/// The scope table, whole: operation × credential kind.
#[test]
fn the_scope_table_is_as_documented() {
    use CredentialKind::*;
    use Operation::*;
    let table = [
        (AccessToken, [true, true, true]),
        (FullKey, [true, true, false]),
        (BrowserCookie, [true, true, false]),
        (IngestKey, [true, false, false]),
    ];
    for (kind, allowed) in table {
        for (operation, expected) in [Upload, UseAccount, ManageKeys].into_iter().zip(allowed) {
            assert_eq!(permits(kind, operation), expected, "{kind:?} {operation:?}");
        }
    }
    let world = World::new();
    let ingest = world.caller(OwnerIngestKey).unwrap();
    assert!(check_scope(&ingest, Upload).is_ok());
    assert!(matches!(
        check_scope(&ingest, UseAccount),
        Err(DomainError::Forbidden(m)) if m == crate::auth::INGEST_KEY_ONLY
    ));
}
