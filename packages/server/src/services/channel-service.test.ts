import { EventType, LIMITS, Role } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LocalBroker } from "../broker/local-broker";
import { MemoryPresenceStore } from "../presence/memory-presence-store";
import { openSqliteStorage } from "../storage/sqlite/open-sqlite";
import type { Actor, Storage } from "../storage/storage";
import { ChannelService } from "./channel-service";

describe("ChannelService online counts of big channels", () => {
  let storage: Storage;
  let presence: MemoryPresenceStore;
  let channels: ChannelService;
  let owner: Actor;
  let channelId: number;
  const members: Actor[] = [];

  beforeEach(async () => {
    storage = await openSqliteStorage(":memory:");
    presence = new MemoryPresenceStore();
    channels = new ChannelService(storage, new LocalBroker(), presence);
    const user = async (username: string): Promise<Actor> => {
      const { user } = await storage.createUserWithSession(
        { username, passwordHash: null, isGuest: false },
        `token-${username}`,
      );
      return { id: user.id, name: user.username };
    };
    owner = await user("owner");
    channelId = (await storage.createChannel({ name: "crowd", topic: "", owner })).channel.id;
    members.length = 0;
    for (let i = 0; i < LIMITS.memberPage + 20; i++) {
      const member = await user(`member${i}`);
      await storage.addMember(channelId, member.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: member,
      });
      members.push(member);
    }
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await storage.close();
  });

  it("counts a big channel's online members again once when many summaries find the count old, and shows the new count after", async () => {
    for (const m of members.slice(0, 3)) await presence.connect(m.id, `c${m.id}`);
    const reads = vi.spyOn(storage, "memberIds");
    const first = await channels.summary(channelId, owner.id);
    expect(first).toMatchObject({ mc: LIMITS.memberPage + 21, oc: 3 });
    expect(reads).toHaveBeenCalledTimes(1);

    // Within the copy's life: no read of the member ids, and a change of presence not seen yet.
    await presence.connect(members[3]!.id, "c-late");
    expect((await channels.summary(channelId, owner.id)).oc).toBe(3);
    expect(reads).toHaveBeenCalledTimes(1);

    // Later: fifty summaries at once all answer from the copy, and it is counted again once.
    const later = Date.now() + 5_000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    const many = await Promise.all(
      Array.from({ length: 50 }, () => channels.summary(channelId, owner.id)),
    );
    expect(new Set(many.map((s) => s.oc))).toEqual(new Set([3]));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
    await vi.waitFor(async () => expect((await channels.summary(channelId, owner.id)).oc).toBe(4));
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("counts a channel that has become small every time again", async () => {
    await channels.summary(channelId, owner.id);
    for (const m of members.slice(0, 30))
      await storage.removeMember(channelId, m.id, {
        type: EventType.MemberLeft,
        actor: m,
      });
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 5_000);
    await channels.summary(channelId, owner.id);
    await presence.connect(members[40]!.id, "c40");
    await vi.waitFor(async () =>
      expect(await channels.summary(channelId, owner.id)).toMatchObject({
        mc: LIMITS.memberPage - 9,
        oc: 1,
      }),
    );
    // Small again: each summary reads the member ids (no copy kept to go stale).
    const reads = vi.spyOn(storage, "memberIds");
    await presence.connect(members[41]!.id, "c41");
    expect((await channels.summary(channelId, owner.id)).oc).toBe(2);
    expect((await channels.summary(channelId, owner.id)).oc).toBe(2);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
