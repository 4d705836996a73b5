//! Random tokens and their stored form. Tokens are 256 random bits in hex;
//! only their SHA-256 is ever written to the database.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token (64 hex characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The form a token is stored and looked up in.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The SHA-256 of some bytes in hex (file fingerprints in the journal).
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
