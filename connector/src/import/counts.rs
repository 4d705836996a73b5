//! Counting what an import did, per entity: created, updated, unchanged,
//! deactivated, rejected — and the rejected records' places.

use std::collections::BTreeMap;

use portal::catalog::write::Change;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deactivated: usize,
    pub rejected: usize,
}

/// Counts per entity ("categories", "products", "offers", "prices", "stock", …).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub entities: BTreeMap<&'static str, Tally>,
    /// Rejected records: what and where.
    pub problems: Vec<String>,
}

impl Counts {
    pub fn change(&mut self, entity: &'static str, change: Change) {
        let tally = self.entities.entry(entity).or_default();
        match change {
            Change::Created => tally.created += 1,
            Change::Updated => tally.updated += 1,
            Change::Unchanged => tally.unchanged += 1,
        }
    }

    pub fn deactivated(&mut self, entity: &'static str, count: usize) {
        self.entities.entry(entity).or_default().deactivated += count;
    }

    pub fn reject(&mut self, entity: &'static str, problem: String) {
        self.entities.entry(entity).or_default().rejected += 1;
        if self.problems.len() < 1000 {
            self.problems.push(problem);
        }
    }

    /// What attaching pictures and documents did: new files as created,
    /// known ones as unchanged, products whose list changed as updated; a
    /// missing or broken file is a problem that rejects nothing.
    pub fn media(&mut self, report: &portal::media::Report) {
        let files = self.entities.entry("media_files").or_default();
        files.created += report.stored;
        files.unchanged += report.reused;
        if report.products > 0 {
            self.entities.entry("product_media").or_default().updated += report.products;
        }
        for warning in &report.warnings {
            if self.problems.len() < 1000 {
                self.problems.push(warning.clone());
            }
        }
        if report.more_warnings > 0 {
            self.problems
                .push(format!("… and {} more pictures or documents missing or unreadable", report.more_warnings));
        }
    }

    /// Adds another file's counts (the files of one zip, one journal run).
    pub fn merge(&mut self, other: Counts) {
        for (entity, tally) in other.entities {
            let mine = self.entities.entry(entity).or_default();
            mine.created += tally.created;
            mine.updated += tally.updated;
            mine.unchanged += tally.unchanged;
            mine.deactivated += tally.deactivated;
            mine.rejected += tally.rejected;
        }
        for problem in other.problems {
            if self.problems.len() < 1000 {
                self.problems.push(problem);
            }
        }
    }

    /// Created + updated + deactivated over all entities: zero for a re-import.
    pub fn changes(&self) -> usize {
        self.entities.values().map(|t| t.created + t.updated + t.deactivated).sum()
    }

    pub fn summary(&self) -> String {
        self.entities
            .iter()
            .map(|(entity, t)| {
                format!(
                    "{entity}: {} created, {} updated, {} unchanged, {} deactivated, {} rejected",
                    t.created, t.updated, t.unchanged, t.deactivated, t.rejected
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
