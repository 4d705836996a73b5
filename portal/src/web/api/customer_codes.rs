//! `GET/PUT /api/v1/customer-codes`: the caller's company's own item codes
//! ("our code → the supplier's SKU"), which quick order, uploads and search
//! accept in place of the supplier's SKU.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::{api_error, ApiError, BearerAuth};
use crate::ordering::customer_codes::{self, CustomerCode, MAX_CODES};
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// The buyer's own item codes
    CustomerCodes,
}

pub struct CustomerCodesApi;

/// One of the company's codes and the offer it names.
#[derive(Object)]
struct CodeOut {
    code: String,
    /// The supplier's SKU.
    sku: String,
    offer_id: i64,
    name: String,
}

impl From<CustomerCode> for CodeOut {
    fn from(c: CustomerCode) -> Self {
        CodeOut { code: c.code, sku: c.sku, offer_id: c.offer_id.0, name: c.name }
    }
}

#[derive(Object)]
struct CodeIn {
    /// The company's own code.
    #[oai(validator(min_length = 1, max_length = 100))]
    code: String,
    /// The supplier's SKU it stands for.
    #[oai(validator(min_length = 1, max_length = 200))]
    sku: String,
}

#[derive(Object)]
struct CodesIn {
    /// The whole list: it replaces the company's codes.
    #[oai(validator(max_items = 20000))]
    codes: Vec<CodeIn>,
}

/// Why a list was refused (nothing was changed).
#[derive(Object)]
struct CodesRefused {
    error: String,
    problems: Vec<ProblemOut>,
}

#[derive(Object)]
struct ProblemOut {
    /// 1-based position in the list.
    row: i64,
    message: String,
}

#[derive(ApiResponse)]
enum CodesOutcome {
    #[oai(status = 200)]
    Ok(Json<Vec<CodeOut>>),
    /// Only buyers (users of a company) keep codes.
    #[oai(status = 403)]
    NotABuyer(Json<ApiError>),
}

#[derive(ApiResponse)]
enum ReplaceOutcome {
    /// The company's codes now.
    #[oai(status = 200)]
    Ok(Json<Vec<CodeOut>>),
    /// Only buyers (users of a company) keep codes.
    #[oai(status = 403)]
    NotABuyer(Json<ApiError>),
    /// An unknown SKU, a repeated or empty code: every problem, nothing changed.
    #[oai(status = 422)]
    Refused(Json<CodesRefused>),
}

#[OpenApi(tag = "ApiTags::CustomerCodes")]
impl CustomerCodesApi {
    /// The company's own codes, by code.
    #[oai(path = "/v1/customer-codes", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<CodesOutcome> {
        let Some(company) = auth.0.company_id else {
            return Ok(CodesOutcome::NotABuyer(api_error("only a company's users keep their own codes")));
        };
        let codes = state.db.run(move |conn| customer_codes::list(conn, company)).await?;
        Ok(CodesOutcome::Ok(Json(codes.into_iter().map(CodeOut::from).collect())))
    }

    /// Replaces the company's codes with this list, all or nothing.
    #[oai(path = "/v1/customer-codes", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn replace(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CodesIn>,
    ) -> poem::Result<ReplaceOutcome> {
        let Some(company) = auth.0.company_id else {
            return Ok(ReplaceOutcome::NotABuyer(api_error("only a company's users keep their own codes")));
        };
        let entries: Vec<(String, String, usize)> =
            body.0.codes.into_iter().enumerate().map(|(i, c)| (c.code, c.sku, i + 1)).collect();
        debug_assert!(entries.len() <= MAX_CODES);
        let outcome = state
            .db
            .run(move |conn| {
                Ok(match customer_codes::set_all(conn, company, &entries, true)? {
                    Ok(_) => Ok(customer_codes::list(conn, company)?),
                    Err(problems) => Err(problems),
                })
            })
            .await?;
        Ok(match outcome {
            Ok(codes) => ReplaceOutcome::Ok(Json(codes.into_iter().map(CodeOut::from).collect())),
            Err(problems) => ReplaceOutcome::Refused(Json(CodesRefused {
                error: format!("{} rows refused; nothing was changed", problems.len()),
                problems: problems.into_iter().map(|p| ProblemOut { row: p.row as i64, message: p.message }).collect(),
            })),
        })
    }
}
