//! The login's privileges on a path, against the simulator: the demo datacenter's
//! full-admin token through the core (with its cache), and restricted tokens of a small
//! scenario through a client and the function that reads PVE's answer.

use std::time::Duration;

use proxdeck_core::paths::Paths;
use proxdeck_core::{Ctx, ErrorCode, demo, permissions};
use proxdeck_pve::{Auth, PveClient, Trust, percent_encode};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};

async fn demo_ctx(dir: &std::path::Path) -> Ctx {
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir))
        .open()
        .await
        .unwrap();
    demo::open(&ctx).await.unwrap();
    ctx
}

#[tokio::test]
async fn full_admin_token_holds_guest_privileges() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    // The demo's connections log in as root@pam!proxdeck, without privilege separation.
    let held = permissions::on_path(&ctx, "demo-prod", "/vms/100")
        .await
        .unwrap();
    for p in ["VM.PowerMgmt", "VM.Clone", "VM.Allocate", "VM.Snapshot"] {
        assert!(held.iter().any(|h| h == p), "{p} missing from {held:?}");
    }
    let root = permissions::on_path(&ctx, "demo-prod", "/").await.unwrap();
    assert!(root.iter().any(|h| h == "Sys.Console"), "{root:?}");
}

#[tokio::test]
async fn second_ask_is_answered_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let first = permissions::on_path(&ctx, "demo-prod", "/vms/101")
        .await
        .unwrap();
    // With the cluster switched off, only a cached answer can come back.
    demo::set_outage(&ctx, "demo-prod", true).await.unwrap();
    let second = permissions::on_path(&ctx, "demo-prod", "/vms/101")
        .await
        .unwrap();
    assert_eq!(first, second);
    let uncached = permissions::on_path(&ctx, "demo-prod", "/vms/102").await;
    assert_eq!(uncached.unwrap_err().code, ErrorCode::Unreachable);
}

#[tokio::test]
async fn backup_servers_and_bad_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let pbs = permissions::on_path(&ctx, "demo-pbs-backup", "/vms/100")
        .await
        .unwrap_err();
    assert_eq!(pbs.code, ErrorCode::Invalid);
    assert!(pbs.message.contains("PVE connections"), "{}", pbs.message);
    for bad in ["vms/100", "/vms/../access"] {
        let e = permissions::on_path(&ctx, "demo-prod", bad)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid, "{bad}");
    }
}

/// Token secrets are made per run, never written into the source.
fn secret() -> String {
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .unwrap();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn scenario(full: &str, auditor: &str, sep: &str) -> Scenario {
    Scenario::from_toml_str(&format!(
        r#"
[[clusters]]
name = "alpha"
nodes = [{{ name = "n1" }}]

[[clusters.guests]]
vmid = 100
name = "web-01"
node = "n1"
kind = "qemu"
status = "running"

[[clusters.users]]
userid = "root@pam"
password = "unused-root-pw"

[[clusters.users]]
userid = "auditor@pve"
password = "unused-auditor-pw"

[[clusters.acl]]
path = "/"
user = "auditor@pve"
role = "PVEAuditor"

[[clusters.acl]]
path = "/vms/100"
token = "root@pam!sep"
role = "PVEAuditor"

[[clusters.tokens]]
userid = "root@pam"
tokenid = "full"
secret = "{full}"
privsep = false

[[clusters.tokens]]
userid = "auditor@pve"
tokenid = "ro"
secret = "{auditor}"
privsep = false

[[clusters.tokens]]
userid = "root@pam"
tokenid = "sep"
secret = "{sep}"
privsep = true
"#
    ))
    .expect("the scenario parses")
}

#[tokio::test]
async fn restricted_tokens_lack_power_management() {
    let (full, auditor, sep) = (secret(), secret(), secret());
    let sim = Sim::start(scenario(&full, &auditor, &sep), SimOptions::default())
        .await
        .unwrap();
    let alpha = sim.cluster("alpha");
    // A counting rule: what its budget has left tells how many requests reached the sim.
    const BUDGET: u32 = 1_000_000;
    alpha
        .faults()
        .add(FaultRule::new("", Fault::Latency { ms: 0 }).times(BUDGET));
    let seen = || {
        alpha
            .faults()
            .rules()
            .iter()
            .map(|r| BUDGET - r.times.unwrap_or(BUDGET))
            .sum::<u32>()
    };
    let held = |id: &str, secret: &str| {
        let client = PveClient::new(
            &alpha.base_url(),
            &Trust::Pinned(alpha.fingerprint()),
            Auth::PveToken {
                id: id.to_owned(),
                secret: secret.to_owned(),
            },
            Duration::from_secs(5),
        )
        .unwrap();
        async move {
            let path = "/vms/100";
            let answer = client
                .get(&format!(
                    "/access/permissions?path={}",
                    percent_encode(path)
                ))
                .await
                .unwrap();
            permissions::privileges_in(&answer, path).unwrap()
        }
    };
    let has = |held: &[String], p: &str| held.iter().any(|h| h == p);

    let admin = held("root@pam!full", &full).await;
    assert!(has(&admin, "VM.PowerMgmt"), "{admin:?}");
    assert!(permissions::missing(&admin, &["VM.Clone", "VM.Allocate"], false).is_empty());

    let ro = held("auditor@pve!ro", &auditor).await;
    assert!(has(&ro, "VM.Audit"), "{ro:?}");
    assert!(!has(&ro, "VM.PowerMgmt"), "{ro:?}");
    assert_eq!(
        permissions::missing(&ro, &["VM.PowerMgmt"], false),
        ["VM.PowerMgmt"]
    );

    // Privilege separation: root's token holds only what its own ACL grants.
    let separated = held("root@pam!sep", &sep).await;
    assert!(has(&separated, "VM.Audit"), "{separated:?}");
    assert!(!has(&separated, "VM.PowerMgmt"), "{separated:?}");

    assert_eq!(seen(), 3, "one request per answer");
}
