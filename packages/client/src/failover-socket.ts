import type { SocketFactory, SocketLike } from "./client";

/**
 * A socket factory over several server URLs, for `ClientOptions.WebSocket`: the client connects
 * to the first URL and stays on it; when a connection fails before it opens (the node is down),
 * the next attempt goes to the next URL, round robin. With a client's reconnect and resume, the
 * users of a node that died carry on on another node with nothing lost. The URL given in
 * `ClientOptions.url` is ignored.
 *
 * @example new ParleyClient({ url: urls[0], WebSocket: failoverSocket(urls, WebSocket) })
 */
export function failoverSocket(urls: readonly string[], Socket: SocketFactory): SocketFactory {
  if (urls.length === 0) throw new Error("failoverSocket needs at least one URL");
  let current = 0;
  function FailoverSocket(_url: string, protocols: string[]): SocketLike {
    const socket = new Socket(urls[current % urls.length]!, protocols);
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
    });
    socket.addEventListener("close", () => {
      if (!opened) current++;
    });
    return socket;
  }
  return FailoverSocket as unknown as SocketFactory;
}
