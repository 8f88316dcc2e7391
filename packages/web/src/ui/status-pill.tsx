import type { ConnectionStatus } from "../chat/chat-state";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  online: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** The connection state, announced politely when it changes. */
export function StatusPill({ status }: { status: ConnectionStatus }) {
  return (
    <output className={`status status-${status}`} aria-live="polite" data-testid="status">
      <span className="status-dot" aria-hidden="true" />
      {LABELS[status]}
    </output>
  );
}
