//! The OpenSSH team deployment on the command line: private file modes, the lines sshd asks for
//! (`ssh authorized-keys`, `ssh sshd-config`), the forced command (`ssh-session`) and users' keys.
use super::{Cli, Command, GlobalArgs};
use crate::config::Config;
use crate::service::{self, AuditAction, DataDir, Service, ServiceError};
use crate::ssh::{keys, session};
use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum SshCommand {
    /// What sshd's AuthorizedKeysCommand runs (with %t %k): prints the forced-command line for a
    /// registered key of an active user, nothing for any other key.
    AuthorizedKeys { key_type: String, key: String },
    /// Prints the `Match User` block to paste into sshd_config, with what to check.
    SshdConfig {
        /// The service account that owns the data directory (default: the login running this).
        #[arg(long, value_name = "NAME")]
        service_user: Option<String>,
    },
}

/// Everything chartdesk creates is private to the account running it (umask 077), unless the config
/// sets `security.group_access` (umask 007). Called first thing, and again once the config is read.
pub(super) fn set_umask(group_access: bool) {
    let mask = if group_access { 0o007 } else { 0o077 };
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(mask));
}

/// With `security.group_access`, a data directory chartdesk creates gets the set-group-ID bit, so
/// what is created in it takes the directory's group (set it with `chgrp`).
pub(super) fn prepare_data_dir(data: &DataDir, config: &Config) -> Result<()> {
    if !config.security.group_access || data.root.exists() {
        return Ok(());
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(&data.root)
        .with_context(|| format!("creating the data directory {}", data.root.display()))?;
    std::fs::set_permissions(&data.root, std::fs::Permissions::from_mode(0o2770))
        .with_context(|| format!("setting the mode of {}", data.root.display()))
}

/// File logging in the data directory; nothing goes to the terminal. A log directory this account
/// cannot write gets one warning on stderr and the command goes on without a log file.
pub(super) fn start_logging(data: &DataDir) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = data.log_dir();
    let appender = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            tracing_appender::rolling::RollingFileAppender::builder()
                .rotation(tracing_appender::rolling::Rotation::NEVER)
                .filename_prefix("chartdesk.log")
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let appender = match appender {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "chartdesk: warning: cannot write the log in {} ({e}); going on without a log \
                 file (check that directory's owner and mode)",
                dir.display()
            );
            return None;
        }
    };
    // Log lines pass the sanitiser too: a name or note text never writes raw escapes into the log.
    let (writer, guard) =
        tracing_appender::non_blocking(super::sanitize::SafeWriter::records(appender));
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHARTDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ok = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .is_ok();
    ok.then_some(guard)
}

/// The data directory as an absolute path (sshd runs commands from the service account's home).
fn absolute(p: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(p)
        .with_context(|| format!("making {} an absolute path", p.display()))?;
    Ok(abs.canonicalize().unwrap_or(abs))
}

/// This binary's absolute path.
fn this_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("finding the path of the chartdesk binary")?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// One word for sshd's command lines: refused if it would need escaping beyond single quotes.
fn word(p: &str, what: &str) -> Result<String> {
    if p.is_empty()
        || p.chars()
            .any(|c| c.is_control() || c == '"' || c == '\\' || c == '\'')
    {
        anyhow::bail!(
            "{what} '{}' has quotes, backslashes or control characters, which sshd's command lines \
             cannot carry safely: move it to a plain path",
            p.escape_debug()
        );
    }
    Ok(shell_words::quote(p).into_owned())
}

/// The forced command for `login`'s keys.
fn forced_command(data: &DataDir, login: &str) -> Result<String> {
    let bin = this_binary()?;
    let dir = absolute(&data.root)?;
    Ok(format!(
        "{} --data-dir {} ssh-session {}",
        word(&bin.to_string_lossy(), "the chartdesk binary path")?,
        word(&dir.to_string_lossy(), "the data directory")?,
        word(login, "the login")?
    ))
}

pub(super) fn run(cmd: &SshCommand, data: &DataDir) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        SshCommand::AuthorizedKeys { key_type, key } => {
            // Anything but a valid, registered key of an active user: print nothing, exit 0.
            let Ok(k) = keys::parse_key(key_type, key) else {
                return Ok(ExitCode::SUCCESS);
            };
            if let Some(login) = service::authorized_login(data, &k.key_type, &k.base64)? {
                let command = forced_command(data, &login)?;
                writeln!(
                    out,
                    "command=\"{command}\",restrict,pty {} {}",
                    k.key_type, k.base64
                )?;
            }
        }
        SshCommand::SshdConfig { service_user } => {
            let user = match service_user {
                Some(u) => u.clone(),
                None => service::os_login()?,
            };
            let user = word(&user, "the service account")?;
            let bin = this_binary()?;
            let dir = absolute(&data.root)?;
            let bin_w = word(&bin.to_string_lossy(), "the chartdesk binary path")?;
            let dir_w = word(&dir.to_string_lossy(), "the data directory")?;
            let check = root_owned_chain(&bin);
            write!(
                out,
                "# chartdesk: paste at the END of /etc/ssh/sshd_config (a Match block runs to the next
# Match), check it with 'sshd -t', then reload sshd ('systemctl reload ssh').
#
# Check before reloading:
# - sshd runs AuthorizedKeysCommand only if the binary and every directory above it are owned by
#   root and not writable by group or others: install chartdesk as e.g. /usr/local/bin/chartdesk
#   and run 'sshd-config' from there. This binary, {bin}: {check}
# - The data directory {dir} and everything in it belongs to {user}, mode 0700/0600
#   (run 'chartdesk init' as {user}; chartdesk keeps what it creates private).
# - sshd runs the forced command through {user}'s login shell: give it /bin/sh or /bin/bash,
#   not nologin or false.
# - An account created locked (useradd's default) is refused by sshd: unlock it without a usable
#   password: usermod -p '*' {user}
# - Do not enable PermitUserEnvironment or AcceptEnv for {user}: users choose nothing but their
#   chartdesk command.
# - Users are added with their keys: 'chartdesk user add LOGIN --role coder --ssh-key-file KEY.pub'.
Match User {user}
    AuthorizedKeysFile none
    AuthorizedKeysCommand {bin_w} --data-dir {dir_w} ssh authorized-keys %t %k
    AuthorizedKeysCommandUser {user}
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    AllowTcpForwarding no
    AllowAgentForwarding no
    AllowStreamLocalForwarding no
    X11Forwarding no
    PermitTunnel no
    PermitUserRC no
    PermitTTY yes
",
                bin = bin.display(),
                dir = dir.display(),
            )?;
        }
    }
    out.flush().context("writing output")?;
    Ok(ExitCode::SUCCESS)
}

/// Whether sshd will accept `bin` as an AuthorizedKeysCommand: it and every directory above it
/// owned by root and not group- or world-writable.
fn root_owned_chain(bin: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let mut p = Some(bin);
    while let Some(cur) = p {
        match std::fs::metadata(cur) {
            Ok(m) if m.uid() != 0 => {
                return format!("NOT ACCEPTED: {} is not owned by root", cur.display());
            }
            Ok(m) if m.mode() & 0o022 != 0 => {
                return format!(
                    "NOT ACCEPTED: {} is writable by group or others",
                    cur.display()
                );
            }
            Ok(_) => {}
            Err(e) => return format!("cannot check {}: {e}", cur.display()),
        }
        p = cur.parent();
    }
    "ok (root-owned, not writable by others)".into()
}

/// The subcommands chartdesk knows (for checking a client's command).
fn subcommand_names() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

/// `chartdesk ssh-session LOGIN`: the forced command sshd runs for LOGIN's keys. The login comes
/// from the key; the client chooses only a chartdesk command (or the workstation, with a pty).
pub(super) fn session(login: &str, global: &GlobalArgs, config: &Config) -> Result<ExitCode> {
    // The client cannot choose the data directory or config through the environment either.
    let from_env = |name: &str, v: &Option<PathBuf>| {
        v.as_ref()
            .is_some_and(|p| std::env::var_os(name).is_some_and(|e| Path::new(&e) == p))
    };
    let config = if from_env("CHARTDESK_CONFIG", &global.config) {
        Config::load(None)?
    } else {
        config.clone()
    };
    let root = match &global.data_dir {
        Some(d) if !from_env("CHARTDESK_DATA_DIR", &global.data_dir) => d.clone(),
        _ => match &config.data_dir {
            Some(d) => d.clone(),
            None => service::default_data_dir()?,
        },
    };
    let data = DataDir::new(root);
    let _log = start_logging(&data);
    let client = std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|c| session::client_address(&c));
    let client_text = client.clone().unwrap_or_else(|| "local".into());
    if !service::active_user(&data, login)? {
        eprintln!(
            "chartdesk: '{}' is not an active chartdesk user here: ask an admin",
            login.escape_debug()
        );
        return Ok(ExitCode::from(2));
    }
    match std::env::var("SSH_ORIGINAL_COMMAND") {
        Ok(original) => {
            let words = match session::split_command(&original, &subcommand_names()) {
                Ok(w) => w,
                Err(msg) => {
                    let first: String = original
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(60)
                        .collect();
                    service::audit_event(
                        &data,
                        login,
                        AuditAction::SshRefused,
                        &client_text,
                        &first,
                    )?;
                    tracing::warn!("refused an ssh command of {login} from {client_text}");
                    eprintln!("chartdesk: refused: {msg}");
                    return Ok(ExitCode::from(2));
                }
            };
            let parsed = match Cli::try_parse_from(
                std::iter::once("chartdesk".to_string()).chain(words.clone()),
            ) {
                Ok(c) => c,
                Err(e) => {
                    let _ = e.print();
                    return Ok(if e.use_stderr() {
                        ExitCode::from(2)
                    } else {
                        ExitCode::SUCCESS
                    });
                }
            };
            // The nested parse may have read CHARTDESK_* from the environment: its globals are
            // ignored; the session's data directory and config are used.
            let Some(cmd) = parsed.command else {
                return Err(ServiceError::Invalid("no command given".into()).into());
            };
            if matches!(
                cmd,
                Command::Init { .. } | Command::Ssh(_) | Command::SshSession { .. }
            ) {
                service::audit_event(
                    &data,
                    login,
                    AuditAction::SshRefused,
                    &client_text,
                    &words[0],
                )?;
                eprintln!("chartdesk: refused: '{}' cannot be run over SSH", words[0]);
                return Ok(ExitCode::from(2));
            }
            let what: String = words.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
            service::audit_event(&data, login, AuditAction::SessionStart, &client_text, &what)?;
            // The log names the command, never its arguments (they can hold patient details).
            tracing::info!("ssh session of {login} from {client_text}: {}", words[0]);
            let result = super::dispatch(Some(cmd), &data, &config, login, client.clone());
            let code = match &result {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("error: {}", super::exit_code_of(e)),
            };
            tracing::info!("ssh session of {login} from {client_text} ended: {code}");
            service::audit_event(&data, login, AuditAction::SessionEnd, &client_text, &code)?;
            result
        }
        Err(_) => {
            if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
                eprintln!(
                    "chartdesk: no terminal: use 'ssh -t HOST' for the workstation, or give a \
                     command, e.g. 'ssh HOST search codes chf'"
                );
                return Ok(ExitCode::from(2));
            }
            service::audit_event(
                &data,
                login,
                AuditAction::SessionStart,
                &client_text,
                "workstation",
            )?;
            tracing::info!("ssh workstation session of {login} from {client_text}");
            // session_end is recorded when the workstation closes (tui::run).
            super::dispatch(None, &data, &config, login, client.or(Some(client_text)))
        }
    }
}

/// `user add --ssh-key/--ssh-key-file`: the key lines, validated.
pub(super) fn key_lines(lines: &[String], files: &[PathBuf]) -> Result<Vec<keys::PublicKey>> {
    let mut out = Vec::new();
    for l in lines {
        out.push(keys::parse_line(l).map_err(ServiceError::Invalid)?);
    }
    for f in files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("reading the key file {}", f.display()))?;
        let mut n = 0;
        for (i, l) in text.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let k = keys::parse_line(l).map_err(|e| {
                ServiceError::Invalid(format!("{} line {}: {e}", f.display(), i + 1))
            })?;
            out.push(k);
            n += 1;
        }
        if n == 0 {
            return Err(ServiceError::Invalid(format!(
                "{} holds no public key: give the .pub file",
                f.display()
            ))
            .into());
        }
    }
    Ok(out)
}

/// `user keys LOGIN`.
pub(super) fn print_keys(svc: &mut Service, login: &str, json: bool) -> Result<()> {
    let rows = svc.user_keys(login)?;
    let mut out = std::io::stdout().lock();
    if json {
        for r in &rows {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
    } else if rows.is_empty() {
        eprintln!("chartdesk: {login} has no SSH keys");
    } else {
        for r in &rows {
            writeln!(
                out,
                "{}  {}  {}  added {} by {}",
                r.fingerprint,
                r.key_type,
                clean(&r.comment),
                r.added_at,
                clean(&r.added_by)
            )?;
        }
    }
    Ok(())
}

/// Text from the database, safe for a terminal.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}
