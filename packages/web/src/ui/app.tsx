import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { SessionEnd } from "../chat/chat-store";
import { isSignupRoute, signupCodeOf } from "../chat/signup-link";
import { SessionStore } from "../session/session-store";
import { AdminConsole } from "./admin-console";
import { ChatScreen } from "./chat-screen";
import { SignIn } from "./sign-in";

/** `ws(s)://<this host>/ws`: the page and the WebSocket share an origin. */
export function socketUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}

/** What the sign-in screen says after a session ended without the user signing out. */
export const SESSION_END_NOTICES: Record<SessionEnd, string> = {
  revoked: "Your session has ended. Sign in again to continue.",
  banned:
    "This account has been banned from the server. Signing in again tells you until when, and why.",
  deactivated: "Your account was deactivated by the server's admins.",
  deleted: "Your account was deleted.",
  guests: "This server does not let guests in: sign in or create an account.",
};

type Session = { token?: string; generation: number };

/** The invite code of a sign-up link in `hash`, or undefined when it holds none. */
function signupOf(hash: string): { code: string } | undefined {
  const code = signupCodeOf(hash);
  return code ? { code } : undefined;
}

/**
 * Chooses between the sign-in screen, the chat and (at `/admin`) the admin console, and keeps
 * the token across reloads. A sign-up link (`#/signup/<code>`) opened while signed out shows
 * the form to create an account with its code; signed in, it is ignored. Either way the route
 * is cleared from the address bar.
 */
export function App() {
  const sessions = useMemo(() => new SessionStore(window.localStorage), []);
  const admin = window.location.pathname === "/admin";
  const [session, setSession] = useState<Session | undefined>(() => {
    const token = sessions.token;
    return token ? { token, generation: 0 } : undefined;
  });
  const [signup, setSignup] = useState(() =>
    sessions.token ? undefined : signupOf(window.location.hash),
  );
  const signedIn = useRef(session !== undefined);
  signedIn.current = session !== undefined;
  useEffect(() => {
    const take = () => {
      const hash = window.location.hash;
      if (!isSignupRoute(hash)) return;
      const { pathname, search } = window.location;
      window.history.replaceState(window.history.state, "", `${pathname}${search}`);
      if (!signedIn.current) setSignup(signupOf(hash));
    };
    take();
    window.addEventListener("hashchange", take);
    return () => window.removeEventListener("hashchange", take);
  }, []);
  const [notice, setNotice] = useState<string | undefined>(
    admin ? "Sign in as a server admin to open the admin console." : undefined,
  );

  const begin = useCallback(
    (token: string | undefined) => {
      if (token) sessions.token = token;
      setNotice(undefined);
      setSignup(undefined);
      setSession((s) => ({ ...(token ? { token } : {}), generation: (s?.generation ?? 0) + 1 }));
    },
    [sessions],
  );
  const ended = useCallback(
    (why: SessionEnd) => {
      sessions.clear();
      setNotice(SESSION_END_NOTICES[why]);
      setSession(undefined);
    },
    [sessions],
  );

  if (!session || (admin && !session.token)) {
    return (
      <SignIn
        onToken={(t) => begin(t)}
        onGuest={() => begin(undefined)}
        notice={notice}
        {...(signup ? { signup } : {})}
      />
    );
  }
  if (admin && session.token) {
    return (
      <AdminConsole
        key={session.generation}
        token={session.token}
        onSessionEnded={() => ended("revoked")}
      />
    );
  }
  return (
    <ChatScreen
      key={session.generation}
      url={socketUrl(window.location)}
      {...(session.token ? { token: session.token } : {})}
      sessions={sessions}
      onSignedOut={() => setSession(undefined)}
      onSessionEnded={ended}
    />
  );
}
