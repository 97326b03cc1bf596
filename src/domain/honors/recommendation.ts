// 好人推荐表 for the next level (issue 19 item 5): what a 市/省/中国好人榜 推荐表 asks for, kept on the honoree
// (private: never on a public page), the honoree's consent to be recommended, a readiness check against the
// target level's configured limits, and the pack sent upward — one DOCX and one PDF per honoree plus photos,
// in one ZIP. Every write and every pack is audited.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import sharp from 'sharp';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { getSettings, type Settings } from '../settings/index.ts';
import { attachmentFile } from '../media/index.ts';
import { discardPrivateFiles, privateDir, privateFilesByIds, uploadPrivateImage } from '../media/private.ts';
import { decryptText, encryptText } from '../../lib/pii.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../../lib/plain-text.ts';
import { formatDate } from '../../lib/time.ts';
import { parseJsonOr } from '../../lib/json.ts';
import { HonorError } from './rules.ts';
import { charCount } from './schemas.ts';
import { renderRecommendationDocx } from './recommendation-docx.ts';
import { renderRecommendationPdf } from './recommendation-pdf.ts';

/** Who acts, for audit rows. */
export interface Actor {
  id: number;
  ip?: string;
}

export type LevelLimits = Settings['recommendationLevels'][number];

/** A form field that may come empty (Astro turns an empty value into null): read as ''. */
const blank = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? '', schema);
const line = (label: string, max: number) => blank(z.string().trim().max(max, `${label}不超过 ${max} 字`).refine(isPlainLine, plainLineError(label)));

/** The 推荐表 fields staff fill in for an honoree. */
export const RecommendationDetailsSchema = z.object({
  gender: blank(z.enum(['', '男', '女'], { error: '请选择性别' })),
  birthMonth: blank(
    z
      .string()
      .trim()
      .regex(/^(|\d{4}-(0[1-9]|1[0-2]))$/, '出生年月格式如 1968-05'),
  ),
  ethnicity: line('民族', 20),
  politicalStatus: line('政治面貌', 20),
  workplace: line('工作单位及职务', 100),
  mainDeeds: blank(z.string().trim().max(6000, '主要事迹不超过 6000 字').refine(isPlainText, plainTextError('主要事迹'))),
});
export type RecommendationDetails = z.infer<typeof RecommendationDetailsSchema>;

/** An honoree as the 推荐表 sees them (decrypted birth month). */
export interface RecommendationEntry {
  id: number;
  slug: string;
  name: string;
  kind: string;
  category: string;
  level: string;
  status: string;
  summary: string;
  gender: string;
  birthMonth: string;
  ethnicity: string;
  politicalStatus: string;
  workplace: string;
  mainDeeds: string;
  idPhotoFileId: number | null;
  lifePhotoFileIds: number[];
  consentAt: number | null;
  consentByName: string | null;
  consentNote: string | null;
}

type Row = Record<string, unknown>;

function toEntry(r: Row, key: Buffer): RecommendationEntry {
  let birthMonth = '';
  if (r.birth_month_enc) {
    try {
      birthMonth = decryptText(key, String(r.birth_month_enc));
    } catch {
      // A value sealed under another SECRET_KEY reads as missing, and the readiness table says so.
      birthMonth = '';
    }
  }
  return {
    id: Number(r.id),
    slug: String(r.slug),
    name: String(r.name),
    kind: String(r.kind),
    category: String(r.category),
    level: String(r.level),
    status: String(r.status),
    summary: String(r.summary ?? ''),
    gender: String(r.gender ?? ''),
    birthMonth,
    ethnicity: String(r.ethnicity ?? ''),
    politicalStatus: String(r.political_status ?? ''),
    workplace: String(r.workplace ?? ''),
    mainDeeds: String(r.main_deeds ?? ''),
    idPhotoFileId: r.id_photo_file_id == null ? null : Number(r.id_photo_file_id),
    lifePhotoFileIds: parseJsonOr<unknown[]>(String(r.life_photo_file_ids ?? '[]'), []).filter((x): x is number => Number.isSafeInteger(x)),
    consentAt: r.recommend_consent_at == null ? null : Number(r.recommend_consent_at),
    consentByName: r.consent_by_name == null ? null : String(r.consent_by_name),
    consentNote: r.recommend_consent_note == null ? null : String(r.recommend_consent_note),
  };
}

const SELECT = sql`SELECT h.*, u.real_name AS consent_by_name FROM honorees h LEFT JOIN users u ON u.id = h.recommend_consent_by`;

/** One honoree for the 推荐表, or a not-found refusal. */
export async function recommendationEntry(db: Db, key: Buffer, id: number): Promise<RecommendationEntry> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new HonorError('not_found', '找不到该条目');
  const [r] = await db.all<Row>(sql`${SELECT} WHERE h.id = ${id}`);
  if (!r) throw new HonorError('not_found', '找不到该条目');
  return toEntry(r, key);
}

/** Published honorees that can be recommended upward, newest first. */
export async function recommendationCandidates(db: Db, key: Buffer, limit = 300): Promise<RecommendationEntry[]> {
  const rows = await db.all<Row>(sql`${SELECT} WHERE h.status = 'published' ORDER BY h.published_at DESC, h.id DESC LIMIT ${Math.min(Math.max(1, Math.trunc(limit)), 1000)}`);
  return rows.map((r) => toEntry(r, key));
}

/** Saves the 推荐表 fields; the birth month is sealed under SECRET_KEY. Audited without the personal values. */
export async function saveRecommendationDetails(db: Db, key: Buffer, actor: Actor, id: number, input: RecommendationDetails, now = Date.now()): Promise<void> {
  const d = RecommendationDetailsSchema.parse(input);
  if (d.birthMonth && d.birthMonth > formatMonth(now)) throw new HonorError('invalid', '出生年月不能晚于本月', 'birthMonth');
  await recommendationEntry(db, key, id);
  const sealed = d.birthMonth ? encryptText(key, d.birthMonth) : null;
  const ok = await guardedWrite(
    db,
    sql`UPDATE honorees SET gender = ${d.gender || null}, birth_month_enc = ${sealed}, ethnicity = ${d.ethnicity}, political_status = ${d.politicalStatus},
      workplace = ${d.workplace}, main_deeds = ${d.mainDeeds}, updated_at = ${now} WHERE id = ${id}`,
    [
      auditStatement({
        actorId: actor.id,
        ip: actor.ip,
        action: 'honors.recommendation.save',
        targetType: 'honoree',
        targetId: id,
        after: { fields: Object.keys(d).filter((k) => d[k as keyof RecommendationDetails]) },
      }),
    ],
  );
  if (!ok) throw new HonorError('not_found', '找不到该条目');
}

function formatMonth(now: number): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 7);
}

/** Records the honoree's consent to be recommended upward: how it was given, who recorded it, when. */
export async function recordRecommendConsent(db: Db, actor: Actor, id: number, note: string, now = Date.now()): Promise<void> {
  const how = note.trim();
  if (charCount(how) < 2) throw new HonorError('invalid', '请写明同意的方式，如“本人签署书面同意书”', 'note');
  if (charCount(how) > 200 || !isPlainLine(how)) throw new HonorError('invalid', '同意方式不超过 200 字，且不含控制字符', 'note');
  const ok = await guardedWrite(
    db,
    sql`UPDATE honorees SET recommend_consent_at = ${now}, recommend_consent_by = ${actor.id}, recommend_consent_note = ${how}, updated_at = ${now}
      WHERE id = ${id} AND recommend_consent_at IS NULL`,
    [auditStatement({ actorId: actor.id, ip: actor.ip, action: 'honors.recommendation.consent', targetType: 'honoree', targetId: id, after: { note: how } })],
  );
  if (!ok) throw new HonorError('conflict', '已记录过推荐同意，或条目不存在');
}

/** Adds an ID photo (replacing the previous) or an everyday photo, stored as a private file. */
export async function addRecommendationPhoto(db: Db, uploadsDir: string, actor: Actor, id: number, kind: 'id' | 'life', bytes: Uint8Array, name?: string, now = Date.now()): Promise<void> {
  const [h] = await db.all<Row>(sql`SELECT id, life_photo_file_ids FROM honorees WHERE id = ${id}`);
  if (!h) throw new HonorError('not_found', '找不到该条目');
  if (kind === 'life' && parseJsonOr<unknown[]>(String(h.life_photo_file_ids), []).length >= 8) throw new HonorError('invalid', '生活照最多 8 张，请先删除不用的照片', 'photo');
  const f = await uploadPrivateImage(db, uploadsDir, { bytes, name, purpose: 'recommendation', userId: actor.id });
  const set =
    kind === 'id' ? sql`id_photo_file_id = ${f.id}` : sql`life_photo_file_ids = json_insert(CASE WHEN json_valid(life_photo_file_ids) THEN life_photo_file_ids ELSE '[]' END, '$[#]', ${f.id})`;
  const cap = kind === 'life' ? sql` AND json_array_length(CASE WHEN json_valid(life_photo_file_ids) THEN life_photo_file_ids ELSE '[]' END) < 8` : sql``;
  const ok = await guardedWrite(db, sql`UPDATE honorees SET ${set}, updated_at = ${now} WHERE id = ${id}${cap}`, [
    auditStatement({ actorId: actor.id, ip: actor.ip, action: 'honors.recommendation.photo', targetType: 'honoree', targetId: id, after: { kind, fileId: f.id } }),
  ]);
  if (!ok) throw new HonorError('invalid', '生活照最多 8 张，请先删除不用的照片', 'photo');
}

/** Removes one of the honoree's 推荐表 photos (a wrong upload); the private file goes with it. */
export async function removeRecommendationPhoto(db: Db, uploadsDir: string, actor: Actor, id: number, fileId: number, now = Date.now()): Promise<void> {
  const [h] = await db.all<Row>(sql`SELECT id_photo_file_id, life_photo_file_ids FROM honorees WHERE id = ${id}`);
  if (!h) throw new HonorError('not_found', '找不到该条目');
  const life = parseJsonOr<unknown[]>(String(h.life_photo_file_ids ?? '[]'), []);
  const kind = h.id_photo_file_id != null && Number(h.id_photo_file_id) === fileId ? 'id' : life.includes(fileId) ? 'life' : null;
  if (!kind) throw new HonorError('not_found', '该照片不属于这位好人，或已删除');
  const change =
    kind === 'id'
      ? sql`UPDATE honorees SET id_photo_file_id = NULL, updated_at = ${now} WHERE id = ${id} AND id_photo_file_id = ${fileId}`
      : sql`UPDATE honorees SET life_photo_file_ids = (SELECT coalesce(json_group_array(j.value), '[]') FROM json_each(honorees.life_photo_file_ids) j WHERE j.value <> ${fileId}), updated_at = ${now}
        WHERE id = ${id} AND EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(life_photo_file_ids) THEN life_photo_file_ids ELSE '[]' END) j WHERE j.value = ${fileId})`;
  const ok = await guardedWrite(db, change, [
    auditStatement({ actorId: actor.id, ip: actor.ip, action: 'honors.recommendation.photoRemove', targetType: 'honoree', targetId: id, after: { kind, fileId } }),
  ]);
  if (!ok) throw new HonorError('not_found', '该照片不属于这位好人，或已删除');
  await discardPrivateFiles(db, uploadsDir, [fileId]);
}

/** The target level's limits, or a refusal naming the field. */
export function levelLimits(settings: Settings, level: string): LevelLimits {
  const l = settings.recommendationLevels.find((x) => x.level === level);
  if (!l) throw new HonorError('invalid', '请选择推荐到哪一级', 'level');
  return l;
}

/** What keeps one honoree's 推荐表 from being sent at a level: missing fields, over-length texts, consent. */
export function readinessIssues(e: RecommendationEntry, l: LevelLimits): string[] {
  const issues: string[] = [];
  if (e.consentAt == null) issues.push('未记录本人同意推荐');
  const person = e.kind === 'person';
  if (person) {
    if (!e.gender) issues.push('缺少性别');
    if (!e.birthMonth) issues.push('缺少出生年月');
    if (!e.ethnicity) issues.push('缺少民族');
    if (!e.politicalStatus) issues.push('缺少政治面貌');
  }
  if (!e.workplace) issues.push(person ? '缺少工作单位及职务' : '缺少单位（地址）');
  const summary = charCount(e.summary);
  if (!summary) issues.push('缺少事迹简介');
  else if (summary > l.summaryMax) issues.push(`事迹简介 ${summary} 字，超过 ${l.summaryMax} 字`);
  const deeds = charCount(e.mainDeeds.replace(/\s+/g, ''));
  if (!deeds) issues.push('缺少主要事迹');
  else if (deeds < l.deedsMin) issues.push(`主要事迹 ${deeds} 字，少于 ${l.deedsMin} 字`);
  else if (l.deedsMax > 0 && deeds > l.deedsMax) issues.push(`主要事迹 ${deeds} 字，超过 ${l.deedsMax} 字`);
  if (person && e.idPhotoFileId == null) issues.push('缺少证件照');
  const photos = e.lifePhotoFileIds.length;
  if (photos < l.photosMin) issues.push(`生活照 ${photos} 张，至少 ${l.photosMin} 张`);
  else if (photos > l.photosMax) issues.push(`生活照 ${photos} 张，最多 ${l.photosMax} 张`);
  return issues;
}

/** The readiness table for chosen honorees at a level. */
export async function recommendationReadiness(db: Db, key: Buffer, ids: number[], level: string) {
  const l = levelLimits(await getSettings(db), level);
  const out: { entry: RecommendationEntry; issues: string[] }[] = [];
  for (const id of uniqueIds(ids)) out.push({ entry: await recommendationEntry(db, key, id), issues: [] });
  for (const r of out) r.issues = readinessIssues(r.entry, l);
  return { limits: l, rows: out };
}

function uniqueIds(ids: number[]): number[] {
  const clean = [...new Set(ids.filter((x) => Number.isSafeInteger(x) && x > 0))];
  if (!clean.length) throw new HonorError('invalid', '请至少选择一位好人', 'ids');
  if (clean.length > 50) throw new HonorError('invalid', '一次最多打包 50 位', 'ids');
  return clean;
}

/** What the 推荐表 prints: the honoree's fields, the level and the 推荐单位意见. */
export interface RecommendationSheet {
  levelLabel: string;
  entry: RecommendationEntry;
  organiser: string;
  opinion: string;
  date: string;
  idPhoto: Uint8Array | null;
}

/** A file name part without path separators or characters archivers choke on. */
function safeName(s: string): string {
  return s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 40) || '未命名';
}

/**
 * The ZIP sent upward: per honoree a folder with 推荐表 (DOCX and PDF), the ID photo and the everyday photos.
 * Refused as a whole when any chosen honoree lacks recorded consent; other gaps are the readiness table's job.
 */
export async function buildRecommendationPack(
  db: Db,
  key: Buffer,
  uploadsDir: string,
  actor: Actor,
  input: { ids: number[]; level: string; opinion?: string },
  now = Date.now(),
): Promise<{ zip: Uint8Array; fileName: string; count: number }> {
  const settings = await getSettings(db);
  const l = levelLimits(settings, input.level);
  const ids = uniqueIds(input.ids);
  const entries: RecommendationEntry[] = [];
  for (const id of ids) entries.push(await recommendationEntry(db, key, id));
  const without = entries.filter((e) => e.consentAt == null);
  if (without.length) throw new HonorError('invalid', `以下好人尚未记录本人同意推荐，不能打包：${without.map((e) => e.name).join('、')}`, 'ids');
  const opinion = (input.opinion ?? '').trim() || '经审核，同意推荐。';
  if (charCount(opinion) > 300 || !isPlainText(opinion)) throw new HonorError('invalid', '推荐单位意见不超过 300 字，且不含控制字符', 'opinion');
  const files: Record<string, Uint8Array> = {};
  const dir = privateDir(uploadsDir);
  // Every photo leaves as JPEG: what the next level's forms and Word take (WebP is neither in DOCX nor in PDF).
  const read = async (fileId: number | null) => {
    if (fileId == null) return null;
    const [f] = await privateFilesByIds(db, [fileId]);
    if (!f) return null;
    const raw = await readFile(join(dir, attachmentFile(f)));
    const bytes = f.mime === 'image/jpeg' ? raw : await sharp(raw).jpeg({ quality: 90 }).toBuffer();
    return { bytes: new Uint8Array(bytes), ext: 'jpg' };
  };
  for (const [i, e] of entries.entries()) {
    const folder = `${String(i + 1).padStart(2, '0')}-${safeName(e.name)}`;
    const idPhoto = await read(e.idPhotoFileId);
    const sheet: RecommendationSheet = { levelLabel: l.label, entry: e, organiser: settings.organiser, opinion, date: formatDate(now), idPhoto: idPhoto?.bytes ?? null };
    files[`${folder}/${safeName(e.name)}-${l.label}推荐表.docx`] = await renderRecommendationDocx(sheet);
    files[`${folder}/${safeName(e.name)}-${l.label}推荐表.pdf`] = await renderRecommendationPdf(sheet);
    if (idPhoto) files[`${folder}/证件照.${idPhoto.ext}`] = idPhoto.bytes;
    for (const [n, fid] of e.lifePhotoFileIds.entries()) {
      const p = await read(fid);
      if (p) files[`${folder}/生活照-${n + 1}.${p.ext}`] = p.bytes;
    }
  }
  files['说明.txt'] = strToU8(
    `${l.label}推荐材料，共 ${entries.length} 人。\r\n推荐单位：${settings.organiser}\r\n打包日期：${formatDate(now)}\r\n每人一个文件夹：推荐表（DOCX 与 PDF）、证件照、生活照。\r\n`,
  );
  // Photos are already compressed; level 6 for the documents keeps the pack small without much work.
  const zip = zipSync(files, { level: 6, mtime: new Date(now) });
  await writeBatch(db, [auditStatement({ actorId: actor.id, ip: actor.ip, action: 'honors.recommendation.pack', targetType: 'honoree', targetId: ids.join(','), after: { level: input.level, ids } })]);
  return { zip, fileName: `${l.label}推荐材料-${formatDate(now)}.zip`, count: entries.length };
}
