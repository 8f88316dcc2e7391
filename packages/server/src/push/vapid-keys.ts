import webpush from "web-push";
import type { PushStore } from "../storage/push-store";
import type { VapidKeys } from "./web-push-sender";

/** The `server_settings` key the generated VAPID key pair is kept under. */
export const VAPID_SETTING = "vapid_keys";

/**
 * The node's VAPID keys: the configured pair, or the one kept in the database, generated at the
 * first start. Generating is insert-if-absent then read, so nodes starting together all end up
 * signing with the one pair that was stored first. Browsers subscribe against this public key:
 * it must not change, or every subscription stops working.
 */
export async function resolveVapidKeys(
  configured: { publicKey: string | null; privateKey: string | null; subject: string },
  store: Pick<PushStore, "settingOrInsert">,
): Promise<VapidKeys> {
  const { subject } = configured;
  if (configured.publicKey !== null && configured.privateKey !== null)
    return { publicKey: configured.publicKey, privateKey: configured.privateKey, subject };
  const fresh = webpush.generateVAPIDKeys();
  const stored = JSON.parse(await store.settingOrInsert(VAPID_SETTING, JSON.stringify(fresh))) as {
    publicKey: string;
    privateKey: string;
  };
  return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject };
}
