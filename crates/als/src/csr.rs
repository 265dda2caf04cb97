//! Compressed sparse rows: the interaction matrix by user (users × items) and its transpose by item.

use crate::error::{invalid_arg, invalid_data, Result};

/// A sparse matrix in CSR form. Column indices within a row are sorted and unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    pub n_rows: usize,
    pub n_cols: usize,
    /// `indptr[r]..indptr[r + 1]` is row r's range in `indices` and `data`.
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f32>,
}

impl Csr {
    /// Builds CSR from COO triplets. Duplicate (row, col) pairs are summed, as scipy does.
    /// Rejects mismatched lengths, out-of-range indices and non-finite values, naming the position.
    pub fn from_coo(n_rows: usize, n_cols: usize, rows: &[u32], cols: &[u32], vals: &[f32]) -> Result<Csr> {
        if rows.len() != cols.len() || rows.len() != vals.len() {
            return Err(invalid_arg(format!(
                "COO arrays must have equal lengths: rows {}, cols {}, values {}",
                rows.len(),
                cols.len(),
                vals.len()
            )));
        }
        if n_rows > u32::MAX as usize || n_cols > u32::MAX as usize {
            return Err(invalid_arg("matrix dimensions must fit in 32 bits"));
        }
        for (i, ((&r, &c), &v)) in rows.iter().zip(cols).zip(vals).enumerate() {
            if r as usize >= n_rows {
                return Err(invalid_data(format!("entry {i}: row index {r} is out of range (rows: {n_rows})")));
            }
            if c as usize >= n_cols {
                return Err(invalid_data(format!("entry {i}: column index {c} is out of range (columns: {n_cols})")));
            }
            if !v.is_finite() {
                return Err(invalid_data(format!("entry {i} (row {r}, column {c}): value {v} is not a finite number")));
            }
        }
        // Counting sort by row, then sort each row by column and merge duplicates.
        let mut counts = vec![0usize; n_rows + 1];
        for &r in rows {
            counts[r as usize + 1] += 1;
        }
        for r in 0..n_rows {
            counts[r + 1] += counts[r];
        }
        let mut next = counts.clone();
        let mut idx = vec![0u32; rows.len()];
        let mut val = vec![0f32; rows.len()];
        for ((&r, &c), &v) in rows.iter().zip(cols).zip(vals) {
            let p = next[r as usize];
            idx[p] = c;
            val[p] = v;
            next[r as usize] += 1;
        }
        let mut indptr = Vec::with_capacity(n_rows + 1);
        indptr.push(0usize);
        let mut out_idx = Vec::with_capacity(rows.len());
        let mut out_val = Vec::with_capacity(rows.len());
        let mut pairs: Vec<(u32, f32)> = Vec::new();
        for r in 0..n_rows {
            let (s, e) = (counts[r], counts[r + 1]);
            let sorted = idx[s..e].windows(2).all(|w| w[0] < w[1]);
            if sorted {
                out_idx.extend_from_slice(&idx[s..e]);
                out_val.extend_from_slice(&val[s..e]);
            } else {
                pairs.clear();
                pairs.extend(idx[s..e].iter().copied().zip(val[s..e].iter().copied()));
                pairs.sort_by_key(|p| p.0);
                for &(c, v) in &pairs {
                    if out_idx.len() > *indptr.last().unwrap() && *out_idx.last().unwrap() == c {
                        *out_val.last_mut().unwrap() += v;
                    } else {
                        out_idx.push(c);
                        out_val.push(v);
                    }
                }
            }
            indptr.push(out_idx.len());
        }
        Ok(Csr { n_rows, n_cols, indptr, indices: out_idx, data: out_val })
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    #[inline]
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (s, e) = (self.indptr[r], self.indptr[r + 1]);
        (&self.indices[s..e], &self.data[s..e])
    }

    /// The transpose, with sorted column indices in every row.
    pub fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for c in 0..self.n_cols {
            counts[c + 1] += counts[c];
        }
        let mut next = counts.clone();
        let mut indices = vec![0u32; self.nnz()];
        let mut data = vec![0f32; self.nnz()];
        for r in 0..self.n_rows {
            let (cols, vals) = self.row(r);
            for (&c, &v) in cols.iter().zip(vals) {
                let p = next[c as usize];
                indices[p] = r as u32;
                data[p] = v;
                next[c as usize] += 1;
            }
        }
        Csr { n_rows: self.n_cols, n_cols: self.n_rows, indptr: counts, indices, data }
    }
}

/// The interactions of a training set, held both ways round so each ALS half-step reads rows.
#[derive(Debug, Clone)]
pub struct Interactions {
    /// users × items
    pub by_user: Csr,
    /// items × users
    pub by_item: Csr,
}

impl Interactions {
    pub fn from_coo(n_users: usize, n_items: usize, users: &[u32], items: &[u32], values: &[f32]) -> Result<Self> {
        let by_user = Csr::from_coo(n_users, n_items, users, items, values)?;
        let by_item = by_user.transpose();
        Ok(Interactions { by_user, by_item })
    }

    pub fn n_users(&self) -> usize {
        self.by_user.n_rows
    }

    pub fn n_items(&self) -> usize {
        self.by_user.n_cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_sorted_rows_and_sums_duplicates() {
        let m = Csr::from_coo(3, 4, &[2, 0, 2, 0, 2], &[3, 1, 0, 1, 3], &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(m.indptr, vec![0, 1, 1, 3]);
        assert_eq!(m.indices, vec![1, 0, 3]);
        assert_eq!(m.data, vec![6.0, 3.0, 6.0]);
        let t = m.transpose();
        assert_eq!(t.n_rows, 4);
        assert_eq!(t.indptr, vec![0, 1, 2, 2, 3]);
        assert_eq!(t.indices, vec![2, 0, 2]);
        assert_eq!(t.transpose(), m);
    }

    #[test]
    fn rejects_bad_input_with_position() {
        let e = Csr::from_coo(2, 2, &[0, 5], &[0, 0], &[1.0, 1.0]).unwrap_err();
        assert!(e.to_string().contains("entry 1: row index 5"), "{e}");
        let e = Csr::from_coo(2, 2, &[0], &[0, 1], &[1.0]).unwrap_err();
        assert!(e.to_string().contains("equal lengths"), "{e}");
        let e = Csr::from_coo(2, 2, &[0, 1], &[0, 1], &[1.0, f32::NAN]).unwrap_err();
        assert!(e.to_string().contains("entry 1 (row 1, column 1): value NaN"), "{e}");
        let e = Csr::from_coo(2, 2, &[0], &[2], &[f32::INFINITY]).unwrap_err();
        assert!(e.to_string().contains("column index 2"), "{e}");
    }
}
