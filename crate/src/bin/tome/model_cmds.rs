//! Model commands: generate, bench model.

use clap::Args;
use tome::Result;

#[derive(Args)]
pub struct GenerateArgs {
    #[arg(long)]
    pub prompt: String,
}

#[derive(Args)]
pub struct BenchModelArgs {}

pub fn generate(args: &GenerateArgs) -> Result<()> {
    let _ = args;
    Ok(())
}

pub fn bench_model(args: &BenchModelArgs) -> Result<()> {
    let _ = args;
    Ok(())
}
