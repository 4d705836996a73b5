//! Demo finance: credit terms on the demo contracts and a few months of
//! ledger per company — shipments, payments, something overdue — so the
//! balances page is filled on first start. Dates count back from the day
//! of the first load; a contract that already has a ledger is left alone.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use crate::accounts::write::CreditTerms;
use crate::accounts::Contract;
use crate::db::schema::{contracts, ledger_entries};
use crate::db::DbConn;
use crate::error::Result;
use crate::finance::ledger::{due_date, put_erp, NewEntry};
use crate::finance::{DebitOn, EntryKind};
use crate::money::Money;

/// (days ago, kind, number, amount in roubles): the demo's documents.
type Doc = (i64, EntryKind, &'static str, i64);

/// A contract's demo terms and documents.
struct DemoLedger {
    contract: &'static str,
    limit_roubles: i64,
    grace_days: i32,
    documents: &'static [Doc],
}

const LEDGERS: &[DemoLedger] = &[
    DemoLedger {
        contract: "ОПТ-2026/014",
        limit_roubles: 3_000_000,
        grace_days: 30,
        documents: &[
            (75, EntryKind::Shipment, "РН-2026-0412", 184_300),
            (60, EntryKind::Payment, "ПП-1187", 184_300),
            (40, EntryKind::Shipment, "РН-2026-0533", 96_750),
            (24, EntryKind::Shipment, "РН-2026-0601", 142_180),
            (20, EntryKind::Payment, "ПП-1342", 60_000),
            (6, EntryKind::Shipment, "РН-2026-0688", 58_420),
        ],
    },
    DemoLedger {
        contract: "ДЛР-2026/003",
        limit_roubles: 1_500_000,
        grace_days: 10,
        documents: &[
            (50, EntryKind::Shipment, "РН-2026-0470", 312_000),
            (35, EntryKind::Return, "ВЗ-2026-0031", 12_400),
            (33, EntryKind::Shipment, "РН-2026-0551", 88_900),
            (15, EntryKind::Payment, "ПП-2210", 299_600),
        ],
    },
    DemoLedger {
        contract: "РЗН-2026/121",
        limit_roubles: 0,
        grace_days: 0,
        documents: &[(12, EntryKind::Payment, "ПП-77", 25_000), (12, EntryKind::Shipment, "РН-2026-0650", 25_000)],
    },
];

/// Sets the demo contracts' credit terms and, where a contract has no
/// ledger yet, writes its demo documents as the ERP would.
pub fn load(conn: &mut DbConn, today: NaiveDate) -> Result<()> {
    for demo in LEDGERS {
        let Some(contract) = contracts::table
            .filter(contracts::number.eq(demo.contract))
            .select(Contract::as_select())
            .first(conn)
            .optional()?
        else {
            continue;
        };
        let any = ledger_entries::table
            .filter(ledger_entries::contract_id.eq(contract.id))
            .select(ledger_entries::id)
            .first::<i64>(conn)
            .optional()?;
        if any.is_some() {
            continue;
        }
        CreditTerms { limit_minor: demo.limit_roubles * 100, grace_days: demo.grace_days, debit_on: DebitOn::Shipment }
            .save(conn, contract.id)?;
        for &(days_ago, kind, number, roubles) in demo.documents {
            let date = today - Duration::days(days_ago);
            let amount = Money(roubles * 100);
            let debt = kind == EntryKind::Shipment || kind == EntryKind::Invoice;
            let entry = NewEntry {
                contract_id: contract.id,
                kind,
                number: number.to_string(),
                date,
                debit: if debt { amount } else { Money(0) },
                credit: if debt { Money(0) } else { amount },
                due: debt.then(|| due_date(&contract, date)),
                order_id: None,
            };
            put_erp(conn, &entry, false)?;
        }
    }
    Ok(())
}
