import { useCallback, useMemo, useState } from "react";
import { SessionStore } from "../session/session-store";
import { ChatScreen } from "./chat-screen";
import { SignIn } from "./sign-in";

/** `ws(s)://<this host>/ws`: the page and the WebSocket share an origin. */
export function socketUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}

type Session = { token?: string; generation: number };

/** Chooses between the sign-in screen and the chat, and keeps the token across reloads. */
export function App() {
  const sessions = useMemo(() => new SessionStore(window.localStorage), []);
  const [session, setSession] = useState<Session | undefined>(() => {
    const token = sessions.token;
    return token ? { token, generation: 0 } : undefined;
  });
  const [notice, setNotice] = useState<string>();

  const begin = useCallback(
    (token: string | undefined) => {
      if (token) sessions.token = token;
      setNotice(undefined);
      setSession((s) => ({ ...(token ? { token } : {}), generation: (s?.generation ?? 0) + 1 }));
    },
    [sessions],
  );

  if (!session) {
    return <SignIn onToken={(t) => begin(t)} onGuest={() => begin(undefined)} notice={notice} />;
  }
  return (
    <ChatScreen
      key={session.generation}
      url={socketUrl(window.location)}
      {...(session.token ? { token: session.token } : {})}
      sessions={sessions}
      onSignedOut={() => setSession(undefined)}
      onSessionEnded={() => {
        setNotice("Your session has ended. Sign in again to continue.");
        setSession(undefined);
      }}
    />
  );
}
