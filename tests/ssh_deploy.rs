//! End to end: the team deployment through a real OpenSSH sshd on 127.0.0.1. As root, the test
//! creates a service account, installs the built binary under a root-owned directory, writes an
//! sshd_config from `chartdesk ssh sshd-config`, registers ssh-keygen keys for a coder and a
//! supervisor, and checks logins, refusals, the workstation over `ssh -tt`, file modes and logs.
//!
//! Without root or /usr/sbin/sshd it prints a SKIP line, unless CHARTDESK_REQUIRE_SSHD=1 (CI), when
//! it fails instead.
#![cfg(unix)]
mod common;

use common::pty::{BIN, Session};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

/// Removes the account, stops sshd and deletes the installed binary and temp files, even on failure.
struct Deployment {
    user: String,
    base: PathBuf,
    libexec: PathBuf,
    sshd: Option<Child>,
    port: u16,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if let Some(mut c) = self.sshd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Sessions of the account that may still run.
        let _ = Command::new("pkill")
            .args(["-KILL", "-u", &self.user])
            .status();
        let _ = Command::new("userdel").arg(&self.user).status();
        let _ = std::fs::remove_dir_all(&self.libexec);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Deployment {
    /// Starts sshd on the deployment's port with its own host key and `block` (from sshd-config).
    fn start_sshd(&mut self, block: &str) {
        let host_key = self.base.join("host_key");
        ok(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&host_key));
        let conf = self.base.join("sshd_config");
        std::fs::write(
            &conf,
            format!(
                "Port {}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nUsePAM no\n\
                 LogLevel VERBOSE\nMaxStartups 200\nMaxSessions 200\n{block}",
                self.port,
                host_key.display(),
                self.base.join("sshd.pid").display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        ok(Command::new(SSHD).arg("-t").arg("-f").arg(&conf));
        let log = std::fs::File::create(self.base.join("sshd.log")).unwrap();
        self.sshd = Some(
            Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(&conf)
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn bin(&self) -> PathBuf {
        self.libexec.join("chartdesk")
    }
    fn data(&self) -> PathBuf {
        self.base.join("srv").join("data")
    }
    fn home(&self) -> PathBuf {
        self.base.join("home")
    }
    /// chartdesk as the service account on the host (the admin's local use).
    fn as_service(&self, args: &[&str]) -> Command {
        let mut c = Command::new("runuser");
        c.args(["-u", &self.user, "--"])
            .arg(self.bin())
            .arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env("HOME", self.home())
            .env_remove("CHARTDESK_DATA_DIR")
            .env_remove("CHARTDESK_CONFIG")
            .current_dir(self.home());
        c
    }
    fn key(&self, name: &str) -> PathBuf {
        self.base.join("keys").join(name)
    }
    fn ssh_args(&self, key: &str) -> Vec<String> {
        [
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            "-F",
            "/dev/null",
            "-p",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            self.port.to_string(),
            "-i".into(),
            self.key(key).display().to_string(),
            format!("{}@127.0.0.1", self.user),
        ])
        .collect()
    }
    /// `ssh -i KEY svc@127.0.0.1 COMMAND` (COMMAND is one string, as a user types it).
    fn ssh(&self, key: &str, command: &str) -> Output {
        let mut c = Command::new("ssh");
        c.args(self.ssh_args(key)).stdin(Stdio::null());
        if !command.is_empty() {
            c.arg("--").arg(command);
        }
        run(&mut c)
    }
}

fn skip(reason: &str) -> bool {
    if std::env::var("CHARTDESK_REQUIRE_SSHD").is_ok_and(|v| v == "1") {
        panic!("CHARTDESK_REQUIRE_SSHD=1 but {reason}");
    }
    eprintln!("SKIP ssh_deploy: {reason} (set CHARTDESK_REQUIRE_SSHD=1 to make this a failure)");
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Every file and directory under `dir` that is not `file`/`dir` mode or not owned by `uid`.
fn wrong_files(dir: &Path, uid: u32, file: u32, directory: u32, wrong: &mut Vec<String>) {
    let m = std::fs::symlink_metadata(dir).unwrap();
    if m.uid() != uid || mode(dir) != directory {
        wrong.push(format!("{} {:o} uid {}", dir.display(), mode(dir), m.uid()));
    }
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            wrong_files(&p, uid, file, directory, wrong);
        } else if m.uid() != uid || mode(&p) != file {
            wrong.push(format!("{} {:o} uid {}", p.display(), mode(&p), m.uid()));
        }
    }
}

fn setup() -> Option<Deployment> {
    if !Path::new(SSHD).exists() {
        skip("OpenSSH's sshd is not installed (apt-get install openssh-server)");
        return None;
    }
    if !rustix::process::geteuid().is_root() {
        skip("the test must run as root (it creates a service account)");
        return None;
    }
    let id = std::process::id();
    let user = format!("cdssh{id}");
    let base = PathBuf::from(format!("/tmp/chartdesk-ssh-{id}"));
    let libexec = PathBuf::from(format!("/usr/local/libexec/chartdesk-test-{id}"));
    let d = Deployment {
        user: user.clone(),
        base: base.clone(),
        libexec: libexec.clone(),
        sshd: None,
        port: free_port(),
    };
    std::fs::create_dir_all(base.join("keys")).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
    ok(Command::new("useradd")
        .args(["-m", "-d"])
        .arg(d.home())
        .args(["-s", "/bin/sh", &user]));
    // useradd creates the account locked ('!'): sshd refuses locked accounts. '*': no password.
    ok(Command::new("usermod").args(["-p", "*", &user]));
    // The data directory's parent belongs to the account; chartdesk creates the directory itself.
    let srv = base.join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    ok(Command::new("chown").arg(&user).arg(&srv));

    // sshd runs AuthorizedKeysCommand only from a root-owned path nobody else can write.
    for dir in [Path::new("/usr/local/libexec"), &libexec] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::copy(BIN, d.bin()).unwrap();
    std::fs::set_permissions(d.bin(), std::fs::Permissions::from_mode(0o755)).unwrap();
    Some(d)
}

#[test]
fn team_deployment_through_openssh() {
    let Some(mut d) = setup() else {
        return;
    };
    let user = d.user.clone();
    let uid: u32 = ok(Command::new("id").args(["-u", &user]))
        .trim()
        .parse()
        .unwrap();
    let data = d.data();
    ok(&mut d.as_service(&["init", "--demo", "--encounters", "20"]));
    assert_eq!(
        mode(&data),
        0o700,
        "init creates the data directory private"
    );

    // Keys for a coder and a supervisor, and one nobody registered.
    for k in ["alice", "sam", "stranger"] {
        ok(Command::new("ssh-keygen")
            .args([
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                &format!("{k}@test"),
                "-f",
            ])
            .arg(d.key(k)));
    }
    // The service account reads the .pub files it is given.
    for k in ["alice", "sam"] {
        let pubkey = d.key(&format!("{k}.pub"));
        std::fs::set_permissions(&pubkey, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(d.base.join("keys"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let alice_pub = d.key("alice.pub").display().to_string();
    let sam_line = std::fs::read_to_string(d.key("sam.pub")).unwrap();
    ok(&mut d.as_service(&[
        "user",
        "add",
        "alice",
        "--role",
        "coder",
        "--ssh-key-file",
        &alice_pub,
    ]));
    ok(&mut d.as_service(&[
        "user",
        "add",
        "sam",
        "--role",
        "supervisor",
        "--ssh-key",
        sam_line.trim(),
    ]));
    // Fingerprints as ssh-keygen -lf prints them.
    let keys = ok(&mut d.as_service(&["user", "keys", "alice"]));
    let fp = ok(Command::new("ssh-keygen")
        .arg("-lf")
        .arg(d.key("alice.pub")));
    let fp = fp.split_whitespace().nth(1).unwrap().to_string();
    assert!(keys.contains(&fp), "{keys} lacks {fp}");
    // One key belongs to one login.
    let twice = run(&mut d.as_service(&[
        "user",
        "add",
        "bob",
        "--role",
        "coder",
        "--ssh-key-file",
        &alice_pub,
    ]));
    assert_eq!(
        twice.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );

    // What sshd's AuthorizedKeysCommand prints: one line for a registered key, nothing otherwise.
    let sam_parts: Vec<&str> = sam_line.split_whitespace().collect();
    let line = ok(&mut d.as_service(&["ssh", "authorized-keys", sam_parts[0], sam_parts[1]]));
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.starts_with(&format!(
            "command=\"{} --data-dir {} ssh-session sam\",restrict,pty ",
            d.bin().display(),
            data.display()
        )),
        "{line}"
    );
    let stranger = std::fs::read_to_string(d.key("stranger.pub")).unwrap();
    let sp: Vec<&str> = stranger.split_whitespace().collect();
    assert_eq!(
        ok(&mut d.as_service(&["ssh", "authorized-keys", sp[0], sp[1]])),
        ""
    );

    // sshd: its own config, host key and port, with the block chartdesk prints.
    let block = ok(Command::new(d.bin()).arg("--data-dir").arg(&data).args([
        "ssh",
        "sshd-config",
        "--service-user",
        &user,
    ]));
    assert!(
        block.contains(&format!("Match User {user}")) && block.contains("usermod -p"),
        "{block}"
    );
    d.start_sshd(&block);
    let sshd_log = || std::fs::read_to_string(d.base.join("sshd.log")).unwrap_or_default();

    // CLI commands run as the key's login.
    let out = d.ssh("alice", "encounters --json");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        sshd_log()
    );
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() >= 20);
    let out = d.ssh("alice", "search notes \"heart failure\" --count");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = d.ssh("alice", "search codes chf --json");
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Roles still apply: the whole audit log is for supervisors.
    let out = d.ssh("alice", "audit --limit 5");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = d.ssh("sam", "audit --limit 50 --json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(audit.contains("\"login\":\"alice\""), "{audit}");

    // Refused: not a chartdesk command, another data directory, init, a nested session.
    for cmd in [
        "sh",
        "id; sh",
        "--data-dir /tmp init",
        "init",
        "ssh-session admin",
        "encounters --config /tmp/x",
    ] {
        let out = d.ssh("alice", cmd);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("refused"),
            "{cmd}"
        );
    }
    // An unregistered key does not get in.
    let out = d.ssh("stranger", "encounters");
    assert_eq!(
        out.status.code(),
        Some(255),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The workstation over ssh -tt in a pseudo-terminal; q ends it with status 0.
    let mut cmd = portable_pty::CommandBuilder::new("ssh");
    cmd.arg("-tt");
    for a in d.ssh_args("alice") {
        cmd.arg(a);
    }
    cmd.env("TERM", "xterm-256color");
    let mut s = Session::spawn(cmd);
    s.wait_for("the worklist over ssh", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    // Deactivated: refused at the next connection.
    ok(&mut d.as_service(&["user", "deactivate", "sam"]));
    let out = d.ssh("sam", "encounters");
    assert_eq!(
        out.status.code(),
        Some(255),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A removed key too.
    ok(&mut d.as_service(&["user", "remove-key", "alice", &fp]));
    let out = d.ssh("alice", "encounters");
    assert_eq!(out.status.code(), Some(255));

    // Every data file is the service account's and private to it (checked before this root
    // process opens the database).
    let mut wrong = Vec::new();
    wrong_files(&data, uid, 0o600, 0o700, &mut wrong);
    assert_eq!(wrong, Vec::<String>::new());

    // The audit names the login and the client address; refusals and sessions are recorded.
    let conn = chartdesk::store::open(&data.join("chartdesk.db")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(
        count(
            "SELECT COUNT(*) FROM audit WHERE login = 'alice' AND action = 'session_start' AND detail LIKE '127.0.0.1:%'"
        ) >= 4
    );
    assert!(
        count(
            "SELECT COUNT(*) FROM audit WHERE login = 'alice' AND action = 'session_end' AND detail LIKE '127.0.0.1:%'"
        ) >= 4
    );
    assert!(
        count("SELECT COUNT(*) FROM audit WHERE login = 'alice' AND action = 'ssh_refused'") >= 5
    );
    assert!(
        count("SELECT COUNT(*) FROM audit WHERE login = 'alice' AND action = 'list_encounters'")
            >= 1
    );
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) FROM audit WHERE login = '{user}' AND action = 'list_encounters'"
        )),
        0,
        "nothing ran as the service account"
    );
    drop(conn);

    // No patient data in the log files.
    let conn = chartdesk::store::open(&data.join("chartdesk.db")).unwrap();
    let mut secrets: Vec<String> = Vec::new();
    let mut st = conn.prepare("SELECT mrn, name FROM patients").unwrap();
    for r in st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (mrn, name) = r.unwrap();
        secrets.push(mrn);
        secrets.push(name);
    }
    let mut st = conn.prepare("SELECT body FROM notes").unwrap();
    for r in st.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let body: Vec<char> = r.unwrap().chars().collect();
        if body.len() > 60 {
            secrets.push(body[20..60].iter().collect());
        }
    }
    drop(st);
    let mut logs = String::new();
    for e in std::fs::read_dir(data.join("logs")).unwrap().flatten() {
        logs.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    assert!(!logs.is_empty(), "the sessions wrote a log");
    let leaked: Vec<&String> = secrets
        .iter()
        .filter(|s| logs.contains(s.as_str()))
        .collect();
    assert!(leaked.is_empty(), "patient data in the log: {leaked:?}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Resident memory (kB) of the service account's workstation sessions (no SSH_ORIGINAL_COMMAND).
fn workstation_rss(uid: u32) -> Vec<u64> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let p = e.path();
        let Ok(status) = std::fs::read_to_string(p.join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        };
        if field("Uid:").and_then(|u| u.parse::<u32>().ok()) != Some(uid) {
            continue;
        }
        let cmdline = std::fs::read(p.join("cmdline")).unwrap_or_default();
        let environ = std::fs::read(p.join("environ")).unwrap_or_default();
        let env = String::from_utf8_lossy(&environ);
        // The chartdesk process itself, not the shell sshd starts it with.
        if field("Name:").as_deref() == Some("chartdesk")
            && String::from_utf8_lossy(&cmdline).contains("ssh-session")
            && !env.contains("SSH_ORIGINAL_COMMAND=")
            && let Some(kb) = field("VmRSS:").and_then(|v| v.parse().ok())
        {
            out.push(kb);
        }
    }
    out
}

/// Load figures (not a pass/fail test): SOAK_CLI sessions running CLI commands in a loop and SOAK_TUI
/// workstations over `ssh -tt` taking keys, for SOAK_SECS seconds, against one data directory.
/// Run it with scripts/ssh_soak.sh (root, openssh-server).
#[test]
#[ignore = "load figures: run scripts/ssh_soak.sh"]
fn soak() {
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (n_cli, n_tui, secs) = (
        env("SOAK_CLI", 40),
        env("SOAK_TUI", 10),
        env("SOAK_SECS", 300),
    );
    let Some(mut d) = setup() else {
        return;
    };
    let uid: u32 = ok(Command::new("id").args(["-u", &d.user]))
        .trim()
        .parse()
        .unwrap();
    ok(&mut d.as_service(&["init", "--demo", "--encounters", "300"]));
    std::fs::set_permissions(d.base.join("keys"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let names: Vec<String> = (0..n_cli.max(n_tui)).map(|i| format!("coder{i}")).collect();
    for n in &names {
        ok(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(d.key(n)));
        let line = std::fs::read_to_string(d.key(&format!("{n}.pub"))).unwrap();
        ok(&mut d.as_service(&[
            "user",
            "add",
            n,
            "--role",
            "coder",
            "--ssh-key",
            line.trim(),
        ]));
    }
    let block = ok(Command::new(d.bin()).arg("--data-dir").arg(d.data()).args([
        "ssh",
        "sshd-config",
        "--service-user",
        &d.user,
    ]));
    d.start_sshd(&block);
    let d = std::sync::Arc::new(d);
    let deadline = Instant::now() + Duration::from_secs(secs as u64);
    let commands = [
        "encounters --json",
        "search codes chf --json",
        "search notes \"heart failure\" --count",
        "encounters --mine",
    ];
    let mut cli = Vec::new();
    for (i, name) in names.iter().enumerate().take(n_cli) {
        let d = std::sync::Arc::clone(&d);
        let name = name.clone();
        cli.push(std::thread::spawn(move || {
            let (mut times, mut errors) = (Vec::new(), Vec::new());
            let mut k = i;
            while Instant::now() < deadline {
                let cmd = commands[k % commands.len()];
                k += 1;
                let t = Instant::now();
                let out = d.ssh(&name, cmd);
                times.push(t.elapsed());
                if !out.status.success() {
                    errors.push(format!(
                        "{name} '{cmd}': {} {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
            }
            (times, errors)
        }));
    }
    let mut tui = Vec::new();
    for name in names.iter().take(n_tui) {
        let d = std::sync::Arc::clone(&d);
        let name = name.clone();
        tui.push(std::thread::spawn(move || {
            let mut cmd = portable_pty::CommandBuilder::new("ssh");
            cmd.arg("-tt");
            for a in d.ssh_args(&name) {
                cmd.arg(a);
            }
            cmd.env("TERM", "xterm-256color");
            let mut s = Session::spawn(cmd);
            s.wait_for("the worklist", |t| t.contains("Worklist"));
            let mut keys = 0u64;
            while Instant::now() + Duration::from_secs(3) < deadline {
                let key = match keys % 20 {
                    10 => "\r",
                    12 => "\x1b",
                    n if n % 2 == 0 => "j",
                    _ => "k",
                };
                s.send(key);
                keys += 1;
                std::thread::sleep(Duration::from_millis(400));
            }
            s.send("\x1b");
            s.send("q");
            s.wait_exit();
            keys
        }));
    }
    // Memory of the workstations, sampled half-way.
    std::thread::sleep(Duration::from_secs(secs as u64 / 2));
    let rss = workstation_rss(uid);
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for h in cli {
        let (t, e) = h.join().unwrap();
        times.extend(t);
        errors.extend(e);
    }
    let mut keys = 0;
    let mut tui_failed = 0;
    for h in tui {
        match h.join() {
            Ok(k) => keys += k,
            Err(_) => tui_failed += 1,
        }
    }
    times.sort();
    println!(
        "soak: {n_cli} CLI sessions + {n_tui} workstations for {secs} s on one data directory"
    );
    println!(
        "CLI commands over ssh: {} runs, {} errors; p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        times.len(),
        errors.len(),
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    for e in errors.iter().take(10) {
        println!("  error: {e}");
    }
    println!(
        "workstations: {keys} keys sent, {tui_failed} sessions failed; RSS per workstation (kB, {} sampled): min {} max {} mean {}",
        rss.len(),
        rss.iter().min().unwrap_or(&0),
        rss.iter().max().unwrap_or(&0),
        if rss.is_empty() {
            0
        } else {
            rss.iter().sum::<u64>() / rss.len() as u64
        }
    );
}
