//! Live cases: guest actions through a stored connection whose token is confined to a pool
//! (the demo's `operator@pve!ci`: privilege separation, CIDeployer on /pool/prod-web). Inside
//! its pool it starts a guest; outside, the cluster's 403 names the privilege and the path,
//! the refusal is audited, and the permission read said so beforehand.

use std::time::Duration;

use proxdeck_core::connections;
use proxdeck_core::guests::{self, PowerAction};
use proxdeck_core::monitor::GuestType;
use proxdeck_core::{ErrorCode, permissions};
use proxdeck_sim::scenario::DEMO_CI_TOKEN_SECRET;

use crate::common::{Case, sim, test_ctx, token_connection};

pub const CASES: &[Case] = &[(
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
)];
