/** Starts one server process: open stores, build the app, listen; close everything on shutdown. */
import type { ServerConfig } from './config.js';
import { createApp } from './app.js';
import { openStores } from './open-stores.js';

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: { logger?: boolean } = {}): Promise<RunningServer> {
  const stores = await openStores(config);
  const app = await createApp({ config, stores, logger: options.logger ?? false });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await stores.tracking.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await stores.tracking.close();
      })()),
  };
}
