//! Live cases: guest actions through a stored connection whose token is confined to a pool
//! (the demo's `operator@pve!ci`: privilege separation, CIDeployer on /pool/prod-web). Inside
//! its pool it starts a guest; outside, the cluster's 403 names the privilege and the path,
//! the refusal is audited, and the permission read said so beforehand.

use std::time::Duration;

use proxdeck_core::connections;
use proxdeck_core::guests::{self, PowerAction};
use proxdeck_core::monitor::GuestType;
use proxdeck_core::{ErrorCode, inventory, permissions};
use proxdeck_sim::scenario::DEMO_CI_TOKEN_SECRET;

use crate::common::{Case, sim, test_ctx, token_connection};

pub const CASES: &[Case] = &[
    (
        "guest_a_connection_bound_to_a_pool_shows_and_acts_on_that_pool_only_and_403s_name_the_privilege",
        || Box::pin(pool_bound()),
    ),
    (
        "guest_a_pool_confined_token_acts_in_its_pool_and_gets_a_named_403_outside",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let mut input = token_connection(&sim, "ci");
                input.token_id = format!("operator@pve!ci={DEMO_CI_TOKEN_SECRET}");
                let conn = connections::add(&t.ctx, input).await.unwrap();

                // 120 db1 (pool prod-db, running on pve1): outside the token's pool.
                let held = permissions::on_path(&t.ctx, &conn.id, "/vms/120")
                    .await
                    .unwrap();
                assert!(!held.iter().any(|p| p == "VM.PowerMgmt"), "{held:?}");
                let err = guests::power(
                    &t.ctx,
                    &conn.id,
                    "pve1",
                    GuestType::Qemu,
                    120,
                    PowerAction::Shutdown,
                )
                .await
                .unwrap_err();
                assert_eq!(err.code, ErrorCode::MissingPrivilege, "{err:?}");
                assert!(
                    err.message.contains("VM.PowerMgmt") && err.message.contains("/vms/120"),
                    "{err:?}"
                );
                let audit = t.ctx.db(|s| s.audit_list(None, 20)).await.unwrap();
                let refused = audit
                    .iter()
                    .find(|r| r.entry.action == "guest.shutdown")
                    .expect("the refusal is audited");
                assert_eq!(refused.entry.target, "ci/qemu/120");
                assert!(refused.entry.outcome.starts_with("failed: "), "{refused:?}");
                // Nothing of the token's secret in the audit log.
                assert!(!format!("{audit:?}").contains(DEMO_CI_TOKEN_SECRET));

                // 113 web4 (pool prod-web, stopped on pve3): inside it, the start runs.
                let held = permissions::on_path(&t.ctx, &conn.id, "/vms/113")
                    .await
                    .unwrap();
                assert!(held.iter().any(|p| p == "VM.PowerMgmt"), "{held:?}");
                let task = guests::power(
                    &t.ctx,
                    &conn.id,
                    "pve3",
                    GuestType::Qemu,
                    113,
                    PowerAction::Start,
                )
                .await
                .unwrap();
                assert_eq!(task.description, "VM 113 - Start");
                for _ in 0..100 {
                    if t.ctx.tracked.count() == 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                assert_eq!(t.ctx.tracked.count(), 0, "the task was followed to its end");
                let audit = t.ctx.db(|s| s.audit_list(None, 20)).await.unwrap();
                assert!(
                    audit.iter().any(|r| r.entry.action == "task.end"
                        && r.entry.target == "ci/qemu/113"
                        && r.entry.outcome == "OK"),
                    "{audit:?}"
                );
            })
        },
    ),
];

async fn pool_bound() {
    let t = test_ctx().await;
    let sim = sim().await;
    let mut input = token_connection(&sim, "tenant");
    input.token_id = format!("operator@pve!ci={DEMO_CI_TOKEN_SECRET}");
    input.pool = Some("prod-web".into());
    let conn = connections::add(&t.ctx, input).await.unwrap();
    assert_eq!(conn.pool.as_deref(), Some("prod-web"));

    // Only the pool's guests are in the inventory. (This token sees no nodes: PVE lists
    // them only with Sys.Audit on /nodes.)
    inventory::refresh_once(&t.ctx).await.unwrap();
    let snap = inventory::snapshot(&t.ctx).await.unwrap();
    let mine = snap.iter().find(|c| c.connection_id == conn.id).unwrap();
    let guests: Vec<&inventory::Resource> = mine
        .resources
        .iter()
        .filter(|r| matches!(r.kind.as_str(), "qemu" | "lxc"))
        .collect();
    assert!(!guests.is_empty());
    assert!(
        guests.iter().all(|g| g.pool.as_deref() == Some("prod-web")),
        "{guests:?}"
    );
    assert!(guests.iter().any(|g| g.vmid == Some(113)));

    // A guest outside the pool is refused here, before any request, with the reason.
    let e = guests::power(
        &t.ctx,
        &conn.id,
        "pve1",
        GuestType::Qemu,
        120,
        PowerAction::Start,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingPrivilege);
    assert!(e.message.contains("bound to pool prod-web"), "{e:?}");

    // Inside the pool, PVE's own 403s name the privilege the token lacks.
    let cfg = guests::config::get(&t.ctx, &conn.id, "pve3", GuestType::Qemu, 113)
        .await
        .unwrap();
    let e = guests::config::update(
        &t.ctx,
        &conn.id,
        "pve3",
        GuestType::Qemu,
        113,
        guests::config::ConfigChange {
            digest: cfg.digest.clone(),
            set: [("memory".to_owned(), "4096".to_owned())].into(),
            delete: Vec::new(),
            revert: Vec::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingPrivilege, "{e:?}");
    assert!(
        e.message.contains("VM.Config.Memory") && e.message.contains("/vms/113"),
        "{e:?}"
    );
    let e = guests::ha::set(
        &t.ctx,
        &conn.id,
        "pve3",
        GuestType::Qemu,
        113,
        guests::ha::HaSettings {
            state: guests::ha::HaState::Started,
            group: None,
            max_restart: 1,
            max_relocate: 1,
            comment: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingPrivilege, "{e:?}");
    // HA is read with Sys.Audit and changed with Sys.Console, both on /.
    assert!(
        (e.message.contains("Sys.Audit") || e.message.contains("Sys.Console"))
            && e.message.contains(" on /"),
        "{e:?}"
    );
    let e = guests::lifecycle::migrate_options(&t.ctx, &conn.id, "pve3", GuestType::Qemu, 113)
        .await
        .unwrap_err();
    assert!(e.message.contains("VM.Migrate"), "{e:?}");
    let e = guests::clone::clone(
        &t.ctx,
        &conn.id,
        "pve3",
        GuestType::Qemu,
        113,
        guests::clone::CloneInput {
            newid: 4242,
            name: None,
            description: None,
            target: None,
            full: true,
            storage: None,
            pool: Some("prod-web".into()),
        },
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("VM.Clone"), "{e:?}");
    // What the token holds works: starting a guest of its pool.
    let task = guests::power(
        &t.ctx,
        &conn.id,
        "pve3",
        GuestType::Qemu,
        113,
        PowerAction::Start,
    )
    .await
    .unwrap();
    assert_eq!(task.target, "tenant/qemu/113");
}
