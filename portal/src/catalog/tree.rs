//! The category tree. Categories are few (hundreds), so the tree is loaded
//! whole and walked in memory.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::categories;
use crate::db::DbConn;
use crate::error::Result;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i64,
    pub external_id: String,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i32,
}

/// A category with its children, for rendering the navigation tree.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryNode {
    pub id: i64,
    pub name: String,
    pub children: Vec<CategoryNode>,
    /// Whether the node is the selected category or one of its ancestors.
    pub open: bool,
    pub selected: bool,
}

/// All active categories, flat.
#[derive(Clone)]
pub struct CategoryTree {
    all: Vec<Category>,
}

/// The tree as of a catalog version (category writes change it).
static CACHED: std::sync::RwLock<Option<(String, CategoryTree)>> = std::sync::RwLock::new(None);

impl CategoryTree {
    /// The tree, read from the database only when the catalog version moved
    /// since it was last read (the catalog page and search ask on every request).
    pub fn cached(conn: &mut DbConn) -> Result<CategoryTree> {
        let Some(version) = crate::settings::get(conn, crate::settings::CATALOG_VERSION)? else {
            return CategoryTree::load(conn);
        };
        if let Some((at, tree)) = CACHED.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
            if *at == version {
                return Ok(tree.clone());
            }
        }
        let tree = CategoryTree::load(conn)?;
        *CACHED.write().unwrap_or_else(|p| p.into_inner()) = Some((version, tree.clone()));
        Ok(tree)
    }

    pub fn load(conn: &mut DbConn) -> Result<CategoryTree> {
        let all = categories::table
            .filter(categories::active.eq(true))
            .order((categories::sort_order, categories::name))
            .select(Category::as_select())
            .load(conn)?;
        Ok(CategoryTree { all })
    }

    /// The tree as a buyer with `assortment` sees it.
    pub fn visible_to(mut self, assortment: &crate::terms::assortment::Assortment) -> CategoryTree {
        if !assortment.is_everything() {
            self.all.retain(|c| assortment.shows_category(c.id));
        }
        self
    }

    pub fn categories(&self) -> &[Category] {
        &self.all
    }

    pub fn get(&self, id: i64) -> Option<&Category> {
        self.all.iter().find(|c| c.id == id)
    }

    /// `id` and every category below it.
    pub fn subtree_ids(&self, id: i64) -> Vec<i64> {
        let children = self.children_map();
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = children.get(&Some(out[i])) {
                out.extend(kids.iter().map(|c| c.id));
            }
            i += 1;
        }
        out
    }

    /// The path from the root down to `id` (for breadcrumbs).
    pub fn path_to(&self, id: i64) -> Vec<&Category> {
        let mut path = Vec::new();
        let mut current = self.get(id);
        while let Some(c) = current {
            if path.iter().any(|p: &&Category| p.id == c.id) {
                break; // a cycle in bad data must not hang the page
            }
            path.push(c);
            current = c.parent_id.and_then(|p| self.get(p));
        }
        path.reverse();
        path
    }

    /// The nested tree, with the path to `selected` marked open.
    pub fn nodes(&self, selected: Option<i64>) -> Vec<CategoryNode> {
        let open: Vec<i64> = selected.map(|s| self.path_to(s).iter().map(|c| c.id).collect()).unwrap_or_default();
        let children = self.children_map();
        let roots: Vec<&Category> =
            self.all.iter().filter(|c| c.parent_id.is_none_or(|p| self.get(p).is_none())).collect();
        roots.into_iter().map(|c| self.node(c, &children, &open, selected, 0)).collect()
    }

    fn node(
        &self,
        category: &Category,
        children: &HashMap<Option<i64>, Vec<&Category>>,
        open: &[i64],
        selected: Option<i64>,
        depth: usize,
    ) -> CategoryNode {
        let kids = if depth < 8 {
            children
                .get(&Some(category.id))
                .map(|kids| kids.iter().map(|k| self.node(k, children, open, selected, depth + 1)).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        CategoryNode {
            id: category.id,
            name: category.name.clone(),
            children: kids,
            open: open.contains(&category.id),
            selected: selected == Some(category.id),
        }
    }

    fn children_map(&self) -> HashMap<Option<i64>, Vec<&Category>> {
        let mut map: HashMap<Option<i64>, Vec<&Category>> = HashMap::new();
        for c in &self.all {
            map.entry(c.parent_id).or_default().push(c);
        }
        map
    }
}
