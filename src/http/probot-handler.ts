// Mounts a Hono app into Probot's server through addHandler.
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { IncomingMessage, ServerResponse } from "node:http";

export function honoAsProbotHandler(app: Hono, { webhookPath }: { webhookPath: string }) {
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    // Probot's webhook middleware needs the untouched raw body to check the signature; under
    // createNodeMiddleware our handler runs before it, so pass webhook requests on.
    const path = (req.url ?? "/").split("?")[0];
    if (path === webhookPath) return false;
    await listener(req, res);
    return true;
  };
}
