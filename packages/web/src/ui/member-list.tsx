import { type Member, Role } from "@parley/protocol";
import { useId, useLayoutEffect, useRef, useState } from "react";
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
 */
export function MemberList({
  members,
  me,
  onOpen,
}: {
  members: readonly Member[];
  me: number | undefined;
  /** A member's row was pressed: open their card. */
  onOpen: (member: Member, from: HTMLElement) => void;
}) {
  const [guestsOpen, setGuestsOpen] = useState(false);
  const listId = useId();
  // A row removed while it has focus (its member was kicked, banned or left) hands focus to the
  // list's title, rather than dropping it to the page.
  const title = useRef<HTMLHeadingElement>(null);
  const focusedRow = useRef<number | undefined>(undefined);
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
    if (id === undefined || members.some((m) => m.i === id)) return;
    focusedRow.current = undefined;
    if (!document.activeElement || document.activeElement === document.body)
      title.current?.focus({ preventScroll: true });
  }, [members]);
  const online = members.filter((m) => m.on);
  const offline = members.filter((m) => !m.on && !m.g);
  const offlineGuests = members.filter((m) => !m.on && m.g);
  const offlineCount = offline.length + offlineGuests.length;
  return (
    <>
      <h2 className="panel-title" tabIndex={-1} ref={title}>
        Members <span className="panel-count">{members.length}</span>
      </h2>
      {online.length > 0 && (
        <>
          <h3 className="member-group">Online — {online.length}</h3>
          {rows(online)}
        </>
      )}
      {offlineCount > 0 && (
        <>
          <h3 className="member-group">Offline — {offlineCount}</h3>
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
    </>
  );
}
