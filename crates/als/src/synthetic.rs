//! Synthetic interaction data with the shape of real feedback: long-tailed item popularity
//! (Zipf), long-tailed user activity (log-normal), and latent structure (each item belongs to a
//! taste cluster; each user favours a few clusters), so a recommender can learn something and
//! ranking metrics mean something. Deterministic for a seed, whatever the thread count.

use std::collections::HashSet;

use crate::error::{invalid_arg, Result};
use crate::parallel::for_each_chunk;
use crate::params::resolve_threads;
use crate::rng::SplitMix64;

#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSpec {
    pub n_users: usize,
    pub n_items: usize,
    /// Total interactions (exact, unless users cannot hold that many distinct items).
    pub n_interactions: usize,
    /// Number of taste clusters.
    pub latent_rank: usize,
    /// Zipf exponent of item popularity (about 1 for real catalogues).
    pub popularity_exponent: f64,
    /// Ratings 1–5 when true; play counts (1, 2, …) when false.
    pub explicit: bool,
    pub seed: u64,
}

impl SyntheticSpec {
    /// The shape of MovieLens 1M: 6,040 users, 3,706 items, 1,000,209 interactions.
    pub fn ml_1m(seed: u64, explicit: bool) -> Self {
        SyntheticSpec { n_users: 6_040, n_items: 3_706, n_interactions: 1_000_209, latent_rank: 24, popularity_exponent: 0.9, explicit, seed }
    }

    /// The shape of MovieLens 25M: 162,541 users, 59,047 items, 25,000,095 interactions.
    pub fn ml_25m(seed: u64, explicit: bool) -> Self {
        SyntheticSpec { n_users: 162_541, n_items: 59_047, n_interactions: 25_000_095, latent_rank: 48, popularity_exponent: 1.0, explicit, seed }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyntheticData {
    pub users: Vec<u32>,
    pub items: Vec<u32>,
    pub values: Vec<f32>,
    /// Seconds since the Unix epoch, increasing within each user.
    pub timestamps: Vec<u32>,
}

const FAVOURITE_SHARES: [f64; 3] = [0.5, 0.25, 0.12];
const MIN_PER_USER: usize = 5;

pub fn generate(spec: &SyntheticSpec, threads: usize) -> Result<SyntheticData> {
    let SyntheticSpec { n_users, n_items, latent_rank, .. } = *spec;
    if n_users == 0 || n_items == 0 || latent_rank == 0 {
        return Err(invalid_arg("synthetic data needs at least one user, one item and one cluster"));
    }
    if n_users > u32::MAX as usize || n_items >= u32::MAX as usize {
        return Err(invalid_arg("synthetic data: users and items must fit in 32 bits"));
    }
    if !(spec.popularity_exponent.is_finite() && spec.popularity_exponent >= 0.0) {
        return Err(invalid_arg("synthetic data: popularity exponent must be >= 0"));
    }
    let world = World::new(spec);
    let counts = activity(spec);
    let threads = resolve_threads(threads);
    // Every user's count is known up front, so the output is allocated once at its exact size and
    // each chunk of users writes its own slice of it: no per-thread parts to grow, concatenate and
    // free (that garbage stayed in the allocator's arenas, about 90 MiB at the 25M shape).
    let total: usize = counts.iter().sum();
    let mut out = SyntheticData { users: vec![0; total], items: vec![0; total], values: vec![0.0; total], timestamps: vec![0; total] };
    let mut sinks = Vec::with_capacity(n_users.div_ceil(USERS_PER_CHUNK));
    let (mut users, mut items, mut values, mut timestamps) = (&mut out.users[..], &mut out.items[..], &mut out.values[..], &mut out.timestamps[..]);
    for start in (0..n_users).step_by(USERS_PER_CHUNK) {
        let end = (start + USERS_PER_CHUNK).min(n_users);
        let len: usize = counts[start..end].iter().sum();
        let (u, rest_u) = std::mem::take(&mut users).split_at_mut(len);
        let (i, rest_i) = std::mem::take(&mut items).split_at_mut(len);
        let (v, rest_v) = std::mem::take(&mut values).split_at_mut(len);
        let (t, rest_t) = std::mem::take(&mut timestamps).split_at_mut(len);
        (users, items, values, timestamps) = (rest_u, rest_i, rest_v, rest_t);
        sinks.push((start, end, Sink { users: u, items: i, values: v, timestamps: t, at: 0 }));
    }
    for_each_chunk(&mut sinks, 1, 1, threads, |_, _, chunk| {
        let (start, end, sink) = &mut chunk[0];
        let mut seen = HashSet::new();
        for u in *start..*end {
            world.user(spec, u, counts[u], &mut seen, sink);
        }
        assert_eq!(sink.at, sink.users.len(), "every user emits exactly its count");
    });
    drop(sinks);
    Ok(out)
}

const USERS_PER_CHUNK: usize = 2048;

/// A chunk of users' slice of the output, filled in order.
struct Sink<'a> {
    users: &'a mut [u32],
    items: &'a mut [u32],
    values: &'a mut [f32],
    timestamps: &'a mut [u32],
    at: usize,
}

impl Sink<'_> {
    fn push(&mut self, user: u32, item: u32, value: f32, t: u32) {
        self.users[self.at] = user;
        self.items[self.at] = item;
        self.values[self.at] = value;
        self.timestamps[self.at] = t;
        self.at += 1;
    }
}

/// Interactions per user: log-normal weights, scaled to the total by largest remainders.
fn activity(spec: &SyntheticSpec) -> Vec<usize> {
    let mut rng = SplitMix64::for_stream(spec.seed, 10, 0);
    let cap = (spec.n_items / 3).max(1);
    let floor = MIN_PER_USER.min(cap).min(spec.n_interactions / spec.n_users);
    let weights: Vec<f64> = (0..spec.n_users).map(|_| (1.1 * rng.next_gaussian()).exp()).collect();
    let total_w: f64 = weights.iter().sum();
    let spare = spec.n_interactions.saturating_sub(floor * spec.n_users) as f64;
    let exact: Vec<f64> = weights.iter().map(|w| w / total_w * spare).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| (floor + e.floor() as usize).min(cap)).collect();
    let mut missing = spec.n_interactions.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..spec.n_users).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    // Hand out what rounding and the cap left over, one at a time, largest remainders first.
    while missing > 0 {
        let before = missing;
        for &u in &order {
            if missing == 0 {
                break;
            }
            if counts[u] < cap {
                counts[u] += 1;
                missing -= 1;
            }
        }
        if missing == before {
            break; // every user is full
        }
    }
    counts
}

/// Items, clusters and the samplers drawn from them.
struct World {
    cluster_of: Vec<u32>,
    quality: Vec<f32>,
    global: Alias,
    /// Per cluster: its items and a sampler over their popularity.
    clusters: Vec<(Vec<u32>, Alias)>,
}

impl World {
    fn new(spec: &SyntheticSpec) -> World {
        let mut rng = SplitMix64::for_stream(spec.seed, 11, 0);
        let n = spec.n_items;
        // Popularity rank: a random permutation, weight 1 / (rank + 10)^s.
        let mut order: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut weight = vec![0f64; n];
        for (r, &i) in order.iter().enumerate() {
            weight[i as usize] = 1.0 / (r as f64 + 10.0).powf(spec.popularity_exponent);
        }
        let cluster_of: Vec<u32> = (0..n).map(|_| rng.below(spec.latent_rank as u64) as u32).collect();
        let quality: Vec<f32> = (0..n).map(|_| (0.5 * rng.next_gaussian()) as f32).collect();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); spec.latent_rank];
        for i in 0..n {
            members[cluster_of[i] as usize].push(i as u32);
        }
        let clusters = members
            .into_iter()
            .map(|m| {
                let w: Vec<f64> = m.iter().map(|&i| weight[i as usize]).collect();
                let alias = Alias::new(&w);
                (m, alias)
            })
            .collect();
        World { cluster_of, quality, global: Alias::new(&weight), clusters }
    }

    fn user(&self, spec: &SyntheticSpec, u: usize, count: usize, seen: &mut HashSet<u32>, out: &mut Sink) {
        let mut rng = SplitMix64::for_stream(spec.seed, 12, u as u64);
        let c = spec.latent_rank as u64;
        let favourites = [rng.below(c) as u32, rng.below(c) as u32, rng.below(c) as u32];
        let bias = (0.4 * rng.next_gaussian()) as f32;
        let mut t = 946_684_800 + rng.below(20 * 365 * 86_400) as u32; // from 2000 on
        seen.clear();
        let mut attempts = 0;
        while seen.len() < count && attempts < 50 * count {
            attempts += 1;
            let pick = rng.next_f64();
            let mut acc = 0.0;
            let mut chosen = None;
            for (f, share) in favourites.iter().zip(FAVOURITE_SHARES) {
                acc += share;
                if pick < acc {
                    let (items, alias) = &self.clusters[*f as usize];
                    if !items.is_empty() {
                        chosen = Some(items[alias.sample(&mut rng)]);
                    }
                    break;
                }
            }
            let item = chosen.unwrap_or_else(|| self.global.sample(&mut rng) as u32);
            if seen.insert(item) {
                self.emit(u, item, &favourites, bias, &mut t, &mut rng, spec.explicit, out);
            }
        }
        // A user wanting nearly the whole catalogue: fill with the items not drawn yet.
        let mut next = rng.below(spec.n_items as u64) as u32;
        while seen.len() < count {
            if seen.insert(next) {
                self.emit(u, next, &favourites, bias, &mut t, &mut rng, spec.explicit, out);
            }
            next = (next + 1) % spec.n_items as u32;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(&self, u: usize, item: u32, favourites: &[u32; 3], bias: f32, t: &mut u32, rng: &mut SplitMix64, explicit: bool, out: &mut Sink) {
        let cluster = self.cluster_of[item as usize];
        let affinity = match favourites.iter().position(|&f| f == cluster) {
            Some(0) => 1.0,
            Some(1) => 0.6,
            Some(_) => 0.3,
            None => -0.5,
        };
        let value = if explicit {
            let r = 3.2 + affinity + self.quality[item as usize] + bias + (0.7 * rng.next_gaussian()) as f32;
            r.round().clamp(1.0, 5.0)
        } else {
            // Play counts: geometric, longer for favoured clusters.
            let p = if affinity > 0.0 { 0.45 } else { 0.7 };
            let mut n = 1.0f32;
            while rng.next_f64() > p && n < 50.0 {
                n += 1.0;
            }
            n
        };
        *t = t.saturating_add(60 + rng.below(3 * 86_400) as u32);
        out.push(u as u32, item, value, *t);
    }
}

/// Walker/Vose alias sampler: O(1) draws from a discrete distribution.
struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut prob: Vec<f64> = weights.iter().map(|w| if total > 0.0 { w * n as f64 / total } else { 1.0 }).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            prob[l] -= 1.0 - prob[s];
            if prob[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            prob[i] = 1.0;
        }
        Alias { prob, alias }
    }

    fn sample(&self, rng: &mut SplitMix64) -> usize {
        let i = rng.below(self.prob.len() as u64) as usize;
        if rng.next_f64() < self.prob[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_requested_shape_and_is_deterministic() {
        let spec =
            SyntheticSpec { n_users: 300, n_items: 500, n_interactions: 12_000, latent_rank: 8, popularity_exponent: 1.0, explicit: true, seed: 9 };
        let a = generate(&spec, 1).unwrap();
        let b = generate(&spec, 2).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.users.len(), 12_000);
        assert!(a.values.iter().all(|&v| (1.0..=5.0).contains(&v) && v.fract() == 0.0));
        // No duplicate (user, item) pairs; timestamps increase within a user.
        let mut pairs: Vec<(u32, u32)> = a.users.iter().copied().zip(a.items.iter().copied()).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), 12_000);
        for w in 1..a.users.len() {
            if a.users[w] == a.users[w - 1] {
                assert!(a.timestamps[w] > a.timestamps[w - 1]);
            }
        }
    }

    #[test]
    fn popularity_is_long_tailed() {
        let spec = SyntheticSpec {
            n_users: 2000,
            n_items: 2000,
            n_interactions: 100_000,
            latent_rank: 16,
            popularity_exponent: 1.0,
            explicit: false,
            seed: 1,
        };
        let d = generate(&spec, 0).unwrap();
        let mut counts = vec![0usize; 2000];
        d.items.iter().for_each(|&i| counts[i as usize] += 1);
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top_decile: usize = counts[..200].iter().sum();
        assert!(top_decile as f64 > 0.3 * 100_000.0, "top 10% of items hold {top_decile} of 100000");
    }
}
