// A team's public contact (issue 18, item 8): the leader chooses which number event and team pages show —
// their own phone, the team hotline, or none. Published on purpose, so it lives in columns, never in free text.
import { z } from 'zod';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { assertLeaderWrite, leaderMayWriteSql, leadsTeamSql } from '../accounts/policy.ts';
import { auditStatement } from '../audit/index.ts';
import { TeamError } from './membership.ts';

/** The choices a leader has for the public number. */
export const PUBLIC_CONTACT_CHOICES = ['none', 'person', 'hotline'] as const;
export type PublicContactChoice = (typeof PUBLIC_CONTACT_CHOICES)[number];

/** A mainland mobile, a landline with area code (0838-7654321) or a 400 number, spaces and dashes allowed. */
const PHONE_RE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4})$/;

/** The settings form: which number, and the hotline (required when it is the choice). */
export const PublicContactSchema = z
  .object({
    teamId: z.coerce.number().int().positive(),
    choice: z.enum(PUBLIC_CONTACT_CHOICES, { error: '请选择对外公开的联系电话' }),
    hotline: z.preprocess((v) => String(v ?? '').replace(/\s/g, ''), z.string().max(20, '电话号码过长')),
  })
  .superRefine((v, ctx) => {
    if (v.hotline && !PHONE_RE.test(v.hotline)) ctx.addIssue({ code: 'custom', path: ['hotline'], message: '请填写正确的电话号码，例如 0838-7654321 或 11 位手机号' });
    else if (v.choice === 'hotline' && !v.hotline) ctx.addIssue({ code: 'custom', path: ['hotline'], message: '选择公开队伍热线时，请填写热线号码' });
  });
export type PublicContactInput = z.infer<typeof PublicContactSchema>;

/**
 * Sets which number the team's pages publish. "person" names the acting leader; their phone is read at render
 * time, so a handover or 注销 takes it off the pages without another write. One guarded write with its audit row.
 */
export async function setPublicContact(db: Db, actorId: number, input: PublicContactInput): Promise<void> {
  const { teamId, choice } = input;
  await assertLeaderWrite(db, actorId, teamId, '设置对外联系电话');
  const hotline = input.hotline || null;
  const written = await guardedWrite(
    db,
    sql`UPDATE teams SET public_contact = ${choice}, public_contact_user_id = ${choice === 'person' ? actorId : null},
        contact_phone = coalesce(${hotline}, contact_phone)
      WHERE id = ${teamId} AND ${leaderMayWriteSql(teamId, actorId)}`,
    [auditStatement({ actorId, action: 'team.public_contact', targetType: 'team', targetId: teamId, after: { choice, hotline } })],
  );
  if (!written) throw new TeamError('设置未保存：您已不是该队伍的负责人，或队伍已被暂停，请刷新后重试');
}

/** What the settings form shows: the current choice and hotline. */
export async function publicContactSettings(db: Db, teamId: number): Promise<{ choice: PublicContactChoice; hotline: string; personId: number | null }> {
  const [r] = await db.all<{ public_contact: string; contact_phone: string | null; public_contact_user_id: number | null }>(
    sql`SELECT public_contact, contact_phone, public_contact_user_id FROM teams WHERE id = ${teamId}`,
  );
  const choice = (PUBLIC_CONTACT_CHOICES as readonly string[]).includes(String(r?.public_contact)) ? (r.public_contact as PublicContactChoice) : 'none';
  return { choice, hotline: r?.contact_phone ?? '', personId: r?.public_contact_user_id == null ? null : Number(r.public_contact_user_id) };
}

/**
 * The number the public sees for the team, or null: the hotline, or the chosen leader's own phone while that
 * person still leads the team and has an active account (never a volunteer's number by accident).
 */
export async function teamPublicContact(db: Db, teamId: number): Promise<PublicContact | null> {
  const [r] = await db.all<Record<string, unknown>>(sql`
    SELECT ${publicContactColumnsSql('t', 'u')} FROM teams t ${publicContactJoinSql('t', 'u')} WHERE t.id = ${teamId}`);
  return r ? publicContactOf(r) : null;
}

/** The number a team publishes, with what it is (队伍联系电话, 负责人 王某). */
export interface PublicContact {
  label: string;
  phone: string;
}

/**
 * SQL select-list of team `t`'s public contact (columns contact_kind, contact_hotline, contact_person_phone,
 * contact_person_name; read back by publicContactOf), the chosen person joined as `u` by publicContactJoinSql.
 * One definition for the team page and for the event page, which reads it in its one statement.
 */
export function publicContactColumnsSql(t: string, u: string): SQL {
  return sql`${sql.raw(t)}.public_contact AS contact_kind, ${sql.raw(t)}.contact_phone AS contact_hotline,
    CASE WHEN ${leadsTeamSql(sql.raw(`${t}.id`), sql.raw(`${t}.public_contact_user_id`))} THEN ${sql.raw(u)}.phone END AS contact_person_phone,
    ${sql.raw(u)}.real_name AS contact_person_name`;
}

/** The join publicContactColumnsSql reads the person from: only an active account. */
export function publicContactJoinSql(t: string, u: string): SQL {
  return sql.raw(`LEFT JOIN users ${u} ON ${u}.id = ${t}.public_contact_user_id AND ${u}.status = 'active'`);
}

/** The public contact from a row with publicContactColumnsSql's columns, or null when the team shows none. */
export function publicContactOf(r: Record<string, unknown>): PublicContact | null {
  if (r.contact_kind === 'hotline' && r.contact_hotline) return { label: '队伍联系电话', phone: String(r.contact_hotline) };
  if (r.contact_kind === 'person' && r.contact_person_phone) return { label: `负责人${r.contact_person_name ? ` ${String(r.contact_person_name)}` : ''}`, phone: String(r.contact_person_phone) };
  return null;
}
