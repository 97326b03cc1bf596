// Every capability writes through db/write.ts (docs/decisions/084): a change and its audit row commit
// together, and of two people acting on the same row at once, one changes it and the other is told —
// never a second notice or audit entry for a change that did not happen. Real libSQL files.
import { describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { smsCodeFor } from '../helpers/sms.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import type { Db } from '../../db/client.ts';
import { createBatch, createHonoree } from '../../src/domain/honors/admin.ts';
import { HonoreeSchema } from '../../src/domain/honors/schemas.ts';
import { createArticle, restoreRevision, saveArticle } from '../../src/domain/articles/editing.ts';
import { registerTeam, TeamRegistrationSchema, applyToJoin, decideJoin } from '../../src/domain/teams/membership.ts';
import { createEvent, EventInputSchema, setEventStatus } from '../../src/domain/events/manage.ts';
import { signUp } from '../../src/domain/events/signups.ts';
import { grantRoleAsAdmin, issueResetToken, resetPasswordWithToken, resetTokenInfo, revokeRoleAsAdmin } from '../../src/domain/accounts/admin.ts';
import { acceptCorrection, declineCorrection, requestCorrection } from '../../src/domain/hours/corrections.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { fromShanghai, shanghaiDay } from '../../src/lib/time.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { TEST_KEY } from '../helpers/db.ts';

const n = async (db: Db, query: ReturnType<typeof sql>) => Number((await db.all<{ n: number }>(query))[0].n);

/** While this trigger stands, every audit row is refused: the change it records must not happen either. */
async function breakAuditLog(db: Db) {
  await db.run(sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
}

async function world() {
  const db = await freshDb({ seed: 'base' });
  const [editor, admin, member, volunteer] = await insertUsers(db, 4);
  await db.run(sql`INSERT INTO user_roles (user_id, role, granted_at) VALUES (${editor}, 'editor', 0), (${admin}, 'admin', 0)`);
  const town = await n(db, sql`SELECT id AS n FROM regions WHERE level = 'town' LIMIT 1`);
  const team = await insertTeam(db, member);
  const asStaff = (id: number, role: string) => ({ id, realName: '工作人员', phone: null, roles: ['volunteer', role], status: 'active' });
  return { db, editor, admin, member, volunteer, town, team, editorUser: asStaff(editor, 'editor') };
}

const today = shanghaiDay(Date.now());
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const article = { title: '社区环境整治', channel: 'news', body: '正文', summary: '', tags: [], author: '', source: '', topic: null, honoreeId: null, coverMediaId: null, attachments: [] };

describe('no change without its audit row', () => {
  test.each([
    [
      'an honoree entry',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await createHonoree(
          w.db,
          { id: w.editor },
          HonoreeSchema.parse({
            kind: 'person',
            name: '王秀兰',
            townId: w.town,
            category: '助人为乐',
            level: '县',
            summary: '三十年如一日照顾孤寡老人。',
            nameConsent: true,
            consentBy: '本人',
            consentAt: today,
            consentMethod: '书面同意书',
          }),
        );
      },
      sql`SELECT count(*) AS n FROM honorees`,
    ],
    [
      'an honor batch',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await createBatch(w.db, { id: w.editor }, { title: '第三季度好人榜', period: '2026年第三季度' });
      },
      sql`SELECT count(*) AS n FROM honor_batches`,
    ],
    [
      'an article draft',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await createArticle(w.db, w.editorUser, article);
      },
      sql`SELECT count(*) AS n FROM articles`,
    ],
    [
      'a team registration',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await registerTeam(w.db, w.volunteer, TeamRegistrationSchema.parse({ name: '新桥青年志愿队', slug: 'xinqiao-youth', townId: w.town, serviceTypes: ['环境保护'], summary: '守护新桥河' }));
      },
      sql`SELECT count(*) AS n FROM teams`,
    ],
    [
      'an event draft',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await createEvent(
          w.db,
          w.member,
          w.team,
          EventInputSchema.parse({ title: '河道清洁', category: '环境保护', startsAt: `${NEXT_YEAR}-06-01T09:00`, endsAt: `${NEXT_YEAR}-06-01T11:30`, capacity: 10 }),
        );
      },
      sql`SELECT count(*) AS n FROM events`,
    ],
    [
      'a revoked role',
      async (w: Awaited<ReturnType<typeof world>>) => {
        await revokeRoleAsAdmin(w.db, { actorId: w.admin, userId: w.editor, role: 'editor' });
      },
      sql`SELECT count(*) AS n FROM user_roles WHERE role = 'editor'`,
    ],
  ])('%s is not created or changed when its audit row cannot be written', async (_name, act, rows) => {
    const w = await world();
    const before = await n(w.db, rows);
    await breakAuditLog(w.db);
    await expect(act(w)).rejects.toThrow();
    expect(await n(w.db, rows)).toBe(before);
  });

  test('a registration leaves no account (and the phone stays free) when its audit row cannot be written', async () => {
    const w = await world();
    const [town] = await regionTree(w.db);
    const input = await RegisterSchema.parseAsync({
      phone: '13512340000',
      smsCode: await smsCodeFor(w.db, '13512340000', 'register', { secretKey: TEST_KEY }),
      password: 'correct horse battery',
      realName: '王小明',
      idType: '居民身份证',
      idNumber: makeIdNumber('1990-03-15', 1),
      townId: town.id,
      villageId: town.villages[0].id,
      skills: [],
      guardianConsent: false,
      publishConsent: false,
      agreeTerms: true,
      agreePrivacy: true,
    });
    await breakAuditLog(w.db);
    await expect(registerVolunteer(w.db, TEST_KEY, input, { ip: '10.0.0.9' })).rejects.toThrow();
    expect(await n(w.db, sql`SELECT count(*) AS n FROM users WHERE phone = '13512340000'`)).toBe(0);
    await w.db.run(sql`DROP TRIGGER audit_down`);
    expect(await registerVolunteer(w.db, TEST_KEY, input, { ip: '10.0.0.9' })).toBeGreaterThan(0);
  });

  test('a restored version is not saved when its audit row cannot be written', async () => {
    const w = await world();
    const id = await createArticle(w.db, w.editorUser, article);
    await saveArticle(w.db, w.editorUser, id, { ...article, title: '社区环境整治（修订）' });
    await w.db.run(
      sql`INSERT INTO article_revisions (article_id, content, status, created_by, created_at) VALUES (${id}, ${JSON.stringify({ ...article, title: '旧的标题' })}, 'superseded', ${w.editor}, 0)`,
    );
    const [old] = await w.db.all<{ id: number }>(sql`SELECT id FROM article_revisions WHERE article_id = ${id}`);
    await breakAuditLog(w.db);
    await expect(restoreRevision(w.db, w.editorUser, id, old.id)).rejects.toThrow();
    expect((await w.db.all<{ title: string }>(sql`SELECT title FROM articles WHERE id = ${id}`))[0].title).toBe('社区环境整治（修订）');
  });

  test('a password reset link is not used up when the reset cannot be recorded: it still works afterwards', async () => {
    const w = await world();
    const { token } = await issueResetToken(w.db, { actorId: w.admin, userId: w.volunteer });
    await breakAuditLog(w.db);
    await expect(resetPasswordWithToken(w.db, { token, password: 'brand-new-password' })).rejects.toThrow();
    await w.db.run(sql`DROP TRIGGER audit_down`);
    expect(await resetTokenInfo(w.db, token)).not.toBeNull();
    await resetPasswordWithToken(w.db, { token, password: 'brand-new-password' });
    expect(await resetTokenInfo(w.db, token)).toBeNull();
  });
});

describe('two people on one row at once: one changes it, the other is told', () => {
  test('two leaders cancel the same event: each volunteer gets one cancellation notice, the log one entry', async () => {
    const w = await world();
    const [coLeader, ...volunteers] = await insertUsers(w.db, 4);
    await w.db.run(sql`INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (${w.team}, ${coLeader}, 'coleader', 'active', 0)`);
    const event = await insertEvent(w.db, w.team);
    for (const v of volunteers) await signUp(w.db, { eventId: event, userId: v });
    const results = await Promise.allSettled([setEventStatus(w.db, w.member, w.team, event, 'cancelled'), setEventStatus(w.db, coLeader, w.team, event, 'cancelled')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    // A refusal in Chinese (刷新后重试, or 当前状态不能执行此操作 when it read the status after the other's write), never a fault.
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('EventError');
    for (const v of volunteers) expect(await n(w.db, sql`SELECT count(*) AS n FROM notices WHERE user_id = ${v} AND kind = 'event.cancelled'`)).toBe(1);
    expect(await n(w.db, sql`SELECT count(*) AS n FROM audit_log WHERE action = 'event.cancelled'`)).toBe(1);
  });

  test('a join request approved and declined at once: one decision, and the applicant is told only that one', async () => {
    const w = await world();
    await applyToJoin(w.db, w.team, w.volunteer);
    const [m] = await w.db.all<{ id: number }>(sql`SELECT id FROM team_members WHERE user_id = ${w.volunteer}`);
    await Promise.allSettled([decideJoin(w.db, w.member, w.team, m.id, true), decideJoin(w.db, w.member, w.team, m.id, false)]);
    const [row] = await w.db.all<{ status: string }>(sql`SELECT status FROM team_members WHERE id = ${m.id}`);
    const told = await w.db.all<{ kind: string }>(sql`SELECT kind FROM notices WHERE user_id = ${w.volunteer} AND kind LIKE 'team.join_%'`);
    expect(told.map((t) => t.kind)).toEqual([row.status === 'active' ? 'team.join_approved' : 'team.join_declined']);
  });

  test('a correction accepted and declined at once: the record keeps the times the decision says', async () => {
    const w = await world();
    const now = fromShanghai('2026-06-15', '20:00');
    await w.db.run(sql`INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (${w.team}, ${w.volunteer}, 'member', 'active', 0)`);
    const record = await claimHours(w.db, w.volunteer, { teamId: w.team, day: '2026-06-10', start: '09:00', end: '11:00', content: '清扫' }, now);
    const correction = await requestCorrection(w.db, w.volunteer, { recordId: record, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T12:30', reason: '签退晚了' }, now);
    await Promise.allSettled([acceptCorrection(w.db, w.member, correction, now), declineCorrection(w.db, w.member, correction, '无现场记录', now)]);
    const [c] = await w.db.all<{ status: string }>(sql`SELECT status FROM hour_corrections WHERE id = ${correction}`);
    const [h] = await w.db.all<{ ends_at: number }>(sql`SELECT ends_at FROM hour_records WHERE id = ${record}`);
    expect(h.ends_at).toBe(c.status === 'accepted' ? fromShanghai('2026-06-10', '12:30') : fromShanghai('2026-06-10', '11:00'));
  });
});

describe('roles', () => {
  test('granting a role twice at once records one grant', async () => {
    const w = await world();
    await Promise.all([grantRoleAsAdmin(w.db, { actorId: w.admin, userId: w.volunteer, role: 'reviewer' }), grantRoleAsAdmin(w.db, { actorId: w.admin, userId: w.volunteer, role: 'reviewer' })]);
    expect(await n(w.db, sql`SELECT count(*) AS n FROM audit_log WHERE action = 'role.grant' AND target_id = ${String(w.volunteer)}`)).toBe(1);
  });
});
