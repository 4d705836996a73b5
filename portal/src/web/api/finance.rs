//! Finance endpoints: the position of each contract the user may see
//! (balance, limit, available credit, overdue debt), a contract's documents
//! with what is paid of each, and the ERP's ledger as JSON. Scoped like
//! orders: another company's contract is 404.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, ResponseContent, Tags};

use super::{api_error, ApiError, BearerAuth, ExchangeAuth};
use crate::accounts::CompanyId;
use crate::error::Error;
use crate::finance::ledger_file::{self, parse_kind, LedgerRow};
use crate::finance::position::{self, Document, Position};
use crate::finance::{today, DebitOn, EntryKind, EntrySource};
use crate::money::Money;
use crate::ordering::orders::Scope;
use crate::web::AppState;

#[derive(Tags)]
pub(super) enum ApiTags {
    /// Balances, credit and the documents behind them
    Finance,
}

pub struct FinanceApi;

/// Where a contract stands; amounts in minor units of its currency.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PositionOut {
    contract_id: i64,
    contract_number: String,
    company_id: i64,
    currency: String,
    /// Owed to the supplier (negative: paid in advance). The ERP's figure
    /// when it sent one.
    balance_minor: i64,
    /// The portal's own sum of the ledger.
    ledger_balance_minor: i64,
    /// The date of the ERP's balance, when there is one.
    erp_balance_as_of: Option<NaiveDate>,
    /// 0: prepayment only.
    credit_limit_minor: i64,
    available_minor: i64,
    overdue_minor: i64,
    /// Days the oldest overdue document is past due.
    overdue_days: i64,
    grace_days: i32,
    deferral_days: i32,
    debit_on: DebitOn,
}

impl From<Position> for PositionOut {
    fn from(p: Position) -> PositionOut {
        PositionOut {
            contract_id: p.contract.id,
            contract_number: p.contract.number.clone(),
            company_id: p.contract.company_id,
            currency: p.contract.currency.clone(),
            balance_minor: p.balance_minor,
            ledger_balance_minor: p.ledger_balance_minor,
            erp_balance_as_of: p.erp_balance.map(|e| e.as_of),
            credit_limit_minor: p.contract.credit_limit_minor,
            available_minor: p.available_minor,
            overdue_minor: p.overdue_minor,
            overdue_days: p.overdue_days,
            grace_days: p.contract.grace_days,
            deferral_days: p.contract.deferral_days,
            debit_on: p.contract.debit_on,
        }
    }
}

/// A document on a contract's ledger.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DocumentOut {
    kind: EntryKind,
    number: String,
    date: NaiveDate,
    debit_minor: i64,
    credit_minor: i64,
    due_date: Option<NaiveDate>,
    /// For a debt: what payments cover of it (oldest debts first).
    paid_minor: i64,
    /// For a debt: what is still owed.
    open_minor: i64,
    days_overdue: i64,
    order_id: Option<i64>,
    source: EntrySource,
}

impl From<Document> for DocumentOut {
    fn from(d: Document) -> DocumentOut {
        DocumentOut {
            kind: d.entry.kind,
            number: d.entry.number,
            date: d.entry.entry_date,
            debit_minor: d.entry.debit_minor,
            credit_minor: d.entry.credit_minor,
            due_date: d.entry.due_date,
            paid_minor: d.paid_minor,
            open_minor: d.open_minor,
            days_overdue: d.days_overdue,
            order_id: d.entry.order_id.map(|id| id.0),
            source: d.entry.source,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DocumentsOut {
    contract_id: i64,
    currency: String,
    documents: Vec<DocumentOut>,
}

/// One row of the ERP's ledger.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct LedgerRowIn {
    /// The contract's number; may be left out when the company (by ИНН) has one contract.
    #[oai(default, validator(max_length = 100))]
    contract: String,
    #[oai(default, validator(max_length = 12))]
    inn: String,
    #[oai(default, validator(max_length = 9))]
    kpp: String,
    /// invoice, shipment, payment, return, adjustment, or balance (the ERP's
    /// balance as of `date`: debit − credit); Russian names are read too.
    #[oai(validator(min_length = 1, max_length = 100))]
    kind: String,
    #[oai(default, validator(max_length = 100))]
    number: String,
    date: NaiveDate,
    #[oai(default)]
    debit_minor: i64,
    #[oai(default)]
    credit_minor: i64,
    /// When a debt is due; the contract's deferral from `date` when absent.
    due_date: Option<NaiveDate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct LedgerIn {
    #[oai(validator(max_items = 200000))]
    rows: Vec<LedgerRowIn>,
    /// Check and count without writing.
    #[oai(default)]
    dry_run: bool,
}

/// A contract whose ERP balance differs from the ledger's sum.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BalanceDifference {
    contract_number: String,
    erp_balance_minor: i64,
    ledger_balance_minor: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct LedgerOut {
    created: i64,
    updated: i64,
    unchanged: i64,
    balances: i64,
    differences: Vec<BalanceDifference>,
    dry_run: bool,
}

#[derive(ApiResponse)]
enum LedgerOutcome {
    #[oai(status = 200)]
    Applied(Json<LedgerOut>),
    /// A row is wrong; nothing was written.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

/// The statement's file format.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
enum StatementFormat {
    Pdf,
    Xlsx,
}

#[derive(ResponseContent)]
enum StatementFile {
    #[oai(content_type = "application/pdf")]
    Pdf(Attachment<Vec<u8>>),
    #[oai(content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Xlsx(Attachment<Vec<u8>>),
}

#[derive(ApiResponse)]
enum DocumentsOutcome {
    #[oai(status = 200)]
    Listed(Json<DocumentsOut>),
    /// No such contract, or not one of the user's.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[derive(ApiResponse)]
enum StatementOutcome {
    #[oai(status = 200)]
    File(StatementFile),
    /// No such contract, or not one of the user's.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The period starts after it ends.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

/// The statement of a contract the scope covers, as a file.
pub fn statement_file(
    conn: &mut crate::db::DbConn,
    scope: Scope,
    contract_id: i64,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    pdf: bool,
    lang: &str,
) -> crate::Result<(String, Vec<u8>)> {
    use chrono::Datelike;
    let contract = position::contract_in(conn, scope, contract_id)?;
    let to = match to {
        Some(to) => to,
        None => today(conn)?,
    };
    let from = from.or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1)).unwrap_or(to);
    let statement = crate::finance::statement::build(conn, &contract, from, to, lang)?;
    let name = format!("statement-{}-{from}-{to}", contract.number.replace(['/', '\\', ' '], "-"));
    if pdf {
        let bytes = crate::invoices::pdf::render_statement(&statement)
            .map_err(|e| Error::Internal(format!("statement PDF: {e}")))?;
        Ok((format!("{name}.pdf"), bytes))
    } else {
        Ok((format!("{name}.xlsx"), crate::finance::statement::xlsx(&statement)?))
    }
}

/// Journals a ledger received as JSON like a ledger file: its counts, and
/// each contract whose ERP balance differs from the ledger's sum.
fn journal_ledger(conn: &mut crate::db::DbConn, applied: &ledger_file::Applied) -> crate::Result<()> {
    use crate::journal::{self, Outcome, Trigger};
    let run = journal::start(conn, "ledger (api)", Trigger::Erp)?;
    let errors = applied
        .differences
        .iter()
        .map(|(contract, erp, ledger)| {
            serde_json::json!({ "message": format!(
                "contract {contract}: the ERP's balance {} differs from the ledger's {}; the ERP's stands",
                Money(*erp).format("en"),
                Money(*ledger).format("en")
            ) })
        })
        .collect();
    let outcome = Outcome {
        success: true,
        summary: applied.summary(),
        counts: serde_json::json!({ "ledger": { "created": applied.created, "updated": applied.updated,
            "unchanged": applied.unchanged }, "balances": { "updated": applied.balances } }),
        errors,
        ..Default::default()
    };
    journal::finish(conn, run, &outcome)
}

#[OpenApi]
impl FinanceApi {
    /// The position of every contract the user may see: a buyer's company's,
    /// a manager's companies', all for an administrator.
    #[oai(path = "/v1/finance", method = "get", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn positions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this company's contracts.
        company_id: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<PositionOut>>> {
        let scope = Scope::of(&auth.0);
        let company = company_id.0.map(CompanyId);
        let positions = state
            .db
            .run(move |conn| {
                let today = today(conn)?;
                position::positions(conn, scope, company, today)
            })
            .await?;
        Ok(Json(positions.into_iter().map(Into::into).collect()))
    }

    /// A contract's documents dated within the period, with what is paid of each.
    #[oai(path = "/v1/finance/documents", method = "get", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn documents(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        contract_id: Query<i64>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> poem::Result<DocumentsOutcome> {
        let scope = Scope::of(&auth.0);
        let (contract_id, from, to) = (contract_id.0, from.0, to.0);
        let found = state
            .db
            .run(move |conn| {
                let contract = position::contract_in(conn, scope, contract_id)?;
                let today = today(conn)?;
                let documents = position::documents(conn, contract.id, from, to, today)?;
                Ok((contract, documents))
            })
            .await;
        let (contract, documents) = match found {
            Ok(found) => found,
            Err(Error::NotFound) => return Ok(DocumentsOutcome::NotFound(api_error("not found"))),
            Err(other) => return Err(other.into()),
        };
        Ok(DocumentsOutcome::Listed(Json(DocumentsOut {
            contract_id: contract.id,
            currency: contract.currency,
            documents: documents.into_iter().map(Into::into).collect(),
        })))
    }

    /// The reconciliation statement (акт сверки) of a contract for a period,
    /// as PDF or XLSX, in the user's language. `from` defaults to the start
    /// of the year of `to`, `to` to today.
    #[oai(path = "/v1/finance/statement", method = "get", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn statement(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        contract_id: Query<i64>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        format: Query<Option<StatementFormat>>,
    ) -> poem::Result<StatementOutcome> {
        let scope = Scope::of(&auth.0);
        let lang = crate::i18n::locale(&auth.0.locale);
        let pdf = format.0.unwrap_or(StatementFormat::Pdf) == StatementFormat::Pdf;
        let period = (from.0, to.0);
        let made = state.db.run(move |conn| statement_file(conn, scope, contract_id.0, period, pdf, lang)).await;
        let (name, bytes) = match made {
            Ok(file) => file,
            Err(Error::Invalid(message)) => return Ok(StatementOutcome::Invalid(api_error(message))),
            Err(Error::NotFound) => return Ok(StatementOutcome::NotFound(api_error("not found"))),
            Err(other) => return Err(other.into()),
        };
        let file = Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name);
        Ok(StatementOutcome::File(if pdf { StatementFile::Pdf(file) } else { StatementFile::Xlsx(file) }))
    }

    /// The ERP's ledger as JSON (for ERPs that do not send files): each row
    /// a document or a balance; all rows or none.
    #[oai(path = "/v1/erp/ledger", method = "post", tag = "ApiTags::Finance")]
    #[tracing::instrument(skip_all)]
    async fn ledger(
        &self,
        state: Data<&AppState>,
        _auth: ExchangeAuth,
        body: Json<LedgerIn>,
    ) -> poem::Result<LedgerOutcome> {
        let Json(input) = body;
        let mut rows = Vec::with_capacity(input.rows.len());
        for (index, row) in input.rows.into_iter().enumerate() {
            let Some(kind) = parse_kind(&row.kind) else {
                return Ok(LedgerOutcome::Invalid(api_error(format!(
                    "row {}: unknown document kind {:?}",
                    index + 1,
                    row.kind
                ))));
            };
            rows.push(LedgerRow {
                row: index + 1,
                contract_number: row.contract,
                inn: row.inn,
                kpp: row.kpp,
                kind,
                number: row.number,
                date: row.date,
                debit: Money(row.debit_minor),
                credit: Money(row.credit_minor),
                due: row.due_date,
            });
        }
        let dry_run = input.dry_run;
        let applied = state
            .db
            .run(move |conn| {
                let applied = ledger_file::apply(conn, &rows, dry_run)?;
                if !dry_run {
                    journal_ledger(conn, &applied)?;
                }
                Ok(applied)
            })
            .await;
        match applied {
            Ok(applied) => Ok(LedgerOutcome::Applied(Json(LedgerOut {
                created: applied.created as i64,
                updated: applied.updated as i64,
                unchanged: applied.unchanged as i64,
                balances: applied.balances as i64,
                differences: applied
                    .differences
                    .into_iter()
                    .map(|(contract_number, erp, ledger)| BalanceDifference {
                        contract_number,
                        erp_balance_minor: erp,
                        ledger_balance_minor: ledger,
                    })
                    .collect(),
                dry_run,
            }))),
            Err(Error::Invalid(message)) => Ok(LedgerOutcome::Invalid(api_error(message))),
            Err(other) => Err(other.into()),
        }
    }
}
