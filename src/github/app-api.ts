// The App's own REST calls: its installations, their repositories, and its webhook deliveries.
// They go through Probot's Octokit (App JWT, or an installation token Probot mints and caches),
// and every failure leaves here classified.
import type { components } from "@octokit/openapi-types";
import type { ProbotOctokit } from "probot";
import { classifyRequestFailure } from "./classify.js";

export type GitHubInstallation = components["schemas"]["installation"];
type GitHubRepository = Pick<components["schemas"]["repository"], "id" | "full_name" | "private">;
export type GitHubHookDelivery = components["schemas"]["hook-delivery-item"];

/** What Probot offers: `auth()` is an App-JWT Octokit, `auth(id)` one with that installation's token. */
interface AppOctokitSource {
  auth(installationId?: number): Promise<ProbotOctokit>;
}

const PAGE_SIZE = 100;

export class GitHubAppApi {
  #source: AppOctokitSource | undefined;
  #slug: Promise<string | null> | undefined;
  readonly #fallback: () => AppOctokitSource;

  /** `fallback` serves processes without a Probot app (the CLI); the server hands its own through useProbot. */
  constructor({ fallback }: { fallback: () => AppOctokitSource }) {
    this.#fallback = fallback;
  }

  /** Routes every call through the server's Probot, so its Octokit settings and token cache apply. */
  useProbot(source: AppOctokitSource): void {
    this.#source = source;
  }

  /**
   * GET /app: the App's slug, for install links. Asked once and remembered (a slug changes only when
   * the App is renamed); a failed lookup is not remembered, so the next caller asks again.
   */
  appSlug(): Promise<string | null> {
    this.#slug ??= this.#call("read the App's registration", undefined, async (octokit) => {
      const { data } = await octokit.request("GET /app");
      return data?.slug ?? null;
    }).catch((error: unknown) => {
      this.#slug = undefined;
      throw error;
    });
    return this.#slug;
  }

  /** GET /app now (never remembered): who GitHub says the App is, for `doctor`. */
  async appIdentity(): Promise<{ id: number; slug: string | null; clientId: string | null }> {
    return this.#call("read the App's registration", undefined, async (octokit) => {
      const { data } = await octokit.request("GET /app");
      // GitHub answers 200 with a body; Octokit's type allows none.
      const app = data as { id: number; slug?: string; client_id?: string };
      return { id: app.id, slug: app.slug ?? null, clientId: app.client_id ?? null };
    });
  }

  /** GET /app/hook/config: where GitHub sends webhooks and whether it signs them (the secret itself is never shown). */
  async webhookConfig(): Promise<{ url: string | null; signed: boolean }> {
    return this.#call("read the App's webhook configuration", undefined, async (octokit) => {
      const { data } = await octokit.request("GET /app/hook/config");
      return { url: data.url ?? null, signed: typeof data.secret === "string" && data.secret !== "" };
    });
  }

  /** GET /app/installations, every page: suspended installations included. */
  async listInstallations(): Promise<GitHubInstallation[]> {
    return this.#call("list the App's installations", undefined, (octokit) =>
      octokit.paginate("GET /app/installations", { per_page: PAGE_SIZE }),
    );
  }

  /** GET /installation/repositories with the installation's own token, every page. */
  async listInstallationRepositories(installationId: number): Promise<GitHubRepository[]> {
    return this.#call(`list repositories of installation ${installationId}`, installationId, async (octokit) => {
      const repositories = await octokit.paginate("GET /installation/repositories", { per_page: PAGE_SIZE });
      return repositories.map(({ id, full_name, private: isPrivate }) => ({ id, full_name, private: isPrivate }));
    });
  }

  /**
   * GET /app/hook/deliveries, newest first, following the cursor until a delivery older than
   * `since` or `maxDeliveries` of them, whichever comes first.
   */
  async listRecentDeliveries({ since, maxDeliveries }: { since: Date; maxDeliveries: number }): Promise<GitHubHookDelivery[]> {
    return this.#call("list the App's webhook deliveries", undefined, async (octokit) => {
      const deliveries: GitHubHookDelivery[] = [];
      for await (const page of octokit.paginate.iterator("GET /app/hook/deliveries", { per_page: PAGE_SIZE })) {
        for (const delivery of page.data) {
          if (new Date(delivery.delivered_at) < since || deliveries.length >= maxDeliveries) return deliveries;
          deliveries.push(delivery);
        }
      }
      return deliveries;
    });
  }

  /** POST /app/hook/deliveries/{id}/attempts: GitHub sends the same delivery (same guid) again. */
  async requestRedelivery(deliveryId: number): Promise<void> {
    await this.#call(`redeliver webhook delivery ${deliveryId}`, undefined, async (octokit) => {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: deliveryId });
    });
  }

  /** `installationId` undefined: as the App (JWT); otherwise with that installation's token. */
  async #call<T>(operation: string, installationId: number | undefined, work: (octokit: ProbotOctokit) => Promise<T>): Promise<T> {
    // Outside the try: missing credentials are a configuration error, not GitHub's answer.
    this.#source ??= this.#fallback();
    try {
      // Minting an installation token is a GitHub call too, so it is classified with the rest.
      return await work(await this.#source.auth(installationId));
    } catch (error) {
      throw classifyRequestFailure(error, operation);
    }
  }
}
