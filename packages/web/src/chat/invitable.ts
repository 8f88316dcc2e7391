import type { Member } from "@parley/protocol";

/**
 * The people to suggest when inviting to `channelId`: everyone in the member lists the client
 * holds (the user's other channels) who is not in that channel yet, by name.
 */
export function invitable(
  members: Readonly<Record<number, readonly Member[]>>,
  channelId: number,
): string[] {
  const inChannel = new Set((members[channelId] ?? []).map((m) => m.i));
  const names = new Set<string>();
  for (const list of Object.values(members))
    for (const m of list) if (!inChannel.has(m.i)) names.add(m.n);
  return [...names].sort((a, b) => a.localeCompare(b));
}
