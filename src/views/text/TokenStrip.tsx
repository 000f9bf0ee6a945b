// The tokens the model actually sees, with id, segment and position. Clicking a token masks it in
// the sentence (or its whole word) and re-runs, as in masked-LM pretraining. For ELECTRA's
// discriminator each token also shows the probability that it was replaced. Words the vocabulary
// cannot spell became the unknown token; a note says how many and why.

import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { displayToken } from '../../models/token_text';
import type { BertEncoding, BertModelInfo, NdArray } from '../../models/types';
import { useTextStore } from '../../stores';
import { formatNumber, formatPercent } from '../common/format';

const SEGMENT_CLASS = ['seg-a', 'seg-b'];
const HANGUL = /\p{Script=Hangul}/u;

/** Which words of the input became the unknown token, and whether the vocabulary can spell Korean at all. */
function UnknownNote({ encoding, info, model }: { encoding: BertEncoding; info: BertModelInfo; model: string }) {
  const { t } = useTranslation();
  const input = useTextStore((s) => s.input);
  const unk = info.unk_token;
  const positions = unk === null ? [] : encoding.tokens.flatMap((token, p) => (token === unk ? [p] : []));
  if (unk === null || positions.length === 0) return null;
  const words = positions.map((p) => {
    const span = encoding.offsets[p];
    const text = input?.[encoding.segment[p]];
    return span && text ? text.slice(span[0], span[1]) : unk;
  });
  return (
    <div role="status" className="warning unk-note" data-testid="unk-note" data-count={positions.length}>
      <p>
        {t('text.tokens.unk', {
          count: positions.length,
          total: encoding.tokens.length,
          unk,
          words: [...new Set(words)].map((w) => `“${w}”`).join(', '),
        })}
      </p>
      <p>{t('text.tokens.unkWhy', { unk, model, vocab: formatNumber(info.config.vocab_size, 0) })}</p>
      {words.some((w) => HANGUL.test(w)) && <p>{t('text.tokens.unkKorean')}</p>}
    </div>
  );
}

interface Props {
  encoding: BertEncoding;
  /** ELECTRA's replaced-token probabilities, one per token; null for other models. */
  rtd: NdArray | null;
  info: BertModelInfo;
  model: string;
}

export function TokenStrip({ encoding, rtd, info, model }: Props) {
  const { t } = useTranslation();
  const maskToken = useTextStore((s) => s.maskToken);
  const [wholeWord, setWholeWord] = useState(false);
  return (
    <div className="token-strip-wrap">
      <label className="inline-option">
        <input type="checkbox" checked={wholeWord} onChange={(e) => setWholeWord(e.target.checked)} /> {t('text.tokens.wholeWords')}
      </label>
      <ol className="token-strip" aria-label={t('text.tokens.list')}>
        {encoding.tokens.map((token, p) => {
          const segment = encoding.segment[p];
          const special = segment < 0;
          const masked = token === encoding.mask_token;
          const unknown = token === info.unk_token;
          const shown = displayToken(token, encoding.tokenizer);
          const replaced = rtd ? rtd.data[p] : null;
          const replacedText = replaced === null ? null : t('text.rtd.replaced', { percent: formatPercent(replaced) });
          const className = `token ${special ? 'special' : SEGMENT_CLASS[segment]}${masked ? ' masked' : ''}${unknown ? ' unknown' : ''}`;
          const segmentName = special ? t('text.tokens.special') : t('text.tokens.sentence', { name: segment === 0 ? 'A' : 'B' });
          const clickable = !(special || masked);
          const facts = { token: shown, position: p, id: encoding.input_ids[p], segment: segmentName, rtd: replacedText ? `, ${replacedText}` : '' };
          return (
            <li key={p}>
              <button
                type="button"
                className={className}
                data-testid="token"
                data-token={token}
                data-id={encoding.input_ids[p]}
                data-rtd={replaced ?? undefined}
                disabled={!clickable}
                title={t(clickable ? 'text.tokens.title_click' : 'text.tokens.title_plain', facts)}
                aria-label={t(clickable ? 'text.tokens.aria_click' : 'text.tokens.aria_plain', facts)}
                onClick={() => maskToken(p, wholeWord)}
              >
                <span className="token-text">{shown}</span>
                <span className="token-meta">
                  {encoding.input_ids[p]} · {special ? '–' : segment === 0 ? 'A' : 'B'} · {p}
                </span>
                {replaced !== null && (
                  <>
                    <span className="token-meta" data-testid="token-rtd">
                      {replacedText}
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
          {t('text.tokens.truncated', { count: encoding.truncated })}
        </p>
      )}
      <UnknownNote encoding={encoding} info={info} model={model} />
      <p className="legend">
        <Trans
          i18nKey="text.tokens.legend"
          values={{ cls: encoding.tokens[0], sep: encoding.tokens[encoding.tokens.length - 1] }}
          components={{
            a: <span className="token seg-a" />,
            b: <span className="token seg-b" />,
            cls: <span className="token special" />,
            sep: <span className="token special" />,
          }}
        />
        {encoding.tokenizer !== 'wordpiece' && <> {t(`text.tokens.${encoding.tokenizer}`)}</>}
      </p>
    </div>
  );
}
