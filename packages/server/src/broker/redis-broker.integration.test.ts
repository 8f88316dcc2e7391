import { randomBytes } from "node:crypto";
import { describeWith, serviceUrl } from "../../test/services";
import { messageBrokerContract } from "./message-broker.contract";
import { RedisBroker } from "./redis-broker";

describeWith(["redis"], "RedisBroker", () => {
  // Two brokers on one Redis, as two nodes; a fresh prefix keeps each test's topics apart.
  messageBrokerContract(
    "RedisBroker (two nodes)",
    async () => {
      const prefix = `test-${randomBytes(4).toString("hex")}:`;
      const url = serviceUrl("redis");
      return [
        await RedisBroker.connect({ url, prefix }),
        await RedisBroker.connect({ url, prefix }),
      ];
    },
    (broker) => (broker as RedisBroker).breakLinkForTest(),
  );
});
