// Idempotent seed: regions and static pages into an empty database always;
// demo teams, honorees, articles, lessons, events and one account per role
// when SEED_DEMO is on and the database holds no teams yet.
import { eq, sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.ts';
import { loadContent, type Content } from './content.ts';
import { articles, events, honorBatches, honorees, hourRecords, legalLessons, pages, regions, reviewSteps, signups, teamMembers, teams } from './schema/index.ts';
import { createUser } from '../src/domain/accounts/users.ts';
import { fromShanghai, shanghaiDay } from '../src/lib/time.ts';
import { makeIdNumber } from '../src/lib/id-number.ts';
import { randomToken } from '../src/lib/ids.ts';
import { recomputeTotals } from '../src/domain/hours/totals.ts';
import { getSetting, setSetting } from '../src/domain/settings/index.ts';
import { seedHonors } from './seed-honors.ts';
import { reviewSeededHours, seedHours } from './seed-hours.ts';
import { seedEventsDemo } from './seed-events.ts';
import { seedPublishing } from './seed-publishing.ts';
import { seedOrders } from './seed-orders.ts';
import { seedOrderDelivery } from './seed-order-delivery.ts';
import { fillOrderDeadlines } from '../src/domain/orders/deadlines.ts';
import { seedPoints } from './seed-points.ts';
import { seedHouseholds } from './seed-households.ts';
import { withStartupLock } from './startup-lock.ts';

export const contentDir = fileURLToPath(new URL('../content', import.meta.url));

export interface DemoAccount {
  role: string;
  label: string;
  phone: string;
  password: string;
  name: string;
}

/** Loads regions (if none) and static pages (upsert). */
export async function seedBase(db: Db, content: Content): Promise<void> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)` }).from(regions);
  if (Number(n) === 0) {
    const [county] = await db.insert(regions).values({ code: content.regions.county.code, name: content.regions.county.name, level: 'county', kind: '县' }).returning();
    let ti = 0;
    for (const t of content.regions.towns) {
      const [town] = await db.insert(regions).values({ code: t.code, name: t.name, level: 'town', kind: t.kind, parentId: county.id, sort: ti++ }).returning();
      await db.insert(regions).values(t.villages.map((v, i) => ({ code: v.code, name: v.name, level: 'village', kind: v.kind, parentId: town.id, sort: i })));
    }
  }
  for (const p of content.pages) {
    await db
      .insert(pages)
      .values({ slug: p.slug, title: p.title, version: p.version, body: p.body, updatedOn: p.updatedOn })
      .onConflictDoUpdate({ target: pages.slug, set: { title: p.title, version: p.version, body: p.body, updatedOn: p.updatedOn } });
  }
}

/** Surnames and given names of the demo county's people (also the benchmark's, scripts/bench/seed.mjs). */
export const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN: readonly string[] = [
  '秀英',
  '建国',
  '桂兰',
  '志强',
  '晓燕',
  '文华',
  '德明',
  '玉梅',
  '海涛',
  '丽娟',
  '国强',
  '春花',
  '明亮',
  '雪梅',
  '永红',
  '俊杰',
  '淑珍',
  '立新',
  '佳怡',
  '浩然',
  '子涵',
  '宇轩',
  '欣怡',
  '家豪',
  '思远',
  '晨曦',
  '翠兰',
  '长青',
  '兴旺',
  '美玲',
];

/**
 * Team hotlines of the demo county (issue 18, item 8): landlines with the county's area code, published as
 * each team's public contact so demo team and event pages show 联系电话. The other teams publish none.
 */
const DEMO_HOTLINES: Readonly<Record<string, string>> = {
  'chengguan-red-vest': '0838-6212345',
  'longtan-emergency-rescue': '0838-6263119',
  'yunxi-medical-volunteers': '0838-6251120',
  'yunxi-lawyers-legal-aid': '0838-6236148',
  'yunwu-forest-fire': '0838-6278119',
};

/** Loads the demo corpus and demo accounts; returns the accounts (passwords shown once). */
export async function seedDemo(db: Db, content: Content, secretKey: Buffer, now = Date.now()): Promise<DemoAccount[]> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)` }).from(teams);
  if (Number(n) > 0) return [];
  const regionRows = await db.select().from(regions);
  const town = (name: string) => regionRows.find((r) => r.level === 'town' && r.name === name)?.id ?? null;
  const village = (townId: number | null, name?: string) => (name ? (regionRows.find((r) => r.parentId === townId && r.name === name)?.id ?? null) : null);

  // Teams
  const teamIds = new Map<string, number>();
  for (const t of content.teams) {
    const townId = town(t.town);
    const hotline = DEMO_HOTLINES[t.slug];
    const [row] = await db
      .insert(teams)
      .values({
        slug: t.slug,
        name: t.name,
        townId,
        villageId: village(townId, t.village),
        serviceTypes: JSON.stringify(t.serviceTypes),
        foundedOn: t.foundedOn ?? null,
        summary: t.summary,
        description: t.body,
        honours: JSON.stringify(t.honours),
        leaderName: t.leaderName ?? null,
        contactPhone: hotline ?? null,
        publicContact: hotline ? 'hotline' : 'none',
        status: 'active',
        createdAt: now,
      })
      .returning({ id: teams.id });
    teamIds.set(t.slug, row.id);
  }
  // The county publishes these on purpose: on the allow-list, text that quotes one is not refused or masked.
  const listed = await getSetting(db, 'publicPhones');
  const hotlines = content.teams.filter((t) => DEMO_HOTLINES[t.slug]).map((t) => ({ number: DEMO_HOTLINES[t.slug], label: `${t.name}热线` }));
  await setSetting(db, 'publicPhones', [...listed, ...hotlines.filter((h) => !listed.some((l) => l.number === h.number))]);

  // Honor batches and honorees
  const batchIds = new Map<string, number>();
  for (const b of content.batches) {
    const [row] = await db
      .insert(honorBatches)
      .values({
        slug: b.slug,
        title: b.title,
        period: b.period,
        intro: b.intro,
        status: 'published',
        publicityStartsAt: fromShanghai(b.publicityStart),
        publicityEndsAt: fromShanghai(b.publicityEnd, '23:59'),
        publishedAt: fromShanghai(b.publishedOn, '10:00'),
      })
      .returning({ id: honorBatches.id });
    batchIds.set(b.slug, row.id);
  }
  const honoreeIds = new Map<string, number>();
  for (const h of content.honorees) {
    const townId = town(h.town);
    const minor = h.birthYear != null && new Date(now).getUTCFullYear() - h.birthYear < 18;
    const batchId = batchIds.get(h.batch) ?? null;
    const batch = content.batches.find((b) => b.slug === h.batch);
    const [row] = await db
      .insert(honorees)
      .values({
        slug: h.slug,
        batchId,
        name: h.name,
        epithet: h.epithet ?? null,
        kind: h.kind,
        identity: h.identity,
        gender: h.gender ?? null,
        birthYear: h.birthYear ?? null,
        townId,
        villageId: village(townId, h.village),
        category: h.category,
        level: h.level,
        title: h.title,
        summary: h.summary,
        story: h.body,
        photoConsent: h.photoConsent,
        laterHonours: JSON.stringify(h.laterHonours),
        consentBy: h.consent?.by ?? null,
        consentAt: h.consent?.at ?? null,
        consentMethod: h.consent?.method ?? null,
        guardianConsent: minor && !!h.consent,
        nameConsent: !minor,
        status: 'published',
        publishedAt: batch ? fromShanghai(batch.publishedOn, '10:00') : now,
        createdAt: now,
      })
      .returning({ id: honorees.id });
    honoreeIds.set(h.slug, row.id);
  }

  // Articles and lessons
  for (const a of content.articles) {
    await db.insert(articles).values({
      slug: a.slug,
      channel: a.channel,
      topic: a.topic ?? null,
      title: a.title,
      summary: a.summary,
      body: a.body,
      tags: JSON.stringify(a.tags),
      author: a.author,
      source: a.source,
      honoreeId: a.honoree ? (honoreeIds.get(a.honoree) ?? null) : null,
      status: 'published',
      reviewStep: 2,
      publishedAt: fromShanghai(a.publishedOn, '09:00'),
      createdAt: now,
    });
  }
  for (const l of content.lessons) {
    await db.insert(legalLessons).values({ slug: l.slug, title: l.title, topic: l.topic, lawRef: l.lawRef, summary: l.summary, body: l.body, sort: l.order, createdAt: now });
  }

  // Events, relative to today (Shanghai)
  const today = shanghaiDay(now);
  const eventIds: { id: number; teamId: number; past: boolean; startsAt: number; endsAt: number; capacity: number }[] = [];
  for (const e of content.events) {
    const teamId = teamIds.get(e.team);
    if (!teamId) throw new Error(`content/events/${e.slug}: unknown team ${e.team}`);
    const day = shanghaiDay(fromShanghai(today) + e.offsetDays * 86400_000);
    const startsAt = fromShanghai(day, e.startTime);
    const endsAt = fromShanghai(day, e.endTime);
    const townId = town(e.town);
    const past = endsAt < now;
    const [row] = await db
      .insert(events)
      .values({
        teamId,
        title: e.title,
        category: e.category,
        description: e.body,
        risks: e.risks,
        townId,
        villageId: village(townId, e.village),
        address: e.address,
        startsAt,
        endsAt,
        signupOpensAt: startsAt - 30 * 86400_000,
        signupClosesAt: startsAt,
        capacity: e.capacity,
        waitlistEnabled: e.waitlist,
        dangerous: e.dangerous,
        insurancePolicy: e.insurancePolicy ?? null,
        minAge: e.minAge ?? null,
        membersOnly: e.membersOnly,
        requiredSkill: e.requiredSkill ?? null,
        status: past ? 'completed' : 'published',
        checkinSecret: randomToken(16),
        createdAt: now,
      })
      .returning({ id: events.id });
    eventIds.push({ id: row.id, teamId, past, startsAt, endsAt, capacity: e.capacity });
  }

  // Demo accounts, one per role, with random passwords.
  const pw = () => randomToken(8);
  const towns = regionRows.filter((r) => r.level === 'town');
  const accounts: DemoAccount[] = [
    { role: 'admin', label: '系统管理员', phone: '13900000001', password: pw(), name: '周文涛' },
    { role: 'editor', label: '宣传编辑', phone: '13900000002', password: pw(), name: '林晓雯' },
    { role: 'reviewer', label: '审核员（初审）', phone: '13900000003', password: pw(), name: '郑国平' },
    { role: 'reviewer', label: '审核员（终审）', phone: '13900000004', password: pw(), name: '邓雅琴' },
    { role: 'leader', label: '队长（城关镇红马甲志愿服务队）', phone: '13900000005', password: pw(), name: '李建华' },
    { role: 'volunteer', label: '志愿者', phone: '13900000006', password: pw(), name: '何思远' },
    // A 所's staff member: order handling for one 乡镇 only (docs/decisions/100).
    { role: 'editor', label: `乡镇实践所工作人员（${towns[0]?.name ?? '城关镇'}，只处理本镇服务点单）`, phone: '13900000021', password: pw(), name: '罗晓燕' },
  ];
  const firstTeam = teamIds.get('chengguan-red-vest') ?? [...teamIds.values()][0];
  const accountIds = new Map<string, number>();
  let serial = 1;
  for (const a of accounts) {
    const roles = a.role === 'leader' || a.role === 'volunteer' ? [] : [a.role as 'admin' | 'editor' | 'reviewer'];
    const birth = `19${70 + serial * 3}-0${(serial % 9) + 1}-1${serial % 9}`;
    const id = await createUser(db, secretKey, {
      phone: a.phone,
      password: a.password,
      realName: a.name,
      roles,
      idNumber: makeIdNumber(birth, serial, serial % 2 === 1),
      birthDate: birth,
      townId: towns[0]?.id,
      termsVersion: '2026-01',
      privacyVersion: '2026-01',
    });
    serial++;
    accountIds.set(a.phone, id);
    if (a.role === 'leader' || a.role === 'volunteer') {
      await db.insert(teamMembers).values({ teamId: firstTeam, userId: id, role: a.role === 'leader' ? 'leader' : 'member', status: 'active', createdAt: now, decidedAt: now });
    }
  }

  if (towns[0]) await db.run(sql`UPDATE user_roles SET town_id = ${towns[0].id} WHERE role = 'editor' AND user_id = ${accountIds.get('13900000021')!}`);

  // The published demo articles went through 三审 like real ones (issue 19 item 3): written and submitted by
  // the editor, 初审 and 终审 by two different reviewers, all before publication, so the 审核表 is filled.
  const editorId = accountIds.get('13900000002')!;
  const firstReviewer = accountIds.get('13900000003')!;
  const finalReviewer = accountIds.get('13900000004')!;
  for (const a of await db.select({ id: articles.id, publishedAt: articles.publishedAt }).from(articles)) {
    const published = a.publishedAt ?? now;
    await db
      .update(articles)
      .set({ createdBy: editorId, submittedAt: published - 26 * 3600_000 })
      .where(eq(articles.id, a.id));
    await db.insert(reviewSteps).values([
      { subjectType: 'article', subjectId: a.id, step: 0, decision: 'submit', reviewerId: editorId, at: published - 26 * 3600_000 },
      {
        subjectType: 'article',
        subjectId: a.id,
        step: 1,
        decision: 'approve',
        opinion: '内容属实，文字通顺，同意',
        secrecyOpinion: '经审查，不涉及国家秘密、工作秘密和个人隐私',
        reviewerId: firstReviewer,
        at: published - 20 * 3600_000,
      },
      { subjectType: 'article', subjectId: a.id, step: 2, decision: 'approve', opinion: '同意发布', secrecyOpinion: '同意，可公开发布', reviewerId: finalReviewer, at: published - 3600_000 },
    ]);
  }

  // Demo volunteers with attendance and confirmed hours on past events.
  const password = randomToken(12);
  const volunteerIds: number[] = [];
  for (let i = 0; i < 48; i++) {
    const name = SURNAMES[(i * 7) % SURNAMES.length] + GIVEN[(i * 11) % GIVEN.length];
    const birth = `${1960 + (i % 45)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
    const t = towns[i % towns.length];
    const id = await createUser(db, secretKey, {
      phone: `137${String(10000000 + i * 7919).slice(-8)}`,
      password,
      realName: name,
      idNumber: makeIdNumber(birth, 10 + i, i % 2 === 0),
      birthDate: birth,
      townId: t?.id,
      termsVersion: '2026-01',
      privacyVersion: '2026-01',
      skills: i % 5 === 0 ? ['法律'] : i % 3 === 0 ? ['急救'] : [],
    });
    volunteerIds.push(id);
  }
  for (const [slug, teamId] of teamIds) {
    const members = volunteerIds.filter((_, i) => i % teamIds.size === [...teamIds.keys()].indexOf(slug) || i % 4 === [...teamIds.keys()].indexOf(slug) % 4);
    await db
      .insert(teamMembers)
      .values(members.map((userId) => ({ teamId, userId, role: 'member', status: 'active', createdAt: now, decidedAt: now })))
      .onConflictDoNothing();
  }
  for (const e of eventIds) {
    const members = await db.select({ userId: teamMembers.userId }).from(teamMembers).where(eq(teamMembers.teamId, e.teamId));
    const take = members.slice(0, Math.min(e.capacity, e.past ? members.length : Math.floor(e.capacity / 2)));
    let seq = 1;
    for (const m of take) {
      await db
        .insert(signups)
        .values({
          eventId: e.id,
          userId: m.userId,
          status: e.past ? 'attended' : 'confirmed',
          seq: seq++,
          checkinAt: e.past ? e.startsAt : null,
          checkoutAt: e.past ? e.endsAt : null,
          proposedMinutes: e.past ? Math.round((e.endsAt - e.startsAt) / 60000) : null,
          createdAt: now,
        })
        .onConflictDoNothing();
      if (e.past) {
        await db.insert(hourRecords).values({
          userId: m.userId,
          teamId: e.teamId,
          eventId: e.id,
          source: 'attendance',
          startsAt: e.startsAt,
          endsAt: e.endsAt,
          minutes: Math.round((e.endsAt - e.startsAt) / 60000),
          content: '参加志愿服务活动',
          status: 'confirmed',
          reviewedAt: now,
          createdAt: now,
        });
      }
    }
    await db
      .update(events)
      .set({ confirmedCount: e.past ? 0 : take.length })
      .where(eq(events.id, e.id));
  }
  // Older team history so totals look like a living county.
  for (let i = 0; i < volunteerIds.length; i++) {
    const userId = volunteerIds[i];
    const [m] = await db.select({ teamId: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.userId, userId)).limit(1);
    if (!m) continue;
    const sessionsCount = 6 + (i % 20);
    const rows = [];
    for (let k = 0; k < sessionsCount; k++) {
      const day = shanghaiDay(now - (100 + k * 21 + i) * 86400_000);
      const startsAt = fromShanghai(day, '14:00');
      const minutes = 120 + (k % 3) * 60;
      rows.push({ userId, teamId: m.teamId, source: 'leader', startsAt, endsAt: startsAt + minutes * 60000, minutes, content: '常态化志愿服务', status: 'confirmed', reviewedAt: now, createdAt: now });
    }
    await db.insert(hourRecords).values(rows);
  }
  await reviewSeededHours(db);
  await recomputeTotals(db);
  await seedHonors(db, secretKey, now);
  await seedHours(db, now);
  await seedEventsDemo(db, now);
  await seedPublishing(db, now);
  await seedOrders(db, now);
  await seedOrderDelivery(db);
  // The demo orders are written as plain rows: give them the deadlines the app stores on each order.
  await fillOrderDeadlines(db);
  accounts.push(...(await seedPoints(db, secretKey, now)));
  await seedHouseholds(db, secretKey, now);
  return accounts;
}

/** Runs the whole seed for a database that has been migrated. */
export async function seed(db: Db, opts: { secretKey: Buffer; demo: boolean; contentRoot?: string }): Promise<DemoAccount[]> {
  const content = loadContent(opts.contentRoot ?? contentDir);
  // "Empty?" and the inserts must not interleave with another starting process (db/startup-lock.ts).
  return withStartupLock(db, async () => {
    await seedBase(db, content);
    return opts.demo ? seedDemo(db, content, opts.secretKey) : [];
  });
}
