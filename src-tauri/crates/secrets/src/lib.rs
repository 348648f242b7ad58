//! Secrets live in the OS keychain and nowhere else.
//!
//! [`Keychain`] stores passwords, API token secrets and SSH keys under (owner, kind) in the
//! platform's credential store (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). There is deliberately no fallback: when no keychain is reachable the
//! error says how to get one, and nothing is written anywhere else.
//!
//! [`Sensitive`] carries a secret through the program: its `Debug` prints a placeholder and
//! it does not implement `Serialize`, so it cannot end up in a log line, an IPC result or a
//! database row by accident.

mod keychain;
mod sensitive;
#[cfg(feature = "testing")]
pub mod testing;

pub use keychain::{Keychain, SecretKind, SecretRef, SecretsError};
pub use sensitive::Sensitive;
