// Running a guest action: the task it returns goes into the task bar at once.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type GuestType, type PowerAction } from "@/backend";
import { tasksQuery } from "@/features/tasks/queries";

export interface PowerRequest {
  connectionId: string;
  node: string;
  kind: GuestType;
  vmid: number;
  action: PowerAction;
}

export function useGuestPower() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (r: PowerRequest) => api.guestPower(r.connectionId, r.node, r.kind, r.vmid, r.action),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tasksQuery.queryKey }),
  });
}
