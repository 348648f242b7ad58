// What is running and where it keeps its files — the first thing a bug report needs.
import { useQuery } from "@tanstack/react-query";
import type { AppInfo } from "@/backend";
import { ErrorNotice } from "@/ui/ErrorNotice";
import { appInfoQuery } from "./queries";

const ROWS: { key: keyof AppInfo; label: string; testId: string; path?: boolean }[] = [
  { key: "version", label: "Version", testId: "about-version" },
  { key: "os", label: "Operating system", testId: "about-os" },
  { key: "dataDir", label: "Data directory", testId: "about-data-dir", path: true },
  { key: "logDir", label: "Log directory", testId: "about-log-dir", path: true },
  { key: "databasePath", label: "Database", testId: "about-database-path", path: true },
  { key: "schemaVersion", label: "Schema version", testId: "about-schema-version" },
];

export function AboutSection() {
  const info = useQuery(appInfoQuery);
  return (
    <section aria-labelledby="about" className="rounded-md border border-line bg-surface">
      <h2 id="about" className="border-b border-line px-4 py-2.5 text-base font-semibold">
        About Proxdeck
      </h2>
      <div className="p-4" aria-busy={info.isPending}>
        {info.isPending ? <p className="text-muted">Loading system information…</p> : null}
        {info.isError ? <ErrorNotice title="Could not read system information" error={info.error} /> : null}
        {info.data ? (
          <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1.5">
            {ROWS.map(({ key, label, testId, path }) => (
              <div key={key} className="contents">
                <dt className="text-muted">{label}</dt>
                <dd data-testid={testId} className={path ? "font-mono text-sm break-all select-text" : "select-text"}>
                  {String(info.data[key])}
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
    </section>
  );
}
