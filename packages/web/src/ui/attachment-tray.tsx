import { formatSize, percentSent } from "../chat/attachments";
import { CloseIcon, FileIcon } from "./icons";
import type { Attachments } from "./use-attachments";

/**
 * The next message's files above the composer: each with its name, size, upload progress (a
 * progressbar) and a button that cancels the upload or removes the file; a refusal shows on
 * the file it concerns.
 */
export function AttachmentTray({ attachments }: { attachments: Attachments }) {
  if (attachments.list.length === 0) return null;
  return (
    <ul className="attachment-tray" aria-label="Attachments">
      {attachments.list.map((a) => {
        const percent = percentSent(a);
        const uploading = a.phase === "uploading";
        return (
          <li
            key={a.key}
            className={`attachment-chip is-${a.phase}`}
            data-testid="attachment"
            data-phase={a.phase}
          >
            <span className="attachment-icon">
              <FileIcon />
            </span>
            <span className="attachment-body">
              <bdi className="attachment-name" title={a.name}>
                {a.name}
              </bdi>
              <span className="attachment-size">
                {formatSize(a.size)}
                {a.phase === "uploaded" ? " · ready" : ""}
              </span>
              {uploading && (
                <progress
                  className="attachment-progress"
                  aria-label={`Uploading ${a.name}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                  max={100}
                  value={percent}
                />
              )}
              {a.error && (
                <span className="attachment-error" role="alert">
                  {a.error}
                </span>
              )}
            </span>
            <button
              type="button"
              className="icon-button attachment-remove"
              aria-label={uploading ? `Cancel upload of ${a.name}` : `Remove ${a.name}`}
              title={uploading ? "Cancel upload" : "Remove"}
              onClick={() => attachments.remove(a.key)}
            >
              <CloseIcon />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
