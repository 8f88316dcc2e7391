import {
  CloseCode,
  Op,
  PROTOCOL_VERSION,
  REQUEST_SCHEMAS,
  Role,
  type WelcomeReply,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import { eventFrames } from "../gateway/shared-frame";
import { notHelloYet, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { userRef } from "../services/user-ref";

/**
 * Hello: authenticates with a session token, or creates a guest; attaches the connection to
 * the user's channels (subscribe first); reads the channel list (the snapshot); replies; then
 * replays what a resuming client missed, marks the end of the replay (ReplayDone, also when
 * nothing was replayed, so a client has one rule), and goes live.
 */
export const hello = route<typeof Op.Hello>({
  schema: REQUEST_SCHEMAS[Op.Hello],
  guards: [notHelloYet, rateLimit("hello", "ip")],
  async handle({ conn, data, services, hub, users, after }) {
    if (conn.protocolVersion !== PROTOCOL_VERSION) {
      after.push(() => conn.close(CloseCode.UnsupportedVersion, "unsupported protocol version"));
      throw new ParleyError(
        "UNSUPPORTED_VERSION",
        `This server speaks protocol version ${PROTOCOL_VERSION}`,
      );
    }
    let issuedToken: string | undefined;
    try {
      if (data.tk) {
        const auth = await services.auth.authenticate(data.tk);
        conn.user = auth.user;
        conn.session = auth.session;
      } else {
        const guest = await services.auth.createGuest();
        conn.user = guest.user;
        conn.session = guest.session;
        issuedToken = guest.token;
      }
    } catch (err) {
      if (err instanceof ParleyError && err.errorName === "UNAUTHENTICATED") {
        after.push(() => conn.close(CloseCode.AuthRevoked, "session invalid"));
      }
      if (err instanceof ParleyError && err.errorName === "SERVER_BANNED") {
        after.push(() => conn.close(CloseCode.ServerBanned, "banned from the server"));
      }
      throw err;
    }
    const user = conn.user;
    if (users.connectionsOf(user.id).length >= services.settings.maxConnectionsPerUser) {
      conn.user = undefined;
      after.push(() => conn.close(CloseCode.TooManyConnections, "too many connections"));
      throw new ParleyError(
        "LIMIT_REACHED",
        `At most ${services.settings.maxConnectionsPerUser} connections per user`,
      );
    }
    conn.isAdmin = user.isAdmin;
    await users.add(conn);
    const [listed, blocked] = await Promise.all([
      services.channels.userChannels(user.id),
      services.direct.blocked(user.id),
    ]);
    for (const ch of listed) conn.channels.set(ch.i, ch.rl ?? Role.Member);
    // Subscribed first, then the snapshot: each channel's last seq and member state read now (in
    // one read, so the unread counts are exact as of `ls`), so every event after it reaches
    // this connection live. A channel left meanwhile is dropped.
    const { snapshot: states, ready } = await hub.attachThenRead(
      conn,
      listed.map((ch) => ch.i),
      () => services.memberState.states(user.id),
      (seqs, c) => seqs.get(c)?.read.ls,
    );
    // The summaries are this hello's own: completed in place with the read state.
    const channels: typeof listed = [];
    for (const ch of listed) {
      const state = states.get(ch.i);
      if (state !== undefined) {
        const { ls, rs, uc, um, fu } = state.read;
        ch.ls = ls;
        ch.rs = rs;
        ch.uc = uc;
        ch.um = um;
        if (fu !== undefined) ch.fu = fu;
        ch.nl = state.notify;
        channels.push(ch);
        // A member as of `ls`: a removal published before it (and read late) is not this one.
        conn.channels.set(ch.i, ch.rl ?? Role.Member, ls);
      } else {
        conn.channels.delete(ch.i);
      }
    }

    // Resume: replay what the client missed in each channel, or ask it to resync when too much.
    const resync: number[] = [];
    const replays: { c: number; after: number; count: number }[] = [];
    for (const ch of channels) {
      const seen = data.ls?.[String(ch.i)];
      if (seen === undefined || seen >= ch.ls) continue;
      if (ch.ls - seen > services.settings.resumeMax) resync.push(ch.i);
      else replays.push({ c: ch.i, after: seen, count: ch.ls - seen });
    }
    const replayed = await Promise.all(
      replays.map((r) => services.messages.replay(r.c, r.after, r.count)),
    );

    await services.presence.connect(user, conn.id, conn.channels.keys());
    conn.ready = true;
    after.push(() => {
      replays.forEach((r, i) => {
        const events = replayed[i]!;
        for (const frame of eventFrames(r.c, events)) conn.sendShared(frame);
      });
      // Before any live event: the hub sends those from `ready` on.
      conn.sendFrame({ o: Op.ReplayDone, d: {} });
      ready();
    });
    const reply: WelcomeReply = {
      u: { ...userRef(user), ...(conn.isAdmin ? { ad: true as const } : {}) },
      ...(issuedToken ? { st: issuedToken } : {}),
      v: PROTOCOL_VERSION,
      lim: services.settings.limits,
      rate: services.rate.rules,
      ch: channels,
      cmd: services.commands.list(conn.actor),
      hb: services.settings.heartbeatMs,
      bl: blocked,
      ...(resync.length > 0 ? { rs: resync } : {}),
    };
    return reply;
  },
});
