//! How requests authenticate, and reading the API-token strings users paste.
//!
//! PVE writes a token as `user@realm!tokenname=secret` (header `PVEAPIToken=…`), PBS as
//! `user@realm!tokenname:secret` (header `PBSAPIToken=…`).

use crate::PveError;

/// PVE's API token form, as error messages state it.
pub const PVE_TOKEN_FORMAT: &str = "user@realm!tokenname=secret";
/// PBS's API token form, as error messages state it.
pub const PBS_TOKEN_FORMAT: &str = "user@realm!tokenname:secret";

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    /// A PVE API token: `user@realm!id` and its secret.
    PveToken { id: String, secret: String },
    /// A PBS API token: sent as `PBSAPIToken=user@realm!id:secret`.
    PbsToken { id: String, secret: String },
    /// `user@realm` and password: a ticket login (PVE or PBS, by `product`).
    Password {
        product: Product,
        username: String,
        password: String,
    },
}

/// Which API a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Pve,
    Pbs,
}

impl Product {
    pub(crate) fn cookie(self) -> &'static str {
        match self {
            Product::Pve => "PVEAuthCookie",
            Product::Pbs => "PBSAuthCookie",
        }
    }

    /// "Proxmox VE" or "Proxmox Backup Server".
    pub fn display_name(self) -> &'static str {
        match self {
            Product::Pve => "Proxmox VE",
            Product::Pbs => "Proxmox Backup Server",
        }
    }

    /// The API's HTTPS port: 8006 (PVE) or 8007 (PBS).
    pub fn default_port(self) -> u16 {
        match self {
            Product::Pve => 8006,
            Product::Pbs => 8007,
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::PveToken { id, .. } => write!(f, "PveToken({id}, <secret>)"),
            Auth::PbsToken { id, .. } => write!(f, "PbsToken({id}, <secret>)"),
            Auth::Password {
                product, username, ..
            } => write!(f, "Password({product:?}, {username}, <password>)"),
        }
    }
}

impl Auth {
    /// Reads a PVE token written `user@realm!tokenname=secret` (a leading `PVEAPIToken=`,
    /// as copied from a header, is allowed). The error says the expected form and never
    /// repeats the input, which holds the secret.
    pub fn pve_token_from_str(text: &str) -> Result<Self, PveError> {
        let (id, secret) = parse_token(text, Product::Pve)?;
        Ok(Auth::PveToken { id, secret })
    }

    /// Reads a PBS token written `user@realm!tokenname:secret` (a leading `PBSAPIToken=`
    /// is allowed).
    pub fn pbs_token_from_str(text: &str) -> Result<Self, PveError> {
        let (id, secret) = parse_token(text, Product::Pbs)?;
        Ok(Auth::PbsToken { id, secret })
    }

    /// The API this authentication is for.
    pub fn product(&self) -> Product {
        match self {
            Auth::PveToken { .. } => Product::Pve,
            Auth::PbsToken { .. } => Product::Pbs,
            Auth::Password { product, .. } => *product,
        }
    }

    /// Checks the parts a client can check before sending anything.
    pub(crate) fn check(&self) -> Result<(), PveError> {
        let (product, id, secret) = match self {
            Auth::PveToken { id, secret } => (Product::Pve, id, secret),
            Auth::PbsToken { id, secret } => (Product::Pbs, id, secret),
            Auth::Password { username, .. } => {
                return check_userid(username).map_err(|why| {
                    PveError::Config(format!(
                        "`{username}` is not a user: {why}; the format is user@realm"
                    ))
                });
            }
        };
        let format = token_format(product);
        let (user, name) = id.split_once('!').ok_or_else(|| {
            PveError::Config(format!(
                "the token ID `{id}` has no token name: the format is user@realm!tokenname"
            ))
        })?;
        check_userid(user)
            .and_then(|()| check_token_name(name))
            .map_err(|why| PveError::Config(format!("the token ID `{id}`: {why}")))?;
        if secret.trim().is_empty() {
            return Err(PveError::Config(format!(
                "the API token has no secret; the format is {format}"
            )));
        }
        Ok(())
    }
}

fn token_format(product: Product) -> &'static str {
    match product {
        Product::Pve => PVE_TOKEN_FORMAT,
        Product::Pbs => PBS_TOKEN_FORMAT,
    }
}

fn parse_token(text: &str, product: Product) -> Result<(String, String), PveError> {
    let (prefix, separator, other) = match product {
        Product::Pve => ("PVEAPIToken=", '=', ':'),
        Product::Pbs => ("PBSAPIToken=", ':', '='),
    };
    let format = token_format(product);
    let what = match product {
        Product::Pve => "a PVE API token",
        Product::Pbs => "a PBS API token",
    };
    let bad = |why: String| {
        PveError::Config(format!("this is not {what}: {why}; the format is {format}"))
    };
    let text = text.trim();
    let text = text.strip_prefix(prefix).unwrap_or(text);
    let (user, rest) = text
        .split_once('!')
        .ok_or_else(|| bad("the `!tokenname` after user@realm is missing".into()))?;
    check_userid(user).map_err(&bad)?;
    let Some((name, secret)) = rest.split_once(separator) else {
        let hint = if rest.contains(other) {
            format!(
                "{} separates the secret with `{separator}`, not `{other}`",
                product.display_name()
            )
        } else {
            format!("the `{separator}secret` after the token name is missing")
        };
        return Err(bad(hint));
    };
    check_token_name(name).map_err(&bad)?;
    if secret.is_empty() {
        return Err(bad("the secret is empty".into()));
    }
    if secret.chars().any(char::is_whitespace) {
        return Err(bad("the secret contains spaces".into()));
    }
    Ok((format!("{user}!{name}"), secret.to_owned()))
}

/// `user@realm`: both parts present, no spaces.
fn check_userid(user: &str) -> Result<(), String> {
    match user.rsplit_once('@') {
        Some((name, realm)) if !name.is_empty() && !realm.is_empty() => {
            if user
                .chars()
                .any(|c| c.is_whitespace() || c == ':' || c == '!')
            {
                Err(format!(
                    "`{user}` contains characters a user ID cannot have"
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(format!("`{user}` is not user@realm (for example root@pam)")),
    }
}

/// PVE: `[A-Za-z][A-Za-z0-9._-]+`; PBS also lets it start with a digit or `_`.
fn check_token_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the token name is empty".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "the token name `{name}` may only contain letters, digits, `.`, `_` and `-`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(a: Auth) -> (String, String) {
        match a {
            Auth::PveToken { id, secret } | Auth::PbsToken { id, secret } => (id, secret),
            Auth::Password { .. } => unreachable!(),
        }
    }

    #[test]
    fn tokens_are_read_in_each_products_form() {
        assert_eq!(
            parts(Auth::pve_token_from_str(" root@pam!proxdeck=1234-abcd ").unwrap()),
            ("root@pam!proxdeck".into(), "1234-abcd".into())
        );
        assert_eq!(
            parts(Auth::pve_token_from_str("PVEAPIToken=ops@pve!ci.bot=s3cr=t").unwrap()),
            ("ops@pve!ci.bot".into(), "s3cr=t".into())
        );
        assert_eq!(
            parts(Auth::pbs_token_from_str("backup@pbs!host-1:abcd").unwrap()),
            ("backup@pbs!host-1".into(), "abcd".into())
        );
    }

    #[test]
    fn a_malformed_token_says_the_format_and_hides_the_secret() {
        for (text, why) in [
            ("root@pam=topsecret", "`!tokenname`"),
            ("root!x=topsecret", "not user@realm"),
            ("root@pam!x:topsecret", "separates the secret with `=`"),
            ("root@pam!x", "`=secret`"),
            ("root@pam!=topsecret", "token name is empty"),
            ("root@pam!x y=topsecret", "may only contain"),
            ("root@pam!x=", "secret is empty"),
        ] {
            let e = Auth::pve_token_from_str(text).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, PveError::Config(_)), "{text}: {e:?}");
            assert!(msg.contains(why), "{text}: {msg}");
            assert!(msg.contains(PVE_TOKEN_FORMAT), "{text}: {msg}");
            assert!(!msg.contains("topsecret"), "{text}: {msg}");
        }
        let msg = Auth::pbs_token_from_str("root@pam!x=topsecret")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("separates the secret with `:`"), "{msg}");
        assert!(msg.contains(PBS_TOKEN_FORMAT), "{msg}");
        assert!(!msg.contains("topsecret"), "{msg}");
    }

    #[test]
    fn a_client_refuses_a_token_id_without_its_parts() {
        let bad = Auth::PveToken {
            id: "root@pam".into(),
            secret: "s".into(),
        };
        assert!(
            bad.check()
                .unwrap_err()
                .to_string()
                .contains("user@realm!tokenname")
        );
        let bad = Auth::Password {
            product: Product::Pve,
            username: "root".into(),
            password: "x".into(),
        };
        assert!(bad.check().unwrap_err().to_string().contains("user@realm"));
    }
}
