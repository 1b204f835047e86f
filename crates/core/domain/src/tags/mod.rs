//! Tags: a shared vocabulary for grouping cells (docs/compatibility.md#registry). Anyone may read
//! them; creating one needs an identified caller, who becomes its owner; only the owner
//! changes or deletes it (upstream let anyone, D-12).

mod model;
mod ports;
mod service;

pub use model::{DUPLICATE_TAG_NAME, NewTag, TAG_NOT_FOUND, Tag, TagChanges, tag_id_not_found};
pub use ports::TagRepository;
pub use service::TagService;
