//! Fold-in: a user vector computed from a list of (item, value) pairs against fixed item
//! factors, with the same exact solve as one training half-step (so a training user folded in
//! against the final item factors gets the vector training gave them), and that user's top-k.
//! This is what personalises a user the model has never seen, in real time.

use crate::error::{invalid_arg, invalid_data, Result};
use crate::gram::gram;
use crate::params::{AlsParams, Solver};
use crate::solvers::exact::{solve_row, Scratch};
use crate::topk::{top_k_one, PackedItems, TopK};

#[derive(Debug, Clone)]
pub struct FoldIn {
    params: AlsParams,
    item_factors: Vec<f32>,
    /// YᵀY, for implicit feedback.
    gram: Option<Vec<f64>>,
    packed: PackedItems,
}

impl FoldIn {
    /// Prepares fold-in against `item_factors` (n_items × rank) with the model's parameters.
    /// The row is always solved exactly (Cholesky, or NNLS when nonnegative), whatever solver
    /// training used.
    pub fn new(item_factors: Vec<f32>, rank: usize, params: &AlsParams) -> Result<FoldIn> {
        let mut params = params.clone();
        params.rank = rank;
        params.solver = Solver::Cholesky;
        params.validate()?;
        if item_factors.len() % rank != 0 {
            return Err(invalid_arg(format!("item factors: length {} is not a multiple of rank {rank}", item_factors.len())));
        }
        let gram = params.implicit_prefs.then(|| gram(&item_factors, rank, 1));
        let packed = PackedItems::new(&item_factors, rank)?;
        Ok(FoldIn { params, item_factors, gram, packed })
    }

    pub fn rank(&self) -> usize {
        self.params.rank
    }

    pub fn n_items(&self) -> usize {
        self.packed.n_items
    }

    /// The user vector for these interactions. Repeated items are summed, as in training.
    pub fn user_vector(&self, items: &[u32], values: &[f32]) -> Result<Vec<f32>> {
        let (cols, vals) = self.row(items, values)?;
        let mut x = vec![0f32; self.rank()];
        let mut scratch = Scratch::new(self.rank());
        solve_row(&self.item_factors, &cols, &vals, self.n_items(), &self.params, self.gram.as_deref(), &mut scratch, &mut x)?;
        Ok(x)
    }

    /// The user vector and its top-k, the given items excluded.
    pub fn recommend(&self, items: &[u32], values: &[f32], k: usize) -> Result<(Vec<f32>, TopK)> {
        let x = self.user_vector(items, values)?;
        let (cols, _) = self.row(items, values)?;
        let top = top_k_one(&self.packed, &x, k, &cols)?;
        Ok((x, top))
    }

    /// Validates and sorts the interactions into a CSR row (duplicates summed).
    fn row(&self, items: &[u32], values: &[f32]) -> Result<(Vec<u32>, Vec<f32>)> {
        if items.len() != values.len() {
            return Err(invalid_arg(format!("items ({}) and values ({}) must have the same length", items.len(), values.len())));
        }
        let n = self.n_items();
        let mut pairs = Vec::with_capacity(items.len());
        for (pos, (&i, &v)) in items.iter().zip(values).enumerate() {
            if i as usize >= n {
                return Err(invalid_data(format!("items[{pos}] = {i} is out of range (items: {n})")));
            }
            if !v.is_finite() {
                return Err(invalid_data(format!("values[{pos}] = {v} is not a finite number")));
            }
            pairs.push((i, v));
        }
        pairs.sort_by_key(|p| p.0);
        let (mut cols, mut vals): (Vec<u32>, Vec<f32>) = (Vec::with_capacity(pairs.len()), Vec::with_capacity(pairs.len()));
        for (i, v) in pairs {
            if cols.last() == Some(&i) {
                *vals.last_mut().unwrap() += v;
            } else {
                cols.push(i);
                vals.push(v);
            }
        }
        Ok((cols, vals))
    }
}
