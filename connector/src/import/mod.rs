//! Applying CommerceML catalog and offers files to the portal, through the
//! portal's catalog operations (no SQL here). A file is applied inside one
//! write transaction while it streams: a broken file at 90 % changes nothing.
//! Upserts are keyed on `Ид` and report unchanged rows, so the same file twice
//! changes nothing the second time. Absent prices or stock mean "unchanged".

mod counts;
pub(crate) mod documents;
mod prepare;

pub(crate) use prepare::parse_quantity;

pub use counts::{Counts, Tally};
pub use documents::apply_documents;

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use portal::catalog::batch;
use portal::catalog::write::{self, lookup, OfferData, ProductData};
use portal::db::{write_transaction, Db, DbConn};
use portal::media::{self, FileSource};

use self::prepare::{Incoming, OfferParts, Preparer};
use crate::commerceml::{self, ErrorKind, Item, Offer, Product};

/// Why an import failed as a whole (nothing was changed).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Read(String),
    #[error("database: {0}")]
    Portal(#[from] portal::Error),
}

struct Importer {
    counts: Counts,
    categories: HashMap<String, i64>,
    price_types: HashMap<String, i64>,
    warehouses: HashMap<String, i64>,
    /// Products seen in a full (not only-changes) catalog.
    full_catalog: Option<HashSet<String>>,
    index: usize,
    /// Products and offers waiting to be written in one batch.
    pending_products: Vec<(Product, ProductData)>,
    pending_offers: Vec<(usize, Offer, OfferParts)>,
    /// Products that name pictures or documents, and those that name none.
    media: Vec<media::Wanted>,
    bare: Vec<String>,
}

/// Imports a CommerceML file of any kind: status documents through the
/// order lifecycle, everything else as a catalog, offers or counterparties
/// file (`head` is its start, for the kind).
pub fn xml<R: BufRead + Send>(
    db: &Db,
    head: &[u8],
    input: R,
    files: &dyn FileSource,
    dry_run: bool,
) -> Result<Counts, ImportError> {
    use crate::commerceml::{detect_kind, FileKind};
    let documents = detect_kind(head) == Some(FileKind::Documents);
    match (documents, dry_run) {
        (true, true) => Err(ImportError::Read("status documents cannot be dry-run".into())),
        (true, false) => apply_documents(db, input),
        (false, true) => self::dry_run(db, input),
        (false, false) => import_with_files(db, input, files),
    }
}

/// Imports one CommerceML file (catalog, offers, prices, rests) from
/// `input`, with no files beside it (pictures it names are warnings).
pub fn import<R: BufRead + Send>(db: &Db, input: R) -> Result<Counts, ImportError> {
    import_with_files(db, input, &portal::media::NoFiles)
}

/// Imports one CommerceML file (catalog, offers, prices, rests) from `input`,
/// then the pictures and documents its products name, read from `files`
/// (a missing or broken one is a warning in the counts).
pub fn import_with_files<R: BufRead + Send>(db: &Db, input: R, files: &dyn FileSource) -> Result<Counts, ImportError> {
    let (mut counts, wanted, bare) = import_with(db, input, false)?;
    if !wanted.is_empty() || !bare.is_empty() {
        let report = media::attach(db, files, &wanted, &bare)?;
        counts.media(&report);
    }
    Ok(counts)
}

/// What importing the file would change, without changing anything: the same
/// import inside a transaction that is rolled back.
pub fn dry_run<R: BufRead + Send>(db: &Db, input: R) -> Result<Counts, ImportError> {
    import_with(db, input, true).map(|(counts, ..)| counts)
}

/// The error a dry run uses to roll its transaction back.
const DRY_RUN: &str = "dry run: rolled back";

/// The writer gave up (its error is the one reported).
struct WriterStopped;

/// Items read ahead of the writer: enough to keep both busy, little memory.
const READ_AHEAD: usize = 2048;

/// What a catalog's products asked of pictures: see [`Importer::media`].
type MediaWanted = (Vec<media::Wanted>, Vec<String>);

fn import_with<R: BufRead + Send>(
    db: &Db,
    input: R,
    dry: bool,
) -> Result<(Counts, Vec<media::Wanted>, Vec<String>), ImportError> {
    let mut asked: MediaWanted = (Vec::new(), Vec::new());
    let counts = in_transaction(db, dry, |conn| {
        let mut importer = Importer {
            counts: Counts::default(),
            categories: lookup::categories(conn)?,
            price_types: lookup::price_types(conn)?,
            warehouses: lookup::warehouses(conn)?,
            full_catalog: None,
            index: 0,
            pending_products: Vec::new(),
            pending_offers: Vec::new(),
            media: Vec::new(),
            bare: Vec::new(),
        };
        // The file is parsed on its own thread while this one writes: the
        // two take about as long, so an import runs near the slower of them.
        std::thread::scope(|scope| {
            let (items, received) = std::sync::mpsc::sync_channel::<Incoming>(READ_AHEAD);
            let reader = scope.spawn(move || {
                let mut preparer = Preparer::default();
                // A send fails only when the writer stopped: the read stops too.
                commerceml::read(input, |item| items.send(preparer.prepare(item)).map_err(|_| WriterStopped))
            });
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
        asked = (std::mem::take(&mut importer.media), std::mem::take(&mut importer.bare));
        Ok(importer.counts)
    })?;
    Ok((counts, asked.0, asked.1))
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
    fn apply(&mut self, conn: &mut DbConn, incoming: Incoming) -> portal::Result<()> {
        self.index += 1;
        let item = match incoming {
            Incoming::Product(product, data) => return self.product(conn, product, data),
            Incoming::Offer(offer, parts) => return self.offer(conn, offer, parts),
            Incoming::Other(item) => item,
        };
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
            _ => {}
        }
        Ok(())
    }

    /// Queues a product; deletion marks apply at once (after the queue).
    fn product(&mut self, conn: &mut DbConn, product: Product, data: ProductData) -> portal::Result<()> {
        if let Some(seen) = self.full_catalog.as_mut() {
            seen.insert(product.id.clone());
        }
        if !product.deleted {
            self.remember_media(&product);
        }
        if product.deleted {
            self.flush_products(conn)?;
            if write::deactivate_product(conn, &product.id)? {
                self.counts.deactivated("products", 1);
            }
            return Ok(());
        }
        self.pending_products.push((product, data));
        if self.pending_products.len() >= batch::BATCH {
            self.flush_products(conn)?;
        }
        Ok(())
    }

    /// Notes the pictures and documents a product names (`Картинка`, with
    /// 1C's `ОписаниеФайла` requisite "path#description" naming them).
    fn remember_media(&mut self, product: &Product) {
        if product.images.is_empty() {
            self.bare.push(product.id.clone());
            return;
        }
        let described: HashMap<&str, &str> = product
            .requisites
            .iter()
            .filter(|(name, _)| name == "ОписаниеФайла")
            .filter_map(|(_, value)| value.split_once('#'))
            .collect();
        let files = product
            .images
            .iter()
            .map(|path| (path.clone(), described.get(path.as_str()).map(|d| d.to_string())))
            .collect();
        self.media.push(media::Wanted { product: product.id.clone(), files });
    }

    /// Writes the queued products and their own offers in batches.
    fn flush_products(&mut self, conn: &mut DbConn) -> portal::Result<()> {
        if self.pending_products.is_empty() {
            return Ok(());
        }
        let (pending, mut data): (Vec<Product>, Vec<ProductData>) =
            std::mem::take(&mut self.pending_products).into_iter().unzip();
        for (product, data) in pending.iter().zip(data.iter_mut()) {
            data.category_id = product.group_ids.first().and_then(|g| self.categories.get(g)).copied();
        }
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

    fn offer(&mut self, conn: &mut DbConn, offer: Offer, parts: OfferParts) -> portal::Result<()> {
        self.flush_products(conn)?;
        self.pending_offers.push((self.index, offer, parts));
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
        let offer_keys: Vec<&str> = pending
            .iter()
            .map(|(_, o, _)| if o.characteristic_id().is_some() { o.product_id() } else { &o.id })
            .collect();
        let existing = batch::offers_by_external(conn, &offer_keys)?;
        // Products are needed for characteristic offers, and to explain a missing offer.
        let product_keys: Vec<&str> = pending
            .iter()
            .filter(|(_, o, _)| o.characteristic_id().is_some() || !existing.contains_key(&o.id))
            .map(|(_, o, _)| o.product_id())
            .collect();
        let products = batch::products_by_external(conn, &product_keys)?;
        // Characteristic offers are created or updated; a product's own offer must exist.
        let mut variants = Vec::new();
        let mut targets: Vec<(usize, &Offer, &OfferParts, Option<i64>)> = Vec::new();
        for (index, offer, parts) in &pending {
            let place = Place { index: *index, id: &offer.id };
            if offer.characteristic_id().is_none() {
                match (existing.get(&offer.id), products.contains_key(offer.product_id())) {
                    (Some(id), _) => targets.push((*index, offer, parts, Some(*id))),
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
            let characteristics = &parts.characteristics;
            variants.push(OfferData {
                external_id: offer.id.clone(),
                product_id: *product_id,
                sku: offer.sku.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| sku.clone()),
                name: offer.name.clone().unwrap_or_else(|| format!("{name} ({characteristics})")),
                characteristics: characteristics.clone(),
                barcode: offer.barcode.clone(),
                active: !offer.deleted,
            });
            targets.push((*index, offer, parts, None));
        }
        let mut variant_ids = batch::upsert_offers(conn, &variants)?.into_iter();
        let mut price_rows = Vec::new();
        let mut stock_rows = Vec::new();
        let mut bases = Vec::new();
        for (index, offer, parts, known) in targets {
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
            self.offer_rows(conn, parts, offer_id, place, &mut price_rows, &mut stock_rows)?;
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
        parts: &OfferParts,
        offer_id: i64,
        place: Place<'_>,
        price_rows: &mut Vec<(i64, i64, i64)>,
        stock_rows: &mut Vec<(i64, i64, i64)>,
    ) -> portal::Result<()> {
        for (price_type, amount) in &parts.prices {
            let amount = match amount {
                Ok(minor) => *minor,
                Err(text) => {
                    self.counts.reject("prices", format!("{place}: unreadable price {text:?}"));
                    continue;
                }
            };
            let price_type_id = match self.price_types.get(price_type) {
                Some(id) => *id,
                None => {
                    // Unknown price types are registered, not dropped.
                    let (id, change) = write::upsert_price_type(conn, price_type, price_type, true)?;
                    self.counts.change("price_types", change);
                    self.price_types.insert(price_type.clone(), id);
                    id
                }
            };
            price_rows.push((offer_id, price_type_id, amount));
        }
        for (warehouse, quantity) in &parts.stock {
            let quantity = match quantity {
                Ok(milli) => *milli,
                Err(text) => {
                    self.counts.reject("stock", format!("{place}: unreadable quantity {text:?}"));
                    continue;
                }
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
