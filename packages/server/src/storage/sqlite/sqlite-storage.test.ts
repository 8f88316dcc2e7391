import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { storageContract } from "../storage.contract";
import { openSqliteStorage } from "./open-sqlite";

const dir = mkdtempSync(join(tmpdir(), "parley-sqlite-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storageContract("SQLite file", () => openSqliteStorage(join(dir, `db-${n++}.db`)));
