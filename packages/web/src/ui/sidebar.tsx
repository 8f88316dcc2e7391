import type { ChannelView } from "../chat/channel-view";
import {
  type ChatState,
  channelTitle,
  handlesReports,
  isDirect,
  mentionsOf,
  unreadOf,
} from "../chat/chat-state";
import { displayName, handleOf } from "../chat/people";
import { Avatar } from "./avatar";
import {
  BellIcon,
  FlagIcon,
  LockIcon,
  LogOutIcon,
  PlusIcon,
  SearchIcon,
  SettingsIcon,
} from "./icons";
import { StatusPill } from "./status-pill";

export interface SidebarProps {
  state: ChatState;
  onSelect: (channelId: number) => void;
  onBrowse: () => void;
  onCreate: () => void;
  /** Asks for the names of a new direct message. */
  onNewMessage: () => void;
  onRegister: () => void;
  onSignOut: () => void;
  onNotifications: () => void;
  /** Opens the account settings (profile, password, sessions, your data). */
  onAccount: () => void;
  /** Opens the open reports (shown to those who handle reports). */
  onReports: () => void;
}

/** `#` before a public channel's name; a lock, named for assistive technology, before a private one's. */
export function ChannelMark({ isPrivate }: { isPrivate: boolean }) {
  return isPrivate ? (
    <span className="channel-hash channel-lock" role="img" aria-label="Private channel">
      <LockIcon />
    </span>
  ) : (
    <span className="channel-hash" aria-hidden="true">
      #
    </span>
  );
}

/** A sidebar section's title with its one action, a + button named for it. */
function SectionHead({
  title,
  action,
  onAction,
}: {
  title: string;
  action: string;
  onAction: () => void;
}) {
  return (
    <div className="sidebar-section">
      <h2 className="section-title">{title}</h2>
      <button
        type="button"
        className="icon-button"
        aria-label={action}
        title={action}
        onClick={onAction}
      >
        <PlusIcon />
      </button>
    </div>
  );
}

/** Joined channels with unread counts, channel actions, and the signed-in user. */
export function Sidebar({
  state,
  onSelect,
  onBrowse,
  onCreate,
  onNewMessage,
  onRegister,
  onSignOut,
  onNotifications,
  onAccount,
  onReports,
}: SidebarProps) {
  const all = Object.values(state.channels)
    .map((view) => ({ view, title: channelTitle(view.summary) }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const channels = all.filter((c) => !isDirect(c.view.summary));
  const dms = all.filter((c) => isDirect(c.view.summary));
  const me = state.me;
  const myHandle = me && handleOf(me);
  const link = ({ view, title }: { view: ChannelView; title: string }) => {
    const active = view.id === state.activeId;
    // The open channel has no badge: it is being read.
    const unread = active ? 0 : unreadOf(state, view.id);
    const mentions = active ? 0 : mentionsOf(state, view.id);
    return (
      <li key={view.id}>
        <button
          type="button"
          className={`channel-link${active ? " active" : ""}${unread ? " has-unread" : ""}`}
          aria-current={active ? "page" : undefined}
          onClick={() => onSelect(view.id)}
        >
          {isDirect(view.summary) ? (
            <Avatar
              name={view.summary.dm?.[0]?.n ?? title}
              av={view.summary.dm?.length === 1 ? view.summary.dm[0]?.av : undefined}
              size="sm"
            />
          ) : (
            <ChannelMark isPrivate={view.summary.pv === true} />
          )}
          <span className="channel-name">{title}</span>
          {mentions > 0 && (
            <span className="badge mention-badge" data-testid="mentions">
              @{mentions > 99 ? "99+" : mentions}
              <span className="sr-only"> {mentions === 1 ? "mention" : "mentions"}</span>
            </span>
          )}
          {unread > 0 && (
            <span className="badge" data-testid="unread">
              {unread > 99 ? "99+" : unread}
              <span className="sr-only"> unread</span>
            </span>
          )}
        </button>
      </li>
    );
  };
  return (
    <nav className="sidebar" aria-label="Channels">
      <div className="sidebar-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Parley</span>
        </div>
        <StatusPill status={state.status} />
      </div>
      <SectionHead title="Channels" action="Create channel" onAction={onCreate} />
      <ul className="channel-list">
        {channels.map(link)}
        {channels.length === 0 && state.status === "online" && (
          <li className="channel-empty">You have not joined a channel yet.</li>
        )}
      </ul>
      <button type="button" className="sidebar-action" onClick={onBrowse}>
        <SearchIcon /> Browse channels
      </button>
      {handlesReports(state) && (
        <button
          type="button"
          className="sidebar-action"
          aria-haspopup="dialog"
          data-testid="reports-button"
          onClick={onReports}
        >
          <FlagIcon /> Reports
          {(state.reports?.length ?? 0) > 0 && (
            <span className="badge" data-testid="open-reports">
              {state.reports!.length}
              <span className="sr-only"> open</span>
            </span>
          )}
        </button>
      )}
      <SectionHead title="Direct messages" action="New message" onAction={onNewMessage} />
      <ul className="channel-list" aria-label="Direct messages">
        {dms.map(link)}
      </ul>
      {me && (
        <div className="sidebar-user">
          <Avatar name={me.n} av={me.av} />
          <div className="user-text">
            {myHandle ? (
              <>
                <span className="user-name">{displayName(me)}</span>
                <span className="user-sub">
                  @<span data-testid="me">{me.n}</span>
                </span>
              </>
            ) : (
              <span className="user-name" data-testid="me">
                {me.n}
              </span>
            )}
            {me.g ? (
              <button type="button" className="link-button" onClick={onRegister}>
                Guest · register to keep this name
              </button>
            ) : me.ad ? (
              <a className="user-sub user-admin-link" href="/admin">
                Admin console
              </a>
            ) : myHandle ? null : (
              <span className="user-sub">Signed in</span>
            )}
          </div>
          <button
            type="button"
            className="icon-button"
            aria-label="Account settings"
            aria-haspopup="dialog"
            title="Account settings"
            data-testid="account-button"
            onClick={onAccount}
          >
            <SettingsIcon />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Notifications"
            aria-haspopup="dialog"
            title="Notifications"
            onClick={onNotifications}
          >
            <BellIcon />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Sign out"
            title="Sign out"
            onClick={onSignOut}
          >
            <LogOutIcon />
          </button>
        </div>
      )}
    </nav>
  );
}
