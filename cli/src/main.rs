//! `paas`: the whole platform on one machine, and operator commands.

use clap::{Parser, Subcommand};
use paas_cli::{browser_headers, operators, serve};
use paas_core::store::tables;
use paas_core::{Config, state, telemetry};

#[derive(Parser)]
#[command(name = "paas", version, about = "Multi-tenant agent platform: local runner and operator commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every function's routes and the web app from one local process.
    Serve {
        /// Address to listen on (overrides PAAS_BIND).
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
        /// Directory for the SQLite file and local secrets (overrides PAAS_DATA_DIR).
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// The table definitions shared by the SQLite store, DynamoDB and template.yaml.
    Tables {
        #[command(subcommand)]
        command: TablesCommand,
    },
    /// Platform operators: people who manage tenants, outside every tenant.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Every route each function serves, as JSON (for checking template.yaml).
    Routes,
    /// The OpenAPI description the local runner serves at /openapi.json (the web app's API types come from it).
    Openapi,
    /// The security headers every response carries, as JSON (for checking template.yaml).
    BrowserHeaders,
    /// Access-token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum TablesCommand {
    /// Create the tables on the configured DynamoDB endpoint (PAAS_DYNAMODB_ENDPOINT, PAAS_TABLE_PREFIX).
    Create,
    /// Print the table definitions as JSON.
    Schema,
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create a platform operator. The password comes from PAAS_OPERATOR_PASSWORD only, so it stays out of
    /// shell history and process lists.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new signing key; older keys keep verifying the tokens they signed until those expire.
    Rotate {
        /// Drop every older key now (a leaked key): its tokens stop verifying within
        /// PAAS_KEY_REFRESH_SECS everywhere, and their users log in again.
        #[arg(long)]
        drop_old: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    paas_core::allocator::tune();
    let cli = Cli::parse();
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { bind, data_dir } => {
            // Someone reads these logs in a terminal; JSON stays the default where machines read them.
            if std::env::var_os("PAAS_LOG_FORMAT").is_none() {
                config.log_format = paas_core::config::LogFormat::Pretty;
            }
            config.bind = bind.unwrap_or(config.bind);
            config.data_dir = data_dir.unwrap_or(config.data_dir);
            telemetry::init(&config);
            serve::run(config).await
        }
        Command::Tables { command: TablesCommand::Create } => {
            let store = state::dynamo_store(&config, &paas_core::aws::ambient(&config).await);
            store.create_tables(tables::ALL).await?;
            println!("created {} tables with prefix {:?}", tables::ALL.len(), config.table_prefix);
            Ok(())
        }
        Command::Tables { command: TablesCommand::Schema } => {
            println!("{}", serde_json::to_string_pretty(tables::ALL)?);
            Ok(())
        }
        Command::Operator { command: OperatorCommand::Create { email, name } } => {
            let password = std::env::var("PAAS_OPERATOR_PASSWORD")
                .map_err(|_| anyhow::anyhow!("set PAAS_OPERATOR_PASSWORD to the new operator's password"))?;
            let user = operators::create_operator(config, &email, &password, name).await?;
            println!("created platform operator {} ({})", user.email, user.user_id);
            Ok(())
        }
        Command::Routes => {
            println!("{}", serde_json::to_string_pretty(&serve::routes_by_function())?);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&serve::openapi())?);
            Ok(())
        }
        Command::BrowserHeaders => {
            let headers: std::collections::BTreeMap<_, _> = browser_headers::HEADERS.into_iter().collect();
            println!("{}", serde_json::to_string_pretty(&headers)?);
            Ok(())
        }
        Command::Keys { command: KeysCommand::Rotate { drop_old } } => {
            let kid = operators::rotate_signing_key(config, drop_old).await?;
            println!("new signing key {kid}");
            Ok(())
        }
    }
}
