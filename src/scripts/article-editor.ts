// The console's rich-text editor (issue 17 item 3, docs/decisions/087): progressive enhancement of
// ArticleForm.astro's body textarea. Tiptap edits the body; on every change the HTML goes back into
// the textarea (bodyFormat = html), which is what the form posts. The server sanitises it again
// with its one allow-list (src/lib/rich-text.ts), so nothing here is trusted; the paste clean-up
// only keeps Word/WPS clutter out of the editor the writer sees. Bundled into console pages only.
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { TableKit } from '@tiptap/extension-table';
import Image from '@tiptap/extension-image';
import { actions } from 'astro:actions';

/** Pictures the last paste carried that cannot be kept (the writer is told to upload them). */
let droppedImages = 0;
const LIBRARY_IMAGE = /^\/media\/[a-z0-9]{16,32}(?:-\d{1,5})?\.(?:webp|jpg|png)$/;
const SAFE_HREF = /^(?:https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i;

/**
 * What is kept of pasted Word/WPS/秀米 HTML before the editor's schema reads it: no styles, classes,
 * Office namespaces or comments; h1 (the page title) and h5/h6 folded into the headings we keep;
 * images that are not ours dropped (a pasted file:// or data: picture cannot be published).
 */
export function cleanPastedHtml(html: string): string {
  droppedImages = 0;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('style, script, meta, link, title, xml, template').forEach((n) => n.remove());
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT);
  const comments: Node[] = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((n) => n.parentNode?.removeChild(n));
  for (const el of [...doc.body.querySelectorAll('*')]) {
    const tag = el.tagName.toLowerCase();
    if (tag.includes(':')) {
      // <o:p>, <v:shape>, <w:…>: Office markup; keep any text inside.
      el.replaceWith(...el.childNodes);
      continue;
    }
    if (tag === 'img' && !LIBRARY_IMAGE.test(el.getAttribute('src') ?? '')) {
      droppedImages++;
      el.remove();
      continue;
    }
    if (tag === 'a' && !SAFE_HREF.test(el.getAttribute('href') ?? '')) {
      el.replaceWith(...el.childNodes);
      continue;
    }
    for (const a of [...el.attributes]) if (!['href', 'src', 'alt', 'colspan', 'rowspan'].includes(a.name)) el.removeAttribute(a.name);
    const rename = tag === 'h1' ? 'h2' : tag === 'h5' || tag === 'h6' ? 'h4' : null;
    if (rename) {
      const h = doc.createElement(rename);
      h.append(...el.childNodes);
      el.replaceWith(h);
    }
  }
  // Word and WPS space paragraphs with empty ones; the server drops them too.
  for (const p of [...doc.body.querySelectorAll('p')]) if (!p.textContent?.trim() && !p.querySelector('img')) p.remove();
  return doc.body.innerHTML;
}

function mount(root: HTMLElement) {
  const form = root.closest('form') as HTMLFormElement;
  const textarea = root.querySelector('textarea') as HTMLTextAreaElement;
  const format = root.querySelector('[data-format]') as HTMLInputElement;
  const area = root.querySelector('[data-area]') as HTMLElement;
  const toolbar = root.querySelector('[data-toolbar]') as HTMLElement;
  const fileInput = root.querySelector('[data-image-file]') as HTMLInputElement;
  const errorBox = root.querySelector('[data-editor-error]') as HTMLElement;
  const describedBy = ['body-hint-js', textarea.getAttribute('aria-describedby')?.includes('body-error') ? 'body-error' : ''].filter(Boolean).join(' ');

  const editor = new Editor({
    element: area,
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4] },
        code: false,
        codeBlock: false,
        link: { openOnClick: false, autolink: true, protocols: ['mailto', 'tel'], HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: null } },
      }),
      TableKit.configure({ table: { resizable: false } }),
      Image.configure({ inline: false, allowBase64: false }),
    ],
    content: root.dataset.html ?? '',
    editorProps: {
      attributes: { id: 'body', role: 'textbox', 'aria-multiline': 'true', 'aria-labelledby': 'body-label', 'aria-describedby': describedBy, class: 'prose rich-content' },
      transformPastedHTML: (html) => {
        const clean = cleanPastedHtml(html);
        showError(droppedImages ? `粘贴的内容中有 ${droppedImages} 张图片未能保留，请用工具栏的“图片”按钮上传。` : '');
        return clean;
      },
      handleKeyDown: (_view, e) => {
        // Alt+F10: to the toolbar, as in Word and other editors.
        if (e.altKey && e.key === 'F10') {
          e.preventDefault();
          (toolbar.querySelector('button[tabindex="0"]') as HTMLButtonElement | null)?.focus();
          return true;
        }
        return false;
      },
    },
    onUpdate: () => sync(),
    onSelectionUpdate: () => refresh(),
  });

  // The label names the editor now; a click on it puts the cursor in the text, as it did for the textarea.
  root.querySelector('#body-label')?.addEventListener('click', (e) => {
    e.preventDefault();
    editor.commands.focus();
  });

  // The textarea stays in the form (it is what is posted) but is no longer what the writer edits.
  textarea.id = 'body-source';
  textarea.hidden = true;
  textarea.removeAttribute('required');
  area.hidden = false;
  toolbar.hidden = false;
  root.querySelector('[data-hint-nojs]')?.setAttribute('hidden', '');
  const hint = root.querySelector('[data-hint-js]') as HTMLElement;
  hint.hidden = false;
  hint.id = 'body-hint-js';

  function sync() {
    textarea.value = editor.isEmpty ? '' : editor.getHTML();
    format.value = 'html';
    refresh();
  }

  const active: Record<string, () => boolean> = {
    paragraph: () => editor.isActive('paragraph'),
    h2: () => editor.isActive('heading', { level: 2 }),
    h3: () => editor.isActive('heading', { level: 3 }),
    h4: () => editor.isActive('heading', { level: 4 }),
    bold: () => editor.isActive('bold'),
    italic: () => editor.isActive('italic'),
    underline: () => editor.isActive('underline'),
    strike: () => editor.isActive('strike'),
    bulletList: () => editor.isActive('bulletList'),
    orderedList: () => editor.isActive('orderedList'),
    blockquote: () => editor.isActive('blockquote'),
    link: () => editor.isActive('link'),
  };
  function refresh() {
    for (const b of toolbar.querySelectorAll<HTMLButtonElement>('button[data-cmd]')) {
      const is = active[b.dataset.cmd!];
      if (is) b.setAttribute('aria-pressed', String(is()));
      if (['addRow', 'addColumn', 'deleteTable'].includes(b.dataset.cmd!)) b.disabled = !editor.isActive('table');
    }
  }

  function showError(message: string) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  async function insertImage(file: File) {
    const alt = window.prompt('请填写图片说明（替代文字，供读屏软件朗读，至少 2 个字）', '');
    if (alt === null) return;
    const fd = new FormData();
    fd.append('file', file);
    fd.append('alt', alt);
    showError('');
    const { data, error } = await actions.articles.inlineImage(fd);
    if (error) {
      const fields = (error as { fields?: Record<string, string[]> }).fields;
      showError(fields?.alt?.[0] ?? fields?.file?.[0] ?? error.message ?? '图片上传失败，请重试');
      return;
    }
    editor.chain().focus().setImage({ src: data.src, alt: data.alt }).run();
    offerAsCover(data);
  }

  /** An image just uploaded in the body can be the cover too, without reloading the page. */
  function offerAsCover(m: { id: number; thumb: string; alt: string }) {
    const grid = form.querySelector('.cover-grid');
    if (!grid || grid.querySelector(`input[value="${m.id}"]`)) return;
    const label = document.createElement('label');
    label.className = 'cover-choice';
    const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'coverMediaId', value: String(m.id) });
    const img = Object.assign(document.createElement('img'), { src: m.thumb, alt: '', width: 120, height: 80 });
    const name = Object.assign(document.createElement('span'), { textContent: m.alt });
    label.append(radio, img, name);
    grid.firstElementChild?.after(label);
  }

  const run: Record<string, () => void> = {
    paragraph: () => editor.chain().focus().setParagraph().run(),
    h2: () => editor.chain().focus().toggleHeading({ level: 2 }).run(),
    h3: () => editor.chain().focus().toggleHeading({ level: 3 }).run(),
    h4: () => editor.chain().focus().toggleHeading({ level: 4 }).run(),
    bold: () => editor.chain().focus().toggleBold().run(),
    italic: () => editor.chain().focus().toggleItalic().run(),
    underline: () => editor.chain().focus().toggleUnderline().run(),
    strike: () => editor.chain().focus().toggleStrike().run(),
    bulletList: () => editor.chain().focus().toggleBulletList().run(),
    orderedList: () => editor.chain().focus().toggleOrderedList().run(),
    blockquote: () => editor.chain().focus().toggleBlockquote().run(),
    link: () => {
      const current = (editor.getAttributes('link').href as string | undefined) ?? 'https://';
      const href = window.prompt('链接地址（以 https:// 开头，或本站的 /articles/… 路径；留空则去掉链接）', current);
      if (href === null) return;
      if (!href.trim()) return void editor.chain().focus().extendMarkRange('link').unsetLink().run();
      if (!SAFE_HREF.test(href.trim())) return showError('链接地址须以 https://、http://、mailto:、tel: 或 / 开头');
      showError('');
      editor.chain().focus().extendMarkRange('link').setLink({ href: href.trim() }).run();
    },
    table: () => editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
    addRow: () => editor.chain().focus().addRowAfter().run(),
    addColumn: () => editor.chain().focus().addColumnAfter().run(),
    deleteTable: () => editor.chain().focus().deleteTable().run(),
    image: () => fileInput.click(),
    undo: () => editor.chain().focus().undo().run(),
    redo: () => editor.chain().focus().redo().run(),
  };
  toolbar.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-cmd]');
    if (b) run[b.dataset.cmd!]?.();
  });
  // One tab stop for the toolbar; arrow keys move between its buttons (WAI-ARIA toolbar pattern).
  toolbar.addEventListener('keydown', (e) => {
    const buttons = [...toolbar.querySelectorAll<HTMLButtonElement>('button[data-cmd]:not(:disabled)')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const to = e.key === 'ArrowRight' ? (i + 1) % buttons.length : e.key === 'ArrowLeft' ? (i - 1 + buttons.length) % buttons.length : e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : -1;
    if (to < 0) {
      if (e.key === 'Escape') editor.commands.focus();
      return;
    }
    e.preventDefault();
    for (const b of buttons) b.tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f) void insertImage(f);
  });
  form.addEventListener('submit', () => sync());
  sync();

  mountPreview(form, sync);
}

/** 预览 with JavaScript: the unsaved form rendered by the preview route, shown at phone and desktop width. */
function mountPreview(form: HTMLFormElement, sync: () => void) {
  const section = document.querySelector('[data-preview]') as HTMLElement | null;
  const frames = section?.querySelector('[data-frames]') as HTMLElement | null;
  const button = form.querySelector('button[value="preview"]') as HTMLButtonElement | null;
  if (!section || !frames || !button) return;
  const phone = frames.querySelector('[data-frame="phone"]') as HTMLIFrameElement;
  const desktop = frames.querySelector('[data-frame="desktop"]') as HTMLIFrameElement;
  const box = desktop.parentElement as HTMLElement;
  const scale = () => box.style.setProperty('--scale', String(Math.min(1, box.clientWidth / 1280)));
  window.addEventListener('resize', scale);
  button.addEventListener('click', async (e) => {
    e.preventDefault();
    sync();
    const fd = new FormData(form);
    // Files are not uploaded to preview; the chosen library cover is.
    for (const [k, v] of [...fd.entries()]) if (v instanceof File) fd.delete(k);
    const res = await fetch('/console/articles/preview', { method: 'POST', body: fd, credentials: 'same-origin' });
    const html = await res.text();
    section.querySelector('.preview-inline')?.remove();
    section.hidden = false;
    frames.hidden = false;
    phone.srcdoc = html;
    desktop.srcdoc = html;
    scale();
    section.scrollIntoView({ block: 'start' });
    (section.querySelector('h2') as HTMLElement).focus();
  });
}

const root = document.querySelector<HTMLElement>('[data-rich-editor]');
if (root) mount(root);
