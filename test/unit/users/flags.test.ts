import { describe, expect, it } from "@jest/globals";
import { InvalidFlagValueError, UnknownFlagError } from "../../../src/users/errors.js";
import { FLAG_NAMES, parseFlagName, parseFlagText, parseFlagValue } from "../../../src/users/flags.js";

describe("flag definitions", () => {
  it("define exactly the five rollout flags and the rollout guard's four", () => {
    expect([...FLAG_NAMES].sort()).toEqual([
      "github_app_tokens_allow_list",
      "github_app_tokens_enabled",
      "github_app_tokens_rollout_percent",
      "oauth_token_deprecation_date",
      "rollout_guard_enabled",
      "rollout_guard_min_resolutions",
      "rollout_guard_threshold_percent",
      "rollout_guard_window_minutes",
      "user_migration_batch_size",
    ]);
    expect(() => parseFlagName("github_app_tokens")).toThrow(UnknownFlagError);
    expect(() => parseFlagName("__proto__")).toThrow(UnknownFlagError);
  });

  it.each([
    ["github_app_tokens_enabled", "yes"],
    ["github_app_tokens_rollout_percent", 101],
    ["github_app_tokens_rollout_percent", 12.5],
    ["github_app_tokens_allow_list", ["octocat", "-bad"]],
    ["user_migration_batch_size", 0],
    ["user_migration_batch_size", 10_001],
    ["oauth_token_deprecation_date", "next tuesday"],
  ] as const)("refuse %s = %j", (name, value) => {
    expect(() => parseFlagValue(name, value)).toThrow(InvalidFlagValueError);
  });

  it("normalise values: logins lower-cased and deduplicated, dates parsed, null clears the date", () => {
    expect(parseFlagValue("github_app_tokens_allow_list", ["OctoCat", "octocat", "hubot"])).toEqual(["octocat", "hubot"]);
    expect(parseFlagValue("oauth_token_deprecation_date", "2027-06-30")).toEqual(new Date("2027-06-30T00:00:00Z"));
    expect(parseFlagValue("oauth_token_deprecation_date", null)).toBeNull();
  });

  it("parse the CLI's text forms", () => {
    expect(parseFlagText("github_app_tokens_enabled", "false")).toBe(false);
    expect(parseFlagText("github_app_tokens_rollout_percent", "10")).toBe(10);
    expect(parseFlagText("github_app_tokens_allow_list", "octocat, hubot")).toEqual(["octocat", "hubot"]);
    expect(parseFlagText("oauth_token_deprecation_date", "null")).toBeNull();
    expect(() => parseFlagText("user_migration_batch_size", "ten")).toThrow(InvalidFlagValueError);
  });
});
