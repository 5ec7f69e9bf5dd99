use std::process::ExitCode;

use clap::Parser;
use surveillance_registry::cli::{Cli, Command};
use surveillance_registry::config::Settings;
use surveillance_registry::db::DatabaseUrl;
use surveillance_registry::startup::{openapi_document, prepare_database, Application};
use surveillance_registry::{demo, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, whatever the cause chain holds (libpq's messages span several lines).
            let message = format!("{error:#}");
            eprintln!(
                "error: {}",
                message.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", openapi_document());
        return Ok(());
    }
    let database_url: DatabaseUrl = cli.database_url.parse()?;
    let settings = Settings {
        host: cli.host,
        port: cli.port,
        database_url,
        database_pool_size: cli.db_pool_size,
        workers: cli.workers,
        shutdown_timeout: cli.shutdown_timeout,
    };
    match command {
        Command::Openapi => unreachable!("handled above"),
        Command::Migrate => {
            prepare_database(&settings.database_url, 1)?;
            tracing::info!(database = %settings.database_url, "database is migrated and holds the reference data");
            Ok(())
        }
        Command::SeedDemo { scale } => {
            if !(scale > 0.0 && scale.is_finite()) {
                anyhow::bail!("--scale must be a positive number");
            }
            let database = prepare_database(&settings.database_url, 1)?;
            let started = std::time::Instant::now();
            let mut conn = database.get()?;
            let report = demo::seed(&mut conn, scale)?;
            tracing::info!(
                ?report,
                seconds = started.elapsed().as_secs_f64(),
                "seeded demo data"
            );
            Ok(())
        }
        Command::Serve => actix_web::rt::System::new().block_on(async move {
            tracing::info!(%settings, "starting");
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
            tracing::info!("stopped");
            Ok(())
        }),
    }
}
