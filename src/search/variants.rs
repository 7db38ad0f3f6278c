//! Keeps one 7th-character variant of a code near the top so the coder first sees distinct codes.
//!
//! Injury codes come in up to 16 variants that differ only in their 7th character (initial encounter,
//! subsequent encounter with routine or delayed healing, nonunion, sequela...). They score almost
//! alike, so without this pass a query such as "hip fracture" fills the page with one code. The best
//! variant of each code keeps its place; the others move below the next [`SPREAD`] distinct results,
//! unless the query asks for something that variant's 7th character says and the better one's does not
//! ("subsequent", "nonunion", "sequela", "open fracture type II").
use super::rank::Ranked;
use super::table::NONE;
use std::collections::HashMap;

/// How many distinct results come between a code's best variant and its other variants.
pub(crate) const SPREAD: usize = 5;

/// Reorders `ranked` (best first) as the module notes say; everything else keeps its order.
pub(crate) fn spread_variants(ranked: Vec<Ranked>, spread: usize) -> Vec<Ranked> {
    if !ranked.iter().any(|r| r.group != NONE) {
        return ranked;
    }
    // group → (what its leading variant matched, how many distinct results came before it).
    let mut leaders: HashMap<u32, (u64, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(ranked.len());
    let mut waiting = Waiting::default();
    let mut distinct = 0usize;
    for r in ranked {
        let mut counts = true;
        if r.group != NONE {
            match leaders.get(&r.group) {
                Some(&(asks, at)) if r.asks & !asks == 0 => {
                    waiting.push(at + 1 + spread, r);
                    continue;
                }
                // Another variant of a code already shown, which the query asks for.
                Some(_) => counts = false,
                None => {
                    leaders.insert(r.group, (r.asks, distinct));
                }
            }
        }
        waiting.release(distinct, &mut out);
        out.push(r);
        if counts {
            distinct += 1;
        }
    }
    waiting.release(distinct, &mut out);
    out.extend(waiting.items.into_iter().map(|(_, r)| r));
    // A moved variant scores no higher than what now comes before it: scores follow the order.
    for i in 1..out.len() {
        if out[i].score > out[i - 1].score {
            out[i].score = out[i - 1].score;
        }
    }
    out
}

/// Demoted variants, in ranked order, each with the count of distinct results after which it may
/// come back.
#[derive(Default)]
struct Waiting {
    items: Vec<(usize, Ranked)>,
    next_due: usize,
}

impl Waiting {
    fn push(&mut self, due: usize, r: Ranked) {
        if self.items.is_empty() || due < self.next_due {
            self.next_due = due;
        }
        self.items.push((due, r));
    }

    /// Moves the variants whose turn has come to `out`, keeping their ranked order.
    fn release(&mut self, distinct: usize, out: &mut Vec<Ranked>) {
        if self.items.is_empty() || self.next_due > distinct {
            return;
        }
        let mut kept = Vec::with_capacity(self.items.len());
        for (due, r) in self.items.drain(..) {
            if due <= distinct {
                out.push(r);
            } else {
                kept.push((due, r));
            }
        }
        self.next_due = kept.iter().map(|(d, _)| *d).min().unwrap_or(0);
        self.items = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(entry: u32) -> Ranked {
        Ranked::plain(entry, 0.0, None)
    }

    fn variant(entry: u32, group: u32, asks: u64) -> Ranked {
        Ranked {
            group,
            asks,
            ..plain(entry)
        }
    }

    fn order(v: Vec<Ranked>, spread: usize) -> Vec<u32> {
        spread_variants(v, spread).iter().map(|r| r.entry).collect()
    }

    #[test]
    fn other_variants_come_after_the_next_distinct_results() {
        // Group 100 has variants 1, 2, 3; 10..14 are distinct codes.
        let v = vec![
            variant(1, 100, 0),
            variant(2, 100, 0),
            variant(3, 100, 0),
            plain(10),
            plain(11),
            plain(12),
            plain(13),
        ];
        assert_eq!(order(v.clone(), 2), [1, 10, 11, 2, 3, 12, 13]);
        // Scores follow the new order.
        let scored: Vec<Ranked> = v
            .iter()
            .enumerate()
            .map(|(i, r)| Ranked {
                score: 10.0 - i as f32,
                ..r.clone()
            })
            .collect();
        let out = spread_variants(scored, 2);
        assert!(out.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(
            out[3].score, out[2].score,
            "a moved variant takes its predecessor's score"
        );
        // Too few distinct results: the variants go to the end, still in their order.
        assert_eq!(order(v, 9), [1, 10, 11, 12, 13, 2, 3]);
    }

    #[test]
    fn a_variant_the_query_asks_for_keeps_its_place() {
        // Variant 2 matches a query word (bit 1) that the leading variant 1 does not.
        let v = vec![
            variant(1, 100, 0b01),
            variant(2, 100, 0b11),
            variant(3, 100, 0b01),
            plain(10),
            plain(11),
        ];
        assert_eq!(order(v, 1), [1, 2, 10, 3, 11]);
    }

    #[test]
    fn groups_are_spread_independently_and_plain_lists_untouched() {
        let v = vec![
            plain(10),
            variant(1, 100, 0),
            variant(5, 200, 0),
            variant(2, 100, 0),
            variant(6, 200, 0),
            plain(11),
            plain(12),
        ];
        assert_eq!(order(v, 1), [10, 1, 5, 2, 11, 6, 12]);
        let p = vec![plain(3), plain(1), plain(2)];
        assert_eq!(order(p, 1), [3, 1, 2]);
    }
}
