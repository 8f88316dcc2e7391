import { describe, expect, it } from "vitest";
import { until } from "../../test/harness";
import { LocalBroker } from "./local-broker";
import type { ServerMessage } from "./message-broker";
import { ServerTopic } from "./server-topic";

describe("the server topic", () => {
  it("gives every listener each message, though the broker keeps one handler per topic", async () => {
    const broker = new LocalBroker();
    const topic = new ServerTopic(broker);
    const a: ServerMessage[] = [];
    const b: ServerMessage[] = [];
    await topic.listen((m) => a.push(m));
    await topic.listen((m) => b.push(m));
    topic.publish({ k: "settings" });
    topic.publish({ k: "automod", c: 7 });
    await until(() => b.length === 2);
    expect(a).toEqual([{ k: "settings" }, { k: "automod", c: 7 }]);
    expect(b).toEqual(a);
    await broker.close();
  });
});
