//! A query wrapper that never seeks a positional scorer backwards.
//!
//! tantivy 0.27's phrase scorer asserts (in debug builds) that `seek_danger` targets never go below
//! its current document, but an exclusion (`-"rule out"`) or an intersection may ask about a document
//! the phrase scorer has already passed. The answer is known without asking — that document is not a
//! match — so this wrapper gives it, and only forwards targets at or beyond the current document.
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

#[derive(Debug)]
pub(super) struct Forward(pub Box<dyn Query>);

impl Clone for Forward {
    fn clone(&self) -> Self {
        Forward(self.0.box_clone())
    }
}

impl Query for Forward {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct ForwardWeight(Box<dyn Weight>);

impl Weight for ForwardWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardScorer(Box<dyn Scorer>);

impl DocSet for ForwardScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            return doc;
        }
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let doc = self.0.doc();
        if doc > target {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        if doc == target {
            return SeekDangerResult::Found;
        }
        let found = self.0.seek(target);
        if found == target {
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(found)
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for ForwardScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
