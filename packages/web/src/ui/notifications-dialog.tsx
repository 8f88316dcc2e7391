import { useEffect, useId, useState } from "react";
import type { ChatStore } from "../chat/chat-store";
import { errorText } from "../chat/chat-store";
import {
  currentSubscription,
  disablePush,
  enablePush,
  PushUnavailableError,
  pushSupported,
} from "../push/web-push";
import { Modal } from "./modal";
import "./notifications.css";

/**
 * Notifications: Web Push on this device (the browser asks for permission only when the box is
 * ticked), for accounts; guests are told to register. Per-channel levels are in each channel's
 * header.
 */
export function NotificationsDialog({
  store,
  isGuest,
  onClose,
}: {
  store: ChatStore;
  isGuest: boolean;
  onClose: () => void;
}) {
  const hintId = useId();
  const supported = pushSupported();
  const [on, setOn] = useState<boolean | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");

  useEffect(() => {
    let live = true;
    currentSubscription().then(
      (sub) => live && setOn(sub !== null),
      () => live && setOn(false),
    );
    return () => {
      live = false;
    };
  }, []);

  const toggle = async (next: boolean) => {
    setBusy(true);
    setStatus(next ? "Turning push notifications on…" : "Turning push notifications off…");
    try {
      if (next) await enablePush(store.client);
      else await disablePush(store.client);
      setOn(next);
      setStatus(
        next ? "Push notifications are on for this device." : "Push notifications are off.",
      );
    } catch (err) {
      setStatus(err instanceof PushUnavailableError ? err.message : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const disabled = !supported || isGuest || busy || on === undefined;
  const hint = isGuest
    ? "Register to get push notifications: guests cannot subscribe."
    : !supported
      ? "This browser cannot receive push notifications."
      : "When you have Parley open nowhere, this device shows the messages that notify you (mentions by default; set each channel in its header).";

  return (
    <Modal title="Notifications" onClose={onClose}>
      <div className="stack">
        <label className="push-toggle">
          <input
            type="checkbox"
            data-autofocus
            checked={on === true}
            disabled={disabled}
            aria-describedby={hintId}
            onChange={(e) => void toggle(e.currentTarget.checked)}
          />
          Push notifications on this device
        </label>
        <p id={hintId} className="modal-text">
          {hint}
        </p>
        <p className="push-status" role="status">
          {status}
        </p>
      </div>
    </Modal>
  );
}
