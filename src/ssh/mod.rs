//! The OpenSSH team deployment: public keys as identities, the lines sshd asks for, and the forced
//! command's argument checks. No SSH protocol here: OpenSSH's sshd does that.
pub mod keys;
pub mod session;
