import { useEffect, useState, useSyncExternalStore } from "react";
import type { ChatState } from "../chat/chat-state";
import type { ChatStore } from "../chat/chat-store";

/** The store's current snapshot; re-renders on every change. */
export function useChat(store: ChatStore): ChatState {
  return useSyncExternalStore(store.subscribe, store.getState);
}

/** The current time, ticking every `intervalMs` while `active` (for countdowns). */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return active ? now : Date.now();
}
