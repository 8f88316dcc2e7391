import { type ChannelEvent, ChannelKind, EventType, nameKey, Role } from "@parley/protocol";
import { type Compilable, sql as raw, type Selectable, type Transaction } from "kysely";
import { ParleyError } from "../../errors";
import { type ChannelListing, type ChannelStore, directKey } from "../channel-store";
import type { Database } from "../schema";
import { type Actor, type NewEvent, SYSTEM_ACTOR } from "../storage";
import {
  inForce,
  isUniqueViolation,
  memberNameKey,
  readUpToJoin,
  type SqlContext,
  toChannel,
} from "./context";

/** What a member page reads of each member: its `UserRef` and role, no more. */
const MEMBER_COLUMNS = [
  "u.id",
  "u.username",
  "u.is_guest",
  "u.display_name",
  "u.status_text",
  "u.avatar",
  "m.role",
] as const;
type MemberColumns = Pick<
  Selectable<Database["users"]>,
  "id" | "username" | "is_guest" | "display_name" | "status_text" | "avatar"
> & { role: number };

/** A stored channel row. */
type ChannelRow = Selectable<Database["channels"]>;

/** A new channel's row: no events yet, slow mode off. */
function newChannel(
  name: string,
  nameLower: string,
  topic: string,
  createdBy: number,
  now: number,
  flags: { private: number; kind?: ChannelKind },
) {
  return {
    name,
    name_lower: nameLower,
    topic,
    created_by: createdBy,
    created_at: now,
    last_seq: 0,
    slow_mode: 0,
    ...flags,
  };
}

/** {@link ChannelStore} over SQL: channels, memberships and their events. */
export function sqlChannelStore(sql: SqlContext): ChannelStore {
  const { db } = sql;

  /** The channel whose unique `column` holds `value`. */
  async function channelBy(column: "id" | "name_lower", value: number | string) {
    const [row] = await sql.query<ChannelRow>(
      db,
      `channel:${column}`,
      () =>
        db.selectFrom("channels").selectAll().where(column, "=", 0).where("deleted_at", "is", null),
      [value],
    );
    return row && toChannel(row);
  }

  /**
   * The rows `build` reads for the channels of `ids`: for one channel (every join's case) by a
   * statement built once, for more by a query built for the list.
   */
  function byChannels<R>(
    key: string,
    ids: readonly number[],
    build: (ids: number[]) => Compilable & { execute(): Promise<R[]> },
  ): Promise<R[]> {
    return ids.length === 1
      ? sql.query<R>(db, `${key}:1`, () => build([0]), [ids[0]])
      : build([...ids]).execute();
  }

  /** A member's role in a channel; undefined for a non-member. */
  async function memberRole(channelId: number, userId: number): Promise<Role | undefined> {
    const [row] = await sql.query<{ role: number }>(
      db,
      "memberRole",
      () =>
        db
          .selectFrom("memberships")
          .select("role")
          .where("channel_id", "=", 0)
          .where("user_id", "=", 0),
      [channelId, userId],
    );
    return row ? (Number(row.role) as Role) : undefined;
  }

  /** How many members each channel given has (0 for none), in one grouped count. */
  async function memberCounts(channelIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>(channelIds.map((id) => [id, 0]));
    if (channelIds.length === 0) return out;
    const rows = await byChannels("memberCounts", channelIds, (ids) =>
      db
        .selectFrom("memberships")
        .select((eb) => ["channel_id", eb.fn.countAll<number>().as("n")])
        .where("channel_id", "in", ids)
        .groupBy("channel_id"),
    );
    for (const r of rows) out.set(Number(r.channel_id), Number(r.n));
    return out;
  }

  return {
    async createChannel(input) {
      try {
        return await sql.write(async (trx) => {
          const now = sql.now();
          const row = await trx
            .insertInto("channels")
            .values(
              newChannel(input.name, nameKey(input.name), input.topic, input.owner.id, now, {
                private: input.isPrivate ? 1 : 0,
              }),
            )
            .returningAll()
            .executeTakeFirstOrThrow();
          const channelId = Number(row.id);
          await trx
            .insertInto("memberships")
            .values({
              channel_id: channelId,
              user_id: input.owner.id,
              role: Role.Owner,
              joined_at: now,
              read_seq: readUpToJoin(channelId),
              name_key: memberNameKey(input.owner.id),
            })
            .execute();
          const event = await sql.appendEvent(trx, channelId, {
            type: EventType.MemberJoined,
            actor: input.owner,
            data: input.ownerIsGuest ? { g: true } : {},
          });
          return { channel: { ...toChannel(row), lastSeq: event.s }, event };
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ParleyError("CHANNEL_NAME_TAKEN");
        throw err;
      }
    },

    async ensureChannels(names) {
      if (names.length === 0) return [];
      const keys = names.map(nameKey);
      const rows = await sql.write(async (trx) => {
        // The server's own user (a name no one can register) owns what no user created.
        await trx
          .insertInto("users")
          .values({
            username: "",
            username_lower: "",
            password_hash: null,
            is_guest: 0,
            created_at: sql.now(),
          })
          .onConflict((oc) => oc.column("username_lower").doNothing())
          .execute();
        const server = await trx
          .selectFrom("users")
          .select("id")
          .where("username_lower", "=", "")
          .executeTakeFirstOrThrow();
        await trx
          .insertInto("channels")
          .values(
            names.map((name, k) => ({
              name,
              name_lower: keys[k]!,
              topic: "",
              created_by: Number(server.id),
              created_at: sql.now(),
              last_seq: 0,
              slow_mode: 0,
            })),
          )
          .onConflict((oc) => oc.column("name_lower").doNothing())
          .execute();
        return trx.selectFrom("channels").selectAll().where("name_lower", "in", keys).execute();
      });
      const byKey = new Map(rows.map((r) => [r.name_lower, toChannel(r)]));
      return [...new Set(keys)].map((k) => byKey.get(k)!);
    },

    async openDirect(input) {
      const key = directKey(input.members.map((m) => m.id));
      const existing = () => channelBy("name_lower", key);
      const found = await existing();
      if (found) return { channel: found, events: [] };
      // The opener joins first, so its join is the stream's first event.
      const members = [...input.members].sort(
        (a, b) => Number(b.id === input.opener.id) - Number(a.id === input.opener.id),
      );
      try {
        return await sql.write(async (trx) => {
          const now = sql.now();
          const row = await trx
            .insertInto("channels")
            .values(
              newChannel(key, key, "", input.opener.id, now, {
                private: 1,
                kind: ChannelKind.Direct,
              }),
            )
            .returningAll()
            .executeTakeFirstOrThrow();
          const channelId = Number(row.id);
          await trx
            .insertInto("memberships")
            .values(
              members.map((m) => ({
                channel_id: channelId,
                user_id: m.id,
                role: Role.Member,
                joined_at: now,
                read_seq: readUpToJoin(channelId),
                name_key: memberNameKey(m.id),
              })),
            )
            .execute();
          const events: ChannelEvent[] = [];
          for (const m of members) {
            events.push(
              await sql.appendEvent(trx, channelId, {
                type: EventType.MemberJoined,
                actor: m,
                data: m.isGuest ? { g: true } : {},
              }),
            );
          }
          return { channel: { ...toChannel(row), lastSeq: events.at(-1)!.s }, events };
        });
      } catch (err) {
        // Opened at the same time elsewhere: that one was stored, read it.
        if (!isUniqueViolation(err)) throw err;
        const raced = await existing();
        if (!raced) throw err;
        return { channel: raced, events: [] };
      }
    },

    getChannel(id) {
      return channelBy("id", id);
    },

    async listChannels(query) {
      const viewer = query.userId;
      const build = () => {
        let q = db.selectFrom("channels as c").selectAll("c").where("c.deleted_at", "is", null);
        if (query.search) {
          const pattern = `%${nameKey(query.search).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
          q = q.where(raw<boolean>`c.name_lower like ${pattern} escape '\\'`);
        }
        if (query.afterId !== undefined) q = q.where("c.id", ">", query.afterId);
        if (!query.direct) q = q.where("c.kind", "=", ChannelKind.Channel);
        q = q.where((eb) =>
          viewer === undefined
            ? eb("c.private", "=", 0)
            : eb.or([
                eb("c.private", "=", 0),
                eb.exists(
                  eb
                    .selectFrom("memberships as vm")
                    .select("vm.user_id")
                    .whereRef("vm.channel_id", "=", "c.id")
                    .where("vm.user_id", "=", viewer),
                ),
              ]),
        );
        return q.orderBy("c.id").limit(query.limit);
      };
      // The shapes without a search (every join's summary among them) are statements built
      // once, given their parameters in the order the builder places them.
      const rows = query.search
        ? await build().execute()
        : await sql.query<ChannelRow>(
            db,
            `channels:list:${query.afterId !== undefined}:${!!query.direct}:${viewer !== undefined}`,
            build,
            [
              ...(query.afterId !== undefined ? [query.afterId] : []),
              ...(query.direct ? [] : [ChannelKind.Channel]),
              0,
              ...(viewer !== undefined ? [viewer] : []),
              query.limit,
            ],
          );
      const roles = new Map<number, number>();
      if (viewer !== undefined && rows.length === 1) {
        const role = await memberRole(Number(rows[0]!.id), viewer);
        if (role !== undefined) roles.set(Number(rows[0]!.id), role);
      } else if (viewer !== undefined && rows.length > 0) {
        const memberships = await db
          .selectFrom("memberships")
          .select(["channel_id", "role"])
          .where("user_id", "=", viewer)
          .where(
            "channel_id",
            "in",
            rows.map((r) => Number(r.id)),
          )
          .execute();
        for (const m of memberships) roles.set(Number(m.channel_id), Number(m.role));
      }
      return rows.map((r): ChannelListing => {
        const role = roles.get(Number(r.id)) as Role | undefined;
        return { ...toChannel(r), ...(role ? { role } : {}) };
      });
    },

    async userChannels(userId) {
      const rows = await sql.query<ChannelRow & { role: number }>(
        db,
        "userChannels",
        () =>
          db
            .selectFrom("channels as c")
            .innerJoin("memberships as m", "m.channel_id", "c.id")
            .selectAll("c")
            .select(["m.role"])
            .where("m.user_id", "=", 0)
            .orderBy("c.id"),
        [userId],
      );
      return rows.map((r) => ({
        ...toChannel(r),
        role: Number(r.role) as Role,
      }));
    },

    async memberLastSeqs(userId) {
      const rows = await db
        .selectFrom("memberships as m")
        .innerJoin("channels as c", "c.id", "m.channel_id")
        .select(["c.id", "c.last_seq"])
        .where("m.user_id", "=", userId)
        .execute();
      return new Map(rows.map((r) => [Number(r.id), Number(r.last_seq)]));
    },

    memberRole,

    async joinCheck(channelId, userId) {
      const [row] = await sql.query<
        ChannelRow & {
          j_role: number | null;
          j_banned: number | null;
          j_ban_until: number | null;
          j_ban_reason: string | null;
          j_user_channels: number;
          j_members: number;
        }
      >(
        db,
        "channels:joinCheck",
        () =>
          db
            .selectFrom("channels as c")
            .leftJoin("memberships as me", (j) =>
              j.onRef("me.channel_id", "=", "c.id").on("me.user_id", "=", 0),
            )
            .leftJoin("bans as b", (j) =>
              j.onRef("b.channel_id", "=", "c.id").on("b.user_id", "=", 0),
            )
            .selectAll("c")
            .select((eb) => [
              "me.role as j_role",
              "b.user_id as j_banned",
              "b.until as j_ban_until",
              "b.reason as j_ban_reason",
              // Counted for a non-member only: a member's join checks no cap.
              eb
                .case()
                .when("me.role", "is", null)
                .then(
                  eb
                    .selectFrom("memberships as um")
                    .select((e) => e.fn.countAll<number>().as("n"))
                    .where("um.user_id", "=", 0),
                )
                .else(raw.lit(0))
                .end()
                .as("j_user_channels"),
              eb
                .case()
                .when("me.role", "is", null)
                .then(
                  eb
                    .selectFrom("memberships as cm")
                    .select((e) => e.fn.countAll<number>().as("n"))
                    .whereRef("cm.channel_id", "=", "c.id"),
                )
                .else(raw.lit(0))
                .end()
                .as("j_members"),
            ])
            .where("c.id", "=", 0)
            .where("c.deleted_at", "is", null),
        // The count's user, the membership's and the ban's, then the channel.
        [userId, userId, userId, channelId],
      );
      if (!row) return undefined;
      const ban =
        row.j_banned === null
          ? undefined
          : inForce({ until: row.j_ban_until, reason: row.j_ban_reason }, sql.now());
      return {
        channel: toChannel(row),
        ...(row.j_role !== null ? { role: Number(row.j_role) as Role } : {}),
        ...(ban ? { ban } : {}),
        userChannels: Number(row.j_user_channels),
        members: Number(row.j_members),
      };
    },

    async members(channelId, page) {
      const after = page?.after !== undefined;
      const prefix = page?.prefix ? page.prefix : undefined;
      const build = () => {
        let q = db
          .selectFrom("memberships as m")
          .innerJoin("users as u", "u.id", "m.user_id")
          .select(MEMBER_COLUMNS)
          .where("m.channel_id", "=", 0);
        if (after) q = q.where("m.name_key", ">", "");
        if (prefix !== undefined)
          // The index range starts at the prefix (a key with it sorts at or after it in any
          // collation); the keys that start with it are the first ones on.
          q = q
            .where("m.name_key", ">=", "")
            .where((eb) => eb.fn("substr", ["m.name_key", eb.val(1), eb.val(0)]), "=", "");
        q = q.orderBy("m.name_key");
        return page ? q.limit(0) : q;
      };
      const rows = await sql.query<MemberColumns>(
        db,
        `members:${after}:${prefix !== undefined}:${!!page}`,
        build,
        [
          channelId,
          ...(after ? [page!.after] : []),
          ...(prefix !== undefined ? [prefix, 1, [...prefix].length, prefix] : []),
          ...(page ? [page.limit] : []),
        ],
      );
      return rows.map((r) => ({
        user: {
          id: Number(r.id),
          username: r.username,
          isGuest: Number(r.is_guest) === 1,
          displayName: r.display_name,
          statusText: r.status_text,
          avatar: r.avatar,
        },
        role: Number(r.role) as Role,
      }));
    },

    async membershipCount(userId) {
      const [row] = await sql.query<{ n: number }>(
        db,
        "membershipCount",
        () =>
          db
            .selectFrom("memberships")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("user_id", "=", 0),
        [userId],
      );
      return Number(row?.n ?? 0);
    },

    async memberCount(channelId) {
      return (await memberCounts([channelId])).get(channelId) ?? 0;
    },

    memberCounts,

    async memberIds(channelIds) {
      const out = new Map<number, number[]>(channelIds.map((id) => [id, []]));
      if (channelIds.length === 0) return out;
      const rows = await byChannels("memberIds", channelIds, (ids) =>
        db
          .selectFrom("memberships")
          .select(["channel_id", "user_id"])
          .where("channel_id", "in", ids),
      );
      for (const r of rows) out.get(Number(r.channel_id))?.push(Number(r.user_id));
      return out;
    },

    async addMember(channelId, userId, role, event) {
      return sql.write(async (trx) => {
        const inserted = await trx
          .insertInto("memberships")
          .values({
            channel_id: channelId,
            user_id: userId,
            role,
            joined_at: sql.now(),
            read_seq: readUpToJoin(channelId),
            name_key: memberNameKey(userId),
          })
          .onConflict((oc) => oc.columns(["channel_id", "user_id"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
        return sql.appendEvent(trx, channelId, event);
      });
    },

    async removeMember(channelId, userId, event) {
      return sql.write((trx) => removeMembership(sql, trx, channelId, userId, event));
    },
  };
}

/**
 * Removes a membership with its event, inside `trx`; hands ownership on when the owner goes.
 * The membership rows change before the channel row takes the seq, the order every writer
 * keeps (see {@link standingQuery}). Also the removal of a kick or a ban.
 */
export async function removeMembership(
  sql: SqlContext,
  trx: Transaction<Database>,
  channelId: number,
  userId: number,
  event: NewEvent,
): Promise<ChannelEvent[]> {
  const removed = await trx
    .deleteFrom("memberships")
    .where("channel_id", "=", channelId)
    .where("user_id", "=", userId)
    .returning("role")
    .executeTakeFirst();
  if (!removed) return [];
  const heir = Number(removed.role) === Role.Owner ? await crownHeir(trx, channelId) : undefined;
  const events = [await sql.appendEvent(trx, channelId, event)];
  if (heir) {
    events.push(
      await sql.appendEvent(trx, channelId, {
        type: EventType.RoleChanged,
        actor: SYSTEM_ACTOR,
        data: { u: heir.id, un: heir.name, rl: Role.Owner },
      }),
    );
  }
  return events;
}

/**
 * Makes the longest-standing account with the highest role the owner; returns it. On
 * PostgreSQL the chosen member may be removed by a concurrent transaction before the update
 * reaches its row: then the next one is chosen.
 */
async function crownHeir(
  trx: Transaction<Database>,
  channelId: number,
): Promise<Actor | undefined> {
  for (;;) {
    const heir = await trx
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select(["m.user_id", "u.username"])
      .where("m.channel_id", "=", channelId)
      // Guests never moderate, so an account inherits before any guest.
      .orderBy("u.is_guest", "asc")
      .orderBy("m.role", "desc")
      .orderBy("m.joined_at", "asc")
      .orderBy("m.user_id", "asc")
      .executeTakeFirst();
    if (!heir) return undefined;
    const target = { id: Number(heir.user_id), name: heir.username };
    const updated = await trx
      .updateTable("memberships")
      .set({ role: Role.Owner })
      .where("channel_id", "=", channelId)
      .where("user_id", "=", target.id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return target;
  }
}
