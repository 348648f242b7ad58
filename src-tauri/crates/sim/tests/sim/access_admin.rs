//! Access management and pools from a client's side: what an admin changes must change
//! what other users and tokens can do on the very next request, and refusals must read as
//! PVE's do.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, As, Fixture, ROOT_PW, enc};

async fn root(api: &Api) -> As {
    api.login("root@pam", ROOT_PW).await
}

async fn put(api: &Api, path: &str, auth: &As, form: &[(&str, &str)]) -> crate::common::Reply {
    api.call(Method::PUT, path, auth, form).await
}

async fn delete(api: &Api, path: &str, auth: &As) -> crate::common::Reply {
    api.call(Method::DELETE, path, auth, &[]).await
}

fn message(r: &crate::common::Reply) -> String {
    r.json.as_ref().expect("a JSON body")["message"]
        .as_str()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

fn vm_ids(resources: &Value) -> Vec<String> {
    let mut v: Vec<String> = resources
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "qemu" || r["type"] == "lxc")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn userids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["userid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn created_user_with_an_acl_logs_in_and_sees_exactly_what_the_role_grants() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    api.post(
        "/access/users",
        &root,
        &[
            ("userid", "alice@pve"),
            ("password", "alice-secret-1"),
            ("firstname", "Alice"),
            ("email", "alice@example.com"),
        ],
    )
    .await
    .data();
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/vms/101"),
            ("users", "alice@pve"),
            ("roles", "PVEVMUser"),
        ],
    )
    .await
    .data();

    let user = api.get("/access/users/alice@pve", &root).await;
    let d = user.data();
    assert_eq!(d["enable"], 1);
    assert_eq!(d["expire"], 0);
    assert_eq!(d["firstname"], "Alice");
    assert_eq!(d["email"], "alice@example.com");
    assert_eq!(d["groups"], serde_json::json!([]));
    assert!(d.get("password").is_none(), "{d}");

    let alice = api.login("alice@pve", "alice-secret-1").await;
    let res = api.get("/cluster/resources", &alice).await;
    assert_eq!(vm_ids(res.data()), vec!["qemu/101"]);
    // Nodes and storage need other privileges than the role grants.
    assert!(
        res.data()
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["type"] == "qemu")
    );
    let perms = api.get("/access/permissions?path=/vms/101", &alice).await;
    let privs = &perms.data()["/vms/101"];
    assert_eq!(privs["VM.PowerMgmt"], 1);
    assert_eq!(privs["VM.Console"], 1);
    assert!(privs.get("VM.Allocate").is_none(), "{privs}");

    let ok = api
        .post("/nodes/n1/qemu/101/status/stop", &alice, &[])
        .await;
    assert!(ok.data().as_str().unwrap().starts_with("UPID:n1:"));
    let refused = api
        .post("/nodes/n1/qemu/100/status/start", &alice, &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        message(&refused),
        "Permission check failed (/vms/100, VM.PowerMgmt)"
    );
    // A plain user lists only themself.
    let users = api.get("/access/users", &alice).await;
    assert_eq!(userids(users.data()), vec!["alice@pve"]);

    // Removing the ACL takes the rights away on the next request.
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/vms/101"),
            ("users", "alice@pve"),
            ("roles", "PVEVMUser"),
            ("delete", "1"),
        ],
    )
    .await
    .data();
    let res = api.get("/cluster/resources", &alice).await;
    assert!(vm_ids(res.data()).is_empty());

    // Disabling the user ends the session; deleting them makes the name free again.
    put(&api, "/access/users/alice@pve", &root, &[("enable", "0")])
        .await
        .data();
    assert_eq!(
        api.get("/version", &alice).await.status,
        StatusCode::UNAUTHORIZED
    );
    delete(&api, "/access/users/alice@pve", &root).await.data();
    let users = api.get("/access/users", &root).await;
    assert!(!userids(users.data()).contains(&"alice@pve".to_owned()));
    let acl = api.get("/access/acl", &root).await;
    assert!(
        acl.data()
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["ugid"] != "alice@pve")
    );
    // The name is free again.
    api.post("/access/users", &root, &[("userid", "alice@pve")])
        .await
        .data();
}

#[tokio::test]
async fn token_secret_is_shown_once_works_at_once_and_dies_with_the_token() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    api.post(
        "/access/users",
        &root,
        &[("userid", "bob@pve"), ("password", "bob-secret-1")],
    )
    .await
    .data();
    put(
        &api,
        "/access/acl",
        &root,
        &[("path", "/"), ("users", "bob@pve"), ("roles", "PVEAuditor")],
    )
    .await
    .data();
    // Bob makes his own token (userid-param self), with PVE's default privsep.
    let bob = api.login("bob@pve", "bob-secret-1").await;
    let created = api
        .post(
            "/access/users/bob@pve/token/ci",
            &bob,
            &[("comment", "pipeline")],
        )
        .await;
    let d = created.data().clone();
    assert_eq!(d["full-tokenid"], "bob@pve!ci");
    assert_eq!(d["info"]["privsep"], 1);
    assert_eq!(d["info"]["comment"], "pipeline");
    let secret = d["value"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 36, "{secret}");
    assert_eq!(secret.matches('-').count(), 4, "{secret}");

    // No read ever shows the secret again.
    for path in [
        "/access/users/bob@pve/token",
        "/access/users/bob@pve/token/ci",
        "/access/users/bob@pve",
        "/access/users?full=1",
    ] {
        let r = api.get(path, &root).await;
        assert!(r.status.is_success(), "{path}: {}", r.raw);
        assert!(!r.raw.contains(&secret), "{path} leaks the secret");
    }
    let list = api.get("/access/users/bob@pve/token", &root).await;
    assert_eq!(list.data()[0]["tokenid"], "ci");
    assert_eq!(list.data()[0]["privsep"], 1);
    let one = api.get("/access/users/bob@pve/token/ci", &root).await;
    assert_eq!(one.data()["comment"], "pipeline");
    assert!(one.data().get("value").is_none());

    // It authenticates at once, but privilege separation leaves it with nothing…
    let token = As::Token(format!("bob@pve!ci={secret}"));
    assert!(api.get("/version", &token).await.status.is_success());
    let res = api.get("/cluster/resources", &token).await;
    assert_eq!(res.data(), &serde_json::json!([]));
    // …until the token itself gets an ACL.
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/vms"),
            ("tokens", "bob@pve!ci"),
            ("roles", "PVEAuditor"),
        ],
    )
    .await
    .data();
    let res = api.get("/cluster/resources", &token).await;
    assert_eq!(
        vm_ids(res.data()),
        vec![
            "lxc/102",
            "qemu/100",
            "qemu/101",
            "qemu/103",
            "qemu/104",
            "qemu/9000"
        ]
    );
    // A second token of the same name is a parameter error.
    let again = api.post("/access/users/bob@pve/token/ci", &bob, &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again.json.as_ref().unwrap()["errors"]["tokenid"],
        "Token already exists."
    );

    delete(&api, "/access/users/bob@pve/token/ci", &bob)
        .await
        .data();
    let r = api.get("/version", &token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = api.get("/access/users/bob@pve/token/ci", &root).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(message(&r), "no such token 'ci' for user 'bob@pve'");
    // The token's ACL went with it.
    let acl = api.get("/access/acl", &root).await;
    assert!(
        acl.data()
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["ugid"] != "bob@pve!ci")
    );
}

#[tokio::test]
async fn token_without_privsep_has_its_users_rights() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    let d = api
        .post(
            "/access/users/auditor@pve/token/full",
            &root,
            &[("privsep", "0")],
        )
        .await
        .data()
        .clone();
    assert_eq!(d["info"]["privsep"], 0);
    let token = As::Token(format!("auditor@pve!full={}", d["value"].as_str().unwrap()));
    let res = api.get("/cluster/resources?type=vm", &token).await;
    assert_eq!(vm_ids(res.data()).len(), 6);
    // Switching privsep on takes effect immediately.
    let upd = put(
        &api,
        "/access/users/auditor@pve/token/full",
        &root,
        &[("privsep", "1")],
    )
    .await;
    assert_eq!(upd.data()["privsep"], 1);
    let res = api.get("/cluster/resources?type=vm", &token).await;
    assert!(vm_ids(res.data()).is_empty());
}

#[tokio::test]
async fn builtin_roles_are_special_and_cannot_be_changed_custom_ones_can() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    let roles = api.get("/access/roles", &root).await;
    let find = |id: &str| {
        roles
            .data()
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["roleid"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("role {id} listed"))
    };
    let admin = find("Administrator");
    assert_eq!(admin["special"], 1);
    let vmuser = find("PVEVMUser");
    let privs: Vec<&str> = vmuser["privs"].as_str().unwrap().split(',').collect();
    assert!(privs.contains(&"VM.PowerMgmt") && !privs.contains(&"VM.Allocate"));

    for (method, verb) in [(Method::DELETE, "deleted"), (Method::PUT, "modified")] {
        let form: &[(&str, &str)] = if method == Method::PUT {
            &[("privs", "VM.Audit")]
        } else {
            &[]
        };
        let r = api
            .call(method, "/access/roles/PVEVMUser", &root, form)
            .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            message(&r),
            format!("auto-generated role 'PVEVMUser' cannot be {verb}")
        );
    }
    // Privilege names are checked as the schema's pve-priv-list format.
    let bad = api
        .post(
            "/access/roles",
            &root,
            &[("roleid", "Ops"), ("privs", "VM.Audit,VM.Fly")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.json.as_ref().unwrap()["errors"]["privs"],
        "invalid format - invalid privilege 'VM.Fly'"
    );
    let ns = api
        .post("/access/roles", &root, &[("roleid", "pveOps")])
        .await;
    assert_eq!(ns.status, StatusCode::BAD_REQUEST);
    assert!(
        ns.json.as_ref().unwrap()["errors"]["roleid"]
            .as_str()
            .unwrap()
            .contains("'PVE' namespace")
    );

    api.post(
        "/access/roles",
        &root,
        &[("roleid", "Ops"), ("privs", "VM.PowerMgmt,VM.Audit")],
    )
    .await
    .data();
    let ops = api.get("/access/roles/Ops", &root).await;
    assert_eq!(
        ops.data(),
        &serde_json::json!({"VM.Audit": 1, "VM.PowerMgmt": 1})
    );
    put(
        &api,
        "/access/roles/Ops",
        &root,
        &[("privs", "VM.Console"), ("append", "1")],
    )
    .await
    .data();
    let listed = api.get("/access/roles", &root).await;
    let ops = listed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["roleid"] == "Ops")
        .unwrap()
        .clone();
    assert_eq!(ops["special"], 0);
    assert_eq!(ops["privs"], "VM.Audit,VM.Console,VM.PowerMgmt");
    // The custom role works in an ACL at once.
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/vms/103"),
            ("users", "auditor@pve"),
            ("roles", "Ops"),
        ],
    )
    .await
    .data();
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let r = api
        .post("/nodes/n2/qemu/103/status/stop", &auditor, &[])
        .await;
    assert!(r.status.is_success(), "{}", r.raw);

    delete(&api, "/access/roles/Ops", &root).await.data();
    let r = api.get("/access/roles/Ops", &root).await;
    assert_eq!(message(&r), "role 'Ops' does not exist");
    let r = api
        .post("/nodes/n2/qemu/103/status/start", &auditor, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn non_admins_cannot_create_users_or_change_acls() {
    let f = Fixture::start().await;
    let api = f.client();
    for (user, pw) in [
        ("operator@pve", "operator-pw"),
        ("auditor@pve", "auditor-pw"),
    ] {
        let who = api.login(user, pw).await;
        let r = api
            .post(
                "/access/users",
                &who,
                &[("userid", "mallory@pve"), ("password", "mallory-pw1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        assert_eq!(
            message(&r),
            "Permission check failed (/access/realm/pve, Realm.AllocateUser)"
        );
        let r = put(
            &api,
            "/access/acl",
            &who,
            &[("path", "/"), ("users", user), ("roles", "Administrator")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        assert_eq!(
            message(&r),
            "Permission check failed (/, Permissions.Modify)"
        );
    }
    // Nothing was created.
    let root = root(&api).await;
    let users = api.get("/access/users", &root).await;
    assert!(!userids(users.data()).contains(&"mallory@pve".to_owned()));
}

#[tokio::test]
async fn acl_list_is_filtered_and_vm_admins_may_only_hand_out_what_they_hold() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    // Root and the auditor (Sys.Audit on /access) see every entry; the operator none.
    let all = api.get("/access/acl", &root).await.data().clone();
    let entry = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/pool/web")
        .unwrap()
        .clone();
    assert_eq!(
        entry,
        serde_json::json!({"path": "/pool/web", "type": "user", "ugid": "operator@pve", "roleid": "PVEVMUser", "propagate": 1})
    );
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    assert_eq!(api.get("/access/acl", &auditor).await.data(), &all);
    let operator = api.login("operator@pve", "operator-pw").await;
    assert_eq!(
        api.get("/access/acl", &operator).await.data(),
        &serde_json::json!([])
    );

    // A VM admin passes perm-modify on its VM through VM.Allocate…
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/vms/101"),
            ("users", "operator@pve"),
            ("roles", "PVEVMAdmin"),
        ],
    )
    .await
    .data();
    put(
        &api,
        "/access/acl",
        &operator,
        &[
            ("path", "/vms/101"),
            ("users", "auditor@pve"),
            ("roles", "PVEVMUser"),
        ],
    )
    .await
    .data();
    // …but may not grant privileges it lacks; PVE raises that under its config lock.
    let r = put(
        &api,
        "/access/acl",
        &operator,
        &[
            ("path", "/vms/101"),
            ("users", "auditor@pve"),
            ("roles", "PVEAdmin"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&r),
        "ACL update failed: 400 Parameter verification failed.\nrole: Cannot add role 'PVEAdmin' - requires 'Permissions.Modify' or superset of privileges."
    );
    // Its own view now lists exactly the entries on /vms/101.
    let seen = api.get("/access/acl", &operator).await.data().clone();
    let all = api.get("/access/acl", &root).await.data().clone();
    let on_101: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "/vms/101")
        .collect();
    assert_eq!(on_101.len(), 3, "{all}");
    assert_eq!(seen.as_array().unwrap().iter().collect::<Vec<_>>(), on_101);
}

#[tokio::test]
async fn group_admins_see_and_manage_only_their_groups_members() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    api.post(
        "/access/groups",
        &root,
        &[("groupid", "devs"), ("comment", "Developers")],
    )
    .await
    .data();
    api.post("/access/groups", &root, &[("groupid", "ops")])
        .await
        .data();
    api.post(
        "/access/users",
        &root,
        &[("userid", "dev1@pve"), ("groups", "devs")],
    )
    .await
    .data();
    put(
        &api,
        "/access/users/auditor@pve",
        &root,
        &[("groups", "ops")],
    )
    .await
    .data();
    let g = api.get("/access/groups/devs", &root).await;
    assert_eq!(
        g.data(),
        &serde_json::json!({"members": ["dev1@pve"], "comment": "Developers"})
    );
    let dup = api
        .post("/access/groups", &root, &[("groupid", "devs")])
        .await;
    assert_eq!(
        message(&dup),
        "create group failed: group 'devs' already exists"
    );
    let missing = api
        .post(
            "/access/users",
            &root,
            &[("userid", "dev2@pve"), ("groups", "nope")],
        )
        .await;
    assert_eq!(
        message(&missing),
        "create user failed: no such group 'nope'"
    );

    // The operator may modify users of devs only.
    put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/access/groups/devs"),
            ("users", "operator@pve"),
            ("roles", "PVEUserAdmin"),
        ],
    )
    .await
    .data();
    let operator = api.login("operator@pve", "operator-pw").await;
    let users = api.get("/access/users", &operator).await;
    assert_eq!(userids(users.data()), vec!["dev1@pve", "operator@pve"]);
    let groups = api.get("/access/groups", &operator).await;
    assert_eq!(
        groups.data(),
        &serde_json::json!([{"groupid": "devs", "users": "dev1@pve", "comment": "Developers"}])
    );
    // Without `groups`, a group-scoped admin is refused even for their own group's user:
    // PVE's userid-group check with groups_param demands the groups being set.
    let r = put(
        &api,
        "/access/users/dev1@pve",
        &operator,
        &[("comment", "on call")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        message(&r),
        "Permission check failed (/access/groups, User.Modify)"
    );
    put(
        &api,
        "/access/users/dev1@pve",
        &operator,
        &[("comment", "on call"), ("groups", "devs")],
    )
    .await
    .data();
    let r = put(
        &api,
        "/access/users/auditor@pve",
        &operator,
        &[("comment", "hijacked"), ("groups", "devs")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(message(&r), "Permission check failed");
    let full = api.get("/access/users?full=1", &root).await;
    let dev1 = full
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userid"] == "dev1@pve")
        .unwrap()
        .clone();
    assert_eq!(dev1["comment"], "on call");
    assert_eq!(dev1["groups"], "devs");
    assert_eq!(dev1["realm-type"], "pve");
    assert!(dev1["tokens"].is_null());

    // Deleting the group drops memberships and its ACLs.
    delete(&api, "/access/groups/devs", &root).await.data();
    let u = api.get("/access/users/dev1@pve", &root).await;
    assert_eq!(u.data()["groups"], serde_json::json!([]));
    let enabled = api.get("/access/users?enabled=0", &root).await;
    assert_eq!(userids(enabled.data()), vec!["off@pve"]);
}

#[tokio::test]
async fn adding_a_vm_to_a_pool_gives_the_pools_users_rights_on_it_and_removing_takes_them() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    let operator = api.login("operator@pve", "operator-pw").await;
    // operator has PVEVMUser on /pool/web; VM 101 is not in it.
    let r = api
        .post("/nodes/n1/qemu/101/status/stop", &operator, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    put(&api, "/pools", &root, &[("poolid", "web"), ("vms", "101")])
        .await
        .data();
    let perms = api
        .get("/access/permissions?path=/vms/101", &operator)
        .await;
    // Pool roles apply to the member itself, never below it: PVE reports them unpropagated.
    assert_eq!(perms.data()["/vms/101"]["VM.PowerMgmt"], 0);
    let r = api
        .post("/nodes/n1/qemu/101/status/stop", &operator, &[])
        .await;
    assert!(r.data().as_str().unwrap().starts_with("UPID:"));
    let res = api.get("/cluster/resources?type=vm", &root).await;
    let vm101 = res
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vmid"] == 101)
        .unwrap()
        .clone();
    assert_eq!(vm101["pool"], "web");

    put(
        &api,
        "/pools",
        &root,
        &[("poolid", "web"), ("vms", "101"), ("delete", "1")],
    )
    .await
    .data();
    let perms = api
        .get("/access/permissions?path=/vms/101", &operator)
        .await;
    assert!(perms.data()["/vms/101"].get("VM.PowerMgmt").is_none());
    let r = api
        .post("/nodes/n1/qemu/101/status/start", &operator, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let again = put(
        &api,
        "/pools",
        &root,
        &[("poolid", "web"), ("vms", "101"), ("delete", "1")],
    )
    .await;
    assert_eq!(
        message(&again),
        "update pools failed: VM 101 is not a pool member"
    );
}

#[tokio::test]
async fn pools_list_members_move_guests_and_refuse_deleting_non_empty_pools() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    let r = api.get("/pools?poolid=web", &root).await;
    let pools = r.data().as_array().unwrap().clone();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0]["poolid"], "web");
    let members = pools[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["id"], "qemu/100");
    assert_eq!(members[0]["vmid"], 100);
    assert_eq!(members[0]["node"], "n1");
    assert_eq!(members[0]["name"], "web-01");
    assert_eq!(members[0]["status"], "stopped");

    api.post(
        "/pools",
        &root,
        &[("poolid", "db"), ("comment", "Databases")],
    )
    .await
    .data();
    put(
        &api,
        "/pools",
        &root,
        &[("poolid", "db"), ("vms", "101,102"), ("storage", "local")],
    )
    .await
    .data();
    let db = api.get("/pools?poolid=db", &root).await;
    let ids: Vec<&str> = db.data()[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["qemu/101", "lxc/102", "storage/n1/local"]);
    assert_eq!(db.data()[0]["comment"], "Databases");
    let only_lxc = api.get("/pools?poolid=db&type=lxc", &root).await;
    assert_eq!(only_lxc.data()[0]["members"].as_array().unwrap().len(), 1);
    assert_eq!(only_lxc.data()[0]["members"][0]["vmid"], 102);
    let only_storage = api.get("/pools?poolid=db&type=storage", &root).await;
    assert_eq!(only_storage.data()[0]["members"][0]["storage"], "local");
    // The deprecated form answers the same, without the id it was asked for.
    let old = api.get("/pools/db", &root).await;
    assert_eq!(old.data()["members"].as_array().unwrap().len(), 3);
    assert!(old.data().get("poolid").is_none());

    // A guest belongs to one pool; moving needs allow-move.
    let r = put(&api, "/pools", &root, &[("poolid", "web"), ("vms", "101")]).await;
    assert_eq!(
        message(&r),
        "update pools failed: VM 101 belongs already to pool 'db' and 'allow-move' is not set"
    );
    put(
        &api,
        "/pools",
        &root,
        &[("poolid", "web"), ("vms", "101"), ("allow-move", "1")],
    )
    .await
    .data();
    let web = api.get("/pools?poolid=web", &root).await;
    assert_eq!(web.data()[0]["members"].as_array().unwrap().len(), 2);

    let r = delete(&api, "/pools?poolid=web", &root).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&r),
        "delete pool failed: pool 'web' is not empty (contains VM 100)"
    );
    put(
        &api,
        "/pools",
        &root,
        &[
            ("poolid", "db"),
            ("vms", "102"),
            ("storage", "local"),
            ("delete", "1"),
        ],
    )
    .await
    .data();
    delete(&api, "/pools?poolid=db", &root).await.data();
    let r = api.get("/pools?poolid=db", &root).await;
    assert_eq!(message(&r), "pool 'db' does not exist");

    // The plain list shows pools the caller may audit: all for the auditor, none for the
    // operator (PVEVMUser holds no Pool.Audit).
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let list = api.get("/pools", &auditor).await;
    assert_eq!(list.data(), &serde_json::json!([{"poolid": "web"}]));
    let operator = api.login("operator@pve", "operator-pw").await;
    assert_eq!(
        api.get("/pools", &operator).await.data(),
        &serde_json::json!([])
    );
    let r = api.post("/pools", &operator, &[("poolid", "mine")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        message(&r),
        "Permission check failed (/pool/mine, Pool.Allocate)"
    );
}

#[tokio::test]
async fn parameter_errors_come_in_pves_400_shape() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = root(&api).await;
    let errors = |r: &crate::common::Reply| {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.raw);
        let j = r.json.as_ref().unwrap();
        assert!(j["data"].is_null());
        assert_eq!(
            j["message"].as_str().unwrap().trim_end(),
            "Parameter verification failed."
        );
        j["errors"].clone()
    };
    let r = api
        .post(
            "/access/users",
            &root,
            &[("userid", "carol@pve"), ("password", "short")],
        )
        .await;
    assert_eq!(
        errors(&r)["password"],
        "value must be at least 8 characters long"
    );
    let r = api
        .post(
            "/access/users",
            &root,
            &[("userid", "carol@pve"), ("colour", "x")],
        )
        .await;
    assert!(
        errors(&r)["colour"]
            .as_str()
            .unwrap()
            .contains("not defined in schema")
    );
    let r = api.post("/access/groups", &root, &[]).await;
    assert_eq!(
        errors(&r)["groupid"],
        "property is missing and it is not optional"
    );
    let r = api
        .post(
            "/access/users",
            &root,
            &[("userid", "carol@pve"), ("email", "not-an-address")],
        )
        .await;
    assert_eq!(
        errors(&r)["email"],
        "invalid format - value does not look like a valid email address"
    );

    let r = put(
        &api,
        "/access/acl",
        &root,
        &[("path", "/"), ("roles", "PVEAuditor")],
    )
    .await;
    let e = errors(&r);
    for k in ["users", "groups", "tokens"] {
        assert_eq!(e[k], "either 'users', 'groups' or 'tokens' is required.");
    }
    let r = put(
        &api,
        "/access/acl",
        &root,
        &[
            ("path", "/bogus/x"),
            ("roles", "PVEAuditor"),
            ("users", "auditor@pve"),
        ],
    )
    .await;
    assert_eq!(errors(&r)["path"], "invalid ACL path '/bogus/x'");
    let r = put(
        &api,
        "/access/acl",
        &root,
        &[("path", "/"), ("roles", "PVEAuditor"), ("users", "nobody")],
    )
    .await;
    assert_eq!(
        errors(&r)["users"],
        "invalid format - value 'nobody' does not look like a valid user name"
    );
    let r = put(
        &api,
        "/access/acl",
        &root,
        &[("path", "/"), ("roles", "Ghost"), ("users", "auditor@pve")],
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&r),
        "ACL update failed: role 'Ghost' does not exist"
    );

    let r = api
        .get(&format!("/pools?type={}", enc("qemu")), &root)
        .await;
    assert_eq!(errors(&r)["poolid"], "missing property required by 'type'");
    let r = put(&api, "/pools", &root, &[("poolid", "web"), ("vms", "12")]).await;
    assert_eq!(
        errors(&r)["vms"],
        "invalid format - value does not look like a valid VM ID"
    );
    let r = api
        .post("/access/users/auditor@pve/token/9lives", &root, &[])
        .await;
    assert_eq!(
        errors(&r)["tokenid"],
        "value does not match the regex pattern"
    );
    let r = put(&api, "/access/roles/PVEAuditor", &root, &[("append", "1")]).await;
    assert_eq!(errors(&r)["privs"], "missing property required by 'append'");
}
