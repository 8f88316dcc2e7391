import { type Report, ReportStatus } from "@parley/protocol";
import { useEffect, useState } from "react";
import type { ChatState } from "../chat/chat-state";
import type { ChatStore } from "../chat/chat-store";
import { formatFull, formatWhen } from "../chat/format";
import { FormError } from "./form-dialog";
import { MessageText } from "./message-text";
import { Modal } from "./modal";

type Closing = typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed;

/**
 * What was said once a report was closed from the panel: a held message approved (and so
 * posted) or dropped, a report resolved or dismissed, or someone had handled it already.
 */
export function closedNote(r: Report, changed: boolean): string {
  if (!changed) return `${r.cln ?? "Someone"} had already handled that report.`;
  const where = r.cn ? ` in #${r.cn}` : "";
  if (r.hd)
    return r.st === ReportStatus.Resolved
      ? `Approved: ${r.un}'s message is posted${where}.`
      : `Dropped ${r.un}'s held message: it is not posted.`;
  return `${r.st === ReportStatus.Resolved ? "Resolved" : "Dismissed"} the report of ${r.un}'s message.`;
}

/**
 * The open reports you handle (of the channels you moderate; an admin: all), newest first:
 * read again when the panel opens, and kept live by ReportChanged, so a report filed anywhere
 * shows up here at once and one closed by another moderator goes. Each shows the message as it
 * was reported, who reported it and why; Resolve (acted on) and Dismiss (nothing wrong) close
 * it for every moderator; Show message jumps to it in a channel you are in. A message
 * auto-moderation held for review shows the entry that held it, with Approve and post (it is
 * posted then, as its author) and Drop (it never is); an approval the server refuses (its
 * author was muted or left meanwhile) says why beside it, and the message stays held.
 */
export function ReportsPanel({
  store,
  state,
  onClose,
}: {
  store: ChatStore;
  state: ChatState;
  onClose: () => void;
}) {
  useEffect(() => {
    store.refreshReports();
  }, [store]);
  const [done, setDone] = useState<string>();
  const reports = state.reports;
  const now = Date.now();

  return (
    <Modal title="Reports" onClose={onClose}>
      <p className="modal-text report-done" role="status">
        {done}
      </p>
      {reports === undefined ? (
        <p className="modal-text" role="status">
          Loading reports…
        </p>
      ) : reports.length === 0 ? (
        <p className="modal-text">
          No open reports. Reports of messages in the channels you moderate, and messages held for
          review there, show up here as they come.
        </p>
      ) : (
        <ul className="pin-list" aria-label="Open reports" data-testid="report-list">
          {reports.map((r) => (
            <ReportItem
              key={r.id}
              report={r}
              now={now}
              joined={state.channels[r.c] !== undefined}
              onShow={() => {
                onClose();
                // After the dialog closed and gave focus back, so the message can take it.
                requestAnimationFrame(() => {
                  store.selectChannel(r.c);
                  void store.jumpTo(r.c, r.s);
                });
              }}
              onClose={async (status) => {
                setDone(undefined);
                const { report, changed } = await store.resolveReport(r.id, status);
                setDone(closedNote(report, changed));
              }}
            />
          ))}
        </ul>
      )}
    </Modal>
  );
}

function ReportItem({
  report: r,
  now,
  joined,
  onShow,
  onClose,
}: {
  report: Report;
  now: number;
  /** You are in its channel: the message can be shown there. */
  joined: boolean;
  onShow: () => void;
  /** Closes it; a refusal rejects with the text to show beside it. */
  onClose: (status: Closing) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const where = r.cn ? `#${r.cn}` : "a direct message";
  const close = async (status: Closing) => {
    setBusy(true);
    setError(undefined);
    try {
      await onClose(status);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      className={`pin-item report-item${r.hd ? " report-held" : ""}`}
      data-testid="report-item"
      {...(r.hd ? { "data-held": "" } : {})}
    >
      <div className="pin-head">
        <span className="pin-author">{r.un}</span>
        <span className="pin-by">in {where}</span>
        <time className="time" dateTime={new Date(r.ts).toISOString()} title={formatFull(r.ts)}>
          {r.hd ? "held" : "reported"} {formatWhen(r.ts, now)}
        </time>
      </div>
      <blockquote className="pin-text report-text">
        <MessageText text={r.x} />
      </blockquote>
      <p className="report-by">
        <ReportedBy report={r} />
      </p>
      <FormError error={error} />
      <div className="report-actions">
        {joined && !r.hd && (
          <button type="button" className="link-button" onClick={onShow}>
            Show message
          </button>
        )}
        <ReportCloseButtons report={r} disabled={busy} onClose={(st) => void close(st)} />
      </div>
    </li>
  );
}

/**
 * Who reported a message and why, as text (the reason is never markup); for a message held for
 * review, that auto-moderation held it and the entry it matched.
 */
export function ReportedBy({ report: r }: { report: Report }) {
  if (r.hd)
    return (
      <>
        <span className="report-held-tag">Held by auto-moderation</span>
        {r.rs ? (
          <>
            : matched “<bdi>{r.rs}</bdi>”
          </>
        ) : null}
      </>
    );
  return (
    <>
      Reported by {r.byn}
      {r.rs ? (
        <>
          : <bdi>{r.rs}</bdi>
        </>
      ) : (
        ", no reason given"
      )}
    </>
  );
}

/**
 * What became of a closed report, by whom: "Approved by carol" and "Dropped by carol" for a held
 * message, "resolved by carol" and "dismissed by carol" for a report.
 */
export function closedBy(r: Report): string {
  const who = r.cln ?? "someone";
  if (r.hd) return `${r.st === ReportStatus.Resolved ? "Approved" : "Dropped"} by ${who}`;
  return `${r.st === ReportStatus.Resolved ? "resolved" : "dismissed"} by ${who}`;
}

/**
 * Dismiss and Resolve for an open report, each named for the message's author; for a message
 * held for review, Drop and Approve and post.
 */
export function ReportCloseButtons({
  report: r,
  disabled = false,
  onClose,
}: {
  report: Report;
  disabled?: boolean;
  onClose: (status: Closing) => void;
}) {
  const held = r.hd === true;
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={disabled}
        aria-label={
          held ? `Drop the held message by ${r.un}` : `Dismiss the report of the message by ${r.un}`
        }
        onClick={() => onClose(ReportStatus.Dismissed)}
      >
        {held ? "Drop" : "Dismiss"}
      </button>
      <button
        type="button"
        className="button button-primary"
        disabled={disabled}
        aria-label={
          held
            ? `Approve and post the held message by ${r.un}`
            : `Resolve the report of the message by ${r.un}`
        }
        onClick={() => onClose(ReportStatus.Resolved)}
      >
        {held ? "Approve and post" : "Resolve"}
      </button>
    </>
  );
}
