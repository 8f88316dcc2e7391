import type { ConnectionContext } from "../router/route";

/**
 * The end of a connection, closed by either side: it leaves its channels' streams and its
 * user's topic on this node, then its presence; a guest's activity is stamped (the guest
 * membership sweep counts from it).
 */
export async function disconnect({ conn, services, hub, users }: ConnectionContext): Promise<void> {
  const user = conn.user;
  if (!user) return;
  const channelIds = [...conn.channels.keys()];
  hub.detachAll(conn);
  await users.remove(conn);
  await services.presence.disconnect(user, conn.id, channelIds);
  if (user.isGuest) await services.channels.markGuestActive(user.id);
}
