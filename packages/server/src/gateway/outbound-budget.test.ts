import { describe, expect, it } from "vitest";
import { type BufferedSocket, OutboundBudget } from "./outbound-budget";

/** Sockets whose buffers the test sets; shedding one empties it, as terminating a socket does. */
function sockets(sizes: number[]) {
  const shed: number[] = [];
  const list = sizes.map((size, i) => {
    const s = {
      buffered: size,
      shed() {
        shed.push(i);
        s.buffered = 0;
      },
    };
    return s satisfies BufferedSocket;
  });
  return { list, shed };
}

describe("OutboundBudget", () => {
  it("sheds the largest buffers first, and only as many as needed to fit", () => {
    const { list, shed } = sockets([100, 700, 300, 500]);
    const budget = new OutboundBudget({ maxBytes: 800, sockets: () => list, onShed: () => {} });
    budget.wrote(1600);
    expect(shed).toEqual([1, 3]);
    expect(budget.total()).toBe(400);
  });

  it("does not measure while the writes since the last measure fit, nor for less than 1/64 over", () => {
    let passes = 0;
    const { list, shed } = sockets([0]);
    const budget = new OutboundBudget({
      maxBytes: 6400,
      sockets: () => {
        passes++;
        return list;
      },
      onShed: () => {},
    });
    list[0]!.buffered = 6300;
    budget.wrote(6300);
    expect(passes).toBe(0); // within the budget
    list[0]!.buffered = 6390;
    budget.wrote(6401); // over by the count, measured: 6390 fits
    expect(passes).toBe(1);
    expect(shed).toEqual([]);
    list[0]!.buffered = 6440;
    budget.wrote(50); // over, but by less than the slack of 100 since the measure
    expect(passes).toBe(1);
    list[0]!.buffered = 6490;
    budget.wrote(50);
    expect(passes).toBe(2);
    expect(shed).toEqual([0]);
  });

  it("counts every socket shed", () => {
    let count = 0;
    const { list } = sockets([600, 600, 600]);
    const budget = new OutboundBudget({
      maxBytes: 700,
      sockets: () => list,
      onShed: () => count++,
    });
    budget.wrote(1800);
    expect(count).toBe(2);
  });
});
