// How often connections are checked and their inventories refreshed, and how the tree orders
// guests.
import * as RadioGroup from "@radix-ui/react-radio-group";
import { useQuery } from "@tanstack/react-query";
import type { GuestOrder } from "@/backend";
import { settingsQuery, useSaveSettings } from "./queries";
import { SecondsSetting } from "./SecondsSetting";

const ORDERS: { value: GuestOrder; label: string }[] = [
  { value: "vmid", label: "By VMID" },
  { value: "name", label: "By name" },
];

function GuestOrderSetting() {
  const settings = useQuery(settingsQuery);
  const save = useSaveSettings();
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
      <span id="guest-order-label" className="w-40 text-muted">
        Guests in the tree
      </span>
      <RadioGroup.Root
        aria-labelledby="guest-order-label"
        value={settings.data?.guestOrder ?? "vmid"}
        disabled={!settings.data}
        onValueChange={(value) => {
          const order = ORDERS.find((o) => o.value === value)?.value;
          if (order && settings.data) save.mutate({ ...settings.data, guestOrder: order });
        }}
        orientation="horizontal"
        className="inline-flex rounded border border-line-strong bg-sunken p-0.5"
      >
        {ORDERS.map(({ value, label }) => (
          <RadioGroup.Item
            key={value}
            value={value}
            data-testid={`guest-order-${value}`}
            className="inline-flex h-7 items-center rounded-sm px-3 text-sm text-muted hover:text-fg data-[state=checked]:bg-surface data-[state=checked]:text-fg data-[state=checked]:shadow-sm data-[state=checked]:ring-1 data-[state=checked]:ring-line-strong"
          >
            {label}
          </RadioGroup.Item>
        ))}
      </RadioGroup.Root>
    </div>
  );
}

export function HealthSection() {
  return (
    <section aria-labelledby="health-checks" className="rounded-md border border-line bg-surface">
      <h2 id="health-checks" className="border-b border-line px-4 py-2.5 text-base font-semibold">
        Refresh and health checks
      </h2>
      <div className="space-y-4 p-4">
        <SecondsSetting
          setting="refreshVisibleSecs"
          label="Refresh every"
          min={2}
          max={300}
          testId="refresh-visible"
          hint="While the window is visible, each cluster's nodes and guests are refreshed this often (2 to 300 seconds, 5 by default), with one request per cluster."
        />
        <SecondsSetting
          setting="refreshHiddenSecs"
          label="When hidden, every"
          min={10}
          max={3600}
          testId="refresh-hidden"
          hint="While the window is hidden or minimised (10 to 3600 seconds, 60 by default)."
        />
        <SecondsSetting
          setting="healthIntervalSecs"
          label="Check health every"
          min={5}
          max={3600}
          testId="health-interval"
          hint="Each enabled connection is checked this often (5 to 3600 seconds, 30 by default). After a failure Proxdeck looks again sooner — 5, 10, 20 seconds… — and a desktop notification says when a cluster becomes unreachable and when it is back."
        />
        <GuestOrderSetting />
      </div>
    </section>
  );
}
