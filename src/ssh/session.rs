//! The forced command's inputs: the client address from `SSH_CONNECTION` and the command the client
//! asked for in `SSH_ORIGINAL_COMMAND`, split as a POSIX shell splits words but never run by one.

/// `SSH_CONNECTION` is "client_ip client_port server_ip server_port": returns "client_ip:client_port"
/// (IPv6 addresses in brackets).
pub fn client_address(ssh_connection: &str) -> Option<String> {
    let mut parts = ssh_connection.split_whitespace();
    let ip: std::net::IpAddr = parts.next()?.parse().ok()?;
    let port: u16 = parts.next()?.parse().ok()?;
    Some(std::net::SocketAddr::new(ip, port).to_string())
}

/// Subcommands a client may not run over SSH: nested sessions, sshd helpers, `init` (which would
/// make the caller an admin of a new data directory), and those that read or write files named on
/// the command line (over SSH they would be the service account's files, the database among them:
/// admins import and benchmark on the host).
pub const REFUSED_COMMANDS: &[&str] = &[
    "ssh-session",
    "ssh",
    "init",
    "help",
    "import",
    "bench",
    "eval",
    "backup",
    "restore",
];

/// Options that would change which data or config is used, or name a file on the host.
pub const REFUSED_OPTIONS: &[&str] = &[
    "--data-dir",
    "--config",
    "--ssh-key-file",
    "--reject-report",
    "--cases",
];

/// Sub-subcommands that read a file named on the command line.
const REFUSED_PAIRS: &[(&str, &str)] = &[("query", "save-template")];

/// Splits the client's command into chartdesk arguments and checks them against `subcommands`
/// (the names chartdesk knows). A leading `chartdesk` word is dropped. The error is one line for the
/// user.
pub fn split_command(original: &str, subcommands: &[String]) -> Result<Vec<String>, String> {
    let mut words = shell_words::split(original)
        .map_err(|e| format!("cannot split the command ({e}): check its quotes"))?;
    if words.first().is_some_and(|w| w == "chartdesk") {
        words.remove(0);
    }
    let Some(first) = words.first() else {
        return Err("no command given: try 'ssh HOST --help'".into());
    };
    let shown = |w: &str| -> String { w.chars().filter(|c| !c.is_control()).take(60).collect() };
    for w in &words {
        if let Some(opt) = REFUSED_OPTIONS
            .iter()
            .find(|o| w == *o || w.starts_with(&format!("{o}=")))
        {
            return Err(format!(
                "'{opt}' is not allowed over SSH: the service account's data directory and config \
                 are fixed"
            ));
        }
        if w == "--" {
            break;
        }
    }
    if first.starts_with('-') {
        if matches!(first.as_str(), "--help" | "-h" | "--version" | "-V") {
            return Ok(words);
        }
        return Err(format!(
            "'{}' is not a chartdesk command: give a command first, e.g. 'search codes chf'",
            shown(first)
        ));
    }
    if REFUSED_COMMANDS.contains(&first.as_str()) {
        return Err(format!(
            "'{}' cannot be run over SSH (ask an admin on the host)",
            shown(first)
        ));
    }
    if let Some((a, b)) = REFUSED_PAIRS
        .iter()
        .find(|(a, b)| first == a && words.get(1).is_some_and(|w| w == b))
    {
        return Err(format!(
            "'{a} {b}' reads a file on the host and cannot be run over SSH (ask an admin on the host)"
        ));
    }
    if !subcommands.iter().any(|s| s == first) {
        return Err(format!(
            "'{}' is not a chartdesk command: this account runs only chartdesk (try '--help')",
            shown(first)
        ));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        [
            "search",
            "encounters",
            "init",
            "ssh",
            "ssh-session",
            "audit",
            "group",
            "backup",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn commands_split_like_a_shell_without_one() {
        assert_eq!(
            split_command("search notes \"heart failure\" --count", &known()).unwrap(),
            ["search", "notes", "heart failure", "--count"]
        );
        assert_eq!(
            split_command("chartdesk search codes 'chf; rm -rf /'", &known()).unwrap(),
            ["search", "codes", "chf; rm -rf /"]
        );
        assert!(split_command("--help", &known()).is_ok());
    }

    #[test]
    fn other_commands_and_data_options_are_refused() {
        for c in [
            "sh",
            "bash -c id",
            "ls; sh",
            "",
            "init",
            "ssh-session root",
            "ssh authorized-keys a b",
            "--data-dir /tmp init",
            "search codes chf --data-dir=/tmp",
            "encounters --config /tmp/x.toml",
            "-x",
            "search 'unclosed",
            "import notes /srv/chartdesk/chartdesk.db",
            "eval codes /etc/shadow",
            "bench notes --notes 10",
            "user add x --role coder --ssh-key-file /etc/passwd",
            "query save-template /srv/x",
            "group --cases /etc/shadow",
            "backup /tmp/copy.db",
        ] {
            assert!(split_command(c, &known()).is_err(), "{c} was allowed");
        }
    }

    #[test]
    fn client_address_from_ssh_connection() {
        assert_eq!(
            client_address("127.0.0.1 51234 127.0.0.1 2222").as_deref(),
            Some("127.0.0.1:51234")
        );
        assert_eq!(
            client_address("::1 40000 ::1 22").as_deref(),
            Some("[::1]:40000")
        );
        assert_eq!(client_address("junk"), None);
    }
}
