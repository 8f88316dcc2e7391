import type { MessageBroker, ServerMessage } from "./message-broker";

const TOPIC = { kind: "server", id: 0 } as const;

/**
 * The topic every node follows (settings changed, a channel's blocked words changed). A broker
 * keeps one handler per topic, so the node subscribes once, here, and each service listens
 * to the messages it handles.
 */
export class ServerTopic {
  private readonly listeners: ((message: ServerMessage) => void)[] = [];
  private subscribed?: Promise<void>;

  constructor(private readonly broker: MessageBroker) {}

  /** Calls `listener` with every server message from now on (once subscribed). */
  listen(listener: (message: ServerMessage) => void): Promise<void> {
    this.listeners.push(listener);
    this.subscribed ??= this.broker.subscribe([
      {
        topic: TOPIC,
        handler: (message) => {
          if (!("k" in message)) return;
          for (const l of this.listeners) l(message as ServerMessage);
        },
      },
    ]);
    return this.subscribed;
  }

  publish(message: ServerMessage): void {
    this.broker.publish(TOPIC, message);
  }
}
