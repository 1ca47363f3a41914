// One dedicated Postgres connection LISTENing on a channel, kept alive: a lost connection is noticed
// (at once when it is reset or terminated, within `liveWindowMs` when it silently stops answering)
// and opened again, and `isLive()` says whether every notification sent up to a moment ago has
// certainly arrived. Callers that cache on the strength of notifications must stop trusting their
// cache while it is false.
import pg from "pg";
import type { Logger } from "pino";
import type { Sequelize } from "sequelize";

export interface ChannelListenerOptions {
  /** Connection settings: the app's Sequelize instance (its host, port, user, password, database). */
  sequelize: Sequelize;
  channel: string;
  onNotification: (payload: string | undefined) => void;
  /** After every (re)connection: notifications sent while not listening are lost, so re-read. */
  onListening: () => void;
  log: Pick<Logger, "warn" | "info">;
  /**
   * Live means a heartbeat came back within this window. Notifications arrive on the connection in
   * order, so a heartbeat's answer proves every notification committed before it was delivered.
   */
  liveWindowMs?: number;
  heartbeatIntervalMs?: number;
  /** First reconnection delay, doubling up to ten times that. */
  reconnectDelayMs?: number;
  now?: () => number;
}

/** Shown in pg_stat_activity, so an operator (or a test) can find the connection. */
export const LISTENER_APPLICATION_NAME = "gaut-listener";

export class ChannelListener {
  readonly #options: Required<Omit<ChannelListenerOptions, "now">> & { now: () => number };
  #client: pg.Client | null = null;
  #lastHeartbeatAt = Number.NEGATIVE_INFINITY;
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatInFlight = false;
  #reconnect: NodeJS.Timeout | null = null;
  #failures = 0;
  #running = false;

  constructor(options: ChannelListenerOptions) {
    this.#options = { liveWindowMs: 1_000, heartbeatIntervalMs: 300, reconnectDelayMs: 500, now: () => Date.now(), ...options };
  }

  isLive(): boolean {
    return this.#client !== null && this.#options.now() - this.#lastHeartbeatAt <= this.#options.liveWindowMs;
  }

  /** Resolves once listening, or once the first attempt failed (it keeps trying in the background). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#reconnect) clearTimeout(this.#reconnect);
    this.#reconnect = null;
    await this.#drop();
  }

  async #connect(): Promise<void> {
    const { sequelize, channel } = this.#options;
    const settings = sequelize.config;
    const client = new pg.Client({
      host: settings.host,
      port: settings.port === undefined ? undefined : Number(settings.port),
      user: settings.username,
      password: settings.password ?? undefined,
      database: settings.database,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client, new Error("connection ended")));
    client.on("notification", (message) => {
      if (message.channel === channel) this.#options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      client.removeAllListeners("end");
      void client.end().catch(() => {});
      this.#lost(null, error);
      return;
    }
    if (!this.#running) {
      await client.end().catch(() => {});
      return;
    }
    if (this.#failures > 0) this.#options.log.info({ channel }, "notification listener is listening again");
    this.#failures = 0;
    this.#client = client;
    this.#lastHeartbeatAt = this.#options.now();
    this.#heartbeat = setInterval(() => this.#beat(client), this.#options.heartbeatIntervalMs);
    this.#heartbeat.unref();
    this.#options.onListening();
  }

  #beat(client: pg.Client): void {
    if (this.#heartbeatInFlight) {
      // Unanswered for ten windows: the connection is gone without telling us; open another.
      if (this.#options.now() - this.#lastHeartbeatAt > 10 * this.#options.liveWindowMs) this.#lost(client, new Error("heartbeat unanswered"));
      return;
    }
    this.#heartbeatInFlight = true;
    client.query("SELECT 1").then(
      () => {
        this.#heartbeatInFlight = false;
        if (client === this.#client) this.#lastHeartbeatAt = this.#options.now();
      },
      (error: unknown) => {
        this.#heartbeatInFlight = false;
        this.#lost(client, error);
      },
    );
  }

  /** `client` null: a connection attempt failed. A stale client's late events are ignored. */
  #lost(client: pg.Client | null, error: unknown): void {
    if (client !== null && client !== this.#client) return;
    void this.#drop();
    if (!this.#running || this.#reconnect) return;
    this.#failures += 1;
    if (this.#failures === 1) {
      this.#options.log.warn({ channel: this.#options.channel, err: error }, "notification listener lost its connection; reconnecting");
    }
    const delay = this.#options.reconnectDelayMs * 2 ** Math.min(this.#failures - 1, 3);
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      void this.#connect();
    }, delay);
    this.#reconnect.unref();
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#heartbeatInFlight = false;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (!client) return;
    client.removeAllListeners("end");
    await client.end().catch(() => {});
  }
}
