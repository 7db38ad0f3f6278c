//! The audit as the privacy office and the security officer use it: the client address of a
//! session, anchors of the hash chain outside the database (a file and the system log), `verify`,
//! the per-patient access report, and refusals recorded in their own transaction.
use super::{Service, ServiceError};
use crate::domain::Permission;
use crate::store::{self, audit};
use anyhow::{Context, Result};
use rusqlite::{Transaction, TransactionBehavior};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One line of the anchors file: the chain's head when it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    pub id: i64,
    pub hash: String,
    /// The head row's own time.
    pub at: String,
    /// When the anchor was written.
    pub written: String,
}

/// What `chartdesk audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    #[serde(flatten)]
    pub chain: audit::Verification,
    /// How many anchors were checked (none without `--anchors`).
    pub anchors_checked: usize,
    /// The first anchor the chain does not match, and why.
    pub anchor_problem: Option<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.chain.first_break.is_none() && self.anchor_problem.is_none()
    }
}

/// One line of the access report: an audit row that touched the patient, with the encounter's
/// account when the row names one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessRow {
    #[serde(flatten)]
    pub row: audit::AuditRow,
    pub account: Option<String>,
}

impl Service {
    /// The SSH client address ("IP PORT" from SSH_CONNECTION) every audit row of this session
    /// carries; `None` for local use.
    pub fn set_client(&mut self, client: Option<String>) {
        if let Err(e) = audit::set_session_client(&self.conn, client.as_deref()) {
            tracing::error!("cannot record the client address on the connection: {e:#}");
        }
        self.client = client;
    }

    pub fn set_audit_config(&mut self, c: crate::config::AuditConfig) {
        self.audit_config = c;
    }

    /// Where anchors are appended: the config's file, else DATA_DIR/audit-anchors.
    pub fn anchors_path(&self) -> PathBuf {
        self.audit_config
            .anchors_file
            .clone()
            .unwrap_or_else(|| self.data.root.join("audit-anchors"))
    }

    /// Writes an anchor when the chain has grown past a multiple of `audit.anchor_every` since this
    /// session last looked. Called after every committed write.
    pub(super) fn anchor_if_due(&mut self) {
        let every = self.audit_config.anchor_every as i64;
        if every == 0 {
            return;
        }
        match audit::head(&self.conn) {
            Ok(Some(h)) if h.id / every > self.anchored_upto / every => self.anchor(),
            Ok(_) => {}
            Err(e) => tracing::warn!("reading the audit chain's head: {e:#}"),
        }
    }

    /// Writes the chain's head to the anchors file and the system log. Never fails the command:
    /// what cannot be written is a warning in the log file.
    pub fn anchor(&mut self) {
        let head = match audit::head(&self.conn) {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("reading the audit chain's head for an anchor: {e:#}");
                return;
            }
        };
        self.anchored_upto = head.id;
        let anchor = Anchor {
            id: head.id,
            hash: head.hash,
            at: head.at,
            written: store::now(),
        };
        let path = self.anchors_path();
        // Only the log file: this may run while the workstation owns the screen.
        if let Err(e) = append_anchor(&path, &anchor) {
            tracing::warn!("{e:#}");
        }
        if self.audit_config.syslog {
            let msg = format!(
                "audit anchor db={} id={} hash={} at={}",
                self.data.db_path().display(),
                anchor.id,
                anchor.hash,
                anchor.at
            );
            if let Err(e) = syslog(&msg) {
                tracing::warn!("cannot send the audit anchor to the system log: {e:#}");
            }
        }
    }

    /// Recomputes the audit chain and, with `anchors`, checks it against an anchors file
    /// (supervisors and admins). The check is audited.
    pub fn verify_audit(&mut self, anchors: Option<&Path>) -> Result<VerifyReport> {
        self.require(Permission::Reports, "verify the audit log")?;
        let parsed = anchors.map(read_anchors).transpose()?;
        let chain = {
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
            audit::verify(&tx)?
        };
        let mut report = VerifyReport {
            chain,
            anchors_checked: 0,
            anchor_problem: None,
        };
        for (line, a) in parsed.iter().flatten() {
            report.anchors_checked += 1;
            let problem = match audit::hash_of(&self.conn, a.id)? {
                None => Some(format!(
                    "row {} named by the anchor on line {line} (written {}) is missing: rows were \
                     deleted",
                    a.id, a.written
                )),
                Some(h) if h.as_deref() != Some(a.hash.as_str()) => Some(format!(
                    "row {} does not match the anchor on line {line} (written {}): the chain was \
                     rewritten at or before row {}",
                    a.id, a.written, a.id
                )),
                Some(_) => None,
            };
            if problem.is_some() {
                report.anchor_problem = problem;
                break;
            }
        }
        let detail = match (&report.chain.first_break, &report.anchor_problem) {
            (Some(b), _) => format!("broken at row {}", b.id),
            (None, Some(_)) => "an anchor does not match".to_string(),
            (None, None) => format!(
                "{} rows good, {} anchors",
                report.chain.rows, report.anchors_checked
            ),
        };
        self.write(Permission::Reports, "verify the audit log", |tx, me| {
            audit::record(
                tx,
                &audit::Entry {
                    detail: &detail,
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::VerifyAudit)
                },
            )
        })?;
        Ok(report)
    }

    /// Every view and change of one patient's records, oldest first, between `from` and `to`
    /// (inclusive days, YYYY-MM-DD). Supervisors and admins; the report is itself audited.
    pub fn access_report(
        &mut self,
        mrn: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<AccessRow>> {
        let from = from.map(|d| day(d, "--from")).transpose()?;
        let to = to
            .map(|d| day(d, "--to").map(|d| d + chrono::Days::new(1)))
            .transpose()?;
        let (from, to) = (
            from.map(|d| d.format("%Y-%m-%d").to_string()),
            to.map(|d| d.format("%Y-%m-%d").to_string()),
        );
        let mrn = mrn.trim().to_string();
        self.write(
            Permission::Reports,
            "run the patient access report",
            |tx, me| {
                let pid = store::encounters::patient_id(tx, &mrn)?.ok_or_else(|| {
                    ServiceError::NotFound(format!(
                        "no patient with MRN '{mrn}': check the number (the report names \
                         patients by MRN)"
                    ))
                })?;
                let rows = audit::for_patient(tx, pid, from.as_deref(), to.as_deref())?;
                audit::record(
                    tx,
                    &audit::Entry {
                        patient_id: Some(pid),
                        detail: &format!(
                            "from {} to {}: {} rows",
                            from.as_deref().unwrap_or("start"),
                            to.as_deref().unwrap_or("now"),
                            rows.len()
                        ),
                        ..audit::Entry::new(
                            &store::now(),
                            &me.login,
                            audit::AuditAction::AccessReport,
                        )
                    },
                )?;
                Ok(rows
                    .into_iter()
                    .map(|(row, account)| AccessRow { row, account })
                    .collect())
            },
        )
    }

    /// Records a refused attempt in its own small transaction (the refused one was rolled back).
    /// Only refusals are recorded (role, unknown or inactive user, a claim held by another).
    pub(super) fn audit_refusal(&self, action: &str, err: &anyhow::Error) {
        let Some(e) = err.downcast_ref::<ServiceError>() else {
            return;
        };
        let (object, detail) = match e {
            ServiceError::Forbidden { role, .. } => {
                ("forbidden", format!("{action} (role {role})"))
            }
            ServiceError::UnknownUser { .. } => ("unknown_user", action.to_string()),
            ServiceError::ClaimedBy { account, holder } => (
                "claimed_by",
                format!("{action}: {account} held by {holder}"),
            ),
            _ => return,
        };
        let res = (|| -> Result<()> {
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
            audit::record(
                &tx,
                &audit::Entry {
                    object,
                    detail: &detail,
                    ..audit::Entry::new(
                        &store::now(),
                        &self.user.login,
                        audit::AuditAction::Refused,
                    )
                },
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = res {
            tracing::error!("cannot record a refusal in the audit log: {e:#}");
        }
    }
}

fn day(s: &str, flag: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ServiceError::Invalid(format!("{flag} '{s}' is not a date: use YYYY-MM-DD")).into()
    })
}

/// Appends one anchor line to `path`, creating it 0600; the file is only ever opened for appending.
pub fn append_anchor(path: &Path, a: &Anchor) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| {
        format!(
            "cannot open the audit anchors file {} to append the chain's head: check its \
             directory and permissions, or set audit.anchors_file",
            path.display()
        )
    })?;
    let mut line = serde_json::to_string(a)?;
    line.push('\n');
    f.write_all(line.as_bytes())
        .with_context(|| format!("appending to the audit anchors file {}", path.display()))?;
    Ok(())
}

/// Reads an anchors file: (line number, anchor) for each non-empty line.
pub fn read_anchors(path: &Path) -> Result<Vec<(usize, Anchor)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the audit anchors file {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let a: Anchor = serde_json::from_str(line).with_context(|| {
            format!(
                "{} line {}: not an audit anchor (a JSON object with id, hash, at, written)",
                path.display(),
                i + 1
            )
        })?;
        out.push((i + 1, a));
    }
    Ok(out)
}

/// Sends one message to the local system log (RFC 3164 over the /dev/log datagram socket, which
/// journald and rsyslog both read), facility authpriv, severity notice.
#[cfg(unix)]
fn syslog(msg: &str) -> Result<()> {
    let sock = std::os::unix::net::UnixDatagram::unbound().context("creating a socket")?;
    // authpriv (10) * 8 + notice (5)
    let line = format!("<85>chartdesk[{}]: {msg}", std::process::id());
    sock.send_to(line.as_bytes(), "/dev/log")
        .context("sending to /dev/log")?;
    Ok(())
}

#[cfg(not(unix))]
fn syslog(_msg: &str) -> Result<()> {
    anyhow::bail!("no system log on this platform")
}
