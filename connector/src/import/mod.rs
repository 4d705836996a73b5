//! Applying CommerceML catalog and offers files to the portal, through the
//! portal's catalog operations (no SQL here). A file is applied inside one
//! write transaction while it streams: a broken file at 90 % changes nothing.
//! Upserts are keyed on `Ид` and report unchanged rows, so the same file twice
//! changes nothing the second time. Absent prices or stock mean "unchanged".

mod counts;
pub(crate) mod documents;

pub use counts::{Counts, Tally};
pub use documents::apply_documents;

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use portal::catalog::batch;
use portal::catalog::write::{self, lookup, OfferData, ProductData};
use portal::db::{write_transaction, Db, DbConn};
use portal::money::{Money, Qty};

use crate::commerceml::{self, ErrorKind, Item, Offer, Product};

/// Why an import failed as a whole (nothing was changed).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Read(String),
    #[error("database: {0}")]
    Portal(#[from] portal::Error),
}

/// Units sold in fractions.
const FRACTIONAL_UNITS: [&str; 8] = ["кг", "г", "т", "м", "м2", "м3", "л", "пог. м"];

struct Importer {
    counts: Counts,
    categories: HashMap<String, i64>,
    price_types: HashMap<String, i64>,
    warehouses: HashMap<String, i64>,
    properties: HashMap<String, (String, HashMap<String, String>)>,
    /// Products seen in a full (not only-changes) catalog.
    full_catalog: Option<HashSet<String>>,
    index: usize,
    /// Products and offers waiting to be written in one batch.
    pending_products: Vec<Product>,
    pending_offers: Vec<(usize, Offer)>,
}

/// Imports one CommerceML file (catalog, offers, prices, rests) from `input`.
pub fn import<R: BufRead + Send>(db: &Db, input: R) -> Result<Counts, ImportError> {
    import_with(db, input, false)
}

/// What importing the file would change, without changing anything: the same
/// import inside a transaction that is rolled back.
pub fn dry_run<R: BufRead + Send>(db: &Db, input: R) -> Result<Counts, ImportError> {
    import_with(db, input, true)
}

/// The error a dry run uses to roll its transaction back.
const DRY_RUN: &str = "dry run: rolled back";

/// Items read ahead of the writer: enough to keep both busy, little memory.
const READ_AHEAD: usize = 2048;

fn import_with<R: BufRead + Send>(db: &Db, input: R, dry: bool) -> Result<Counts, ImportError> {
    in_transaction(db, dry, |conn| {
        let mut importer = Importer {
            counts: Counts::default(),
            categories: lookup::categories(conn)?,
            price_types: lookup::price_types(conn)?,
            warehouses: lookup::warehouses(conn)?,
            properties: HashMap::new(),
            full_catalog: None,
            index: 0,
            pending_products: Vec::new(),
            pending_offers: Vec::new(),
        };
        // The file is parsed on its own thread while this one writes: the
        // two take about as long, so an import runs near the slower of them.
        std::thread::scope(|scope| {
            let (items, received) = std::sync::mpsc::sync_channel::<Item>(READ_AHEAD);
            let reader = scope.spawn(move || commerceml::read(input, |item| items.send(item)));
            let mut written = Ok(());
            for item in received {
                written = importer.apply(conn, item);
                if written.is_err() {
                    break; // dropping the receiver stops the reader
                }
            }
            let read = reader.join().map_err(|_| portal::Error::Internal("the file reader panicked".into()))?;
            written?;
            if let Err(error) = read {
                if !matches!(error.kind, ErrorKind::Sink(_)) {
                    let place = format!("{} (at {}, byte {})", error.message, error.path, error.position);
                    return Err(portal::Error::Invalid(place));
                }
            }
            Ok(())
        })?;
        importer.flush_products(conn)?;
        importer.flush_offers(conn)?;
        if let Some(keep) = importer.full_catalog.take() {
            let gone = write::deactivate_products_not_in(conn, &keep)?;
            importer.counts.deactivated("products", gone);
        }
        Ok(importer.counts)
    })
}

/// Runs one file's import in a single write transaction: all or nothing.
/// An `Invalid` error is the file's fault and says where; a dry run rolls
/// back what it did and returns what it would have changed. Marks the
/// catalog changed when anything did.
pub(crate) fn in_transaction(
    db: &Db,
    dry: bool,
    work: impl FnOnce(&mut DbConn) -> portal::Result<Counts>,
) -> Result<Counts, ImportError> {
    let mut conn = db.conn().map_err(ImportError::Portal)?;
    let mut outcome: Option<Counts> = None;
    let result = portal::db::bulk(&mut conn, |conn| {
        write_transaction(conn, |conn| {
            let counts = work(conn)?;
            if counts.changes() > 0 {
                write::catalog_changed(conn)?;
            }
            if dry {
                outcome = Some(counts);
                return Err(portal::Error::Conflict(DRY_RUN.into()));
            }
            Ok(counts)
        })
    });
    match result {
        Ok(counts) => Ok(counts),
        Err(portal::Error::Conflict(m)) if m == DRY_RUN => outcome.ok_or_else(|| ImportError::Read(DRY_RUN.into())),
        Err(portal::Error::Invalid(message)) => Err(ImportError::Read(message)),
        Err(other) => Err(ImportError::Portal(other)),
    }
}

impl Importer {
    fn apply(&mut self, conn: &mut DbConn, item: Item) -> portal::Result<()> {
        self.index += 1;
        match item {
            Item::CatalogStart { only_changes: false, .. } => {
                let deactivates = portal::settings::get(conn, portal::settings::FULL_CATALOG_DEACTIVATES)?
                    .is_none_or(|v| v.trim() != "false");
                if deactivates {
                    self.full_catalog = Some(HashSet::new());
                }
            }
            Item::Group(group) => {
                let parent = group.parent_id.as_ref().and_then(|p| self.categories.get(p)).copied();
                let (id, change) = write::upsert_category(conn, &group.id, parent, &group.name, 0)?;
                self.categories.insert(group.id, id);
                self.counts.change("categories", change);
            }
            Item::Property(property) => {
                self.properties.insert(property.id, (property.name, property.values.into_iter().collect()));
            }
            Item::PriceType(pt) => {
                let (id, change) = write::upsert_price_type(conn, &pt.id, &pt.name, pt.vat_included.unwrap_or(true))?;
                self.price_types.insert(pt.id, id);
                self.counts.change("price_types", change);
            }
            Item::Warehouse(wh) => {
                let (id, change) = write::upsert_warehouse(conn, &wh.id, &wh.name)?;
                self.warehouses.insert(wh.id, id);
                self.counts.change("warehouses", change);
            }
            Item::Product(product) => self.product(conn, product)?,
            Item::Counterparty(party) => {
                if party.inn.as_deref().unwrap_or("").is_empty() {
                    self.counts.reject("companies", format!("Контрагент {} ({}): no ИНН", party.id, party.name));
                    return Ok(());
                }
                let address = party.address.clone().unwrap_or_default();
                let company = portal::accounts::NewCompany {
                    external_id: Some(&party.id),
                    name: party.full_name.as_deref().unwrap_or(&party.name),
                    inn: party.inn.as_deref().unwrap_or_default(),
                    kpp: party.kpp.as_deref().unwrap_or_default(),
                    legal_address: &address,
                    delivery_address: &address,
                };
                let (_, change) = company.upsert_by_external_id(conn)?;
                self.counts.change("companies", change);
            }
            Item::Offer(offer) => self.offer(conn, offer)?,
            _ => {}
        }
        Ok(())
    }

    /// Queues a product; deletion marks apply at once (after the queue).
    fn product(&mut self, conn: &mut DbConn, product: Product) -> portal::Result<()> {
        if let Some(seen) = self.full_catalog.as_mut() {
            seen.insert(product.id.clone());
        }
        if product.deleted {
            self.flush_products(conn)?;
            if write::deactivate_product(conn, &product.id)? {
                self.counts.deactivated("products", 1);
            }
            return Ok(());
        }
        self.pending_products.push(product);
        if self.pending_products.len() >= batch::BATCH {
            self.flush_products(conn)?;
        }
        Ok(())
    }

    fn product_data(&self, product: &Product) -> ProductData {
        let unit = product
            .unit
            .as_ref()
            .and_then(|u| u.name.clone().or_else(|| u.intl_abbr.clone()))
            .unwrap_or_else(|| "шт".into());
        let vat_rate = product
            .tax_rates
            .iter()
            .find(|(name, _)| name.to_lowercase().contains("ндс"))
            .and_then(|(_, rate)| rate.trim().trim_end_matches('%').trim().parse::<i32>().ok());
        let properties: Vec<(String, String)> = product
            .properties
            .iter()
            .filter_map(|(id, value)| {
                let (name, values) = self.properties.get(id)?;
                let shown = values.get(value).cloned().unwrap_or_else(|| value.clone());
                (!shown.is_empty()).then(|| (name.clone(), shown))
            })
            .collect();
        ProductData {
            external_id: product.id.clone(),
            category_id: product.group_ids.first().and_then(|g| self.categories.get(g)).copied(),
            sku: product.sku.clone().unwrap_or_default(),
            name: product.name.clone(),
            description: product.description.clone().unwrap_or_default(),
            fractional: FRACTIONAL_UNITS.contains(&unit.as_str()),
            unit,
            vat_rate: vat_rate.filter(|r| *r > 0),
            properties: serde_json::to_string(&properties).unwrap_or_else(|_| "[]".into()),
            pack_multiple: 1000,
            min_order: 1000,
            active: true,
        }
    }

    /// Writes the queued products and their own offers in batches.
    fn flush_products(&mut self, conn: &mut DbConn) -> portal::Result<()> {
        if self.pending_products.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending_products);
        let data: Vec<ProductData> = pending.iter().map(|p| self.product_data(p)).collect();
        let written = batch::upsert_products(conn, &data)?;
        for (_, change) in &written {
            self.counts.change("products", *change);
        }
        let keys: Vec<(i64, &str)> =
            written.iter().zip(&data).map(|((id, _), d)| (*id, d.external_id.as_str())).collect();
        // The product itself is sellable until an offer file gives it characteristics.
        let variants = batch::products_with_variants(conn, &keys)?;
        let offers: Vec<OfferData> = pending
            .into_iter()
            .zip(data)
            .zip(&written)
            .map(|((product, data), (id, _))| OfferData {
                external_id: product.id,
                product_id: *id,
                sku: data.sku,
                name: data.name,
                characteristics: String::new(),
                barcode: product.barcode,
                active: !variants.contains(id),
            })
            .collect();
        for (_, change) in batch::upsert_offers(conn, &offers)? {
            self.counts.change("offers", change);
        }
        Ok(())
    }

    fn offer(&mut self, conn: &mut DbConn, offer: Offer) -> portal::Result<()> {
        self.flush_products(conn)?;
        self.pending_offers.push((self.index, offer));
        if self.pending_offers.len() >= batch::BATCH {
            self.flush_offers(conn)?;
        }
        Ok(())
    }

    /// Writes the queued offers, their prices and stock in batches.
    fn flush_offers(&mut self, conn: &mut DbConn) -> portal::Result<()> {
        if self.pending_offers.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending_offers);
        let offer_keys: Vec<&str> =
            pending.iter().map(|(_, o)| if o.characteristic_id().is_some() { o.product_id() } else { &o.id }).collect();
        let existing = batch::offers_by_external(conn, &offer_keys)?;
        // Products are needed for characteristic offers, and to explain a missing offer.
        let product_keys: Vec<&str> = pending
            .iter()
            .filter(|(_, o)| o.characteristic_id().is_some() || !existing.contains_key(&o.id))
            .map(|(_, o)| o.product_id())
            .collect();
        let products = batch::products_by_external(conn, &product_keys)?;
        // Characteristic offers are created or updated; a product's own offer must exist.
        let mut variants = Vec::new();
        let mut targets: Vec<(usize, &Offer, Option<i64>)> = Vec::new();
        for (index, offer) in &pending {
            let place = Place { index: *index, id: &offer.id };
            if offer.characteristic_id().is_none() {
                match (existing.get(&offer.id), products.contains_key(offer.product_id())) {
                    (Some(id), _) => targets.push((*index, offer, Some(*id))),
                    (None, true) => self.counts.reject("offers", format!("{place}: the product has no offer")),
                    (None, false) => {
                        self.counts.reject("offers", format!("{place}: unknown product {}", offer.product_id()))
                    }
                }
                continue;
            }
            let Some((product_id, sku, name)) = products.get(offer.product_id()) else {
                self.counts.reject("offers", format!("{place}: unknown product {}", offer.product_id()));
                continue;
            };
            let characteristics =
                offer.characteristics.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
            variants.push(OfferData {
                external_id: offer.id.clone(),
                product_id: *product_id,
                sku: offer.sku.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| sku.clone()),
                name: offer.name.clone().unwrap_or_else(|| format!("{name} ({characteristics})")),
                characteristics,
                barcode: offer.barcode.clone(),
                active: !offer.deleted,
            });
            targets.push((*index, offer, None));
        }
        let mut variant_ids = batch::upsert_offers(conn, &variants)?.into_iter();
        let mut price_rows = Vec::new();
        let mut stock_rows = Vec::new();
        let mut bases = Vec::new();
        for (index, offer, known) in targets {
            let offer_id = match known {
                Some(id) => id,
                None => {
                    let (id, change) =
                        variant_ids.next().ok_or_else(|| portal::Error::Internal("offer batch".into()))?;
                    self.counts.change("offers", change);
                    // A product sold by characteristics is not sold as itself.
                    bases.extend(existing.get(offer.product_id()).copied());
                    id
                }
            };
            let place = Place { index, id: &offer.id };
            self.offer_rows(conn, offer, offer_id, place, &mut price_rows, &mut stock_rows)?;
        }
        for change in batch::set_prices(conn, &price_rows)? {
            self.counts.change("prices", change);
        }
        for change in batch::set_stock(conn, &stock_rows)? {
            self.counts.change("stock", change);
        }
        bases.sort_unstable();
        bases.dedup();
        let off = batch::deactivate_offers(conn, &bases)?;
        self.counts.deactivated("offers", off);
        Ok(())
    }

    /// The price and stock rows one offer states (absent parts mean unchanged).
    fn offer_rows(
        &mut self,
        conn: &mut DbConn,
        offer: &Offer,
        offer_id: i64,
        place: Place<'_>,
        price_rows: &mut Vec<(i64, i64, i64)>,
        stock_rows: &mut Vec<(i64, i64, i64)>,
    ) -> portal::Result<()> {
        for price in offer.prices.iter().flatten() {
            let Some(amount) = Money::parse_decimal(&price.per_unit) else {
                self.counts.reject("prices", format!("{place}: unreadable price {:?}", price.per_unit));
                continue;
            };
            let price_type = match self.price_types.get(&price.price_type_id) {
                Some(id) => *id,
                None => {
                    // Unknown price types are registered, not dropped.
                    let (id, change) =
                        write::upsert_price_type(conn, &price.price_type_id, &price.price_type_id, true)?;
                    self.counts.change("price_types", change);
                    self.price_types.insert(price.price_type_id.clone(), id);
                    id
                }
            };
            price_rows.push((offer_id, price_type, amount.minor()));
        }
        let total: [(String, String); 1];
        let stock: &[(String, String)] = match (&offer.stock, &offer.total_quantity) {
            (Some(per_warehouse), _) if !per_warehouse.is_empty() => per_warehouse,
            (_, Some(quantity)) => {
                total = [(String::new(), quantity.clone())];
                &total
            }
            _ => &[],
        };
        for (warehouse, quantity) in stock {
            let Some(quantity) = parse_quantity(quantity) else {
                self.counts.reject("stock", format!("{place}: unreadable quantity {quantity:?}"));
                continue;
            };
            let warehouse_id = match self.warehouses.get(warehouse) {
                Some(id) => *id,
                None => {
                    let name = if warehouse.is_empty() {
                        "Основной склад".to_string()
                    } else {
                        warehouse.clone()
                    };
                    let (id, change) = write::upsert_warehouse(conn, warehouse, &name)?;
                    self.counts.change("warehouses", change);
                    self.warehouses.insert(warehouse.clone(), id);
                    id
                }
            };
            stock_rows.push((offer_id, warehouse_id, quantity.max(0)));
        }
        Ok(())
    }
}

/// A quantity as thousandths, rounding anything finer (ERP stock like "12.0000").
fn parse_quantity(text: &str) -> Option<i64> {
    match Qty::parse(text) {
        Some(exact) => Some(exact.milli()),
        // Finer than thousandths: two decimals are enough to read the figure.
        None => Money::parse_decimal(text).map(|money| money.minor() * 10),
    }
}

/// Where an offer sits in its file, for messages (built only when needed).
#[derive(Clone, Copy)]
struct Place<'a> {
    index: usize,
    id: &'a str,
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Предложение #{} (Ид {})", self.index, self.id)
    }
}
