//! Parsers for official code-set release files (CDC tabular XML, CMS order files, PCS lists).
