//! Quick order: the buyer types or pastes "SKU qty" lines (a block copied
//! from Excel works); accepted lines go to the current cart and every line
//! gets its verdict. `GET /catalog/suggest` feeds the SKU autocomplete.

use poem::web::{Data, Html, Json, Query};
use poem::{handler, Request};
use serde::{Deserialize, Serialize};

use super::report_view::{report_rows, tally, ReportRowView};
use crate::catalog::listing::{list, ListQuery};
use crate::i18n;
use crate::ordering::upload::{parse_pasted, Limits};
use crate::ordering::{carts, report};
use crate::pricing::PriceContext;
use crate::web::session::{layout, Authed, CsrfForm};
use crate::web::AppState;

#[derive(Serialize, Default)]
struct QuickPage {
    text: String,
    rows: Vec<ReportRowView>,
    submitted: bool,
    added: usize,
    ok: usize,
    adjusted: usize,
    problems: usize,
    error: Option<String>,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(req: &Request, Data(state): Data<&AppState>, Authed(session): Authed) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "quick").await?;
    Ok(state.templates.render("quick_order.html", &layout, &QuickPage::default())?)
}

#[derive(Deserialize)]
pub struct QuickForm {
    #[serde(default)]
    text: String,
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn submit(
    req: &Request,
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    CsrfForm(form): CsrfForm<QuickForm>,
) -> poem::Result<Html<String>> {
    let user = session.user.clone();
    let lang = i18n::locale(&user.locale);
    let inputs = parse_pasted(&form.text);
    let max = Limits::default().max_rows;
    let mut view = QuickPage { text: form.text.clone(), submitted: true, ..Default::default() };
    if inputs.len() > max {
        view.error = Some(i18n::text(lang, "upload.error_too_many_rows", &[("max_rows", max.to_string())]));
    } else if inputs.is_empty() {
        view.error = Some(i18n::text(lang, "quick.nothing", &[]));
    } else {
        let search = state.search.clone();
        let (rows, added) = state
            .db
            .run(move |conn| {
                let cart = carts::current(conn, &user)?;
                let index = search.get(conn)?;
                let pricing = PriceContext::for_user(conn, &user)?;
                let rows = report::build(conn, &index, (&pricing.assortment, pricing.company_id), &inputs)?;
                let applied = report::apply(conn, &cart, &pricing, &rows)?;
                Ok((rows, applied.lines_added))
            })
            .await?;
        view.rows = report_rows(&rows, lang);
        (view.ok, view.adjusted, view.problems) = tally(&view.rows);
        view.added = added;
    }
    let layout = layout(state, req, &session, "quick").await?;
    Ok(state.templates.render("quick_order.html", &layout, &view)?)
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
pub struct Suggestion {
    sku: String,
    name: String,
    /// The product's first picture, small.
    thumb: Option<String>,
}

/// SKU / name autocomplete for the quick-order form (at most 10).
#[handler]
#[tracing::instrument(skip_all)]
pub async fn suggest(
    Data(state): Data<&AppState>,
    Authed(session): Authed,
    Query(query): Query<SuggestQuery>,
) -> poem::Result<Json<Vec<Suggestion>>> {
    let text: String = query.q.chars().take(100).collect();
    if text.trim().chars().count() < 2 {
        return Ok(Json(Vec::new()));
    }
    let search = state.search.clone();
    let items = state
        .db
        .run(move |conn| {
            let index = search.get(conn)?;
            let pricing = PriceContext::for_user(conn, &session.user)?;
            list(conn, &index, &ListQuery { text, page: 1, per_page: 10, ..Default::default() }, &pricing)
        })
        .await?;
    Ok(Json(
        items
            .items
            .into_iter()
            .map(|i| Suggestion { thumb: i.picture.as_deref().map(crate::media::thumb_url), sku: i.sku, name: i.name })
            .collect(),
    ))
}
