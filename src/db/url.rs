//! Which database a `DATABASE_URL` names, decided from its scheme before anything connects, so a
//! mistyped PostgreSQL URL can never silently become a new SQLite file.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A parsed `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file (created on first start).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, passed to libpq as given.
    Postgres(String),
}

/// Why a `DATABASE_URL` was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error("DATABASE_URL is empty")]
    Empty,
    #[error("DATABASE_URL scheme `{0}` is not supported: use a file path, sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedScheme(String),
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    InvalidPostgres(String),
    #[error("DATABASE_URL names no SQLite file path")]
    MissingSqlitePath,
    #[error("DATABASE_URL `{0}` looks like a mistyped PostgreSQL URL (write postgres://USER@HOST/DB); to use a SQLite file of that name write sqlite://{0}")]
    Mistyped(String),
    #[error("DATABASE_URL names no database: add one to its path (postgres://USER@HOST/DB)")]
    MissingDatabase,
    #[error("DATABASE_URL names `{0}`, one of PostgreSQL's own databases: give the registry a database of its own (CREATE DATABASE registry)")]
    MaintenanceDatabase(String),
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        let Some((scheme, rest)) = raw.split_once("://") else {
            // `postgres//host/db` or `postgres:/host/db` is a typo, not a file to create.
            if raw.to_ascii_lowercase().starts_with("postgres") {
                return Err(DatabaseUrlError::Mistyped(raw.to_owned()));
            }
            return match raw.strip_prefix("sqlite:") {
                Some("") => Err(DatabaseUrlError::MissingSqlitePath),
                Some(path) => Ok(Self::Sqlite(path.into())),
                None => Ok(Self::Sqlite(raw.into())),
            };
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" if rest.is_empty() => Err(DatabaseUrlError::MissingSqlitePath),
            "sqlite" => Ok(Self::Sqlite(rest.into())),
            "postgres" | "postgresql" => {
                let parsed = url::Url::parse(raw)
                    .map_err(|e| DatabaseUrlError::InvalidPostgres(e.to_string()))?;
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(DatabaseUrlError::InvalidPostgres("it names no host".into()));
                }
                let database = parsed.path().trim_start_matches('/');
                if database.is_empty() {
                    return Err(DatabaseUrlError::MissingDatabase);
                }
                if database == "postgres" || database.starts_with("template") {
                    return Err(DatabaseUrlError::MaintenanceDatabase(database.to_owned()));
                }
                Ok(Self::Postgres(raw.to_owned()))
            }
            other => Err(DatabaseUrlError::UnsupportedScheme(other.to_owned())),
        }
    }
}

impl DatabaseUrl {
    /// The backend's name, as shown in logs and `/readyz`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Shows the URL with any password replaced, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("********"));
                    write!(f, "{parsed}")
                }
                _ => f.write_str(raw),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_are_refused_not_guessed() {
        for (raw, error) in [
            (
                "postgres//oops",
                DatabaseUrlError::Mistyped("postgres//oops".into()),
            ),
            (
                "postgres:/host/db",
                DatabaseUrlError::Mistyped("postgres:/host/db".into()),
            ),
            (
                "postgres://postgres@127.0.0.1:5432",
                DatabaseUrlError::MissingDatabase,
            ),
            (
                "postgres://postgres@127.0.0.1:5432/",
                DatabaseUrlError::MissingDatabase,
            ),
            (
                "postgres://u@h/postgres",
                DatabaseUrlError::MaintenanceDatabase("postgres".into()),
            ),
            (
                "postgresql://u@h/template1",
                DatabaseUrlError::MaintenanceDatabase("template1".into()),
            ),
        ] {
            assert_eq!(raw.parse::<DatabaseUrl>(), Err(error), "{raw}");
        }
        assert!("postgres://u@h/registry".parse::<DatabaseUrl>().is_ok());
    }

    #[test]
    fn paths_and_sqlite_urls_name_files() {
        for (raw, path) in [
            ("data/registry.db", "data/registry.db"),
            ("sqlite://data/registry.db", "data/registry.db"),
            ("sqlite:///var/lib/registry.db", "/var/lib/registry.db"),
            ("sqlite:registry.db", "registry.db"),
        ] {
            assert_eq!(raw.parse(), Ok(DatabaseUrl::Sqlite(path.into())), "{raw}");
        }
    }

    #[test]
    fn postgres_urls_are_checked_and_passwords_hidden() {
        let url: DatabaseUrl = "postgres://u:secret@db:5432/registry?sslmode=require"
            .parse()
            .unwrap();
        assert_eq!(url.backend(), "postgres");
        assert!(!url.to_string().contains("secret"));
        assert!(matches!(
            "postgres://".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::InvalidPostgres(_))
        ));
        assert_eq!(
            "mysql://x/y".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::UnsupportedScheme("mysql".into()))
        );
        assert_eq!("".parse::<DatabaseUrl>(), Err(DatabaseUrlError::Empty));
    }
}
