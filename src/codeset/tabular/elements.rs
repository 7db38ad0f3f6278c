//! Which elements of the CDC tabular XML the reader acts on, and where each may appear.
use crate::domain::TabularNotes;

/// The root element of a CDC ICD-10-CM tabular release.
pub const ROOT: &str = "ICD10CM.tabular";

/// The note lists an entry can carry; each holds `<note>` elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Includes,
    InclusionTerm,
    Excludes1,
    Excludes2,
    CodeFirst,
    UseAdditionalCode,
    CodeAlso,
    Notes,
    SevenChrNote,
}

impl Group {
    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "includes" => Self::Includes,
            "inclusionTerm" => Self::InclusionTerm,
            "excludes1" => Self::Excludes1,
            "excludes2" => Self::Excludes2,
            "codeFirst" => Self::CodeFirst,
            "useAdditionalCode" => Self::UseAdditionalCode,
            "codeAlso" => Self::CodeAlso,
            "notes" => Self::Notes,
            "sevenChrNote" => Self::SevenChrNote,
            _ => return None,
        })
    }

    /// The list of `notes` this group's `<note>`s go to; the 7th-character note joins `notes`.
    pub fn list(self, notes: &mut TabularNotes) -> &mut Vec<String> {
        match self {
            Self::Includes => &mut notes.includes,
            Self::InclusionTerm => &mut notes.inclusion_terms,
            Self::Excludes1 => &mut notes.excludes1,
            Self::Excludes2 => &mut notes.excludes2,
            Self::CodeFirst => &mut notes.code_first,
            Self::UseAdditionalCode => &mut notes.use_additional_code,
            Self::CodeAlso => &mut notes.code_also,
            Self::Notes | Self::SevenChrNote => &mut notes.notes,
        }
    }
}

/// The elements the reader acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Root,
    Version,
    Chapter,
    Section,
    Diag,
    Name,
    Desc,
    Group(Group),
    Note,
    SevenDef,
    Extension,
}

impl Tag {
    /// Whether the element's text is wanted.
    pub fn holds_text(self) -> bool {
        matches!(
            self,
            Self::Version | Self::Name | Self::Desc | Self::Note | Self::Extension
        )
    }
}

/// What a start tag means where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Known(Tag),
    /// Not needed (introduction, section index, visual-impairment table...): skip its content.
    Skip,
    /// A structural element where none may be: the file is not laid out as the CDC release is.
    Misplaced,
}

/// Classifies element `name` opened inside `parent` (`None` at the top of the document).
pub fn classify(parent: Option<Tag>, name: &str) -> Placement {
    use Placement::{Known, Misplaced, Skip};
    match (parent, name) {
        (None, ROOT) => Known(Tag::Root),
        (None, _) => Misplaced,
        (Some(Tag::Root), "version") => Known(Tag::Version),
        (Some(Tag::Root), "chapter") => Known(Tag::Chapter),
        (Some(Tag::Chapter | Tag::Diag), "name") => Known(Tag::Name),
        (Some(Tag::Chapter | Tag::Section | Tag::Diag), "desc") => Known(Tag::Desc),
        (Some(Tag::Chapter), "section") => Known(Tag::Section),
        (Some(Tag::Section | Tag::Diag), "diag") => Known(Tag::Diag),
        (Some(Tag::Diag), "sevenChrDef") => Known(Tag::SevenDef),
        (Some(Tag::SevenDef), "extension") => Known(Tag::Extension),
        (Some(Tag::SevenDef | Tag::Group(_)), "note") => Known(Tag::Note),
        (_, "chapter" | "section" | "diag" | "sevenChrDef") => Misplaced,
        (Some(Tag::Chapter | Tag::Section | Tag::Diag), other) => {
            Group::from_tag(other).map_or(Skip, |g| Known(Tag::Group(g)))
        }
        _ => Skip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements() {
        assert_eq!(classify(None, ROOT), Placement::Known(Tag::Root));
        assert_eq!(classify(None, "html"), Placement::Misplaced);
        assert_eq!(
            classify(Some(Tag::Diag), "diag"),
            Placement::Known(Tag::Diag)
        );
        assert_eq!(classify(Some(Tag::Chapter), "diag"), Placement::Misplaced);
        assert_eq!(classify(Some(Tag::Root), "introduction"), Placement::Skip);
        assert_eq!(
            classify(Some(Tag::Chapter), "sectionIndex"),
            Placement::Skip
        );
        assert_eq!(
            classify(Some(Tag::Diag), "excludes1"),
            Placement::Known(Tag::Group(Group::Excludes1))
        );
        assert_eq!(
            classify(Some(Tag::Diag), "visualImpairment"),
            Placement::Skip
        );
    }
}
