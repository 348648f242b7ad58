//! The API schema's permission-check language (`permissions` of every method) as data, so
//! the simulator's route table can carry exactly the rules the real schema declares and be
//! compared against it, and evaluation that follows PVE's `check_api2_permissions` /
//! `exec_api2_perm_check` — including which error text a refused request gets.

use super::{AccessModel, Principal, ROOT, is_valid_privilege, normalize_path};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt;

/// A method's `permissions` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    /// `{"user": "world"}`: callable without login.
    World,
    /// `{"user": "all"}`: any logged-in user; the handler filters.
    AllUsers,
    /// `{"check": EXPR}`.
    Check(Check),
    /// `{"check": EXPR, "user": "all"}` (GET /cluster/options). PVE tests `user` first, so
    /// the check is never evaluated; it documents what the handler itself enforces.
    AllUsersWithCheck(Check),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseridParamTest {
    /// `["userid-param", "self"]`: the `userid` parameter names the caller.
    SelfUser,
    /// `["userid-param", "Realm.AllocateUser"]`: Realm.AllocateUser on the userid's realm.
    RealmAllocateUser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsParam {
    Create,
    Update,
}

impl GroupsParam {
    fn as_str(self) -> &'static str {
        match self {
            GroupsParam::Create => "create",
            GroupsParam::Update => "update",
        }
    }
}

/// One EXPR of the check language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// `["perm", PATH, [PRIVS], ("any", 1)?, ("require_param", NAME)?]`; PATH may hold
    /// `{param}` placeholders.
    Perm {
        path: String,
        privs: Vec<String>,
        any: bool,
        require_param: Option<String>,
    },
    And(Vec<Check>),
    Or(Vec<Check>),
    UseridParam(UseridParamTest),
    /// `["userid-group", [PRIVS], ("groups_param", "create"|"update")?]`.
    UseridGroup {
        privs: Vec<String>,
        groups_param: Option<GroupsParam>,
    },
    /// `["perm-modify", PATH]`.
    PermModify {
        path: String,
    },
}

/// A refused permission check, worded as PVE's 403 message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Denied {
    /// The ACL path PVE names, or a free-text reason such as "user != null"; empty when PVE
    /// gives no detail.
    pub path: String,
    /// The privileges PVE names: the first missing one for an all-of check, every one
    /// (shown joined by `|`) for an any-of check.
    pub privs: Vec<String>,
    /// Set when PVE fails with a plain error rather than a permission exception (e.g.
    /// "no such user ('x@pve')"); the HTTP layer still answers 403, with this text.
    pub message: Option<String>,
}

impl Denied {
    pub fn new(path: impl Into<String>, privs: &[impl AsRef<str>]) -> Self {
        Denied {
            path: path.into(),
            privs: privs.iter().map(|p| p.as_ref().to_string()).collect(),
            message: None,
        }
    }

    /// PVE's bare `raise_perm_exc()`: "Permission check failed".
    pub fn bare() -> Self {
        Denied::default()
    }

    /// `raise_perm_exc($what)` with a free-text reason.
    pub fn reason(what: impl Into<String>) -> Self {
        Denied {
            path: what.into(),
            ..Default::default()
        }
    }

    /// A plain `die` during the check.
    pub fn other(msg: impl Into<String>) -> Self {
        Denied {
            message: Some(msg.into()),
            ..Default::default()
        }
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.message {
            return f.write_str(m.trim_end_matches('\n'));
        }
        let what = if self.privs.is_empty() {
            self.path.clone()
        } else {
            format!("{}, {}", self.path, self.privs.join("|"))
        };
        if what.is_empty() {
            f.write_str("Permission check failed")
        } else {
            write!(f, "Permission check failed ({what})")
        }
    }
}

impl std::error::Error for Denied {}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// Constructors, so route tables read like the Perl declarations they mirror.
impl Check {
    pub fn perm(path: &str, privs: &[&str]) -> Self {
        Check::Perm {
            path: path.to_string(),
            privs: strs(privs),
            any: false,
            require_param: None,
        }
    }

    /// Turn a `perm` check into an any-of check; other checks are returned unchanged.
    pub fn any(mut self) -> Self {
        if let Check::Perm { any, .. } = &mut self {
            *any = true;
        }
        self
    }

    /// Make a `perm` check fail when `param` is absent; other checks are returned unchanged.
    pub fn require_param(mut self, param: &str) -> Self {
        if let Check::Perm { require_param, .. } = &mut self {
            *require_param = Some(param.to_string());
        }
        self
    }

    pub fn and(checks: Vec<Check>) -> Self {
        Check::And(checks)
    }

    pub fn or(checks: Vec<Check>) -> Self {
        Check::Or(checks)
    }

    pub fn userid_param_self() -> Self {
        Check::UseridParam(UseridParamTest::SelfUser)
    }

    pub fn userid_param_realm_allocate_user() -> Self {
        Check::UseridParam(UseridParamTest::RealmAllocateUser)
    }

    pub fn userid_group(privs: &[&str]) -> Self {
        Check::UseridGroup {
            privs: strs(privs),
            groups_param: None,
        }
    }

    /// Set `groups_param` of a `userid-group` check; other checks are returned unchanged.
    pub fn groups_param(mut self, gp: GroupsParam) -> Self {
        if let Check::UseridGroup { groups_param, .. } = &mut self {
            *groups_param = Some(gp);
        }
        self
    }

    pub fn perm_modify(path: &str) -> Self {
        Check::PermModify {
            path: path.to_string(),
        }
    }

    /// Every privilege name the check mentions (including the ones `perm-modify` adds).
    pub fn privileges(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect_privs(&mut out);
        out
    }

    fn collect_privs(&self, out: &mut BTreeSet<String>) {
        match self {
            Check::Perm { privs, .. } | Check::UseridGroup { privs, .. } => {
                out.extend(privs.iter().cloned())
            }
            Check::And(c) | Check::Or(c) => c.iter().for_each(|c| c.collect_privs(out)),
            Check::UseridParam(UseridParamTest::RealmAllocateUser) => {
                out.insert("Realm.AllocateUser".into());
            }
            Check::UseridParam(UseridParamTest::SelfUser) => {}
            Check::PermModify { .. } => {
                for p in [
                    "Permissions.Modify",
                    "Datastore.Allocate",
                    "VM.Allocate",
                    "Pool.Allocate",
                ] {
                    out.insert(p.into());
                }
            }
        }
    }
}

fn str_of<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a str, String> {
    v.and_then(Value::as_str)
        .ok_or_else(|| format!("{what}: expected a string, got {v:?}"))
}

fn privs_of(v: Option<&Value>) -> Result<Vec<String>, String> {
    let arr = v
        .and_then(Value::as_array)
        .ok_or_else(|| format!("expected a privilege list, got {v:?}"))?;
    arr.iter()
        .map(|p| str_of(Some(p), "privilege").map(str::to_string))
        .collect()
}

/// The `key, value` option pairs after the fixed arguments.
fn option_pairs(rest: &[Value]) -> Result<Vec<(&str, &Value)>, String> {
    if !rest.len().is_multiple_of(2) {
        return Err(format!("odd number of option values: {rest:?}"));
    }
    rest.chunks(2)
        .map(|kv| Ok((str_of(Some(&kv[0]), "option name")?, &kv[1])))
        .collect()
}

fn truthy(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(n.as_f64() != Some(0.0)),
        Value::String(s) => Ok(!(s.is_empty() || s == "0")),
        _ => Err(format!("expected a flag, got {v}")),
    }
}

impl Check {
    pub fn from_schema(v: &Value) -> Result<Self, String> {
        let arr = v
            .as_array()
            .ok_or_else(|| format!("check must be an array: {v}"))?;
        let op = str_of(arr.first(), "check operator")?;
        match op {
            "and" | "or" => {
                let subs = arr[1..]
                    .iter()
                    .map(Check::from_schema)
                    .collect::<Result<Vec<_>, _>>()?;
                if subs.is_empty() {
                    return Err(format!("'{op}' without operands"));
                }
                Ok(if op == "and" {
                    Check::And(subs)
                } else {
                    Check::Or(subs)
                })
            }
            "perm" => {
                let path = str_of(arr.get(1), "perm path")?.to_string();
                let privs = privs_of(arr.get(2))?;
                let mut any = false;
                let mut require_param = None;
                for (k, val) in option_pairs(arr.get(3..).unwrap_or(&[]))? {
                    match k {
                        "any" => any = truthy(val)?,
                        "require_param" => {
                            require_param = Some(str_of(Some(val), "require_param")?.to_string())
                        }
                        _ => return Err(format!("unknown perm option '{k}'")),
                    }
                }
                Ok(Check::Perm {
                    path,
                    privs,
                    any,
                    require_param,
                })
            }
            "userid-param" => {
                if arr.len() != 2 {
                    return Err(format!("userid-param takes one argument: {v}"));
                }
                match str_of(arr.get(1), "userid-param test")? {
                    "self" => Ok(Check::userid_param_self()),
                    "Realm.AllocateUser" => Ok(Check::userid_param_realm_allocate_user()),
                    t => Err(format!("unknown userid-param test '{t}'")),
                }
            }
            "userid-group" => {
                let privs = privs_of(arr.get(1))?;
                let mut groups_param = None;
                for (k, val) in option_pairs(arr.get(2..).unwrap_or(&[]))? {
                    match (k, val.as_str()) {
                        ("groups_param", Some("create")) => {
                            groups_param = Some(GroupsParam::Create)
                        }
                        ("groups_param", Some("update")) => {
                            groups_param = Some(GroupsParam::Update)
                        }
                        _ => return Err(format!("unknown userid-group option '{k}' = {val}")),
                    }
                }
                Ok(Check::UseridGroup {
                    privs,
                    groups_param,
                })
            }
            "perm-modify" => {
                if arr.len() != 2 {
                    return Err(format!("perm-modify takes one argument: {v}"));
                }
                Ok(Check::perm_modify(str_of(arr.get(1), "perm-modify path")?))
            }
            _ => Err(format!("unknown permission test '{op}'")),
        }
    }

    pub fn to_schema(&self) -> Value {
        match self {
            Check::Perm {
                path,
                privs,
                any,
                require_param,
            } => {
                let mut v = vec![json!("perm"), json!(path), json!(privs)];
                if *any {
                    v.extend([json!("any"), json!(1)]);
                }
                if let Some(p) = require_param {
                    v.extend([json!("require_param"), json!(p)]);
                }
                Value::Array(v)
            }
            Check::And(c) | Check::Or(c) => {
                let op = if matches!(self, Check::And(_)) {
                    "and"
                } else {
                    "or"
                };
                let mut v = vec![json!(op)];
                v.extend(c.iter().map(Check::to_schema));
                Value::Array(v)
            }
            Check::UseridParam(t) => json!([
                "userid-param",
                match t {
                    UseridParamTest::SelfUser => "self",
                    UseridParamTest::RealmAllocateUser => "Realm.AllocateUser",
                }
            ]),
            Check::UseridGroup {
                privs,
                groups_param,
            } => {
                let mut v = vec![json!("userid-group"), json!(privs)];
                if let Some(gp) = groups_param {
                    v.extend([json!("groups_param"), json!(gp.as_str())]);
                }
                Value::Array(v)
            }
            Check::PermModify { path } => json!(["perm-modify", path]),
        }
    }
}

impl Permission {
    /// Parses a method's `permissions` object; `description` is ignored.
    pub fn from_schema(v: &Value) -> Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("permissions must be an object: {v}"))?;
        if let Some(k) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "user" | "check" | "description"))
        {
            return Err(format!("unknown permissions key '{k}'"));
        }
        let check = obj.get("check").map(Check::from_schema).transpose()?;
        let user = obj
            .get("user")
            .map(|u| str_of(Some(u), "permissions user"))
            .transpose()?;
        match (user, check) {
            (Some("world"), None) => Ok(Permission::World),
            (Some("all"), None) => Ok(Permission::AllUsers),
            (Some("all"), Some(c)) => Ok(Permission::AllUsersWithCheck(c)),
            (None, Some(c)) => Ok(Permission::Check(c)),
            (u, c) => Err(format!(
                "unsupported permissions: user {u:?} with check {c:?}"
            )),
        }
    }

    pub fn to_schema(&self) -> Value {
        match self {
            Permission::World => json!({"user": "world"}),
            Permission::AllUsers => json!({"user": "all"}),
            Permission::Check(c) => json!({"check": c.to_schema()}),
            Permission::AllUsersWithCheck(c) => json!({"check": c.to_schema(), "user": "all"}),
        }
    }

    /// `check_api2_permissions` for a method that has this object; `who` is `None` for an
    /// unauthenticated request.
    pub fn eval(
        &self,
        model: &AccessModel,
        who: Option<&Principal>,
        param: &dyn Fn(&str) -> Option<String>,
        now: i64,
    ) -> Result<(), Denied> {
        check_api2_permissions(Some(self), model, who, param, now)
    }
}

/// PVE's `check_api2_permissions`. `perm` is `None` for the methods whose schema has no
/// `permissions` (root@pam only). `who` is `None` when the request carries no login. PVE's
/// HTTP layer never authenticates its six `world` methods (GET /access/domains, GET and POST
/// /access/ticket, POST /access/vncticket, POST /access/openid/login and .../auth-url), so
/// the caller must pass `None` for them: this function, like PVE's, refuses a `world`
/// method to a logged-in non-root caller.
pub fn check_api2_permissions(
    perm: Option<&Permission>,
    model: &AccessModel,
    who: Option<&Principal>,
    param: &dyn Fn(&str) -> Option<String>,
    now: i64,
) -> Result<(), Denied> {
    let Some(who) = who else {
        return match perm {
            Some(Permission::World) => Ok(()),
            _ => Err(Denied::reason("user != null")),
        };
    };
    if matches!(who, Principal::User(u) if u == ROOT) {
        return Ok(());
    }
    match perm {
        None => Err(Denied::reason("user != root@pam")),
        Some(Permission::AllUsers | Permission::AllUsersWithCheck(_)) => Ok(()),
        Some(Permission::Check(c)) => c.eval(model, who, param, now),
        Some(Permission::World) => Err(Denied::bare()),
    }
}

struct Ctx<'a> {
    model: &'a AccessModel,
    who: &'a Principal,
    param: &'a dyn Fn(&str) -> Option<String>,
    now: i64,
}

/// PVE's `template_replace`: `{name}` becomes the parameter, or "-" when it is absent or
/// Perl-false ("" or "0"); a `{` that opens no placeholder is dropped.
pub fn template_replace(tmpl: &str, param: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = tmpl;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if j > 0 => {
                let v = param(&after[..j]).filter(|v| !v.is_empty() && v != "0");
                out.push_str(v.as_deref().unwrap_or("-"));
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// PVE's `split_list` for list-valued parameters such as `groups`.
pub fn split_list(s: &str) -> Vec<String> {
    if s.contains('\0') {
        let mut v: Vec<String> = s.split('\0').map(str::to_string).collect();
        while v.last().is_some_and(|x| x.is_empty()) {
            v.pop();
        }
        return v;
    }
    s.replace([',', ';'], " ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `PVE::Auth::Plugin::verify_username`: (user, realm) or PVE's error text.
pub fn verify_username(name: &str) -> Result<(String, String), String> {
    let len = name.chars().count();
    if len < 3 {
        return Err(format!("user name '{name}' is too short\n"));
    }
    if len > 64 {
        return Err(format!("user name '{name}' is too long ({len} > 64)\n"));
    }
    let bad = || {
        Err(format!(
            "value '{name}' does not look like a valid user name\n"
        ))
    };
    let Some((user, realm)) = name.rsplit_once('@') else {
        return bad();
    };
    let user_ok = !user.is_empty()
        && !user
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '/');
    let mut rc = realm.chars();
    let realm_ok = realm.len() >= 2
        && rc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && rc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if user_ok && realm_ok {
        Ok((user.to_string(), realm.to_string()))
    } else {
        bad()
    }
}

impl Check {
    /// Evaluate as PVE's `exec_api2_perm_check` does at the top of a request.
    pub fn eval(
        &self,
        model: &AccessModel,
        who: &Principal,
        param: &dyn Fn(&str) -> Option<String>,
        now: i64,
    ) -> Result<(), Denied> {
        let ctx = Ctx {
            model,
            who,
            param,
            now,
        };
        // PVE only acts on exceptions here: a test that quietly returns false with errors
        // enabled (perm-modify on an unnormalizable path) lets the request through.
        self.exec(&ctx, false).map(|_| ())
    }

    /// `Ok(false)` is PVE's quiet "no" under `noerr`; `Err` is a raised exception, which
    /// some tests raise even under `noerr`, and which then escapes an enclosing `or`.
    fn exec(&self, ctx: &Ctx, noerr: bool) -> Result<bool, Denied> {
        match self {
            // PVE runs the operands of `and` with errors enabled whatever the caller asked,
            // and ignores their return values.
            Check::And(subs) => {
                for s in subs {
                    s.exec(ctx, false)?;
                }
                Ok(true)
            }
            Check::Or(subs) => {
                for s in subs {
                    if s.exec(ctx, true)? {
                        return Ok(true);
                    }
                }
                quiet_or(noerr, Denied::bare())
            }
            Check::Perm {
                path,
                privs,
                any,
                require_param,
            } => {
                if let Some(rp) = require_param
                    && (ctx.param)(rp).is_none()
                {
                    return quiet_or(noerr, Denied::bare());
                }
                let path = normalize_path(&template_replace(path, ctx.param));
                check_full(ctx, path.as_deref(), privs, *any, noerr)
            }
            Check::UseridParam(test) => {
                let raw = (ctx.param)("userid").unwrap_or_default();
                let (_, realm) = verify_username(&raw).map_err(Denied::other)?;
                match test {
                    UseridParamTest::SelfUser => {
                        if !ctx.model.user_exists(&raw) {
                            return quiet_or(noerr, no_such_user(&raw));
                        }
                        if ctx.who.authid() == raw {
                            Ok(true)
                        } else {
                            quiet_or(noerr, Denied::bare())
                        }
                    }
                    UseridParamTest::RealmAllocateUser => check_full(
                        ctx,
                        Some(&format!("/access/realm/{realm}")),
                        &["Realm.AllocateUser".to_string()],
                        false,
                        noerr,
                    ),
                }
            }
            Check::UseridGroup {
                privs,
                groups_param,
            } => userid_group(ctx, privs, *groups_param, noerr),
            Check::PermModify { path } => {
                let Some(path) = normalize_path(&template_replace(path, ctx.param)) else {
                    return Ok(false);
                };
                let mut test = vec!["Permissions.Modify".to_string()];
                let below = |prefix: &str| path.strip_prefix(prefix).is_some_and(|r| !r.is_empty());
                if below("/storage/") {
                    test.push("Datastore.Allocate".into());
                } else if below("/vms/") {
                    test.push("VM.Allocate".into());
                } else if below("/pool/") {
                    test.push("Pool.Allocate".into());
                }
                check_full(ctx, Some(&path), &test, true, noerr)
            }
        }
    }
}

fn quiet_or(noerr: bool, err: Denied) -> Result<bool, Denied> {
    if noerr { Ok(false) } else { Err(err) }
}

fn no_such_user(userid: &str) -> Denied {
    Denied::other(format!("no such user ('{userid}')\n"))
}

/// `check_full`: all-of reports the first missing privilege, any-of reports them all. An
/// unknown privilege name is a plain error regardless of `noerr`, as in PVE.
fn check_full(
    ctx: &Ctx,
    path: Option<&str>,
    privs: &[String],
    any: bool,
    noerr: bool,
) -> Result<bool, Denied> {
    let have = path
        .map(|p| ctx.model.privileges_on(ctx.who, p, ctx.now))
        .unwrap_or_default();
    let shown = path.unwrap_or("");
    let invalid = |p: &str| Denied::other(format!("invalid privilege '{p}'\n"));
    if any {
        for p in privs {
            if !is_valid_privilege(p) {
                return Err(invalid(p));
            }
            if have.contains_key(p) {
                return Ok(true);
            }
        }
        quiet_or(noerr, Denied::new(shown, privs))
    } else {
        for p in privs {
            if !is_valid_privilege(p) {
                return Err(invalid(p));
            }
            if !have.contains_key(p) {
                return quiet_or(noerr, Denied::new(shown, &[p]));
            }
        }
        Ok(true)
    }
}

fn userid_group(
    ctx: &Ctx,
    privs: &[String],
    groups_param: Option<GroupsParam>,
    noerr: bool,
) -> Result<bool, Denied> {
    let userid = (ctx.param)("userid").unwrap_or_default();
    let check_existing_user = groups_param != Some(GroupsParam::Create);
    if check_existing_user {
        if let Err(e) = verify_username(&userid) {
            return quiet_or(noerr, Denied::other(e));
        }
        if !ctx.model.user_exists(&userid) {
            return quiet_or(noerr, no_such_user(&userid));
        }
    }
    // Any of the privileges on /access/groups covers every group and so every user.
    if check_full(ctx, Some("/access/groups"), privs, true, true)? {
        return Ok(true);
    }
    let allowed_groups: BTreeSet<String> = ctx
        .model
        .known_groups()
        .into_iter()
        .filter(|g| {
            check_full(ctx, Some(&format!("/access/groups/{g}")), privs, true, true)
                .unwrap_or(false)
        })
        .collect();
    if groups_param.is_some() {
        // These refusals are raised even under noerr, as PVE does.
        let wanted = split_list(&(ctx.param)("groups").unwrap_or_default());
        if wanted.is_empty() {
            return Err(Denied::new("/access/groups", privs));
        }
        for g in &wanted {
            if !allowed_groups.contains(g) {
                return Err(Denied::new(format!("/access/groups/{g}"), privs));
            }
        }
    }
    if check_existing_user {
        let member = allowed_groups
            .iter()
            .any(|g| ctx.model.group_members(g).contains(&userid));
        if !member {
            return quiet_or(noerr, Denied::bare());
        }
    }
    Ok(true)
}
