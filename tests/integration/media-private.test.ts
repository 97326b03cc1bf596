// Private evidence and public media (issue 15, item 1; docs/decisions/076): who may see a private
// file, when a library file is public, a honoree's photo and consent, and the migration of rows
// that were library media before.
import { beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { freshDb } from '../helpers/db.ts';
import { insertLectureOrder } from './publishing-helpers.ts';
import { openDb, type Db } from '../../db/client.ts';
import { migrateDb, migrationsFolder } from '../../db/migrate.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { recordLectureDelivery } from '../../src/domain/legal/lectures.ts';
import { createArticle } from '../../src/domain/articles/editing.ts';
import { honoreePhotoFile, libraryFileFor, listImages, uploadAttachment, uploadImage } from '../../src/domain/media/index.ts';
import { mayViewPrivateFile, privateFileFor, relocatePrivateFiles, uploadPrivateImage } from '../../src/domain/media/private.ts';
import { shanghaiDay } from '../../src/lib/time.ts';
import { addMember, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let dir: string;
const png = (w = 200, colour = '#36c') =>
  sharp({ create: { width: w, height: 100, channels: 3, background: colour } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));
const as = (id: number, roles: string[] = ['volunteer'], status = 'active'): SessionUser => ({ id, realName: '某人', phone: null, roles, status });
const exec = (sql: string, args: (string | number | null)[] = []) => db.$client.execute({ sql, args });

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  dir = mkdtempSync(join(tmpdir(), 'shanxing-private-'));
});

describe('a claim photo is private evidence', () => {
  test('stored apart and out of the library; the volunteer and the team leaders see it, nobody else does', async () => {
    const team = await makeTeam(db);
    const otherTeam = await makeTeam(db, '别的队');
    const volunteer = await makeUser(db);
    const leader = await makeUser(db, '队长');
    const teammate = await makeUser(db, '队友');
    const otherLeader = await makeUser(db, '别队队长');
    await addMember(db, team, volunteer);
    await addMember(db, team, teammate);
    await addMember(db, team, leader, 'leader');
    await addMember(db, otherTeam, otherLeader, 'leader');
    const f = await uploadPrivateImage(db, dir, { bytes: await png(), name: 'scene.png', purpose: 'hour_claim', userId: volunteer });
    await claimHours(db, volunteer, { teamId: team, day: shanghaiDay(Date.now() - 2 * 86400_000), start: '09:00', end: '10:00', content: '清扫楼道', photoFileId: f.id });

    expect(f.fileKey).toMatch(/^[a-z0-9]{32}$/);
    const name = `${f.fileKey}-200.webp`;
    expect(readdirSync(join(dir, 'private'))).toContain(name);
    expect(existsSync(join(dir, name))).toBe(false);
    expect((await listImages(db)).map((m) => m.fileKey)).not.toContain(f.fileKey);
    expect(await libraryFileFor(db, dir, name, as(1, ['volunteer', 'editor']))).toBeUndefined();

    const editor = await makeUser(db, '编辑');
    const cases: [string, SessionUser | null, boolean][] = [
      ['anonymous', null, false],
      ['the volunteer', as(volunteer), true],
      ['a team leader', as(leader), true],
      ['a teammate', as(teammate), false],
      ["another team's leader", as(otherLeader), false],
      ['an editor', as(editor, ['volunteer', 'editor']), false],
      ['an admin', as(editor, ['volunteer', 'admin']), false],
      ['the volunteer, disabled', as(volunteer, ['volunteer'], 'disabled'), false],
      ['the leader, disabled', as(leader, ['volunteer'], 'disabled'), false],
    ];
    for (const [who, user, sees] of cases) {
      const served = await privateFileFor(db, dir, name, user);
      expect(!!served, who).toBe(sees);
      if (served) expect(served).toMatchObject({ audience: 'private', mime: 'image/webp', path: join(dir, 'private', name) });
    }
    // Only names the row stored: another width or extension of the same key is not a file.
    expect(await privateFileFor(db, dir, `${f.fileKey}-480.webp`, as(volunteer))).toBeUndefined();
    expect(await privateFileFor(db, dir, `${f.fileKey}.jpg`, as(volunteer))).toBeUndefined();
    expect(await privateFileFor(db, dir, `${f.fileKey}.png`, as(volunteer))).toMatchObject({ mime: 'image/png' });
  });

  test('a nomination photo: the staff handling nominations only; a lecture photo: lecture staff only', async () => {
    const someone = await makeUser(db, '某志愿者');
    const nom = await uploadPrivateImage(db, dir, { bytes: await png(), purpose: 'nomination', userId: null });
    await exec(
      `INSERT INTO nominations (tracking_no, nominator_name, nominator_phone, relation, nominee_name, category, deeds, photo_file_id, created_at)
                VALUES ('TJ-T-1', '甲', '13800000000', '邻居', '乙', '助人为乐', '事迹', ?, ?)`,
      [nom.id, Date.now()],
    );
    const lec = await uploadPrivateImage(db, dir, { bytes: await png(), purpose: 'lecture', userId: null });
    await insertLectureOrder(db, { trackingNo: 'PF-T-1', topic: '民法典', photoFileIds: [lec.id] });
    const editor = as(someone, ['volunteer', 'editor']);
    for (const [who, user, sees] of [
      ['editor', editor, true],
      ['reviewer', as(someone, ['volunteer', 'reviewer']), false],
      ['admin', as(someone, ['admin']), false],
      ['volunteer', as(someone), false],
    ] as const) {
      expect(await mayViewPrivateFile(db, user, nom.id), `nomination: ${who}`).toBe(sees);
      expect(await mayViewPrivateFile(db, user, lec.id), `lecture: ${who}`).toBe(sees);
    }
    // A private file no record holds (an upload whose record was refused) is nobody's.
    const orphan = await uploadPrivateImage(db, dir, { bytes: await png(), purpose: 'nomination', userId: null });
    expect(await mayViewPrivateFile(db, editor, orphan.id)).toBe(false);
  });
});

describe("a delivered lecture's photos", () => {
  test('are private files for lecture staff; a bad photo is refused next to the field and nothing is stored', async () => {
    const editor = as(await makeUser(db, '普法编辑'), ['volunteer', 'editor']);
    const id = await insertLectureOrder(db, { trackingNo: 'PF-T-2', topic: '反电信诈骗', status: 'assigned' });
    const count = async () => Number((await exec("SELECT count(*) AS n FROM private_files WHERE purpose = 'lecture'")).rows[0].n);
    const before = await count();
    const libraryBefore = (await listImages(db, 1000)).length;
    const good = { bytes: await png(), name: 'a.png' };
    const bad = { bytes: new TextEncoder().encode('<svg onload="alert(1)"></svg>'), name: 'b.jpg' };
    await expect(recordLectureDelivery(db, editor, id, { audience: 35, photos: { uploadsDir: dir, files: [good, bad] } })).rejects.toMatchObject({ field: 'photos', status: 'BAD_REQUEST' });
    expect(await count()).toBe(before);
    expect((await exec('SELECT status FROM service_orders WHERE id = ?', [id])).rows[0].status).toBe('assigned');
    const tooMany = Array.from({ length: 13 }, () => good);
    await expect(recordLectureDelivery(db, editor, id, { audience: 35, photos: { uploadsDir: dir, files: tooMany } })).rejects.toMatchObject({ field: 'photos' });

    await recordLectureDelivery(db, editor, id, { audience: 35, photos: { uploadsDir: dir, files: [good, good] } });
    const ids: number[] = JSON.parse(String((await exec("SELECT json_extract(lecture, '$.photoFileIds') AS ids FROM service_orders WHERE id = ?", [id])).rows[0].ids));
    expect(ids).toHaveLength(2);
    expect(await count()).toBe(before + 2);
    for (const f of ids) {
      expect(await mayViewPrivateFile(db, editor, f)).toBe(true);
      expect(await mayViewPrivateFile(db, as(editor.id, ['volunteer', 'reviewer']), f)).toBe(false);
    }
    expect((await listImages(db, 1000)).length).toBe(libraryBefore); // never offered to editors
  });
});

describe('a library file is public only while something public uses it', () => {
  const editorUser = () => as(1, ['volunteer', 'editor']);
  test('article cover, body image and attachment: draft → published → withdrawn; staff always see them', async () => {
    const cover = await uploadImage(db, dir, { bytes: await png(1200), alt: '封面', userId: 1 });
    const inBody = await uploadImage(db, dir, { bytes: await png(300, '#c33'), alt: '插图', userId: 1 });
    const pdf = await uploadAttachment(db, dir, { bytes: new TextEncoder().encode('%PDF-1.4\n%%EOF\n'), name: '通知.pdf', userId: 1 });
    const unused = await uploadImage(db, dir, { bytes: await png(300, '#3c3'), alt: '没用上', userId: 1 });
    const id = await createArticle(db, editorUser(), {
      title: '测试文章',
      channel: 'news',
      topic: null,
      honoreeId: null,
      summary: '',
      body: `正文\n\n![插图](/media/${inBody.fileKey}-300.webp)`,
      tags: [],
      author: '',
      source: '',
      coverMediaId: cover.id,
      attachments: [pdf.id],
    });
    const names = { cover: `${cover.fileKey}-960.webp`, coverOriginal: `${cover.fileKey}.png`, body: `${inBody.fileKey}-300.webp`, pdf: `${pdf.fileKey}.pdf`, unused: `${unused.fileKey}-300.webp` };
    const publicNow = async () => Object.fromEntries(await Promise.all(Object.entries(names).map(async ([k, n]) => [k, (await libraryFileFor(db, dir, n, null))?.audience ?? 'none'])));

    expect(await publicNow()).toEqual({ cover: 'none', coverOriginal: 'none', body: 'none', pdf: 'none', unused: 'none' });
    for (const n of Object.values(names)) expect((await libraryFileFor(db, dir, n, editorUser()))?.audience, n).toBe('private');
    expect((await libraryFileFor(db, dir, names.cover, as(2, ['volunteer', 'reviewer'])))?.audience).toBe('private');
    expect(await libraryFileFor(db, dir, names.cover, as(2))).toBeUndefined();

    await exec(`UPDATE articles SET status = 'published', published_at = ? WHERE id = ?`, [Date.now(), id]);
    expect(await publicNow()).toEqual({ cover: 'public', coverOriginal: 'public', body: 'public', pdf: 'public', unused: 'none' });
    expect((await libraryFileFor(db, dir, names.pdf, null))?.downloadName).toBe('通知.pdf');

    // A new live text without the body image: that image is no longer public, the cover still is.
    await exec(`UPDATE articles SET body = '改写后的正文' WHERE id = ?`, [id]);
    expect(await publicNow()).toMatchObject({ cover: 'public', body: 'none' });

    for (const status of ['unpublished', 'archived', 'scheduled']) {
      await exec('UPDATE articles SET status = ? WHERE id = ?', [status, id]);
      expect(await publicNow(), status).toEqual({ cover: 'none', coverOriginal: 'none', body: 'none', pdf: 'none', unused: 'none' });
    }
  });

  test("a honoree's story images follow the entry; the photo needs consent and a public entry", async () => {
    const story = await uploadImage(db, dir, { bytes: await png(250), alt: '事迹配图', userId: 1 });
    const photo = await uploadImage(db, dir, { bytes: await png(1200, '#963'), alt: '肖像', userId: 1 });
    const b = await exec(`INSERT INTO honor_batches (slug, title, period, status, created_at) VALUES ('b-media', '批次', '2026', 'draft', ?) RETURNING id`, [Date.now()]);
    const batchId = Number(b.rows[0].id);
    const h = await exec(
      `INSERT INTO honorees (slug, batch_id, name, category, level, summary, story, photo_media_id, photo_consent, status, created_at)
                          VALUES ('h-media', ?, '王某某', '助人为乐', '县', '摘要', ?, ?, 1, 'draft', ?) RETURNING id`,
      [batchId, `![事迹配图](/media/${story.fileKey}-250.webp)`, photo.id, Date.now()],
    );
    const hid = Number(h.rows[0].id);
    const storyName = `${story.fileKey}-250.webp`;
    const shown = async () => ({ story: !!(await libraryFileFor(db, dir, storyName, null)), photo: !!(await honoreePhotoFile(db, dir, 'h-media')) });

    expect(await shown()).toEqual({ story: false, photo: false });
    await exec("UPDATE honorees SET status = 'candidate' WHERE id = ?", [hid]);
    expect(await shown()).toEqual({ story: false, photo: false }); // a candidate of a batch not (yet) in 公示
    await exec("UPDATE honor_batches SET status = 'publicity' WHERE id = ?", [batchId]);
    expect(await shown()).toEqual({ story: true, photo: true });
    await exec("UPDATE honorees SET status = 'published' WHERE id = ?", [hid]);
    expect(await shown()).toEqual({ story: true, photo: true });
    expect((await honoreePhotoFile(db, dir, 'h-media'))?.path).toBe(join(dir, `${photo.fileKey}-960.webp`));
    // The photo is not a library file anyone may fetch by name: only the entry's route serves it.
    expect(await libraryFileFor(db, dir, `${photo.fileKey}-960.webp`, null)).toBeUndefined();

    await exec('UPDATE honorees SET photo_consent = 0 WHERE id = ?', [hid]);
    expect(await shown()).toEqual({ story: true, photo: false });
    await exec("UPDATE honorees SET photo_consent = 1, status = 'withdrawn' WHERE id = ?", [hid]);
    expect(await shown()).toEqual({ story: false, photo: false });
  });
});

describe('migration 0007 and the start-up move', () => {
  test('claim and nomination photos leave the library and its folder; references carry over; nothing dangles', async () => {
    // A database as it was at migration 0006, with the rows the pentest found.
    const root = mkdtempSync(join(tmpdir(), 'shanxing-mig-'));
    const old = join(root, 'migrations');
    cpSync(migrationsFolder, old, { recursive: true });
    const journal = JSON.parse(readFileSync(join(old, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 6);
    writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
    const mdb = await openDb({ url: `file:${join(root, 'old.db')}` });
    await migrate(mdb, { migrationsFolder: old });
    const run = (sql: string, args: (string | number | null)[] = []) => mdb.$client.execute({ sql, args });
    const uploads = join(root, 'uploads');
    mkdirSync(uploads);
    const now = Date.now();
    const mediaRow = async (key: string) => {
      for (const n of [`${key}.png`, `${key}-480.webp`]) writeFileSync(join(uploads, n), `bytes of ${n}`);
      return Number(
        (
          await run(`INSERT INTO media (file_key, kind, mime, width, height, bytes, variants, alt, created_at) VALUES (?, 'image', 'image/png', 800, 600, 10, '[480]', '图', ?) RETURNING id`, [
            key,
            now,
          ])
        ).rows[0].id,
      );
    };
    const claimPhoto = await mediaRow('claimphotokey0000000');
    const nominationPhoto = await mediaRow('nominationphotokey00');
    const consentedNomination = await mediaRow('consentedphotokey000');
    const libraryImage = await mediaRow('libraryimagekey00000');
    const user = Number((await run(`INSERT INTO users (phone, real_name, created_at) VALUES ('13500000001', '甲', ?) RETURNING id`, [now])).rows[0].id);
    const team = Number((await run(`INSERT INTO teams (slug, name, status, created_at) VALUES ('t', '队', 'active', ?) RETURNING id`, [now])).rows[0].id);
    await run(`INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, content, photo_media_id, created_at) VALUES (?, ?, 'claim', ?, ?, 60, '清扫', ?, ?)`, [
      user,
      team,
      now - 7200_000,
      now - 3600_000,
      claimPhoto,
      now,
    ]);
    for (const [no, photo] of [
      ['TJ-1', nominationPhoto],
      ['TJ-2', consentedNomination],
    ] as const) {
      await run(
        `INSERT INTO nominations (tracking_no, nominator_name, nominator_phone, relation, nominee_name, category, deeds, photo_media_id, created_at) VALUES (?, '甲', '13800000000', '邻居', '乙', '助人为乐', '事迹', ?, ?)`,
        [no, photo, now],
      );
    }
    await run(`INSERT INTO honorees (slug, name, category, level, summary, photo_media_id, photo_consent, status, created_at) VALUES ('h-a', '乙', '助人为乐', '县', '摘要', ?, 0, 'published', ?)`, [
      nominationPhoto,
      now,
    ]);
    await run(`INSERT INTO honorees (slug, name, category, level, summary, photo_media_id, photo_consent, status, created_at) VALUES ('h-b', '丙', '助人为乐', '县', '摘要', ?, 1, 'published', ?)`, [
      consentedNomination,
      now,
    ]);
    // An editor had picked a claim photo as a cover (they were offered in the library), and a library image.
    await run(`INSERT INTO articles (slug, channel, title, cover_media_id, status, created_at) VALUES ('a-leak', 'news', '泄露', ?, 'published', ?)`, [claimPhoto, now]);
    await run(`INSERT INTO articles (slug, channel, title, cover_media_id, body, status, created_at) VALUES ('a-ok', 'news', '正常', ?, ?, 'published', ?)`, [
      libraryImage,
      '![图](/media/libraryimagekey00000-480.webp)',
      now,
    ]);
    await run(
      `INSERT INTO lecture_orders (tracking_no, requester_name, requester_phone, topic, audience_expected, photo_media_ids, created_at) VALUES ('PF-1', '丁', '13800000001', '民法典', 30, ?, ?)`,
      [JSON.stringify([libraryImage]), now],
    );

    await migrateDb(mdb);

    const rows = async (sql: string) => (await run(sql)).rows.map((r) => ({ ...r }));
    expect(await rows('SELECT id, file_key, purpose FROM private_files ORDER BY id')).toEqual([
      { id: claimPhoto, file_key: 'claimphotokey0000000', purpose: 'hour_claim' },
      { id: nominationPhoto, file_key: 'nominationphotokey00', purpose: 'nomination' },
      { id: consentedNomination, file_key: 'consentedphotokey000', purpose: 'nomination' },
      { id: libraryImage, file_key: 'libraryimagekey00000', purpose: 'lecture' },
    ]);
    expect(await rows('SELECT id FROM media ORDER BY id')).toEqual([{ id: consentedNomination }, { id: libraryImage }]);
    expect(await rows('SELECT photo_file_id FROM hour_records')).toEqual([{ photo_file_id: claimPhoto }]);
    expect(await rows('SELECT photo_file_id FROM nominations ORDER BY id')).toEqual([{ photo_file_id: nominationPhoto }, { photo_file_id: consentedNomination }]);
    expect(await rows('SELECT slug, photo_media_id FROM honorees ORDER BY slug')).toEqual([
      { slug: 'h-a', photo_media_id: null },
      { slug: 'h-b', photo_media_id: consentedNomination },
    ]);
    expect(await rows('SELECT slug, cover_media_id FROM articles ORDER BY slug')).toEqual([
      { slug: 'a-leak', cover_media_id: null },
      { slug: 'a-ok', cover_media_id: libraryImage },
    ]);
    // 0023 then made the lecture order a service order, its photos among its lecture facts (docs/decisions/101).
    expect(await rows("SELECT json_extract(lecture, '$.photoFileIds') AS photo_file_ids FROM service_orders WHERE lecture IS NOT NULL")).toEqual([{ photo_file_ids: JSON.stringify([libraryImage]) }]);
    expect(await rows('SELECT media_id, subject_type, role FROM media_uses ORDER BY role')).toEqual([
      { media_id: libraryImage, subject_type: 'article', role: 'body' },
      { media_id: libraryImage, subject_type: 'article', role: 'cover' },
    ]);

    // Start-up moves the private files; a key the library still holds is copied, never taken away.
    expect(await relocatePrivateFiles(mdb, uploads)).toBe(8);
    expect(readdirSync(join(uploads, 'private')).sort()).toEqual(
      ['claimphotokey0000000', 'consentedphotokey000', 'libraryimagekey00000', 'nominationphotokey00'].flatMap((k) => [`${k}-480.webp`, `${k}.png`]).sort(),
    );
    expect(
      readdirSync(uploads)
        .filter((f) => f !== 'private')
        .sort(),
    ).toEqual(['consentedphotokey000', 'libraryimagekey00000'].flatMap((k) => [`${k}-480.webp`, `${k}.png`]).sort());
    expect(await relocatePrivateFiles(mdb, uploads)).toBe(0);
    expect(await libraryFileFor(mdb, uploads, 'claimphotokey0000000-480.webp', as(1, ['editor']))).toBeUndefined();
    mdb.$client.close();
  });
});
