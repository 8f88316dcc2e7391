import { MemoryPresenceStore } from "./memory-presence-store";
import { presenceStoreContract } from "./presence-store.contract";

presenceStoreContract("MemoryPresenceStore", async () => new MemoryPresenceStore());
