//! The reports page for staff: over a period (default twelve months), sales
//! over time as a line, by category as bars, by customer and manager, the top
//! products, the customers who bought a chosen category, the customers who
//! stopped buying (with a mailing to them one click away), lapsed
//! reservations and backorders — each within the reader's scope, each table
//! also as .xlsx (`/reports/<name>.xlsx` with the same query).

use chrono::{NaiveDate, Utc};
use poem::http::header;
use poem::web::{Data, Html, Path, Query};
use poem::{handler, IntoResponse, Request, Response};
use serde::{Deserialize, Serialize};

use super::charts::{self, BarChart, LineChart};
use super::view::Choice;
use crate::error::Error;
use crate::i18n;
use crate::money::{Money, Qty};
use crate::ordering::orders::Scope;
use crate::reports::lapsed::{self, Lapsed};
use crate::reports::period::Period;
use crate::reports::sales::{self, CategoryBuyer, GroupBy, ReservationRow, SalesReport, TopProduct};
use crate::reports::{tables, xlsx};
use crate::web::session::{layout, Staff};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    category: Option<i64>,
}

impl ReportQuery {
    fn period(&self) -> Result<Period, Error> {
        let date = |text: &Option<String>| {
            text.as_deref().filter(|t| !t.is_empty()).map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        };
        let to = date(&self.to).transpose().map_err(|_| Error::Invalid("to".into()))?;
        let from = date(&self.from).transpose().map_err(|_| Error::Invalid("from".into()))?;
        Period::or_last_year(from, to, Utc::now().date_naive())
    }
}

#[derive(Serialize)]
struct Row {
    label: String,
    orders: i64,
    amount: String,
}

#[derive(Serialize)]
struct Page {
    from: String,
    to: String,
    query: String,
    total: String,
    orders: i64,
    by_month: LineChart,
    month_rows: Vec<Row>,
    by_category: BarChart,
    category_rows: Vec<Row>,
    customer_rows: Vec<Row>,
    manager_rows: Vec<Row>,
    top: Vec<TopView>,
    categories: Vec<Choice>,
    category: Option<i64>,
    buyers: Vec<BuyerView>,
    lapsed: Vec<LapsedView>,
    lapsed_reservations: Vec<ReservationView>,
    backorders: Vec<ReservationView>,
    /// Rows past the first `SHOWN` (the API and the order list have them all).
    more_lapsed: usize,
    more_backorders: usize,
}

/// Rows a list on the page shows.
const SHOWN: usize = 50;

#[derive(Serialize)]
struct TopView {
    sku: String,
    name: String,
    quantity: String,
    amount: String,
}

#[derive(Serialize)]
struct BuyerView {
    company_id: i64,
    company: String,
    orders: i64,
    amount: String,
    last: String,
}

#[derive(Serialize)]
struct LapsedView {
    company_id: i64,
    company: String,
    orders: i64,
    last: String,
    usual: i64,
    since: i64,
}

#[derive(Serialize)]
struct ReservationView {
    order_id: i64,
    number: String,
    company: String,
    placed: String,
    sku: String,
    backordered: String,
    amount: String,
}

/// Everything the page shows, read in one `Db::run`.
struct Reports {
    month: SalesReport,
    category: SalesReport,
    customer: SalesReport,
    manager: SalesReport,
    top: Vec<TopProduct>,
    buyers: Vec<CategoryBuyer>,
    lapsed: Vec<Lapsed>,
    reservations: (Vec<ReservationRow>, Vec<ReservationRow>),
    categories: Vec<Choice>,
}

fn rows(report: &SalesReport, lang: &str) -> Vec<Row> {
    report
        .rows
        .iter()
        .map(|r| Row { label: r.label.clone(), orders: r.orders, amount: Money(r.amount_minor).format(lang) })
        .collect()
}

fn roubles(lang: &'static str) -> impl Fn(i64) -> String {
    move |minor| {
        let whole = Money(minor / 100 * 100).format(lang);
        whole.rsplit_once([',', '.']).map(|(w, _)| w.to_string()).unwrap_or(whole)
    }
}

#[handler]
#[tracing::instrument(skip_all)]
pub async fn page(
    req: &Request,
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Query(query): Query<ReportQuery>,
) -> poem::Result<Html<String>> {
    let layout = layout(state, req, &session, "reports").await?;
    let (user, lang) = (session.user.clone(), layout.lang);
    let period = query.period()?;
    let category = query.category;
    let data = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            let tree = crate::catalog::tree::CategoryTree::cached(conn)?;
            let today = crate::finance::today(conn)?;
            let groups = [GroupBy::Month, GroupBy::Category, GroupBy::Customer, GroupBy::Manager];
            let [month, by_category, customer, manager]: [SalesReport; 4] =
                sales::sales_by(conn, scope, period, &groups, lang)?
                    .try_into()
                    .map_err(|_| Error::Internal("sales reports".into()))?;
            Ok(Reports {
                month,
                category: by_category,
                customer,
                manager,
                top: sales::top_products(conn, scope, period, 20)?,
                buyers: match category {
                    Some(id) => sales::category_buyers(conn, scope, period, id)?,
                    None => Vec::new(),
                },
                lapsed: lapsed::lapsed_customers(conn, scope, today, lapsed::DEFAULT_FACTOR)?,
                reservations: sales::reservations(conn, scope, period)?,
                categories: tree
                    .categories()
                    .iter()
                    .map(|c| {
                        let path = tree.path_to(c.id).iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(" / ");
                        Choice::new(c.id, path)
                    })
                    .collect(),
            })
        })
        .await?;
    let day = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    let reservation = |r: &ReservationRow| ReservationView {
        order_id: r.order_id,
        number: r.number.clone(),
        company: r.company.clone(),
        placed: r.placed_at.format("%d.%m.%Y").to_string(),
        sku: r.sku.clone().unwrap_or_default(),
        backordered: Qty(r.backordered).format(lang),
        amount: Money(r.amount_minor).format(lang),
    };
    let points: Vec<(String, i64)> = data.month.rows.iter().map(|r| (r.label.clone(), r.amount_minor)).collect();
    let bars: Vec<(String, i64)> = data.category.rows.iter().map(|r| (r.label.clone(), r.amount_minor)).collect();
    let page = Page {
        from: period.from.to_string(),
        to: period.to.to_string(),
        query: format!("from={}&to={}", period.from, period.to),
        total: Money(data.month.total_minor).format(lang),
        orders: data.month.orders,
        by_month: charts::line(&points, roubles(lang)),
        month_rows: rows(&data.month, lang),
        by_category: charts::bars(&bars, 12, roubles(lang)),
        category_rows: rows(&data.category, lang),
        customer_rows: rows(&data.customer, lang).into_iter().take(25).collect(),
        manager_rows: rows(&data.manager, lang),
        top: data
            .top
            .iter()
            .map(|p| TopView {
                sku: p.sku.clone(),
                name: p.name.clone(),
                quantity: Qty(p.quantity).format(lang),
                amount: Money(p.amount_minor).format(lang),
            })
            .collect(),
        categories: data.categories,
        category,
        buyers: data
            .buyers
            .iter()
            .map(|b| BuyerView {
                company_id: b.company_id,
                company: b.company.clone(),
                orders: b.orders,
                amount: Money(b.amount_minor).format(lang),
                last: b.last_order_at.format("%d.%m.%Y").to_string(),
            })
            .collect(),
        lapsed: data
            .lapsed
            .iter()
            .map(|l| LapsedView {
                company_id: l.company_id.0,
                company: l.company.clone(),
                orders: l.orders,
                last: day(l.last_order_on),
                usual: l.usual_interval_days,
                since: l.days_since_last,
            })
            .collect(),
        lapsed_reservations: data.reservations.0.iter().take(SHOWN).map(reservation).collect(),
        backorders: data.reservations.1.iter().take(SHOWN).map(reservation).collect(),
        more_lapsed: data.reservations.0.len().saturating_sub(SHOWN),
        more_backorders: data.reservations.1.len().saturating_sub(SHOWN),
    };
    Ok(state.templates.render("reports.html", &layout, &page)?)
}

/// A report's table as .xlsx: `sales-month`, `sales-category`,
/// `sales-customer`, `sales-manager`, `top-products`, `category-buyers`,
/// `lapsed-customers`.
#[handler]
#[tracing::instrument(skip_all)]
pub async fn spreadsheet(
    Data(state): Data<&AppState>,
    Staff(session): Staff,
    Path(name): Path<String>,
    Query(query): Query<ReportQuery>,
) -> poem::Result<Response> {
    let (user, lang) = (session.user.clone(), i18n::locale(&session.user.locale));
    let period = query.period()?;
    let category = query.category;
    let kind = name.strip_suffix(".xlsx").ok_or(Error::NotFound)?.to_string();
    let file_name = format!("{kind}-{}-{}.xlsx", period.from, period.to);
    let table = state
        .db
        .run(move |conn| {
            let scope = Scope::of(&user);
            let mut by = |g| sales::sales(conn, scope, period, g, lang).map(|r| tables::sales(&r, lang));
            let title = |key: &str| i18n::text(lang, &format!("reports.{key}"), &[]);
            match kind.as_str() {
                "sales-month" => by(GroupBy::Month),
                "sales-category" => by(GroupBy::Category),
                "sales-customer" => by(GroupBy::Customer),
                "sales-manager" => by(GroupBy::Manager),
                "top-products" => {
                    sales::top_products(conn, scope, period, 1000).map(|r| tables::top_products(&r, title("top"), lang))
                }
                "category-buyers" => {
                    let id = category.ok_or(Error::NotFound)?;
                    sales::category_buyers(conn, scope, period, id)
                        .map(|r| tables::category_buyers(&r, title("buyers"), lang))
                }
                "lapsed-customers" => {
                    let today = crate::finance::today(conn)?;
                    lapsed::lapsed_customers(conn, scope, today, lapsed::DEFAULT_FACTOR)
                        .map(|r| tables::lapsed(&r, lang))
                }
                _ => Err(Error::NotFound),
            }
        })
        .await?;
    let bytes = xlsx::write(&table)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\""))
        .body(bytes)
        .into_response())
}
