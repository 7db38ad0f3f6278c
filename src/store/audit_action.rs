//! Every action chartdesk writes to the audit log, typed. The stored text of each (`as_str`) is
//! exactly what earlier versions wrote, so old rows read back the same and the hash chain holds.
use crate::domain::QueryEvent;
use std::fmt;
use std::str::FromStr;

/// What an audit row records. Never change a variant's text: rows already written carry it and the
/// hash chain covers it; add a variant instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    // Setup and administration.
    Init,
    ImportCodes,
    LoadDemo,
    AddUser,
    ChangeRole,
    DeactivateUser,
    SetTeam,
    AddKey,
    ViewKeys,
    RemoveKey,
    Backup,
    // Sessions and refusals.
    SessionStart,
    SessionEnd,
    IdleLogoff,
    SshRefused,
    Refused,
    // The audit log itself.
    ViewAudit,
    VerifyAudit,
    AccessReport,
    // Notes.
    ImportNotes,
    ReindexNotes,
    SearchNotes,
    ViewNote,
    // Encounters and coding.
    ListEncounters,
    OpenEncounter,
    AssignCode,
    RemoveCode,
    Resequence,
    SetPrincipal,
    SetPoa,
    MarkCoded,
    Reopen,
    ExportCodes,
    SetDischargeStatus,
    AcknowledgeEdit,
    OverrideEdit,
    // Claims.
    /// A claim given back: by its holder, or taken away by a supervisor ("from -> nobody").
    Release,
    /// A claim handed to another coder by a supervisor ("from -> to").
    Reassign,
    /// A claim whose lease had expired (its workstation stopped renewing it) taken by another coder.
    TakeOverClaim,
    // Documentation queries.
    QueryCreate,
    /// A step of a query's life cycle (`query_<event key>`).
    Query(QueryEvent),
    QueryTemplateAdd,
    QueryTemplateEdit,
    PinFailed,
    CheckQuery,
    ListQueries,
    ViewQuery,
    QueryMetrics,
    // Reports and reviews.
    ViewReport,
    SampleReview,
    ViewReview,
    RecordReview,
    // Written only by the demo's generated history (older names kept as the demo wrote them).
    DemoCreateQuery,
    DemoSendQuery,
}

impl AuditAction {
    /// Every action, for parsing and tests.
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::Init,
        AuditAction::ImportCodes,
        AuditAction::LoadDemo,
        AuditAction::AddUser,
        AuditAction::ChangeRole,
        AuditAction::DeactivateUser,
        AuditAction::SetTeam,
        AuditAction::AddKey,
        AuditAction::ViewKeys,
        AuditAction::RemoveKey,
        AuditAction::Backup,
        AuditAction::SessionStart,
        AuditAction::SessionEnd,
        AuditAction::IdleLogoff,
        AuditAction::SshRefused,
        AuditAction::Refused,
        AuditAction::ViewAudit,
        AuditAction::VerifyAudit,
        AuditAction::AccessReport,
        AuditAction::ImportNotes,
        AuditAction::ReindexNotes,
        AuditAction::SearchNotes,
        AuditAction::ViewNote,
        AuditAction::ListEncounters,
        AuditAction::OpenEncounter,
        AuditAction::AssignCode,
        AuditAction::RemoveCode,
        AuditAction::Resequence,
        AuditAction::SetPrincipal,
        AuditAction::SetPoa,
        AuditAction::MarkCoded,
        AuditAction::Reopen,
        AuditAction::ExportCodes,
        AuditAction::SetDischargeStatus,
        AuditAction::AcknowledgeEdit,
        AuditAction::OverrideEdit,
        AuditAction::Release,
        AuditAction::Reassign,
        AuditAction::TakeOverClaim,
        AuditAction::QueryCreate,
        AuditAction::Query(QueryEvent::Edit),
        AuditAction::Query(QueryEvent::Send),
        AuditAction::Query(QueryEvent::Escalate),
        AuditAction::Query(QueryEvent::Answer),
        AuditAction::Query(QueryEvent::Close),
        AuditAction::Query(QueryEvent::CloseNoResponse),
        AuditAction::Query(QueryEvent::Cancel),
        AuditAction::QueryTemplateAdd,
        AuditAction::QueryTemplateEdit,
        AuditAction::PinFailed,
        AuditAction::CheckQuery,
        AuditAction::ListQueries,
        AuditAction::ViewQuery,
        AuditAction::QueryMetrics,
        AuditAction::ViewReport,
        AuditAction::SampleReview,
        AuditAction::ViewReview,
        AuditAction::RecordReview,
        AuditAction::DemoCreateQuery,
        AuditAction::DemoSendQuery,
    ];

    /// The text stored in the `audit.action` column.
    pub fn as_str(self) -> &'static str {
        use AuditAction as A;
        match self {
            A::Init => "init",
            A::ImportCodes => "import_codes",
            A::LoadDemo => "load_demo",
            A::AddUser => "add_user",
            A::ChangeRole => "change_role",
            A::DeactivateUser => "deactivate_user",
            A::SetTeam => "set_team",
            A::AddKey => "add_key",
            A::ViewKeys => "view_keys",
            A::RemoveKey => "remove_key",
            A::Backup => "backup",
            A::SessionStart => "session_start",
            A::SessionEnd => "session_end",
            A::IdleLogoff => "idle_logoff",
            A::SshRefused => "ssh_refused",
            A::Refused => "refused",
            A::ViewAudit => "view_audit",
            A::VerifyAudit => "verify_audit",
            A::AccessReport => "access_report",
            A::ImportNotes => "import_notes",
            A::ReindexNotes => "reindex_notes",
            A::SearchNotes => "search_notes",
            A::ViewNote => "view_note",
            A::ListEncounters => "list_encounters",
            A::OpenEncounter => "open_encounter",
            A::AssignCode => "assign_code",
            A::RemoveCode => "remove_code",
            A::Resequence => "resequence",
            A::SetPrincipal => "set_principal",
            A::SetPoa => "set_poa",
            A::MarkCoded => "mark_coded",
            A::Reopen => "reopen",
            A::ExportCodes => "export_codes",
            A::SetDischargeStatus => "set_discharge_status",
            A::AcknowledgeEdit => "acknowledge_edit",
            A::OverrideEdit => "override_edit",
            A::Release => "release",
            A::Reassign => "reassign",
            A::TakeOverClaim => "take_over_claim",
            A::QueryCreate => "query_create",
            A::Query(e) => match e {
                QueryEvent::Edit => "query_edit",
                QueryEvent::Send => "query_send",
                QueryEvent::Escalate => "query_escalate",
                QueryEvent::Answer => "query_answer",
                QueryEvent::Close => "query_close",
                QueryEvent::CloseNoResponse => "query_close_no_response",
                QueryEvent::Cancel => "query_cancel",
            },
            A::QueryTemplateAdd => "query_template_add",
            A::QueryTemplateEdit => "query_template_edit",
            A::PinFailed => "pin_failed",
            A::CheckQuery => "check_query",
            A::ListQueries => "list_queries",
            A::ViewQuery => "view_query",
            A::QueryMetrics => "query_metrics",
            A::ViewReport => "view_report",
            A::SampleReview => "sample_review",
            A::ViewReview => "view_review",
            A::RecordReview => "record_review",
            A::DemoCreateQuery => "create_query",
            A::DemoSendQuery => "send_query",
        }
    }

    /// Session events a workstation or an SSH forced command records.
    pub fn is_session_event(self) -> bool {
        matches!(
            self,
            AuditAction::SessionStart
                | AuditAction::SessionEnd
                | AuditAction::IdleLogoff
                | AuditAction::SshRefused
        )
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not an audit action chartdesk writes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_has_its_own_text_and_reads_back() {
        let mut seen = HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "{} is used twice", a.as_str());
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(*a));
        }
        assert!("no_such_action".parse::<AuditAction>().is_err());
    }

    #[test]
    fn every_query_event_is_listed_and_keeps_the_query_key_text() {
        for e in QueryEvent::ALL {
            let a = AuditAction::Query(e);
            assert!(AuditAction::ALL.contains(&a), "{e:?} missing from ALL");
            // The text earlier versions wrote: "query_" + the event's stored key.
            assert_eq!(a.as_str(), format!("query_{}", e.key()));
        }
    }

    #[test]
    fn the_stored_texts_are_the_ones_old_databases_hold() {
        // Pinned: changing any of these breaks reading (and verifying) existing audit logs.
        for (a, s) in [
            (AuditAction::OpenEncounter, "open_encounter"),
            (AuditAction::Release, "release"),
            (AuditAction::Reassign, "reassign"),
            (AuditAction::Refused, "refused"),
            (
                AuditAction::Query(QueryEvent::CloseNoResponse),
                "query_close_no_response",
            ),
            (AuditAction::DemoCreateQuery, "create_query"),
            (AuditAction::MarkCoded, "mark_coded"),
        ] {
            assert_eq!(a.as_str(), s);
        }
    }
}
