//! Server-rendered pages. Each module is one screen: it gathers data through
//! domain operations and renders one template.

mod catalog;
mod language;
mod login;
mod product;
mod view;

use poem::web::Redirect;
use poem::{get, handler, post, Route};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(home))
        .at("/login", get(login::page).post(login::submit))
        .at("/logout", post(login::logout))
        .at("/language", post(language::switch))
        .at("/catalog", get(catalog::page))
        .at("/catalog/products/:id", get(product::page))
}

#[handler]
fn home() -> Redirect {
    Redirect::see_other("/catalog")
}
