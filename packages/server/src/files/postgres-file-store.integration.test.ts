import { afterAll } from "vitest";
import { describeWith, freshPostgres } from "../../test/services";
import { openPostgresStorage } from "../storage/postgres/open-postgres";
import type { FileStore } from "./file-store";
import { fileStoreContract } from "./file-store.contract";
import { PostgresFileStore } from "./postgres-file-store";

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops.splice(0)) await drop();
});

describeWith(["postgres"], "PostgreSQL file store", () => {
  fileStoreContract("PostgresFileStore", async (): Promise<FileStore> => {
    const { url, drop } = await freshPostgres();
    drops.push(drop);
    // The storage's migrations make the store's table.
    await (await openPostgresStorage(url, { poolSize: 1 })).close();
    return PostgresFileStore.open(url, 2);
  });
});
