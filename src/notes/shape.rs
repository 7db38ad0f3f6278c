//! Fitting a site's file to the note fields without editing it: `--set FIELD=VALUE` gives a constant
//! (or a `{field}` template) for a field the file lacks, `--map-values FIELD FILE` rewrites a field's
//! values through a two-column CSV/TSV (e.g. a specialty to a note type). Applied to every record of
//! JSON lines and CSV files before the record is checked.
use super::record::FIELDS;
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Constants and value maps for the fields of a record.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Field → constant or template (`{note_id}` is replaced by the record's note_id).
    set: Vec<(&'static str, String)>,
    /// Field → (normalized source value → value).
    values: Vec<(&'static str, HashMap<String, String>)>,
}

fn field_named(name: &str, what: &str) -> Result<&'static str> {
    FIELDS
        .iter()
        .copied()
        .find(|x| x.eq_ignore_ascii_case(name.trim()))
        .with_context(|| {
            format!(
                "{what}: '{}' is not a note field; fields are: {}",
                name.trim(),
                FIELDS.join(", ")
            )
        })
}

/// Text from a file made safe to print in a message: control characters become '?'.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A value as it is looked up in a value map: trimmed, lower case, spaces collapsed.
fn key(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Shape {
    /// Parses `--set FIELD=VALUE` arguments and `--map-values FIELD FILE` pairs, reading the files.
    pub fn new(set: &[String], map_values: &[(String, PathBuf)]) -> Result<Shape> {
        let mut shape = Shape::default();
        for a in set {
            let Some((f, v)) = a.split_once('=') else {
                bail!("--set '{a}' should be FIELD=VALUE, e.g. --set author=\"Unknown author\"");
            };
            let field = field_named(f, &format!("--set '{a}'"))?;
            if shape.set.iter().any(|(x, _)| *x == field) {
                bail!("--set gives field {field} twice; keep one");
            }
            let v = v.trim();
            if v.is_empty() {
                bail!("--set '{a}': the value is empty; give the value the field should have");
            }
            check_template(v, a)?;
            shape.set.push((field, v.to_string()));
        }
        for (f, path) in map_values {
            let field = field_named(f, &format!("--map-values {f}"))?;
            if shape.values.iter().any(|(x, _)| *x == field) {
                bail!("--map-values gives field {field} twice; put the values in one file");
            }
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the value map {}", path.display()))?;
            shape
                .values
                .push((field, parse_value_map(&text, path, field)?));
        }
        Ok(shape)
    }

    /// True when nothing is set or mapped.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.values.is_empty()
    }

    /// True when `--set` gives this field.
    pub fn sets(&self, field: &str) -> bool {
        self.set.iter().any(|(f, _)| *f == field)
    }

    /// The value of `field` for a record whose own values `raw` gives (None when absent or empty):
    /// the record's value, else the `--set` constant (templates filled from the record's values),
    /// then passed through the field's value map when it has an entry.
    pub fn value(&self, field: &str, raw: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let v = raw(field).or_else(|| {
            let (_, t) = self.set.iter().find(|(f, _)| *f == field)?;
            Some(fill(t, raw))
        })?;
        match self.values.iter().find(|(f, _)| *f == field) {
            Some((_, map)) => Some(map.get(&key(&v)).cloned().unwrap_or(v)),
            None => Some(v),
        }
    }
}

/// Checks that every `{name}` in a `--set` value names a field.
fn check_template(v: &str, arg: &str) -> Result<()> {
    let mut rest = v;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            bail!("--set '{arg}': '{{' without '}}'; a template names a field as {{note_id}}");
        };
        field_named(&after[..close], &format!("--set '{arg}'"))?;
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Fills `{field}` placeholders from the record's own values (an absent value leaves it empty).
fn fill(t: &str, raw: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(t.len() + 16);
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(&raw(after[..close].trim()).unwrap_or_default());
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a value map: two columns, comma- or tab-separated (tab when the first line has one),
/// quoted as CSV; blank lines and lines starting with `#` are skipped; a first row whose second
/// cell is the field's name is a header.
fn parse_value_map(text: &str, path: &Path, field: &str) -> Result<HashMap<String, String>> {
    let name = path.display();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delim = if first.contains('\t') { b'\t' } else { b',' };
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut map = HashMap::new();
    let mut rows = 0;
    for (i, row) in rd.records().enumerate() {
        let row = row.with_context(|| format!("reading the value map {name}"))?;
        let line = row.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
        let cells: Vec<&str> = row.iter().map(str::trim).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        rows += 1;
        if rows == 1 && cells.get(1).is_some_and(|c| c.eq_ignore_ascii_case(field)) {
            continue;
        }
        let [from, to] = cells.as_slice() else {
            bail!(
                "{name} line {line}: {} cells; a value map has two: the value in the file and the \
                 {field} to use",
                cells.len()
            );
        };
        if from.is_empty() || to.is_empty() {
            bail!("{name} line {line}: an empty cell; both the value and its {field} are needed");
        }
        if let Some(old) = map.insert(key(from), to.to_string())
            && old != *to
        {
            bail!(
                "{name} line {line}: '{}' is mapped twice ('{}' and '{}'); keep one",
                plain(from),
                plain(&old),
                plain(to)
            );
        }
    }
    if map.is_empty() {
        bail!("{name} maps no values; write one 'value,{field}' pair per line");
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(set: &[&str], maps: &[(&str, &str)]) -> (tempfile::TempDir, Result<Shape>) {
        let dir = tempfile::tempdir().unwrap();
        let mut mv = Vec::new();
        for (i, (f, text)) in maps.iter().enumerate() {
            let p = dir.path().join(format!("map{i}.csv"));
            std::fs::write(&p, text).unwrap();
            mv.push((f.to_string(), p));
        }
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let s = Shape::new(&set, &mv);
        (dir, s)
    }

    fn rec<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |f| {
            pairs
                .iter()
                .find(|(k, _)| *k == f)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn set_fills_a_missing_field_and_templates_name_other_fields() {
        let (_d, s) = shape(&["account=MT-{note_id}", "author = Transcription"], &[]);
        let s = s.unwrap();
        let r = rec(&[("note_id", "17"), ("author", "Dr. B")]);
        assert_eq!(s.value("account", &r).as_deref(), Some("MT-17"));
        assert_eq!(
            s.value("author", &r).as_deref(),
            Some("Dr. B"),
            "the file wins"
        );
        let r = rec(&[("note_id", "18")]);
        assert_eq!(s.value("author", &r).as_deref(), Some("Transcription"));
        assert_eq!(s.value("mrn", &r), None);
        assert!(s.sets("account") && !s.sets("mrn"));
    }

    #[test]
    fn bad_set_arguments_say_what_to_write() {
        for (arg, want) in [
            ("author", "should be FIELD=VALUE"),
            ("specialty=x", "'specialty' is not a note field"),
            ("author=", "the value is empty"),
            ("account=A-{visit}", "'visit' is not a note field"),
            ("account=A-{note_id", "without"),
        ] {
            let (_d, s) = shape(&[arg], &[]);
            let e = format!("{:#}", s.unwrap_err());
            assert!(e.contains(want), "{arg}: {e}");
        }
        let (_d, s) = shape(&["author=a", "Author=b"], &[]);
        assert!(format!("{:#}", s.unwrap_err()).contains("twice"));
    }

    #[test]
    fn value_maps_rewrite_matching_values_and_pass_others_through() {
        let csv = "medical_specialty,note_type\n Surgery ,Operative Report\n\"Consult - History and Phy.\",Consultation\n# a comment\n\nradiology,Radiology Report\n";
        let (_d, s) = shape(&["note_type=Clinical Note"], &[("note_type", csv)]);
        let s = s.unwrap();
        let v = |t: &str| s.value("note_type", &rec(&[("note_type", t)]));
        assert_eq!(v("surgery").as_deref(), Some("Operative Report"));
        assert_eq!(
            v("Consult  - History and Phy.").as_deref(),
            Some("Consultation")
        );
        assert_eq!(v("RADIOLOGY").as_deref(), Some("Radiology Report"));
        assert_eq!(v("Dentistry").as_deref(), Some("Dentistry"));
        // A constant goes through the map too.
        assert_eq!(
            s.value("note_type", &rec(&[])).as_deref(),
            Some("Clinical Note")
        );
        let (_d, s) = shape(&[], &[("note_type", "Surgery\tOperative Report\n")]);
        let s = s.unwrap();
        assert_eq!(
            s.value("note_type", &rec(&[("note_type", "Surgery")]))
                .as_deref(),
            Some("Operative Report")
        );
    }

    #[test]
    fn bad_value_maps_name_the_file_and_line() {
        for (text, want) in [
            ("a,b\nc\n", "line 2: 1 cells"),
            ("a,b,c\n", "line 1: 3 cells"),
            ("a,\n", "an empty cell"),
            ("a,X\nA,Y\n", "mapped twice"),
            ("# nothing\n", "maps no values"),
            ("a\u{1b}[31m,X\na\u{1b}[31m,Y\n", "'a?[31m' is mapped twice"),
        ] {
            let (_d, s) = shape(&[], &[("note_type", text)]);
            let e = format!("{:#}", s.unwrap_err());
            assert!(e.contains(want) && e.contains("map0.csv"), "{text:?}: {e}");
        }
        let (_d, s) = shape(&[], &[("kind", "a,b\n")]);
        assert!(format!("{:#}", s.unwrap_err()).contains("'kind' is not a note field"));
    }
}
