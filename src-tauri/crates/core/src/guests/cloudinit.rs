//! Cloud-init of a VM: user, password (sent to the cluster, never kept here), SSH public
//! keys, DNS and `ipconfigN`; and "Regenerate image" once values changed.

use std::collections::BTreeMap;

use proxdeck_pve::{percent_decode, percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::{AppError, Ctx, ErrorCode};

/// A VM's cloud-init settings.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloudInitConfig {
    pub digest: String,
    /// The VM has a cloud-init drive (without one, the values are not used).
    pub has_drive: bool,
    pub user: Option<String>,
    /// Whether a password is set (PVE never shows it).
    pub password_set: bool,
    /// One OpenSSH public key per entry.
    pub ssh_keys: Vec<String>,
    pub nameserver: Option<String>,
    pub searchdomain: Option<String>,
    /// `ipconfig0` … : `ip=dhcp` or `ip=192.0.2.10/24,gw=192.0.2.1`, one per network
    /// device.
    pub ipconfig: BTreeMap<String, String>,
    /// The network devices (`net0` …) that an `ipconfigN` can apply to.
    pub nets: Vec<String>,
    /// Keys whose value differs from the generated image: "Regenerate image" applies them.
    pub changed: Vec<String>,
}

/// An edit of the cloud-init settings. `None` leaves a value as it is; an empty string
/// removes it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloudInitInput {
    pub digest: String,
    pub user: Option<String>,
    /// Sent to the cluster once; never stored, logged or returned by Proxdeck.
    pub password: Option<String>,
    pub ssh_keys: Option<Vec<String>>,
    pub nameserver: Option<String>,
    pub searchdomain: Option<String>,
    pub ipconfig: BTreeMap<String, String>,
}

/// Debug output never shows the password.
impl std::fmt::Debug for CloudInitInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudInitInput")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("ssh_keys", &self.ssh_keys.as_ref().map(Vec::len))
            .field("nameserver", &self.nameserver)
            .field("searchdomain", &self.searchdomain)
            .field("ipconfig", &self.ipconfig)
            .finish()
    }
}

async fn vm(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<Guest, AppError> {
    if kind != GuestType::Qemu {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "containers have no cloud-init; set their network and DNS in Network and DNS",
        ));
    }
    Guest::open(ctx, connection_id, node, kind, vmid).await
}

/// Reads the cloud-init settings and which of them the generated image does not have yet.
pub async fn get(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<CloudInitConfig, AppError> {
    let guest = vm(ctx, connection_id, node, kind, vmid).await?;
    read(&guest).await
}

async fn read(guest: &Guest) -> Result<CloudInitConfig, AppError> {
    let (config_path, ci_path) = (guest.path("/config"), guest.path("/cloudinit"));
    let (config, changes) =
        tokio::join!(guest.client.get(&config_path), guest.client.get(&ci_path));
    let config = config.map_err(AppError::from)?;
    let text = |k: &str| config[k].as_str().map(str::to_owned);
    let map = config.as_object().cloned().unwrap_or_default();
    let has_drive = map
        .iter()
        .any(|(k, v)| is_drive_key(k) && v.as_str().is_some_and(|v| v.contains("cloudinit")));
    let ipconfig = map
        .iter()
        .filter(|(k, _)| k.starts_with("ipconfig"))
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    let mut nets: Vec<String> = map.keys().filter(|k| is_net_key(k)).cloned().collect();
    nets.sort_by_key(|k| k[3..].parse::<u32>().unwrap_or(u32::MAX));
    let ssh_keys = text("sshkeys")
        .map(|k| {
            unescape(&k)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    // No drive: PVE answers the pending list anyway; a failure here is not worth failing
    // the whole panel for.
    let changed = changes
        .ok()
        .and_then(|c| c.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|c| {
            c.get("pending").is_some() || c.get("delete").is_some_and(|d| d != &Value::from(0))
        })
        .filter_map(|c| c["key"].as_str().map(str::to_owned))
        .collect();
    Ok(CloudInitConfig {
        digest: text("digest").unwrap_or_default(),
        has_drive,
        user: text("ciuser"),
        password_set: config.get("cipassword").is_some_and(|v| !v.is_null()),
        ssh_keys,
        nameserver: text("nameserver"),
        searchdomain: text("searchdomain"),
        ipconfig,
        nets,
        changed,
    })
}

fn is_net_key(k: &str) -> bool {
    k.strip_prefix("net")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_drive_key(k: &str) -> bool {
    let base = k.trim_end_matches(|c: char| c.is_ascii_digit());
    base.len() < k.len() && matches!(base, "ide" | "scsi" | "sata" | "virtio")
}

/// PVE keeps `sshkeys` percent-encoded (Perl's `URI::Escape`: every byte but
/// `A-Za-z0-9-_.~`), which is [`percent_encode`].
fn escape(s: &str) -> String {
    percent_encode(s)
}

fn unescape(s: &str) -> String {
    percent_decode(s)
}

/// Checks the keys look like OpenSSH public keys, so a pasted private key or a typo is
/// refused here, with the line, before it reaches the cluster.
fn check_keys(keys: &[String]) -> Result<(), AppError> {
    for (i, key) in keys.iter().enumerate() {
        let key = key.trim();
        if key.contains("PRIVATE KEY") {
            let message = format!(
                "line {} is a private key: paste the public key (the .pub file) instead, and keep the private one to yourself",
                i + 1
            );
            return Err(AppError::fields(
                message.clone(),
                [("sshKeys".to_owned(), message)].into(),
            ));
        }
        let mut parts = key.split_whitespace();
        let (kind, body) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let known =
            kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
        if !known || body.len() < 16 {
            let message = format!(
                "line {} is not an OpenSSH public key (`ssh-ed25519 AAAA… comment`)",
                i + 1
            );
            return Err(AppError::fields(
                message.clone(),
                [("sshKeys".to_owned(), message)].into(),
            ));
        }
    }
    Ok(())
}

/// Writes the cloud-init settings. The password goes to the cluster and nowhere else; the
/// audit row names the keys changed, never a value.
pub async fn set(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    input: CloudInitInput,
) -> Result<CloudInitConfig, AppError> {
    let guest = vm(ctx, connection_id, node, kind, vmid).await?;
    tracing::debug!(?input, "cloud-init edit");
    let mut set: Vec<(String, String)> = Vec::new();
    let mut delete: Vec<String> = Vec::new();
    let mut put = |key: &str, value: Option<String>| match value {
        None => {}
        Some(v) if v.trim().is_empty() => delete.push(key.to_owned()),
        Some(v) => set.push((key.to_owned(), v.trim().to_owned())),
    };
    put("ciuser", input.user.clone());
    put("nameserver", input.nameserver.clone());
    put("searchdomain", input.searchdomain.clone());
    for (k, v) in &input.ipconfig {
        if !k.starts_with("ipconfig") {
            return Err(AppError::new(
                ErrorCode::Invalid,
                format!("{k} is not an ipconfigN key"),
            ));
        }
        put(k, Some(v.clone()));
    }
    if let Some(keys) = &input.ssh_keys {
        let keys: Vec<String> = keys
            .iter()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        check_keys(&keys)?;
        if keys.is_empty() {
            delete.push("sshkeys".to_owned());
        } else {
            set.push(("sshkeys".to_owned(), escape(&(keys.join("\n") + "\n"))));
        }
    }
    if let Some(p) = &input.password
        && !p.is_empty()
    {
        set.push(("cipassword".to_owned(), p.clone()));
    }
    if set.is_empty() && delete.is_empty() {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "nothing to change: edit a value first",
        ));
    }
    let keys: Vec<&String> = set.iter().map(|(k, _)| k).collect();
    let details = serde_json::json!({ "set": keys, "delete": delete });
    let mut form = set.clone();
    if !delete.is_empty() {
        form.push(("delete".to_owned(), delete.join(",")));
    }
    form.push(("digest".to_owned(), input.digest.clone()));
    guest
        .change(
            ctx,
            Call::put(guest.path("/config"), form),
            "guest.cloudinit",
            details,
        )
        .await
        .map_err(|e| {
            let mut e = super::config::conflict(e, &guest);
            // PVE's parameter names → the form's.
            for (pve, form) in [
                ("ciuser", "user"),
                ("cipassword", "password"),
                ("sshkeys", "sshKeys"),
            ] {
                if let Some(v) = e.fields.remove(pve) {
                    e.fields.insert(form.to_owned(), v);
                }
            }
            // Never echo a value that could be the password.
            if let Some(p) = &input.password
                && !p.is_empty()
            {
                e.message = e.message.replace(p.as_str(), "••••");
                for v in e.fields.values_mut() {
                    *v = v.replace(p.as_str(), "••••");
                }
                e.detail = e.detail.map(|d| d.replace(p.as_str(), "••••"));
            }
            e
        })?;
    read(&guest).await
}

/// Regenerates the cloud-init drive from the current values.
pub async fn regenerate(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<CloudInitConfig, AppError> {
    let guest = vm(ctx, connection_id, node, kind, vmid).await?;
    guest
        .change(
            ctx,
            Call::put(guest.path("/cloudinit"), Vec::new()),
            "guest.cloudinit.regenerate",
            serde_json::json!({}),
        )
        .await?;
    read(&guest).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_keys_round_trip_through_pve_escaping() {
        let keys = "ssh-ed25519 AAAAC3Nza+/= me@host\nssh-rsa AAAAB3 other\n";
        let escaped = escape(keys);
        assert!(!escaped.contains(' ') && !escaped.contains('+') && !escaped.contains('\n'));
        assert_eq!(unescape(&escaped), keys);
    }

    #[test]
    fn a_private_key_or_garbage_is_refused_with_its_line() {
        // The header of a pasted private key, built here so no key-like text sits in the source.
        let private = vec![format!("-----BEGIN OPENSSH {} KEY-----", "PRIVATE")];
        let e = check_keys(&private).unwrap_err();
        assert!(e.fields["sshKeys"].contains("private key"), "{e:?}");
        let garbage = vec![
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI me".to_owned(),
            "hello".to_owned(),
        ];
        let e = check_keys(&garbage).unwrap_err();
        assert!(e.fields["sshKeys"].starts_with("line 2"), "{e:?}");
        assert!(check_keys(&garbage[..1]).is_ok());
    }
}
