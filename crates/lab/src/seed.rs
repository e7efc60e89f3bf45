//! The replicate seeds every batch, study, search and calibration runs on:
//! replicate `k` has the same seed in every condition, so comparisons are
//! paired (common random numbers).

/// The seed of replicate `k`: shared by every condition, so comparisons are
/// paired. A SplitMix64 mix of the base seed and `k`.
pub fn replicate_seed(base: u64, k: u32) -> u64 {
    let mut z = base ^ u64::from(k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
