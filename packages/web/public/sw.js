// Parley's service worker: shows the Web Push notifications the server sends to a device
// whose user has no live connection, and opens the app at the message on a click. A file of
// its own (no inline code), served from `/` so its scope is the whole app.
//
// The payload, decrypted by the browser: {c, cn, dm?, s, m, a, x, t} (docs/protocol.md, Web Push).

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let push;
  try {
    push = event.data ? event.data.json() : null;
  } catch {
    push = null;
  }
  if (!push || typeof push.c !== "number") return;
  // A DM is titled by its author; a channel by its name.
  const title = push.dm ? push.a : push.t === "mention" ? `Mention in #${push.cn}` : `#${push.cn}`;
  event.waitUntil(
    self.registration.showNotification(title, {
      body: push.dm ? push.x : `${push.a}: ${push.x}`,
      // One notification per channel: a newer message replaces the older one.
      tag: `parley-channel-${push.c}`,
      renotify: true,
      icon: "/favicon.svg",
      data: { url: `/#/c/${push.c}/${push.s}` },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url ?? "/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin !== self.location.origin) continue;
        await client.focus();
        if ("navigate" in client) await client.navigate(url);
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
