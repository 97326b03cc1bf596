// Every action code the source writes to the audit log has a Chinese name in the one table
// (src/domain/audit/actions.ts; issue 17, item 4): an inspector never reads `honors.batch.publish`.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_ACTIONS, auditActionName } from '../../src/domain/audit/actions.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|astro|mjs)$/.test(e.name) ? [path] : [];
  });
}

const files = ['src', 'db', 'scripts'].flatMap(sources).map((path) => ({ path: relative(root, join(root, path)), text: readFileSync(join(root, path), 'utf8') }));
const auditing = files.filter((f) => /auditStatement\(|\baudit\(db/.test(f.text));

/** The codes a template literal in an `action:` can produce, pinned here: a new template must be listed with its expansions. */
const TEMPLATES: Record<string, string[]> = {
  'team.member_${op}': ['team.member_coleader', 'team.member_member', 'team.member_remove'],
  'team.${to}': ['team.active', 'team.suspended', 'team.declined'],
  '${s.type}.submit': ['article.submit', 'revision.submit'],
  '${s.type}.return': ['article.return', 'revision.return'],
  '${s.type}.approve': ['article.approve', 'revision.approve'],
  'event.${to}': ['event.published', 'event.cancelled', 'event.completed'],
  'signup.${mark}': ['signup.attended', 'signup.no_show'],
  'hours.create.${r.source}': ['hours.create.attendance', 'hours.create.leader', 'hours.create.claim'],
};

/** Action codes written in the source: `action:` values (literals, both sides of a ternary, templates) and codes handed to a helper that writes them. */
function writtenCodes(): { codes: Set<string>; unknownTemplates: string[] } {
  const codes = new Set<string>();
  const unknownTemplates: string[] = [];
  for (const f of auditing) {
    for (const m of f.text.matchAll(/\baction:\s*([^,\n]+)/g)) {
      const expr = m[1];
      for (const lit of expr.matchAll(/'([\w.]+)'/g)) codes.add(lit[1]);
      for (const tpl of expr.matchAll(/`([^`]+)`/g)) {
        if (TEMPLATES[tpl[1]]) TEMPLATES[tpl[1]].forEach((c) => codes.add(c));
        else unknownTemplates.push(`${f.path}: ${tpl[1]}`);
      }
    }
    // A code passed on to a function that audits it (honors/nominations.ts `transition(…, 'honors.nomination.verify', …)`).
    for (const m of f.text.matchAll(/transition\([^;]*?'((?:honors|hours|team|event|article)\.[\w.]+)'/g)) codes.add(m[1]);
  }
  return { codes, unknownTemplates };
}

describe('audit action names', () => {
  const { codes, unknownTemplates } = writtenCodes();

  it('finds the codes the source writes (the scan itself works)', () => {
    expect(codes.size).toBeGreaterThan(60);
    for (const c of ['honors.batch.publish', 'hours.ledger.export', 'login.success', 'honors.nomination.verify', 'team.suspended', 'user.create.cli']) expect(codes).toContain(c);
  });

  it('every template literal used as an action is pinned with its expansions', () => {
    expect(unknownTemplates).toEqual([]);
  });

  it('every action code written in the source has a Chinese name in the one table', () => {
    const unnamed = [...codes].filter((c) => !Object.hasOwn(AUDIT_ACTIONS, c)).sort();
    expect(unnamed).toEqual([]);
  });

  it('names are Chinese, and an unknown old code is shown as 其他操作 with its code', () => {
    for (const name of Object.values(AUDIT_ACTIONS)) expect(name).toMatch(/^[\u4e00-\u9fff（）]/);
    expect(auditActionName('honors.batch.publish')).toBe('发布评选结果');
    expect(auditActionName('constructor')).toBe('其他操作（constructor）');
  });
});
