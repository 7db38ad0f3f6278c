//! The `:` command line: typed commands become the same actions keys produce.
use crate::domain::{CodeSystem, Poa};
use crate::tui::app::Action;
use crate::tui::queries::QAction;
use crate::tui::state::Scope;

/// Parses one command line. `Ok(None)` for an empty line; `Err` says what is wrong and what works.
pub fn parse(line: &str) -> Result<Option<Action>, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return Ok(None);
    };
    let rest: Vec<&str> = words.collect();
    let one = |what: &str| -> Result<&str, String> {
        match rest.as_slice() {
            [x] => Ok(*x),
            _ => Err(format!(
                ":{cmd} takes one {what}, e.g. :{cmd} {}",
                example(cmd)
            )),
        }
    };
    let none = |a: Action| -> Result<Option<Action>, String> {
        if rest.is_empty() {
            Ok(Some(a))
        } else {
            Err(format!(":{cmd} takes nothing after it"))
        }
    };
    match cmd.to_ascii_lowercase().as_str() {
        "q" | "quit" | "exit" => none(Action::Quit),
        "help" | "h" => none(Action::ToggleHelp),
        "open" | "e" | "edit" => Ok(Some(Action::Open(one("account number")?.to_string()))),
        "poa" => {
            let v = one("indicator")?;
            let poa = match v.to_ascii_lowercase().as_str() {
                "clear" | "-" | "blank" | "none" | "0" => None,
                _ => Some(v.parse::<Poa>()?),
            };
            Ok(Some(Action::SetPoa(poa)))
        }
        "assign" | "a" | "add" => {
            let (system, code) = match rest.as_slice() {
                [code] => (guess_system(code), *code),
                [sys, code] => (sys.parse::<CodeSystem>()?, *code),
                _ => {
                    return Err(
                        ":assign takes a code, e.g. :assign I50.23 or :assign pcs 02703ZZ".into(),
                    );
                }
            };
            Ok(Some(Action::Assign(system, code.to_string())))
        }
        "principal" | "pdx" => none(Action::SetPrincipal),
        "coded" | "done" | "complete" => none(Action::MarkCoded),
        "reopen" => none(Action::Reopen),
        "edits" | "check" => none(Action::ToggleEdits),
        "release" => none(Action::Release),
        "reassign" => match rest.as_slice() {
            [account, login] => Ok(Some(Action::Reassign(
                account.to_string(),
                login.to_string(),
            ))),
            _ => Err(
                ":reassign takes an account and a login, e.g. :reassign A12345678 jsmith".into(),
            ),
        },
        "override" => {
            let reason = line.get(cmd.len()..).unwrap_or("").trim();
            if reason.is_empty() {
                return Err(
                    ":override takes a reason, e.g. :override principal confirmed by the \
                     attending's addendum (supervisors; the highlighted error in the edits list)"
                        .into(),
                );
            }
            Ok(Some(Action::OverrideEdit(reason.to_string())))
        }
        "all" => none(Action::SetScope(Scope::All)),
        "mine" => none(Action::SetScope(Scope::Mine)),
        "unassigned" | "todo" => none(Action::SetScope(Scope::Unassigned)),
        "refresh" => none(Action::Refresh),
        "notes" | "ns" => {
            // The query as typed (quotes and spacing kept).
            let query = line.get(cmd.len()..).unwrap_or("").trim();
            Ok(Some(Action::NotesSearch(
                (!query.is_empty()).then(|| query.to_string()),
            )))
        }
        "dashboard" | "dash" | "reports" => none(Action::Dashboard),
        "query" | "queries" => none(Action::Query(QAction::TogglePanel)),
        "queue" | "cdi" => none(Action::Query(QAction::OpenQueue)),
        "pcs" | "browse" => none(Action::PcsBrowse),
        other => Err(format!(
            "unknown command :{other}: try :open, :assign, :poa, :principal, :coded, :edits, \
             :reopen, :release, :reassign, :override, :notes, :query, :queue, :pcs, :dashboard, :mine, :all, :q (? lists \
             them)"
        )),
    }
}

fn example(cmd: &str) -> &'static str {
    match cmd {
        "poa" => "Y",
        _ => "A12345678",
    }
}

/// ICD-10-CM codes start with a letter; a code starting with a digit is ICD-10-PCS.
fn guess_system(code: &str) -> CodeSystem {
    match code.trim().chars().next() {
        Some(c) if c.is_ascii_digit() => CodeSystem::Icd10Pcs,
        _ => CodeSystem::Icd10Cm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_become_actions() {
        assert!(matches!(parse(":q"), Ok(Some(Action::Quit))));
        assert!(matches!(parse("open A123"), Ok(Some(Action::Open(a))) if a == "A123"));
        assert!(matches!(
            parse("poa y"),
            Ok(Some(Action::SetPoa(Some(Poa::Yes))))
        ));
        assert!(matches!(parse("poa clear"), Ok(Some(Action::SetPoa(None)))));
        assert!(matches!(
            parse("assign i50.23"),
            Ok(Some(Action::Assign(CodeSystem::Icd10Cm, c))) if c == "i50.23"
        ));
        assert!(matches!(
            parse("assign 02703ZZ"),
            Ok(Some(Action::Assign(CodeSystem::Icd10Pcs, _)))
        ));
        assert!(matches!(
            parse("assign pcs B020ZZZ"),
            Ok(Some(Action::Assign(CodeSystem::Icd10Pcs, _)))
        ));
        assert!(matches!(parse("  "), Ok(None)));
        assert!(matches!(
            parse(":notes \"chest pain\"  type:ds"),
            Ok(Some(Action::NotesSearch(Some(q)))) if q == "\"chest pain\"  type:ds"
        ));
        assert!(matches!(
            parse("notes"),
            Ok(Some(Action::NotesSearch(None)))
        ));
        assert!(matches!(
            parse(":reassign A100  bob"),
            Ok(Some(Action::Reassign(a, l))) if a == "A100" && l == "bob"
        ));
    }

    #[test]
    fn mistakes_say_what_works() {
        assert!(parse("poa X").unwrap_err().contains("Y, N, U, W or 1"));
        assert!(parse("frobnicate").unwrap_err().contains(":open"));
        assert!(parse("open").unwrap_err().contains(":open A"));
        assert!(parse("coded now").is_err());
        assert!(
            parse("reassign A100")
                .unwrap_err()
                .contains(":reassign A12345678 jsmith")
        );
    }
}
