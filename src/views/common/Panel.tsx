// A titled section of a workspace: a short plain-language explanation, the view itself, and the
// shared export buttons. Every view is wrapped in one so they all look and export alike.

import { useRef, type ReactNode } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { ExportButtons } from './ExportButtons';

interface Props {
  title: string;
  /** File name stem for exports, e.g. "attention-head-view". */
  exportName: string;
  /** What this view shows and how to read it, in a sentence or three. */
  explain: ReactNode;
  /** Numbers behind the view, for the JSON export; omit when the view has none. */
  data?: () => unknown;
  controls?: ReactNode;
  children: ReactNode;
}

export function Panel({ title, exportName, explain, data, controls, children }: Props) {
  const ref = useRef<HTMLElement>(null);
  const headingId = `panel-${exportName}`;
  return (
    <section className="panel" ref={ref} aria-labelledby={headingId} data-panel={exportName}>
      <header className="panel-header">
        <h2 id={headingId}>{title}</h2>
        {data && <ExportButtons target={ref} name={exportName} data={data} />}
      </header>
      <p className="explain">{explain}</p>
      {controls && <div className="panel-controls">{controls}</div>}
      <ErrorBoundary what={title}>{children}</ErrorBoundary>
    </section>
  );
}
