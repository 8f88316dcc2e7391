import type { AdminApi } from "@parley/client";
import {
  ADMIN_CHANNEL_KINDS,
  type AdminChannel,
  type AdminChannelKind,
  type AdminChannelReply,
} from "@parley/protocol";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { formatWhen, roleName } from "../chat/format";
import type { Download } from "../session/auth-api";
import { errorText, type Guard, usePages } from "./admin-shared";
import { DetailPane, optionsOf, PickTable, SelectField, TextField } from "./admin-widgets";
import { saveDownload } from "./file-download";
import { FormError } from "./form-dialog";

const KIND_LABELS: Record<AdminChannelKind, string> = {
  all: "Every channel",
  public: "Public",
  private: "Private",
  archived: "Archived",
};

/** A channel's kind and state, in words. */
function channelState(c: AdminChannel): string {
  const kind = c.private ? "Private" : "Public";
  return c.archivedAt !== undefined ? `${kind}, archived` : kind;
}

/**
 * The console's channels: search and filter them (direct messages are never listed), see each
 * one's members, activity and owner, give it to another member, archive or unarchive it, export
 * it (a zip of its messages and files), and delete it with its messages and files.
 */
export function ChannelsTab({
  api,
  guard,
  exportChannel,
}: {
  api: AdminApi;
  guard: Guard;
  /** Reads a channel's export (undefined when the session ended). */
  exportChannel: (channelId: number) => Promise<Download | undefined>;
}) {
  const [query, setQuery] = useState("");
  const [kind, setKind] = useState<AdminChannelKind>("all");
  const [openId, setOpenId] = useState<number>();
  const id = useId();
  const read = useCallback(
    async (before?: number) => {
      const page = await guard(() =>
        api.channels({ ...(query ? { q: query } : {}), kind, ...(before ? { before } : {}) }),
      );
      return (
        page && { items: page.channels, ...(page.next !== undefined ? { next: page.next } : {}) }
      );
    },
    [api, guard, query, kind],
  );
  const { items: channels, setItems, next, error, more } = usePages(read, 200);

  const changed = (channel: AdminChannel) =>
    setItems((list) => list.map((c) => (c.id === channel.id ? channel : c)));
  const deleted = (channelId: number) => {
    setItems((list) => list.filter((c) => c.id !== channelId));
    setOpenId(undefined);
  };

  return (
    <div className="admin-users">
      <div className="admin-filters">
        <TextField
          id={`${id}-q`}
          label="Search channels"
          type="search"
          placeholder="Part of a channel name"
          value={query}
          onChange={setQuery}
        />
        <SelectField
          id={`${id}-kind`}
          label="Show"
          value={kind}
          options={optionsOf(ADMIN_CHANNEL_KINDS, KIND_LABELS)}
          onChange={setKind}
        />
      </div>
      <FormError error={error} />
      <PickTable
        caption="Channels, newest first"
        columns={["Channel", "Kind", "Members", "Online", "Last activity", "Owner"]}
        rows={channels}
        openId={openId}
        onOpen={setOpenId}
        name={(c) => `#${c.name}`}
        cells={(c) => [
          channelState(c),
          c.members,
          c.online,
          c.lastActivityAt !== undefined ? formatWhen(c.lastActivityAt, Date.now()) : "—",
          c.owner?.username ?? "—",
        ]}
        empty="No channels match."
        more={next !== undefined ? more : undefined}
        moreLabel="More channels"
      />
      {openId !== undefined && (
        <ChannelDetails
          key={openId}
          api={api}
          guard={guard}
          exportChannel={exportChannel}
          channelId={openId}
          onChanged={changed}
          onDeleted={deleted}
          onClose={() => setOpenId(undefined)}
        />
      )}
    </div>
  );
}

function ChannelDetails({
  api,
  guard,
  exportChannel,
  channelId,
  onChanged,
  onDeleted,
  onClose,
}: {
  api: AdminApi;
  guard: Guard;
  exportChannel: (channelId: number) => Promise<Download | undefined>;
  channelId: number;
  onChanged: (channel: AdminChannel) => void;
  onDeleted: (channelId: number) => void;
  onClose: () => void;
}) {
  const [detail, setDetail] = useState<AdminChannelReply>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [owner, setOwner] = useState("");
  const [sure, setSure] = useState(false);
  const id = useId();

  const load = useCallback(
    (membersAfter?: number) =>
      guard(() => api.channel(channelId, membersAfter)).then((d) => {
        if (!d) return;
        setDetail((old) =>
          membersAfter !== undefined && old ? { ...d, members: [...old.members, ...d.members] } : d,
        );
      }),
    [api, guard, channelId],
  );
  useEffect(() => {
    load().catch((err) => setError(errorText(err)));
  }, [load]);

  /** Runs a change, then shows the channel as it is now. */
  const act = async (what: string, work: () => Promise<AdminChannel | undefined>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const channel = await guard(work);
      if (!channel) return;
      onChanged(channel);
      await load();
      setDone(what);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const giveTo = (event: FormEvent) => {
    event.preventDefault();
    const name = owner.trim().replace(/^@/, "");
    if (name)
      void act(`#${channel?.name} now belongs to ${name}.`, () =>
        api.setChannelOwner(channelId, name),
      );
  };

  /** Downloads the channel's export: its messages and files, as a zip (audited). */
  const download = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const file = await exportChannel(channelId);
      if (!file) return;
      saveDownload(file);
      setDone(`Exported #${channel?.name} as ${file.name}.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const reply = await guard(() => api.deleteChannel(channelId));
      if (reply) onDeleted(channelId);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const channel = detail?.channel;
  return (
    <DetailPane
      title={channel ? `#${channel.name}` : "Loading…"}
      onClose={onClose}
      error={error}
      done={done}
    >
      {channel && detail && (
        <>
          <dl className="admin-facts">
            <dt>Kind</dt>
            <dd>{channelState(channel)}</dd>
            <dt>Created</dt>
            <dd>{formatWhen(channel.createdAt, Date.now())}</dd>
            <dt>Topic</dt>
            <dd>{channel.topic || "—"}</dd>
            <dt>Members</dt>
            <dd>
              {channel.members} ({channel.online} online)
            </dd>
            <dt>Events stored</dt>
            <dd>{channel.lastSeq}</dd>
            <dt>Owner</dt>
            <dd>{channel.owner?.username ?? "—"}</dd>
          </dl>
          <div className="admin-actions">
            {channel.archivedAt !== undefined ? (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() =>
                  void act("Unarchived: members can post again.", () =>
                    api.setChannelArchived(channelId, false),
                  )
                }
              >
                Unarchive
              </button>
            ) : (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() =>
                  void act("Archived: the channel is read-only.", () =>
                    api.setChannelArchived(channelId, true),
                  )
                }
              >
                Archive
              </button>
            )}
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void download()}
            >
              Export
            </button>
            <form className="admin-ban" onSubmit={giveTo} aria-label="Change owner">
              <div className="field">
                <label className="field-label" htmlFor={`${id}-owner`}>
                  New owner (a member)
                </label>
                <input
                  id={`${id}-owner`}
                  value={owner}
                  maxLength={33}
                  autoComplete="off"
                  onChange={(e) => setOwner(e.target.value)}
                />
              </div>
              <button type="submit" className="button" disabled={busy || !owner.trim()}>
                Change owner
              </button>
            </form>
            <details className="admin-delete">
              <summary>Delete channel…</summary>
              <form onSubmit={(e) => void remove(e)} aria-label="Delete channel">
                <p>
                  Its members are removed, and its messages, files and search entries are deleted.
                </p>
                <label>
                  <input
                    type="checkbox"
                    checked={sure}
                    onChange={(e) => setSure(e.target.checked)}
                  />{" "}
                  I understand this cannot be undone
                </label>
                <button type="submit" className="button button-danger" disabled={busy || !sure}>
                  Delete for good
                </button>
              </form>
            </details>
          </div>
          <h3>Members</h3>
          {detail.members.length === 0 ? (
            <p className="admin-empty">No members.</p>
          ) : (
            <ul className="admin-list" data-testid="channel-members">
              {detail.members.map((m) => (
                <li key={m.id}>
                  {m.username}{" "}
                  <span className="admin-muted">
                    ({roleName(m.role)}
                    {m.guest ? ", guest" : ""}
                    {m.online ? ", online" : ""})
                  </span>
                </li>
              ))}
            </ul>
          )}
          {detail.membersNext !== undefined && (
            <button
              type="button"
              className="button"
              onClick={() => void load(detail.membersNext).catch((err) => setError(errorText(err)))}
            >
              More members
            </button>
          )}
        </>
      )}
    </DetailPane>
  );
}
