import type { AuthOptions, AuthReply, HttpErrorBody } from "@parley/protocol";

/** An HTTP API error with the server's code and human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A register or login answer: the session token and its user. */
export type Issued = AuthReply;

/** A request to the API: a POST unless `method` says GET. */
async function call<T>(
  path: string,
  init: { method?: "GET" | "POST"; body?: unknown; token?: string },
): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "POST",
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiError(0, undefined, "Can't reach the server. Check your connection.");
  }
  if (res.status === 204) return undefined as T;
  // A body not built by Parley (Fastify's own 404, a proxy) may have another shape.
  const body = (await res.json().catch(() => ({}))) as {
    error?: Partial<HttpErrorBody["error"]>;
  };
  if (!res.ok) {
    throw new ApiError(
      res.status,
      body.error?.c,
      body.error?.m ?? `Request failed (${res.status})`,
    );
  }
  return body as T;
}

/** The account endpoints under /api/v1/auth, on the page's own origin. */
export const authApi = {
  /** How one may join this server now: registration open, invite-only or closed; guests or not. */
  options(): Promise<AuthOptions> {
    return call("/api/v1/auth/options", { method: "GET" });
  },
  login(username: string, password: string): Promise<Issued> {
    return call("/api/v1/auth/login", { body: { username, password } });
  },
  /** Creates an account; `invite` is a server invite's code (needed while registration is invite-only). */
  register(username: string, password: string, invite?: string): Promise<Issued> {
    return call("/api/v1/auth/register", {
      body: { username, password, ...(invite !== undefined ? { invite } : {}) },
    });
  },
  /**
   * Turns the guest of `token` into an account with the same id and channels, named `username`
   * when given; `invite` as for `register`.
   */
  upgradeGuest(
    token: string,
    password: string,
    username?: string,
    invite?: string,
  ): Promise<Issued> {
    return call("/api/v1/auth/register", {
      body: {
        password,
        ...(username !== undefined ? { username } : {}),
        ...(invite !== undefined ? { invite } : {}),
      },
      token,
    });
  },
  logout(token: string): Promise<void> {
    return call("/api/v1/auth/logout", { token });
  },
};
