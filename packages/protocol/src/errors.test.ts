import { describe, expect, it } from "vitest";
import { ERRORS, errorName, isTemporary } from "./errors";

describe("the error catalogue", () => {
  it("gives every error a unique code, an HTTP error status and a temporary flag", () => {
    const codes = Object.values(ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, e] of Object.entries(ERRORS)) {
      expect(e.status, name).toBeGreaterThanOrEqual(400);
      expect(e.status, name).toBeLessThan(600);
      expect(typeof e.temporary, name).toBe("boolean");
      expect(errorName(e.code)).toBe(name);
    }
  });

  it("answers each refusal with the status a client of HTTP expects", () => {
    expect(ERRORS.CHANNEL_NAME_TAKEN.status).toBe(409);
    expect(ERRORS.LIMIT_REACHED.status).toBe(429);
    expect(ERRORS.NO_SUCH_CHANNEL.status).toBe(404);
    expect(ERRORS.SERVER_BUSY.status).toBe(503);
    expect(ERRORS.INTERNAL.status).toBe(500);
  });

  it("calls temporary only the refusals that may pass later unchanged", () => {
    expect(isTemporary(ERRORS.RATE_LIMITED.code)).toBe(true);
    expect(isTemporary(ERRORS.SLOW_MODE.code)).toBe(true);
    expect(isTemporary(ERRORS.SERVER_BUSY.code)).toBe(true);
    expect(isTemporary(ERRORS.NOT_A_MEMBER.code)).toBe(false);
    expect(isTemporary(ERRORS.INVALID_PAYLOAD.code)).toBe(false);
    expect(isTemporary(9999)).toBe(false);
  });
});
