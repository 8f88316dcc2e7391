import { useEffect } from "react";
import { type ChatStore, errorText } from "../chat/chat-store";
import { inviteCodeOf, isInviteRoute } from "../chat/invite-link";

/**
 * Opens invite links: once the connection is up, and whenever the hash changes to
 * `#/invite/<code>`, redeems the code and opens its channel, or says why it could not. The
 * route is cleared from the address bar either way, so a reload does not redeem again.
 */
export function useInviteLink(store: ChatStore, online: boolean, opened: (id: number) => void) {
  useEffect(() => {
    if (!online) return;
    const take = () => {
      const hash = window.location.hash;
      if (!isInviteRoute(hash)) return;
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      const code = inviteCodeOf(hash);
      if (!code) {
        store.inform("That invite link is not valid.");
        return;
      }
      store
        .redeemInvite(code)
        .then(opened, (err) => store.inform(`Could not open the invite: ${errorText(err)}`));
    };
    take();
    window.addEventListener("hashchange", take);
    return () => window.removeEventListener("hashchange", take);
  }, [store, online, opened]);
}
