//! Every password check — the login form, `POST /api/v1/auth/token` and
//! 1C's `checkauth` — goes through `Logins::check`: the throttle first
//! (blocked keys are answered at once), then the user's row is read with a
//! pooled connection that is returned before the hash is computed, then
//! argon2 runs behind the `PasswordGate`.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::password::{self, PasswordGate};
use super::throttle::{Key, Limits, Throttle};
use super::{may_sign_in, User};
use crate::db::Db;
use crate::error::Result;

/// The outcome of a password check.
#[derive(Debug)]
pub enum LoginOutcome {
    /// The password is right and the user may sign in.
    Accepted(User),
    /// Unknown email, wrong password, disabled account or company: callers
    /// cannot tell which.
    Refused,
    /// Too many failures for this login or address; try again after this long.
    Throttled(Duration),
    /// The server is at its limit of password checks; try again in a moment.
    Busy,
}

/// This instance's password checks: the throttle and the gate.
#[derive(Debug)]
pub struct Logins {
    pub throttle: Throttle,
    pub gate: PasswordGate,
}

impl Default for Logins {
    fn default() -> Logins {
        Logins { throttle: Throttle::new(Limits::default()), gate: PasswordGate::for_this_machine() }
    }
}

impl Logins {
    /// Checks `email` and `password` from the client at `client`.
    pub async fn check(&self, db: &Db, email: &str, password: &str, client: IpAddr) -> Result<LoginOutcome> {
        let email = email.trim().to_lowercase();
        let keys = vec![Key::Account(email.clone()), Key::Client(client)];
        let attempt = match self.throttle.begin(keys, Instant::now()) {
            Ok(attempt) => attempt,
            Err(wait) => return Ok(LoginOutcome::Throttled(wait)),
        };
        // The user, their hash and whether they may sign in, in one use of a
        // connection that is returned before the hash is computed.
        let lookup = move |conn: &mut crate::db::DbConn| match User::credentials(conn, &email)? {
            Some((user, hash)) => {
                let allowed = may_sign_in(conn, &user)?;
                Ok(Some((user, hash, allowed)))
            }
            None => Ok(None),
        };
        let found = match db.run(lookup).await {
            Ok(found) => found,
            Err(error) => {
                self.throttle.abandoned(attempt);
                return Err(error);
            }
        };
        let (user, stored) = match found {
            Some((user, hash, allowed)) => (allowed.then_some(user), Some(hash)),
            None => (None, None),
        };
        let password = password.to_string();
        // An unknown email is checked against a dummy hash, so that timing
        // does not reveal which emails exist; a user who may not sign in is
        // checked all the same.
        let check = move || match stored {
            Some(hash) => password::verify(&password, &hash),
            None => password::verify(&password, password::dummy_hash()),
        };
        let matches = match self.gate.run(check).await {
            Ok(matches) => matches,
            Err(password::Busy) => {
                self.throttle.abandoned(attempt);
                return Ok(LoginOutcome::Busy);
            }
        };
        let accepted = user.filter(|_| matches);
        Ok(match accepted {
            Some(user) => {
                self.throttle.succeeded(attempt);
                LoginOutcome::Accepted(user)
            }
            None => {
                self.throttle.failed(attempt, Instant::now());
                LoginOutcome::Refused
            }
        })
    }
}
