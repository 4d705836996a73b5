//! `GET /api/v1/me`: who the token belongs to, their company and contracts.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::BearerAuth;
use crate::accounts::{Company, Contract, Role};
use crate::money::percent_from_bp;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// The current user
    Me,
}

pub struct MeApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MeResponse {
    id: i64,
    email: String,
    name: String,
    role: Role,
    locale: String,
    company: Option<CompanyInfo>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CompanyInfo {
    id: i64,
    name: String,
    inn: String,
    kpp: String,
    contracts: Vec<ContractInfo>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ContractInfo {
    id: i64,
    number: String,
    price_type: String,
    /// Discount off the price type, percent.
    discount_percent: String,
    currency: String,
    payment_deferral_days: i32,
}

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// The authenticated user.
    #[oai(path = "/v1/me", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<MeResponse>> {
        let user = auth.0;
        let company = match user.company_id {
            Some(id) => {
                Some(state.db.run(move |conn| Ok((Company::find(conn, id)?, Contract::for_company(conn, id)?))).await?)
            }
            None => None,
        };
        Ok(Json(MeResponse {
            id: user.id.0,
            email: user.email,
            name: user.name,
            role: user.role,
            locale: user.locale,
            company: company.map(|(c, contracts)| CompanyInfo {
                id: c.id,
                name: c.name,
                inn: c.inn,
                kpp: c.kpp,
                contracts: contracts
                    .into_iter()
                    .map(|v| ContractInfo {
                        id: v.contract.id,
                        number: v.contract.number,
                        price_type: v.price_type_name,
                        discount_percent: percent_from_bp(v.contract.discount_bp),
                        currency: v.contract.currency,
                        payment_deferral_days: v.contract.deferral_days,
                    })
                    .collect(),
            }),
        }))
    }
}
