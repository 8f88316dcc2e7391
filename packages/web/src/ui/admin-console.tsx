import { AdminApi, ParleyRequestError } from "@parley/client";
import {
  ADMIN_REPORT_STATUSES,
  ADMIN_USER_KINDS,
  type AdminAuditEntry,
  type AdminModerationEntry,
  type AdminReportStatus,
  type AdminSettingsReply,
  type AdminStatsPoint,
  type AdminStatsReply,
  type AdminUser,
  type AdminUserKind,
  type AdminUserReply,
  auditText,
  type DeletedMessages,
  ERRORS,
  REGISTRATION_MODES,
  RETENTION_DAYS_MAX,
  type RegistrationMode,
  type Report,
  ReportStatus,
  SERVER_SETTING_KEYS,
} from "@parley/protocol";
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from "react";
import {
  ADMIN_AUDIT_ACTIONS,
  banLengths,
  describeChange,
  describeUser,
} from "../chat/admin-format";
import { formatWhen, localAuditFormat, roleName } from "../chat/format";
import { closingRefusal } from "../chat/held";
import { ApiError, type Download, exportApi } from "../session/auth-api";
import "./admin.css";
import { ChannelsTab } from "./admin-channels";
import { InvitesTab } from "./admin-invites";
import { errorText, type Guard, usePages } from "./admin-shared";
import { DetailPane, optionsOf, PickTable, SelectField, TextField } from "./admin-widgets";
import { FormError } from "./form-dialog";
import { closedBy, closedNote, ReportCloseButtons, ReportedBy } from "./reports-panel";

export interface AdminConsoleProps {
  token: string;
  /** The console's session ended (revoked, or its user is no admin): sign in again. */
  onSessionEnded: () => void;
}

const TABS = ["users", "channels", "reports", "moderation", "server", "invites", "audit"] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = {
  users: "Users",
  channels: "Channels",
  reports: "Reports",
  moderation: "Moderation log",
  server: "Server",
  invites: "Invites",
  audit: "Audit log",
};

const REGISTRATION_LABELS: Record<RegistrationMode, string> = {
  open: "Open: anyone may create an account",
  invite: "Invite only: with an invite from the Invites tab",
  closed: "Closed: nobody may create one",
};

const KIND_LABELS: Record<AdminUserKind, string> = {
  all: "Everyone",
  registered: "Accounts",
  guests: "Guests",
  banned: "Banned",
  admins: "Admins",
  deactivated: "Deactivated",
  deleted: "Deleted",
};

/**
 * The admin console at `/admin`, for server admins: users (search, filters, details, sign-out,
 * server ban and unban, rename, deactivate, delete), channels (members, owner, archive,
 * export, delete), every channel's reports, the moderation log, the server's figures and
 * settings, server invites (made, listed, revoked), and the admin audit log. It reads and writes only through the admin
 * API, which checks every request on the server.
 */
export function AdminConsole({ token, onSessionEnded }: AdminConsoleProps) {
  const api = useMemo(() => new AdminApi("", token), [token]);
  const [tab, setTab] = useState<Tab>("users");
  const [refused, setRefused] = useState<string>();
  const tabsId = useId();

  // Whether this session may use the console at all: the server says, at the first request.
  useEffect(() => {
    api.users({ limit: 1 }).catch((err) => {
      if (err instanceof ParleyRequestError && err.code === ERRORS.FORBIDDEN.code)
        setRefused(err.message);
      else if (err instanceof ParleyRequestError && err.code === ERRORS.UNAUTHENTICATED.code)
        onSessionEnded();
    });
  }, [api, onSessionEnded]);

  // A refusal of the session itself (signed out elsewhere, revoked) ends the console.
  const guard = useCallback(
    async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (err) {
        if (err instanceof ParleyRequestError && err.code === ERRORS.UNAUTHENTICATED.code) {
          onSessionEnded();
          return undefined;
        }
        throw err;
      }
    },
    [onSessionEnded],
  );

  // A download is read with the token here (the SDK's AdminApi answers JSON only).
  const exportChannel = useCallback(
    async (channelId: number): Promise<Download | undefined> => {
      try {
        return await exportApi.channel(token, channelId);
      } catch (err) {
        if (err instanceof ApiError && err.code === ERRORS.UNAUTHENTICATED.code) {
          onSessionEnded();
          return undefined;
        }
        throw err;
      }
    },
    [token, onSessionEnded],
  );

  return (
    <div className="admin">
      <header className="admin-header">
        <h1>Parley admin</h1>
        <a className="button button-ghost" href="/">
          Back to chat
        </a>
      </header>
      {refused ? (
        <FormError error={`This console is for server admins. ${refused}.`} />
      ) : (
        <>
          <div className="admin-tabs" role="tablist" aria-label="Admin sections">
            {TABS.map((t, i) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`${tabsId}-${t}`}
                aria-controls={`${tabsId}-${t}-panel`}
                aria-selected={tab === t}
                tabIndex={tab === t ? 0 : -1}
                className="admin-tab"
                onClick={() => setTab(t)}
                onKeyDown={(e) => {
                  if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                    const step = e.key === "ArrowRight" ? 1 : TABS.length - 1;
                    const next = TABS[(i + step) % TABS.length]!;
                    setTab(next);
                    document.getElementById(`${tabsId}-${next}`)?.focus();
                  }
                }}
              >
                {TAB_LABELS[t]}
              </button>
            ))}
          </div>
          <section
            role="tabpanel"
            id={`${tabsId}-${tab}-panel`}
            aria-labelledby={`${tabsId}-${tab}`}
            className="admin-panel"
          >
            {tab === "users" ? (
              <UsersTab api={api} guard={guard} />
            ) : tab === "channels" ? (
              <ChannelsTab api={api} guard={guard} exportChannel={exportChannel} />
            ) : tab === "reports" ? (
              <ReportsTab api={api} guard={guard} />
            ) : tab === "moderation" ? (
              <ModerationTab api={api} guard={guard} />
            ) : tab === "server" ? (
              <>
                <Figures api={api} guard={guard} />
                <ServerTab api={api} guard={guard} />
              </>
            ) : tab === "invites" ? (
              <InvitesTab api={api} guard={guard} />
            ) : (
              <AuditTab api={api} guard={guard} />
            )}
          </section>
        </>
      )}
    </div>
  );
}

function UsersTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [query, setQuery] = useState("");
  const [kind, setKind] = useState<AdminUserKind>("all");
  const [openId, setOpenId] = useState<number>();
  const id = useId();
  const read = useCallback(
    async (before?: number) => {
      const page = await guard(() =>
        api.users({ ...(query ? { q: query } : {}), kind, ...(before ? { before } : {}) }),
      );
      return page && { items: page.users, ...(page.next !== undefined ? { next: page.next } : {}) };
    },
    [api, guard, query, kind],
  );
  const { items: users, setItems: setUsers, next, error, more, reload } = usePages(read, 200);

  const changed = (user: AdminUser) =>
    setUsers((list) => list.map((u) => (u.id === user.id ? user : u)));

  return (
    <div className="admin-users">
      <div className="admin-filters">
        <TextField
          id={`${id}-q`}
          label="Search users"
          type="search"
          placeholder="Part of a username"
          value={query}
          onChange={setQuery}
        />
        <SelectField
          id={`${id}-kind`}
          label="Show"
          value={kind}
          options={optionsOf(ADMIN_USER_KINDS, KIND_LABELS)}
          onChange={setKind}
        />
      </div>
      <FormError error={error} />
      <PickTable
        caption="Users, newest first"
        columns={["User", "Kind", "Joined", "Status", "Sessions"]}
        rows={users}
        openId={openId}
        onOpen={setOpenId}
        name={(u) => u.username}
        cells={(u) => [
          describeUser(u).kind,
          formatWhen(u.createdAt, Date.now()),
          describeUser(u).status,
          u.sessions,
        ]}
        empty="No users match."
        more={next !== undefined ? more : undefined}
        moreLabel="More users"
      />
      <RemoveIdleGuests api={api} guard={guard} onRemoved={reload} />
      {openId !== undefined && (
        <UserDetails
          key={openId}
          api={api}
          guard={guard}
          userId={openId}
          onChanged={changed}
          onClose={() => setOpenId(undefined)}
        />
      )}
    </div>
  );
}

/** Deletes guests idle for some days, a batch per request, until none are left. */
function RemoveIdleGuests({
  api,
  guard,
  onRemoved,
}: {
  api: AdminApi;
  guard: Guard;
  onRemoved: () => void;
}) {
  const [days, setDays] = useState("30");
  const [messages, setMessages] = useState<DeletedMessages>("keep");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const id = useId();

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    let removed = 0;
    let removedMessages = 0;
    try {
      for (;;) {
        const reply = await guard(() => api.removeGuests({ idleDays: Number(days), messages }));
        if (!reply) return;
        removed += reply.removed;
        removedMessages += reply.removedMessages;
        setDone(
          `Removed ${removed} ${removed === 1 ? "guest" : "guests"} (${removedMessages} ${removedMessages === 1 ? "message" : "messages"}).`,
        );
        if (!reply.more) break;
      }
      onRemoved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="admin-delete">
      <summary>Remove idle guests…</summary>
      <form className="admin-ban" onSubmit={run} aria-label="Remove idle guests">
        <div className="field">
          <label className="field-label" htmlFor={`${id}-days`}>
            Not seen for (days)
          </label>
          <input
            id={`${id}-days`}
            type="number"
            min={1}
            max={3660}
            required
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-messages`}>
            Their messages
          </label>
          <select
            id={`${id}-messages`}
            value={messages}
            onChange={(e) => setMessages(e.target.value as DeletedMessages)}
          >
            <option value="keep">Keep</option>
            <option value="remove">Remove</option>
          </select>
        </div>
        <button type="submit" className="button button-danger" disabled={busy}>
          Remove guests
        </button>
      </form>
      <FormError error={error} />
      {done && (
        <p className="admin-done" role="status">
          {done}
        </p>
      )}
    </details>
  );
}

function UserDetails({
  api,
  guard,
  userId,
  onChanged,
  onClose,
}: {
  api: AdminApi;
  guard: Guard;
  userId: number;
  onChanged: (user: AdminUser) => void;
  onClose: () => void;
}) {
  const [detail, setDetail] = useState<AdminUserReply>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  // A reset's temporary password, shown until the details close: the server shows it once.
  const [issued, setIssued] = useState<string>();
  const [reason, setReason] = useState("");
  const [minutes, setMinutes] = useState<string>(String(banLengths[1]!.minutes));
  const [busy, setBusy] = useState(false);
  const [newName, setNewName] = useState("");
  const [messages, setMessages] = useState<DeletedMessages>("keep");
  const [sure, setSure] = useState(false);
  const id = useId();

  useEffect(() => {
    let live = true;
    guard(() => api.user(userId))
      .then((d) => live && d && setDetail(d))
      .catch((err) => live && setError(errorText(err)));
    return () => {
      live = false;
    };
  }, [api, guard, userId]);

  /** Runs a change; `what` says what was done (read after it, so it may use its results). */
  const act = async (what: string | (() => string), work: () => Promise<AdminUser>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    setIssued(undefined);
    try {
      const user = await guard(work);
      if (!user) return;
      setDetail((d) => (d ? { ...d, user } : d));
      onChanged(user);
      setDone(typeof what === "string" ? what : what());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const older = async () => {
    if (!detail?.messagesNext) return;
    try {
      const page = await guard(() => api.user(userId, detail.messagesNext));
      if (page)
        setDetail({
          ...detail,
          messages: [...detail.messages, ...page.messages],
          ...(page.messagesNext !== undefined ? { messagesNext: page.messagesNext } : {}),
        });
    } catch (err) {
      setError(errorText(err));
    }
  };

  const ban = (event: FormEvent) => {
    event.preventDefault();
    const length = Number(minutes);
    void act("Banned.", () =>
      api.ban(userId, {
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(length > 0 ? { minutes: length } : {}),
      }),
    );
  };

  const rename = (event: FormEvent) => {
    event.preventDefault();
    const name = newName.trim();
    if (name) void act(`Renamed to ${name}.`, () => api.rename(userId, name));
  };

  const remove = (event: FormEvent) => {
    event.preventDefault();
    let removed = 0;
    void act(
      () =>
        messages === "remove"
          ? `Deleted, with ${removed} ${removed === 1 ? "message" : "messages"} removed.`
          : "Deleted; their messages stay, shown as from a deleted user.",
      async () => {
        const reply = await api.deleteUser(userId, messages);
        removed = reply.removedMessages;
        return reply.user;
      },
    );
  };

  const user = detail?.user;
  const deleted = user?.deletedAt !== undefined;
  return (
    <DetailPane
      title={user ? user.username : "Loading…"}
      onClose={onClose}
      error={error}
      done={done}
    >
      {issued && (
        <p className="admin-issued">
          New password for {user?.username}: <code data-testid="issued-password">{issued}</code> —
          hand it on now; it is not shown again.
        </p>
      )}
      {user && (
        <>
          <dl className="admin-facts">
            <dt>Kind</dt>
            <dd>{describeUser(user).kind}</dd>
            <dt>Joined</dt>
            <dd>{formatWhen(user.createdAt, Date.now())}</dd>
            <dt>Status</dt>
            <dd>{describeUser(user).status}</dd>
            <dt>Open sessions</dt>
            <dd>{user.sessions}</dd>
          </dl>
          {deleted ? (
            <div className="admin-actions">
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() =>
                  void act("Any messages left were removed.", async () => {
                    return (await api.deleteUser(userId, "remove")).user;
                  })
                }
              >
                Remove any messages left
              </button>
            </div>
          ) : (
            <div className="admin-actions">
              <button
                type="button"
                className="button"
                disabled={busy || user.sessions === 0}
                onClick={() => void act("Signed out everywhere.", () => api.signOut(userId))}
              >
                Sign out everywhere
              </button>
              {!user.guest && !user.admin && (
                <button
                  type="button"
                  className="button"
                  disabled={busy}
                  onClick={() =>
                    void act("Password reset; every session was signed out.", async () => {
                      const reset = await api.resetPassword(userId);
                      setIssued(reset.password);
                      return reset.user;
                    })
                  }
                >
                  Reset password
                </button>
              )}
              {user.ban ? (
                <button
                  type="button"
                  className="button"
                  disabled={busy}
                  onClick={() => void act("Unbanned.", () => api.unban(userId))}
                >
                  Unban
                </button>
              ) : (
                !user.admin && (
                  <form className="admin-ban" onSubmit={ban} aria-label="Ban from the server">
                    <div className="field">
                      <label className="field-label" htmlFor={`${id}-reason`}>
                        Reason
                      </label>
                      <input
                        id={`${id}-reason`}
                        value={reason}
                        maxLength={300}
                        onChange={(e) => setReason(e.target.value)}
                      />
                    </div>
                    <div className="field">
                      <label className="field-label" htmlFor={`${id}-length`}>
                        For
                      </label>
                      <select
                        id={`${id}-length`}
                        value={minutes}
                        onChange={(e) => setMinutes(e.target.value)}
                      >
                        {banLengths.map((l) => (
                          <option key={l.minutes} value={l.minutes}>
                            {l.label}
                          </option>
                        ))}
                      </select>
                    </div>
                    <button type="submit" className="button button-danger" disabled={busy}>
                      Ban from server
                    </button>
                  </form>
                )
              )}
              {!user.admin && (
                <>
                  <form className="admin-ban" onSubmit={rename} aria-label="Rename">
                    <div className="field">
                      <label className="field-label" htmlFor={`${id}-name`}>
                        New username
                      </label>
                      <input
                        id={`${id}-name`}
                        value={newName}
                        maxLength={32}
                        autoComplete="off"
                        onChange={(e) => setNewName(e.target.value)}
                      />
                    </div>
                    <button type="submit" className="button" disabled={busy || !newName.trim()}>
                      Rename
                    </button>
                  </form>
                  {user.deactivatedAt !== undefined ? (
                    <button
                      type="button"
                      className="button"
                      disabled={busy}
                      onClick={() => void act("Reactivated.", () => api.reactivate(userId))}
                    >
                      Reactivate
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button"
                      disabled={busy}
                      onClick={() =>
                        void act("Deactivated; every session was signed out.", () =>
                          api.deactivate(userId),
                        )
                      }
                    >
                      Deactivate
                    </button>
                  )}
                  <details className="admin-delete">
                    <summary>Delete account…</summary>
                    <form onSubmit={remove} aria-label="Delete account">
                      <fieldset>
                        <legend>Their messages</legend>
                        <label>
                          <input
                            type="radio"
                            name={`${id}-messages`}
                            checked={messages === "keep"}
                            onChange={() => setMessages("keep")}
                          />{" "}
                          Keep them, shown as from a deleted user
                        </label>
                        <label>
                          <input
                            type="radio"
                            name={`${id}-messages`}
                            checked={messages === "remove"}
                            onChange={() => setMessages("remove")}
                          />{" "}
                          Remove them, with their files and search entries
                        </label>
                      </fieldset>
                      <label>
                        <input
                          type="checkbox"
                          checked={sure}
                          onChange={(e) => setSure(e.target.checked)}
                        />{" "}
                        I understand this cannot be undone
                      </label>
                      <button
                        type="submit"
                        className="button button-danger"
                        disabled={busy || !sure}
                      >
                        Delete for good
                      </button>
                    </form>
                  </details>
                </>
              )}
            </div>
          )}
          <h3>Channels</h3>
          {detail.channels.length === 0 ? (
            <p className="admin-empty">No channels.</p>
          ) : (
            <ul className="admin-list">
              {detail.channels.map((c) => (
                <li key={c.id}>
                  #{c.name} <span className="admin-muted">({roleName(c.role)})</span>
                </li>
              ))}
            </ul>
          )}
          <h3>Latest messages</h3>
          {detail.messages.length === 0 ? (
            <p className="admin-empty">No messages.</p>
          ) : (
            <ul className="admin-list admin-messages">
              {detail.messages.map((m) => (
                <li key={m.id}>
                  <span className="admin-muted">
                    #{m.channelName} · {formatWhen(m.createdAt, Date.now())}
                  </span>
                  <span className="admin-message-text">{m.content}</span>
                </li>
              ))}
            </ul>
          )}
          {detail.messagesNext !== undefined && (
            <button type="button" className="button" onClick={() => void older()}>
              Older messages
            </button>
          )}
        </>
      )}
    </DetailPane>
  );
}

function AuditTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [action, setAction] = useState("");
  const id = useId();
  const read = useCallback(
    async (before?: number) => {
      const page = await guard(() =>
        api.audit({ ...(action ? { action } : {}), ...(before ? { before } : {}) }),
      );
      return (
        page && { items: page.entries, ...(page.next !== undefined ? { next: page.next } : {}) }
      );
    },
    [api, guard, action],
  );
  const { items: entries, next, error, more } = usePages<AdminAuditEntry>(read);

  return (
    <div className="admin-audit">
      <div className="admin-filters">
        <SelectField
          id={`${id}-action`}
          label="Action"
          value={action}
          options={ADMIN_AUDIT_ACTIONS}
          onChange={setAction}
        />
      </div>
      <FormError error={error} />
      {entries.length === 0 ? (
        <p className="admin-empty">Nothing has been changed through the console yet.</p>
      ) : (
        <ul className="admin-list admin-audit-list" aria-label="Admin audit log">
          {entries.map((e) => (
            <li key={e.id}>
              <span className="admin-muted">{formatWhen(e.at, Date.now())}</span>{" "}
              <span>{describeChange(e)}</span>
            </li>
          ))}
        </ul>
      )}
      {next !== undefined && (
        <button type="button" className="button" onClick={more}>
          Older entries
        </button>
      )}
    </div>
  );
}

/** A day picked in a date input (`YYYY-MM-DD`) as the epoch ms of its local midnight. */
function dayStart(value: string): number | undefined {
  if (!value) return undefined;
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y!, m! - 1, d!).getTime();
}

/** The moderation actions the log's filter offers, as `AuditLine.ac` names them. */
const MODERATION_ACTIONS: readonly (readonly [string, string])[] = [
  ["", "Every action"],
  ["kick", "Kicks"],
  ["mute", "Mutes"],
  ["unmute", "Unmutes"],
  ["ban", "Bans"],
  ["unban", "Unbans"],
  ["delete", "Deleted messages"],
  ["mod", "Moderators made"],
  ["unmod", "Moderators removed"],
  ["topic", "Topics"],
  ["slow", "Slow mode"],
  ["retention", "Retention"],
  ["automod", "Blocked and held words"],
  ["private", "Made private"],
  ["public", "Made public"],
  ["serverban", "Server bans"],
  ["serverunban", "Server unbans"],
  ["report-resolved", "Reports resolved"],
  ["report-dismissed", "Reports dismissed"],
  ["held-approved", "Held messages approved"],
  ["held-dropped", "Held messages dropped"],
];

const REPORT_STATUS_LABELS: Record<AdminReportStatus, string> = {
  open: "Open",
  resolved: "Resolved or approved",
  dismissed: "Dismissed or dropped",
  all: "Every report",
};

/**
 * Every channel's reports of messages, newest first (the open ones unless the filter says):
 * the message as it was reported, who reported it and why, and Resolve or Dismiss for an open
 * one. A message auto-moderation held for review shows the entry that held it, with Approve
 * and post and Drop; an approval the server refuses says why beside it (the message stays
 * held). A report closed here, or by a moderator meanwhile, shows who closed it.
 */
function ReportsTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [status, setStatus] = useState<AdminReportStatus>("open");
  const [note, setNote] = useState<string>();
  /** Per report: a refusal to show beside it, or that a request for it is under way. */
  const [errors, setErrors] = useState<Readonly<Record<number, string>>>({});
  const [busy, setBusy] = useState<number>();
  const id = useId();
  const read = useCallback(
    async (before?: number) => {
      const page = await guard(() => api.reports({ status, ...(before ? { before } : {}) }));
      return (
        page && { items: page.reports, ...(page.next !== undefined ? { next: page.next } : {}) }
      );
    },
    [api, guard, status],
  );
  const { items: reports, setItems, next, error, more } = usePages<Report>(read);
  const close = async (r: Report, to: "resolved" | "dismissed") => {
    setNote(undefined);
    setBusy(r.id);
    setErrors(({ [r.id]: _, ...rest }) => rest);
    try {
      const answer = await guard(() => api.resolveReport(r.id, to));
      if (!answer) return;
      setItems((list) => list.map((x) => (x.id === r.id ? answer.report : x)));
      setNote(closedNote(answer.report, answer.changed));
    } catch (err) {
      const status = to === "resolved" ? ReportStatus.Resolved : ReportStatus.Dismissed;
      setErrors((all) => ({ ...all, [r.id]: closingRefusal(r, status, err, errorText) }));
    } finally {
      setBusy(undefined);
    }
  };

  const now = Date.now();
  return (
    <div className="admin-reports">
      <div className="admin-filters">
        <SelectField
          id={`${id}-status`}
          label="Status"
          value={status}
          options={optionsOf(ADMIN_REPORT_STATUSES, REPORT_STATUS_LABELS)}
          onChange={setStatus}
        />
      </div>
      <FormError error={error} />
      <p className="admin-muted" role="status">
        {note}
      </p>
      {reports.length === 0 ? (
        <p className="admin-empty">No reports match.</p>
      ) : (
        <ul className="admin-list admin-report-list" aria-label="Reports">
          {reports.map((r) => (
            <li
              key={r.id}
              className={`admin-report${r.hd ? " report-held" : ""}`}
              {...(r.hd ? { "data-held": "" } : {})}
            >
              <span className="admin-muted">
                {formatWhen(r.ts, now)} · {r.cn ? `#${r.cn}` : "a direct message"}
              </span>{" "}
              <span>
                {r.un}: <bdi>{r.x}</bdi>
              </span>
              <span className="admin-muted">
                <ReportedBy report={r} />
                {r.st !== ReportStatus.Open && ` · ${closedBy(r)}`}
              </span>
              <FormError error={errors[r.id]} />
              {r.st === ReportStatus.Open && (
                <span className="admin-report-actions">
                  <ReportCloseButtons
                    report={r}
                    disabled={busy === r.id}
                    onClose={(st) =>
                      void close(r, st === ReportStatus.Resolved ? "resolved" : "dismissed")
                    }
                  />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {next !== undefined && (
        <button type="button" className="button" onClick={more}>
          Older reports
        </button>
      )}
    </div>
  );
}

const NO_FILTERS = { channel: "", actor: "", target: "", action: "", from: "", to: "" };

function ModerationTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [filters, setFilters] = useState(NO_FILTERS);
  const id = useId();
  const read = useCallback(
    async (before?: number) => {
      const since = dayStart(filters.from);
      const to = dayStart(filters.to);
      const page = await guard(() =>
        api.moderation({
          ...(filters.channel ? { channel: filters.channel } : {}),
          ...(filters.actor ? { actor: filters.actor } : {}),
          ...(filters.target ? { target: filters.target } : {}),
          ...(filters.action ? { action: filters.action } : {}),
          ...(since !== undefined ? { since } : {}),
          // The last day picked is included.
          ...(to !== undefined ? { until: to + 86_400_000 } : {}),
          ...(before ? { before } : {}),
        }),
      );
      return (
        page && { items: page.entries, ...(page.next !== undefined ? { next: page.next } : {}) }
      );
    },
    [api, guard, filters],
  );
  const { items: entries, next, error, more } = usePages<AdminModerationEntry>(read, 200);

  const field = (key: keyof typeof NO_FILTERS, label: string, type: "text" | "date" = "text") => (
    <TextField
      id={`${id}-${key}`}
      label={label}
      type={type}
      value={filters[key]}
      onChange={(value) => setFilters((f) => ({ ...f, [key]: value }))}
    />
  );

  const now = Date.now();
  const format = localAuditFormat(now);
  return (
    <div className="admin-moderation">
      <div className="admin-filters">
        {field("channel", "Channel")}
        {field("actor", "By")}
        {field("target", "On user")}
        <SelectField
          id={`${id}-action`}
          label="Action"
          value={filters.action}
          options={MODERATION_ACTIONS}
          onChange={(action) => setFilters((f) => ({ ...f, action }))}
        />
        {field("from", "From", "date")}
        {field("to", "To", "date")}
      </div>
      <FormError error={error} />
      {entries.length === 0 ? (
        <p className="admin-empty">No moderation matches.</p>
      ) : (
        <ul className="admin-list" aria-label="Moderation log">
          {entries.map((e) => (
            <li key={e.id}>
              <span className="admin-muted">
                {formatWhen(e.at, now)} · #{e.channel.name}
              </span>{" "}
              <span>
                {auditText(
                  {
                    ts: e.at,
                    ac: e.action,
                    a: e.actor.id,
                    an: e.actor.username,
                    ...(e.target ? { u: e.target.id, un: e.target.username } : {}),
                    ...(e.reason ? { rs: e.reason } : {}),
                    ...(e.until !== undefined ? { ut: e.until } : {}),
                  },
                  format,
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next !== undefined && (
        <button type="button" className="button" onClick={more}>
          Older entries
        </button>
      )}
    </div>
  );
}

const MIB = 1 << 20;

/** A word list as the settings take it: one entry a line, spaces collapsed, blank lines out. */
function wordsOf(text: string): string[] {
  return text
    .split("\n")
    .map((w) => w.trim().replace(/\s+/g, " "))
    .filter((w) => w !== "");
}

/** The server settings admins change live, on every node. */
function ServerTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [reply, setReply] = useState<AdminSettingsReply>();
  const [form, setForm] = useState({
    registration: "open" as RegistrationMode,
    guests: true,
    linkPreviews: true,
    editWindowSeconds: "0",
    uploadMaxMiB: "25",
    defaultChannels: "",
    retentionDays: "0",
    blockedWords: "",
    heldWords: "",
    linkMinAccountHours: "0",
    maxMentions: "0",
  });
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const show = useCallback((r: AdminSettingsReply) => {
    setReply(r);
    const s = r.settings;
    setForm({
      registration: s.registration,
      guests: s.guests,
      linkPreviews: s.linkPreviews,
      editWindowSeconds: String(s.editWindowSeconds),
      uploadMaxMiB: String(Math.round((s.uploadMaxBytes / MIB) * 100) / 100),
      defaultChannels: s.defaultChannels.join(", "),
      retentionDays: String(s.retentionDays),
      blockedWords: s.blockedWords.join("\n"),
      heldWords: s.heldWords.join("\n"),
      linkMinAccountHours: String(s.linkMinAccountHours),
      maxMentions: String(s.maxMentions),
    });
  }, []);

  useEffect(() => {
    guard(() => api.settings())
      .then((r) => r && show(r))
      .catch((err) => setError(errorText(err)));
  }, [api, guard, show]);

  const save = async (event: FormEvent, reset = false) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const r = await guard(() =>
        api.changeSettings(
          reset
            ? {
                reset: [...SERVER_SETTING_KEYS],
              }
            : {
                registration: form.registration,
                guests: form.guests,
                linkPreviews: form.linkPreviews,
                editWindowSeconds: Math.max(0, Math.round(Number(form.editWindowSeconds) || 0)),
                uploadMaxBytes: Math.max(1, Math.round((Number(form.uploadMaxMiB) || 0) * MIB)),
                defaultChannels: form.defaultChannels
                  .split(",")
                  .map((c) => c.trim().replace(/^#/, ""))
                  .filter((c) => c !== ""),
                retentionDays: Math.max(0, Math.round(Number(form.retentionDays) || 0)),
                blockedWords: wordsOf(form.blockedWords),
                heldWords: wordsOf(form.heldWords),
                linkMinAccountHours: Math.max(0, Math.round(Number(form.linkMinAccountHours) || 0)),
                maxMentions: Math.max(0, Math.round(Number(form.maxMentions) || 0)),
              },
        ),
      );
      if (!r) return;
      show(r);
      setDone(reset ? "Back to the server's configuration." : "Saved. Every node applies it now.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (!reply) return <p className="admin-empty">{error ?? "Loading…"}</p>;
  const origin = (key: keyof AdminSettingsReply["settings"]) =>
    reply.stored.includes(key) ? "set here" : "from the configuration";
  return (
    <form className="admin-settings" onSubmit={(e) => void save(e)} aria-label="Server settings">
      <SelectField
        id={`${id}-registration`}
        label={`New accounts (${origin("registration")})`}
        value={form.registration}
        options={optionsOf(REGISTRATION_MODES, REGISTRATION_LABELS)}
        onChange={(registration) => setForm((f) => ({ ...f, registration }))}
      />
      <label className="admin-check">
        <input
          type="checkbox"
          checked={form.guests}
          onChange={(e) => setForm((f) => ({ ...f, guests: e.target.checked }))}
        />
        Let guests in without an account ({origin("guests")})
      </label>
      <label className="admin-check">
        <input
          type="checkbox"
          checked={form.linkPreviews}
          onChange={(e) => setForm((f) => ({ ...f, linkPreviews: e.target.checked }))}
        />
        Link previews ({origin("linkPreviews")})
      </label>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-edit`}>
          Edit window in seconds, 0 for no limit ({origin("editWindowSeconds")})
        </label>
        <input
          id={`${id}-edit`}
          type="number"
          min={0}
          value={form.editWindowSeconds}
          onChange={(e) => setForm((f) => ({ ...f, editWindowSeconds: e.target.value }))}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-retention`}>
          Delete messages older than this many days, 0 to keep them ({origin("retentionDays")})
        </label>
        <input
          id={`${id}-retention`}
          type="number"
          min={0}
          max={RETENTION_DAYS_MAX}
          value={form.retentionDays}
          onChange={(e) => setForm((f) => ({ ...f, retentionDays: e.target.value }))}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-upload`}>
          Largest upload in MiB ({origin("uploadMaxBytes")})
        </label>
        <input
          id={`${id}-upload`}
          type="number"
          min={0.01}
          step="any"
          value={form.uploadMaxMiB}
          onChange={(e) => setForm((f) => ({ ...f, uploadMaxMiB: e.target.value }))}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-defaults`}>
          Default channels, comma-separated ({origin("defaultChannels")})
        </label>
        <input
          id={`${id}-defaults`}
          value={form.defaultChannels}
          onChange={(e) => setForm((f) => ({ ...f, defaultChannels: e.target.value }))}
        />
      </div>
      <fieldset className="admin-fieldset">
        <legend>Auto-moderation</legend>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-blocked`}>
            Blocked words and phrases, one per line; end one with * to block words beginning with it
            ({origin("blockedWords")})
          </label>
          <textarea
            id={`${id}-blocked`}
            rows={4}
            value={form.blockedWords}
            aria-describedby={`${id}-blocked-hint`}
            onChange={(e) => setForm((f) => ({ ...f, blockedWords: e.target.value }))}
          />
          <span id={`${id}-blocked-hint`} className="field-hint">
            Matched as whole words, in any case, through look-alike letters, leetspeak and spacing.
            Moderators are exempt.
          </span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-held`}>
            Held words and phrases, one per line: a message with one waits for a moderator's review
            before it is posted ({origin("heldWords")})
          </label>
          <textarea
            id={`${id}-held`}
            rows={4}
            value={form.heldWords}
            aria-describedby={`${id}-held-hint`}
            onChange={(e) => setForm((f) => ({ ...f, heldWords: e.target.value }))}
          />
          <span id={`${id}-held-hint`} className="field-hint">
            Matched as blocked words are (end one with * for words beginning with it); a blocked
            word wins over a held one. Held messages wait in the Reports tab and in the moderators'
            reports, to approve or drop.
          </span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-links`}>
            No links from guests and accounts younger than this many hours, 0 to allow (
            {origin("linkMinAccountHours")})
          </label>
          <input
            id={`${id}-links`}
            type="number"
            min={0}
            max={8760}
            value={form.linkMinAccountHours}
            onChange={(e) => setForm((f) => ({ ...f, linkMinAccountHours: e.target.value }))}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-mentions`}>
            Most people one message may mention, 0 for no limit ({origin("maxMentions")})
          </label>
          <input
            id={`${id}-mentions`}
            type="number"
            min={0}
            max={19}
            value={form.maxMentions}
            onChange={(e) => setForm((f) => ({ ...f, maxMentions: e.target.value }))}
          />
        </div>
      </fieldset>
      <FormError error={error} />
      {done && (
        <p className="admin-done" role="status">
          {done}
        </p>
      )}
      <div className="admin-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save settings
        </button>
        <button
          type="button"
          className="button"
          disabled={busy || reply.stored.length === 0}
          onClick={(e) => void save(e, true)}
        >
          Reset to the configuration
        </button>
      </div>
    </form>
  );
}

/** A line of the last hour's values, as an SVG path in a `width` × `height` box. */
function sparkline(points: readonly AdminStatsPoint[], pick: (p: AdminStatsPoint) => number) {
  const width = 240;
  const height = 40;
  if (points.length === 0) return { width, height, d: "" };
  const end = points.at(-1)!.at;
  const top = Math.max(1, ...points.map(pick));
  const d = points
    .map((p, i) => {
      const x = width - ((end - p.at) / 3_600_000) * width;
      const y = height - (pick(p) / top) * (height - 2) - 1;
      return `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
  return { width, height, d };
}

function Chart({
  points,
  pick,
  label,
}: {
  points: readonly AdminStatsPoint[];
  pick: (p: AdminStatsPoint) => number;
  label: string;
}) {
  const { width, height, d } = sparkline(points, pick);
  const values = points.map(pick);
  const summary =
    values.length === 0
      ? `${label}: no samples yet`
      : `${label} over the last hour: from ${Math.min(...values)} to ${Math.max(...values)}, now ${values.at(-1)}`;
  return (
    <figure className="admin-chart">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summary}
      >
        <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}

/** Every node's live figures and the last hour, refreshed every 10 s. */
function Figures({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [stats, setStats] = useState<AdminStatsReply>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    const read = () =>
      guard(() => api.stats())
        .then((s) => live && s && setStats(s))
        .catch((err) => live && setError(errorText(err)));
    void read();
    const timer = setInterval(read, 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, guard]);

  if (!stats) return <p className="admin-empty">{error ?? "Loading figures…"}</p>;
  return (
    <section className="admin-figures" aria-label="Live figures">
      <dl className="admin-facts">
        <dt>Stored messages</dt>
        <dd>about {stats.storedMessages.toLocaleString()}</dd>
        <dt>Database size</dt>
        <dd>{(stats.databaseBytes / MIB).toFixed(1)} MiB</dd>
        <dt>Connections</dt>
        <dd>{stats.nodes.reduce((n, x) => n + x.connections, 0)}</dd>
      </dl>
      <div className="admin-table-wrap">
        <table className="admin-table">
          <caption className="sr-only">Nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Connections</th>
              <th scope="col">Messages/s</th>
              <th scope="col">Event-loop lag (ms, p99)</th>
            </tr>
          </thead>
          <tbody>
            {stats.nodes.map((n) => (
              <tr key={n.node}>
                <th scope="row">{n.node}</th>
                <td>{n.connections}</td>
                <td>{n.messagesPerSecond}</td>
                <td>{n.lagMs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="admin-charts">
        <Chart
          points={stats.history}
          pick={(p) => p.messagesPerSecond}
          label="Messages per second"
        />
        <Chart points={stats.history} pick={(p) => p.connections} label="Connections" />
      </div>
    </section>
  );
}
