// 《信息发布审核表》 as a county files it (issue 19 item 3): what was published, by whom, where, the text
// (its first page and a SHA-256 fingerprint of the whole), the 保密审查意见, and one signature box per level
// the published version actually went through, taken from the review trail (谁审核谁负责).
import { createHash } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { getSettings } from '../settings/index.ts';
import { articleBodyText } from './body-text.ts';
import { CHANNELS } from './public.ts';
import { STATUS_LABELS, getArticle, reviewHistory } from './queries.ts';
import { stepNames } from './review.ts';

/** How much of the 正文 the A4 form prints; the fingerprint covers all of it. */
export const FORM_BODY_CHARS = 200;

/** One signature box: the level, who acted there and when, with their opinion. Empty name: signed on paper. */
export interface SignatureBox {
  level: string;
  name: string;
  at: number | null;
  opinion: string;
}

export interface ReviewForm {
  id: number;
  title: string;
  channel: string;
  status: string;
  writer: string;
  publisher: string;
  publishedAt: number | null;
  url: string;
  bodyExcerpt: string;
  bodyChars: number;
  truncated: boolean;
  fingerprint: string;
  secrecyOpinions: { level: string; name: string; text: string }[];
  boxes: SignatureBox[];
}

/** The form's content for an article, or undefined when there is no such article. */
export async function reviewForm(db: Db, id: number, siteUrl: string): Promise<ReviewForm | undefined> {
  const a = await getArticle(db, id);
  if (!a) return undefined;
  const settings = await getSettings(db);
  const history = await reviewHistory(db, id);
  // The round that produced what is live (or under review now): from the last submission on.
  let start = -1;
  history.forEach((h, i) => {
    if (h.s.decision === 'submit') start = i;
  });
  const round = start >= 0 ? history.slice(start) : [];
  const submit = round[0];
  const approvals = round.filter((h) => h.s.decision === 'approve');
  const levels = stepNames(Math.max(1, Math.min(3, Number(settings.reviewSteps) || 2)));
  // A level's name as configured when it was approved: the last approval is always 终审.
  const levelName = (step: number, last: boolean) => (last ? '终审' : (levels[step - 1] ?? `第${step}级审核`));
  const boxes: SignatureBox[] = [];
  if (submit) boxes.push({ level: '撰稿', name: submit.name ?? a.author, at: submit.s.at, opinion: '' });
  else boxes.push({ level: '撰稿', name: a.author, at: null, opinion: '' });
  const published = a.status === 'published' || a.status === 'scheduled';
  approvals.forEach((h, i) => {
    const last = published && i === approvals.length - 1;
    boxes.push({ level: levelName(h.s.step, last), name: h.name ?? '', at: h.s.at, opinion: h.s.opinion });
  });
  if (settings.reviewFormLeaderSign) boxes.push({ level: '分管领导', name: '', at: null, opinion: '' });
  const text = articleBodyText(a.body);
  const chars = [...text];
  const lastApproval = approvals[approvals.length - 1];
  return {
    id: a.id,
    title: a.title,
    channel: `${CHANNELS[a.channel] ?? a.channel}${a.topic ? ` · ${a.topic}` : ''}`,
    status: STATUS_LABELS[a.status] ?? a.status,
    writer: a.author || submit?.name || '',
    publisher: published && lastApproval ? (lastApproval.name ?? '') : '',
    publishedAt: a.publishedAt ?? a.publishAt ?? null,
    url: `${siteUrl}/articles/${a.slug}`,
    bodyExcerpt: chars.slice(0, FORM_BODY_CHARS).join(''),
    bodyChars: chars.length,
    truncated: chars.length > FORM_BODY_CHARS,
    fingerprint: createHash('sha256').update(text, 'utf8').digest('hex'),
    secrecyOpinions: approvals.map((h, i) => ({ level: levelName(h.s.step, published && i === approvals.length - 1), name: h.name ?? '', text: h.s.secrecyOpinion })).filter((o) => o.text),
    boxes,
  };
}
