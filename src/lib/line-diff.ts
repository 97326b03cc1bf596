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
