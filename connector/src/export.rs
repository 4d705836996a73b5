//! Orders out: a channel's new and changed orders written as one CommerceML
//! file. The one path for `optovik export orders`, the folder exchange's
//! `order-export` and 1C's `query`. It never decides whether a channel is in
//! use (the folder job checks `order_channels`) and never marks orders taken
//! that were not handed over: 1C's are marked when it answers `success`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;
use portal::db::{Db, DbConn};
use portal::ids::OrderId;
use portal::journal::Trigger;
use portal::ordering::channels::Channel;
use portal::ordering::export::{mark_sent, pending};

use crate::commerceml::writer::{write_orders, OutputEncoding};

/// The most orders one file carries; the rest go in the next.
const BATCH: i64 = 1000;

/// Pending orders of one channel as CommerceML.
#[derive(Debug, Clone)]
pub struct OrderFile {
    pub xml: Vec<u8>,
    /// The orders in it, oldest first.
    pub ids: Vec<OrderId>,
    /// When they were read: the version a channel takes with this file.
    pub as_of: NaiveDateTime,
}

/// What a folder export did.
#[derive(Debug, Clone)]
pub struct FolderExport {
    /// The file written; `None` when no order was pending.
    pub path: Option<PathBuf>,
    pub orders: usize,
    /// How many of them the folder channel had not taken before.
    pub newly_taken: usize,
}

/// The orders `channel` has not taken in their current version, as one file.
/// Nothing is marked taken.
#[tracing::instrument(skip_all, fields(channel = %channel))]
pub fn pending_file(conn: &mut DbConn, channel: Channel, encoding: OutputEncoding) -> anyhow::Result<OrderFile> {
    let as_of = chrono::Utc::now().naive_utc();
    let orders = pending(conn, channel, BATCH)?;
    let xml = write_orders(&orders, encoding, as_of, portal::settings::timezone(conn)?)?;
    Ok(OrderFile { xml, ids: orders.iter().map(|o| o.order.id).collect(), as_of })
}

/// Writes the folder channel's pending orders to `orders-<time>.xml` in `dir`
/// (created when missing; written aside and renamed, so a reader never sees
/// half a file), then marks them taken by the folder channel, journaled with
/// `trigger`. Writes nothing when no order is pending.
#[tracing::instrument(skip_all, fields(trigger = %trigger))]
pub fn to_folder(db: &Db, dir: &Path, encoding: OutputEncoding, trigger: Trigger) -> anyhow::Result<FolderExport> {
    let file = pending_file(&mut *db.conn()?, Channel::Folder, encoding)?;
    if file.ids.is_empty() {
        return Ok(FolderExport { path: None, orders: 0, newly_taken: 0 });
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("orders-{}.xml", file.as_of.format("%Y%m%d-%H%M%S")));
    let partial = path.with_extension("xml.part");
    std::fs::write(&partial, &file.xml).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &path).with_context(|| format!("cannot write {}", path.display()))?;
    let taken = mark_sent(&mut *db.conn()?, Channel::Folder, &file.ids, file.as_of, trigger)?;
    Ok(FolderExport { path: Some(path), orders: file.ids.len(), newly_taken: taken.len() })
}
