//! `chartdesk search notes`, `import notes`, `bench notes` and the notes half of `reindex`.
use super::progress::Progress;
use crate::search::notes::NoteOrder;
use crate::service::{NoteQuery, NoteSearchResult, NotesIndexInfo, Service};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    Relevance,
    Newest,
    Oldest,
}

/// `chartdesk search notes`.
#[derive(Debug, Args)]
pub struct SearchNotesArgs {
    /// The query: words (all must match), "quoted phrases", OR, -exclusion, word* prefix, and
    /// filters type:discharge author:smith after:2024-01-01 before:2024-02-01 enc:inpatient.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Result order.
    #[arg(long, value_enum, default_value = "relevance")]
    pub order: OrderArg,
    /// Only this encounter's notes.
    #[arg(long, value_name = "ACCOUNT")]
    pub encounter: Option<String>,
    /// One JSON object per line: note_id, account, note_type, author, written_at, score, snippet.
    #[arg(long, conflicts_with = "count")]
    pub json: bool,
    /// Print only the number of matching notes.
    #[arg(long)]
    pub count: bool,
}

pub fn search<W: Write>(svc: &mut Service, a: &SearchNotesArgs, out: &mut W) -> Result<()> {
    let encounter = match &a.encounter {
        Some(acc) => Some(svc.encounter_id(acc)?),
        None => None,
    };
    let q = NoteQuery {
        limit: if a.count { 0 } else { a.limit.clamp(1, 10_000) },
        order: match a.order {
            OrderArg::Relevance => NoteOrder::Relevance,
            OrderArg::Newest => NoteOrder::Newest,
            OrderArg::Oldest => NoteOrder::Oldest,
        },
        encounter,
        typing: false,
    };
    let r = svc.search_notes(&a.query.join(" "), &q)?;
    if let Some(m) = &r.fallback_message {
        eprintln!("chartdesk: {m}");
    }
    if a.count {
        writeln!(out, "{}", r.total)?;
    } else if a.json {
        for h in &r.hits {
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({
                    "note_id": h.note_id, "account": h.account, "note_type": h.note_type,
                    "author": h.author, "written_at": h.written_at, "score": h.score,
                    "snippet": h.snippet.text, "highlights": h.snippet.highlights,
                }),
            )?;
            writeln!(out)?;
        }
    } else {
        human(out, &r, std::io::stdout().is_terminal())?;
    }
    Ok(())
}

fn human<W: Write>(out: &mut W, r: &NoteSearchResult, bold: bool) -> Result<()> {
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    for h in &r.hits {
        let day = h.written_at.get(..10).unwrap_or(&h.written_at);
        writeln!(
            out,
            "{:<14} {:<10} {:<20} {day}  {}",
            h.note_id,
            h.account,
            super::output::fit(&h.note_type, 20),
            h.author
        )?;
        let t = &h.snippet.text;
        let mut line = String::with_capacity(t.len() + 16);
        let mut at = 0;
        for r in &h.snippet.highlights {
            if r.start < at
                || r.end > t.len()
                || !t.is_char_boundary(r.start)
                || !t.is_char_boundary(r.end)
            {
                continue;
            }
            line.push_str(&t[at..r.start]);
            line.push_str(on);
            line.push_str(&t[r.clone()]);
            line.push_str(off);
            at = r.end;
        }
        line.push_str(&t[at..]);
        writeln!(out, "    {line}")?;
    }
    writeln!(
        out,
        "{} note{} match{}",
        r.total,
        if r.total == 1 { "" } else { "s" },
        if r.hits.len() < r.total {
            format!(" (showing {})", r.hits.len())
        } else {
            String::new()
        }
    )?;
    Ok(())
}

pub fn reindexed<W: Write>(out: &mut W, info: &NotesIndexInfo) -> Result<()> {
    writeln!(
        out,
        "notes index rebuilt in {}: {} notes, {:.1} MB",
        info.dir,
        info.notes,
        info.bytes as f64 / 1e6
    )?;
    Ok(())
}

/// Runs `f` with a progress callback on stderr, then ends the progress line.
pub fn with_progress<T>(
    progress: &mut Progress,
    f: impl FnOnce(&mut dyn FnMut(&str, usize, usize)) -> Result<T>,
) -> Result<T> {
    let r = f(&mut |s, d, t| progress.update(s, d, t));
    progress.finish();
    r
}
