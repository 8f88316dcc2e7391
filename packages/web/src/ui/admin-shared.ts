import { useCallback, useEffect, useState } from "react";

/** An error as the console shows it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs an admin API call; resolves to undefined when the session ended (the console closes). */
export type Guard = <T>(work: () => Promise<T>) => Promise<T | undefined>;

/**
 * A list read page by page: the first page whenever `read` changes (after `delayMs`, so typing
 * in a filter asks once), more with `more()`. `read` resolves to a page, or undefined when the
 * session ended.
 */
export function usePages<T>(
  read: (before?: number) => Promise<{ items: T[]; next?: number } | undefined>,
  delayMs = 0,
) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<number>();
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (before?: number) => {
      setError(undefined);
      try {
        const page = await read(before);
        if (!page) return;
        setItems((list) => (before ? [...list, ...page.items] : page.items));
        setNext(page.next);
      } catch (err) {
        setError(errorText(err));
      }
    },
    [read],
  );
  useEffect(() => {
    const t = setTimeout(() => void load(), delayMs);
    return () => clearTimeout(t);
  }, [load, delayMs]);
  const more = () => {
    if (next !== undefined) void load(next);
  };
  const reload = () => void load();
  return { items, setItems, next, error, more, reload };
}
