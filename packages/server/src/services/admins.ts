import { randomUUID } from "node:crypto";
import { nameKey } from "@parley/protocol";
import type { Logger } from "pino";
import type { AccountStore } from "../storage/account-store";
import type { PushStore } from "../storage/push-store";

/**
 * Seeds server admins from `PARLEY_ADMINS`. Admins are stored on their user row, granted by
 * the command line (`npm run admin`) or by another admin; the variable only seeds them, and
 * each name once: the first start that sees a name in it (of any node: the claim is a stored
 * setting, inserted once) makes that account an admin if it exists then, and never looks at
 * the name again. So nobody becomes an admin by registering a listed name that was still free,
 * and removing a name from the variable revokes nothing (`npm run admin -- revoke` does).
 */
export async function seedAdmins(
  storage: Pick<AccountStore, "findUserByName" | "setAdmin"> & Pick<PushStore, "settingOrInsert">,
  names: readonly string[],
  logger: Pick<Logger, "info" | "warn">,
): Promise<void> {
  for (const name of names) {
    const claim = randomUUID();
    // Already seen at an earlier start, or by a node starting beside this one.
    if ((await storage.settingOrInsert(`admin-seed:${nameKey(name)}`, claim)) !== claim) continue;
    const user = await storage.findUserByName(name);
    if (!user || user.isGuest) {
      logger.warn(
        { name },
        "PARLEY_ADMINS names an account that does not exist: nobody is made admin by it, now or later. Create it with `npm run admin -- create <name>`",
      );
      continue;
    }
    await storage.setAdmin(user.id, true);
    logger.info({ name: user.username }, "server admin granted from PARLEY_ADMINS");
  }
}
