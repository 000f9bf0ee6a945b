// The rendered width of an element, kept current with a ResizeObserver: charts draw in their own
// pixel size, so their labels keep a readable font size on a phone instead of shrinking with a
// scaled-down viewBox.

import { useEffect, useState, type RefObject } from 'react';

export function useElementWidth(ref: RefObject<Element | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry.contentRect.width > 0) setWidth(Math.round(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
