import { describe, expect, it } from "vitest";
import { FifoLock } from "./sqlite-driver";

describe("FifoLock", () => {
  it("hands the lock to one waiter at a time, in the order they asked", async () => {
    const lock = new FifoLock();
    const order: number[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 3000 }, async (_, i) => {
        await lock.lock();
        inside++;
        most = Math.max(most, inside);
        order.push(i);
        await Promise.resolve();
        inside--;
        lock.unlock();
      }),
    );
    expect(most).toBe(1);
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(lock.waiting).toBe(0);
  });

  it("is free again once the last holder unlocks", async () => {
    const lock = new FifoLock();
    await lock.lock();
    let second = false;
    const waiter = lock.lock().then(() => {
      second = true;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    lock.unlock();
    await waiter;
    expect(second).toBe(true);
    lock.unlock();
    let third = false;
    await lock.lock().then(() => {
      third = true;
    });
    expect(third).toBe(true);
  });
});
