// A table of numbers with a header row, scrolling inside its own box when it is taller or wider
// than the page allows (long token lists, phone screens). The rows are the caller's.

import type { ReactNode } from 'react';

interface Props {
  headers: string[];
  className?: string;
  caption?: string;
  /** The <tr> rows. */
  children: ReactNode;
}

export function NumbersTable({ headers, className, caption, children }: Props) {
  return (
    <div className="table-scroll">
      <table className={`numbers${className ? ` ${className}` : ''}`}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
