// The datacenter root while nothing is connected: explains Proxdeck and how to begin.
import { Activity, CloudOff, FolderTree, type LucideIcon } from "lucide-react";
import { FirstRunActions } from "@/features/connections/FirstRunActions";
import { addConnectionAction, openDemoAction, reasonIfDisabled } from "@/features/connections/firstRun";
import { Breadcrumbs } from "@/ui/Breadcrumbs";

const POINTS: { icon: LucideIcon; title: string; text: string }[] = [
  {
    icon: FolderTree,
    title: "Every cluster in one tree",
    text: "Connections, nodes, guests, storages and Backup Server datastores, side by side. One search finds them all.",
  },
  {
    icon: CloudOff,
    title: "Offline is just a state",
    text: "The last known state of each cluster stays browsable, greyed out and marked with its age.",
  },
  {
    icon: Activity,
    title: "Nothing blocks",
    text: "Long work runs in the task bar below; keep working while it finishes.",
  },
];

export function DatacenterWelcome() {
  const pending = [reasonIfDisabled(addConnectionAction), reasonIfDisabled(openDemoAction)].filter(
    (r): r is string => r !== null,
  );
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter" }]} />
      <div className="flex-1 overflow-auto">
        <div className="mx-auto max-w-3xl px-8 py-10">
          <h1 className="text-2xl font-semibold tracking-tight">Welcome to Proxdeck</h1>
          <p className="mt-2 max-w-2xl text-base text-muted">
            Proxdeck is a desktop console for Proxmox VE clusters and Proxmox Backup Servers. It looks like the
            PVE web interface you know, and adds what one browser tab cannot: all your clusters at once, faster
            and denser, even when one of them is unreachable.
          </p>

          <ul className="mt-7 grid gap-3 sm:grid-cols-3">
            {POINTS.map(({ icon: Icon, title, text }) => (
              <li key={title} className="rounded-md border border-line bg-surface p-3.5">
                <Icon aria-hidden className="mb-2 size-4.5 text-accent" />
                <p className="font-medium">{title}</p>
                <p className="mt-1 text-sm text-muted">{text}</p>
              </li>
            ))}
          </ul>

          <section aria-labelledby="get-started" className="mt-8 rounded-md border border-line bg-surface p-5">
            <h2 id="get-started" className="text-lg font-semibold">
              Get started
            </h2>
            <p className="mt-1 mb-4 text-muted">
              Connect a cluster with a user login or an API token, or open the demo datacenter to try things
              without touching a real cluster.
            </p>
            <FirstRunActions testIdPrefix="welcome" />
            {pending.length > 0 ? (
              <ul className="mt-3 space-y-0.5 text-sm text-muted">
                {pending.map((reason) => (
                  <li key={reason}>{reason}.</li>
                ))}
              </ul>
            ) : null}
          </section>
        </div>
      </div>
    </>
  );
}
