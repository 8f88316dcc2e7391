import { afterAll } from "vitest";
import {
  DROP_SCHEMAS_TIMEOUT_MS,
  describeWith,
  dropFreshSchemas,
  freshPostgres,
} from "../../test/services";
import { openPostgresStorage } from "../storage/postgres/open-postgres";
import type { FileStore } from "./file-store";
import { fileStoreContract } from "./file-store.contract";
import { PostgresFileStore } from "./postgres-file-store";

afterAll(dropFreshSchemas, DROP_SCHEMAS_TIMEOUT_MS);

describeWith(["postgres"], "PostgreSQL file store", () => {
  fileStoreContract("PostgresFileStore", async (): Promise<FileStore> => {
    const { url } = await freshPostgres();
    // The storage's migrations make the store's table.
    await (await openPostgresStorage(url, { poolSize: 1 })).close();
    return PostgresFileStore.open(url, 2);
  });
});
