// Loads the Markdown corpus in content/ (typed frontmatter, validated with zod).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';

const FM = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Splits a Markdown file into frontmatter data and body. */
export function parseFrontmatter(text: string): { data: Record<string, unknown>; body: string } {
  const m = FM.exec(text);
  if (!m) return { data: {}, body: text };
  return { data: (yaml.load(m[1]) as Record<string, unknown>) ?? {}, body: m[2].trim() };
}

const str = z.coerce.string();
const list = z.array(str).default([]);

export const TeamSchema = z.object({
  name: str,
  town: str,
  village: str.optional(),
  serviceTypes: list,
  foundedOn: str.optional(),
  leaderName: str.optional(),
  honours: list,
  summary: str.default(''),
});
export const HonoreeSchema = z.object({
  name: str,
  epithet: str.optional(),
  kind: z.enum(['person', 'family', 'group']).default('person'),
  identity: str.default(''),
  gender: str.optional(),
  birthYear: z.number().int().optional(),
  town: str,
  village: str.optional(),
  category: str,
  level: str,
  title: str.default(''),
  batch: str,
  summary: str.refine((s) => [...s].length <= 50, '事迹摘要不能超过 50 字'),
  consent: z.object({ by: str, at: str, method: str }).optional(),
  photoConsent: z.boolean().default(false),
  laterHonours: list,
});
export const BatchSchema = z.object({
  slug: str,
  title: str,
  period: str,
  publicityStart: str,
  publicityEnd: str,
  publishedOn: str,
  intro: str.default(''),
});
export const ArticleSchema = z.object({
  title: str,
  channel: z.enum(['news', 'typical', 'legal', 'notice']),
  topic: str.optional(),
  honoree: str.optional(),
  summary: str.default(''),
  tags: list,
  author: str.default(''),
  source: str.default(''),
  publishedOn: str,
});
export const LessonSchema = z.object({ title: str, topic: str, lawRef: str.default(''), order: z.number().int(), summary: str.default('') });
export const EventSchema = z.object({
  title: str,
  team: str,
  category: str,
  town: str,
  village: str.optional(),
  address: str.default(''),
  offsetDays: z.number().int(),
  startTime: str,
  endTime: str,
  capacity: z.number().int().positive(),
  waitlist: z.boolean().default(true),
  risks: str.default(''),
  dangerous: z.boolean().default(false),
  insurancePolicy: str.optional(),
  minAge: z.number().int().optional(),
  membersOnly: z.boolean().default(false),
  requiredSkill: str.optional(),
});
export const PageSchema = z.object({ title: str, version: str, updatedOn: str });
export const RegionsSchema = z.object({
  county: z.object({ code: str, name: str }),
  towns: z.array(z.object({ code: str, name: str, kind: str, villages: z.array(z.object({ code: str, name: str, kind: str })) })),
});

function loadDir<T extends z.ZodType>(dir: string, schema: T): (z.infer<T> & { slug: string; body: string })[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => {
      const { data, body } = parseFrontmatter(readFileSync(join(dir, f), 'utf8'));
      const parsed = schema.safeParse(data);
      if (!parsed.success) throw new Error(`content/${basename(dir)}/${f}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      return Object.assign({}, parsed.data as z.infer<T>, { slug: basename(f, '.md'), body });
    });
}

/** The whole corpus, validated. */
export function loadContent(root: string) {
  const json = (name: string) => JSON.parse(readFileSync(join(root, name), 'utf8'));
  return {
    regions: RegionsSchema.parse(json('regions.json')),
    batches: z.array(BatchSchema).parse(existsSync(join(root, 'batches.json')) ? json('batches.json') : []),
    teams: loadDir(join(root, 'teams'), TeamSchema),
    honorees: loadDir(join(root, 'honorees'), HonoreeSchema),
    articles: loadDir(join(root, 'articles'), ArticleSchema),
    lessons: loadDir(join(root, 'lessons'), LessonSchema),
    events: loadDir(join(root, 'events'), EventSchema),
    pages: loadDir(join(root, 'pages'), PageSchema),
  };
}
export type Content = ReturnType<typeof loadContent>;
