-- SSH public keys: each key is one user's identity (sshd's AuthorizedKeysCommand looks them up).
CREATE TABLE user_keys (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL REFERENCES users(login),
    key_type    TEXT NOT NULL,
    key_base64  TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    UNIQUE (key_type, key_base64),
    UNIQUE (fingerprint)
);
CREATE INDEX user_keys_login ON user_keys(login);
