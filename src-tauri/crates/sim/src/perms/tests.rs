//! Tests pinning the access-control rules to what pve-access-control 9.1 does; several cases
//! are the scenarios of its own regression tests (src/test/perm-test*.pl), restated here.

use super::*;
use serde_json::Value;
use std::collections::HashMap;

const NOW: i64 = 1_750_000_000;

fn u(id: &str) -> Principal {
    Principal::user(id)
}

fn tok(id: &str) -> Principal {
    Principal::token(id).unwrap()
}

fn user(m: &mut AccessModel, id: &str, groups: &[&str]) {
    m.users.insert(
        id.to_string(),
        UserAccess {
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        },
    );
}

fn token(m: &mut AccessModel, id: &str, privsep: bool) {
    m.tokens
        .insert(id.to_string(), TokenAccess { privsep, expire: 0 });
}

fn acl(m: &mut AccessModel, path: &str, subject: Subject, role: &str, propagate: bool) {
    m.acl.push(AclEntry::new(path, subject, role, propagate));
}

fn uacl(m: &mut AccessModel, path: &str, who: &str, role: &str, propagate: bool) {
    acl(m, path, Subject::User(who.into()), role, propagate);
}

fn gacl(m: &mut AccessModel, path: &str, g: &str, role: &str, propagate: bool) {
    acl(m, path, Subject::Group(g.into()), role, propagate);
}

fn tacl(m: &mut AccessModel, path: &str, t: &str, role: &str, propagate: bool) {
    acl(m, path, Subject::Token(t.into()), role, propagate);
}

fn role(name: &str) -> Vec<String> {
    builtin_roles()[name].iter().cloned().collect()
}

fn keys(m: &BTreeMap<String, bool>) -> Vec<String> {
    m.keys().cloned().collect()
}

fn names(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn params(kv: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = kv
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

// ---------------------------------------------------------------- privileges and roles

#[test]
fn privileges_are_sorted_unique_and_match_the_categories() {
    let all = all_privileges();
    assert_eq!(all.len(), 47);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    let mut from_cats: BTreeSet<&str> = CATEGORIES
        .iter()
        .flat_map(|c| c.root.iter().chain(c.admin).chain(c.user).chain(c.audit))
        .copied()
        .collect();
    from_cats.insert("Permissions.Modify");
    assert_eq!(from_cats.into_iter().collect::<Vec<_>>(), all.to_vec());
    // PVE 9 dropped VM.Monitor and added the guest-agent privileges.
    assert!(!is_valid_privilege("VM.Monitor"));
    for p in [
        "VM.GuestAgent.Audit",
        "VM.GuestAgent.FileRead",
        "VM.GuestAgent.FileWrite",
        "VM.GuestAgent.FileSystemMgmt",
        "VM.GuestAgent.Unrestricted",
        "VM.Replicate",
        "Sys.AccessNetwork",
    ] {
        assert!(is_valid_privilege(p), "{p}");
    }
}

#[test]
fn builtin_role_names() {
    let r = builtin_roles();
    let got: Vec<&str> = r.keys().map(String::as_str).collect();
    assert_eq!(
        got,
        vec![
            "Administrator",
            "NoAccess",
            "PVEAdmin",
            "PVEAuditor",
            "PVEDatastoreAdmin",
            "PVEDatastoreUser",
            "PVEMappingAdmin",
            "PVEMappingUser",
            "PVEPoolAdmin",
            "PVEPoolUser",
            "PVESDNAdmin",
            "PVESDNUser",
            "PVESysAdmin",
            "PVETemplateUser",
            "PVEUserAdmin",
            "PVEVMAdmin",
            "PVEVMUser",
        ]
    );
}

#[test]
fn builtin_role_privileges_exact() {
    let r = |n: &str| role(n);
    assert_eq!(r("NoAccess"), Vec::<String>::new());
    assert_eq!(r("Administrator").len(), 47);
    assert_eq!(
        r("PVEAuditor"),
        names(&[
            "Datastore.Audit",
            "Mapping.Audit",
            "Pool.Audit",
            "SDN.Audit",
            "Sys.Audit",
            "VM.Audit",
            "VM.GuestAgent.Audit",
        ])
    );
    assert_eq!(
        r("PVEVMUser"),
        names(&[
            "VM.Audit",
            "VM.Backup",
            "VM.Config.CDROM",
            "VM.Config.Cloudinit",
            "VM.Console",
            "VM.GuestAgent.Audit",
            "VM.GuestAgent.FileRead",
            "VM.GuestAgent.FileSystemMgmt",
            "VM.GuestAgent.FileWrite",
            "VM.PowerMgmt",
        ])
    );
    let vm_all: Vec<String> = all_privileges()
        .iter()
        .filter(|p| p.starts_with("VM."))
        .map(|p| p.to_string())
        .collect();
    assert_eq!(r("PVEVMAdmin"), vm_all);
    assert_eq!(
        r("PVESysAdmin"),
        names(&["Sys.Audit", "Sys.Console", "Sys.Syslog"])
    );
    assert_eq!(
        r("PVEUserAdmin"),
        names(&["Group.Allocate", "Realm.AllocateUser", "User.Modify"])
    );
    assert_eq!(
        r("PVEDatastoreAdmin"),
        names(&[
            "Datastore.Allocate",
            "Datastore.AllocateSpace",
            "Datastore.AllocateTemplate",
            "Datastore.Audit",
        ])
    );
    assert_eq!(
        r("PVEDatastoreUser"),
        names(&["Datastore.AllocateSpace", "Datastore.Audit"])
    );
    assert_eq!(r("PVEPoolAdmin"), names(&["Pool.Allocate", "Pool.Audit"]));
    assert_eq!(r("PVEPoolUser"), names(&["Pool.Audit"]));
    assert_eq!(
        r("PVESDNAdmin"),
        names(&["SDN.Allocate", "SDN.Audit", "SDN.Use"])
    );
    assert_eq!(r("PVESDNUser"), names(&["SDN.Audit", "SDN.Use"]));
    assert_eq!(
        r("PVEMappingAdmin"),
        names(&["Mapping.Audit", "Mapping.Modify", "Mapping.Use"])
    );
    assert_eq!(
        r("PVEMappingUser"),
        names(&["Mapping.Audit", "Mapping.Use"])
    );
    assert_eq!(r("PVETemplateUser"), names(&["VM.Audit", "VM.Clone"]));

    // PVEAdmin: everything but the root-only privileges and Mapping.Modify.
    let mut expect: Vec<String> = all_privileges().iter().map(|p| p.to_string()).collect();
    let excluded: Vec<&str> = root_only_privileges().chain(["Mapping.Modify"]).collect();
    expect.retain(|p| !excluded.contains(&p.as_str()));
    assert_eq!(r("PVEAdmin"), expect);
    assert_eq!(
        root_only_privileges().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            "Permissions.Modify",
            "Realm.Allocate",
            "Sys.AccessNetwork",
            "Sys.Incoming",
            "Sys.Modify",
            "Sys.PowerMgmt",
        ])
    );
}

#[test]
fn builtin_roles_only_use_known_privileges() {
    for (name, privs) in builtin_roles() {
        for p in privs {
            assert!(is_valid_privilege(&p), "{name} uses unknown {p}");
        }
    }
}

// ---------------------------------------------------------------- ACL evaluation

#[test]
fn propagation_on_reaches_below_and_flags_propagate() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/", "a@pve", "PVEAuditor", true);
    let p = m.privileges_on(&u("a@pve"), "/vms/100", NOW);
    assert_eq!(keys(&p), role("PVEAuditor"));
    assert!(p.values().all(|v| *v));
    assert!(m.has(
        &u("a@pve"),
        "/storage/local",
        &["Datastore.Audit"],
        false,
        NOW
    ));
}

#[test]
fn propagation_off_applies_to_the_exact_path_only() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/vms", "a@pve", "PVEVMUser", false);
    let p = m.privileges_on(&u("a@pve"), "/vms", NOW);
    assert_eq!(keys(&p), role("PVEVMUser"));
    assert!(
        p.values().all(|v| !*v),
        "non-propagating grants are flagged 0"
    );
    assert!(m.privileges_on(&u("a@pve"), "/vms/100", NOW).is_empty());
    // Trailing slashes in the ACL path are normalized away, as user.cfg parsing does.
    let mut m2 = AccessModel::with_builtin_roles();
    user(&mut m2, "a@pve", &[]);
    uacl(&mut m2, "/vms/100/", "a@pve", "PVEAuditor", false);
    assert!(m2.has(&u("a@pve"), "/vms/100", &["VM.Audit"], false, NOW));
}

#[test]
fn deeper_path_replaces_inherited_roles() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/", "a@pve", "PVEAdmin", true);
    uacl(&mut m, "/vms/100", "a@pve", "PVEAuditor", false);
    assert_eq!(
        keys(&m.privileges_on(&u("a@pve"), "/vms/100", NOW)),
        role("PVEAuditor")
    );
    assert!(!m.has(&u("a@pve"), "/vms/100", &["VM.PowerMgmt"], false, NOW));
    assert!(m.has(&u("a@pve"), "/vms/101", &["VM.PowerMgmt"], false, NOW));
}

#[test]
fn non_propagating_acl_higher_up_does_not_replace() {
    // A propagate=0 grant on /vms is not on the way to /vms/100, so / still decides there.
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/", "a@pve", "PVEAdmin", true);
    uacl(&mut m, "/vms", "a@pve", "PVEAuditor", false);
    assert_eq!(
        keys(&m.privileges_on(&u("a@pve"), "/vms/100", NOW)),
        role("PVEAdmin")
    );
    assert_eq!(
        keys(&m.privileges_on(&u("a@pve"), "/vms", NOW)),
        role("PVEAuditor")
    );
}

#[test]
fn several_roles_at_one_level_add_up() {
    // perm-test8: max has customer (propagate 0) and vm_admin (1) on /vms/300.
    let mut m = AccessModel::with_builtin_roles();
    m.roles.insert(
        "customer".into(),
        ["VM.Audit", "VM.PowerMgmt"].map(String::from).into(),
    );
    m.roles.insert(
        "vm_admin".into(),
        ["VM.Audit", "VM.Allocate", "VM.Console"]
            .map(String::from)
            .into(),
    );
    user(&mut m, "max@pve", &[]);
    uacl(&mut m, "/vms/300", "max@pve", "customer", false);
    uacl(&mut m, "/vms/300", "max@pve", "vm_admin", true);
    let p = m.privileges_on(&u("max@pve"), "/vms/300", NOW);
    assert_eq!(
        p,
        BTreeMap::from([
            ("VM.Allocate".to_string(), true),
            ("VM.Audit".to_string(), true),
            ("VM.Console".to_string(), true),
            ("VM.PowerMgmt".to_string(), false),
        ])
    );
}

#[test]
fn user_acl_beats_group_acl_at_the_same_path() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &["ops"]);
    gacl(&mut m, "/vms", "ops", "PVEVMAdmin", true);
    uacl(&mut m, "/vms", "a@pve", "PVEAuditor", true);
    assert_eq!(
        keys(&m.privileges_on(&u("a@pve"), "/vms/100", NOW)),
        role("PVEAuditor")
    );
}

#[test]
fn groups_at_one_level_are_united_and_deeper_group_beats_higher_user() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &["g1", "g2"]);
    user(&mut m, "b@pve", &["g1"]);
    uacl(&mut m, "/", "a@pve", "PVEAdmin", true);
    gacl(&mut m, "/storage", "g1", "PVEDatastoreUser", true);
    gacl(&mut m, "/storage", "g2", "PVEPoolUser", true);
    let p = m.privileges_on(&u("a@pve"), "/storage/local", NOW);
    assert_eq!(
        keys(&p),
        names(&["Datastore.AllocateSpace", "Datastore.Audit", "Pool.Audit"])
    );
    assert_eq!(
        keys(&m.privileges_on(&u("b@pve"), "/storage/local", NOW)),
        role("PVEDatastoreUser")
    );
    // Groups the user is not in do not count.
    assert!(!m.has(&u("b@pve"), "/storage/local", &["Pool.Audit"], false, NOW));
}

#[test]
fn no_access_removes_everything_from_there_on() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &["g"]);
    uacl(&mut m, "/", "a@pve", "PVEAdmin", true);
    uacl(&mut m, "/storage", "a@pve", "NoAccess", true);
    assert!(m.privileges_on(&u("a@pve"), "/storage", NOW).is_empty());
    assert!(
        m.privileges_on(&u("a@pve"), "/storage/local", NOW)
            .is_empty()
    );
    assert!(m.has(&u("a@pve"), "/vms/1", &["VM.Allocate"], false, NOW));
    // NoAccess beside other roles at the same level still wins.
    uacl(&mut m, "/vms/200", "a@pve", "NoAccess", false);
    uacl(&mut m, "/vms/200", "a@pve", "PVEVMAdmin", false);
    assert!(m.privileges_on(&u("a@pve"), "/vms/200", NOW).is_empty());
    // ... and a deeper grant can give access back below a propagating NoAccess.
    uacl(&mut m, "/storage/nfs", "a@pve", "PVEDatastoreUser", false);
    assert_eq!(
        keys(&m.privileges_on(&u("a@pve"), "/storage/nfs", NOW)),
        role("PVEDatastoreUser")
    );
}

#[test]
fn group_no_access_wins_over_other_groups_at_the_same_level() {
    // perm-test8: sue is in testgroup1 (vm_admin on /vms) and testgroup2 (NoAccess on /vms/200).
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "sue@pve", &["g1", "g2"]);
    gacl(&mut m, "/vms", "g1", "PVEVMAdmin", true);
    gacl(&mut m, "/vms/200", "g2", "NoAccess", true);
    gacl(&mut m, "/vms/200", "g1", "PVEAuditor", true);
    assert!(m.privileges_on(&u("sue@pve"), "/vms/200", NOW).is_empty());
    assert!(m.has(&u("sue@pve"), "/vms/201", &["VM.Allocate"], false, NOW));
}

#[test]
fn pool_roles_reach_members_without_propagate_flag() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    m.pool_of.insert("/vms/100".into(), "dev".into());
    m.pool_of.insert("/storage/local-zfs".into(), "dev".into());
    uacl(&mut m, "/pool/dev", "a@pve", "PVEVMUser", true);
    let p = m.privileges_on(&u("a@pve"), "/vms/100", NOW);
    assert_eq!(keys(&p), role("PVEVMUser"));
    assert!(
        p.values().all(|v| !*v),
        "pool-derived roles never propagate"
    );
    assert!(m.privileges_on(&u("a@pve"), "/vms/101", NOW).is_empty());
    assert!(m.privileges_on(&u("a@pve"), "/vms", NOW).is_empty());
    // The pool path itself has the role, with its own flag.
    assert!(m.privileges_on(&u("a@pve"), "/pool/dev", NOW)["VM.PowerMgmt"]);
    // Storage members get the pool's roles too (VM privileges do nothing there, but the
    // roles are applied all the same).
    uacl(&mut m, "/pool/dev", "a@pve", "PVEDatastoreUser", true);
    assert!(m.has(
        &u("a@pve"),
        "/storage/local-zfs",
        &["Datastore.AllocateSpace"],
        false,
        NOW
    ));
}

#[test]
fn pool_roles_add_to_direct_roles() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    m.pool_of.insert("/vms/100".into(), "dev".into());
    uacl(&mut m, "/vms/100", "a@pve", "PVEAuditor", true);
    uacl(&mut m, "/pool/dev", "a@pve", "PVEVMUser", true);
    let p = m.privileges_on(&u("a@pve"), "/vms/100", NOW);
    let mut expect: BTreeSet<String> = role("PVEAuditor").into_iter().collect();
    expect.extend(role("PVEVMUser"));
    assert_eq!(p.keys().cloned().collect::<BTreeSet<_>>(), expect);
    // A role set directly keeps its flag; one only from the pool is flagged 0.
    assert!(p["VM.Audit"]);
    assert!(!p["VM.PowerMgmt"]);
}

#[test]
fn pool_no_access_trumps_direct_grants_but_direct_no_access_trumps_pool() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    user(&mut m, "b@pve", &[]);
    m.pool_of.insert("/vms/100".into(), "dev".into());
    uacl(&mut m, "/vms/100", "a@pve", "PVEVMAdmin", true);
    uacl(&mut m, "/pool/dev", "a@pve", "NoAccess", true);
    assert!(m.privileges_on(&u("a@pve"), "/vms/100", NOW).is_empty());

    uacl(&mut m, "/", "b@pve", "PVEAdmin", true);
    uacl(&mut m, "/vms/100", "b@pve", "NoAccess", false);
    uacl(&mut m, "/pool/dev", "b@pve", "PVEVMAdmin", true);
    assert!(m.privileges_on(&u("b@pve"), "/vms/100", NOW).is_empty());
}

#[test]
fn nested_pool_inherits_from_parent_pool() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    m.pool_of.insert("/vms/105".into(), "dev/team".into());
    uacl(&mut m, "/pool/dev", "a@pve", "PVEVMUser", true);
    assert!(m.has(&u("a@pve"), "/vms/105", &["VM.Console"], false, NOW));
}

#[test]
fn token_without_privsep_has_exactly_its_users_privileges() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &["g"]);
    token(&mut m, "a@pve!full", false);
    uacl(&mut m, "/", "a@pve", "PVEAuditor", true);
    gacl(&mut m, "/vms/100", "g", "PVEVMUser", false);
    // Token ACLs are ignored for a token that is not privilege-separated.
    tacl(&mut m, "/", "a@pve!full", "Administrator", true);
    for path in ["/", "/vms", "/vms/100", "/storage/x", "/access"] {
        assert_eq!(
            m.privileges_on(&tok("a@pve!full"), path, NOW),
            m.privileges_on(&u("a@pve"), path, NOW),
            "{path}"
        );
    }
    assert_eq!(
        m.permissions_dump(&tok("a@pve!full"), None, NOW),
        m.permissions_dump(&u("a@pve"), None, NOW)
    );
}

#[test]
fn privsep_token_gets_the_intersection() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    token(&mut m, "a@pve!sep", true);
    uacl(&mut m, "/", "a@pve", "PVEAuditor", true);
    tacl(&mut m, "/", "a@pve!sep", "PVEAdmin", true);
    let p = m.privileges_on(&tok("a@pve!sep"), "/vms/100", NOW);
    assert_eq!(keys(&p), role("PVEAuditor"));
    assert!(!m.has(&tok("a@pve!sep"), "/vms/100", &["VM.PowerMgmt"], false, NOW));
    // The token's own ACLs are the only source: a privsep token with none has nothing.
    token(&mut m, "a@pve!bare", true);
    assert!(m.privileges_on(&tok("a@pve!bare"), "/", NOW).is_empty());
}

#[test]
fn privsep_token_propagate_flags_are_and_ed() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    token(&mut m, "a@pve!sep", true);
    uacl(&mut m, "/vms/1", "a@pve", "PVEVMUser", false);
    tacl(&mut m, "/vms", "a@pve!sep", "PVEVMAdmin", true);
    let p = m.privileges_on(&tok("a@pve!sep"), "/vms/1", NOW);
    assert_eq!(keys(&p), role("PVEVMUser"));
    assert!(p.values().all(|v| !*v));
}

#[test]
fn perm_test8_token_intersection() {
    // max@pve!token2 (privsep) has Administrator on /vms/300; max has customer + vm_admin.
    let mut m = AccessModel::with_builtin_roles();
    m.roles.insert(
        "customer".into(),
        ["VM.Audit", "VM.PowerMgmt"].map(String::from).into(),
    );
    m.roles.insert(
        "vm_admin".into(),
        ["VM.Audit", "VM.Allocate", "VM.Console"]
            .map(String::from)
            .into(),
    );
    user(&mut m, "max@pve", &["testgroup1"]);
    token(&mut m, "max@pve!token2", true);
    gacl(&mut m, "/vms", "testgroup1", "vm_admin", true);
    uacl(&mut m, "/vms/300", "max@pve", "customer", false);
    uacl(&mut m, "/vms/300", "max@pve", "vm_admin", true);
    tacl(&mut m, "/vms/300", "max@pve!token2", "Administrator", true);
    assert_eq!(
        keys(&m.privileges_on(&tok("max@pve!token2"), "/vms/300", NOW)),
        names(&["VM.Allocate", "VM.Audit", "VM.Console", "VM.PowerMgmt"])
    );
}

#[test]
fn disabled_or_expired_accounts_have_nothing() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    token(&mut m, "a@pve!t", false);
    uacl(&mut m, "/", "a@pve", "PVEAdmin", true);
    assert!(m.has(&u("a@pve"), "/", &["Sys.Audit"], false, NOW));

    // Expiry is inclusive of the second itself, as PVE compares `expire < now`.
    m.users.get_mut("a@pve").unwrap().expire = NOW;
    assert!(m.has(&u("a@pve"), "/", &["Sys.Audit"], false, NOW));
    m.users.get_mut("a@pve").unwrap().expire = NOW - 1;
    assert!(m.privileges_on(&u("a@pve"), "/", NOW).is_empty());
    assert!(m.privileges_on(&tok("a@pve!t"), "/", NOW).is_empty());

    m.users.get_mut("a@pve").unwrap().expire = 0;
    m.users.get_mut("a@pve").unwrap().enabled = false;
    assert!(m.privileges_on(&u("a@pve"), "/", NOW).is_empty());
    assert!(m.privileges_on(&tok("a@pve!t"), "/", NOW).is_empty());

    m.users.get_mut("a@pve").unwrap().enabled = true;
    m.tokens.get_mut("a@pve!t").unwrap().expire = NOW - 1;
    assert!(m.privileges_on(&tok("a@pve!t"), "/", NOW).is_empty());
    assert!(!m.privileges_on(&u("a@pve"), "/", NOW).is_empty());

    // Unknown users and tokens have nothing either.
    assert!(m.privileges_on(&u("ghost@pve"), "/", NOW).is_empty());
    assert!(m.privileges_on(&tok("a@pve!nope"), "/", NOW).is_empty());
    // A token must belong to the user it claims.
    let forged = Principal::Token {
        userid: "b@pve".into(),
        tokenid: "a@pve!t".into(),
    };
    assert!(m.privileges_on(&forged, "/", NOW).is_empty());
}

#[test]
fn root_has_everything_everywhere() {
    let mut m = AccessModel::with_builtin_roles();
    uacl(&mut m, "/vms/100", ROOT, "NoAccess", true);
    for path in ["/", "/vms/100", "/storage/local", "/whatever/deep"] {
        let p = m.privileges_on(&u(ROOT), path, NOW);
        assert_eq!(p.len(), all_privileges().len(), "{path}");
        assert!(p.values().all(|v| *v));
    }
    // root@pam's privilege-separated tokens get their own ACLs only: PVE does not intersect
    // with root, who is never computed through ACLs.
    token(&mut m, "root@pam!ci", true);
    tacl(&mut m, "/vms", "root@pam!ci", "PVEVMUser", true);
    assert_eq!(
        keys(&m.privileges_on(&tok("root@pam!ci"), "/vms/1", NOW)),
        role("PVEVMUser")
    );
    token(&mut m, "root@pam!all", false);
    assert_eq!(
        m.privileges_on(&tok("root@pam!all"), "/nodes/pve1", NOW)
            .len(),
        47
    );
    // An explicitly disabled root cannot log in either.
    m.users.insert(
        ROOT.into(),
        UserAccess {
            enabled: false,
            ..Default::default()
        },
    );
    assert!(m.privileges_on(&u(ROOT), "/", NOW).is_empty());
}

#[test]
fn has_any_and_all() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/vms", "a@pve", "PVEAuditor", true);
    let a = u("a@pve");
    assert!(m.has(
        &a,
        "/vms/1",
        &["VM.Audit", "VM.GuestAgent.Audit"],
        false,
        NOW
    ));
    assert!(!m.has(&a, "/vms/1", &["VM.Audit", "VM.PowerMgmt"], false, NOW));
    assert!(m.has(&a, "/vms/1", &["VM.Audit", "VM.PowerMgmt"], true, NOW));
    assert!(!m.has(&a, "/vms/1", &["VM.Console", "VM.PowerMgmt"], true, NOW));
    assert!(m.has(&a, "/vms/1", &[], false, NOW));
    assert!(!m.has(&a, "/vms/1", &[], true, NOW));
}

#[test]
fn acl_with_unknown_role_or_token_is_ignored() {
    // user.cfg parsing drops such lines, so they must not shadow inherited roles.
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/", "a@pve", "PVEAuditor", true);
    uacl(&mut m, "/vms", "a@pve", "NoSuchRole", true);
    assert!(m.has(&u("a@pve"), "/vms/1", &["VM.Audit"], false, NOW));
}

// ---------------------------------------------------------------- /access/permissions

#[test]
fn dump_lists_fixed_acl_and_pool_paths_with_flags() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    user(&mut m, "other@pve", &[]);
    uacl(&mut m, "/vms/100", "a@pve", "PVEAuditor", false);
    uacl(&mut m, "/sdn/zones/z1", "a@pve", "PVESDNUser", true);
    // Another user's ACL still puts its path (and its parents) on the list PVE checks.
    uacl(
        &mut m,
        "/mapping/pci/gpu",
        "other@pve",
        "PVEMappingUser",
        true,
    );
    m.pool_of.insert("/vms/101".into(), "dev".into());
    uacl(&mut m, "/pool/dev", "a@pve", "PVEVMUser", true);

    let d = m.permissions_dump(&u("a@pve"), None, NOW);
    let paths: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        vec!["/pool/dev", "/sdn/zones/z1", "/vms/100", "/vms/101"]
    );
    assert_eq!(d["/vms/100"]["VM.Audit"], 0);
    assert_eq!(d["/sdn/zones/z1"]["SDN.Use"], 1);
    assert_eq!(d["/pool/dev"]["VM.PowerMgmt"], 1);
    assert_eq!(d["/vms/101"]["VM.PowerMgmt"], 0);

    // With a path: just that path, even when empty.
    let one = m.permissions_dump(&u("a@pve"), Some("/nodes/pve1"), NOW);
    assert_eq!(one.len(), 1);
    assert!(one["/nodes/pve1"].is_empty());
    let one = m.permissions_dump(&u("a@pve"), Some("/vms/100"), NOW);
    let expect: BTreeMap<String, u8> = role("PVEAuditor").into_iter().map(|p| (p, 0)).collect();
    assert_eq!(one["/vms/100"], expect);
}

#[test]
fn dump_for_root_covers_the_fixed_paths() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    uacl(&mut m, "/storage/local", "a@pve", "PVEAuditor", true);
    let d = m.permissions_dump(&u(ROOT), None, NOW);
    let paths: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        vec![
            "/",
            "/access",
            "/access/groups",
            "/nodes",
            "/pool",
            "/sdn",
            "/storage",
            "/storage/local",
            "/vms",
        ]
    );
    assert!(
        d.values()
            .all(|p| p.len() == 47 && p.values().all(|v| *v == 1))
    );
}

#[test]
fn dump_reports_acls_even_for_a_disabled_user() {
    // Root can inspect a disabled account; PVE's dump does not look at login state.
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "a@pve", &[]);
    m.users.get_mut("a@pve").unwrap().enabled = false;
    uacl(&mut m, "/", "a@pve", "PVEAuditor", true);
    assert!(m.permissions_dump(&u("a@pve"), None, NOW).contains_key("/"));
}

// ---------------------------------------------------------------- helpers

#[test]
fn normalize_and_template_and_split() {
    assert_eq!(normalize_path("/").as_deref(), Some("/"));
    assert_eq!(normalize_path("//vms//100/").as_deref(), Some("/vms/100"));
    assert_eq!(normalize_path("vms").as_deref(), Some("/vms"));
    assert_eq!(normalize_path(""), None);
    assert_eq!(normalize_path("/vms/1 0"), None);

    let p = params(&[("vmid", "100"), ("node", "pve1"), ("zero", "0"), ("e", "")]);
    assert_eq!(template_replace("/vms/{vmid}", &p), "/vms/100");
    assert_eq!(
        template_replace("/nodes/{node}/x/{vmid}", &p),
        "/nodes/pve1/x/100"
    );
    assert_eq!(template_replace("/pool/{pool}", &p), "/pool/-");
    assert_eq!(template_replace("/a/{zero}/{e}", &p), "/a/-/-");
    assert_eq!(template_replace("/a/{", &p), "/a/");

    assert_eq!(split_list("a,b;c  d"), vec!["a", "b", "c", "d"]);
    assert!(split_list("").is_empty());

    assert_eq!(
        verify_username("joe@pve"),
        Ok(("joe".to_string(), "pve".to_string()))
    );
    assert_eq!(
        verify_username("a@b@pam"),
        Ok(("a@b".to_string(), "pam".to_string()))
    );
    assert_eq!(
        verify_username("x").unwrap_err(),
        "user name 'x' is too short\n"
    );
    assert_eq!(
        verify_username("joe@1x").unwrap_err(),
        "value 'joe@1x' does not look like a valid user name\n"
    );
}

// ---------------------------------------------------------------- the check language

#[test]
fn denied_display_matches_pve_wording() {
    assert_eq!(
        Denied::new("/vms/100", &["VM.PowerMgmt"]).to_string(),
        "Permission check failed (/vms/100, VM.PowerMgmt)"
    );
    assert_eq!(
        Denied::new("/", &["Sys.Audit", "Sys.Modify"]).to_string(),
        "Permission check failed (/, Sys.Audit|Sys.Modify)"
    );
    assert_eq!(Denied::bare().to_string(), "Permission check failed");
    assert_eq!(
        Denied::reason("user != root@pam").to_string(),
        "Permission check failed (user != root@pam)"
    );
    assert_eq!(
        Denied::other("no such user ('x@pve')\n").to_string(),
        "no such user ('x@pve')"
    );
}

fn model_for_checks() -> AccessModel {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "vmuser@pve", &[]);
    user(&mut m, "auditor@pve", &[]);
    uacl(&mut m, "/vms/100", "vmuser@pve", "PVEVMUser", true);
    uacl(&mut m, "/", "auditor@pve", "PVEAuditor", true);
    m
}

fn err(r: Result<(), Denied>) -> String {
    r.expect_err("expected a refusal").to_string()
}

#[test]
fn perm_substitutes_params_and_names_the_missing_privilege() {
    let m = model_for_checks();
    let c = Check::perm("/vms/{vmid}", &["VM.PowerMgmt"]);
    let who = u("vmuser@pve");
    assert!(c.eval(&m, &who, &params(&[("vmid", "100")]), NOW).is_ok());
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("vmid", "101")]), NOW)),
        "Permission check failed (/vms/101, VM.PowerMgmt)"
    );
    // An absent parameter becomes "-", as PVE's template_replace does.
    assert_eq!(
        err(c.eval(&m, &who, &params(&[]), NOW)),
        "Permission check failed (/vms/-, VM.PowerMgmt)"
    );
    // All-of names the first missing privilege only.
    let c = Check::perm("/vms/{vmid}", &["VM.Audit", "VM.Allocate", "VM.Clone"]);
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("vmid", "100")]), NOW)),
        "Permission check failed (/vms/100, VM.Allocate)"
    );
}

#[test]
fn perm_any() {
    let m = model_for_checks();
    let who = u("auditor@pve");
    let c = Check::perm("/nodes/{node}", &["Sys.Audit", "Sys.Modify"]).any();
    assert!(c.eval(&m, &who, &params(&[("node", "pve1")]), NOW).is_ok());
    let c = Check::perm("/nodes/{node}", &["Sys.Console", "Sys.Modify"]).any();
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("node", "pve1")]), NOW)),
        "Permission check failed (/nodes/pve1, Sys.Console|Sys.Modify)"
    );
}

#[test]
fn perm_require_param() {
    let mut m = model_for_checks();
    uacl(&mut m, "/pool/dev", "vmuser@pve", "PVEVMAdmin", true);
    let who = u("vmuser@pve");
    let c = Check::perm("/pool/{pool}", &["VM.Allocate"]).require_param("pool");
    assert_eq!(
        err(c.eval(&m, &who, &params(&[]), NOW)),
        "Permission check failed"
    );
    assert!(c.eval(&m, &who, &params(&[("pool", "dev")]), NOW).is_ok());
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("pool", "prod")]), NOW)),
        "Permission check failed (/pool/prod, VM.Allocate)"
    );
}

#[test]
fn clone_check_and_or_require_param() {
    // POST /nodes/{node}/qemu/{vmid}/clone
    let c = Check::and(vec![
        Check::perm("/vms/{vmid}", &["VM.Clone"]),
        Check::or(vec![
            Check::perm("/vms/{newid}", &["VM.Allocate"]),
            Check::perm("/pool/{pool}", &["VM.Allocate"]).require_param("pool"),
        ]),
    ]);
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "c@pve", &[]);
    uacl(&mut m, "/vms/100", "c@pve", "PVETemplateUser", false);
    uacl(&mut m, "/pool/dev", "c@pve", "PVEVMAdmin", true);
    let who = u("c@pve");
    let with = |kv: &[(&str, &str)]| c.eval(&m, &who, &params(kv), NOW);
    assert!(with(&[("vmid", "100"), ("newid", "200"), ("pool", "dev")]).is_ok());
    // Without the pool parameter the only way is VM.Allocate on /vms/200; the failing `or`
    // gives PVE's bare message.
    assert_eq!(
        err(with(&[("vmid", "100"), ("newid", "200")])),
        "Permission check failed"
    );
    // The `and` stops at its first failing operand, with that operand's message.
    assert_eq!(
        err(with(&[("vmid", "101"), ("newid", "200"), ("pool", "dev")])),
        "Permission check failed (/vms/101, VM.Clone)"
    );
}

#[test]
fn or_and_and_basics() {
    let m = model_for_checks();
    let who = u("auditor@pve");
    let p = params(&[]);
    let yes = Check::perm("/", &["Sys.Audit"]);
    let no = Check::perm("/", &["Sys.Modify"]);
    assert!(
        Check::or(vec![no.clone(), yes.clone()])
            .eval(&m, &who, &p, NOW)
            .is_ok()
    );
    assert_eq!(
        err(Check::or(vec![no.clone(), no.clone()]).eval(&m, &who, &p, NOW)),
        "Permission check failed"
    );
    assert!(
        Check::and(vec![yes.clone(), yes.clone()])
            .eval(&m, &who, &p, NOW)
            .is_ok()
    );
    assert_eq!(
        err(Check::and(vec![yes.clone(), no.clone()]).eval(&m, &who, &p, NOW)),
        "Permission check failed (/, Sys.Modify)"
    );
}

#[test]
fn and_inside_or_raises_through_the_or() {
    // PUT /access/password: PVE runs `and` operands with errors on, so a failing `and` in
    // an `or` aborts the `or` with the inner message even if later operands would pass.
    let mut m = model_for_checks();
    uacl(&mut m, "/", "vmuser@pve", "PVEVMUser", true);
    let who = u("auditor@pve");
    let p = params(&[("userid", "vmuser@pve")]);
    let c = Check::or(vec![
        Check::userid_param_self(),
        Check::and(vec![
            Check::userid_param_realm_allocate_user(),
            Check::userid_group(&["User.Modify"]),
        ]),
    ]);
    assert_eq!(
        err(c.eval(&m, &who, &p, NOW)),
        "Permission check failed (/access/realm/pve, Realm.AllocateUser)"
    );
    let later = Check::or(vec![
        Check::and(vec![Check::perm("/", &["Sys.Modify"])]),
        Check::perm("/", &["Sys.Audit"]),
    ]);
    assert_eq!(
        err(later.eval(&m, &who, &p, NOW)),
        "Permission check failed (/, Sys.Modify)"
    );
    // Changing one's own password passes on the first operand.
    assert!(c.eval(&m, &u("vmuser@pve"), &p, NOW).is_ok());
}

#[test]
fn userid_param_self() {
    let mut m = model_for_checks();
    token(&mut m, "vmuser@pve!t", false);
    let c = Check::userid_param_self();
    let p = params(&[("userid", "vmuser@pve")]);
    assert!(c.eval(&m, &u("vmuser@pve"), &p, NOW).is_ok());
    assert_eq!(
        err(c.eval(&m, &u("auditor@pve"), &p, NOW)),
        "Permission check failed"
    );
    // A token is not its user.
    assert_eq!(
        err(c.eval(&m, &tok("vmuser@pve!t"), &p, NOW)),
        "Permission check failed"
    );
    assert_eq!(
        err(c.eval(
            &m,
            &u("vmuser@pve"),
            &params(&[("userid", "nobody@pve")]),
            NOW
        )),
        "no such user ('nobody@pve')"
    );
    assert_eq!(
        err(c.eval(&m, &u("vmuser@pve"), &params(&[("userid", "bad")]), NOW)),
        "value 'bad' does not look like a valid user name"
    );
}

#[test]
fn userid_param_realm_allocate_user() {
    let mut m = model_for_checks();
    user(&mut m, "ua@pve", &[]);
    uacl(&mut m, "/access/realm/pve", "ua@pve", "PVEUserAdmin", false);
    let c = Check::userid_param_realm_allocate_user();
    assert!(
        c.eval(&m, &u("ua@pve"), &params(&[("userid", "new@pve")]), NOW)
            .is_ok()
    );
    assert_eq!(
        err(c.eval(&m, &u("ua@pve"), &params(&[("userid", "new@ldap")]), NOW)),
        "Permission check failed (/access/realm/ldap, Realm.AllocateUser)"
    );
}

fn model_with_groups() -> AccessModel {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "admin@pve", &[]);
    user(&mut m, "staff1@pve", &["staff"]);
    user(&mut m, "dev1@pve", &["devs"]);
    user(&mut m, "boss@pve", &[]);
    uacl(
        &mut m,
        "/access/groups/staff",
        "admin@pve",
        "PVEUserAdmin",
        false,
    );
    uacl(&mut m, "/access/groups", "boss@pve", "PVEUserAdmin", false);
    gacl(&mut m, "/vms/1", "devs", "PVEAuditor", false);
    m
}

#[test]
fn userid_group_existing_user() {
    let m = model_with_groups();
    let c = Check::userid_group(&["User.Modify", "Sys.Audit"]);
    let admin = u("admin@pve");
    assert!(
        c.eval(&m, &admin, &params(&[("userid", "staff1@pve")]), NOW)
            .is_ok()
    );
    assert_eq!(
        err(c.eval(&m, &admin, &params(&[("userid", "dev1@pve")]), NOW)),
        "Permission check failed"
    );
    assert_eq!(
        err(c.eval(&m, &admin, &params(&[("userid", "ghost@pve")]), NOW)),
        "no such user ('ghost@pve')"
    );
    // Privileges on /access/groups itself cover every user.
    assert!(
        c.eval(&m, &u("boss@pve"), &params(&[("userid", "dev1@pve")]), NOW)
            .is_ok()
    );
}

#[test]
fn userid_group_create_and_update_check_the_groups_param() {
    let m = model_with_groups();
    let admin = u("admin@pve");
    let create = Check::userid_group(&["User.Modify"]).groups_param(GroupsParam::Create);
    assert!(
        create
            .eval(
                &m,
                &admin,
                &params(&[("userid", "new@pve"), ("groups", "staff")]),
                NOW
            )
            .is_ok()
    );
    assert_eq!(
        err(create.eval(&m, &admin, &params(&[("userid", "new@pve")]), NOW)),
        "Permission check failed (/access/groups, User.Modify)"
    );
    assert_eq!(
        err(create.eval(
            &m,
            &admin,
            &params(&[("userid", "new@pve"), ("groups", "staff,devs")]),
            NOW
        )),
        "Permission check failed (/access/groups/devs, User.Modify)"
    );
    let update = Check::userid_group(&["User.Modify"]).groups_param(GroupsParam::Update);
    assert!(
        update
            .eval(
                &m,
                &admin,
                &params(&[("userid", "staff1@pve"), ("groups", "staff")]),
                NOW
            )
            .is_ok()
    );
    // Update also requires that the user is already in a group the caller manages.
    assert_eq!(
        err(update.eval(
            &m,
            &admin,
            &params(&[("userid", "dev1@pve"), ("groups", "staff")]),
            NOW
        )),
        "Permission check failed"
    );
    // Full rights on /access/groups skip the groups parameter entirely.
    assert!(
        update
            .eval(&m, &u("boss@pve"), &params(&[("userid", "dev1@pve")]), NOW)
            .is_ok()
    );
}

#[test]
fn perm_modify_adds_the_object_privilege() {
    let mut m = AccessModel::with_builtin_roles();
    user(&mut m, "va@pve", &[]);
    uacl(&mut m, "/vms", "va@pve", "PVEVMAdmin", true);
    let c = Check::perm_modify("{path}");
    let who = u("va@pve");
    assert!(
        c.eval(&m, &who, &params(&[("path", "/vms/100")]), NOW)
            .is_ok()
    );
    // /vms itself needs Permissions.Modify; VM.Allocate only counts below it.
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("path", "/vms")]), NOW)),
        "Permission check failed (/vms, Permissions.Modify)"
    );
    assert_eq!(
        err(c.eval(&m, &who, &params(&[("path", "/storage/local")]), NOW)),
        "Permission check failed (/storage/local, Permissions.Modify|Datastore.Allocate)"
    );
    // The path is normalized before the check.
    assert!(
        c.eval(&m, &who, &params(&[("path", "//vms/100/")]), NOW)
            .is_ok()
    );
    // And, as in PVE, an unnormalizable path is let through here (the handler rejects it).
    assert!(
        c.eval(&m, &who, &params(&[("path", "/bad path")]), NOW)
            .is_ok()
    );
}

#[test]
fn unknown_privilege_in_a_check_is_an_error() {
    let m = model_for_checks();
    let c = Check::perm("/", &["VM.Monitor"]);
    assert_eq!(
        err(c.eval(&m, &u("auditor@pve"), &params(&[]), NOW)),
        "invalid privilege 'VM.Monitor'"
    );
}

#[test]
fn check_api2_permissions_top_level() {
    let m = model_for_checks();
    let p = params(&[]);
    let who = u("auditor@pve");
    let world = Permission::World;
    let all = Permission::AllUsers;
    let chk = Permission::Check(Check::perm("/", &["Sys.Modify"]));
    let all_chk = Permission::AllUsersWithCheck(Check::perm("/", &["Sys.Modify"]));

    assert!(world.eval(&m, None, &p, NOW).is_ok());
    assert_eq!(
        err(all.eval(&m, None, &p, NOW)),
        "Permission check failed (user != null)"
    );
    assert!(all.eval(&m, Some(&who), &p, NOW).is_ok());
    assert!(all_chk.eval(&m, Some(&who), &p, NOW).is_ok());
    assert_eq!(
        err(chk.eval(&m, Some(&who), &p, NOW)),
        "Permission check failed (/, Sys.Modify)"
    );
    assert!(chk.eval(&m, Some(&u(ROOT)), &p, NOW).is_ok());
    // Methods without a permissions object are root-only.
    assert_eq!(
        err(check_api2_permissions(None, &m, Some(&who), &p, NOW)),
        "Permission check failed (user != root@pam)"
    );
    assert!(check_api2_permissions(None, &m, Some(&u(ROOT)), &p, NOW).is_ok());
    // root@pam's tokens are not root: they go through the checks.
    let mut m2 = m.clone();
    token(&mut m2, "root@pam!t", true);
    assert!(check_api2_permissions(None, &m2, Some(&tok("root@pam!t")), &p, NOW).is_err());
}

#[test]
fn constructors_build_the_schema_form() {
    let c = Check::and(vec![
        Check::perm("/vms/{vmid}", &["VM.Clone"]),
        Check::or(vec![
            Check::perm("/vms/{newid}", &["VM.Allocate"]).any(),
            Check::perm("/pool/{pool}", &["VM.Allocate"]).require_param("pool"),
        ]),
    ]);
    assert_eq!(
        c.to_schema(),
        serde_json::json!([
            "and",
            ["perm", "/vms/{vmid}", ["VM.Clone"]],
            [
                "or",
                ["perm", "/vms/{newid}", ["VM.Allocate"], "any", 1],
                [
                    "perm",
                    "/pool/{pool}",
                    ["VM.Allocate"],
                    "require_param",
                    "pool"
                ]
            ]
        ])
    );
    assert_eq!(
        Check::userid_group(&["User.Modify"])
            .groups_param(GroupsParam::Create)
            .to_schema(),
        serde_json::json!(["userid-group", ["User.Modify"], "groups_param", "create"])
    );
    assert!(Permission::from_schema(&serde_json::json!({"user": "nobody"})).is_err());
    assert!(Permission::from_schema(&serde_json::json!({"check": ["frob", "/"]})).is_err());
}

// ---------------------------------------------------------------- against the real schema

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/pve-api/pve-apidata.json"
);

fn schema_permissions() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(SCHEMA).unwrap_or_else(|e| {
        panic!("the PVE API schema is required for this test; looked for it at {SCHEMA}: {e}")
    });
    let root: Value = serde_json::from_str(&text).expect("schema is JSON");
    let mut out = Vec::new();
    fn walk(node: &Value, out: &mut Vec<(String, Value)>) {
        if let Some(info) = node.get("info").and_then(Value::as_object) {
            for (method, m) in info {
                if let Some(p) = m.get("permissions") {
                    let path = node["path"].as_str().unwrap_or("?");
                    out.push((format!("{method} {path}"), p.clone()));
                }
            }
        }
        if let Some(children) = node.get("children").and_then(Value::as_array) {
            for c in children {
                walk(c, out);
            }
        }
    }
    for n in root.as_array().expect("schema is an array") {
        walk(n, &mut out);
    }
    out
}

#[test]
fn every_schema_permission_round_trips() {
    let perms = schema_permissions();
    assert!(
        perms.len() > 600,
        "only {} permission objects found",
        perms.len()
    );
    for (what, v) in &perms {
        let parsed = Permission::from_schema(v).unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut expect = v.clone();
        expect.as_object_mut().unwrap().remove("description");
        assert_eq!(parsed.to_schema(), expect, "{what}");
    }
}

#[test]
fn all_privileges_cover_the_schema() {
    let known: BTreeSet<&str> = all_privileges().iter().copied().collect();
    let mut seen = BTreeSet::new();
    for (what, v) in schema_permissions() {
        if let Some(c) = v.get("check") {
            let c = Check::from_schema(c).unwrap_or_else(|e| panic!("{what}: {e}"));
            for p in c.privileges() {
                assert!(
                    known.contains(p.as_str()),
                    "{what} uses unknown privilege {p}"
                );
                seen.insert(p);
            }
        }
    }
    assert!(
        seen.len() > 30,
        "suspiciously few privileges seen: {seen:?}"
    );
}
