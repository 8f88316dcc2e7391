import { LIMITS, type UploadReply } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  type AttachmentInput,
  formatSize,
  type PendingAttachment,
  percentSent,
  readyFiles,
  reduceAttachments,
  roomLeft,
} from "./attachments";

const reply = (id: string, extra: Partial<UploadReply> = {}): UploadReply => ({
  id,
  name: `${id}.txt`,
  size: 100,
  type: "text/plain",
  ...extra,
});

function run(...inputs: AttachmentInput[]): readonly PendingAttachment[] {
  return inputs.reduce<readonly PendingAttachment[]>(reduceAttachments, []);
}

describe("reduceAttachments", () => {
  it("adds a file as uploading with nothing sent", () => {
    expect(run({ type: "added", key: 1, name: "a.txt", size: 100 })).toEqual([
      { key: 1, name: "a.txt", size: 100, sent: 0, phase: "uploading" },
    ]);
  });

  it("records progress, never backwards nor past the size", () => {
    const list = run(
      { type: "added", key: 1, name: "a.txt", size: 100 },
      { type: "progress", key: 1, sent: 60 },
      { type: "progress", key: 1, sent: 40 },
    );
    expect(list[0]?.sent).toBe(60);
    expect(
      run(
        { type: "added", key: 1, name: "a", size: 100 },
        { type: "progress", key: 1, sent: 500 },
      )[0]?.sent,
    ).toBe(100);
  });

  it("keeps the stored file once uploaded, as a message carries it", () => {
    const list = run(
      { type: "added", key: 1, name: "p.png", size: 900 },
      {
        type: "uploaded",
        key: 1,
        reply: reply("id1", { type: "image/png", size: 800, w: 4, h: 3, thumb: true }),
      },
    );
    expect(list[0]).toMatchObject({ phase: "uploaded", sent: 900 });
    expect(list[0]?.file).toEqual({
      i: "id1",
      n: "id1.txt",
      sz: 800,
      ty: "image/png",
      w: 4,
      h: 3,
      th: true,
    });
  });

  it("marks a failure with its message, and removes a file on request", () => {
    const failed = run(
      { type: "added", key: 1, name: "a", size: 1 },
      { type: "failed", key: 1, error: "too big" },
    );
    expect(failed[0]).toMatchObject({ phase: "failed", error: "too big" });
    expect(reduceAttachments(failed, { type: "removed", key: 1 })).toEqual([]);
  });

  it("ignores inputs for a file no longer held (finished after its removal)", () => {
    const list = run(
      { type: "added", key: 1, name: "a", size: 1 },
      { type: "removed", key: 1 },
      { type: "uploaded", key: 1, reply: reply("x") },
    );
    expect(list).toEqual([]);
  });

  it("takes at most LIMITS.filesPerMessage files", () => {
    const inputs: AttachmentInput[] = [];
    for (let k = 0; k < LIMITS.filesPerMessage + 2; k++)
      inputs.push({ type: "added", key: k, name: `f${k}`, size: 1 });
    const list = run(...inputs);
    expect(list).toHaveLength(LIMITS.filesPerMessage);
    expect(roomLeft(list)).toBe(0);
    expect(roomLeft([])).toBe(LIMITS.filesPerMessage);
  });

  it("empties on cleared", () => {
    expect(run({ type: "added", key: 1, name: "a", size: 1 }, { type: "cleared" })).toEqual([]);
  });
});

describe("readyFiles", () => {
  it("gives the files in order once every upload is done", () => {
    const list = run(
      { type: "added", key: 1, name: "a", size: 1 },
      { type: "added", key: 2, name: "b", size: 1 },
      { type: "uploaded", key: 2, reply: reply("b") },
    );
    expect(readyFiles(list)).toBeUndefined();
    const done = reduceAttachments(list, { type: "uploaded", key: 1, reply: reply("a") });
    expect(readyFiles(done)?.map((f) => f.i)).toEqual(["a", "b"]);
    expect(readyFiles([])).toEqual([]);
  });

  it("holds the send while a failed file is still there", () => {
    const list = run(
      { type: "added", key: 1, name: "a", size: 1 },
      { type: "failed", key: 1, error: "x" },
    );
    expect(readyFiles(list)).toBeUndefined();
  });
});

describe("percentSent", () => {
  it("rounds down, and is 100 once uploaded", () => {
    const [a] = run(
      { type: "added", key: 1, name: "a", size: 3 },
      { type: "progress", key: 1, sent: 2 },
    );
    expect(a && percentSent(a)).toBe(66);
    const [b] = run({ type: "added", key: 1, name: "a", size: 0 });
    expect(b && percentSent(b)).toBe(0);
  });
});

describe("formatSize", () => {
  it("says bytes below a kilobyte", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(1023)).toBe("1023 B");
  });

  it("gives one decimal below ten units and none above", () => {
    expect(formatSize(1024)).toBe("1 KB");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(25 * 1024 * 1024)).toBe("25 MB");
    expect(formatSize(3.25 * 1024 ** 3)).toBe("3.3 GB");
  });

  it("moves to the next unit rather than show 1024 of one", () => {
    expect(formatSize(1024 * 1024 - 1)).toBe("1 MB");
  });
});
