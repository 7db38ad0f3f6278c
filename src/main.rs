//! The chartdesk binary: parse arguments, load config, start file logging, dispatch.
use std::process::ExitCode;

fn main() -> ExitCode {
    chartdesk::cli::main()
}
