import { describe, expect, it } from "@jest/globals";
import { GitHubPacer } from "../../../src/migration/github-pacer.js";

function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

describe("the GitHub pacer", () => {
  it("never runs more than `concurrency` calls at once", async () => {
    const pacer = new GitHubPacer({ concurrency: 3 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        pacer.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it("makes every worker wait after a back-off request, capped at maxWaitSeconds", async () => {
    const clock = fakeClock();
    const pacer = new GitHubPacer({ concurrency: 2, maxWaitSeconds: 30, now: clock.now, sleep: clock.sleep });
    pacer.pauseFor(120);
    await Promise.all([pacer.run(async () => {}), pacer.run(async () => {})]);
    expect(clock.now()).toBe(30_000);
  });

  it("spreads calls over what is left of the window when the rate limit runs low", async () => {
    const clock = fakeClock();
    const pacer = new GitHubPacer({ concurrency: 1, lowWatermark: 100, now: clock.now, sleep: clock.sleep });
    pacer.observeRateLimit({ remaining: 10, resetAt: new Date(10_000) });
    for (let call = 0; call < 3; call += 1) await pacer.run(async () => {});
    expect(clock.waits).toEqual([1_000, 1_000]);

    pacer.observeRateLimit({ remaining: 4_000, resetAt: new Date(3_600_000) });
    const before = clock.now();
    await pacer.run(async () => {});
    await pacer.run(async () => {});
    expect(clock.now() - before).toBeLessThanOrEqual(1_000);
  });

  it("pauses until the reset when nothing is left", async () => {
    const clock = fakeClock();
    const pacer = new GitHubPacer({ now: clock.now, sleep: clock.sleep });
    pacer.observeRateLimit({ remaining: 0, resetAt: new Date(20_000) });
    await pacer.run(async () => {});
    expect(clock.now()).toBe(20_000);
  });
});
