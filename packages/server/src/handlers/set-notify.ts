import { Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/**
 * SetNotify: sets when a channel notifies the caller, checked against the stored membership in
 * the write; every connection of the user gets the new level (NotifyChanged push).
 */
export const setNotify = route<typeof Op.SetNotify>({
  schema: REQUEST_SCHEMAS[Op.SetNotify],
  guards: [authenticated, member, rateLimit("read")],
  handle({ conn, data, services }) {
    return services.memberState.setNotifyLevel(conn.user!.id, data.c, data.nl);
  },
});
