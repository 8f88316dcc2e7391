import type { ParleyClient } from "@parley/client";
import { expect } from "vitest";

/**
 * A node keeps each open channel's latest page for join snapshots and follows it with the
 * channel's events. Checks that what joiners get is, after every kind of change, what storage
 * reads: `author` (a member, kept connected so the channel stays open where the joiners join)
 * posts, edits, reacts, deletes, pins, replies, changes the topic and floods past a page, and
 * after each change two new members join (the first may read storage, the second is given the
 * node's copy) with several page sizes; each join's page is compared with a History read of the
 * same size made by the joiner right after, with nothing else written in between.
 */
export async function expectJoinPagesAsStored(
  author: ParleyClient,
  channelId: number,
  joiner: () => Promise<ParleyClient>,
): Promise<void> {
  const check = async (step: string) => {
    for (const limit of [3, 50, 100]) {
      for (const turn of ["first", "second"]) {
        const client = await joiner();
        const reply = await client.joinChannel(channelId, limit);
        const stored = await client.history(channelId, { limit });
        expect(reply.h, `${step}: the ${turn} join with ${limit}`).toEqual(stored);
        expect(reply.ch.ls, `${step}: last seq`).toBe(reply.h.e.at(-1)?.s);
        await client.close();
      }
    }
  };
  const first = await author.send(channelId, "first words");
  const second = await author.send(channelId, "second words");
  await check("posts");
  await author.editMessage(channelId, first.i, 1, "first words, edited");
  await check("an edit");
  await author.react(channelId, second.i, "👍");
  await check("a reaction");
  await author.pinMessage(channelId, second.i);
  await check("a pin");
  await author.reply(channelId, first.i, "an answer");
  await check("a reply");
  await author.deleteMessage(channelId, first.i);
  await check("a deletion, with a reply quoting it");
  await author.command(channelId, "/topic pages kept in memory");
  await check("a topic");
  await Promise.all(Array.from({ length: 120 }, (_, i) => author.send(channelId, `flood ${i}`)));
  await check("more than a page");
}
