//! Compressed sparse rows: the interaction matrix by user (users × items) and its transpose by item.
//!
//! Memory is the constraint at scale (25M interactions are 200 MB per layout), so: a CSR may
//! borrow its column indices and values from the caller's COO arrays when these already are
//! CSR order (rows ascending, no repeated column within a row) instead of copying them; an owned
//! CSR is built in place (counting sort into its final arrays, then each row sorted and its
//! duplicates merged where they sit); and the by-item layout is built from the by-user one, so
//! the COO input and the two layouts never need a third copy.

use std::borrow::Cow;

use crate::error::{invalid_arg, invalid_data, Result};
use crate::pattern::row_starts;

/// A sparse matrix in CSR form. Column indices within a row are unique; they are sorted unless
/// the CSR borrows its caller's arrays ([`Csr::borrow_coo`]), which keeps their order.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr<'a> {
    pub n_rows: usize,
    pub n_cols: usize,
    /// `indptr[r]..indptr[r + 1]` is row r's range in `indices` and `data`.
    pub indptr: Vec<usize>,
    pub indices: Cow<'a, [u32]>,
    pub data: Cow<'a, [f32]>,
}

impl Csr<'static> {
    /// Builds CSR from COO triplets. Duplicate (row, col) pairs are summed, as scipy does.
    /// Rejects mismatched lengths, out-of-range indices and non-finite values, naming the position.
    pub fn from_coo(n_rows: usize, n_cols: usize, rows: &[u32], cols: &[u32], vals: &[f32]) -> Result<Csr<'static>> {
        check_coo(n_rows, n_cols, rows, cols, vals)?;
        // Counting sort by row straight into the final arrays …
        let indptr = row_starts(n_rows, rows);
        let mut next = indptr.clone();
        let mut idx = vec![0u32; rows.len()];
        let mut val = vec![0f32; rows.len()];
        for ((&r, &c), &v) in rows.iter().zip(cols).zip(vals) {
            let p = next[r as usize];
            idx[p] = c;
            val[p] = v;
            next[r as usize] += 1;
        }
        drop(next);
        // … then each row sorted by column and its duplicates merged in place, compacting.
        let mut out_ptr = Vec::with_capacity(n_rows + 1);
        out_ptr.push(0usize);
        let mut write = 0usize;
        let mut pairs: Vec<(u32, f32)> = Vec::new();
        for r in 0..n_rows {
            let (s, e) = (indptr[r], indptr[r + 1]);
            let row_start = write;
            if idx[s..e].windows(2).all(|w| w[0] < w[1]) {
                idx.copy_within(s..e, write);
                val.copy_within(s..e, write);
                write += e - s;
            } else {
                pairs.clear();
                pairs.extend(idx[s..e].iter().copied().zip(val[s..e].iter().copied()));
                pairs.sort_by_key(|p| p.0);
                for &(c, v) in &pairs {
                    if write > row_start && idx[write - 1] == c {
                        val[write - 1] += v;
                    } else {
                        idx[write] = c;
                        val[write] = v;
                        write += 1;
                    }
                }
            }
            out_ptr.push(write);
        }
        idx.truncate(write);
        val.truncate(write);
        Ok(Csr { n_rows, n_cols, indptr: out_ptr, indices: Cow::Owned(idx), data: Cow::Owned(val) })
    }
}

impl<'a> Csr<'a> {
    /// A CSR over the caller's arrays without copying them, when the triplets are already in CSR
    /// order: `rows` ascending and no column repeated within a row (columns need not be sorted).
    /// None otherwise (build with [`Csr::from_coo`]). Validates like `from_coo`.
    pub fn borrow_coo(n_rows: usize, n_cols: usize, rows: &[u32], cols: &'a [u32], vals: &'a [f32]) -> Result<Option<Csr<'a>>> {
        check_coo(n_rows, n_cols, rows, cols, vals)?;
        if rows.windows(2).any(|w| w[0] > w[1]) {
            return Ok(None);
        }
        let indptr = row_starts(n_rows, rows);
        // Repeated columns within a row: one stamp per column, set to the row that saw it last.
        let mut seen = vec![u32::MAX; n_cols];
        for r in 0..n_rows {
            for &c in &cols[indptr[r]..indptr[r + 1]] {
                if seen[c as usize] == r as u32 {
                    return Ok(None);
                }
                seen[c as usize] = r as u32;
            }
        }
        Ok(Some(Csr { n_rows, n_cols, indptr, indices: Cow::Borrowed(cols), data: Cow::Borrowed(vals) }))
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    #[inline]
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (s, e) = (self.indptr[r], self.indptr[r + 1]);
        (&self.indices[s..e], &self.data[s..e])
    }

    /// The sparsity pattern (sorted columns per row): borrowed when the rows are sorted.
    pub fn pattern(&self) -> crate::pattern::Pattern<'_> {
        let sorted = (0..self.n_rows).all(|r| self.row(r).0.windows(2).all(|w| w[0] < w[1]));
        let indices: Cow<'_, [u32]> = if sorted {
            Cow::Borrowed(&self.indices)
        } else {
            let mut idx = self.indices.to_vec();
            for r in 0..self.n_rows {
                idx[self.indptr[r]..self.indptr[r + 1]].sort_unstable();
            }
            Cow::Owned(idx)
        };
        crate::pattern::Pattern { n_rows: self.n_rows, n_cols: self.n_cols, indptr: self.indptr.clone(), indices }
    }

    /// The transpose, with sorted column indices in every row (owned).
    pub fn transpose(&self) -> Csr<'static> {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &c in self.indices.iter() {
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
        Csr { n_rows: self.n_cols, n_cols: self.n_rows, indptr: counts, indices: Cow::Owned(indices), data: Cow::Owned(data) }
    }
}

/// Lengths, index ranges and finite values of COO triplets, naming the first bad entry.
fn check_coo(n_rows: usize, n_cols: usize, rows: &[u32], cols: &[u32], vals: &[f32]) -> Result<()> {
    if rows.len() != cols.len() || rows.len() != vals.len() {
        return Err(invalid_arg(format!("COO arrays must have equal lengths: rows {}, cols {}, values {}", rows.len(), cols.len(), vals.len())));
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
    Ok(())
}

/// The interactions of a training set, held both ways round so each ALS half-step reads rows.
#[derive(Debug, Clone)]
pub struct Interactions<'a> {
    /// users × items (borrows the caller's arrays when they are in CSR order)
    pub by_user: Csr<'a>,
    /// items × users (built from `by_user`)
    pub by_item: Csr<'static>,
}

impl<'a> Interactions<'a> {
    /// Builds both layouts: by user borrowing `items` and `values` when the triplets are sorted
    /// by user without repeated pairs (otherwise built, duplicates summed), then by item from it.
    pub fn from_coo(n_users: usize, n_items: usize, users: &[u32], items: &'a [u32], values: &'a [f32]) -> Result<Self> {
        let by_user = match Csr::borrow_coo(n_users, n_items, users, items, values)? {
            Some(csr) => csr,
            None => Csr::from_coo(n_users, n_items, users, items, values)?,
        };
        let by_item = by_user.transpose();
        Ok(Interactions { by_user, by_item })
    }

    /// The same interactions owning all their arrays.
    pub fn into_owned(self) -> Interactions<'static> {
        let by_user = Csr {
            n_rows: self.by_user.n_rows,
            n_cols: self.by_user.n_cols,
            indptr: self.by_user.indptr,
            indices: Cow::Owned(self.by_user.indices.into_owned()),
            data: Cow::Owned(self.by_user.data.into_owned()),
        };
        Interactions { by_user, by_item: self.by_item }
    }

    /// Bytes held by the two layouts (borrowed arrays not counted).
    pub fn owned_bytes(&self) -> usize {
        let csr = |m: &Csr| {
            let own = |borrowed: bool, n: usize| if borrowed { 0 } else { n };
            m.indptr.len() * 8
                + own(matches!(m.indices, Cow::Borrowed(_)), m.indices.len() * 4)
                + own(matches!(m.data, Cow::Borrowed(_)), m.data.len() * 4)
        };
        csr(&self.by_user) + csr(&self.by_item)
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
        assert_eq!(*m.indices, [1, 0, 3]);
        assert_eq!(*m.data, [6.0, 3.0, 6.0]);
        let t = m.transpose();
        assert_eq!(t.n_rows, 4);
        assert_eq!(t.indptr, vec![0, 1, 2, 2, 3]);
        assert_eq!(*t.indices, [2, 0, 2]);
        assert_eq!(t.transpose(), m);
    }

    #[test]
    fn borrows_arrays_already_in_csr_order_and_builds_the_rest() {
        let (rows, cols, vals) = ([0u32, 0, 2, 2], [3u32, 1, 0, 3], [1.0f32, 2.0, 3.0, 4.0]);
        let d = Interactions::from_coo(3, 4, &rows, &cols, &vals).unwrap();
        assert!(matches!(d.by_user.indices, Cow::Borrowed(_)) && matches!(d.by_user.data, Cow::Borrowed(_)));
        assert_eq!(d.by_user.indptr, vec![0, 2, 2, 4]);
        // The same matrix built with sorted rows: the same transpose.
        assert_eq!(d.by_item, Csr::from_coo(3, 4, &rows, &cols, &vals).unwrap().transpose());
        assert_eq!(d.owned_bytes(), 4 * 8 + 5 * 8 + 4 * 8);
        // A repeated pair within a row, or rows out of order: built (and summed), not borrowed.
        assert!(Csr::borrow_coo(3, 4, &[0, 0], &[1, 1], &[1.0, 1.0]).unwrap().is_none());
        assert!(Csr::borrow_coo(3, 4, &[2, 0], &[1, 1], &[1.0, 1.0]).unwrap().is_none());
        let d = Interactions::from_coo(3, 4, &[0, 0, 1], &[1, 1, 2], &[1.0, 2.0, 5.0]).unwrap();
        assert!(matches!(d.by_user.indices, Cow::Owned(_)));
        assert_eq!((*d.by_user.indices).to_vec(), vec![1, 2]);
        assert_eq!((*d.by_user.data).to_vec(), vec![3.0, 5.0]);
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
