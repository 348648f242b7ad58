// The two first-run actions. Each has one switch: flip `enabled` when the feature lands.
export interface FirstRunAction {
  enabled: boolean;
  /** Shown on hover/focus while the action is not available yet. */
  disabledReason: string;
}

export const addConnectionAction: FirstRunAction = {
  enabled: true,
  disabledReason: "Connection management arrives in the next release",
};

export const openDemoAction: FirstRunAction = {
  enabled: true,
  disabledReason: "The demo datacenter needs the built-in simulator, which arrives soon",
};

export function reasonIfDisabled(action: FirstRunAction): string | null {
  return action.enabled ? null : action.disabledReason;
}
