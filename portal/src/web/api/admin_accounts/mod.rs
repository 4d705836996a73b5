//! The supplier's side through the API, for an ERP that is not 1C or a
//! script: users (`users`), companies and their contracts (`companies`) and
//! settings (`settings`). Administrators' tokens only; each call runs the same
//! domain operation as the admin page. Here: the tag, the responses the three
//! share, and how a domain refusal becomes one of them.

mod companies;
mod settings;
mod users;

pub use companies::AdminCompaniesApi;
pub use settings::AdminSettingsApi;
pub use users::AdminUsersApi;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Tags};

use super::{api_error, ApiError};
use crate::error::Error;

#[derive(Tags)]
enum ApiTags {
    /// Users, companies, contracts and settings (administrators)
    AdminAccounts,
}

#[derive(ApiResponse)]
pub(super) enum Created<T: poem_openapi::types::ToJSON> {
    #[oai(status = 201)]
    New(Json<T>),
    /// The company (for a contract) does not exist.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// It exists already (the email, the ИНН and КПП, the contract number).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// A value is not acceptable; the message says which.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
pub(super) enum Changed<T: poem_openapi::types::ToJSON> {
    #[oai(status = 200)]
    Ok(Json<T>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// It clashes with another record (the ИНН and КПП).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// A value is not acceptable; the message says which.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

#[derive(ApiResponse)]
pub(super) enum Done {
    #[oai(status = 204)]
    Ok,
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

/// Expected outcomes of a domain operation as the responses above; anything
/// else (the database) is the server's error.
enum Refusal {
    NotFound(String),
    Conflict(String),
    Invalid(String),
}

fn refusal(error: Error) -> poem::Result<Refusal> {
    match error {
        Error::NotFound => Ok(Refusal::NotFound("not found".into())),
        Error::Conflict(m) => Ok(Refusal::Conflict(m)),
        Error::Invalid(m) => Ok(Refusal::Invalid(m)),
        other => Err(other.into()),
    }
}

impl<T: poem_openapi::types::ToJSON> Created<T> {
    pub(super) fn from_result(result: crate::Result<T>) -> poem::Result<Created<T>> {
        Ok(match result {
            Ok(value) => Created::New(Json(value)),
            Err(error) => match refusal(error)? {
                Refusal::NotFound(m) => Created::NotFound(api_error(m)),
                Refusal::Conflict(m) => Created::Conflict(api_error(m)),
                Refusal::Invalid(m) => Created::Invalid(api_error(m)),
            },
        })
    }
}

impl<T: poem_openapi::types::ToJSON> Changed<T> {
    pub(super) fn from_result(result: crate::Result<T>) -> poem::Result<Changed<T>> {
        Ok(match result {
            Ok(value) => Changed::Ok(Json(value)),
            Err(error) => match refusal(error)? {
                Refusal::NotFound(m) => Changed::NotFound(api_error(m)),
                Refusal::Conflict(m) => Changed::Conflict(api_error(m)),
                Refusal::Invalid(m) => Changed::Invalid(api_error(m)),
            },
        })
    }
}
