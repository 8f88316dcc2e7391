import { type Member, Role } from "@parley/protocol";
import { useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import type { MemberPaging } from "../chat/member-pages";
import { displayName, handleOf } from "../chat/people";
import { Avatar } from "./avatar";

function RoleBadge({ role }: { role: number }) {
  if (role === Role.Owner) return <span className="role role-owner">Owner</span>;
  if (role === Role.Moderator) return <span className="role role-mod">Mod</span>;
  return null;
}

/**
 * One member as one button: avatar with presence, name (the display name, then the username),
 * guest and role badges. It opens the
 * member's card (`onOpen`, anchored at the row), which holds what one may do with them.
 */
function MemberRow({
  member,
  me,
  onOpen,
  onFocusChange,
}: {
  member: Member;
  me: number | undefined;
  onOpen: (member: Member, from: HTMLElement) => void;
  onFocusChange: (id: number | undefined) => void;
}) {
  const handle = handleOf(member);
  return (
    <li>
      <button
        type="button"
        className={`member${member.on ? "" : " offline"}`}
        aria-haspopup="dialog"
        onClick={(e) => onOpen(member, e.currentTarget)}
        onFocus={() => onFocusChange(member.i)}
        onBlur={() => onFocusChange(undefined)}
      >
        <span className="member-avatar">
          <Avatar name={member.n} av={member.av} size="sm" />
          <span className={`presence ${member.on ? "on" : "off"}`} aria-hidden="true" />
        </span>
        <span className="member-name">
          {displayName(member)}
          {handle && <span className="member-handle"> {handle}</span>}
          {member.i === me && <span className="member-you"> (you)</span>}
          <span className="sr-only">{member.on ? ", online" : ", offline"}</span>
        </span>
        {member.g && <span className="role role-guest">Guest</span>}
        <RoleBadge role={member.rl} />
      </button>
    </li>
  );
}

/**
 * A channel's members, online first, each with a presence dot and role, each a button that
 * opens their card. Offline guests are
 * folded into one "N guests offline" toggle, so a busy channel's list is not mostly guests who
 * left (the server removes their memberships after a while; see the README).
 *
 * A big channel's list is partial (`paging`): the members known so far show (the first pages
 * in name order, and whoever joined or was looked up since), how many of the `total` that is,
 * and a "Show more members" button that reads the next page (`onMore`).
 */
export function MemberList({
  members,
  total,
  paging,
  me,
  onOpen,
  onMore,
}: {
  members: readonly Member[];
  /** How many members the channel has (more than the list holds while it is partial). */
  total: number;
  /** Present while the list is partial: where its paging is. */
  paging?: MemberPaging | undefined;
  me: number | undefined;
  /** A member's row was pressed: open their card. */
  onOpen: (member: Member, from: HTMLElement) => void;
  /** "Show more members" was pressed: read the next page. */
  onMore?: () => void;
}) {
  const [guestsOpen, setGuestsOpen] = useState(false);
  const listId = useId();
  // A row removed while it has focus (its member was kicked, banned or left) hands focus to the
  // list's title, rather than dropping it to the page; so does the "Show more members" button
  // once the last page is read.
  const title = useRef<HTMLHeadingElement>(null);
  const focusedRow = useRef<number | undefined>(undefined);
  const moreFocused = useRef(false);
  const partial = paging !== undefined;
  // A page read is told to screen readers (the rows it added are spread through the groups).
  const [said, setSaid] = useState("");
  const wasLoading = useRef(false);
  const loading = paging?.loading === true;
  const shown = members.length;
  useEffect(() => {
    if (wasLoading.current && !loading && !paging?.error)
      setSaid(partial ? `${shown} of ${total} members shown` : `All ${total} members shown`);
    wasLoading.current = loading;
  }, [loading, paging?.error, partial, shown, total]);
  const onFocusChange = (id: number | undefined) => {
    focusedRow.current = id;
  };
  const rows = (list: readonly Member[], id?: string) => (
    <ul className="member-list" id={id}>
      {list.map((m) => (
        <MemberRow key={m.i} member={m} me={me} onOpen={onOpen} onFocusChange={onFocusChange} />
      ))}
    </ul>
  );
  useLayoutEffect(() => {
    const id = focusedRow.current;
    const rowGone = id !== undefined && !members.some((m) => m.i === id);
    const moreGone = moreFocused.current && !partial;
    if (!rowGone && !moreGone) return;
    focusedRow.current = undefined;
    moreFocused.current = false;
    if (!document.activeElement || document.activeElement === document.body)
      title.current?.focus({ preventScroll: true });
  }, [members, partial]);
  const online = members.filter((m) => m.on);
  const offline = members.filter((m) => !m.on && !m.g);
  const offlineGuests = members.filter((m) => !m.on && m.g);
  const offlineCount = offline.length + offlineGuests.length;
  return (
    <>
      <h2 className="panel-title" tabIndex={-1} ref={title}>
        Members <span className="panel-count">{total}</span>
      </h2>
      {partial && (
        <p className="member-shown" data-testid="members-shown">
          {shown} of {total} shown
        </p>
      )}
      {online.length > 0 && (
        <>
          {/* Counts of a partial list would be of the members shown only. */}
          <h3 className="member-group">{partial ? "Online" : `Online — ${online.length}`}</h3>
          {rows(online)}
        </>
      )}
      {offlineCount > 0 && (
        <>
          <h3 className="member-group">{partial ? "Offline" : `Offline — ${offlineCount}`}</h3>
          {offline.length > 0 && rows(offline)}
          {offlineGuests.length > 0 && (
            <>
              <button
                type="button"
                className="link-button member-fold"
                aria-expanded={guestsOpen}
                aria-controls={listId}
                onClick={() => setGuestsOpen((open) => !open)}
              >
                {offlineGuests.length === 1
                  ? "1 guest offline"
                  : `${offlineGuests.length} guests offline`}
              </button>
              {guestsOpen && rows(offlineGuests, listId)}
            </>
          )}
        </>
      )}
      {paging && (
        <div className="member-more">
          <button
            type="button"
            className="button member-more-button"
            // Not `disabled` while a page is read: the button keeps focus.
            aria-disabled={loading}
            onClick={() => {
              if (!loading) onMore?.();
            }}
            onFocus={() => {
              moreFocused.current = true;
            }}
            onBlur={() => {
              moreFocused.current = false;
            }}
          >
            {loading ? "Loading members…" : "Show more members"}
          </button>
          {paging.error && (
            <p className="form-error member-more-error" role="alert">
              Members not loaded: {paging.error}
            </p>
          )}
        </div>
      )}
      <p className="sr-only" role="status">
        {said}
      </p>
    </>
  );
}
