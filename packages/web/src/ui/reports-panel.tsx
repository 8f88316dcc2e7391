import { type Report, ReportStatus } from "@parley/protocol";
import { useEffect } from "react";
import type { ChatState } from "../chat/chat-state";
import type { ChatStore } from "../chat/chat-store";
import { formatFull, formatWhen } from "../chat/format";
import { MessageText } from "./message-text";
import { Modal } from "./modal";

/**
 * The open reports you handle (of the channels you moderate; an admin: all), newest first:
 * read again when the panel opens, and kept live by ReportChanged, so a report filed anywhere
 * shows up here at once and one closed by another moderator goes. Each shows the message as it
 * was reported, who reported it and why; Resolve (acted on) and Dismiss (nothing wrong) close
 * it for every moderator; Show message jumps to it in a channel you are in.
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
  const reports = state.reports;
  const now = Date.now();

  return (
    <Modal title="Reports" onClose={onClose}>
      {reports === undefined ? (
        <p className="modal-text" role="status">
          Loading reports…
        </p>
      ) : reports.length === 0 ? (
        <p className="modal-text">
          No open reports. Reports of messages in the channels you moderate show up here as they are
          made.
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
              onClose={(status) => void store.resolveReport(r.id, status)}
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
  onClose: (status: typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed) => void;
}) {
  const where = r.cn ? `#${r.cn}` : "a direct message";
  return (
    <li className="pin-item report-item" data-testid="report-item">
      <div className="pin-head">
        <span className="pin-author">{r.un}</span>
        <span className="pin-by">in {where}</span>
        <time className="time" dateTime={new Date(r.ts).toISOString()} title={formatFull(r.ts)}>
          reported {formatWhen(r.ts, now)}
        </time>
      </div>
      <blockquote className="pin-text report-text">
        <MessageText text={r.x} />
      </blockquote>
      <p className="report-by">
        <ReportedBy report={r} />
      </p>
      <div className="report-actions">
        {joined && (
          <button type="button" className="link-button" onClick={onShow}>
            Show message
          </button>
        )}
        <ReportCloseButtons report={r} onClose={onClose} />
      </div>
    </li>
  );
}

/** Who reported a message and why, as text (the reason is never markup). */
export function ReportedBy({ report: r }: { report: Report }) {
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

/** Dismiss and Resolve for an open report, each named for the message's author. */
export function ReportCloseButtons({
  report: r,
  onClose,
}: {
  report: Report;
  onClose: (status: typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed) => void;
}) {
  return (
    <>
      <button
        type="button"
        className="button"
        aria-label={`Dismiss the report of the message by ${r.un}`}
        onClick={() => onClose(ReportStatus.Dismissed)}
      >
        Dismiss
      </button>
      <button
        type="button"
        className="button button-primary"
        aria-label={`Resolve the report of the message by ${r.un}`}
        onClick={() => onClose(ReportStatus.Resolved)}
      >
        Resolve
      </button>
    </>
  );
}
