//! The cart page: switch and name carts, change quantities, remove lines,
//! see prices that moved, and check out. Adding from the catalog lands here
//! too (`POST /cart/add`).

use poem::web::cookie::CookieJar;
use poem::web::{Data, Html, Query, Redirect};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use super::view::vat_label;
use crate::accounts::{Company, Contract};
use crate::error::Error;
use crate::i18n;
use crate::ids::{CartId, OfferId};
use crate::money::{Money, Qty};
use crate::ordering::cart_edits::{self, OfferRef};
use crate::ordering::cart_view::priced;
use crate::ordering::carts;
use crate::ordering::checkout::{place_order, CheckoutRequest};
use crate::ordering::orders::Scope;
use crate::ordering::rules::Requested;
use crate::pricing::PriceContext;
use crate::terms::assortment::Assortment;
use crate::web::session::{layout, set_flash, Authed, CsrfForm};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct CartQuery {
    id: Option<i64>,
}

#[derive(Serialize, Default)]
struct CheckoutForm {
    contract_id: Option<i64>,
    delivery_address: String,
    desired_date: String,
    po_number: String,
    comment: String,
    delivery_method_id: Option<i64>,
    payment_method_id: Option<i64>,
}

/// A delivery method offered at checkout, priced for this cart.
#[derive(Serialize)]
struct DeliveryOption {
    id: i64,
    /// "Own delivery — 1 200,00 ₽, from 08.12.2026".
    label: String,
    /// The payment methods it allows, space-separated (empty: all).
    payments: String,
}

/// A payment method offered at checkout.
#[derive(Serialize)]
struct PaymentOption {
    id: i64,
    label: String,
}

/// The delivery methods priced for a cart, and the payment methods.
fn shipping_options(
    conn: &mut crate::db::DbConn,
    cart: &crate::ordering::cart_view::PricedCart,
    lang: &str,
) -> crate::Result<(Vec<DeliveryOption>, Vec<PaymentOption>)> {
    use crate::terms::{delivery, payment};
    let lines: Vec<(crate::ids::OfferId, i64)> = cart.lines.iter().map(|l| (l.offer_id, l.quantity)).collect();
    let weight = delivery::weight_of(conn, &lines)?;
    let today = crate::finance::today(conn)?;
    let deliveries = delivery::quotes(conn, cart.total, weight, today)?
        .into_iter()
        .map(|q| {
            let cost = match q.cost.minor() {
                0 => i18n::text(lang, "delivery.free", &[]),
                _ => format!("{} ₽", q.cost.format(lang)),
            };
            let args = [
                ("name", q.delivery.method.name(lang).to_string()),
                ("cost", cost),
                ("date", q.earliest.format("%d.%m.%Y").to_string()),
            ];
            DeliveryOption {
                id: q.delivery.method.id,
                label: i18n::text(lang, "delivery.option", &args),
                payments: q.delivery.payment_method_ids.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" "),
            }
        })
        .collect();
    let payments = payment::list(conn, false)?
        .into_iter()
        .map(|p| {
            let label = match p.prepayment_bp {
                0 => p.name(lang).to_string(),
                bp => i18n::text(
                    lang,
                    "payment.with_prepayment",
                    &[("name", p.name(lang).to_string()), ("percent", crate::money::percent_from_bp(bp))],
                ),
            };
            PaymentOption { id: p.id, label }
        })
        .collect();
    Ok((deliveries, payments))
}

#[derive(Serialize)]
struct LineRow {
    line_id: i64,
    product_id: i64,
    thumb: Option<String>,
    sku: String,
    name: String,
    unit: String,
    quantity: String,
    step: String,
    price: Option<String>,
    old_price: Option<String>,
    price_changed: bool,
    amount: Option<String>,
    vat: String,
    short: bool,
    active: bool,
    /// "from 100 pcs", "contract −3 %": where the price came from.
    adjustments: Vec<String>,
    /// The next price break, when there is one ahead of the quantity.
    next_break: Option<String>,
}

/// One of the buyer's carts, as a chip to switch to.
#[derive(Serialize)]
struct CartChip {
    id: i64,
    name: String,
    lines: i64,
    is_current: bool,
}

/// A contract the order can be placed under.
#[derive(Serialize)]
struct ContractOption {
    id: i64,
    label: String,
    /// The contract's payment terms: prepayment, or the credit left.
    credit: String,
}

/// The company's contracts with their price type and payment terms.
fn contract_options(
    conn: &mut crate::db::DbConn,
    user: &crate::accounts::User,
    company: crate::accounts::CompanyId,
    lang: &str,
) -> crate::Result<Vec<ContractOption>> {
    let today = crate::finance::today(conn)?;
    let positions = crate::finance::position::positions(conn, Scope::of(user), Some(company), today)?;
    Ok(Contract::for_company(conn, company)?
        .into_iter()
        .map(|v| {
            let position = positions.iter().find(|p| p.contract.id == v.contract.id);
            let credit = match position {
                Some(p) if !p.prepayment() => i18n::text(
                    lang,
                    "credit.available",
                    &[
                        ("available", Money(p.available_minor).format(lang)),
                        ("limit", Money(p.contract.credit_limit_minor).format(lang)),
                    ],
                ),
                _ => i18n::text(lang, "credit.prepayment", &[]),
            };
            ContractOption {
                id: v.contract.id,
                label: format!("{} · {}", v.contract.number, v.price_type_name),
                credit,
            }
        })
        .collect())
}

/// A free line the discount rules add.
#[derive(Serialize)]
struct GiftRow {
    sku: String,
    name: String,
    quantity: String,
    unit: String,
    given_by: String,
}

/// The promo code on the cart and what it does.
#[derive(Serialize)]
struct PromoRow {
    code: String,
    applied: bool,
    valid: bool,
    message: String,
}

#[derive(Serialize)]
struct CartPage {
    cart_id: i64,
    cart_name: String,
    carts: Vec<CartChip>,
    lines: Vec<LineRow>,
    gifts: Vec<GiftRow>,
    promo: Option<PromoRow>,
    total: String,
    vat: String,
    contracts: Vec<ContractOption>,
    deliveries: Vec<DeliveryOption>,
    payments: Vec<PaymentOption>,
    form: CheckoutForm,
    error: Option<String>,
    is_buyer: bool,
}

async fn render_cart(
    state: &AppState,
    req: &Request,
    session: &crate::accounts::sessions::Session,
    cart_id: Option<i64>,
    form: Option<CheckoutForm>,
    error: Option<String>,
) -> poem::Result<Response> {
    let layout = layout(state, req, session, "cart").await?;
    let lang = layout.lang;
    let user = session.user.clone();
    let view = state
        .db
        .run(move |conn| {
            let cart = match cart_id {
                Some(id) => carts::find(conn, &user, CartId(id))?,
                None => carts::current(conn, &user)?,
            };
            let pricing = PriceContext::for_user(conn, &user)?;
            let all = carts::list(conn, &user)?;
            let cart = priced(conn, cart, &pricing, lang)?;
            let (contracts, address) = match user.company_id {
                Some(company) => {
                    (contract_options(conn, &user, company, lang)?, Company::find(conn, company)?.delivery_address)
                }
                None => (Vec::new(), String::new()),
            };
            let form = form.unwrap_or(CheckoutForm { delivery_address: address, ..Default::default() });
            let (deliveries, payments) = shipping_options(conn, &cart, lang)?;
            Ok(CartPage {
                cart_id: cart.cart.id.0,
                cart_name: cart.cart.name.clone(),
                carts: all
                    .into_iter()
                    .map(|s| CartChip {
                        id: s.cart.id.0,
                        name: s.cart.name,
                        lines: s.lines,
                        is_current: s.cart.is_current,
                    })
                    .collect(),
                total: cart.total.format(lang),
                vat: cart.vat.format(lang),
                gifts: cart
                    .gifts
                    .iter()
                    .map(|g| GiftRow {
                        sku: g.fact.sku.clone(),
                        name: g.fact.name.clone(),
                        quantity: Qty(g.gift.quantity).format(lang),
                        unit: g.fact.unit.clone(),
                        given_by: g.gift.name.clone(),
                    })
                    .collect(),
                promo: cart.promo.as_ref().map(|p| PromoRow {
                    code: p.code.clone(),
                    applied: p.applied,
                    valid: p.valid.is_some(),
                    message: p.message.clone(),
                }),
                lines: cart
                    .lines
                    .iter()
                    .map(|l| LineRow {
                        line_id: l.line_id,
                        product_id: l.product_id,
                        thumb: l.picture.as_deref().map(crate::media::thumb_url),
                        sku: l.sku.clone(),
                        name: l.name.clone(),
                        unit: l.unit.clone(),
                        quantity: Qty(l.quantity).plain(),
                        step: Qty(l.pack_multiple.max(1)).plain(),
                        price: l.unit_price.map(|p| p.format(lang)),
                        old_price: l.price_at_add.map(|p| p.format(lang)),
                        price_changed: l.price_changed,
                        amount: l.amount.map(|a| a.format(lang)),
                        vat: vat_label(l.vat_rate, lang),
                        short: l.quantity > l.available,
                        active: l.active,
                        adjustments: l.adjustments.iter().map(|a| a.label(lang, &l.unit)).collect(),
                        next_break: l.breaks.iter().find(|b| b.min_quantity > l.quantity).map(|b| {
                            crate::i18n::text(
                                lang,
                                "pricing.next_break",
                                &[
                                    ("from", Qty(b.min_quantity).format(lang)),
                                    ("unit", l.unit.clone()),
                                    ("price", crate::money::Money(b.price_minor).format(lang)),
                                ],
                            )
                        }),
                    })
                    .collect(),
                contracts,
                deliveries,
                payments,
                form,
                error,
                is_buyer: user.role == crate::accounts::Role::Buyer,
            })
        })
        .await?;
    let status =
        if view.error.is_some() { poem::http::StatusCode::UNPROCESSABLE_ENTITY } else { poem::http::StatusCode::OK };
    let html: Html<String> = state.templates.render("cart.html", &layout, &view)?;
    Ok((status, html).into_response())
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<CartQuery>,
) -> poem::Result<Response> {
    render_cart(state, req, &session, query.id, None, None).await
}

#[derive(Deserialize)]
pub struct AddForm {
    offer_id: i64,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    back: String,
}

/// Adds an offer to the current cart from a catalog or product page.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn add(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<AddForm>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = user.locale.clone();
    let (offer_id, quantity) = (form.offer_id, form.quantity.clone());
    let change = state
        .db
        .run(move |conn| {
            let cart = carts::current(conn, &user)?;
            cart_edits::add_offer(conn, &user, &cart, OfferRef::Id(OfferId(offer_id)), Requested::Text(&quantity))
        })
        .await?;
    let message = format!("{} {}", change.sku, change.verdict.message(&lang, &change.unit));
    set_flash(state, jar, message.trim());
    let back = crate::web::redirect::local_path_or(&form.back, "/cart");
    Ok(Redirect::see_other(back))
}

#[derive(Deserialize)]
pub struct CartAction {
    // Strings: serde cannot type fields next to a flattened map of a form.
    #[serde(default)]
    cart_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

/// Quantities, removals and cart management from the cart page.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn update(
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<CartAction>,
) -> poem::Result<Redirect> {
    let user = session.user.clone();
    let lang = user.locale.clone();
    let cart_id: i64 = form.cart_id.parse().map_err(|_| Error::NotFound)?;
    let (message, target) = state
        .db
        .run(move |conn| {
            let cart = carts::find(conn, &user, CartId(cart_id))?;
            let (action, argument) = form.action.split_once(':').unwrap_or((form.action.as_str(), ""));
            match action {
                "remove" => {
                    carts::remove_line(conn, &cart, argument.parse().map_err(|_| Error::NotFound)?)?;
                    Ok((i18n::text(&lang, "cart.removed", &[]), cart.id))
                }
                "switch" => {
                    carts::make_current(conn, &user, cart.id)?;
                    Ok((String::new(), cart.id))
                }
                "new" => {
                    let created = carts::create(conn, &user, &form.name)?;
                    Ok((i18n::text(&lang, "cart.created", &[]), created.id))
                }
                "promo" => {
                    let code = form.fields.get("promo_code").map(String::as_str).unwrap_or_default();
                    carts::set_promo_code(conn, &user, cart.id, Some(code))?;
                    Ok((String::new(), cart.id))
                }
                "promo_remove" => {
                    carts::set_promo_code(conn, &user, cart.id, None)?;
                    Ok((String::new(), cart.id))
                }
                "delete" => {
                    carts::delete(conn, &user, cart.id)?;
                    let current = carts::current(conn, &user)?;
                    Ok((i18n::text(&lang, "cart.deleted", &[]), current.id))
                }
                _ => {
                    // Save quantities: fields "qty_<line id>".
                    let wanted: Vec<(i64, String)> = form
                        .fields
                        .iter()
                        .filter_map(|(name, text)| Some((name.strip_prefix("qty_")?.parse().ok()?, text.clone())))
                        .collect();
                    let assortment = Assortment::for_user(conn, &user)?;
                    let changes = cart_edits::set_quantities(conn, &cart, &assortment, &wanted)?;
                    let messages: Vec<String> =
                        changes.iter().map(|c| format!("{}: {}", c.sku, c.verdict.message(&lang, &c.unit))).collect();
                    let text =
                        if messages.is_empty() { i18n::text(&lang, "cart.saved", &[]) } else { messages.join(" ") };
                    Ok((text, cart.id))
                }
            }
        })
        .await?;
    if !message.is_empty() {
        set_flash(state, jar, &message);
    }
    Ok(Redirect::see_other(format!("/cart?id={target}")))
}

#[derive(Deserialize)]
pub struct CheckoutFields {
    cart_id: i64,
    #[serde(default)]
    contract_id: Option<i64>,
    #[serde(default)]
    delivery_address: String,
    #[serde(default)]
    desired_date: String,
    #[serde(default)]
    po_number: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    delivery_method_id: String,
    #[serde(default)]
    payment_method_id: String,
}

/// Places the order; on a problem the cart page comes back with the message
/// next to the form and everything typed kept.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn checkout(
    req: &Request,
    jar: &CookieJar,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<CheckoutFields>,
) -> poem::Result<Response> {
    let lang = session.user.locale.clone();
    let desired_date = match form.desired_date.trim() {
        "" => Ok(None),
        text => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some),
    };
    let typed = CheckoutForm {
        contract_id: form.contract_id,
        delivery_address: form.delivery_address.clone(),
        desired_date: form.desired_date.clone(),
        po_number: form.po_number.clone(),
        comment: form.comment.clone(),
        delivery_method_id: form.delivery_method_id.trim().parse().ok(),
        payment_method_id: form.payment_method_id.trim().parse().ok(),
    };
    let Ok(desired_date) = desired_date else {
        let message = i18n::text(&lang, "checkout.bad_date", &[]);
        return render_cart(state, req, &session, Some(form.cart_id), Some(typed), Some(message)).await;
    };
    let request = CheckoutRequest {
        contract_id: form.contract_id,
        delivery_address: form.delivery_address,
        desired_date,
        po_number: form.po_number,
        comment: form.comment,
        delivery_method_id: form.delivery_method_id.trim().parse().ok(),
        payment_method_id: form.payment_method_id.trim().parse().ok(),
        promo_code: None,
    };
    let user = session.user.clone();
    let cart_id = form.cart_id;
    match state.db.run(move |conn| place_order(conn, &user, CartId(cart_id), &request)).await {
        Ok(placed) => {
            let message = match &placed.credit_hold {
                None => i18n::text(&lang, "checkout.placed", &[("number", placed.number.clone())]),
                Some(reason) => i18n::text(
                    &lang,
                    "checkout.awaiting",
                    &[("number", placed.number.clone()), ("reason", reason.clone())],
                ),
            };
            set_flash(state, jar, &message);
            Ok(Redirect::see_other(format!("/orders/{}", placed.id)).into_response())
        }
        Err(Error::Invalid(message) | Error::Conflict(message)) => {
            render_cart(state, req, &session, Some(cart_id), Some(typed), Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}
