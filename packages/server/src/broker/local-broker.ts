import {
  type BrokerHandler,
  type BrokerMessage,
  type MessageBroker,
  type Subscription,
  type Topic,
  topicKey,
} from "./message-broker";

/**
 * The single-node {@link MessageBroker}: an in-process topic table. Delivery is deferred to a
 * microtask so that publishers never re-enter their subscribers, as with a remote broker.
 */
export class LocalBroker implements MessageBroker {
  private readonly handlers = new Map<string, BrokerHandler>();

  publish(topic: Topic, message: BrokerMessage): void {
    const handler = this.handlers.get(topicKey(topic));
    if (handler) queueMicrotask(() => handler(message));
  }

  async subscribe(subscriptions: readonly Subscription[]): Promise<void> {
    for (const { topic, handler } of subscriptions) this.handlers.set(topicKey(topic), handler);
  }

  async unsubscribe(topic: Topic): Promise<void> {
    this.handlers.delete(topicKey(topic));
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
