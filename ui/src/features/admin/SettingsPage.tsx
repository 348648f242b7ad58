// The admin area behind the gear: connections, appearance, about. Jobs, logs and more join it later.
import { ConnectionsSection } from "@/features/connections/ConnectionsSection";
import { Breadcrumbs } from "@/ui/Breadcrumbs";
import { AboutSection } from "./AboutSection";
import { AppearanceSection } from "./AppearanceSection";
import { BackupsSection } from "./BackupsSection";
import { HealthSection } from "./HealthSection";

export function SettingsPage() {
  return (
    <>
      <Breadcrumbs items={[{ label: "Datacenter", to: "/" }, { label: "Settings" }]} />
      <div className="flex-1 overflow-auto">
        <div className="mx-auto max-w-4xl space-y-5 px-8 py-8">
          <h1 className="text-xl font-semibold">Settings</h1>
          <ConnectionsSection />
          <HealthSection />
          <BackupsSection />
          <AppearanceSection />
          <AboutSection />
        </div>
      </div>
    </>
  );
}
