// What "Test connection" found: which node addresses answered, what runs there, whether the
// login works, what it may do on `/`, and which Proxdeck features that allows.
import { Check, X } from "lucide-react";
import type { ReactNode } from "react";
import type { TestReport } from "@/backend";
import { FeatureTable } from "./FeatureMatrixView";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

export function TestReportView({ report }: { report: TestReport }) {
  const reachable = report.nodes.filter((n) => n.reachable).length;
  const ok = report.authOk && reachable > 0;
  return (
    <section
      data-testid="test-report"
      data-ok={ok}
      aria-label="Test result"
      className="space-y-3 rounded-md border border-line bg-raised p-3"
    >
      <p className="flex items-center gap-1.5 font-medium">
        {ok ? (
          <Check aria-hidden className="size-4 text-running" />
        ) : (
          <X aria-hidden className="size-4 text-error" />
        )}
        {ok
          ? "The connection works."
          : reachable === 0
            ? "No node address answered."
            : "The nodes answer, but the login does not work."}
      </p>
      <dl className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-x-3 gap-y-1.5 text-sm">
        <Row label="Node addresses">
          <ul className="space-y-0.5">
            {report.nodes.map((node) => (
              <li
                key={node.url}
                data-testid="test-node"
                data-reachable={node.reachable}
                className="flex min-w-0 items-start gap-1.5"
              >
                {node.reachable ? (
                  <Check aria-hidden className="mt-0.5 size-3.5 shrink-0 text-running" />
                ) : (
                  <X aria-hidden className="mt-0.5 size-3.5 shrink-0 text-error" />
                )}
                <span className="min-w-0">
                  <span className="font-mono text-xs break-all">{node.url}</span>
                  <span className="sr-only">{node.reachable ? " answers" : " does not answer"}</span>
                  {node.error ? <span className="block text-xs text-muted">{node.error}</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </Row>
        {report.version ? <Row label="Version">{report.version}</Row> : null}
        {reachable > 0 ? <Row label="Cluster">{report.clusterName ?? "Single node (no cluster)"}</Row> : null}
        <Row label="Login">
          {report.authOk ? (
            <span data-testid="test-auth" data-ok="true" className="inline-flex items-center gap-1">
              <Check aria-hidden className="size-3.5 text-running" />
              Accepted
            </span>
          ) : (
            <span data-testid="test-auth" data-ok="false" className="block">
              <span className="inline-flex items-center gap-1">
                <X aria-hidden className="size-3.5 text-error" />
                {report.authError?.message ?? (reachable > 0 ? "Refused" : "Not tried: no node answered")}
              </span>
              {report.authError ? (
                <code className="ml-1.5 rounded bg-sunken px-1 py-px font-mono text-xs text-muted">
                  {report.authError.code}
                </code>
              ) : null}
            </span>
          )}
        </Row>
        {report.authOk ? (
          <Row label="Privileges on /">
            {report.privileges.length > 0 ? (
              <ul className="flex flex-wrap gap-1" data-testid="test-privileges">
                {report.privileges.map((p) => (
                  <li key={p} className="rounded bg-sunken px-1.5 py-px font-mono text-xs">
                    {p}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="text-muted">None: this login may not see anything at the root.</span>
            )}
          </Row>
        ) : null}
      </dl>
      {report.features.features.length > 0 ? (
        <div>
          <h4 className="mb-1 text-sm font-medium">What Proxdeck can do with this login</h4>
          <FeatureTable matrix={report.features} />
        </div>
      ) : null}
    </section>
  );
}
