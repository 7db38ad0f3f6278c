//! Private by default: whatever the caller's umask, what chartdesk creates is 0600/0700; a log
//! directory that cannot be written gives one warning and the command goes on.
#![cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_chartdesk");

fn wrong_modes(dir: &Path, out: &mut Vec<String>) {
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    if mode(dir) != 0o700 {
        out.push(format!("{} {:o}", dir.display(), mode(dir)));
    }
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            wrong_modes(&p, out);
        } else if mode(&p) != 0o600 {
            out.push(format!("{} {:o}", p.display(), mode(&p)));
        }
    }
}

#[test]
fn files_are_private_and_an_unwritable_log_is_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    // A permissive caller: umask 000 through the shell.
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" --data-dir \"$1\" init")
        .arg(BIN)
        .arg(&data)
        .env_remove("CHARTDESK_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["search", "codes", "chf"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wrong = Vec::new();
    wrong_modes(&data, &mut wrong);
    assert_eq!(wrong, Vec::<String>::new());

    // The log directory cannot be created (a file is in its place; permissions alone would not
    // stop root): one warning line, and the search still answers.
    std::fs::remove_dir_all(data.join("logs")).unwrap();
    std::fs::write(data.join("logs"), "").unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["search", "codes", "chf"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!out.stdout.is_empty());
    assert_eq!(
        err.lines().filter(|l| l.contains("warning")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("without a log file"), "{err}");
}
