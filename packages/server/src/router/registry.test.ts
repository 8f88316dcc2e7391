import { readFileSync } from "node:fs";
import { CLIENT_OPS, Op } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { REGISTRY } from "./registry";

const source = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("the op registry", () => {
  it("has a route for every client op and nothing else", () => {
    expect(Object.keys(REGISTRY).map(Number).sort()).toEqual([...CLIENT_OPS].sort());
  });

  it("is the one-hop map docs/architecture.md shows: each op to its handler file", () => {
    // From the registry's source: op name → the handler module its route is imported from.
    const registry = source("./registry.ts");
    const moduleOf = new Map(
      [...registry.matchAll(/import \{ (\w+) \} from "\.\.\/handlers\/([\w-]+)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    const actual = [...registry.matchAll(/\[Op\.(\w+)\]: (\w+),/g)].map(
      ([, op, route]) => `${Op[op as keyof typeof Op]} ${op} handlers/${moduleOf.get(route!)}.ts`,
    );
    const doc = source("../../../../docs/architecture.md");
    const documented = [...doc.matchAll(/^\| (\d+) (\w+) \| `(handlers\/[\w-]+\.ts)` \|/gm)].map(
      ([, code, op, file]) => `${code} ${op} ${file}`,
    );
    expect(actual).toHaveLength(CLIENT_OPS.length);
    expect(documented).toEqual(actual);
  });
});
