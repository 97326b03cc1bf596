// Demo data for the hours capability: pending claims in the demo leader's queue,
// a correction request and one issued certificate for the demo volunteer.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { writeBatch } from './write.ts';
import { shanghaiDay } from '../src/lib/time.ts';
import { HoursError } from '../src/domain/hours/errors.ts';
import { claimHours } from '../src/domain/hours/claims.ts';
import { requestCorrection } from '../src/domain/hours/corrections.ts';
import { issueCertificate, requestCertificate } from '../src/domain/hours/certificates.ts';

/** Adds pending hours, a correction and a certificate around the demo leader (139…05) and volunteer (139…06). */
export async function seedHours(db: Db, now = Date.now()): Promise<void> {
  const ids = await db.$client.execute(`SELECT id, phone FROM users WHERE phone IN ('13900000005', '13900000006')`);
  const leader = Number(ids.rows.find((r) => r.phone === '13900000005')?.id);
  const volunteer = Number(ids.rows.find((r) => r.phone === '13900000006')?.id);
  const team = await db.$client.execute(`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`);
  if (!leader || !volunteer || !team.rows.length) return;
  const teamId = Number(team.rows[0].id);
  const members = await db.$client.execute({ sql: `SELECT user_id FROM team_members WHERE team_id = ? AND role = 'member' AND status = 'active' ORDER BY user_id LIMIT 4`, args: [teamId] });
  const day = (n: number) => shanghaiDay(now - n * 86400_000);
  const tryIt = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof HoursError)) throw e;
    }
  };
  const contents = ['社区图书角整理', '敬老院陪护聊天', '路口文明劝导', '垃圾分类宣传'];
  for (const [i, m] of members.rows.entries()) {
    await tryIt(() => claimHours(db, Number(m.user_id), { teamId, day: day(2 + i), start: '19:00', end: '21:00', content: contents[i % contents.length] }, now));
  }
  // The demo volunteer's claim, then a correction request on it.
  await tryIt(async () => {
    const id = await claimHours(db, volunteer, { teamId, day: day(1), start: '18:30', end: '20:00', content: '社区防诈骗宣传' }, now);
    const d = day(1);
    await requestCorrection(db, volunteer, { recordId: id, startsAt: `${d}T18:30`, endsAt: `${d}T20:30`, reason: '活动结束后协助收拾场地，实际到 20:30' }, now);
  });
  // One issued certificate over the volunteer's confirmed hours this year.
  await tryIt(async () => {
    const from = `${day(0).slice(0, 4)}-01-01`;
    const certId = await requestCertificate(db, volunteer, { teamId, from, to: day(0), note: '学校社会实践' }, now);
    await issueCertificate(db, leader, certId, now);
  });
}

/**
 * Gives the seed's confirmed records a reviewer and a review time after the service: the team's leader who is
 * not the volunteer, else a 宣传编辑 of the county centre. The statements are migration 0013's, which fixes
 * databases seeded before it (one text, so a seeded database and a migrated one agree).
 */
export async function reviewSeededHours(db: Db): Promise<void> {
  const text = readFileSync(new URL('./migrations/0013_audit_ledger.sql', import.meta.url), 'utf8');
  const statements = text
    .split('--> statement-breakpoint')
    .map((s) => s.replace(/^--[^\n]*\n/gm, '').trim())
    .filter(Boolean);
  await writeBatch(
    db,
    statements.map((s) => sql.raw(s)),
  );
}
