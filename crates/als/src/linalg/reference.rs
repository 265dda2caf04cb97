//! Test-only reference: a plain Gauss–Jordan inverse with partial pivoting on `Vec<Vec<f64>>`,
//! sharing nothing with the code it checks (the Cholesky inverse, EASE).

/// The inverse of the square matrix `m`.
pub fn gauss_jordan(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> =
        m.iter().enumerate().map(|(i, r)| r.iter().copied().chain((0..n).map(|j| if i == j { 1.0 } else { 0.0 })).collect()).collect();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs())).unwrap();
        a.swap(c, p);
        let d = a[c][c];
        a[c].iter_mut().for_each(|x| *x /= d);
        for r in 0..n {
            if r != c {
                let f = a[r][c];
                let pivot = a[c].clone();
                a[r].iter_mut().zip(&pivot).for_each(|(x, y)| *x -= f * y);
            }
        }
    }
    a.into_iter().map(|r| r[n..].to_vec()).collect()
}
