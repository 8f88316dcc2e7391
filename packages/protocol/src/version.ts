/** Protocol version. Bumped on any incompatible change to ops, keys or semantics. */
export const PROTOCOL_VERSION = 1;

/** WebSocket subprotocol for compact JSON in text frames. */
export const SUBPROTOCOL_JSON = `parley.v${PROTOCOL_VERSION}.json`;
/** WebSocket subprotocol for MessagePack in binary frames (same schema as JSON). */
export const SUBPROTOCOL_MSGPACK = `parley.v${PROTOCOL_VERSION}.msgpack`;

export type Encoding = "json" | "msgpack";

/** Maps a subprotocol name to its encoding, or undefined when it is not one of ours. */
export function encodingOf(subprotocol: string): Encoding | undefined {
  if (subprotocol === SUBPROTOCOL_JSON) return "json";
  if (subprotocol === SUBPROTOCOL_MSGPACK) return "msgpack";
  return undefined;
}

/** The version a `parley.vN.*` subprotocol name asks for, or undefined. */
export function versionOf(subprotocol: string): number | undefined {
  const match = /^parley\.v(\d{1,6})\.(json|msgpack)$/.exec(subprotocol);
  return match ? Number(match[1]) : undefined;
}
