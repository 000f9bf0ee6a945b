// A wide table in a box that scrolls sideways (and down, past `maxHeight`), saying so when its
// columns do not fit: on a phone a table cut off at the screen's edge looks complete.

import { useEffect, useRef, useState, type ReactNode } from 'react';

export function ScrollTable({ hint, maxHeight, children }: { hint: string; maxHeight?: number; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const check = () => setOverflows(box.scrollWidth > box.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="scroll-table">
      {overflows && (
        <p className="scroll-hint" data-testid="scroll-hint">
          {hint}
        </p>
      )}
      <div ref={ref} className="scroll-table-box" style={{ maxHeight }} tabIndex={overflows ? 0 : undefined}>
        {children}
      </div>
    </div>
  );
}
