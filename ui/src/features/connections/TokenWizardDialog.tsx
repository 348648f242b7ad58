// The token wizard: logs in once as an administrator and creates the user `proxdeck@pve`,
// its roles and ACLs and an API token for this connection. The admin password is used for
// the call and then forgotten; the new secret goes into the form (and is shown once).
import { KeyRound, LoaderCircle } from "lucide-react";
import { useId, useRef, useState } from "react";
import {
  api,
  toAppError,
  type AppError,
  type CreatedToken,
  type TokenProfile,
  type TokenWizardInput,
  type WizardChoices,
} from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass, describedBy, Field, inputClass, RadioList, selectClass } from "@/ui/form";

/** What the wizard takes over from the connection form. */
export interface WizardTarget {
  urls: string[];
  fingerprints: string[];
  timeoutMs: number;
  /** The connection being edited, whose keychain entry gets the new secret at once. */
  connectionId: string | null;
}

type ProfileKind = "full" | "least";

function CheckList({
  label,
  items,
  selected,
  onToggle,
  testIdPrefix,
  empty,
}: {
  label: string;
  items: string[];
  selected: ReadonlySet<string>;
  onToggle: (item: string) => void;
  testIdPrefix: string;
  empty: string;
}) {
  const id = useId();
  return (
    <fieldset className="min-w-0">
      <legend className="mb-1 text-sm font-medium">{label}</legend>
      {items.length === 0 ? (
        <p className="text-xs text-muted">{empty}</p>
      ) : (
        <ul className="max-h-28 space-y-0.5 overflow-auto rounded border border-line bg-surface px-2 py-1">
          {items.map((item) => (
            <li key={item} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                id={`${id}-${item}`}
                data-testid={`${testIdPrefix}-${item}`}
                className={checkboxClass}
                checked={selected.has(item)}
                onChange={() => onToggle(item)}
              />
              <label htmlFor={`${id}-${item}`} className="text-sm">
                {item}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

function toggle(set: ReadonlySet<string>, item: string): Set<string> {
  const next = new Set(set);
  if (next.has(item)) next.delete(item);
  else next.add(item);
  return next;
}

function WizardDialog({
  target,
  onCreated,
  onCancel,
}: {
  target: WizardTarget;
  onCreated: (created: CreatedToken) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const passwordRef = useRef<HTMLInputElement>(null);
  const [adminUser, setAdminUser] = useState("root@pam");
  const [adminPassword, setAdminPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [tokenName, setTokenName] = useState("proxdeck");
  const [profile, setProfile] = useState<ProfileKind>("full");
  const [choices, setChoices] = useState<WizardChoices | null>(null);
  const [pool, setPool] = useState("");
  const [storages, setStorages] = useState<ReadonlySet<string>>(() => new Set());
  const [zones, setZones] = useState<ReadonlySet<string>>(() => new Set());
  const [rotate, setRotate] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<"choices" | "create" | null>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});

  const fieldError = (key: string) => missing[key] ?? error?.fields[key] ?? null;
  /** A change to a field drops the message the form gave it. */
  const edited = (key: string) =>
    setMissing((m) => {
      if (!(key in m)) return m;
      const next = { ...m };
      delete next[key];
      return next;
    });

  const profileValue = (): TokenProfile =>
    profile === "full"
      ? { kind: "fullAdmin" }
      : { kind: "leastPrivilege", pool, storages: [...storages], sdn_zones: [...zones] };

  const input = (p: TokenProfile): TokenWizardInput => ({
    urls: target.urls,
    fingerprints: target.fingerprints,
    timeoutMs: target.timeoutMs,
    adminUsername: adminUser.trim(),
    adminPassword,
    adminOtp: otp.trim() === "" ? null : otp.trim(),
    tokenName: tokenName.trim(),
    profile: p,
    rotate,
    connectionId: target.connectionId,
  });

  const checkLocal = (needPool: boolean): boolean => {
    const next: Record<string, string> = {};
    if (adminUser.trim() === "") next.adminUsername = "Enter an administrator, e.g. root@pam.";
    if (adminPassword === "") next.adminPassword = "Enter the administrator's password.";
    if (needPool && pool === "") next.pool = "Choose the pool whose guests Proxdeck may manage.";
    setMissing(next);
    if (next.adminPassword) passwordRef.current?.focus();
    return Object.keys(next).length === 0;
  };

  const loadChoices = async () => {
    if (!checkLocal(false)) return;
    setBusy("choices");
    setError(null);
    try {
      const loaded = await api.tokenWizardChoices(input({ kind: "fullAdmin" }));
      setChoices(loaded);
      if (loaded.pools.length === 1) setPool(loaded.pools[0] ?? "");
    } catch (e) {
      setError(toAppError(e));
    } finally {
      // A TOTP code is good for one login.
      setOtp("");
      setBusy(null);
    }
  };

  const create = async () => {
    if (!checkLocal(profile === "least")) return;
    setBusy("create");
    setError(null);
    try {
      const created = await api.tokenCreate(input(profileValue()));
      onCreated(created);
    } catch (e) {
      const appError = toAppError(e);
      setError(appError);
      if (appError.code === "Conflict") setConflict(true);
    } finally {
      // The admin's password is for this one call: never kept, not even after a failure.
      setAdminPassword("");
      setOtp("");
      setBusy(null);
    }
  };

  const offerRotate = conflict || choices?.tokenExists === true || rotate;

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onCancel();
      }}
      testId="token-wizard"
      width="max-w-xl"
      icon={<KeyRound aria-hidden className="size-5 text-accent" />}
      title="Create an API token"
      onOpenAutoFocus={(e) => {
        // The administrator is usually root@pam already: the password is what to type.
        e.preventDefault();
        passwordRef.current?.focus();
      }}
      onSubmit={() => void create()}
      footer={
        <>
          <span className="flex-1" />
          <button
            type="button"
            data-testid="wizard-cancel"
            className={buttonClass("secondary", "h-7 px-3")}
            onClick={onCancel}
          >
            Cancel
          </button>
          <button
            type="submit"
            data-testid="wizard-create"
            className={buttonClass("primary", "h-7 px-3")}
            disabled={busy !== null}
            aria-busy={busy === "create"}
          >
            {busy === "create" ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
            {rotate ? "Rotate token" : "Create token"}
          </button>
        </>
      }
    >
      <div className="space-y-3">
        <p className="text-sm text-muted">
          Logs in once as an administrator to create the user <code className="font-mono text-xs">proxdeck@pve</code>,
          its permissions and an API token for Proxdeck. The administrator&apos;s password is used for this and not
          stored.
        </p>
        {error ? (
          <div>
            <ErrorNotice
              error={error}
              title={error.code === "Conflict" ? "The token exists already" : "The wizard could not finish"}
            />
            {error.code === "Conflict" && !rotate ? (
              <button
                type="button"
                data-testid="wizard-rotate-offer"
                className={buttonClass("secondary", "mt-1.5 h-7 px-3")}
                onClick={() => {
                  setRotate(true);
                  passwordRef.current?.focus();
                }}
              >
                Rotate: give the token a new secret
              </button>
            ) : null}
          </div>
        ) : null}

        <div className="grid grid-cols-2 gap-3">
          <Field label="Administrator" htmlFor={`${id}-user`} error={fieldError("adminUsername")}>
            <input
              {...describedBy(`${id}-user`, { error: fieldError("adminUsername") })}
              data-testid="wizard-admin-user"
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
              value={adminUser}
              onChange={(e) => {
                setAdminUser(e.target.value);
                edited("adminUsername");
              }}
            />
          </Field>
          <Field
            label="Password"
            htmlFor={`${id}-password`}
            error={fieldError("adminPassword")}
            hint="Used for this step only, then cleared."
          >
            <input
              ref={passwordRef}
              {...describedBy(`${id}-password`, { hint: true, error: fieldError("adminPassword") })}
              data-testid="wizard-admin-password"
              type="password"
              className={inputClass}
              autoComplete="off"
              value={adminPassword}
              onChange={(e) => {
                setAdminPassword(e.target.value);
                edited("adminPassword");
              }}
            />
          </Field>
          <Field
            label="TOTP code"
            htmlFor={`${id}-otp`}
            aside="optional"
            error={fieldError("adminOtp")}
            hint="Only if the administrator has a second factor."
          >
            <input
              {...describedBy(`${id}-otp`, { hint: true, error: fieldError("adminOtp") })}
              data-testid="wizard-admin-otp"
              className={inputClass}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={otp}
              onChange={(e) => setOtp(e.target.value)}
            />
          </Field>
          <Field
            label="Token name"
            htmlFor={`${id}-token`}
            error={fieldError("tokenName")}
            hint={
              <>
                The token becomes <code className="font-mono">proxdeck@pve!{tokenName.trim() || "…"}</code>.
              </>
            }
          >
            <input
              {...describedBy(`${id}-token`, { hint: true, error: fieldError("tokenName") })}
              data-testid="wizard-token-name"
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
              value={tokenName}
              onChange={(e) => setTokenName(e.target.value)}
            />
          </Field>
        </div>

        <div>
          <p id={`${id}-profile`} className="mb-1 text-sm font-medium">
            Permissions
          </p>
          <RadioList<ProfileKind>
            labelledBy={`${id}-profile`}
            value={profile}
            onChange={setProfile}
            options={[
              {
                value: "full",
                testId: "wizard-profile-full",
                label: "Full admin",
                description:
                  "The role PVEAdmin on / (propagated) and a token without privilege separation: every " +
                  "Proxdeck feature works, and the token can do what an administrator can.",
              },
              {
                value: "least",
                testId: "wizard-profile-least",
                label: "Least privilege",
                description:
                  "A privilege-separated token with only what Proxdeck needs: Proxdeck-General on / (node and " +
                  "cluster state, node consoles), Proxdeck-VMs on one pool (its guests), PVEDatastoreUser on " +
                  "the storages and PVESDNUser on the SDN zones you choose.",
              },
            ]}
          />
        </div>

        {profile === "least" ? (
          <div className="space-y-2 rounded border border-line bg-raised p-2.5" data-testid="wizard-least">
            <div className="flex items-center gap-2">
              <button
                type="button"
                data-testid="wizard-load-choices"
                className={buttonClass("secondary", "h-7 px-3")}
                disabled={busy !== null}
                aria-busy={busy === "choices"}
                onClick={() => void loadChoices()}
              >
                {busy === "choices" ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
                {choices ? "Reload choices" : "Load choices"}
              </button>
              <span className="text-xs text-muted">
                {choices
                  ? `Read from the cluster (version ${choices.version}).`
                  : "Reads the cluster's pools, storages and SDN zones with the administrator's login."}
              </span>
            </div>
            {choices ? (
              <>
                <Field label="Pool" htmlFor={`${id}-pool`} error={fieldError("pool")}>
                  <select
                    {...describedBy(`${id}-pool`, { error: fieldError("pool") })}
                    data-testid="wizard-pool"
                    className={selectClass}
                    value={pool}
                    onChange={(e) => {
                      setPool(e.target.value);
                      edited("pool");
                    }}
                  >
                    <option value="">
                      {choices.pools.length === 0 ? "No pools on this cluster" : "Choose a pool…"}
                    </option>
                    {choices.pools.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </Field>
                <div className="grid grid-cols-2 gap-3">
                  <CheckList
                    label="Storages"
                    items={choices.storages}
                    selected={storages}
                    onToggle={(s) => setStorages((prev) => toggle(prev, s))}
                    testIdPrefix="wizard-storage"
                    empty="No storages."
                  />
                  <CheckList
                    label="SDN zones"
                    items={choices.sdnZones}
                    selected={zones}
                    onToggle={(z) => setZones((prev) => toggle(prev, z))}
                    testIdPrefix="wizard-zone"
                    empty="No SDN zones."
                  />
                </div>
              </>
            ) : null}
          </div>
        ) : null}

        {offerRotate ? (
          <div
            data-testid="wizard-exists"
            className="rounded border border-warning/50 bg-warning-soft px-3 py-2 text-sm"
          >
            <p>
              {choices?.tokenExists || conflict
                ? `A token named “${tokenName.trim()}” already exists for proxdeck@pve. `
                : ""}
              Rotating gives it a new secret: whatever uses the old secret stops working.
            </p>
            <label className="mt-1 flex items-center gap-1.5 font-medium">
              <input
                type="checkbox"
                data-testid="wizard-rotate"
                className={checkboxClass}
                checked={rotate}
                onChange={(e) => setRotate(e.target.checked)}
              />
              Rotate the token
            </label>
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}

/** Mounted only while open: closing forgets everything typed, the password first. */
export function TokenWizardDialog({
  target,
  onCreated,
  onClose,
}: {
  /** The connection form's addresses and trust; the wizard is open while set. */
  target: WizardTarget | null;
  onCreated: (created: CreatedToken) => void;
  onClose: () => void;
}) {
  return target ? <WizardDialog target={target} onCreated={onCreated} onCancel={onClose} /> : null;
}
