// Backup settings: the window of the backup coverage view.
import { NumberSetting } from "./SecondsSetting";

export function BackupsSection() {
  return (
    <section aria-labelledby="backups-settings" className="rounded-md border border-line bg-surface">
      <h2 id="backups-settings" className="border-b border-line px-4 py-2.5 text-base font-semibold">
        Backups
      </h2>
      <div className="space-y-4 p-4">
        <NumberSetting
          setting="backupCoverageDays"
          label="Backup coverage window"
          min={1}
          max={365}
          unit="days"
          testId="backup-coverage-days"
          hint="Backup coverage lists the guests with no backup on a Proxmox Backup Server in this many days (1 to 365, 1 by default)."
        />
      </div>
    </section>
  );
}
