//! `jifen` (积分): the medical-insurance payment-qualification points system.

fn main() -> anyhow::Result<()> {
    jifen::cli::run()
}
