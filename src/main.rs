use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use surveillance_registry::auth::commands::{self, CreateAccount};
use surveillance_registry::auth::{AuthSettings, KeySet, Tokens};
use surveillance_registry::cli::{AccountsCommand, Cli, Command};
use surveillance_registry::config::{Limits, Settings};
use surveillance_registry::db::DatabaseUrl;
use surveillance_registry::foi::FoiCalendar;
use surveillance_registry::import::{self, ImportError, ImportOptions};
use surveillance_registry::progress::Progress;
use surveillance_registry::startup::{openapi_document, prepare_database, Application};
use surveillance_registry::store::audit::Actor;
use surveillance_registry::{backup, demo, telemetry};

fn main() -> ExitCode {
    // OpenSSL (libpq's TLS) is set up before any connection, without its exit handler: that
    // handler frees OpenSSL's tables while the worker threads' blocking threads, which used
    // PostgreSQL connections, are still freeing their per-thread OpenSSL state, and the race
    // aborted a server stopped by SIGTERM now and then ("double free or corruption").
    openssl_sys::init();
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
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    if let Command::Openapi = command {
        print!("{}", openapi_document());
        return Ok(());
    }
    let database_url: DatabaseUrl = cli.database_url.parse()?;
    let keys = cli
        .jwt_keys
        .as_deref()
        .map(KeySet::from_config)
        .transpose()?;
    let token_lifetime = Duration::from_secs(cli.token_lifetime);
    match command {
        Command::Openapi => unreachable!("handled above"),
        Command::Migrate => {
            prepare_database(&database_url, 1, !cli.without_public_data)?;
            tracing::info!(database = %database_url, "database is migrated and holds the reference data");
            Ok(())
        }
        Command::SeedDemo { scale } => {
            if !(scale > 0.0 && scale.is_finite()) {
                anyhow::bail!("--scale must be a positive number");
            }
            let database = prepare_database(&database_url, 1, !cli.without_public_data)?;
            let started = std::time::Instant::now();
            let mut conn = database.get()?;
            let bar = Progress::new("deployments and FOI requests");
            let report = demo::seed(
                &mut conn,
                &FoiCalendar::embedded(),
                scale,
                &mut |done, total| bar.update(done, total),
            )?;
            drop(bar);
            println!(
                "seeded the demo data: {} deployments ({} revisions), {} impact assessments, {} sources, \
                 {} campaigns, {} FOI requests ({} answers) in {:.1} s",
                report.deployments,
                report.revisions,
                report.impact_assessments,
                report.sources,
                report.campaigns,
                report.foi_requests,
                report.foi_answers,
                started.elapsed().as_secs_f64(),
            );
            Ok(())
        }
        Command::Import { file, dry_run } => {
            let database = prepare_database(&database_url, 1, !cli.without_public_data)?;
            let mut conn = database.get()?;
            let started = std::time::Instant::now();
            let bar = Progress::new("rows");
            let options = ImportOptions {
                dry_run,
                actor: Actor::system("Surveillance Disclosure Registry (import)"),
            };
            let outcome = import::run(
                &mut conn,
                &FoiCalendar::embedded(),
                &import::Input::File(&file),
                &options,
                &mut |done, total| bar.update(done, total),
            );
            drop(bar);
            match outcome {
                Ok(report) => {
                    let seconds = started.elapsed().as_secs_f64();
                    println!(
                        "{}{} rows: {} created, {} updated, {} unchanged, {} forces created ({:.0} rows/s)",
                        if dry_run { "dry run, nothing written: " } else { "" },
                        report.rows,
                        report.created,
                        report.updated,
                        report.unchanged,
                        report.forces_created,
                        report.rows as f64 / seconds.max(1e-9),
                    );
                    Ok(())
                }
                Err(ImportError::Rows(errors)) => {
                    for error in &errors {
                        eprintln!("{}:{}: {}", file.display(), error.line, error.reason);
                    }
                    anyhow::bail!(
                        "{} rows cannot be imported; nothing was written",
                        errors.len()
                    )
                }
                Err(ImportError::Read(error)) => {
                    anyhow::bail!("cannot read {}: {error}", file.display())
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Backup { file } => backup::backup(&database_url, &file),
        Command::Restore { file, force } => backup::restore(&database_url, &file, force),
        Command::Accounts { command } => {
            let db = prepare_database(&database_url, 1, !cli.without_public_data)?;
            let output = match command {
                AccountsCommand::Create(args) => commands::create_account(
                    &db,
                    CreateAccount {
                        password: if args.password_stdin {
                            Some(commands::read_password(std::io::stdin().lock())?)
                        } else {
                            None
                        },
                        username: args.username,
                        role: args.role,
                        forces: args.forces,
                        organisation: args.organisation,
                        display_name: args.display_name,
                    },
                )?,
                AccountsCommand::List => commands::list_accounts(&db)?,
            };
            print!("{output}");
            Ok(())
        }
        Command::Token { username } => {
            let keys = keys.ok_or_else(|| {
                anyhow::anyhow!(
                    "REGISTRY_JWT_KEYS is not set: a token signed with a throwaway key would be \
                     accepted by no server"
                )
            })?;
            let db = prepare_database(&database_url, 1, !cli.without_public_data)?;
            let tokens = Tokens::new(keys, cli.jwt_issuer, token_lifetime);
            print!("{}", commands::mint_token(&db, &tokens, &username)?);
            Ok(())
        }
        Command::Serve(serve) => {
            let settings = Settings {
                host: serve.host,
                port: serve.port,
                database_url,
                database_pool_size: serve.db_pool_size,
                workers: serve.workers,
                shutdown_timeout: serve.shutdown_timeout,
                cache_recheck: std::time::Duration::from_millis(serve.cache_recheck_ms),
                auth: AuthSettings {
                    keys,
                    issuer: cli.jwt_issuer,
                    token_lifetime,
                    trust_forwarded_for: serve.trust_forwarded_for,
                },
                limits: Limits {
                    body_timeout: Duration::from_secs(serve.body_timeout),
                    max_connections: serve.max_connections,
                    client_concurrency: serve.client_concurrency,
                    requests_per_minute: serve.rate_limit,
                    heavy_per_minute: serve.heavy_rate_limit,
                    writes_per_minute: serve.write_rate_limit,
                    concurrent_exports: serve.concurrent_exports as usize,
                },
                public_data: !cli.without_public_data,
            };
            actix_web::rt::System::new().block_on(async move {
                tracing::info!(%settings, "starting");
                let app = Application::build(settings).await?;
                tracing::info!(port = app.port(), "serving");
                app.run_until_signalled().await?;
                tracing::info!("stopped");
                Ok(())
            })
        }
    }
}
