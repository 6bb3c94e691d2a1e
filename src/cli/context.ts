import { type Config, loadConfig } from '../config.ts';
import { openServices, type Services } from '../services.ts';

/** Lazily built services, so `--help` and bad arguments never need configuration or a store. */
export interface CliContext {
  services(): Promise<Services>;
  config(): Config;
  close(): Promise<void>;
}

export function cliContext(env: Readonly<Record<string, string | undefined>>): CliContext {
  let config: Config | undefined;
  let services: Promise<Services> | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig(env, { discord: false })),
    services: () => (services ??= openServices(ctx.config())),
    close: async () => {
      if (services) await (await services.catch(() => undefined))?.close();
    },
  };
  return ctx;
}
