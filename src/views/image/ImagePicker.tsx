// Where images come in: a drop zone that is also a file picker, Ctrl-V / Cmd-V anywhere on the
// page, and the bundled sample images as thumbnails.

import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { samplesUrl, useImageStore } from '../../stores';

export function ImagePicker() {
  const { t } = useTranslation();
  const samples = useImageStore((s) => s.samples);
  const samplesError = useImageStore((s) => s.samplesError);
  const source = useImageStore((s) => s.source);
  const running = useImageStore((s) => s.running);
  const sharedOwnImage = useImageStore((s) => s.sharedOwnImage);
  const openFile = useImageStore((s) => s.openFile);
  const openSample = useImageStore((s) => s.openSample);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = Array.from(event.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      if (!file) return;
      event.preventDefault();
      void openFile(file);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [openFile]);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void openFile(file);
  };

  return (
    <section className="image-picker" aria-label={t('image.picker.region')}>
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <button type="button" onClick={() => input.current?.click()}>
          {t('image.picker.choose')}
        </button>
        <span> {t('image.picker.dropOrPaste')}</span>
        <input
          ref={input}
          type="file"
          accept="image/*"
          hidden
          data-testid="image-file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void openFile(file);
            e.target.value = '';
          }}
        />
        <div className="current-image" aria-live="polite">
          {running ? t('image.picker.running') : source ? t('image.picker.showing', { name: source.name }) : t('image.picker.noImage')}
        </div>
      </div>
      {sharedOwnImage && (
        <p role="status" className="notice" data-testid="shared-own-image">
          {t('image.picker.sharedOwn')}
        </p>
      )}
      {samplesError && <p className="muted">{samplesError}</p>}
      {samples && samples.length > 0 && (
        <ul className="sample-strip" aria-label={t('image.picker.samples')}>
          {samples.map((sample) => (
            <li key={sample.file}>
              <button
                type="button"
                className="sample-button"
                aria-pressed={source?.name === sample.file}
                title={sample.label}
                onClick={() => void openSample(sample)}
              >
                <img src={samplesUrl(sample.file)} alt={sample.label} width={48} height={48} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
