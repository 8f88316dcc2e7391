import { LocalBroker } from "./local-broker";
import { messageBrokerContract } from "./message-broker.contract";

messageBrokerContract("LocalBroker", async () => {
  const broker = new LocalBroker();
  return [broker, broker];
});
