// Add or edit a connection: the form, "Test connection" with its report, the certificate
// trust step, the token wizard and the one-time secret. Mounted while open, so every
// opening starts from the saved state and nothing typed (least of all a secret) lingers.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { DatabaseBackup, KeyRound, LoaderCircle, Network, PlugZap } from "lucide-react";
import { useDeferredValue, useEffect, useId, useRef, useState } from "react";
import {
  api,
  toAppError,
  type AppError,
  type CertificateInfo,
  type Connection,
  type CreatedToken,
  type TestReport,
} from "@/backend";
import { buttonClass } from "@/ui/button";
import { Dialog } from "@/ui/Dialog";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { checkboxClass, describedBy, Field, inputClass, RadioList, Segmented, textareaClass } from "@/ui/form";
import { DisabledReason } from "@/ui/Tooltip";
import { CertificateDialog } from "./CertificateDialog";
import {
  buildInput,
  defaultPort,
  emptyForm,
  formFromConnection,
  isWholeToken,
  loginUser,
  parsePins,
  parseUrls,
  probeUrl,
  sameFingerprint,
  type ConnectionForm,
  type FieldName,
  type TlsMode,
} from "./connectionForm";
import { FeatureChips } from "./FeatureMatrixView";
import { NodeOrderEditor } from "./NodeOrderEditor";
import { connectionsQuery, featuresQuery, putConnection } from "./queries";
import { SecretDialog } from "./SecretDialog";
import { TestReportView } from "./TestReportView";
import { TokenWizardDialog, type WizardTarget } from "./TokenWizardDialog";

export type ConnectionDialogMode = { type: "add" } | { type: "edit"; connection: Connection };

type FieldErrors = Partial<Record<string, string>>;

/** Which error key a form field's change makes obsolete. */
const ERROR_KEY: Partial<Record<keyof ConnectionForm, FieldName>> = { tls: "fingerprints" };

/** The order fields appear in, for focusing the first one with an error. */
const FIELD_ORDER: FieldName[] = [
  "kind",
  "name",
  "urls",
  "fingerprints",
  "timeoutMs",
  "access",
  "username",
  "password",
  "tokenId",
  "tokenSecret",
  "nodeOrder",
  "pool",
  "enabled",
];

const FIELD_LABEL: Record<FieldName, string> = {
  kind: "Type",
  name: "Name",
  urls: "Node addresses",
  access: "Access",
  username: "User",
  password: "Password",
  tokenId: "Token ID",
  tokenSecret: "Secret",
  timeoutMs: "Timeout",
  fingerprints: "Fingerprints",
  nodeOrder: "Node order",
  pool: "Pool",
  enabled: "Enabled",
};

function visibleFields(form: ConnectionForm): Set<string> {
  const visible = new Set<string>(["kind", "name", "urls", "access", "timeoutMs", "enabled"]);
  if (form.access === "credential") {
    visible.add("username");
    visible.add("password");
  } else {
    visible.add("tokenId");
    visible.add("tokenSecret");
  }
  if (form.tls === "pinned") visible.add("fingerprints");
  if (form.kind === "pve") {
    visible.add("nodeOrder");
    visible.add("pool");
  }
  return visible;
}

interface CertRequest {
  info: CertificateInfo;
  changed: boolean;
  /** What to run again once the certificate is pinned. */
  then: "test" | "save";
}

export function ConnectionDialog({
  mode,
  returnFocus = null,
  onClose,
}: {
  mode: ConnectionDialogMode;
  returnFocus?: HTMLElement | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const uid = useId();
  const fid = (name: string) => `${uid}-${name}`;
  const existing = mode.type === "edit" ? mode.connection : null;

  const [form, setForm] = useState<ConnectionForm>(() => (existing ? formFromConnection(existing) : emptyForm()));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<{ title: string; error: AppError } | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const [notTrusted, setNotTrusted] = useState(false);
  const [busy, setBusy] = useState<"test" | "save" | null>(null);
  const [cert, setCert] = useState<CertRequest | null>(null);
  const [wizard, setWizard] = useState<WizardTarget | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const reportRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // The report appears below the form: bring it into view (jsdom has no scrollIntoView).
    if (report) reportRef.current?.scrollIntoView?.({ block: "nearest", behavior: "auto" });
  }, [report]);

  const user = useDeferredValue(loginUser(form));
  const features = useQuery({
    ...featuresQuery(form.kind, form.access, user, report?.version ?? null),
    placeholderData: keepPreviousData,
  });

  const update = (patch: Partial<ConnectionForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setFieldErrors((errors) => {
      const next = { ...errors };
      for (const key of Object.keys(patch) as (keyof ConnectionForm)[]) delete next[ERROR_KEY[key] ?? key];
      return next;
    });
  };

  const focusFirstError = (errors: FieldErrors, shown: ConnectionForm) => {
    const visible = visibleFields(shown);
    const first = FIELD_ORDER.find((name) => errors[name] && visible.has(name));
    if (first) document.getElementById(fid(first))?.focus();
  };

  const showErrors = (
    fields: FieldErrors,
    general: { title: string; error: AppError } | null,
    shown: ConnectionForm,
  ) => {
    setFieldErrors(fields);
    setFailure(general);
    focusFirstError(fields, shown);
  };

  const clearErrors = () => {
    setFieldErrors({});
    setFailure(null);
  };

  /**
   * Probes the addresses in order and asks the user to trust the first certificate that is
   * not pinned yet. It counts as changed when pins exist and no node presents any of them.
   */
  const askTrust = async (shown: ConnectionForm, then: CertRequest["then"], original: AppError) => {
    const urls = parseUrls(shown.urls);
    if (urls.length === 0) {
      showErrors(original.fields, { title: "The certificate is not trusted", error: original }, shown);
      return;
    }
    const pins = parsePins(shown);
    let anyPinned = false;
    let unpinned: CertificateInfo | null = null;
    let failure: AppError | null = null;
    for (const url of urls) {
      try {
        const info = await api.certificateProbe(probeUrl(shown.kind, url));
        if (pins.some((pin) => sameFingerprint(pin, info.fingerprint))) anyPinned = true;
        else unpinned ??= info;
      } catch (e) {
        failure ??= toAppError(e);
      }
    }
    if (unpinned) setCert({ info: unpinned, changed: pins.length > 0 && !anyPinned, then });
    else
      showErrors(
        {},
        { title: "Could not read the node's certificate", error: failure ?? original },
        shown,
      );
  };

  const runTest = async (shown: ConnectionForm) => {
    const built = buildInput(shown);
    if (!built.ok) {
      showErrors(built.fields, null, shown);
      return;
    }
    clearErrors();
    setNotTrusted(false);
    setBusy("test");
    try {
      const result = await api.connectionTest(built.input, existing?.id ?? null);
      if (result.untrustedCertificate) {
        setReport(null);
        setCert({ info: result.untrustedCertificate, changed: result.certificateChanged, then: "test" });
      } else {
        setReport(result);
      }
    } catch (e) {
      const error = toAppError(e);
      if (error.code === "UntrustedCertificate") await askTrust(shown, "test", error);
      else showErrors(error.fields, { title: "The test could not run", error }, shown);
    } finally {
      setBusy(null);
    }
  };

  const runSave = async (shown: ConnectionForm) => {
    const built = buildInput(shown);
    if (!built.ok) {
      showErrors(built.fields, null, shown);
      return;
    }
    clearErrors();
    setBusy("save");
    try {
      const saved = existing
        ? await api.connectionUpdate(existing.id, built.input)
        : await api.connectionAdd(built.input);
      putConnection(queryClient, saved);
      void queryClient.invalidateQueries({ queryKey: connectionsQuery.queryKey });
      onClose();
    } catch (e) {
      const error = toAppError(e);
      if (error.code === "UntrustedCertificate") await askTrust(shown, "save", error);
      else
        showErrors(
          error.fields,
          { title: existing ? "Could not save the connection" : "Could not add the connection", error },
          shown,
        );
    } finally {
      setBusy(null);
    }
  };

  const trust = (info: CertificateInfo) => {
    const then = cert?.then ?? "test";
    // A changed certificate replaces the pins; another node's certificate joins them.
    const kept = cert?.changed ? [] : parsePins(form).filter((p) => !sameFingerprint(p, info.fingerprint));
    const next: ConnectionForm = {
      ...form,
      tls: "pinned",
      fingerprints: [...kept, info.fingerprint].join("\n"),
    };
    setForm(next);
    setCert(null);
    void (then === "test" ? runTest(next) : runSave(next));
  };

  const refuseTrust = () => {
    const then = cert?.then;
    setCert(null);
    if (then === "test") setNotTrusted(true);
    if (then === "save") {
      setFailure({
        title: "Not saved",
        error: {
          code: "UntrustedCertificate",
          message:
            "The node's certificate is not trusted, so the connection was not saved. Trust it, or verify " +
            "with system CAs once the node has a certificate your system trusts.",
          detail: null,
          fields: {},
        },
      });
    }
  };

  const err = (name: FieldName) => fieldErrors[name] ?? null;
  const field = (name: FieldName, hint = false) => ({
    ...describedBy(fid(name), { hint, error: err(name) }),
  });
  const errorTestId = (name: FieldName) => `field-error-${name}`;

  const keepsSecret = existing !== null && existing.hasSecret && existing.access === form.access;
  const visible = visibleFields(form);
  const hiddenErrors = Object.entries(fieldErrors).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !visible.has(entry[0]),
  );
  const urls = parseUrls(form.urls);
  const wholeToken = isWholeToken(form.kind, form.tokenId);
  const wizardReason =
    form.kind !== "pve"
      ? "The token wizard is for Proxmox VE"
      : urls.length === 0
        ? "Enter a node address first: the wizard logs in there"
        : null;

  const openWizard = () => {
    const timeout = Number(form.timeoutMs);
    setWizard({
      urls,
      fingerprints: parsePins(form),
      timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : 1000,
      connectionId: existing?.id ?? null,
    });
  };

  const tokenCreated = (token: CreatedToken) => {
    update({ access: "apiToken", tokenId: token.tokenId, tokenSecret: token.secret });
    setWizard(null);
    setCreated(token);
  };

  const port = defaultPort(form.kind);
  const title = existing ? `Edit ${existing.name}` : "Add a connection";

  return (
    <>
      <Dialog
        open
        onOpenChange={(open) => {
          if (!open) onClose();
        }}
        testId="connection-dialog"
        returnFocus={returnFocus}
        width="max-w-3xl"
        icon={
          form.kind === "pbs" ? (
            <DatabaseBackup aria-hidden className="size-5 text-accent" />
          ) : (
            <Network aria-hidden className="size-5 text-accent" />
          )
        }
        title={title}
        description={
          existing
            ? "Change how Proxdeck reaches and logs in to this server."
            : "A Proxmox VE cluster or node, or a Proxmox Backup Server."
        }
        onSubmit={() => void runSave(form)}
        footer={
          <>
            <button
              type="button"
              data-testid="conn-test"
              className={buttonClass("secondary", "h-7 px-3")}
              disabled={busy !== null}
              aria-busy={busy === "test"}
              onClick={() => void runTest(form)}
            >
              {busy === "test" ? (
                <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
              ) : (
                <PlugZap aria-hidden className="size-3.5" />
              )}
              {busy === "test" ? "Testing…" : "Test connection"}
            </button>
            <span className="flex-1 text-xs text-muted">Saving without a test is fine; the health check tests it.</span>
            <button
              type="button"
              data-testid="conn-cancel"
              className={buttonClass("secondary", "h-7 px-3")}
              onClick={onClose}
            >
              Cancel
            </button>
            <button
              type="submit"
              data-testid="conn-save"
              className={buttonClass("primary", "h-7 px-3")}
              disabled={busy !== null}
              aria-busy={busy === "save"}
            >
              {busy === "save" ? <LoaderCircle aria-hidden className="size-3.5 animate-spin" /> : null}
              {existing ? "Save" : "Add connection"}
            </button>
          </>
        }
      >
        <div className="space-y-4">
          {failure ? (
            <div data-testid="conn-error">
              <ErrorNotice title={failure.title} error={failure.error} />
              {hiddenErrors.length > 0 ? (
                <ul className="mt-1 space-y-0.5 text-sm text-error">
                  {hiddenErrors.map(([key, message]) => (
                    <li key={key} data-testid={`field-error-${key}`}>
                      {FIELD_LABEL[key as FieldName] ?? key}: {message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}

          <div className="grid grid-cols-2 gap-x-6 gap-y-3">
            {/* Where the server is and how to trust it. */}
            <div className="space-y-3">
              <Field label="Type" labelId={fid("kind-label")} error={err("kind")} errorTestId={errorTestId("kind")}>
                <Segmented
                  labelledBy={fid("kind-label")}
                  value={form.kind}
                  onChange={(kind) => update({ kind, nodeOrder: kind === "pve" ? form.nodeOrder : [] })}
                  options={[
                    { value: "pve", label: "Proxmox VE", testId: "conn-kind-pve" },
                    { value: "pbs", label: "Backup Server", testId: "conn-kind-pbs" },
                  ]}
                />
              </Field>
              <Field label="Name" htmlFor={fid("name")} error={err("name")} errorTestId={errorTestId("name")}>
                <input
                  {...field("name")}
                  data-testid="conn-name"
                  className={inputClass}
                  placeholder={form.kind === "pbs" ? "backup" : "prod-cluster"}
                  autoComplete="off"
                  spellCheck={false}
                  value={form.name}
                  onChange={(e) => update({ name: e.target.value })}
                />
              </Field>
              <Field
                label="Node addresses"
                htmlFor={fid("urls")}
                aside={`default port ${port}`}
                error={err("urls")}
                errorTestId={errorTestId("urls")}
                hint="One per line: host, host:port or https://host:port. Tried in order; the first that answers is used."
              >
                <textarea
                  {...field("urls", true)}
                  data-testid="conn-urls"
                  className={`${textareaClass} font-mono`}
                  rows={3}
                  placeholder={form.kind === "pbs" ? `pbs.example.com:${port}` : `pve1.example.com\npve2.example.com`}
                  autoComplete="off"
                  spellCheck={false}
                  value={form.urls}
                  onChange={(e) => update({ urls: e.target.value })}
                />
              </Field>
              <Field label="Certificate" labelId={fid("tls-label")}>
                <RadioList<TlsMode>
                  labelledBy={fid("tls-label")}
                  value={form.tls}
                  onChange={(tls) => update({ tls })}
                  options={[
                    {
                      value: "system",
                      testId: "conn-tls-system",
                      label: "Verify with system CAs",
                      description: "For a certificate from a public CA or your organisation's CA.",
                    },
                    {
                      value: "pinned",
                      testId: "conn-tls-pinned",
                      label: "Pinned fingerprints",
                      description: "Trust exactly these certificates, e.g. Proxmox's self-signed ones (one per node).",
                    },
                  ]}
                />
              </Field>
              {form.tls === "pinned" ? (
                <Field
                  label="SHA-256 fingerprints"
                  htmlFor={fid("fingerprints")}
                  error={err("fingerprints")}
                  errorTestId={errorTestId("fingerprints")}
                  hint="One per line. Leave it to Test connection to read each node's, or paste them: AA:BB:…"
                >
                  <textarea
                    {...field("fingerprints", true)}
                    data-testid="conn-fingerprint"
                    className={`${textareaClass} font-mono text-xs`}
                    rows={Math.min(4, Math.max(2, parseUrls(form.fingerprints).length))}
                    placeholder="AA:BB:CC:…"
                    autoComplete="off"
                    spellCheck={false}
                    value={form.fingerprints}
                    onChange={(e) => update({ fingerprints: e.target.value })}
                  />
                </Field>
              ) : null}
              {form.kind === "pve" ? (
                <Field
                  label="Pool"
                  htmlFor={fid("pool")}
                  aside="optional"
                  error={err("pool")}
                  errorTestId={errorTestId("pool")}
                  hint="Bind this connection to one resource pool: only its guests are shown and acted on, as with a token confined to that pool."
                >
                  <input
                    {...field("pool")}
                    data-testid="conn-pool"
                    className={`${inputClass} max-w-64`}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="whole cluster"
                    value={form.pool}
                    onChange={(e) => update({ pool: e.target.value })}
                  />
                </Field>
              ) : null}
              <Field
                label="Timeout"
                htmlFor={fid("timeoutMs")}
                aside="milliseconds"
                error={err("timeoutMs")}
                errorTestId={errorTestId("timeoutMs")}
                hint="For each request; 1000 suits a local network."
              >
                <input
                  {...field("timeoutMs", true)}
                  data-testid="conn-timeout"
                  className={`${inputClass} max-w-32`}
                  type="number"
                  inputMode="numeric"
                  min={100}
                  step={100}
                  value={form.timeoutMs}
                  onChange={(e) => update({ timeoutMs: e.target.value })}
                />
              </Field>
            </div>

            {/* How to log in, and what that login allows. */}
            <div className="space-y-3">
              <Field
                label="Access"
                labelId={fid("access-label")}
                error={err("access")}
                errorTestId={errorTestId("access")}
              >
                <Segmented
                  labelledBy={fid("access-label")}
                  value={form.access}
                  onChange={(access) => update({ access })}
                  options={[
                    { value: "credential", label: "Credential", testId: "conn-access-credential" },
                    { value: "apiToken", label: "API token", testId: "conn-access-token" },
                  ]}
                />
              </Field>
              {form.access === "credential" ? (
                <>
                  <Field
                    label="User"
                    htmlFor={fid("username")}
                    error={err("username")}
                    errorTestId={errorTestId("username")}
                    hint="user@realm, e.g. root@pam or admin@pve."
                  >
                    <input
                      {...field("username", true)}
                      data-testid="conn-username"
                      className={inputClass}
                      placeholder="root@pam"
                      autoComplete="off"
                      spellCheck={false}
                      value={form.username}
                      onChange={(e) => update({ username: e.target.value })}
                    />
                  </Field>
                  <Field
                    label="Password"
                    htmlFor={fid("password")}
                    error={err("password")}
                    errorTestId={errorTestId("password")}
                  >
                    <input
                      {...field("password")}
                      data-testid="conn-password"
                      type="password"
                      className={inputClass}
                      placeholder={keepsSecret ? "unchanged" : undefined}
                      autoComplete="off"
                      value={form.password}
                      onChange={(e) => update({ password: e.target.value })}
                    />
                  </Field>
                </>
              ) : (
                <>
                  <Field
                    label="Token ID"
                    htmlFor={fid("tokenId")}
                    error={err("tokenId")}
                    errorTestId={errorTestId("tokenId")}
                    hint={`user@realm!tokenname — or paste the whole token (user@realm!tokenname${
                      form.kind === "pbs" ? ":" : "="
                    }secret) and leave the secret empty.`}
                  >
                    <div className="flex gap-1">
                      <input
                        {...field("tokenId", true)}
                        data-testid="conn-token-id"
                        className={`${inputClass} font-mono text-xs`}
                        placeholder="proxdeck@pve!proxdeck"
                        autoComplete="off"
                        spellCheck={false}
                        value={form.tokenId}
                        onChange={(e) => update({ tokenId: e.target.value })}
                      />
                      {form.kind === "pve" ? (
                        <DisabledReason reason={wizardReason}>
                          <button
                            type="button"
                            data-testid="conn-token-wizard"
                            aria-label="Create a token with the wizard"
                            title="Create a token with the wizard"
                            className={buttonClass("secondary", "size-7 shrink-0")}
                            onClick={openWizard}
                          >
                            <KeyRound aria-hidden className="size-3.5" />
                          </button>
                        </DisabledReason>
                      ) : null}
                    </div>
                  </Field>
                  <Field
                    label="Secret"
                    htmlFor={fid("tokenSecret")}
                    error={err("tokenSecret")}
                    errorTestId={errorTestId("tokenSecret")}
                    hint={wholeToken ? "Taken from the pasted token." : undefined}
                  >
                    <input
                      {...field("tokenSecret", wholeToken)}
                      data-testid="conn-token-secret"
                      type="password"
                      className={`${inputClass} font-mono text-xs`}
                      placeholder={keepsSecret ? "unchanged" : wholeToken ? "in the pasted token" : undefined}
                      autoComplete="off"
                      value={form.tokenSecret}
                      onChange={(e) => update({ tokenSecret: e.target.value })}
                    />
                  </Field>
                </>
              )}
              <div aria-live="polite">
                <p className="mb-1 text-sm font-medium">What this login can do</p>
                {features.data && features.data.features.length > 0 ? (
                  <FeatureChips matrix={features.data} testId="conn-features" />
                ) : features.isError ? (
                  <p className="text-xs text-muted">Not known: {toAppError(features.error).message}</p>
                ) : (
                  <p className="text-xs text-muted">…</p>
                )}
                <p className="mt-1 text-xs leading-4 text-muted">
                  {report?.version
                    ? `For version ${report.version}, from the last test.`
                    : "Test the connection to check it against the server's version."}
                </p>
              </div>
              <div className="flex items-start gap-2 pt-1">
                <input
                  {...field("enabled")}
                  type="checkbox"
                  data-testid="conn-enabled"
                  className={`${checkboxClass} mt-0.5`}
                  checked={form.enabled}
                  onChange={(e) => update({ enabled: e.target.checked })}
                />
                <label htmlFor={fid("enabled")} className="text-sm">
                  <span className="font-medium">Enabled</span>
                  <span className="block text-xs leading-4 text-muted">
                    A disabled connection stays in the tree, greyed, and is neither checked nor queried.
                  </span>
                </label>
              </div>
            </div>
          </div>

          <div aria-live="polite" ref={reportRef}>
            {report ? <TestReportView report={report} /> : null}
            {notTrusted ? (
              <p
                data-testid="test-not-trusted"
                className="rounded border border-warning/50 bg-warning-soft px-3 py-2 text-sm"
              >
                Not tested: the certificate was not trusted.
              </p>
            ) : null}
          </div>

          {form.kind === "pve" ? (
            <section aria-labelledby={fid("order-label")}>
              <h3 id={fid("order-label")} className="mb-1 text-sm font-medium">
                Node display order
              </h3>
              <NodeOrderEditor
                labelledBy={fid("order-label")}
                nodeOrder={form.nodeOrder}
                known={report?.clusterNodes ?? []}
                onChange={(nodeOrder) => update({ nodeOrder })}
              />
              {err("nodeOrder") ? (
                <p data-testid={errorTestId("nodeOrder")} className="mt-1 text-xs text-error">
                  {err("nodeOrder")}
                </p>
              ) : null}
            </section>
          ) : null}
        </div>
      </Dialog>

      <CertificateDialog
        info={cert?.info ?? null}
        changed={cert?.changed ?? false}
        kind={form.kind}
        onTrust={trust}
        onCancel={refuseTrust}
      />
      <TokenWizardDialog target={wizard} onCreated={tokenCreated} onClose={() => setWizard(null)} />
      <SecretDialog created={created} onDone={() => setCreated(null)} />
    </>
  );
}
