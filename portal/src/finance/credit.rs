//! The credit check at checkout: whether an order fits the contract's
//! credit. Prepayment contracts (limit 0) are not checked — their orders are
//! reserved until paid, as always. On a credit contract an order is held
//! when the balance plus the order would pass the limit, or when debt has
//! been overdue longer than the grace period; the `credit_policy` setting
//! says whether a held order is refused or placed for the manager's
//! approval.

use chrono::NaiveDate;

use super::position::{summary_of, Position};
use super::CREDIT_POLICY;
use crate::accounts::Contract;
use crate::db::DbConn;
use crate::error::Result;
use crate::i18n;
use crate::money::Money;
use crate::settings;

/// What the supplier does with an order that does not fit the credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Refuse,
    Approval,
}

impl Policy {
    pub fn current(conn: &mut DbConn) -> Result<Policy> {
        Ok(match settings::get(conn, CREDIT_POLICY)?.as_deref().map(str::trim) {
            Some("approval") => Policy::Approval,
            _ => Policy::Refuse,
        })
    }
}

/// Why an order does not fit the contract's credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// Balance plus the order would pass the limit.
    OverLimit { balance: Money, order: Money, limit: Money },
    /// Debt overdue for longer than the grace period.
    Overdue { amount: Money, days: i64, grace: i32 },
}

impl Hold {
    /// The reason in the buyer's language, with the amounts.
    pub fn message(&self, lang: &str) -> String {
        match self {
            Hold::OverLimit { balance, order, limit } => i18n::text(
                lang,
                "credit.over_limit",
                &[("balance", balance.format(lang)), ("order", order.format(lang)), ("limit", limit.format(lang))],
            ),
            Hold::Overdue { amount, days, grace } => i18n::text(
                lang,
                "credit.overdue",
                &[("amount", amount.format(lang)), ("days", days.to_string()), ("grace", grace.to_string())],
            ),
        }
    }
}

/// What the check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A prepayment contract: reserved until paid.
    Prepayment,
    /// Within the credit.
    Fits,
    /// Held, and the policy says what happens.
    Held(Hold, Policy),
}

/// The decision for a position and an order of `total`.
pub fn judge(position: &Position, total: Money, policy: Policy) -> Verdict {
    if position.prepayment() {
        return Verdict::Prepayment;
    }
    let grace = position.contract.grace_days;
    if position.overdue_minor > 0 && position.overdue_days > i64::from(grace) {
        let hold = Hold::Overdue { amount: Money(position.overdue_minor), days: position.overdue_days, grace };
        return Verdict::Held(hold, policy);
    }
    let limit = position.contract.credit_limit_minor;
    if position.balance_minor.max(0) + total.minor() > limit {
        let hold = Hold::OverLimit { balance: Money(position.balance_minor.max(0)), order: total, limit: Money(limit) };
        return Verdict::Held(hold, policy);
    }
    Verdict::Fits
}

/// Checks an order of `total` under `contract` as of `today`.
pub fn check(conn: &mut DbConn, contract: &Contract, total: Money, today: NaiveDate) -> Result<Verdict> {
    let policy = Policy::current(conn)?;
    let position = summary_of(conn, contract.clone(), today)?;
    Ok(judge(&position, total, policy))
}
