// After the benchmark's bulk seed: every figure the app keeps by trigger compared with a fresh count
// of its source rows, and the rules the app's guarded writes hold checked over the whole file. Each
// check counts what is wrong; the seed refuses a database where any count is not 0.

/** [name, SQL returning one row with `bad`]: the number of rows (or figures) that disagree. */
const CHECKS = [
  [
    'users.confirmed_minutes = sum of confirmed records',
    `SELECT count(*) AS bad FROM users u LEFT JOIN (SELECT user_id, sum(minutes) AS m FROM hour_records WHERE status = 'confirmed' GROUP BY user_id) s ON s.user_id = u.id
     WHERE u.confirmed_minutes <> coalesce(s.m, 0)`,
  ],
  [
    'teams.confirmed_minutes and member_count = sums',
    `SELECT count(*) AS bad FROM teams t
     WHERE t.confirmed_minutes <> coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.team_id = t.id AND h.status = 'confirmed'), 0)
        OR t.member_count <> (SELECT count(*) FROM team_members m WHERE m.team_id = t.id AND m.status = 'active')`,
  ],
  [
    'county minutes counter = sum of confirmed records',
    `SELECT count(*) AS bad FROM counters WHERE name = 'hours.county_minutes' AND value <> (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE status = 'confirmed')`,
  ],
  [
    'stats_hours_monthly = confirmed records per Beijing month',
    `WITH fresh AS (SELECT strftime('%Y-%m', starts_at / 1000 + 28800, 'unixepoch') AS month, sum(minutes) AS minutes, count(*) AS records FROM hour_records WHERE status = 'confirmed' GROUP BY month),
          kept AS (SELECT month, minutes, records FROM stats_hours_monthly WHERE records <> 0)
     SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept)) + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) AS bad`,
  ],
  [
    '/stats aggregates = fresh counts (volunteers per town, events per category, honorees per year)',
    `SELECT (SELECT count(*) FROM (SELECT town_id, count(*) FROM stats_src_volunteer GROUP BY town_id EXCEPT SELECT town_id, n FROM stats_volunteers_town WHERE n <> 0))
          + (SELECT count(*) FROM (SELECT town_id, n FROM stats_volunteers_town WHERE n <> 0 EXCEPT SELECT town_id, count(*) FROM stats_src_volunteer GROUP BY town_id))
          + (SELECT count(*) FROM (SELECT category, count(*) FROM events WHERE status IN ('published', 'completed') GROUP BY category EXCEPT SELECT category, n FROM stats_events_category WHERE n <> 0))
          + (SELECT count(*) FROM (SELECT category, n FROM stats_events_category WHERE n <> 0 EXCEPT SELECT category, count(*) FROM events WHERE status IN ('published', 'completed') GROUP BY category))
          + abs((SELECT count(*) FROM honorees WHERE status = 'published') - (SELECT coalesce(sum(n), 0) FROM stats_honorees)) AS bad`,
  ],
  [
    'every service order carries its limits and deadlines; stats_orders = a fresh count per order',
    `WITH fresh AS (SELECT town_id, item_id, month, count(*) AS orders, sum(accepted) AS a, sum(accepted_on_time) AS b, sum(dispatched) AS c, sum(done) AS d,
            sum(done_on_time) AS e, sum(rated) AS f, sum(satisfied) AS g FROM stats_src_order GROUP BY town_id, item_id, month),
          kept AS (SELECT town_id, item_id, month, orders, accepted, accepted_on_time, dispatched, done, done_on_time, rated, satisfied FROM stats_orders WHERE orders <> 0)
     SELECT (SELECT count(*) FROM service_orders WHERE accept_by IS NULL OR finish_by IS NULL OR limit_finish_days IS NULL OR (accepted_at IS NOT NULL AND dispatch_by IS NULL))
          + (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept)) + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) AS bad`,
  ],
  [
    'one points entry per confirmed record, at the county rate',
    `SELECT abs((SELECT count(*) FROM hour_records h, points_rate r WHERE h.status = 'confirmed' AND min(h.minutes * r.per_hour / 60, r.cap) > 0)
              - (SELECT count(DISTINCT source_id) FROM points_entries WHERE source_type = 'hour_record'))
          + abs((SELECT coalesce(sum(min(h.minutes * r.per_hour / 60, r.cap)), 0) FROM hour_records h, points_rate r WHERE h.status = 'confirmed')
              - (SELECT coalesce(sum(amount), 0) FROM points_entries WHERE source_type = 'hour_record')) AS bad`,
  ],
  [
    'points_balances = sum of the ledger',
    `WITH fresh AS (SELECT user_id, kind, sum(amount) AS balance FROM points_entries GROUP BY user_id, kind)
     SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT user_id, kind, balance FROM points_balances))
          + (SELECT count(*) FROM (SELECT user_id, kind, balance FROM points_balances EXCEPT SELECT * FROM fresh)) AS bad`,
  ],
  [
    'no two open or confirmed records of one volunteer overlap',
    `SELECT count(*) AS bad FROM (SELECT starts_at, lag(ends_at) OVER (PARTITION BY user_id ORDER BY starts_at) AS prev_end
       FROM hour_records WHERE status IN ('pending', 'confirmed')) WHERE prev_end > starts_at`,
  ],
  [
    'events.confirmed_count = seat-holding sign-ups',
    `SELECT count(*) AS bad FROM events e WHERE e.confirmed_count <> (SELECT count(*) FROM signups s WHERE s.event_id = e.id AND s.status IN ('confirmed', 'attended', 'no_show'))`,
  ],
  [
    'search_docs = what the public may see',
    `SELECT abs((SELECT count(*) FROM search_docs)
      - (SELECT (SELECT count(*) FROM search_src_honoree) + (SELECT count(*) FROM search_src_team) + (SELECT count(*) FROM search_src_event)
              + (SELECT count(*) FROM search_src_article) + (SELECT count(*) FROM search_src_lesson))) AS bad`,
  ],
  ['search_index has one row per document', `SELECT abs((SELECT count(*) FROM search_docs) - (SELECT count(*) FROM search_index)) AS bad`],
  [
    'search for 社区 finds every document containing it',
    `SELECT abs((SELECT count(*) FROM search_index WHERE search_index MATCH '{title body} : "社区"')
      - (SELECT count(*) FROM search_docs WHERE instr(lower(title), '社区') OR instr(lower(substr(body, 1, 4000)), '社区'))) AS bad`,
  ],
];

/** Runs every check on `client` (a libSQL Client); returns [{ name, bad, ms }]. */
export async function verifySeed(client) {
  const out = [];
  for (const [name, sql] of CHECKS) {
    const t = Date.now();
    const bad = Number((await client.execute(sql)).rows[0].bad);
    out.push({ name, bad, ms: Date.now() - t });
  }
  return out;
}
