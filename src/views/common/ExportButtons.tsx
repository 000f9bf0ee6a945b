// "Export view as PNG" and "export numbers as JSON", the same two buttons under every view.
// The PNG renderer (html-to-image) is only downloaded when someone first asks for a picture.

import { useState, type RefObject } from 'react';

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

const plainArrays = (_key: string, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value);

export function ExportButtons({ target, name, data }: Props) {
  const [error, setError] = useState<string | null>(null);

  async function exportPng() {
    const node = target.current;
    if (!node) return;
    try {
      const { toPng } = await import('html-to-image');
      const background = getComputedStyle(document.body).backgroundColor;
      download(await toPng(node, { backgroundColor: background, pixelRatio: 2 }), `${name}.png`);
      setError(null);
    } catch (e) {
      setError(`PNG export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function exportJson() {
    const url = URL.createObjectURL(new Blob([JSON.stringify(data(), plainArrays, 1)], { type: 'application/json' }));
    download(url, `${name}.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <div className="export-buttons">
      <button type="button" onClick={() => void exportPng()} aria-label={`Export ${name} as PNG`}>
        PNG
      </button>
      <button type="button" onClick={exportJson} aria-label={`Export ${name} numbers as JSON`}>
        JSON
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
