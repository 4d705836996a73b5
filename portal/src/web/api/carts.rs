//! Cart endpoints: carts, lines through the rule engine, quick order, and
//! ordering by file upload (report first, apply after).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, Tags};
use tokio::io::AsyncReadExt;

use super::verdicts::{adjustments_out, quantity_text, AdjustmentOut, ReportRowOut, VerdictOut};
use super::{api_error, ApiError, BearerAuth};
use crate::error::Error;
use crate::ids::{CartId, OfferId};
use crate::money::Qty;
use crate::ordering::cart_edits::{self, OfferRef};
use crate::ordering::cart_view::{priced, PricedCart};
use crate::ordering::rules::Requested;
use crate::ordering::upload::{parse_pasted, template_xlsx, Limits};
use crate::ordering::{carts, report, uploads};
use crate::pricing::PriceContext;
use crate::terms::assortment::Assortment;
use crate::web::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Carts, quick order and ordering by file
    Carts,
}

pub struct CartsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CartOut {
    id: i64,
    name: String,
    is_current: bool,
    lines: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NewCart {
    #[oai(validator(min_length = 1, max_length = 100))]
    name: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CartLineOut {
    id: i64,
    offer_id: i64,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    unit_price_minor: Option<i64>,
    amount_minor: Option<i64>,
    vat_rate: Option<i32>,
    price_at_add_minor: Option<i64>,
    price_changed: bool,
    available: String,
    active: bool,
    /// Where the unit price came from (a price break, the contract).
    adjustments: Vec<AdjustmentOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CartDetail {
    id: i64,
    name: String,
    is_current: bool,
    lines: Vec<CartLineOut>,
    /// Free lines the discount rules add (placed with the order).
    gifts: Vec<GiftOut>,
    /// The promo code entered on the cart and what it does.
    promo: Option<PromoOut>,
    total_minor: i64,
    vat_minor: i64,
    currency: String,
}

/// A free line a discount rule adds.
#[derive(Object)]
struct GiftOut {
    offer_id: i64,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    /// The rule (or promo code) that gives it.
    given_by: String,
}

/// The promo code on a cart.
#[derive(Object)]
struct PromoOut {
    code: String,
    /// The code exists, is in its period and has uses left for the company.
    valid: bool,
    /// Its rule gives something to this cart.
    applied: bool,
    /// What the buyer is told, in their language.
    message: String,
}

/// A promo code to keep on the cart.
#[derive(Object)]
struct PromoIn {
    #[oai(validator(min_length = 1, max_length = 40))]
    code: String,
}

#[derive(ApiResponse)]
enum PromoSet {
    /// The cart priced with the code (see `promo` for whether it applies).
    #[oai(status = 200)]
    Set(Json<CartDetail>),
    /// No such cart of yours.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The code is malformed.
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

impl From<PricedCart> for CartDetail {
    fn from(p: PricedCart) -> CartDetail {
        CartDetail {
            id: p.cart.id.0,
            name: p.cart.name,
            is_current: p.cart.is_current,
            total_minor: p.total.minor(),
            vat_minor: p.vat.minor(),
            currency: "RUB".into(),
            gifts: p
                .gifts
                .into_iter()
                .map(|g| GiftOut {
                    offer_id: g.fact.offer_id.0,
                    sku: g.fact.sku,
                    name: g.fact.name,
                    unit: g.fact.unit,
                    quantity: Qty(g.gift.quantity).plain(),
                    given_by: g.gift.name,
                })
                .collect(),
            promo: p.promo.map(|c| PromoOut {
                code: c.code,
                valid: c.valid.is_some(),
                applied: c.applied,
                message: c.message,
            }),
            lines: p
                .lines
                .into_iter()
                .map(|l| CartLineOut {
                    id: l.line_id,
                    offer_id: l.offer_id.0,
                    sku: l.sku,
                    name: l.name,
                    unit: l.unit,
                    quantity: Qty(l.quantity).plain(),
                    unit_price_minor: l.unit_price.map(|m| m.minor()),
                    amount_minor: l.amount.map(|m| m.minor()),
                    vat_rate: l.vat_rate,
                    price_at_add_minor: l.price_at_add.map(|m| m.minor()),
                    price_changed: l.price_changed,
                    available: Qty(l.available).plain(),
                    active: l.active,
                    adjustments: adjustments_out(&l.adjustments),
                })
                .collect(),
        }
    }
}

/// A line to add: by SKU (or barcode) or by offer id.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AddLine {
    sku: Option<String>,
    offer_id: Option<i64>,
    /// A number or a decimal string ("12", 1.5, "2,5").
    quantity: serde_json::Value,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct LineVerdict {
    line_id: Option<i64>,
    #[oai(flatten)]
    verdict: VerdictOut,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SetQuantity {
    quantity: serde_json::Value,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct QuickOrder {
    /// Lines "SKU quantity", separated by tab, ';', ',' or spaces.
    #[oai(validator(max_length = 1000000))]
    text: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct QuickOrderReport {
    rows: Vec<ReportRowOut>,
    lines_added: u64,
}

#[derive(Multipart)]
struct UploadForm {
    /// .xlsx, .xls, .ods or .csv (UTF-8 or windows-1251, ',' or ';').
    file: Upload,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct UploadReportOut {
    upload_id: String,
    file_name: String,
    /// 1-based sheet row of the detected header, if any.
    header_row: Option<u64>,
    sku_column: u64,
    quantity_column: u64,
    /// False when the columns were guessed: show them to the buyer to confirm.
    columns_confident: bool,
    rows: Vec<ReportRowOut>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AppliedOut {
    lines_added: u64,
    rows_skipped: u64,
    cart_id: i64,
}

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Cart(Json<CartOut>),
}

#[derive(ApiResponse)]
enum Deleted {
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum Xlsx {
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    File(Attachment<Vec<u8>>),
}

#[derive(ApiResponse)]
enum UploadOutcome {
    #[oai(status = 200)]
    Report(Json<UploadReportOut>),
    /// The file cannot be used: too large, too many rows, wrong type, damaged.
    #[oai(status = 422)]
    Refused(Json<ApiError>),
}

fn xlsx(name: &str, bytes: Vec<u8>) -> Xlsx {
    Xlsx::File(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name))
}

#[OpenApi(tag = "ApiTags::Carts")]
impl CartsApi {
    /// The user's carts (the current one first).
    #[oai(path = "/v1/carts", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> poem::Result<Json<Vec<CartOut>>> {
        let user = auth.0;
        let all = state
            .db
            .run(move |conn| {
                carts::current(conn, &user)?;
                carts::list(conn, &user)
            })
            .await?;
        Ok(Json(
            all.into_iter()
                .map(|s| CartOut { id: s.cart.id.0, name: s.cart.name, is_current: s.cart.is_current, lines: s.lines })
                .collect(),
        ))
    }

    /// A new named cart; it becomes the current one.
    #[oai(path = "/v1/carts", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<NewCart>) -> poem::Result<Created> {
        let user = auth.0;
        let cart = state.db.run(move |conn| carts::create(conn, &user, &body.0.name)).await?;
        Ok(Created::Cart(Json(CartOut { id: cart.id.0, name: cart.name, is_current: cart.is_current, lines: 0 })))
    }

    /// A cart with its lines at the user's contract prices.
    #[oai(path = "/v1/carts/:cart_id", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
    ) -> poem::Result<Json<CartDetail>> {
        let user = auth.0;
        let cart = state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                let pricing = PriceContext::for_user(conn, &user)?;
                priced(conn, cart, &pricing, &user.locale)
            })
            .await?;
        Ok(Json(cart.into()))
    }

    /// Enters a promo code on the cart; the cart comes back priced with it.
    /// An unknown or used-up code is kept and explained in `promo`; checkout
    /// refuses it until it is removed.
    #[oai(path = "/v1/carts/:cart_id/promo-code", method = "put")]
    #[tracing::instrument(skip_all)]
    async fn set_promo(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        body: Json<PromoIn>,
    ) -> poem::Result<PromoSet> {
        let user = auth.0;
        let code = body.0.code;
        let result = state
            .db
            .run(move |conn| {
                let cart = carts::set_promo_code(conn, &user, CartId(cart_id.0), Some(&code))?;
                let pricing = PriceContext::for_user(conn, &user)?;
                priced(conn, cart, &pricing, &user.locale)
            })
            .await;
        Ok(match result {
            Ok(cart) => PromoSet::Set(Json(cart.into())),
            Err(Error::NotFound) => PromoSet::NotFound(api_error("no such cart")),
            Err(Error::Invalid(m)) => PromoSet::Invalid(api_error(m)),
            Err(other) => return Err(other.into()),
        })
    }

    /// Removes the promo code from the cart.
    #[oai(path = "/v1/carts/:cart_id/promo-code", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn remove_promo(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
    ) -> poem::Result<Json<CartDetail>> {
        let user = auth.0;
        let cart = state
            .db
            .run(move |conn| {
                let cart = carts::set_promo_code(conn, &user, CartId(cart_id.0), None)?;
                let pricing = PriceContext::for_user(conn, &user)?;
                priced(conn, cart, &pricing, &user.locale)
            })
            .await?;
        Ok(Json(cart.into()))
    }

    /// Deletes a cart and its lines.
    #[oai(path = "/v1/carts/:cart_id", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn delete(&self, state: Data<&AppState>, auth: BearerAuth, cart_id: Path<i64>) -> poem::Result<Deleted> {
        let user = auth.0;
        state.db.run(move |conn| carts::delete(conn, &user, CartId(cart_id.0))).await?;
        Ok(Deleted::Done)
    }

    /// Adds a line through the quantity rules; answers the line's verdict.
    #[oai(path = "/v1/carts/:cart_id/lines", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn add_line(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        body: Json<AddLine>,
    ) -> poem::Result<Json<LineVerdict>> {
        let user = auth.0;
        let AddLine { sku, offer_id, quantity } = body.0;
        let text = quantity_text(&quantity);
        let lang = user.locale.clone();
        let change = state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                let offer = match (offer_id, sku.as_deref()) {
                    (Some(id), _) => OfferRef::Id(OfferId(id)),
                    (None, Some(sku)) => OfferRef::Typed(sku),
                    (None, None) => return Err(Error::Invalid("give a sku or an offer_id".into())),
                };
                cart_edits::add_offer(conn, &user, &cart, offer, Requested::Text(&text))
            })
            .await?;
        Ok(Json(LineVerdict {
            line_id: change.line_id,
            verdict: VerdictOut::new(&change.verdict, &lang, &change.unit),
        }))
    }

    /// Changes a line's quantity through the quantity rules.
    #[oai(path = "/v1/carts/:cart_id/lines/:line_id", method = "patch")]
    #[tracing::instrument(skip_all)]
    async fn set_line(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        line_id: Path<i64>,
        body: Json<SetQuantity>,
    ) -> poem::Result<Json<LineVerdict>> {
        let user = auth.0;
        let text = quantity_text(&body.0.quantity);
        let lang = user.locale.clone();
        let change = state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                let assortment = Assortment::for_user(conn, &user)?;
                cart_edits::set_quantity(conn, &cart, &assortment, line_id.0, &text)
            })
            .await?;
        Ok(Json(LineVerdict {
            line_id: Some(line_id.0),
            verdict: VerdictOut::new(&change.verdict, &lang, &change.unit),
        }))
    }

    /// Removes a line.
    #[oai(path = "/v1/carts/:cart_id/lines/:line_id", method = "delete")]
    #[tracing::instrument(skip_all)]
    async fn remove_line(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        line_id: Path<i64>,
    ) -> poem::Result<Deleted> {
        let user = auth.0;
        state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                carts::remove_line(conn, &cart, line_id.0)
            })
            .await?;
        Ok(Deleted::Done)
    }

    /// Quick order: lines "SKU quantity" as typed or pasted; accepted lines
    /// go into the cart, every line gets a verdict.
    #[oai(path = "/v1/carts/:cart_id/quick-order", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn quick_order(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        body: Json<QuickOrder>,
    ) -> poem::Result<Json<QuickOrderReport>> {
        let user = auth.0;
        let lang = user.locale.clone();
        let search = state.search.clone();
        let (rows, applied) = state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                let inputs = parse_pasted(&body.0.text);
                if inputs.len() > Limits::default().max_rows {
                    return Err(Error::Invalid(format!("at most {} lines at once", Limits::default().max_rows)));
                }
                let index = search.get(conn)?;
                let pricing = PriceContext::for_user(conn, &user)?;
                let rows = report::build(conn, &index, (&pricing.assortment, pricing.company_id), &inputs)?;
                let applied = report::apply(conn, &cart, &pricing, &rows)?;
                Ok((rows, applied))
            })
            .await?;
        Ok(Json(QuickOrderReport {
            rows: rows.iter().map(|r| ReportRowOut::new(r, &lang)).collect(),
            lines_added: applied.lines_added as u64,
        }))
    }

    /// Upload an order file: the per-row report, nothing added yet.
    #[oai(path = "/v1/carts/:cart_id/upload", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cart_id: Path<i64>,
        form: UploadForm,
    ) -> poem::Result<UploadOutcome> {
        let user = auth.0;
        let lang = user.locale.clone();
        let limits = Limits::default();
        let file_name = form.file.file_name().unwrap_or("order.xlsx").to_string();
        let mut bytes = Vec::new();
        form.file.into_async_read().take(limits.max_bytes as u64 + 1).read_to_end(&mut bytes).await.map_err(|e| {
            poem::Error::from_string(format!("upload interrupted: {e}"), poem::http::StatusCode::BAD_REQUEST)
        })?;
        if bytes.len() > limits.max_bytes {
            let message = uploads::explain(
                &crate::ordering::upload::UploadError::TooLarge { max_bytes: limits.max_bytes },
                &lang,
                &limits,
            );
            return Ok(UploadOutcome::Refused(api_error(message.to_string())));
        }
        let search = state.search.clone();
        let result = state
            .db
            .run(move |conn| {
                let cart = carts::find(conn, &user, CartId(cart_id.0))?;
                let id = uploads::store(conn, &user, &cart, &file_name, &bytes, &limits)?;
                let index = search.get(conn)?;
                uploads::report(conn, &index, &user, &id, &limits)
            })
            .await;
        let report = match result {
            Ok(report) => report,
            Err(Error::Invalid(message)) => return Ok(UploadOutcome::Refused(api_error(message))),
            Err(other) => return Err(other.into()),
        };
        Ok(UploadOutcome::Report(Json(UploadReportOut {
            upload_id: report.upload.id.clone(),
            file_name: report.upload.file_name.clone(),
            header_row: report.columns.header_row.map(|r| r as u64 + 1),
            sku_column: report.columns.sku as u64,
            quantity_column: report.columns.quantity as u64,
            columns_confident: report.columns.confident,
            rows: report.rows.iter().map(|r| ReportRowOut::new(r, &lang)).collect(),
        })))
    }

    /// Adds the accepted rows of an upload to its cart.
    #[oai(path = "/v1/uploads/:upload_id/apply", method = "post")]
    #[tracing::instrument(skip_all)]
    async fn apply(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        upload_id: Path<String>,
    ) -> poem::Result<Json<AppliedOut>> {
        let user = auth.0;
        let search = state.search.clone();
        let (applied, cart_id) = state
            .db
            .run(move |conn| {
                let index = search.get(conn)?;
                uploads::apply(conn, &index, &user, &upload_id.0)
            })
            .await?;
        Ok(Json(AppliedOut {
            lines_added: applied.lines_added as u64,
            rows_skipped: applied.rows_skipped as u64,
            cart_id: cart_id.0,
        }))
    }

    /// The uploaded file back, with a verdict column.
    #[oai(path = "/v1/uploads/:upload_id/annotated.xlsx", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn annotated(&self, state: Data<&AppState>, auth: BearerAuth, upload_id: Path<String>) -> poem::Result<Xlsx> {
        let user = auth.0;
        let search = state.search.clone();
        let bytes = state
            .db
            .run(move |conn| {
                let index = search.get(conn)?;
                uploads::annotated(conn, &index, &user, &upload_id.0)
            })
            .await?;
        Ok(xlsx("order-checked.xlsx", bytes))
    }

    /// An empty order file to fill in.
    #[oai(path = "/v1/uploads/template.xlsx", method = "get")]
    #[tracing::instrument(skip_all)]
    async fn template(&self, auth: BearerAuth) -> poem::Result<Xlsx> {
        let bytes = template_xlsx(&auth.0.locale).map_err(|e| Error::Internal(format!("template: {e}")))?;
        Ok(xlsx("order-template.xlsx", bytes))
    }
}
