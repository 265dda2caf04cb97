//! The sparsity pattern of a users × items matrix without its values: for each row, its column
//! indices, sorted and unique. What top-k exclusion reads ("the items this user has seen"). Like
//! [`crate::Csr`], it borrows the caller's column array when that is already in this order, and is
//! otherwise built in place, so excluding 25M seen pairs costs no copy of values (nor of ones).

use std::borrow::Cow;

use crate::error::{invalid_arg, invalid_data, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern<'a> {
    pub n_rows: usize,
    pub n_cols: usize,
    /// `indptr[r]..indptr[r + 1]` is row r's range in `indices`.
    pub indptr: Vec<usize>,
    pub indices: Cow<'a, [u32]>,
}

impl<'a> Pattern<'a> {
    /// From COO row and column indices (repeated pairs collapse to one). Borrows `cols` when
    /// `rows` is ascending and each row's columns strictly increase; builds otherwise.
    pub fn from_coo(n_rows: usize, n_cols: usize, rows: &[u32], cols: &'a [u32]) -> Result<Pattern<'a>> {
        if rows.len() != cols.len() {
            return Err(invalid_arg(format!("COO arrays must have equal lengths: rows {}, cols {}", rows.len(), cols.len())));
        }
        for (i, (&r, &c)) in rows.iter().zip(cols).enumerate() {
            if r as usize >= n_rows {
                return Err(invalid_data(format!("entry {i}: row index {r} is out of range (rows: {n_rows})")));
            }
            if c as usize >= n_cols {
                return Err(invalid_data(format!("entry {i}: column index {c} is out of range (columns: {n_cols})")));
            }
        }
        let indptr = row_starts(n_rows, rows);
        let in_order = rows.windows(2).zip(cols.windows(2)).all(|(r, c)| r[0] < r[1] || (r[0] == r[1] && c[0] < c[1]));
        if in_order {
            return Ok(Pattern { n_rows, n_cols, indptr, indices: Cow::Borrowed(cols) });
        }
        let mut next = indptr.clone();
        let mut idx = vec![0u32; cols.len()];
        for (&r, &c) in rows.iter().zip(cols) {
            idx[next[r as usize]] = c;
            next[r as usize] += 1;
        }
        drop(next);
        let mut write = 0;
        let mut out_ptr = Vec::with_capacity(n_rows + 1);
        out_ptr.push(0);
        for r in 0..n_rows {
            let row = &mut idx[indptr[r]..indptr[r + 1]];
            row.sort_unstable();
            let start = indptr[r];
            let row_start = write;
            for p in start..indptr[r + 1] {
                let c = idx[p];
                if write == row_start || idx[write - 1] != c {
                    idx[write] = c;
                    write += 1;
                }
            }
            out_ptr.push(write);
        }
        idx.truncate(write);
        Ok(Pattern { n_rows, n_cols, indptr: out_ptr, indices: Cow::Owned(idx) })
    }

    /// Row r's sorted column indices.
    #[inline]
    pub fn row(&self, r: usize) -> &[u32] {
        &self.indices[self.indptr[r]..self.indptr[r + 1]]
    }
}

/// Row start offsets (length n_rows + 1) of COO row indices (shared with [`crate::Csr`]).
pub(crate) fn row_starts(n_rows: usize, rows: &[u32]) -> Vec<usize> {
    let mut counts = vec![0usize; n_rows + 1];
    for &r in rows {
        counts[r as usize + 1] += 1;
    }
    for r in 0..n_rows {
        counts[r + 1] += counts[r];
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_sorted_input_and_sorts_the_rest_in_place() {
        let (rows, cols) = ([0u32, 0, 2], [1u32, 3, 0]);
        let p = Pattern::from_coo(3, 4, &rows, &cols).unwrap();
        assert!(matches!(p.indices, Cow::Borrowed(_)));
        assert_eq!((p.row(0), p.row(1), p.row(2)), (&[1, 3][..], &[][..], &[0][..]));
        let q = Pattern::from_coo(3, 4, &[2, 0, 0, 0], &[0, 3, 1, 3]).unwrap();
        assert!(matches!(q.indices, Cow::Owned(_)));
        assert_eq!(q.indptr, p.indptr);
        assert_eq!(*q.indices, *p.indices);
        assert!(Pattern::from_coo(3, 4, &[0], &[4]).unwrap_err().to_string().contains("entry 0: column index 4"));
    }
}
