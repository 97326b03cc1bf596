// A small line diff (longest common subsequence) for revision history.

export type DiffLine = { op: 'same' | 'add' | 'del'; text: string };

/** Line-by-line diff of two texts: unchanged, added and removed lines in order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail so the LCS table stays small for typical edits.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: 'same', text }));
  if (n * m > 4_000_000) {
    // Too large for the table: show as a replacement.
    for (const text of midA) out.push({ op: 'del', text });
    for (const text of midB) out.push({ op: 'add', text });
  } else {
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        out.push({ op: 'same', text: midA[i] });
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: 'del', text: midA[i++] });
      else out.push({ op: 'add', text: midB[j++] });
    }
    while (i < n) out.push({ op: 'del', text: midA[i++] });
    while (j < m) out.push({ op: 'add', text: midB[j++] });
  }
  for (const text of a.slice(a.length - tail)) out.push({ op: 'same', text });
  return out;
}

/** A piece of a changed line: kept, inserted or deleted text. */
export type InlinePart = { op: 'same' | 'add' | 'del'; text: string };
/** One row of a review diff: an unchanged, added or removed line, or a changed line with its inline parts. */
export type DiffRow = DiffLine | { op: 'change'; parts: InlinePart[] };

/** Words as a Chinese reader sees them: each Han character alone, Latin words and numbers whole, runs of spaces. */
function tokens(s: string): string[] {
  return s.match(/[A-Za-z0-9_]+|\s+|[\s\S]/gu) ?? [];
}

/** Word-level diff of one line against another (characters for Chinese text). */
export function inlineDiff(before: string, after: string): InlinePart[] {
  const a = tokens(before);
  const b = tokens(after);
  const n = a.length;
  const m = b.length;
  const out: InlinePart[] = [];
  const push = (op: InlinePart['op'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text;
    else out.push({ op, text });
  };
  if (n * m > 1_000_000) {
    push('del', before);
    push('add', after);
    return out;
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push('same', a[i++]);
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) push('del', a[i++]);
    else push('add', b[j++]);
  }
  while (i < n) push('del', a[i++]);
  while (j < m) push('add', b[j++]);
  return out;
}

/**
 * The line diff with each run of removed lines paired to the added lines that replace it, shown as
 * one changed line with the words inserted and deleted: what a reviewer reads to see what changed.
 */
export function reviewDiff(before: string, after: string): DiffRow[] {
  const lines = lineDiff(before, after);
  const rows: DiffRow[] = [];
  for (let k = 0; k < lines.length;) {
    if (lines[k].op === 'same') {
      rows.push(lines[k++]);
      continue;
    }
    const dels: string[] = [];
    const adds: string[] = [];
    while (k < lines.length && lines[k].op !== 'same') {
      const l = lines[k++];
      (l.op === 'del' ? dels : adds).push(l.text);
    }
    const paired = Math.min(dels.length, adds.length);
    for (let p = 0; p < paired; p++) rows.push({ op: 'change', parts: inlineDiff(dels[p], adds[p]) });
    for (const text of dels.slice(paired)) rows.push({ op: 'del', text });
    for (const text of adds.slice(paired)) rows.push({ op: 'add', text });
  }
  return rows;
}

/** reviewDiff rows with long unchanged stretches folded to a count, keeping `context` lines around each change. */
export function foldUnchanged(rows: DiffRow[], context = 1): (DiffRow | { op: 'skip'; count: number })[] {
  const keep = rows.map((r) => r.op !== 'same');
  const near = rows.map((_, i) => keep.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const out: (DiffRow | { op: 'skip'; count: number })[] = [];
  rows.forEach((r, i) => {
    if (near[i]) return out.push(r);
    const last = out[out.length - 1];
    if (last?.op === 'skip') last.count++;
    else out.push({ op: 'skip', count: 1 });
  });
  return out;
}
