//! Query templates: editable prefilled questions and options for the common cases, with the clinical
//! indicators to look for (seeded by schema step 4).
use crate::domain::QueryTemplate;
use anyhow::{Context, Result};
use rusqlite::{Connection, params};

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

pub fn templates(conn: &Connection) -> Result<Vec<QueryTemplate>> {
    let mut st = conn.prepare(
        "SELECT name, title, query_type, purpose, question, options, look_for FROM query_templates
         ORDER BY name",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, title, t, purpose, question, options, look_for) = row?;
        let ctx = || format!("query template '{name}' in the database");
        out.push(QueryTemplate {
            query_type: t.parse().map_err(anyhow::Error::msg).with_context(ctx)?,
            purpose: purpose
                .map(|p| p.parse())
                .transpose()
                .map_err(anyhow::Error::msg)
                .with_context(ctx)?,
            options: lines(&options),
            look_for: lines(&look_for),
            name,
            title,
            question,
        });
    }
    Ok(out)
}

pub fn template(conn: &Connection, name: &str) -> Result<Option<QueryTemplate>> {
    Ok(templates(conn)?.into_iter().find(|t| t.name == name))
}

/// Inserts or replaces a template; true if it was new.
pub fn save_template(conn: &Connection, t: &QueryTemplate, by: &str, at: &str) -> Result<bool> {
    let existed = template(conn, &t.name)?.is_some();
    conn.execute(
        "INSERT INTO query_templates (name, title, query_type, purpose, question, options, look_for,
           updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(name) DO UPDATE SET title = excluded.title, query_type = excluded.query_type,
           purpose = excluded.purpose, question = excluded.question, options = excluded.options,
           look_for = excluded.look_for, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at",
        params![
            t.name,
            t.title,
            t.query_type.as_str(),
            t.purpose.map(|p| p.as_str()),
            t.question,
            t.options.join("\n"),
            t.look_for.join("\n"),
            by,
            at
        ],
    )?;
    Ok(!existed)
}
