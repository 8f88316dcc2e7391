import { NotifyLevel } from "@parley/protocol";
import { BellIcon } from "./icons";
import "./notifications.css";

const LABELS: Record<NotifyLevel, string> = {
  [NotifyLevel.All]: "All",
  [NotifyLevel.Mentions]: "Mentions",
  [NotifyLevel.None]: "Nothing",
};

/**
 * A channel's notification level (All / Mentions / Nothing), kept on the server for every device
 * of yours: a native select, so it is keyboard and screen-reader usable as is.
 */
export function NotifyMenu({
  channelName,
  level,
  onChange,
}: {
  channelName: string;
  level: NotifyLevel;
  onChange: (level: NotifyLevel) => void;
}) {
  return (
    <label className="notify-menu" title="Notifications for this channel">
      <BellIcon />
      <span className="sr-only">Notify me in #{channelName} of</span>
      <select
        data-testid="notify-level"
        value={level}
        onChange={(e) => onChange(Number(e.currentTarget.value) as NotifyLevel)}
      >
        {[NotifyLevel.All, NotifyLevel.Mentions, NotifyLevel.None].map((l) => (
          <option key={l} value={l}>
            {LABELS[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
