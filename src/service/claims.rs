//! Claims as leases (issue 11): the workstation that has an encounter open renews its claim's lease
//! (one UPDATE when half of it has run out); a claim whose lease ran out may be taken over by another
//! coder, audited as taken over from its holder. Claim changes are written to the claims table in the
//! same transaction as their audit row.
use super::{Service, ServiceError};
use crate::store::audit::{self, AuditAction};
use crate::store::claims::{self, ClaimRow, Ended};
use crate::store::encounters::EncounterRow;
use crate::store::users::UserRow;
use anyhow::Result;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::Connection;

/// "Now" for a claim change, and the lease it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClaimTime {
    /// Now, in `store::now`'s format.
    pub at: String,
    /// The lease a claim taken or renewed now runs to (`None`: leases are off).
    pub lease_until: Option<String>,
    /// A lease ending before this is renewed (half the lease from now).
    pub renew_before: Option<String>,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What taking the claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Taken {
    /// `me` held it already.
    Already,
    /// Nobody held it: now `me` does.
    Claimed,
    /// `from`'s lease had run out: now `me` holds it (audited here).
    TookOver { from: String },
}

impl Service {
    /// Sets the claims settings (`claims.lease_minutes`).
    pub fn set_claims_config(&mut self, c: crate::config::ClaimsConfig) {
        self.claims_config = c;
    }

    /// Fixes the time claims and leases are judged by (`None`: the system clock). For tests and
    /// simulations: a lease's expiry is tested by moving this clock, never by waiting.
    pub fn set_clock(&mut self, now: Option<DateTime<Utc>>) {
        self.clock = now;
    }

    pub(super) fn claim_time(&self) -> ClaimTime {
        let now = self.clock.unwrap_or_else(Utc::now);
        let minutes = i64::try_from(self.claims_config.lease_minutes).unwrap_or(i64::MAX / 120);
        let (lease_until, renew_before) = if minutes == 0 {
            (None, None)
        } else {
            let lease = Duration::try_minutes(minutes).unwrap_or(Duration::days(3650));
            (
                now.checked_add_signed(lease).map(stamp),
                now.checked_add_signed(lease / 2).map(stamp),
            )
        };
        ClaimTime {
            at: stamp(now),
            lease_until,
            renew_before,
        }
    }

    /// Renews this user's lease on an encounter they have open, when it is due (half of it gone):
    /// a single UPDATE, outside any other transaction. Called on every re-read of the open
    /// encounter (the workstation's refresh tick); a failure is logged, never shown as an error.
    pub(super) fn renew_lease_if_due(&self, enc: &EncounterRow) {
        if enc.claimed_by.as_deref() != Some(self.user.login.as_str()) {
            return;
        }
        let ct = self.claim_time();
        let res = (|| -> Result<()> {
            let Some(c) = claims::current(&self.conn, enc.id)? else {
                return Ok(());
            };
            if c.holder == self.user.login && lease_due(&c, &ct) {
                claims::renew(
                    &self.conn,
                    enc.id,
                    &self.user.login,
                    ct.lease_until.as_deref(),
                )?;
            }
            Ok(())
        })();
        if let Err(e) = res {
            tracing::warn!("renewing the claim on {}: {e:#}", enc.account);
        }
    }

    /// The open claims of these encounters, with their leases (who holds what, until when).
    pub fn open_claims(&self, encounter_ids: &[i64]) -> Result<Vec<ClaimRow>> {
        self.require(crate::domain::Permission::ViewCharts, "view claims")?;
        claims::open_for(&self.conn, encounter_ids)
    }

    /// Every claim an encounter has had (holder, since, lease, how and by whom it ended).
    pub fn claim_history(&self, encounter_id: i64) -> Result<Vec<ClaimRow>> {
        self.require(crate::domain::Permission::ViewCharts, "view claims")?;
        claims::history(&self.conn, encounter_id)
    }

    /// Whether a claim's lease has run out now (by this session's clock).
    pub fn lease_expired(&self, claim: &ClaimRow) -> bool {
        claim.lease_expired(&self.claim_time().at)
    }
}

/// Whether the lease should be renewed now: it ends within half a lease (or has no lease while
/// leases are on: a claim handed over by a supervisor gets one once its holder has it open).
fn lease_due(c: &ClaimRow, ct: &ClaimTime) -> bool {
    match (&c.lease_until, &ct.renew_before) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(l), Some(b)) => l < b,
    }
}

/// Inside a write transaction: makes `me` the holder of `e` if nobody holds it or its holder's lease
/// has run out (the take-over is audited here); renews `me`'s own lease when due. Err(ClaimedBy)
/// when someone else holds a live claim.
pub(super) fn take_claim(
    conn: &Connection,
    e: &EncounterRow,
    me: &UserRow,
    ct: &ClaimTime,
) -> Result<Taken> {
    let lease = ct.lease_until.as_deref();
    match claims::current(conn, e.id)? {
        Some(c) if c.holder == me.login => {
            if lease_due(&c, ct) {
                claims::renew(conn, e.id, &me.login, lease)?;
            }
            Ok(Taken::Already)
        }
        Some(c) if c.lease_expired(&ct.at) => {
            claims::hand_over(
                conn,
                e.id,
                &me.login,
                &me.login,
                &ct.at,
                Ended::TakeOver,
                lease,
            )?;
            let detail = format!(
                "{} -> {}: lease expired {}",
                c.holder,
                me.login,
                c.lease_until.as_deref().unwrap_or("")
            );
            audit::record(
                conn,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(e.id),
                    object: &e.account,
                    detail: &detail,
                    ..audit::Entry::new(&ct.at, &me.login, AuditAction::TakeOverClaim)
                },
            )?;
            Ok(Taken::TookOver { from: c.holder })
        }
        Some(c) => Err(ServiceError::ClaimedBy {
            account: e.account.clone(),
            holder: c.holder,
        }
        .into()),
        // A holder set on the encounter without a claim row (written outside the service): a claim
        // without a lease, as before leases.
        None => match &e.claimed_by {
            Some(h) if h != &me.login => Err(ServiceError::ClaimedBy {
                account: e.account.clone(),
                holder: h.clone(),
            }
            .into()),
            _ => {
                claims::take(conn, e.id, &me.login, &ct.at, lease)?;
                Ok(Taken::Claimed)
            }
        },
    }
}

/// Whether `me`'s last claim on the encounter was ended by someone else's release or reassignment
/// (or their own release from another window) while nobody holds it now: (by whom, when).
pub(super) fn released_from(
    conn: &Connection,
    e: &EncounterRow,
    me: &UserRow,
) -> Result<Option<(String, String)>> {
    if e.claimed_by.is_some() {
        return Ok(None);
    }
    Ok(claims::latest(conn, e.id)?.and_then(|c| {
        let mine = c.holder == me.login;
        let taken = matches!(c.ended_how, Some(Ended::Release | Ended::Reassign));
        match (mine && taken, c.ended_by, c.ended_at) {
            (true, Some(by), Some(at)) => Some((by, at)),
            _ => None,
        }
    }))
}
