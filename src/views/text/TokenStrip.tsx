// The tokens the model actually sees, with id, segment and position. Clicking a token masks it in
// the sentence (or its whole word) and re-runs, as in masked-LM pretraining. For ELECTRA's
// discriminator each token also shows the probability that it was replaced.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayToken } from '../../models/token_text';
import type { BertEncoding, NdArray } from '../../models/types';
import { useAppStore, useTextStore } from '../../stores';
import { formatPercent } from '../common/format';

const SEGMENT_CLASS = ['seg-a', 'seg-b'];

export function TokenStrip({ encoding, rtd }: { encoding: BertEncoding; rtd: NdArray | null }) {
  const { t } = useTranslation();
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
          const masked = token === encoding.mask_token;
          const shown = displayToken(token, encoding.tokenizer);
          const replaced = rtd ? rtd.data[p] : null;
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
                data-rtd={replaced ?? undefined}
                disabled={special || masked}
                title={`${token}: position ${p}, id ${encoding.input_ids[p]}, ${segmentName}${special || masked ? '' : ' — click to mask'}`}
                aria-label={`${shown}, position ${p}, id ${encoding.input_ids[p]}, ${segmentName}${replaced === null ? '' : `, ${t('text.rtd.replaced', { percent: formatPercent(replaced) })}`}${special || masked ? '' : ', mask it'}`}
                onClick={() => maskToken(p, wholeWord)}
              >
                <span className="token-text">{shown}</span>
                <span className="token-meta">
                  {encoding.input_ids[p]} · {special ? '–' : segment === 0 ? 'A' : 'B'} · {p}
                </span>
                {replaced !== null && (
                  <>
                    <span className="token-meta" data-testid="token-rtd">
                      {t('text.rtd.replaced', { percent: formatPercent(replaced) })}
                    </span>
                    <span className="token-rtd-bar" aria-hidden style={{ width: `${(100 * replaced).toFixed(1)}%` }} />
                  </>
                )}
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
        <span className="token special">{encoding.tokens[0]}</span> opens the input, <span className="token special">{encoding.tokens[encoding.tokens.length - 1]}</span>{' '}
        closes each sentence. Under each token: vocabulary id · segment · position.
        {encoding.tokenizer !== 'wordpiece' && <> {t(`text.tokens.${encoding.tokenizer}`)}</>}
      </p>
    </div>
  );
}
