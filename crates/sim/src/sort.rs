//! Stable sorting through one shared copy of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparator, and each copy weighs about 3 KB of wasm.
//! Sorting positions with a type-erased comparator lets every caller share a single copy; only the cheap
//! permutation is per element type.

use std::cmp::Ordering;

/// `items.sort_by(compare)`: the same order, equal elements keeping their relative order.
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let mut order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    // order[k] is the position whose element belongs at k; walk each cycle with swaps, marking what is done.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let from = std::mem::replace(&mut order[at], usize::MAX);
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// `items.sort_by_key(key)`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_stable_sort() {
        // Few distinct keys, so stability shows; every length up to 40 gives permutations of many shapes.
        for len in 0..40usize {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| ((i as u32).wrapping_mul(2_654_435_761) % 7, i))
                .collect();

            let mut expected = items.clone();
            expected.sort_by_key(|&(key, _)| key);
            let mut sorted = items.clone();
            sort_by_key(&mut sorted, |&(key, _)| key);
            assert_eq!(sorted, expected, "length {len}");

            let mut expected = items.clone();
            expected.sort_by_key(|&(key, _)| std::cmp::Reverse(key));
            let mut sorted = items;
            sort_by(&mut sorted, |a, b| b.0.cmp(&a.0));
            assert_eq!(sorted, expected, "length {len}, descending");
        }
    }
}
