//! The pty benchmarks' harness against the debug binary on a small demo: every scripted key must
//! show its effect (no timeouts, no wait already satisfied before its key), so the script cannot
//! silently stop fitting the workstation. No timing is asserted.
mod common;

use common::pty::{BIN, chartdesk};
use std::process::Command;

fn bench(args: &[&str]) -> serde_json::Value {
    let out = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CHARTDESK_DATA_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chartdesk {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bench output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn bench_keys_plays_the_smoke_script_with_every_effect_seen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);
    let d = data.to_str().unwrap();
    let r = bench(&[
        "bench",
        "keys",
        "--against",
        d,
        "--smoke",
        "--keys",
        "1",
        "--timeout-ms",
        "60000",
        "--json",
    ]);
    assert_eq!(r["encounters"], 20, "{r}");
    let all = &r["all"];
    assert!(all["keys"].as_u64().unwrap() >= 10, "{r}");
    assert_eq!(all["timeouts"], 0, "{r}");
    assert_eq!(all["held_before"], 0, "{r}");
    let kinds: Vec<&str> = r["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    for k in ["open encounter", "code search typing", "assign", "poa"] {
        assert!(kinds.contains(&k), "{k} missing: {kinds:?}");
    }
    // The script really coded: an assignment is in the audit trail.
    let audit = chartdesk(&data, &["audit", "--limit", "200"]);
    assert!(audit.contains("assign"), "{audit}");
}

#[test]
fn bench_sessions_opens_idle_and_active_workstations_and_reads_their_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);
    let r = bench(&[
        "bench",
        "sessions",
        "--against",
        data.to_str().unwrap(),
        "--n",
        "2",
        "--active",
        "1",
        "--minutes",
        "0.05",
        "--timeout-ms",
        "60000",
        "--json",
    ]);
    assert_eq!(r["open"], 2, "{r}");
    assert_eq!(r["active"], 1, "{r}");
    assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{r}");
    assert!(r["active_keys"]["keys"].as_u64().unwrap() >= 90, "{r}");
    assert_eq!(r["active_keys"]["timeouts"], 0, "{r}");
    assert_eq!(r["active_keys"]["held_before"], 0, "{r}");
    assert!(r["private_idle_mb"]["max"].as_f64().unwrap() > 0.0, "{r}");
    assert!(r["private_active_mb"]["max"].as_f64().unwrap() > 0.0, "{r}");
}
