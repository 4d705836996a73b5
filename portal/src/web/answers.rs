//! What the API reads on every request, kept briefly (`db::recent`): the
//! user behind a bearer token, a user's pricing terms and the stock display
//! setting. A search then asks the database only for its rows.

use chrono::{NaiveDateTime, Utc};

use crate::accounts::{tokens, User, UserId};
use crate::db::recent::Recent;
use crate::db::{Db, DbConn};
use crate::error::Result;
use crate::pricing::PriceContext;
use crate::settings::StockPolicy;

/// The answers of one application instance.
#[derive(Default)]
pub struct Answers {
    /// By the token's SHA-256: its user and when it expires.
    tokens: Recent<String, (User, NaiveDateTime)>,
    pricing: Recent<UserId, PriceContext>,
    stock: Recent<(), StockPolicy>,
}

impl Answers {
    /// The active user of an unexpired token; `None` for an unknown,
    /// expired or revoked one (never kept, so made-up tokens cost memory
    /// nothing).
    pub async fn token_user(&self, db: &Db, token: String) -> Result<Option<User>> {
        let hash = crate::hash_token(&token);
        let generation = db.generation();
        if let Some((user, expires_at)) = self.tokens.get(&hash, generation) {
            return Ok((expires_at > Utc::now().naive_utc()).then_some(user));
        }
        let found = db.run(move |conn| tokens::lookup_with_expiry(conn, &token)).await?;
        Ok(found.map(|(user, expires_at)| {
            self.tokens.put(hash, generation, (user.clone(), expires_at));
            user
        }))
    }

    /// `PriceContext::for_user`, read at most once per `TRUSTED_FOR`;
    /// `generation` is `Db::generation` taken before the call.
    pub fn pricing(&self, conn: &mut DbConn, generation: u64, user: &User) -> Result<PriceContext> {
        if let Some(pricing) = self.pricing.get(&user.id, generation) {
            return Ok(pricing);
        }
        let pricing = PriceContext::for_user(conn, user)?;
        self.pricing.put(user.id, generation, pricing.clone());
        Ok(pricing)
    }

    /// `settings::stock_policy`, read at most once per `TRUSTED_FOR`.
    pub fn stock_policy(&self, conn: &mut DbConn, generation: u64) -> Result<StockPolicy> {
        if let Some(policy) = self.stock.get(&(), generation) {
            return Ok(policy);
        }
        let policy = crate::settings::stock_policy(conn)?;
        self.stock.put((), generation, policy);
        Ok(policy)
    }
}
