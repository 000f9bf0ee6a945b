// "Export view as PNG" and "export numbers as JSON", the same two buttons under every view.
// The PNG renderer (html-to-image) is only downloaded when someone first asks for a picture; the
// picture leaves out these buttons themselves.

import { useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** The element to picture. */
  target: RefObject<HTMLElement | null>;
  /** File name without extension. */
  name: string;
  /** The numbers behind the view; typed arrays become plain arrays. */
  data: () => unknown;
}

function download(href: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  link.click();
}

const BUTTONS_CLASS = 'export-buttons';
const TRANSPARENT = /^(transparent|rgba\(.*,\s*0\))$/;

/** html-to-image's node filter: everything but the export buttons. */
const notExportButtons = (node: HTMLElement) => !node.classList?.contains(BUTTONS_CLASS);

const plainArrays = (_key: string, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value);

export function ExportButtons({ target, name, data }: Props) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);

  async function exportPng() {
    const node = target.current;
    if (!node) return;
    try {
      const { toPng } = await import('html-to-image');
      // The first opaque background from the panel outwards (the page's own is set on <html>).
      const background =
        [node, document.body, document.documentElement].map((e) => getComputedStyle(e).backgroundColor).find((c) => !TRANSPARENT.test(c)) ??
        'white';
      download(await toPng(node, { backgroundColor: background, pixelRatio: 2, filter: notExportButtons }), `${name}.png`);
      setError(null);
    } catch (e) {
      setError(t('export.pngFailed', { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  function exportJson() {
    const url = URL.createObjectURL(new Blob([JSON.stringify(data(), plainArrays, 1)], { type: 'application/json' }));
    download(url, `${name}.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <div className={BUTTONS_CLASS}>
      <button type="button" onClick={() => void exportPng()} aria-label={t('export.pngLabel', { name })}>
        PNG
      </button>
      <button type="button" onClick={exportJson} aria-label={t('export.jsonLabel', { name })}>
        JSON
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
