// The one allow-list for article bodies (src/lib/rich-text.ts, issue 17 item 3): what survives, what
// does not, and the reader's text search and feeds index.
import { describe, expect, test } from 'vitest';
import { richTextToPlain, sanitizeRichText } from '../../src/lib/rich-text.ts';
import { XSS_PAYLOADS } from '../fixtures/publishing-xss-payloads.ts';
import { XSS_PAYLOADS as SHARED_XSS_PAYLOADS } from '../fixtures/xss-payloads.ts';

const ALLOWED = new Set(['h2', 'h3', 'h4', 'p', 'strong', 'em', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'hr']);
/** Anything outside the allow-list, event handlers, styles, and link or image targets that are not safe. */
function executableMarkup(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<\s*\/?\s*([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    if (!ALLOWED.has(m[1].toLowerCase())) problems.push(`tag <${m[1]}>`);
    for (const a of m[2].matchAll(/\s([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)) {
      const name = a[1].toLowerCase();
      const value = a[2].replace(/^["']|["']$/g, '');
      if (!['href', 'rel', 'src', 'alt', 'width', 'height', 'colspan', 'rowspan'].includes(name)) problems.push(`attr ${name}`);
      if (name === 'href' && !/^(https?:\/\/|\/(?!\/)|#|mailto:|tel:)/i.test(value)) problems.push(`href=${value}`);
      if (name === 'src' && !/^\/media\/[a-z0-9]+(-\d+)?\.(webp|jpg|png)$/.test(value)) problems.push(`src=${value}`);
    }
  }
  return problems;
}

const IMG = '/media/abcdefghijklmnop1234-960.webp';

describe('sanitizeRichText keeps the allow-list', () => {
  test.each([
    ['headings h2–h4', '<h2>一</h2><h3>二</h3><h4>三</h4>', '<h2>一</h2><h3>二</h3><h4>三</h4>'],
    ['h1 becomes h2, h5/h6 become h4', '<h1>题</h1><h5>五</h5><h6>六</h6>', '<h2>题</h2><h4>五</h4><h4>六</h4>'],
    ['inline marks, b/i mapped', '<p><b>粗</b><i>斜</i><u>下</u><s>删</s><strong>s</strong><em>e</em></p>', '<p><strong>粗</strong><em>斜</em><u>下</u><s>删</s><strong>s</strong><em>e</em></p>'],
    ['lists and quotes', '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote><p>c</p></blockquote>', '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote><p>c</p></blockquote>'],
    [
      'a table with spans; widths and styles gone',
      '<table style="width:9in"><colgroup><col width="50"></colgroup><tbody><tr><td colspan="2" rowspan="1" style="x" class="c">a</td></tr></tbody></table>',
      '<table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
    ],
    [
      'web links get rel; our own paths none',
      '<a href="https://gov.cn/x" target="_blank">g</a><a href="/articles/a">i</a>',
      '<a href="https://gov.cn/x" rel="noopener noreferrer nofollow">g</a><a href="/articles/a">i</a>',
    ],
    ['a library image', `<img src="${IMG}" alt="图" width="960" height="640" onerror="x" class="y">`, `<img src="${IMG}" alt="图" width="960" height="640" />`],
    ['an image from elsewhere vanishes', '<p>a<img src="https://evil.example/x.png">b<img src="data:image/png;base64,AAAA">c<img src="//evil/x.webp"></p>', '<p>abc</p>'],
    ['a script link keeps only its text', '<p><a href="javascript:alert(1)">点</a><a href="vbscript:x">我</a><a href="//evil.example">外</a></p>', '<p>点我外</p>'],
    [
      'Word clutter: classes, mso styles, spans, fonts, <o:p>, empty paragraphs',
      "<p class=MsoNormal style='mso-margin-top-alt:auto'><span lang=ZH-CN style='font-family:宋体'><font face=x>字</font><o:p></o:p></span></p><p>&nbsp;</p><p><br></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>",
      '<p>字</p>',
    ],
    ['scripts, styles and their text are gone', '<style>p{color:red}</style><script>alert(1)</script><p>正文</p><iframe src="/x"></iframe><object data="x"></object>', '<p>正文</p>'],
  ])('%s', (_name, input, output) => {
    expect(sanitizeRichText(input)).toBe(output);
  });

  test.each([...XSS_PAYLOADS, ...SHARED_XSS_PAYLOADS].map((p, i) => [i, p]))('XSS payload %i leaves nothing executable', (_i, payload) => {
    const html = sanitizeRichText(payload as string);
    expect(executableMarkup(html), html).toEqual([]);
    expect(html).not.toMatch(/<img(?![^>]*src="\/media\/)/);
  });

  test('sanitising is stable: the stored form sanitises to itself', () => {
    const once = sanitizeRichText('<h1>a</h1><p><b>b</b> &amp; <a href="https://x.cn">c</a></p><table><tr><td colspan=3>d</td></tr></table>');
    expect(sanitizeRichText(once)).toBe(once);
  });
});

describe('richTextToPlain gives what a reader reads', () => {
  test('one line per block, a table row on one line, entities decoded, no markup', () => {
    expect(
      richTextToPlain(
        '<h2>标题</h2><p>甲 &amp; 乙<br>丙</p><ul><li>一</li><li>二</li></ul><table><tr><th><p>项目</p></th><th><p>人数</p></th></tr><tr><td><p>清理</p></td><td>40</td></tr></table><script>x</script>',
      ),
    ).toBe('标题\n甲 & 乙\n丙\n一\n二\n项目 人数\n清理 40');
  });
});
