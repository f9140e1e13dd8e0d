// The container's status message in a few true words for every state (issue 11): what an operator reads in
// `berth container <id> show status-message` and the dashboard. Pure; used by the reconciler for every driver.
// A driver's own message wins when it has one (an ERROR's "CODE: detail", a self-fence's reason).
import type { ContainerStatus, TunnelReport } from '../shared/protocol/messages';

const LIFECYCLE: Record<Exclude<ContainerStatus, 'RUNNING'>, string> = {
  STARTING: 'starting',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
  ERROR: 'failed',
};


/** "1/1 tunnels up", "0/1 tunnels up: 1 connecting", "1/2 tunnels up: 1 down (no IKE_SA)", "no connections". */
export function tunnelSummary(tunnels: readonly TunnelReport[]): string {
  if (tunnels.length === 0) return 'no connections configured';
  const up = tunnels.filter((t) => t.state === 'up').length;
  const connecting = tunnels.filter((t) => t.state === 'connecting').length;
  const down = tunnels.filter((t) => t.state === 'down');
  const head = `${up}/${tunnels.length} tunnels up`;
  const rest: string[] = [];
  if (connecting) rest.push(`${connecting} connecting`);
  if (down.length) {
    // One reason is enough to act on; the per-connection reports carry the others.
    const why = down.find((t) => t.message)?.message;
    rest.push(`${down.length} down${why ? ` (${why})` : ''}`);
  }
  return rest.length ? `${head}: ${rest.join(', ')}` : head;
}

/** The message to report: the driver's own when it said something, else one made from the status and tunnels. */
export function statusMessage(status: ContainerStatus, driverMessage: string, tunnels: readonly TunnelReport[] | undefined): string {
  if (driverMessage) return driverMessage;
  if (status !== 'RUNNING') return LIFECYCLE[status];
  return tunnels ? tunnelSummary(tunnels) : 'running';
}

