export { type Config, ConfigError, loadConfig } from "./config";
export { createParley, type Parley } from "./main";
