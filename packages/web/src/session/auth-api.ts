import type {
  AuthOptions,
  AuthReply,
  HttpErrorBody,
  ProfileChange,
  UserRef,
} from "@parley/protocol";

/** An HTTP API error with the server's code and human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    /** How long to wait before asking again (a rate limit's), when the server said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const UNREACHABLE = "Can't reach the server. Check your connection.";

/** The error a refused answer carries (a body not built by Parley, e.g. a proxy's, may lack one). */
async function refusal(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as {
    error?: Partial<HttpErrorBody["error"]>;
  };
  const retryAfter = Number(res.headers.get("retry-after"));
  return new ApiError(
    res.status,
    body.error?.c,
    body.error?.m ?? `Request failed (${res.status})`,
    retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
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
    throw new ApiError(0, undefined, UNREACHABLE);
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) throw await refusal(res);
  return (await res.json().catch(() => ({}))) as T;
}

/**
 * The file name a `Content-Disposition` header gives (`filename*=UTF-8''…` over `filename=`),
 * without any folder part; `fallback` when it gives none.
 */
export function fileNameOf(header: string | null | undefined, fallback: string): string {
  if (!header) return fallback;
  let name: string | undefined;
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^;]+)/i.exec(header)?.[1]?.trim();
  if (extended) {
    const value = extended.replace(/^[\w-]+'[\w-]*'/, "").replace(/^"(.*)"$/, "$1");
    try {
      name = decodeURIComponent(value);
    } catch {
      name = undefined;
    }
  }
  if (!name) {
    const plain = /(?:^|;)\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/i.exec(header)?.[1]?.trim();
    name = plain?.startsWith('"') ? plain.slice(1, -1).replace(/\\(.)/g, "$1") : plain;
  }
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base && base !== "." && base !== ".." ? base : fallback;
}

/** A file the API answered with: its bytes and the name it is saved under. */
export interface Download {
  blob: Blob;
  name: string;
}

/**
 * Reads a download of the API (an export's zip) with the session's token: the whole body, and
 * its file name from `Content-Disposition` (else `fallback`).
 */
export async function fetchDownload(
  path: string,
  token: string,
  fallback: string,
): Promise<Download> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, undefined, UNREACHABLE);
  }
  if (!res.ok) throw await refusal(res);
  let blob: Blob;
  try {
    blob = await res.blob();
  } catch {
    throw new ApiError(0, undefined, "The download was cut short. Try again.");
  }
  return { blob, name: fileNameOf(res.headers.get("content-disposition"), fallback) };
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
  /** Changes the account's password; the server signs its other sessions out. */
  changePassword(token: string, password: string, newPassword: string): Promise<void> {
    return call("/api/v1/auth/password", { body: { password, newPassword }, token });
  },
  /** Signs out every other session of the account; resolves to how many there were. */
  async signOutOthers(token: string): Promise<number> {
    const reply = await call<{ revoked: number }>("/api/v1/auth/sign-out-others", {
      body: {},
      token,
    });
    return reply.revoked;
  },
};

/** The account's own endpoints: its profile. */
export const accountApi = {
  /** Changes the profile's fields named (`null` clears one); resolves to the user as others see it. */
  async updateProfile(token: string, change: ProfileChange): Promise<UserRef> {
    const reply = await call<{ user: UserRef }>("/api/v1/profile", { body: change, token });
    return reply.user;
  },
};

/** The exports, zips of JSON with the files, read whole to be saved. */
export const exportApi = {
  /** The account's own data (`GET /api/v1/export`; a few a day). */
  ownData(token: string): Promise<Download> {
    return fetchDownload("/api/v1/export", token, "parley-export.zip");
  },
  /** A channel's messages and files, for a server admin (audited). */
  channel(token: string, channelId: number): Promise<Download> {
    return fetchDownload(
      `/api/v1/admin/channels/${channelId}/export`,
      token,
      `parley-channel-${channelId}.zip`,
    );
  },
};
