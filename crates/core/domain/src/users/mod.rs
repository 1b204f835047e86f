//! People who sign in: the upstream `"user"` row plus what local and Google sign-in need.

mod model;
mod ports;
mod service;

pub use model::{Email, NewUser, ProfileUpdate, User, UserId};
pub use ports::UserRepository;
pub use service::UserService;
