import { typingLine } from "@parley/client";
import { LIMITS, Role } from "@parley/protocol";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { channelTitle, isDirect, unreadOf } from "../chat/chat-state";
import { ChatStore, type SessionEnd } from "../chat/chat-store";
import { invitable } from "../chat/invitable";
import { memberTotal } from "../chat/member-pages";
import { parseMessageLink } from "../chat/message-link";
import { personOf, typistNames } from "../chat/people";
import { profileOf } from "../chat/profile-actions";
import type { SessionStore } from "../session/session-store";
import { AccountDialog } from "./account-dialog";
import { BrowseDialog, CreateDialog, NewMessageDialog, RegisterDialog } from "./channel-dialogs";
import { Composer } from "./composer";
import { CloseIcon, MenuIcon, PinIcon, UsersIcon } from "./icons";
import { InviteDialog } from "./invite-dialog";
import { MemberList } from "./member-list";
import { MessageList } from "./message-list";
import type { ModalAnchor } from "./modal";
import { NotificationsDialog } from "./notifications-dialog";
import { NotifyMenu } from "./notify-menu";
import { PinnedPanel } from "./pinned-panel";
import { ProfileCard } from "./profile-card";
import { ReportsPanel } from "./reports-panel";
import { SearchButton, SearchPanel } from "./search-panel";
import { ChannelMark, Sidebar } from "./sidebar";
import { useAttachments } from "./use-attachments";
import { useChat } from "./use-chat";
import { useInviteLink } from "./use-invite-link";

export interface ChatScreenProps {
  url: string;
  token?: string;
  sessions: SessionStore;
  onSignedOut: () => void;
  onSessionEnded: (why: SessionEnd) => void;
}

type Dialog =
  | "browse"
  | "create"
  | "register"
  | "pins"
  | "invite"
  | "notifications"
  | "account"
  | "dm"
  | "reports";

const EMPTY: readonly never[] = [];

/** A person's card: who, in which channel, and where it opens (below what was clicked). */
interface OpenProfile {
  user: { i: number; n: string };
  channelId: number;
  anchor: ModalAnchor;
}

/** A card opened from a member row opens to its left (the member list is at the right edge). */
function beside(el: HTMLElement): ModalAnchor {
  const r = el.getBoundingClientRect();
  return { x: r.left - 8, y: r.top, align: "end" };
}

/** A card opened from an author's name opens below it (above it when there is no room). */
function below(el: HTMLElement): ModalAnchor {
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.bottom + 4, top: r.top - 4 };
}

/** The signed-in application: channels, the open channel, its members. */
export function ChatScreen({ url, token, sessions, onSignedOut, onSessionEnded }: ChatScreenProps) {
  const ended = useRef(onSessionEnded);
  ended.current = onSessionEnded;
  const [store] = useState(
    () =>
      new ChatStore({
        url,
        ...(token ? { token } : {}),
        session: sessions,
        onSessionEnded: (why) => ended.current(why),
      }),
  );
  useEffect(() => {
    store.start();
    return () => void store.stop();
  }, [store]);

  // A message link (`#/c/<channel>/<seq>`) opens on load and whenever the hash changes; the
  // hash is then cleared, so the same link opens again when followed again.
  useEffect(() => {
    const follow = () => {
      const link = parseMessageLink(window.location.hash);
      if (!link) return;
      const { pathname, search } = window.location;
      window.history.replaceState(window.history.state, "", `${pathname}${search}`);
      store.openLink(link);
    };
    follow();
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, [store]);

  const state = useChat(store);
  const [dialog, setDialog] = useState<Dialog>();
  const [navOpen, setNavOpen] = useState(false);
  const [membersOpen, setMembersOpen] = useState(false);
  /** A channel just opened from a dialog: its composer takes focus once it shows. */
  const [focusComposer, setFocusComposer] = useState<number>();
  const [profile, setProfile] = useState<OpenProfile>();
  /** Search: open or not, a count that moves focus to its box, and where focus goes back to. */
  const [search, setSearch] = useState<{ open: boolean; focus: number }>({ open: false, focus: 0 });
  const searchReturn = useRef<HTMLElement | null>(null);
  const openSearch = useCallback(() => {
    setSearch((s) => {
      if (!s.open) searchReturn.current = document.activeElement as HTMLElement | null;
      return { open: true, focus: s.focus + 1 };
    });
  }, []);
  const closeSearch = (returnFocus: boolean) => {
    setSearch((s) => ({ ...s, open: false }));
    const to = searchReturn.current;
    if (returnFocus) requestAnimationFrame(() => to?.isConnected && to.focus());
  };
  // Ctrl+K (⌘K) opens search from anywhere but a modal dialog.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== "k")
        return;
      if (document.querySelector("dialog[open]")) return;
      e.preventDefault();
      openSearch();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [openSearch]);

  const active = state.activeId !== undefined ? state.channels[state.activeId] : undefined;
  const me = state.me;
  // The next message's files belong to the open channel: leaving it cancels their uploads.
  const attachments = useAttachments(store);
  const { discardAll } = attachments;
  const openId = active?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again for each channel opened
  useEffect(() => () => discardAll(), [openId, discardAll]);
  /** Files dragged over the channel: it shows that it takes them. */
  const [dropping, setDropping] = useState(false);
  const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes("Files");
  const dropZone = {
    onDragOver: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      setDropping(true);
    },
    onDragLeave: (e: DragEvent) => {
      // Leaving for a child of the channel is no leaving.
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
    },
    onDrop: (e: DragEvent) => {
      setDropping(false);
      if (e.dataTransfer.files.length === 0) return;
      e.preventDefault();
      if (me?.g) store.inform("Guests cannot attach files: register to send them.");
      else {
        const left = attachments.add([...e.dataTransfer.files]);
        if (left > 0)
          store.inform(
            `A message takes at most ${LIMITS.filesPerMessage} files: ${left} not added.`,
          );
      }
      document.querySelector<HTMLElement>(".composer-input")?.focus();
    },
  };
  const members = active ? (state.members[active.id] ?? EMPTY) : EMPTY;
  const typists = active ? (state.typing[active.id] ?? EMPTY) : EMPTY;
  // The open channel's people as shown (display names), for the typing line and the pins.
  const person = useMemo(
    () => personOf(members, state.renamed, state.people),
    [members, state.renamed, state.people],
  );
  const online = members.filter((m) => m.on).length;
  // A big channel's list holds some of its members only: the count is the channel's.
  const paging = active ? state.memberPages[active.id] : undefined;
  const memberCount = active
    ? memberTotal(active.summary.mc, members.length, paging !== undefined)
    : 0;
  const pins = active ? state.pins[active.id] : undefined;
  const activeId = active?.id;
  const openProfile = useCallback(
    (user: { i: number; n: string }, anchor: ModalAnchor) => {
      if (activeId !== undefined) setProfile({ user, channelId: activeId, anchor });
    },
    [activeId],
  );
  const openAuthor = useCallback(
    (user: { i: number; n: string }, from: HTMLElement) => openProfile(user, below(from)),
    [openProfile],
  );
  // A card belongs to the channel it was opened in: going elsewhere (or being removed) closes it.
  useEffect(() => {
    setProfile((p) => (p && p.channelId !== activeId ? undefined : p));
  }, [activeId]);
  // A card of someone a big channel's partial list does not hold: they are looked up there,
  // so it shows their role and presence (and what a moderator may do to them).
  useEffect(() => {
    if (profile) store.lookupMember(profile.channelId, profile.user);
  }, [store, profile]);

  const totalUnread = Object.keys(state.channels).reduce(
    (n, c) => n + unreadOf(state, Number(c)),
    0,
  );
  useEffect(() => {
    const channel = active ? `#${active.summary.n} · ` : "";
    document.title = `${totalUnread > 0 ? `(${totalUnread}) ` : ""}${channel}Parley`;
  }, [totalUnread, active]);

  // A drawer (phone and narrow screens) takes focus when it opens and closes on Escape.
  const drawers = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!navOpen && !membersOpen) return;
    const root = drawers.current;
    const target = navOpen
      ? (root?.querySelector<HTMLElement>(".sidebar-wrap .channel-link.active") ??
        root?.querySelector<HTMLElement>(".sidebar-wrap button"))
      : root?.querySelector<HTMLElement>(".members .panel-title");
    target?.focus({ preventScroll: true });
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || document.querySelector("dialog[open]")) return;
      setNavOpen(false);
      setMembersOpen(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [navOpen, membersOpen]);

  const select = (channelId: number) => {
    store.selectChannel(channelId);
    setNavOpen(false);
  };

  // After joining or creating, the next thing to do is to write: Enter must not reopen the dialog.
  const opened = useCallback((channelId: number) => {
    setDialog(undefined);
    setNavOpen(false);
    setFocusComposer(channelId);
  }, []);
  useInviteLink(store, state.status === "online", opened);

  // Guests never invite; in a private channel only moderators and owners do.
  const canInvite =
    active !== undefined &&
    me !== undefined &&
    !me.g &&
    (!active.summary.pv || (active.summary.rl ?? Role.Member) >= Role.Moderator);

  const signOut = async () => {
    await store.signOut();
    onSignedOut();
  };

  const classes = [
    "app",
    navOpen && "nav-open",
    membersOpen && "members-open",
    search.open && "search-open",
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <div className={classes} ref={drawers}>
      <a className="skip-link" href="#composer-anchor">
        Skip to message input
      </a>
      <div className="sidebar-wrap">
        <Sidebar
          state={state}
          onSelect={select}
          onBrowse={() => setDialog("browse")}
          onCreate={() => setDialog("create")}
          onNewMessage={() => setDialog("dm")}
          onRegister={() => setDialog("register")}
          onSignOut={signOut}
          onNotifications={() => setDialog("notifications")}
          onAccount={() => setDialog("account")}
          onReports={() => {
            setNavOpen(false);
            setDialog("reports");
          }}
        />
      </div>
      <button
        type="button"
        className="scrim"
        aria-label="Close panel"
        tabIndex={-1}
        onClick={() => {
          setNavOpen(false);
          setMembersOpen(false);
        }}
      />
      <main
        className={`chat${dropping ? " is-dropping" : ""}`}
        aria-label={active ? channelTitle(active.summary) : "Chat"}
        {...(active && me ? dropZone : {})}
      >
        <header className="chat-header">
          <button
            type="button"
            className="icon-button nav-toggle"
            aria-label="Channels"
            aria-expanded={navOpen}
            onClick={() => setNavOpen((o) => !o)}
          >
            <MenuIcon />
          </button>
          {active ? (
            <div className="chat-title">
              <h1>
                {!isDirect(active.summary) && (
                  <ChannelMark isPrivate={active.summary.pv === true} />
                )}
                {channelTitle(active.summary)}
                {active.summary.ar && (
                  <span className="chat-badge" data-testid="archived-badge">
                    Archived
                  </span>
                )}
              </h1>
              {active.summary.tp && <p className="chat-topic">{active.summary.tp}</p>}
              {active.summary.rd !== undefined && (
                <p className="chat-topic" data-testid="retention-line">
                  Messages here are deleted once {active.summary.rd}{" "}
                  {active.summary.rd === 1 ? "day" : "days"} old
                </p>
              )}
            </div>
          ) : (
            <div className="chat-title">
              <h1>Parley</h1>
            </div>
          )}
          {state.status !== "online" && (
            <span className={`header-status status-${state.status}`} role="status">
              {state.status === "reconnecting" ? "Reconnecting…" : "Connecting…"}
            </span>
          )}
          <SearchButton open={search.open} onOpen={openSearch} />
          {active && (
            <div className="chat-actions">
              {canInvite && (
                <button
                  type="button"
                  className="button button-ghost invite-toggle"
                  aria-haspopup="dialog"
                  onClick={() => setDialog("invite")}
                >
                  Invite
                </button>
              )}
              <NotifyMenu
                channelName={active.summary.n}
                level={store.notifyLevel(active.id)}
                onChange={(level) => void store.setNotify(active.id, level)}
              />
              <button
                type="button"
                className="button button-ghost pins-toggle"
                aria-haspopup="dialog"
                aria-label={`Pinned messages${pins ? `: ${pins.length}` : ""}`}
                onClick={() => setDialog("pins")}
              >
                <PinIcon />
                {pins && <span aria-hidden="true">{pins.length}</span>}
              </button>
              <button
                type="button"
                className="button button-ghost members-toggle"
                aria-expanded={membersOpen}
                aria-label={
                  paging ? `Members: ${memberCount}` : `Members: ${online} online of ${memberCount}`
                }
                onClick={() => setMembersOpen((o) => !o)}
              >
                <UsersIcon />
                <span aria-hidden="true">{memberCount}</span>
              </button>
              <button
                type="button"
                className="button button-ghost leave-button"
                onClick={() => void store.leaveChannel(active.id)}
              >
                Leave
              </button>
            </div>
          )}
        </header>
        {state.notices.length > 0 && (
          <div className="notices">
            {state.notices.map((n) => (
              <div key={n.id} className={`notice notice-${n.tone}`} role="status">
                <span>{n.text}</span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label="Dismiss"
                  onClick={() => store.dismissNotice(n.id)}
                >
                  <CloseIcon />
                </button>
              </div>
            ))}
          </div>
        )}
        {active && me ? (
          <>
            <MessageList
              key={`list-${active.id}`}
              store={store}
              view={active}
              me={me}
              online={state.status === "online"}
              members={members}
              renamed={state.renamed}
              people={state.people}
              blocked={isDirect(active.summary) ? undefined : state.blocked}
              onProfile={openAuthor}
              {...(state.divider?.c === active.id ? { unreadFrom: state.divider.s } : {})}
            />
            <div className="typing-line" data-testid="typing">
              {typists.length > 0 && (
                <>
                  <span className="typing-dots" aria-hidden="true">
                    <span />
                    <span />
                    <span />
                  </span>
                  {typingLine(typistNames(typists, members, person))}
                </>
              )}
            </div>
            <div id="composer-anchor" />
            {active.summary.ar ? (
              <p className="composer-archived" role="status" data-testid="archived-notice">
                This channel is archived: you can read and search it, but nothing new can be posted
                here.
              </p>
            ) : (
              <Composer
                key={`composer-${active.id}`}
                store={store}
                view={active}
                commands={state.commands}
                members={members}
                membersPartial={paging !== undefined}
                me={me}
                disabled={false}
                attachments={attachments}
                autoFocus={focusComposer === active.id}
                onFocused={() => setFocusComposer(undefined)}
              />
            )}
          </>
        ) : (
          <div className="empty-state">
            {state.status === "online" ? (
              <>
                <h2>No channel open</h2>
                <p>Join a channel to start talking, or create your own.</p>
                <div className="empty-actions">
                  <button
                    type="button"
                    className="button button-primary"
                    onClick={() => setDialog("browse")}
                  >
                    Browse channels
                  </button>
                  <button type="button" className="button" onClick={() => setDialog("create")}>
                    Create a channel
                  </button>
                </div>
              </>
            ) : (
              <p className="loading">Connecting to Parley…</p>
            )}
          </div>
        )}
      </main>
      {active && (
        <aside className="members" aria-label="Members">
          <MemberList
            key={active.id}
            members={members}
            total={memberCount}
            paging={paging}
            me={me?.i}
            onOpen={(member, from) => openProfile(member, beside(from))}
            onMore={() => store.loadMoreMembers(active.id)}
          />
        </aside>
      )}
      {search.open && (
        <SearchPanel store={store} state={state} focusKey={search.focus} onClose={closeSearch} />
      )}
      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {state.announcement}
      </div>
      {profile && active && me && profile.channelId === active.id && (
        <ProfileCard
          key={profile.user.i}
          store={store}
          view={active}
          me={me}
          profile={profileOf(state.members, active.id, profile.user, state.people)}
          blocked={state.blocked.includes(profile.user.i)}
          anchor={profile.anchor}
          fallbackFocus={() => drawers.current?.querySelector<HTMLElement>(".members .panel-title")}
          onClose={() => setProfile(undefined)}
          onOpened={(channelId) => {
            setMembersOpen(false);
            opened(channelId);
          }}
        />
      )}
      {dialog === "browse" && (
        <BrowseDialog store={store} onClose={() => setDialog(undefined)} onOpened={opened} />
      )}
      {dialog === "dm" && (
        <NewMessageDialog store={store} onClose={() => setDialog(undefined)} onOpened={opened} />
      )}
      {dialog === "create" && (
        <CreateDialog
          store={store}
          onClose={() => setDialog(undefined)}
          onOpened={opened}
          canBePrivate={me !== undefined && !me.g}
        />
      )}
      {dialog === "invite" && active && (
        <InviteDialog
          store={store}
          channelId={active.id}
          channelName={active.summary.n}
          people={invitable(state.members, active.id)}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === "pins" && active && me && (
        <PinnedPanel
          store={store}
          view={active}
          me={me}
          pins={pins}
          person={person}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === "reports" && (
        <ReportsPanel store={store} state={state} onClose={() => setDialog(undefined)} />
      )}
      {dialog === "notifications" && me && (
        <NotificationsDialog
          store={store}
          isGuest={me.g === true}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === "account" && me && (
        <AccountDialog
          store={store}
          me={me}
          onRegister={() => setDialog("register")}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === "register" && me && (
        <RegisterDialog store={store} name={me.n} onClose={() => setDialog(undefined)} />
      )}
    </div>
  );
}
