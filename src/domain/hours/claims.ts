// A volunteer's own claim for team work without an event: pending until the team confirms it.
import type { Db } from '../../../db/client.ts';
import { fromShanghai } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { createHourRecord } from './new-record.ts';
import { isActiveMember } from './queries.ts';

export interface ClaimInput {
  teamId: number;
  /** YYYY-MM-DD, Shanghai */
  day: string;
  /** HH:MM */
  start: string;
  /** HH:MM */
  end: string;
  content: string;
  photoFileId?: number | null;
}

/** A volunteer's claim for team work without an event (pending until the team confirms). */
export async function claimHours(db: Db, userId: number, c: ClaimInput, now = Date.now()): Promise<number> {
  if (!(await isActiveMember(db, userId, c.teamId))) throw new HoursError('FORBIDDEN', '只能为自己所在的队伍申报服务时长');
  let startsAt: number;
  let endsAt: number;
  try {
    startsAt = fromShanghai(c.day, c.start);
    endsAt = fromShanghai(c.day, c.end);
  } catch {
    throw new HoursError('BAD_REQUEST', '日期或时间格式不正确');
  }
  if (!c.content.trim()) throw new HoursError('BAD_REQUEST', '请填写服务内容');
  return createHourRecord(db, { userId, teamId: c.teamId, source: 'claim', startsAt, endsAt, content: c.content, photoFileId: c.photoFileId ?? null, createdBy: userId }, { now });
}
