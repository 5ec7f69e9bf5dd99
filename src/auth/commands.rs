//! The `accounts` and `token` commands: run against `DATABASE_URL` by an operator, for instance to
//! create the first admin of a fresh installation. Each returns the text to print.

use anyhow::{bail, Context};

use super::{Password, Tokens};
use crate::db::Database;
use crate::domain::{Role, Slug, Username};
use crate::store::accounts::{self, NewAccount};
use crate::store::audit::{Actor, Stamp};

/// Who the change log names for writes made from the command line.
const OPERATOR: &str = "registry operator (command line)";

/// What `accounts create` was given.
pub struct CreateAccount {
    pub username: String,
    pub role: Role,
    pub forces: Vec<String>,
    pub organisation: String,
    pub display_name: Option<String>,
    /// `None`: generate one and print it.
    pub password: Option<Password>,
}

/// Creates an account; prints its id, and the password when one was generated.
pub fn create_account(db: &Database, args: CreateAccount) -> anyhow::Result<String> {
    let username: Username = args.username.parse()?;
    let forces = args
        .forces
        .iter()
        .map(|f| f.parse::<Slug>())
        .collect::<Result<Vec<_>, _>>()?;
    let (password, generated) = Password::given_or_generated(args.password)
        .map_err(|weakness| anyhow::anyhow!("the password {weakness}"))?;
    let new = NewAccount {
        display_name: args.display_name.unwrap_or_else(|| username.to_string()),
        username,
        organisation: args.organisation,
        role: args.role,
        forces,
        password_hash: password.hash().context("cannot hash the password")?,
    };
    let stamp = Stamp::now(Actor::system(OPERATOR));
    let mut conn = db.get()?;
    let account = accounts::create(&mut conn, &stamp, new)?;
    let mut out = format!(
        "created account {} ({}, role {}, id {})\n",
        account.username, account.display_name, account.role, account.id
    );
    if generated {
        out.push_str(&format!(
            "generated password (shown once): {}\n",
            password.reveal()
        ));
    }
    Ok(out)
}

/// Every account, one per line: username, role, forces, state, id.
pub fn list_accounts(db: &Database) -> anyhow::Result<String> {
    let mut conn = db.get()?;
    let mut out = String::new();
    let mut after = None;
    loop {
        let page = accounts::list(
            &mut conn,
            &crate::store::PageRequest {
                limit: 500,
                after,
                count: false,
            },
        )?;
        for a in &page.items {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\n",
                a.username,
                a.role,
                if a.forces.is_empty() {
                    "-".to_owned()
                } else {
                    a.forces.join(",")
                },
                if a.disabled { "disabled" } else { "active" },
                a.id
            ));
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

/// A token for `username`, for scripts; only the token is printed.
pub fn mint_token(db: &Database, tokens: &Tokens, username: &str) -> anyhow::Result<String> {
    let mut conn = db.get()?;
    let account = accounts::get_by_username(&mut conn, username)?;
    if account.disabled {
        bail!("account {username} is disabled");
    }
    Ok(format!("{}\n", tokens.issue(&account)?.token))
}

/// A password piped in on standard input, without its trailing newline.
pub fn read_password(mut input: impl std::io::Read) -> anyhow::Result<Password> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    Ok(Password::new(text))
}
