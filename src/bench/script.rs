//! The scripted coding session the pty benchmarks play, as one table of rows (kind, keys, times,
//! wait), and the small languages its cells are written in: key names (`<Enter>`, `<A-y>`, plain
//! text typed one character at a time) and waits on the screen's text (`shows:`, `hides:`,
//! `changed`). Adjust the table when the workstation's keys change; nothing else knows them.
use anyhow::{Result, bail};

/// One row of the script: press `keys` `times` times; after each key, wait for `wait`.
///
/// - `keys`: plain characters are typed one key each; `<Name>` is one named key (see [`key_bytes`]);
///   empty means "no key": the row waits for `wait` and times it from the previous key (a search's
///   results after its last character).
/// - `wait`: clauses joined by ` && `, each one of `changed` (text or highlight differs from just
///   before the key), `shows:TEXT`, `hides:TEXT`, `any:A|B` (one of them shown). `{typed}` stands
///   for what this row has typed so far. Waits match screen text anywhere, never coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub kind: &'static str,
    pub keys: &'static str,
    pub times: usize,
    pub wait: &'static str,
}

const fn r(kind: &'static str, keys: &'static str, times: usize, wait: &'static str) -> Row {
    Row {
        kind,
        keys,
        times,
        wait,
    }
}

/// What a round starts from: the worklist (rounds get there with Esc, untimed).
pub const HOME: &str = "Worklist";

/// One round of a coding session (about 100 keys), played from the worklist; the benchmark plays
/// rounds until it has pressed enough keys. Each round nets five rows down the worklist, so it
/// opens another encounter.
pub const SESSION: &[Row] = &[
    r("worklist move", "j", 8, "changed"),
    r("worklist move", "k", 3, "changed"),
    r("worklist page", "<PgDn>", 1, "changed"),
    r("worklist page", "<PgUp>", 1, "changed"),
    r("worklist filter", "/", 1, "changed"),
    r("worklist filter", "an", 1, "changed"),
    r("worklist filter", "<Esc>", 1, "changed"),
    r("worklist move", "G", 1, "changed"),
    r("worklist move", "g", 1, "changed"),
    r("worklist move", "j", 5, "changed"),
    r("open encounter", "<Enter>", 1, "shows:Code search"),
    // The demo's notes are one to two pages at 80x24: a further PgDn would change nothing.
    r("note page", "<PgDn>", 1, "changed"),
    r("note page", "<PgUp>", 1, "changed"),
    r("note page", "<PgDn>", 1, "changed"),
    r("note page", "<PgUp>", 1, "changed"),
    r("next note", "]", 1, "changed"),
    r("next note", "[", 1, "changed"),
    r("code search open", "/", 1, "changed"),
    r("code search typing", "chf", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("code search move", "<Down>", 2, "changed"),
    r("code search move", "<Up>", 2, "changed"),
    r("assign", "<Enter>", 1, "changed"),
    r("poa", "<A-y>", 1, "changed"),
    r("code search clear", "<C-u>", 1, "hides:> chf"),
    r("code search typing", "copd exac", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("assign", "<Enter>", 1, "changed"),
    r("poa", "<A-n>", 1, "changed"),
    r("code search clear", "<C-u>", 1, "hides:> copd"),
    r("code search typing", "E119", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("assign", "<Enter>", 1, "changed"),
    r("poa", "<A-y>", 1, "changed"),
    r("code search clear", "<C-u>", 1, "hides:> E119"),
    r("code search typing", "pneumonia", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("code search move", "<Down>", 1, "changed"),
    r("assign", "<Enter>", 1, "changed"),
    r("poa", "<A-u>", 1, "changed"),
    r("code search clear", "<C-u>", 1, "hides:> pneu"),
    r("code search typing", "afib", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("assign", "<Enter>", 1, "changed"),
    r("code search clear", "<C-u>", 1, "hides:> afib"),
    r("code search typing", "htn", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("code search close", "<Esc>", 1, "changed"),
    r("leave encounter", "<Esc>", 1, "shows:Worklist"),
    r("dashboard", "D", 1, "shows:Dashboard"),
    r("dashboard page", "<Tab>", 3, "changed"),
    r("leave dashboard", "<Esc>", 1, "shows:Worklist"),
    r("note search open", "s", 1, "changed"),
    r("note search typing", "sepsis", 1, "changed"),
    r(
        "note search results",
        "",
        1,
        "hides:searching && any: ms|no note matches",
    ),
    r("leave note search", "<Esc>", 1, "changed"),
];

/// The keys a handful-of-keys check plays (the end-to-end test): open, page, search, assign, back.
pub const SMOKE: &[Row] = &[
    r("worklist move", "j", 2, "changed"),
    r("open encounter", "<Enter>", 1, "shows:Code search"),
    r("note page", "<PgDn>", 1, "changed"),
    r("code search open", "/", 1, "changed"),
    r("code search typing", "chf", 1, "shows:> {typed}"),
    r(
        "code search results",
        "",
        1,
        "shows: hits && hides:searching",
    ),
    r("assign", "<Enter>", 1, "changed"),
    r("poa", "<A-y>", 1, "changed"),
    r("code search close", "<Esc>", 1, "changed"),
    r("leave encounter", "<Esc>", 1, "shows:Worklist"),
];

/// The bytes a key name stands for: `<Enter>` `<Esc>` `<Tab>` `<BS>` `<Up>` `<Down>` `<Left>`
/// `<Right>` `<PgUp>` `<PgDn>` `<Home>` `<End>` `<F1>`..`<F5>` `<C-x>` (Ctrl) `<A-x>` (Alt), or one
/// plain character.
pub fn key_bytes(name: &str) -> Result<Vec<u8>> {
    let fixed: &[u8] = match name {
        "<Enter>" => b"\r",
        "<Esc>" => b"\x1b",
        "<Tab>" => b"\t",
        "<BS>" => b"\x7f",
        "<Up>" => b"\x1b[A",
        "<Down>" => b"\x1b[B",
        "<Right>" => b"\x1b[C",
        "<Left>" => b"\x1b[D",
        "<Home>" => b"\x1b[H",
        "<End>" => b"\x1b[F",
        "<PgUp>" => b"\x1b[5~",
        "<PgDn>" => b"\x1b[6~",
        "<F1>" => b"\x1bOP",
        "<F2>" => b"\x1bOQ",
        "<F3>" => b"\x1bOR",
        "<F4>" => b"\x1bOS",
        "<F5>" => b"\x1b[15~",
        _ => {
            if let Some(x) = name.strip_prefix("<C-").and_then(|r| r.strip_suffix('>')) {
                let mut c = x.chars();
                return match (c.next(), c.next()) {
                    (Some(c), None) if c.is_ascii_alphabetic() => {
                        Ok(vec![c.to_ascii_lowercase() as u8 & 0x1f])
                    }
                    _ => bail!("{name}: Ctrl goes with one letter, as <C-u>"),
                };
            }
            if let Some(x) = name.strip_prefix("<A-").and_then(|r| r.strip_suffix('>')) {
                let mut c = x.chars();
                return match (c.next(), c.next()) {
                    (Some(c), None) if c.is_ascii_graphic() => Ok(vec![0x1b, c as u8]),
                    _ => bail!("{name}: Alt goes with one character, as <A-y>"),
                };
            }
            let mut c = name.chars();
            return match (c.next(), c.next()) {
                (Some(c), None) if !c.is_control() => Ok(c.to_string().into_bytes()),
                _ => bail!("unknown key {name:?}: write <Enter>, <C-u>, <A-y> or one character"),
            };
        }
    };
    Ok(fixed.to_vec())
}

/// Cuts a `keys` cell into keys: `<...>` names and single characters.
pub fn split_keys(keys: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = keys;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && end > 1
        {
            out.push(rest[..=end].to_string());
            rest = &rest[end + 1..];
            continue;
        }
        out.push(c.to_string());
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// One clause of a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// The screen (text or attributes) differs from just before the key.
    Changed,
    Shows(String),
    Hides(String),
    /// At least one of these is shown.
    Any(Vec<String>),
}

/// What a key waits for: all clauses hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait(pub Vec<Clause>);

impl Wait {
    /// Parses a wait cell, with `{typed}` replaced by `typed`.
    pub fn parse(spec: &str, typed: &str) -> Result<Wait> {
        let mut v = Vec::new();
        for part in spec.split(" && ") {
            let part = part.replace("{typed}", typed);
            let c = if part == "changed" {
                Clause::Changed
            } else if let Some(t) = part.strip_prefix("shows:") {
                Clause::Shows(t.to_string())
            } else if let Some(t) = part.strip_prefix("hides:") {
                Clause::Hides(t.to_string())
            } else if let Some(t) = part.strip_prefix("any:") {
                Clause::Any(t.split('|').map(String::from).collect())
            } else {
                bail!("unknown wait {part:?}: write changed, shows:TEXT, hides:TEXT or any:A|B")
            };
            if matches!(&c, Clause::Shows(t) | Clause::Hides(t) if t.is_empty()) {
                bail!("wait {part:?} names no text");
            }
            v.push(c);
        }
        Ok(Wait(v))
    }

    /// Whether a screen with `text` (and `formatted`, text with attributes; `before` the same
    /// just before the key) shows what is waited for.
    pub fn holds(&self, text: &str, formatted: &str, before: &str) -> bool {
        self.0.iter().all(|c| match c {
            Clause::Changed => formatted != before,
            Clause::Shows(t) => text.contains(t.as_str()),
            Clause::Hides(t) => !text.contains(t.as_str()),
            Clause::Any(ts) => ts.iter().any(|t| text.contains(t.as_str())),
        })
    }

    pub fn needs_formatted(&self) -> bool {
        self.0.contains(&Clause::Changed)
    }
}

/// One key to press (or none: a timed wait after the previous key) and what to wait for.
#[derive(Debug, Clone)]
pub struct Step {
    pub kind: &'static str,
    pub bytes: Vec<u8>,
    pub wait: Wait,
    /// A typed space at the end of the text: it shows nothing on screen (the box's text is
    /// padded with spaces already), so it is sent and settled but not timed.
    pub untimed: bool,
}

/// Expands rows into steps (checking every cell).
pub fn expand(rows: &[Row]) -> Result<Vec<Step>> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let keys = split_keys(row.keys)?;
        let ctx = |e: anyhow::Error| e.context(format!("script row {} ({})", i + 1, row.kind));
        if keys.is_empty() {
            out.push(Step {
                kind: row.kind,
                bytes: Vec::new(),
                wait: Wait::parse(row.wait, "").map_err(ctx)?,
                untimed: false,
            });
            continue;
        }
        for _ in 0..row.times {
            let mut typed = String::new();
            for k in &keys {
                let bytes = key_bytes(k).map_err(ctx)?;
                if !k.starts_with('<') || k.len() == 1 {
                    typed.push_str(k);
                }
                out.push(Step {
                    kind: row.kind,
                    bytes,
                    wait: Wait::parse(row.wait, &typed).map_err(ctx)?,
                    untimed: typed.ends_with(' ') && row.wait.contains("{typed}"),
                });
            }
        }
    }
    Ok(out)
}

/// Keys (not timed waits) in a list of steps.
pub fn key_count(steps: &[Step]) -> usize {
    steps.iter().filter(|s| !s.bytes.is_empty()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_become_terminal_bytes() {
        assert_eq!(key_bytes("<Enter>").unwrap(), b"\r");
        assert_eq!(key_bytes("<PgDn>").unwrap(), b"\x1b[6~");
        assert_eq!(key_bytes("<C-u>").unwrap(), vec![0x15]);
        assert_eq!(key_bytes("<C-U>").unwrap(), vec![0x15]);
        assert_eq!(key_bytes("<A-y>").unwrap(), b"\x1by");
        assert_eq!(key_bytes("j").unwrap(), b"j");
        assert_eq!(key_bytes("é").unwrap(), "é".as_bytes());
        for bad in ["<C-1>", "<A->", "<Nope>", "ab"] {
            assert!(key_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_cells_split_into_names_and_characters() {
        assert_eq!(split_keys("chf").unwrap(), ["c", "h", "f"]);
        assert_eq!(split_keys("a<Enter>b").unwrap(), ["a", "<Enter>", "b"]);
        // A lone '<' (or "<>") is a character, not a name.
        assert_eq!(split_keys("<").unwrap(), ["<"]);
        assert_eq!(split_keys("<>").unwrap(), ["<", ">"]);
        assert!(split_keys("").unwrap().is_empty());
    }

    #[test]
    fn waits_parse_and_match_text_anywhere() {
        let w = Wait::parse("shows:> {typed} && hides:searching", "ch").unwrap();
        assert_eq!(
            w.0,
            vec![
                Clause::Shows("> ch".into()),
                Clause::Hides("searching".into())
            ]
        );
        assert!(w.holds("x\n> ch  12 hits", "", ""));
        assert!(!w.holds("> ch searching", "", ""));
        assert!(!w.holds("> c", "", ""));
        let c = Wait::parse("changed", "").unwrap();
        assert!(c.needs_formatted());
        assert!(!c.holds("same", "A", "A"));
        assert!(c.holds("same", "B", "A"));
        let any = Wait::parse("any:assigned |Valid codes", "").unwrap();
        assert!(any.holds("Valid codes for I50", "", ""));
        assert!(!any.holds("nothing", "", ""));
        assert!(Wait::parse("appears:x", "").is_err());
        assert!(Wait::parse("shows:", "").is_err());
    }

    #[test]
    fn typed_rows_wait_for_each_prefix_and_repeat() {
        let steps = expand(&[
            r("typing", "ab", 2, "shows:> {typed}"),
            r("results", "", 1, "hides:searching"),
            r("poa", "<A-y>", 1, "changed"),
        ])
        .unwrap();
        let waits: Vec<_> = steps.iter().map(|s| s.wait.0[0].clone()).collect();
        assert_eq!(
            waits[..4],
            [
                Clause::Shows("> a".into()),
                Clause::Shows("> ab".into()),
                Clause::Shows("> a".into()),
                Clause::Shows("> ab".into())
            ]
        );
        assert!(steps[4].bytes.is_empty());
        assert_eq!(steps[5].bytes, b"\x1by");
        assert_eq!(key_count(&steps), 5);
    }

    #[test]
    fn the_shipped_scripts_parse() {
        let round = expand(SESSION).unwrap();
        assert!(key_count(&round) >= 90, "{}", key_count(&round));
        // Every kind of key the issue asks for is played.
        for kind in [
            "worklist move",
            "worklist filter",
            "open encounter",
            "note page",
            "code search typing",
            "assign",
            "poa",
            "dashboard",
        ] {
            assert!(round.iter().any(|s| s.kind == kind), "{kind}");
        }
        assert!(key_count(&expand(SMOKE).unwrap()) >= 5);
        assert!(expand(&[r("bad", "<C-1>", 1, "changed")]).is_err());
        assert!(expand(&[r("bad", "x", 1, "seen:x")]).is_err());
    }
}
