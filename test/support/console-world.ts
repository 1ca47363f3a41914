// A campaign-sized world for the maintainers' console, written straight into the database with
// set-based SQL (generate_series), for the console benchmark (`npm run bench`), its query-plan test
// and `npm run seed:console`: users over every status and refresh-failure class, their audit trail
// as legal transition chains spread over six weeks, batches, flag changes, installations with
// repositories and user links, and a finished readiness scan. Token columns hold sealed-looking
// envelopes under a key id no deployment has (`v1.bench-unsealed.…`): they satisfy the schema's
// checks and never open, which is all the console needs (it shows token kinds, never token bytes).
import pg from "pg";
import { REFRESH_FAILURE_CLASSES } from "../../src/db/models/index.js";

export interface ConsoleWorldOptions {
  /** Postgres URL of a migrated database; existing rows are kept (seeded ids start above them). */
  databaseUrl: string;
  users: number;
  /** migration_events to write, about (never fewer than the chains' shortest form needs). */
  events: number;
  now?: Date;
}

export interface ConsoleWorld {
  users: number;
  events: number;
  batches: number;
  installations: number;
  /** GitHub ids run from firstGithubId to firstGithubId + users - 1. */
  firstGithubId: number;
  /** The seeded user with the longest timeline. */
  busiestUser: { githubId: number; login: string; events: number };
  /** The first word of every seeded login (`<word>-<n>`), to search by prefix. */
  loginWords: readonly string[];
  seconds: number;
}

export const CAMPAIGN_DAYS = 42;
const USERS_PER_BATCH = 500;
const USERS_PER_INSTALLATION = 50;
const LOGIN_WORDS = [
  "alice", "bruno", "carmen", "dmitri", "elena", "farid", "greta", "hiro", "ines", "jonas", "kemal", "lena", "mateo",
  "nadia", "omar", "priya", "quinn", "rosa", "sven", "tomas", "uma", "viktor", "wen", "xavi", "yara", "zeno",
] as const;
const MAINTAINERS = ["ops-ana", "ops-ben", "release-carla"] as const;
/** What a refresh that failed for good says, per class (REFRESH_FAILURE_CLASSES' order). */
const REFRESH_FAILURE_REASONS: Record<(typeof REFRESH_FAILURE_CLASSES)[number], string> = {
  lost_race: "another caller's token pair was stored first and this refresh token was spent",
  interrupted: "a refresh may have rotated the pair unseen, and the stored pair was dead",
  revoked: "GitHub refused the refresh token (bad_refresh_token): the authorization was revoked",
  refresh_token_expired: "the refresh token expired before it was used",
  installation_or_account_gone: "GitHub answered that the installation or the account is gone",
  unknown: "GitHub refused the refresh for a reason it did not name",
};

/**
 * Writes the world in one transaction (one connection), then VACUUM ANALYZE on the tables it filled,
 * as autovacuum would soon after a bulk insert, so plans and index-only scans see the real sizes.
 */
export async function seedConsoleWorld({ databaseUrl, users, events, now = new Date() }: ConsoleWorldOptions): Promise<ConsoleWorld> {
  if (!Number.isInteger(users) || users < 1) throw new Error("seedConsoleWorld: users must be a whole number of at least 1");
  if (!Number.isInteger(events) || events < 0) throw new Error("seedConsoleWorld: events must be a whole number");
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL work_mem = '256MB'");
    await client.query("SET LOCAL synchronous_commit = off");
    const [base] = (
      await client.query<{ github_id: string; installation_id: string }>(
        `SELECT greatest(100000000, (SELECT coalesce(max(github_id), 0) FROM users)) AS github_id,
                greatest(90000000, (SELECT coalesce(max(id), 0) FROM installations)) AS installation_id`,
      )
    ).rows;
    const params = {
      now,
      campaignStart: new Date(now.getTime() - CAMPAIGN_DAYS * 86_400_000),
      githubIdBase: Number(base!.github_id),
      installationIdBase: Number(base!.installation_id),
      batches: Math.max(1, Math.ceil(users / USERS_PER_BATCH)),
      installations: Math.max(5, Math.ceil(users / USERS_PER_INSTALLATION)),
    };
    const sliceSeconds = (CAMPAIGN_DAYS * 86_400) / params.batches;
    const sql = (text: string, values: unknown[] = []) => client.query(text, values);

    const [batchIds] = (
      await client.query<{ first: string; last: string }>(
        `WITH inserted AS (
           INSERT INTO migration_batches (requested_by, size, state, counts, error, user_errors, started_at, heartbeat_at, finished_at)
           SELECT ($4::text[])[1 + k % cardinality($4::text[])], ${USERS_PER_BATCH},
                  CASE WHEN k % 50 = 7 THEN 'failed' WHEN k % 20 = 3 THEN 'finished_with_errors' ELSE 'finished' END,
                  jsonb_build_object('claimed', ${USERS_PER_BATCH}, 'migrated', 300 + k % 40, 'consent_required', 190 - k % 40,
                                     'failed', 10 - CASE WHEN k % 20 = 3 THEN 2 ELSE 0 END, 'errors', CASE WHEN k % 20 = 3 THEN 2 ELSE 0 END),
                  CASE WHEN k % 50 = 7 THEN 'its instance stopped heartbeating; marked failed and its unfinished users released'
                       WHEN k % 20 = 3 THEN '2 of ${USERS_PER_BATCH} users hit an error; see its user errors' END,
                  CASE WHEN k % 20 = 3 THEN jsonb_build_array(
                         jsonb_build_object('github_id', $3::bigint + k, 'login', 'carmen-' || k, 'error', 'GitHub answered 502 Bad Gateway'),
                         jsonb_build_object('github_id', $3::bigint + k + 1, 'login', 'dmitri-' || k + 1, 'error', 'connection reset by GitHub'))
                       ELSE '[]'::jsonb END,
                  started, started + interval '9 minutes', started + interval '9 minutes'
             FROM generate_series(1, $1::int) k,
                  LATERAL (SELECT $2::timestamptz + (k - 1) * make_interval(secs => ${sliceSeconds}) AS started) s
           RETURNING id)
         SELECT min(id) AS first, max(id) AS last FROM inserted`,
        [params.batches, params.campaignStart, params.githubIdBase, MAINTAINERS],
      )
    ).rows;

    // One row per user to seed: status, draws, the path of statuses their events walk, and the
    // times of their first and last event. Paths through `migrated` are padded after their first
    // `migrated` (re-validations, refreshes failing and re-authorizations) until the events add up.
    await sql(`
      CREATE TEMP TABLE seed_plan ON COMMIT DROP AS
      WITH drawn AS (
        SELECT i, $1::bigint + i AS github_id, ($3::text[])[1 + i % cardinality($3::text[])] || '-' || i AS login,
               (abs(hashint4extended(i, 1)) % 1000)::int AS status_draw,
               (abs(hashint4extended(i, 2)) % 1000)::int AS draw,
               (abs(hashint4extended(i, 3)) % 1000)::int AS draw3,
               (abs(hashint4extended(i, 4)) % 10000)::int AS weight_draw,
               $5::timestamptz + (abs(hashint4extended(i, 5)) % 1000000) / 1000000.0 * ($6::timestamptz - $5::timestamptz) AS last_at
          FROM generate_series(1, $2::int) i),
      statused AS (
        SELECT d.*, CASE WHEN status_draw < 150 THEN 'pending' WHEN status_draw < 270 THEN 'consent_required'
                         WHEN status_draw < 820 THEN 'migrated' WHEN status_draw < 870 THEN 'reauth_required'
                         WHEN status_draw < 900 THEN 'revoked' WHEN status_draw < 940 THEN 'failed' ELSE 'rolled_back' END AS status
          FROM drawn d),
      pathed AS (
        SELECT s.*,
               CASE status
                 WHEN 'pending' THEN CASE WHEN draw % 5 = 0 THEN '{consent_required,rolled_back,pending}'::text[] ELSE '{}'::text[] END
                 WHEN 'consent_required' THEN '{consent_required}'
                 WHEN 'failed' THEN CASE WHEN draw % 2 = 0 THEN '{failed}'::text[] ELSE '{migrated}'::text[] END
                 ELSE CASE WHEN draw % 10 < 7 THEN '{consent_required,migrated}'::text[] ELSE '{migrated}'::text[] END
               END AS prefix,
               CASE WHEN status IN ('reauth_required', 'revoked', 'rolled_back') OR (status = 'failed' AND draw % 2 = 1)
                    THEN ARRAY[status] ELSE '{}'::text[] END AS suffix,
               status NOT IN ('pending', 'consent_required') AND NOT (status = 'failed' AND draw % 2 = 0) AS paddable,
               -- Most timelines are short, a few are long: a heavy tail, and one user in 5,000 far longer.
               CASE WHEN weight_draw % 5000 = 0 THEN 500 ELSE 1 + ((weight_draw % 100) ^ 3) / 10000 END AS weight
          FROM statused s),
      totals AS (
        SELECT greatest(0, $4::int - sum(cardinality(prefix) + cardinality(suffix))) AS spare, sum(weight) FILTER (WHERE paddable) AS weights
          FROM pathed)
      -- Each user's share of the spare events, rounded along the running sum so the shares add up exactly.
      SELECT p.*, CASE WHEN p.paddable AND t.weights > 0
                       THEN (floor(t.spare * sum(p.weight) FILTER (WHERE p.paddable) OVER (ORDER BY p.i) / t.weights)
                             - floor(t.spare * (sum(p.weight) FILTER (WHERE p.paddable) OVER (ORDER BY p.i) - p.weight) / t.weights))::int
                       ELSE 0 END AS padding,
             ($7::text[])[1 + p.draw % cardinality($7::text[])] AS failure_class,
             ($8::text[])[1 + p.draw % cardinality($8::text[])] AS failure_reason
        FROM pathed p, totals t`,
      [params.githubIdBase, users, LOGIN_WORDS, events, params.campaignStart, params.now, REFRESH_FAILURE_CLASSES, REFRESH_FAILURE_CLASSES.map((name) => REFRESH_FAILURE_REASONS[name])],
    );
    await sql("ALTER TABLE seed_plan ADD COLUMN steps int, ADD COLUMN first_at timestamptz");
    await sql(
      `UPDATE seed_plan SET steps = cardinality(prefix) + padding + cardinality(suffix),
                            first_at = $1::timestamptz + (last_at - $1::timestamptz) * ((draw3 % 50) / 100.0)`,
      [params.campaignStart],
    );
    // The status a user's j-th event moves to (j = 0: where every user starts, pending). Padding
    // re-validates, now and then a refresh fails for good and the user re-authorizes, and it always
    // ends on `migrated`, from which every suffix status may follow.
    await sql(`
      CREATE FUNCTION pg_temp.seed_step(prefix text[], padding int, suffix text[], salt bigint, j int) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE
          WHEN j < 1 THEN 'pending'
          WHEN j <= cardinality(prefix) THEN prefix[j]
          WHEN j <= cardinality(prefix) + padding THEN
            CASE WHEN j - cardinality(prefix) < padding AND (j - cardinality(prefix)) % 2 = 1 AND abs(hashint8extended(salt * 4096 + j, 6)) % 4 = 0
                 THEN 'reauth_required' ELSE 'migrated' END
          ELSE suffix[j - cardinality(prefix) - padding]
        END $$`);

    const usersWritten = await sql(
      `INSERT INTO users (github_id, login, provider_info, github_app_user_token, github_app_token_expires_at, github_app_refresh_token,
                          github_app_refresh_token_expires_at, github_app_token_refreshed_at, token_migration_status, migration_error,
                          migrated_at, last_validated_at, last_validation_result, refresh_failure_count, next_refresh_attempt_at,
                          last_refresh_error, legacy_token_checked_at, legacy_token_valid, refresh_in_doubt_since, refresh_failure_class,
                          refresh_failed_at, created_at, updated_at)
       SELECT github_id, login,
              CASE WHEN (status = 'migrated' AND draw % 4 = 0) OR (status = 'revoked' AND draw % 2 = 0) THEN '{}'::jsonb
                   ELSE jsonb_build_object('access_token', s.sealed || 'l', 'scope', 'repo,read:org', 'token_type', 'bearer') END,
              CASE WHEN app THEN s.sealed || 'a' END,
              CASE WHEN app THEN refreshed_at + interval '8 hours' END,
              CASE WHEN app THEN s.sealed || 'r' END,
              CASE WHEN app THEN $2::timestamptz + CASE WHEN draw % 100 = 0 THEN interval '3 days' ELSE make_interval(days => 60 + draw % 120) END END,
              CASE WHEN app THEN refreshed_at END,
              status,
              CASE WHEN status = 'reauth_required' THEN failure_reason
                   WHEN status = 'failed' THEN 'App token validation failed: GitHub answered 401 Bad credentials' END,
              CASE WHEN status = 'migrated' THEN last_at WHEN paddable THEN first_at + (last_at - first_at) * ((steps - 2)::float / greatest(steps - 1, 1)) END,
              CASE WHEN status = 'migrated' THEN last_at END,
              CASE WHEN status = 'migrated' THEN jsonb_build_object('ok', true, 'checked_at', last_at,
                     'identity', jsonb_build_object('expected_github_id', github_id, 'github_id', github_id, 'login', login),
                     'installations', jsonb_build_object('reachable', 1, 'ids', jsonb_build_array($3::bigint + 1 + i % $4::int))) END,
              CASE WHEN backing_off THEN 1 + draw % 5 ELSE 0 END,
              CASE WHEN backing_off THEN $2::timestamptz + make_interval(mins => draw % 60) END,
              CASE WHEN backing_off THEN 'GitHub answered 502 Bad Gateway; the next attempt is scheduled'
                   WHEN status = 'reauth_required' THEN failure_reason END,
              CASE WHEN steps > 0 THEN first_at END,
              CASE WHEN steps > 0 THEN draw % 40 <> 0 END,
              CASE WHEN app AND draw3 % 997 = 1 THEN $2::timestamptz - make_interval(mins => draw % 90) END,
              CASE WHEN status = 'reauth_required' THEN failure_class END,
              CASE WHEN status = 'reauth_required' THEN last_at END,
              $1::timestamptz - make_interval(days => 1 + draw % 365),
              CASE WHEN steps > 0 THEN last_at ELSE $1::timestamptz - make_interval(days => 1) END
         -- App tokens live 8 hours and are renewed all day long; one in 50 has been left to expire.
         FROM (SELECT p.*, p.status = 'migrated' AS app, p.status = 'migrated' AND p.draw3 % 50 = 0 AS backing_off,
                      $2::timestamptz - make_interval(mins => CASE WHEN p.draw % 50 = 1 THEN 540 ELSE p.draw3 % 480 END) AS refreshed_at
                 FROM seed_plan p) p,
              LATERAL (SELECT 'v1.bench-unsealed.' || substr(md5(p.github_id || 'iv'), 1, 16) || '.' || md5(p.github_id || 'tag') || '.'
                              || md5(p.github_id || 'ct') || md5(p.login) AS sealed) s
        ORDER BY i`,
      [params.campaignStart, params.now, params.installationIdBase, params.installations],
    );
    await sql(`CREATE INDEX ON seed_plan (github_id)`);
    await sql(`ALTER TABLE seed_plan ADD COLUMN user_id bigint`);
    await sql(`UPDATE seed_plan p SET user_id = u.id FROM users u WHERE u.github_id = p.github_id`);

    // Events in time order, as a real audit trail is written: one user's events lie far apart.
    const eventsWritten = await sql(
      `INSERT INTO migration_events (user_id, from_status, to_status, reason, actor, batch_id, created_at)
       SELECT user_id, from_status, to_status,
              CASE to_status
                WHEN 'consent_required' THEN 'no GitHub App token; consent link issued' || CASE WHEN j % 2 = 0 THEN ' with an install link' ELSE '' END
                WHEN 'migrated' THEN CASE from_status WHEN 'migrated' THEN 'App token validated' WHEN 'pending' THEN 'App token validated'
                                                      WHEN 'reauth_required' THEN 're-authorized the GitHub App'
                                                      ELSE 'authorized the GitHub App through a consent link' END
                WHEN 'reauth_required' THEN CASE WHEN j = steps THEN failure_reason ELSE ($5::text[])[1 + (salt + j) % cardinality($5::text[])] END
                WHEN 'revoked' THEN 'the user revoked the GitHub App''s authorization (github_app_authorization.revoked)'
                WHEN 'failed' THEN 'App token validation failed: GitHub answered 401 Bad credentials'
                WHEN 'rolled_back' THEN 'rolled back by a maintainer: the user reported missing repositories'
                ELSE 're-enabled by a maintainer after the rollback'
              END,
              CASE WHEN by_batch THEN ($4::text[])[1 + batch_offset % cardinality($4::text[])]
                   WHEN to_status IN ('rolled_back', 'pending') THEN ($4::text[])[1 + salt % cardinality($4::text[])]
                   WHEN to_status = 'reauth_required' THEN 'system'
                   WHEN to_status = 'revoked' THEN 'webhook'
                   ELSE login END,
              CASE WHEN by_batch THEN $2::bigint + batch_offset END,
              at
         FROM (
           SELECT e.*, to_status IN ('consent_required', 'failed') OR (to_status = 'migrated' AND from_status IN ('migrated', 'pending')) AS by_batch,
                  least($3::bigint - $2::bigint, floor(extract(epoch FROM at - $1::timestamptz) / ${sliceSeconds}))::bigint AS batch_offset
             FROM (
               SELECT p.user_id, p.login, p.steps, p.failure_reason, p.i AS salt, j,
                      pg_temp.seed_step(p.prefix, p.padding, p.suffix, p.i, j - 1) AS from_status,
                      pg_temp.seed_step(p.prefix, p.padding, p.suffix, p.i, j) AS to_status,
                      CASE WHEN p.steps = 1 THEN p.last_at ELSE p.first_at + (p.last_at - p.first_at) * ((j - 1)::float / (p.steps - 1)) END AS at
                 FROM seed_plan p, LATERAL generate_series(1, p.steps) j) e) e
        ORDER BY at`,
      [params.campaignStart, Number(batchIds!.first), Number(batchIds!.last), MAINTAINERS, Object.values(REFRESH_FAILURE_REASONS)],
    );

    // Installations (organizations and a few personal accounts), their repositories, and which
    // seeded users reach them (migrated users learned theirs at validation).
    await sql(
      `INSERT INTO installations (id, account_id, account_login, account_type, target_type, repository_selection, permissions, events,
                                  installed_by_github_id, suspended_at, suspended_by, github_created_at, github_updated_at, created_at, updated_at)
       SELECT $1::bigint + k, 70000000 + k, CASE WHEN k % 10 = 0 THEN 'person-' ELSE 'org-' END || k,
              CASE WHEN k % 10 = 0 THEN 'User' ELSE 'Organization' END, CASE WHEN k % 10 = 0 THEN 'User' ELSE 'Organization' END,
              CASE WHEN k % 3 = 0 THEN 'all' ELSE 'selected' END, '{"contents":"read","metadata":"read"}'::jsonb, '["push"]'::jsonb,
              $4::bigint + k, CASE WHEN k % 97 = 0 THEN $3::timestamptz END, CASE WHEN k % 97 = 0 THEN 'org-admin' END,
              $2::timestamptz + make_interval(hours => k % 1000), $2::timestamptz + make_interval(hours => k % 1000),
              $2::timestamptz + make_interval(hours => k % 1000), $2::timestamptz + make_interval(hours => k % 1000)
         FROM generate_series(1, $5::int) k`,
      [params.installationIdBase, params.campaignStart, params.now, params.githubIdBase, params.installations],
    );
    await sql(
      `INSERT INTO installation_repositories (installation_id, repository_id, full_name, private, created_at)
       SELECT $1::bigint + k, 800000000 + k * 100 + r, 'org-' || k || '/repo-' || r, r % 2 = 0, $2::timestamptz
         FROM generate_series(1, $3::int) k, LATERAL generate_series(1, 1 + k % 20) r`,
      [params.installationIdBase, params.campaignStart, params.installations],
    );
    await sql(
      `INSERT INTO user_installations (user_id, installation_id, source, linked_at)
       SELECT user_id, $1::bigint + 1 + (i + n * 7) % $2::int, CASE WHEN n = 0 THEN 'validation' ELSE 'authorization' END, last_at
         FROM seed_plan, LATERAL generate_series(0, draw % 3) n
        WHERE status = 'migrated'`,
      [params.installationIdBase, params.installations],
    );

    // A finished readiness scan: most users checked, some missing an organization the App is not in,
    // a few whose App rate limit would be lower than their legacy token's.
    await sql(
      `INSERT INTO user_access_checks (user_id, checked_at, outcome, legacy_repositories, legacy_truncated, covered_repositories,
                                       coverage_source, app_token_repositories, missing, legacy_rate_limit, app_rate_limit)
       SELECT user_id, $1::timestamptz + make_interval(hours => draw % 48), CASE WHEN draw % 40 = 0 THEN 'legacy_token_dead' ELSE 'checked' END,
              repositories, false, repositories - missing, 'installations', NULL,
              CASE WHEN missing = 0 THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
                'account_id', 60000000 + draw % 300, 'account', 'org-without-app-' || draw % 300, 'account_type', 'Organization',
                'repositories', missing, 'samples', jsonb_build_array('org-without-app-' || draw % 300 || '/service-' || draw3 % 50),
                'repository_ids', (SELECT jsonb_agg(900000000 + (draw % 300) * 1000 + (draw3 + m) % 1000) FROM generate_series(1, missing) m))) END,
              5000, CASE WHEN draw3 % 100 = 0 THEN 1000 ELSE 5000 END
         FROM (SELECT p.*, CASE WHEN draw % 40 = 0 THEN 0 ELSE 5 + draw3 % 40 END AS repositories,
                      CASE WHEN draw % 40 <> 0 AND draw3 % 12 = 0 THEN 1 + draw % 3 ELSE 0 END AS missing
                 FROM seed_plan p WHERE draw % 10 <> 9) p`,
      [params.campaignStart],
    );
    await sql(
      `INSERT INTO readiness_scans (requested_by, state, total, started_at, finished_at)
       SELECT $1, 'finished', count(*), $2::timestamptz, $2::timestamptz + interval '2 days' FROM user_access_checks`,
      [MAINTAINERS[0], params.campaignStart],
    );

    // The rollout, raised step by step over the campaign, and a batch size changed once.
    const steps: Array<[name: string, from: unknown, to: unknown]> = [
      ["github_app_tokens_enabled", false, true],
      ["github_app_tokens_rollout_percent", 0, 1],
      ["rollout_guard_enabled", false, true],
      ["github_app_tokens_rollout_percent", 1, 5],
      ["user_migration_batch_size", 100, USERS_PER_BATCH],
      ["github_app_tokens_rollout_percent", 5, 10],
      ["github_app_tokens_rollout_percent", 10, 25],
      ["github_app_tokens_rollout_percent", 25, 10],
      ["github_app_tokens_rollout_percent", 10, 25],
      ["github_app_tokens_rollout_percent", 25, 50],
      ["github_app_tokens_rollout_percent", 50, 75],
    ];
    await sql(
      `INSERT INTO feature_flag_changes (name, old_value, new_value, changed_by, changed_at)
       SELECT step->>'name', step->'old_value', step->'new_value', ($3::text[])[1 + (n - 1) % cardinality($3::text[])],
              $1::timestamptz + (n - 0.5) * ($2::timestamptz - $1::timestamptz) / ${steps.length}
         FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS steps(step, n)`,
      [params.campaignStart, params.now, MAINTAINERS, JSON.stringify(steps.map(([name, from, to]) => ({ name, old_value: from, new_value: to })))],
    );
    await sql(
      `INSERT INTO feature_flags (name, value, updated_by, updated_at)
       SELECT DISTINCT ON (name) name, new_value, changed_by, changed_at FROM feature_flag_changes ORDER BY name, changed_at DESC
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    );

    const [busiest] = (
      await client.query<{ github_id: string; login: string; steps: number }>(`SELECT github_id, login, steps FROM seed_plan ORDER BY steps DESC, i LIMIT 1`)
    ).rows;
    await client.query("COMMIT");
    await client.query(
      "VACUUM (ANALYZE) users, migration_events, migration_batches, installations, installation_repositories, user_installations, user_access_checks, feature_flag_changes",
    );
    return {
      users: usersWritten.rowCount ?? 0,
      events: eventsWritten.rowCount ?? 0,
      batches: params.batches,
      installations: params.installations,
      firstGithubId: params.githubIdBase + 1,
      busiestUser: { githubId: Number(busiest!.github_id), login: busiest!.login, events: busiest!.steps },
      loginWords: LOGIN_WORDS,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
