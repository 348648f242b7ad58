//! Authentication as PVE does it: tickets signed by the cluster (2 h lifetime, renewed by
//! logging in with the ticket as password), CSRF prevention tokens bound to the user and
//! the ticket's time, API tokens in the `Authorization` header, and TOTP second factors.
//!
//! Real PVE signs tickets with the cluster's RSA key; an HMAC over the same fields keeps the
//! same rules (tamper-proof, bound to user and time) without the key handling.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::perms::Principal;

/// A ticket is valid this long after it was issued.
pub const TICKET_LIFETIME: i64 = 2 * 3600;
/// And not if it claims to come from further than this in the future (clock skew).
const MAX_SKEW: i64 = 300;

#[derive(Clone)]
pub struct Keys {
    secret: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<secret>)")
    }
}

impl Keys {
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        fill_random(&mut secret);
        Self { secret }
    }

    fn sign(&self, data: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        mac.update(data.as_bytes());
        B64.encode(mac.finalize().into_bytes())
    }

    /// `PVE:{userid}:{HEXTIME}::{signature}` — PVE's layout.
    pub fn ticket(&self, userid: &str, now: i64) -> String {
        let plain = format!("PVE:{userid}:{now:08X}");
        let sig = self.sign(&plain);
        format!("{plain}::{sig}")
    }

    /// A half-ticket for a user who still owes the second factor: PVE marks it `!tfa!`.
    pub fn tfa_challenge(&self, userid: &str, now: i64) -> String {
        let plain = format!("PVE:!tfa!{userid}:{now:08X}");
        let sig = self.sign(&plain);
        format!("{plain}::{sig}")
    }

    /// The user of a valid ticket issued at or after `not_before`.
    pub fn verify_ticket(&self, ticket: &str, now: i64, not_before: i64) -> Option<String> {
        self.verify(ticket, now, not_before)
            .filter(|user| !user.starts_with("!tfa!"))
    }

    pub fn verify_tfa_challenge(&self, ticket: &str, now: i64) -> Option<String> {
        self.verify(ticket, now, i64::MIN)?
            .strip_prefix("!tfa!")
            .map(str::to_owned)
    }

    fn verify(&self, ticket: &str, now: i64, not_before: i64) -> Option<String> {
        let (plain, sig) = ticket.split_once("::")?;
        if !constant_time_eq(self.sign(plain).as_bytes(), sig.as_bytes()) {
            return None;
        }
        let rest = plain.strip_prefix("PVE:")?;
        let (user, hex_time) = rest.rsplit_once(':')?;
        let issued = i64::from_str_radix(hex_time, 16).ok()?;
        let age = now - issued;
        ((-MAX_SKEW..=TICKET_LIFETIME).contains(&age) && issued >= not_before)
            .then(|| user.to_owned())
    }

    /// `{HEXTIME}:{signature}` over the time and the user.
    pub fn csrf_token(&self, userid: &str, now: i64) -> String {
        let stamp = format!("{now:08X}");
        let sig = self.sign(&format!("{stamp}:{userid}"));
        format!("{stamp}:{sig}")
    }

    pub fn verify_csrf(&self, token: &str, userid: &str, now: i64) -> bool {
        let Some((stamp, sig)) = token.split_once(':') else {
            return false;
        };
        let Ok(issued) = i64::from_str_radix(stamp, 16) else {
            return false;
        };
        let age = now - issued;
        constant_time_eq(
            self.sign(&format!("{stamp}:{userid}")).as_bytes(),
            sig.as_bytes(),
        ) && (-MAX_SKEW..=TICKET_LIFETIME).contains(&age)
    }
}

/// How a request says who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    None,
    Ticket {
        ticket: String,
        csrf: Option<String>,
    },
    /// `PVEAPIToken=USER@REALM!ID=SECRET` (PBS: `PBSAPIToken=USER@REALM!ID:SECRET`).
    Token {
        tokenid: String,
        secret: String,
    },
    /// An Authorization header we could not read.
    Malformed,
}

/// Reads the credentials of a request. `product` is `PVE` or `PBS`, which differ in the
/// header name and the separator before the secret.
pub fn presented(
    product: &str,
    authorization: Option<&str>,
    cookie: Option<&str>,
    csrf: Option<&str>,
) -> Presented {
    if let Some(auth) = authorization {
        let prefix = format!("{product}APIToken=");
        let Some(rest) = auth.trim().strip_prefix(&prefix) else {
            return Presented::Malformed;
        };
        let sep = if product == "PBS" { ':' } else { '=' };
        // The token id contains no separator; the secret may (PBS secrets are UUIDs).
        let Some(bang) = rest.find('!') else {
            return Presented::Malformed;
        };
        let Some(sep_at) = rest[bang..].find(sep).map(|i| i + bang) else {
            return Presented::Malformed;
        };
        return Presented::Token {
            tokenid: rest[..sep_at].to_owned(),
            secret: rest[sep_at + 1..].to_owned(),
        };
    }
    let cookie_name = format!("{product}AuthCookie");
    let ticket = cookie.and_then(|c| {
        c.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == cookie_name).then(|| percent_decode(v))
        })
    });
    match ticket {
        Some(ticket) => Presented::Ticket {
            ticket,
            csrf: csrf.map(str::to_owned),
        },
        None => Presented::None,
    }
}

/// The principal behind a token id `user@realm!name`.
pub fn token_principal(tokenid: &str) -> Option<Principal> {
    let (userid, _) = tokenid.split_once('!')?;
    Some(Principal::Token {
        userid: userid.to_owned(),
        tokenid: tokenid.to_owned(),
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Random bytes from the OS without another dependency: `/dev/urandom` on Unix, and a
/// hash of time and address entropy elsewhere (the simulator is a test tool, not a vault).
pub(crate) fn fill_random(buf: &mut [u8]) {
    #[cfg(unix)]
    {
        use std::io::Read;
        if std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(buf))
            .is_ok()
        {
            return;
        }
    }
    use sha2::Digest;
    let seed = format!("{:?}{:p}", std::time::SystemTime::now(), &buf as *const _);
    let digest = sha2::Sha256::digest(seed.as_bytes());
    for (i, b) in buf.iter_mut().enumerate() {
        *b = digest[i % digest.len()];
    }
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) as PVE's TFA uses, accepting one step of skew.
pub fn totp_ok(base32_secret: &str, code: &str, now: i64) -> bool {
    let Some(key) = base32_decode(base32_secret) else {
        return false;
    };
    (-1..=1).any(|skew| totp_at(&key, now / 30 + skew) == code.trim())
}

pub fn totp_at(key: &[u8], counter: i64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    mac.update(&(counter as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin =
        u32::from_be_bytes([h[offset], h[offset + 1], h[offset + 2], h[offset + 3]]) & 0x7fff_ffff;
    format!("{:06}", bin % 1_000_000)
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in s.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        bits = (bits << 5) | v;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    Some(out)
}
