//! PLACEHOLDER until the tui branch lands.
pub fn run(_s: crate::service::Service, _c: &crate::config::Config) -> anyhow::Result<()> {
    anyhow::bail!("todo")
}
