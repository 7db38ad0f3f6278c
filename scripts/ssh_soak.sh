#!/usr/bin/env bash
# Load figures for the SSH deployment: concurrent sessions through a real sshd against one data
# directory (errors, p50/p99 of a CLI command over ssh, RSS per workstation).
# Needs root and openssh-server (it creates and removes a service account, like tests/ssh_deploy.rs).
# usage: scripts/ssh_soak.sh [CLI_SESSIONS=40] [WORKSTATIONS=10] [SECONDS=300] [cargo profile flag, e.g. --release]
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_CLI="${1:-40}" SOAK_TUI="${2:-10}" SOAK_SECS="${3:-300}" \
  cargo test ${4:-} --test ssh_deploy -- --ignored --nocapture --exact soak
