// The WordPiece tokens the model actually sees, with id, segment and position. Clicking a token
// masks it in the sentence (or its whole word) and re-runs, as in masked-LM pretraining.

import { useState } from 'react';
import type { BertEncoding } from '../../models/types';
import { MASK } from '../../stores/masking';
import { useAppStore, useTextStore } from '../../stores';

const SEGMENT_CLASS = ['seg-a', 'seg-b'];

export function TokenStrip({ encoding }: { encoding: BertEncoding }) {
  const maskToken = useTextStore((s) => s.maskToken);
  const maxLength = useAppStore((s) => s.slots.bert.current?.info.max_length);
  const [wholeWord, setWholeWord] = useState(false);
  return (
    <div className="token-strip-wrap">
      <label className="inline-option">
        <input type="checkbox" checked={wholeWord} onChange={(e) => setWholeWord(e.target.checked)} /> mask whole words
      </label>
      <ol className="token-strip" aria-label="Tokens">
        {encoding.tokens.map((token, p) => {
          const segment = encoding.segment[p];
          const special = segment < 0;
          const masked = token === MASK;
          const className = `token ${special ? 'special' : SEGMENT_CLASS[segment]}${masked ? ' masked' : ''}`;
          const segmentName = special ? 'special token' : `sentence ${segment === 0 ? 'A' : 'B'}`;
          return (
            <li key={p}>
              <button
                type="button"
                className={className}
                data-testid="token"
                data-token={token}
                data-id={encoding.input_ids[p]}
                disabled={special || masked}
                title={`position ${p}, id ${encoding.input_ids[p]}, ${segmentName}${special || masked ? '' : ' — click to mask'}`}
                aria-label={`${token}, position ${p}, id ${encoding.input_ids[p]}, ${segmentName}${special || masked ? '' : ', mask it'}`}
                onClick={() => maskToken(p, wholeWord)}
              >
                <span className="token-text">{token}</span>
                <span className="token-meta">
                  {encoding.input_ids[p]} · {special ? '–' : segment === 0 ? 'A' : 'B'} · {p}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {encoding.truncated > 0 && (
        <p role="status" className="warning">
          {encoding.truncated} tokens were cut off to fit the model&apos;s maximum length
          {maxLength && ` of ${maxLength.tokens} tokens (${maxLength.from})`}.
        </p>
      )}
      <p className="legend">
        <span className="token seg-a">A</span> sentence A · <span className="token seg-b">B</span> sentence B ·{' '}
        <span className="token special">[CLS]</span> opens the input, <span className="token special">[SEP]</span> closes each sentence. Under
        each token: vocabulary id · segment · position.
      </p>
    </div>
  );
}
