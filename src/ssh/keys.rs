//! OpenSSH public key lines: validation and the SHA256 fingerprint `ssh-keygen -lf` prints.
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

/// The key types chartdesk accepts (those of current OpenSSH; no DSA).
pub const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// A validated public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_type: String,
    /// The key blob in base64, as in the key line.
    pub base64: String,
    pub comment: String,
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key blob.
    pub fingerprint: String,
}

/// Parses one public key line: `TYPE BASE64 [COMMENT]`. Lines with authorized_keys options in front
/// are refused (chartdesk writes the options itself).
pub fn parse_line(line: &str) -> Result<PublicKey, String> {
    let line = line.trim();
    let mut parts = line.splitn(3, char::is_whitespace);
    let key_type = parts.next().unwrap_or_default();
    let b64 = parts.next().unwrap_or_default().trim();
    let comment = parts.next().unwrap_or_default().trim();
    if key_type.is_empty() || b64.is_empty() {
        return Err(
            "a public key line is 'TYPE BASE64 [COMMENT]', e.g. the one line of ~/.ssh/id_ed25519.pub"
                .into(),
        );
    }
    let mut key = parse_key(key_type, b64)?;
    key.comment = comment
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    Ok(key)
}

/// Validates a key type and its base64 blob (as sshd passes them with `%t %k`).
pub fn parse_key(key_type: &str, b64: &str) -> Result<PublicKey, String> {
    if !KEY_TYPES.contains(&key_type) {
        let shown: String = key_type
            .chars()
            .take(40)
            .filter(|c| !c.is_control())
            .collect();
        return Err(format!(
            "'{shown}' is not a supported key type (give the whole line of the .pub file; types: {})",
            KEY_TYPES.join(", ")
        ));
    }
    let blob = STANDARD.decode(b64).map_err(|e| {
        format!("the {key_type} key is not valid base64 ({e}): copy the .pub line whole")
    })?;
    let embedded = blob_type(&blob).ok_or_else(|| {
        format!("the {key_type} key's data is truncated: copy the .pub line whole")
    })?;
    if embedded != key_type.as_bytes() {
        return Err(format!(
            "the key says '{key_type}' but its data is a '{}' key: the line is damaged",
            String::from_utf8_lossy(embedded)
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
        ));
    }
    Ok(PublicKey {
        key_type: key_type.to_string(),
        base64: STANDARD.encode(&blob),
        comment: String::new(),
        fingerprint: fingerprint(&blob),
    })
}

/// The key type string at the start of an SSH wire-format key blob (u32 big-endian length, bytes).
fn blob_type(blob: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let t = blob.get(4..4usize.checked_add(len)?)?;
    // A key has data after its type.
    (blob.len() > 4 + len).then_some(t)
}

/// `SHA256:` + unpadded base64 of SHA-256 over the decoded blob, as `ssh-keygen -lf` prints it.
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // A throwaway key made with `ssh-keygen -t ed25519 -C test@example`; `ssh-keygen -lf` prints
    // 256 SHA256:5O2iWbfmxFeEAgjC+wnAuxRtsnESZgo98njs/4EFD9o test@example (ED25519).
    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINobMOndZSaKL8J0+WPcKKO4dqBXFGgGpbe+3kOZJ2V1 test@example";

    #[test]
    fn a_key_line_parses_with_its_fingerprint() {
        let k = parse_line(ED).unwrap();
        assert_eq!(k.key_type, "ssh-ed25519");
        assert_eq!(k.comment, "test@example");
        assert_eq!(
            k.fingerprint,
            "SHA256:5O2iWbfmxFeEAgjC+wnAuxRtsnESZgo98njs/4EFD9o"
        );
    }

    #[test]
    fn damaged_lines_are_refused() {
        assert!(parse_line("ssh-ed25519").is_err());
        assert!(parse_line("ssh-dss AAAAB3NzaC1kc3M= x").is_err());
        assert!(parse_line("ssh-ed25519 not*base64 x").is_err());
        // An ed25519 blob labelled rsa.
        let b64 = ED.split(' ').nth(1).unwrap();
        assert!(
            parse_line(&format!("ssh-rsa {b64}"))
                .unwrap_err()
                .contains("ssh-ed25519")
        );
        // Truncated: the type string alone.
        assert!(parse_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5").is_err());
        assert!(parse_line("restrict ssh-ed25519 AAAA").is_err());
    }
}
