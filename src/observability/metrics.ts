// The Prometheus registry every module registers its metrics in; served at GET /metrics.
import { collectDefaultMetrics, Registry } from "prom-client";

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
