//! Rendering HTML pages with minijinja. Templates are compiled into the
//! binary from `templates/`, auto-escaped, and strict: a misspelt variable is
//! an error, not an empty string. Text comes from the message catalogs
//! through `t("key", name=value)`.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, State, UndefinedBehavior};
use poem::web::Html;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::i18n;
use crate::ordering::status::OrderStatus;
use crate::settings::Colour;

const TEMPLATES: [(&str, &str); 26] = [
    ("base.html", include_str!("../../../templates/base.html")),
    ("login.html", include_str!("../../../templates/login.html")),
    ("catalog.html", include_str!("../../../templates/catalog.html")),
    ("product.html", include_str!("../../../templates/product.html")),
    ("macros.html", include_str!("../../../templates/macros.html")),
    ("cart.html", include_str!("../../../templates/cart.html")),
    ("quick_order.html", include_str!("../../../templates/quick_order.html")),
    ("upload.html", include_str!("../../../templates/upload.html")),
    ("upload_report.html", include_str!("../../../templates/upload_report.html")),
    ("orders.html", include_str!("../../../templates/orders.html")),
    ("order.html", include_str!("../../../templates/order.html")),
    ("reorder.html", include_str!("../../../templates/reorder.html")),
    ("manager.html", include_str!("../../../templates/manager.html")),
    ("notifications.html", include_str!("../../../templates/notifications.html")),
    ("admin.html", include_str!("../../../templates/admin.html")),
    ("admin_terms.html", include_str!("../../../templates/admin_terms.html")),
    ("run.html", include_str!("../../../templates/run.html")),
    ("password.html", include_str!("../../../templates/password.html")),
    ("company.html", include_str!("../../../templates/company.html")),
    ("finance.html", include_str!("../../../templates/finance.html")),
    ("customer_codes.html", include_str!("../../../templates/customer_codes.html")),
    ("messages.html", include_str!("../../../templates/messages.html")),
    ("announcements.html", include_str!("../../../templates/announcements.html")),
    ("unsubscribe.html", include_str!("../../../templates/unsubscribe.html")),
    ("reports.html", include_str!("../../../templates/reports.html")),
    ("inbox.html", include_str!("../../../templates/inbox.html")),
];

pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    pub fn new() -> Templates {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            // Templates are fixed at compile time; a broken one fails every test.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env.add_function("t", translate);
        Templates { env }
    }

    /// Renders `name` with the page's own data and the common layout data.
    pub fn render<P: Serialize>(&self, name: &str, layout: &Layout, page: &P) -> Result<Html<String>> {
        let template = self.env.get_template(name).map_err(|e| Error::Internal(format!("template {name}: {e}")))?;
        let context = minijinja::context! {
            lang => layout.lang,
            layout => Value::from_serialize(layout),
            ..Value::from_serialize(page)
        };
        template.render(context).map(Html).map_err(|e| Error::Internal(format!("rendering {name}: {e:#}")))
    }
}

/// What every page's layout shows: language, the user, the CSRF token.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub lang: &'static str,
    pub user: Option<LayoutUser>,
    pub csrf: String,
    /// The current path with query, to come back to after switching language.
    pub here: String,
    /// Which main navigation entry is active.
    pub nav: &'static str,
    /// A one-time message from the previous action.
    pub flash: Option<String>,
    /// Lines in the current cart (buyers).
    pub cart_lines: usize,
    /// Unread notifications.
    pub unread: i64,
    /// CSS overriding status badge colours from the admin's settings.
    pub status_css: String,
    /// Demo logins with published passwords exist: every page says so.
    pub demo: bool,
}

impl Layout {
    /// The layout of a page opened from an emailed link (set a password,
    /// unsubscribe): nobody signed in, the link's token as the form's proof.
    pub fn for_link(lang: &'static str, token: &str, here: &str) -> Layout {
        Layout {
            lang,
            user: None,
            csrf: token.to_string(),
            here: here.into(),
            nav: "login",
            flash: None,
            cart_lines: 0,
            unread: 0,
            status_css: String::new(),
            demo: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LayoutUser {
    pub name: String,
    pub email: String,
    pub company: Option<String>,
    /// What the navigation offers: the role as flags, so templates never
    /// compare role names.
    pub is_buyer: bool,
    pub is_staff: bool,
    pub is_admin: bool,
}

/// The style sheet that colours status badges as the admin chose (see
/// `settings::status_colours`); empty when they chose nothing.
pub fn status_css(colours: &[(OrderStatus, Colour)]) -> String {
    colours
        .iter()
        .map(|(status, colour)| format!(".status-{}{{background:{};color:#fff}}", status.as_str(), colour.as_str()))
        .collect()
}

fn translate(state: &State, key: &str, kwargs: Kwargs) -> std::result::Result<String, minijinja::Error> {
    let lang = state.lookup("lang").map(|v| v.to_string()).unwrap_or_else(|| i18n::LOCALES[0].to_string());
    let mut args: Vec<(&str, String)> = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        args.push((name, value.to_string()));
    }
    Ok(i18n::text(&lang, key, &args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_css_colours_each_badge() {
        let colours = [
            (OrderStatus::New, Colour::parse("#ff0000").expect("colour")),
            (OrderStatus::Paid, Colour::parse("#0a0").expect("colour")),
        ];
        assert_eq!(
            status_css(&colours),
            ".status-new{background:#ff0000;color:#fff}.status-paid{background:#0a0;color:#fff}"
        );
        assert_eq!(status_css(&[]), "");
    }

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
