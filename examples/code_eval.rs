//! The code-search tuning loop: builds the index from the built-in ICD-10-CM and ICD-10-PCS sets in a
//! temporary directory, then prints quality (chartdesk vs SQLite FTS5) and latency.
//!
//! `cargo run --release --example code_eval [QUERIES.tsv ...]` — defaults to the development set
//! `../shared/eval/code_queries_dev.tsv` (when present) and the project's own held-out set.
//! `cargo run --release --example code_eval -- --query "chf" "a fib"` prints the top ten of queries.
use anyhow::{Context, Result};
use chartdesk::codeset::{builtin_icd10cm, builtin_icd10pcs};
use chartdesk::search::eval::{bench_codes, evaluate_codes, read_queries};
use chartdesk::search::{CodeIndex, CodeQuery};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let t = Instant::now();
    let mut entries = builtin_icd10cm()?.entries;
    entries.extend(builtin_icd10pcs()?.entries);
    println!("loaded {} entries in {:.2?}", entries.len(), t.elapsed());

    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let dir = tmp.path().join("codes");
    let t = Instant::now();
    CodeIndex::build(&dir, &entries, "built-in", &mut |_, _| {})?;
    println!(
        "built index in {:.2?} ({:.1} MB)",
        t.elapsed(),
        dir_size(&dir) as f64 / 1e6
    );
    let t = Instant::now();
    let index = CodeIndex::open(&dir)?;
    println!("opened index in {:.2?}\n", t.elapsed());

    if args.first().map(String::as_str) == Some("--query") {
        let q = CodeQuery {
            limit: 10,
            ..CodeQuery::default()
        };
        for query in &args[1..] {
            println!("== {query}");
            for h in index.search(query, &q)? {
                let flag = if h.billable { " " } else { "H" };
                let matched = h.matched.map(|m| format!("  [{m}]")).unwrap_or_default();
                println!("  {:9} {:7.3} {flag} {}{matched}", h.code, h.score, h.title);
            }
        }
        return Ok(());
    }

    let mut files: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    if files.is_empty() {
        let dev = Path::new("../shared/eval/code_queries_dev.tsv");
        if dev.is_file() {
            files.push(dev.to_path_buf());
        }
        files.push(PathBuf::from("tests/fixtures/search/code_queries.tsv"));
    }
    let mut typed = Vec::new();
    for f in &files {
        println!("{}", evaluate_codes(&index, &entries, f)?);
        typed.extend(read_queries(f)?.into_iter().map(|q| q.query));
    }
    println!("{}", bench_codes(&index, &entries, &typed, 3)?);
    Ok(())
}
