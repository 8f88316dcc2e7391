/** A minimal typed event emitter that runs in browsers and Node alike. */
export class Emitter<Events extends Record<string, unknown[]>> {
  // biome-ignore lint/suspicious/noExplicitAny: listeners of different events share the map
  private readonly listeners = new Map<keyof Events, Set<(...args: any[]) => void>>();

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    const set = this.listeners.get(event);
    if (set) set.add(listener);
    else this.listeners.set(event, new Set([listener]));
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Resolves with the arguments of the next `event` that satisfies `filter`, or rejects after `timeoutMs`. */
  waitFor<K extends keyof Events>(
    event: K,
    filter: (...args: Events[K]) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${String(event)}`));
      }, timeoutMs);
      const off = this.on(event, (...args) => {
        if (!filter(...args)) return;
        clearTimeout(timer);
        off();
        resolve(args);
      });
    });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}
