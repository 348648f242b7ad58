//! Live cases: health.

use crate::common::{Case, keychain_entries, test_ctx};

pub const CASES: &[Case] = &[("keychain_session_is_private_and_real", || {
    Box::pin(async {
        let t = test_ctx().await;
        t.ctx
            .keychain
            .set(
                "probe",
                proxdeck_secrets::SecretKind::Password,
                &"pw-123".to_owned().into(),
            )
            .unwrap();
        assert!(
            keychain_entries().contains(&("probe:password".into(), "pw-123".into())),
            "{:?}",
            keychain_entries()
        );
        t.ctx
            .keychain
            .delete("probe", proxdeck_secrets::SecretKind::Password)
            .unwrap();
        assert!(keychain_entries().is_empty());
    })
})];
