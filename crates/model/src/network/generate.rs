//! Tie generators: complete, random (Erdős–Rényi), small-world
//! (Watts–Strogatz), scale-free (Barabási–Albert), and random bipartite
//! links between two groups.
//!
//! Each generator emits undirected pairs of *local* member indices through a
//! callback, drawing only from the network stream of the run's RNG. Pairs
//! may repeat (small-world rewiring, explicit ties over generated ones); the
//! network builder removes duplicates.

use crate::rng::SimRng;
use crate::scenario::{Generator, LinkTies};

/// Emit the ties of `generator` over members `0..n`.
///
/// Complexity: O(n + ties) for every generator (random graphs skip over
/// non-ties geometrically, after Batagelj & Brandes 2005).
pub fn within_group(
    generator: &Generator,
    n: u32,
    rng: &mut SimRng,
    emit: &mut impl FnMut(u32, u32),
) {
    match *generator {
        // Mixing is read by word of mouth, not drawn as ties.
        Generator::None | Generator::Mixed => {}
        Generator::Complete => {
            for a in 0..n {
                for b in a + 1..n {
                    emit(a, b);
                }
            }
        }
        Generator::Random { density } => random_pairs(n, density, rng, emit),
        Generator::SmallWorld { k, rewire } => small_world(n, k as u32, rewire, rng, emit),
        Generator::ScaleFree { m } => scale_free(n, m as u32, rng, emit),
    }
}

/// Erdős–Rényi G(n, p): each unordered pair with probability `p`, in
/// O(n + ties) by geometric skipping over the pair index space.
///
/// Reference: V. Batagelj, U. Brandes, "Efficient generation of large
/// random networks", Phys. Rev. E 71, 036113 (2005).
fn random_pairs(n: u32, p: f64, rng: &mut SimRng, emit: &mut impl FnMut(u32, u32)) {
    if n < 2 || p <= 0.0 {
        return;
    }
    if p >= 1.0 {
        return within_group(&Generator::Complete, n, rng, emit);
    }
    let ln_q = (1.0 - p).ln();
    let (mut v, mut w): (u64, i64) = (1, -1);
    let n = u64::from(n);
    while v < n {
        let skip = rng.geometric_skip(ln_q);
        w = w
            .saturating_add(1)
            .saturating_add(skip.min(i64::MAX as u64) as i64);
        while v < n && w >= v as i64 {
            w -= v as i64;
            v += 1;
        }
        if v < n {
            emit(v as u32, w as u32);
        }
    }
}

/// Watts–Strogatz: a ring lattice of degree `k`, each tie's far end
/// rewired with probability `beta` to a uniformly chosen other member.
///
/// Reference: D. J. Watts, S. H. Strogatz, "Collective dynamics of
/// 'small-world' networks", Nature 393, 440–442 (1998).
fn small_world(n: u32, k: u32, beta: f64, rng: &mut SimRng, emit: &mut impl FnMut(u32, u32)) {
    if n < 2 {
        return;
    }
    let half = (k / 2).min(n - 1);
    for a in 0..n {
        for d in 1..=half {
            let mut b = (a + d) % n;
            if rng.chance(beta as f32) {
                // A uniform member other than `a`.
                let r = rng.below(n - 1);
                b = if r >= a { r + 1 } else { r };
            }
            emit(a, b);
        }
    }
}

/// Barabási–Albert preferential attachment: members join one at a time and
/// tie to `m` distinct earlier members chosen with probability proportional
/// to degree. The first `m` members start as a star around member 0's
/// successor so every member has at least one tie.
///
/// Reference: A.-L. Barabási, R. Albert, "Emergence of scaling in random
/// networks", Science 286, 509–512 (1999).
fn scale_free(n: u32, m: u32, rng: &mut SimRng, emit: &mut impl FnMut(u32, u32)) {
    if n < 2 || m == 0 {
        return;
    }
    let m = m.min(n - 1);
    // Each endpoint of each tie once: sampling from it is degree-proportional.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * (n as usize) * (m as usize));
    let mut chosen: Vec<u32> = Vec::with_capacity(m as usize);
    for v in m..n {
        chosen.clear();
        if ends.is_empty() {
            chosen.extend(0..m);
        } else {
            // Rejection sampling of distinct targets; m is small, and a
            // bounded number of tries keeps a degenerate case from looping.
            let mut tries = 0;
            while (chosen.len() as u32) < m && tries < 64 * m {
                let t = ends[rng.below(ends.len() as u32) as usize];
                if !chosen.contains(&t) {
                    chosen.push(t);
                }
                tries += 1;
            }
        }
        for &t in &chosen {
            emit(v, t);
            ends.push(v);
            ends.push(t);
        }
    }
}

/// Ties between members `0..n_from` of one group and `0..n_to` of another.
pub fn between_groups(
    ties: &LinkTies,
    n_from: u32,
    n_to: u32,
    rng: &mut SimRng,
    emit: &mut impl FnMut(u32, u32),
) {
    if n_from == 0 || n_to == 0 {
        return;
    }
    match *ties {
        LinkTies::Density(p) => {
            if p <= 0.0 {
                return;
            }
            let total = u64::from(n_from) * u64::from(n_to);
            if p >= 1.0 {
                for i in 0..total {
                    emit((i / u64::from(n_to)) as u32, (i % u64::from(n_to)) as u32);
                }
                return;
            }
            let ln_q = (1.0 - p).ln();
            let mut i: u64 = 0;
            loop {
                i = i.saturating_add(rng.geometric_skip(ln_q));
                if i >= total {
                    break;
                }
                emit((i / u64::from(n_to)) as u32, (i % u64::from(n_to)) as u32);
                i += 1;
            }
        }
        LinkTies::PerMember(k) => {
            let k = (k as u32).min(n_to);
            let mut picked: Vec<u32> = Vec::with_capacity(k as usize);
            for a in 0..n_from {
                sample_distinct(n_to, k, rng, &mut picked);
                for &b in &picked {
                    emit(a, b);
                }
            }
        }
    }
}

/// `k` distinct values from `0..n` into `out` (Floyd's algorithm, O(k²)
/// membership checks, which is cheap for the small k a link uses; a
/// shuffle prefix when k is a large share of n).
fn sample_distinct(n: u32, k: u32, rng: &mut SimRng, out: &mut Vec<u32>) {
    out.clear();
    if k > 64 {
        let mut all: Vec<u32> = (0..n).collect();
        for i in 0..k {
            let j = i + rng.below(n - i);
            all.swap(i as usize, j as usize);
        }
        out.extend_from_slice(&all[..k as usize]);
        return;
    }
    for j in n - k..n {
        let t = rng.below(j + 1);
        if out.contains(&t) {
            out.push(j);
        } else {
            out.push(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn collect(g: &Generator, n: u32, seed: u64) -> Vec<(u32, u32)> {
        let mut rng = SimRng::new(seed, Stream::Network);
        let mut v = Vec::new();
        within_group(g, n, &mut rng, &mut |a, b| v.push((a, b)));
        v
    }

    #[test]
    fn complete_graph_has_every_pair_once() {
        let v = collect(&Generator::Complete, 6, 1);
        assert_eq!(v.len(), 15);
        assert!(v.iter().all(|(a, b)| a < b));
    }

    #[test]
    fn random_graph_density_matches_and_pairs_are_valid() {
        let n = 400;
        let v = collect(&Generator::Random { density: 0.05 }, n, 2);
        let pairs = f64::from(n * (n - 1) / 2);
        let expected = 0.05 * pairs;
        let sd = (pairs * 0.05 * 0.95).sqrt();
        assert!(
            (v.len() as f64 - expected).abs() < 5.0 * sd,
            "{} vs {expected}",
            v.len()
        );
        assert!(v.iter().all(|&(a, b)| a < n && b < n && a != b));
        let mut s = v.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), v.len(), "G(n,p) never repeats a pair");
    }

    #[test]
    fn small_world_without_rewiring_is_a_ring_lattice() {
        let v = collect(&Generator::SmallWorld { k: 4, rewire: 0.0 }, 10, 3);
        assert_eq!(v.len(), 20);
        assert!(v.contains(&(9, 0)) && v.contains(&(9, 1)) && v.contains(&(0, 2)));
    }

    #[test]
    fn scale_free_gives_m_ties_per_newcomer_and_a_heavy_tail() {
        let n = 2000;
        let v = collect(&Generator::ScaleFree { m: 2 }, n, 4);
        assert_eq!(v.len() as u32, (n - 2) * 2);
        let mut deg = vec![0u32; n as usize];
        for (a, b) in &v {
            deg[*a as usize] += 1;
            deg[*b as usize] += 1;
        }
        let max = *deg.iter().max().unwrap();
        // Mean degree is 4; preferential attachment grows hubs far above it.
        assert!(max > 30, "largest hub has degree {max}");
        assert!(v.iter().all(|(a, b)| a != b));
    }

    #[test]
    fn per_member_links_pick_distinct_targets() {
        let mut rng = SimRng::new(5, Stream::Network);
        let mut v = Vec::new();
        between_groups(&LinkTies::PerMember(3), 50, 10, &mut rng, &mut |a, b| {
            v.push((a, b))
        });
        assert_eq!(v.len(), 150);
        for a in 0..50 {
            let mut t: Vec<_> = v.iter().filter(|p| p.0 == a).map(|p| p.1).collect();
            t.sort_unstable();
            t.dedup();
            assert_eq!(t.len(), 3);
            assert!(t.iter().all(|&b| b < 10));
        }
    }

    #[test]
    fn density_links_cover_the_bipartite_space() {
        let mut rng = SimRng::new(6, Stream::Network);
        let mut v = Vec::new();
        between_groups(&LinkTies::Density(1.0), 3, 4, &mut rng, &mut |a, b| {
            v.push((a, b))
        });
        assert_eq!(v.len(), 12);
        let mut v = Vec::new();
        between_groups(&LinkTies::Density(0.1), 300, 300, &mut rng, &mut |a, b| {
            v.push((a, b))
        });
        let sd = (90_000.0f64 * 0.09).sqrt();
        assert!((v.len() as f64 - 9000.0).abs() < 5.0 * sd, "{}", v.len());
    }
}
