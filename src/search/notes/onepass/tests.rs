//! The one-pass analyzers against the three separate analyzers they replace.
use super::*;
use crate::search::notes::analyzer::{BigramTokenizer, stemmed_analyzer};

type Tok = (usize, String, usize, usize, usize);

fn all(a: &mut TextAnalyzer, text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut s = a.token_stream(text);
    while s.advance() {
        let t = s.token();
        out.push((
            t.position,
            t.text.clone(),
            t.offset_from,
            t.offset_to,
            t.position_length,
        ));
    }
    out
}

fn reference(stream: Stream) -> TextAnalyzer {
    match stream {
        Stream::Exact => exact_analyzer(),
        Stream::Stems => stemmed_analyzer(),
        Stream::Pairs => TextAnalyzer::from(BigramTokenizer::default()),
    }
}

fn one_pass(stream: Stream) -> TextAnalyzer {
    TextAnalyzer::from(OnePass::new(stream))
}

const TEXTS: [&str; 8] = [
    "Lungs clear; O2 sat 88% today. E. coli UTI, NSTEMI, 2+ edema, T2DM.",
    "Fevers and fevers; hemorrhaging, hemorrhaged; generalized generalizations x2 2+ 88%",
    "Ménière's disease — naïve café patient; K+ 3.1, pH 7.5",
    "",
    "   ...  ",
    "alone",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+ bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb+ \
     esophagogastroduodenoscopies cholecystectomies",
    "Straße İstanbul ǅemal ﬁnal Ω 100%% a+b+c 3++",
];

#[test]
fn the_three_fields_in_order_equal_the_separate_analyzers() {
    let mut mine = [Stream::Exact, Stream::Stems, Stream::Pairs].map(one_pass);
    let mut theirs = [Stream::Exact, Stream::Stems, Stream::Pairs].map(reference);
    for _ in 0..2 {
        for text in TEXTS {
            for (m, t) in mine.iter_mut().zip(theirs.iter_mut()) {
                assert_eq!(all(m, text), all(t, text), "{text:?}");
            }
        }
    }
}

/// A small deterministic generator (tests only).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

fn random_text(r: &mut Rng) -> String {
    let words = [
        "chest",
        "pain",
        "Pains",
        "painful",
        "edema",
        "2",
        "88",
        "O2",
        "sat",
        "E",
        "coli",
        "fevers",
        "running",
        "généralisé",
        "Ménière",
        "x",
        "T2DM",
        "hemorrhaging",
        "lungs",
        "clear",
        "NSTEMI",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "ﬁ",
        "İ",
        "ß",
    ];
    let seps = [
        " ", ", ", ". ", "+ ", "% ", "+", "%", "; ", "\n", " - ", "/", "(", ") ",
    ];
    let n = (r.next() % 40) as usize;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(r.pick(&words));
        s.push_str(r.pick(&seps));
    }
    s
}

#[test]
fn any_order_of_fields_and_bodies_gives_the_same_streams() {
    let streams = [Stream::Exact, Stream::Stems, Stream::Pairs];
    let mut mine = streams.map(one_pass);
    let mut theirs = streams.map(reference);
    let mut r = Rng(0x5eed_1234_abcd_ef01);
    let bodies: Vec<String> = (0..60).map(|_| random_text(&mut r)).collect();
    for _ in 0..2_000 {
        // Mostly exact, stems, pairs of one body (as tantivy does), sometimes anything.
        let body = &bodies[(r.next() % bodies.len() as u64) as usize];
        let order: Vec<usize> = if r.next().is_multiple_of(4) {
            (0..(1 + r.next() % 4))
                .map(|_| (r.next() % 3) as usize)
                .collect()
        } else {
            vec![0, 1, 2]
        };
        for i in order {
            assert_eq!(
                all(&mut mine[i], body),
                all(&mut theirs[i], body),
                "{:?} of {body:?}",
                streams[i]
            );
        }
    }
}

#[test]
fn stems_and_pairs_without_the_exact_field_are_cut_here() {
    let mut stems = one_pass(Stream::Stems);
    let mut pairs = one_pass(Stream::Pairs);
    let text = "Lungs clear; O2 sat 88% today";
    assert_eq!(all(&mut stems, text), all(&mut stemmed_analyzer(), text));
    assert_eq!(
        all(&mut pairs, text),
        all(&mut TextAnalyzer::from(BigramTokenizer::default()), text)
    );
    // A second cut of the same body (the memo was used up, or never made) is the same.
    assert_eq!(all(&mut pairs, text), all(&mut pairs, text));
}

#[test]
fn each_thread_keeps_its_own_memo() {
    let text_a = "heart failure with reduced ejection fraction";
    let text_b = "acute kidney injury on chronic kidney disease";
    let mut exact = one_pass(Stream::Exact);
    all(&mut exact, text_a);
    let other = std::thread::spawn(move || {
        let mut e = one_pass(Stream::Exact);
        all(&mut e, text_b);
        let mut p = one_pass(Stream::Pairs);
        all(&mut p, text_b)
    })
    .join()
    .unwrap();
    let mut pairs = one_pass(Stream::Pairs);
    let reference_pairs = |t: &str| all(&mut TextAnalyzer::from(BigramTokenizer::default()), t);
    assert_eq!(all(&mut pairs, text_a), reference_pairs(text_a));
    assert_eq!(other, reference_pairs(text_b));
}

/// A term and, per document, its positions.
type TermPostings = (Vec<u8>, Vec<(u32, Vec<u32>)>);

/// Every term of `field` with, per document, its positions (one segment, documents in order).
fn postings(index: &tantivy::Index, field: tantivy::schema::Field) -> Vec<TermPostings> {
    use tantivy::DocSet;
    use tantivy::postings::Postings;
    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    assert_eq!(searcher.segment_readers().len(), 1);
    let inv = searcher.segment_readers()[0].inverted_index(field).unwrap();
    let mut out = Vec::new();
    let mut terms = inv.terms().stream().unwrap();
    while terms.advance() {
        let mut p = inv
            .read_postings_from_terminfo(
                terms.value(),
                tantivy::schema::IndexRecordOption::WithFreqsAndPositions,
            )
            .unwrap();
        let mut docs = Vec::new();
        while p.doc() != tantivy::TERMINATED {
            let mut pos = Vec::new();
            p.positions(&mut pos);
            docs.push((p.doc(), pos));
            p.advance();
        }
        out.push((terms.key().to_vec(), docs));
    }
    out
}

/// Indexes `bodies` into a RAM index of the notes schema with the given analyzers.
fn index_with(
    bodies: &[String],
    one_pass_analyzers: bool,
) -> (tantivy::Index, super::super::Fields) {
    let (schema, f) = super::super::schema();
    let index = tantivy::Index::create_in_ram(schema);
    super::super::analyzer::register(&index);
    if !one_pass_analyzers {
        let m = index.tokenizers();
        m.register(super::super::analyzer::EXACT, reference(Stream::Exact));
        m.register(super::super::analyzer::STEMMED, reference(Stream::Stems));
        m.register(super::super::analyzer::BIGRAM, reference(Stream::Pairs));
    }
    let mut w: tantivy::IndexWriter<tantivy::TantivyDocument> =
        index.writer_with_num_threads(1, 50_000_000).unwrap();
    for b in bodies {
        let mut d = tantivy::TantivyDocument::default();
        d.add_u64(f.id, 1);
        d.add_text(f.exact, b);
        d.add_text(f.stem, b);
        d.add_text(f.pairs, b);
        w.add_document(d).unwrap();
    }
    w.commit().unwrap();
    (index, f)
}

#[test]
fn an_index_built_in_one_pass_holds_the_same_postings() {
    let mut r = Rng(0xdead_beef_0bad_cafe);
    let mut bodies: Vec<String> = (0..300).map(|_| random_text(&mut r)).collect();
    bodies.extend(TEXTS.iter().map(|t| t.to_string()));
    // Repeated bodies (the memo is keyed by the body text).
    bodies.push(bodies[0].clone());
    bodies.push(bodies[0].clone());
    let (a, f) = index_with(&bodies, true);
    let (b, _) = index_with(&bodies, false);
    for field in [f.exact, f.stem, f.pairs] {
        let (pa, pb) = (postings(&a, field), postings(&b, field));
        assert!(pa.len() > 20);
        assert_eq!(pa, pb);
    }
}
