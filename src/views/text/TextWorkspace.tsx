// The text workspace: type one or two sentences, see how BERT tokenizes them, fill in masked
// words, ask whether B follows A, and look inside (attention, embeddings); or open a lab.

import { useDeferredValue } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { cosineSimilarityMatrix } from '../../analysis/similarity';
import { useAppStore } from '../../stores';
import { useLabStore, useTextStore } from '../../stores';
import { ARCHITECTURE_NAMES } from '../common/format';
import { Panel } from '../common/Panel';
import { SectionTabs } from '../common/SectionTabs';
import { AttentionPanel } from './attention/AttentionPanel';
import { ClsTrajectory, clsRows } from './embeddings/ClsTrajectory';
import { EmbeddingDecomposition } from './embeddings/EmbeddingDecomposition';
import { SelfSupervisionLab } from './lab/SelfSupervisionLab';
import { PositionSimilarity } from './embeddings/PositionSimilarity';
import { MaskPredictions } from './MaskPredictions';
import { NspPanel } from './NspPanel';
import { RtdPanel } from './RtdPanel';
import { SopPanel } from './SopPanel';
import { SentenceInputs } from './SentenceInputs';
import { TokenStrip } from './TokenStrip';

export function TextWorkspace() {
  const { t } = useTranslation();
  const model = useAppStore((s) => s.slots.bert.current);
  const { open: labOpen, setOpen } = useLabStore(useShallow((s) => ({ open: s.open, setOpen: s.setOpen })));
  return (
    <div className="workspace text-workspace">
      <SectionTabs
        label={t('text.sections.label')}
        sections={[
          { id: 'explore', label: t('text.sections.explore') },
          { id: 'self-supervision', label: t('text.sections.selfSupervision') },
        ]}
        selected={labOpen ? 'self-supervision' : 'explore'}
        onSelect={(id) => setOpen(id === 'self-supervision')}
      />
      <div role="tabpanel" aria-labelledby={`section-${labOpen ? 'self-supervision' : 'explore'}`}>
        {!labOpen && <ExploreSection />}
        {labOpen && (model ? <SelfSupervisionLab /> : <p>{t('text.waitingForModel')}</p>)}
      </div>
    </div>
  );
}

/** The views of one input: tokens, masked words, NSP, attention, embeddings. */
function ExploreSection() {
  const { t } = useTranslation();
  const model = useAppStore((s) => s.slots.bert.current);
  const { output, error } = useTextStore(useShallow((s) => ({ output: s.output, error: s.error })));
  // The panels below the first screen render in a background pass that React splits into short
  // tasks: rendering every view of a base-size model's output at once blocked the page for 1.7 s
  // (docs/benchmarks.md). They show the previous output until then.
  const later = useDeferredValue(output);

  return (
    <>
      <p className="explain intro">{t('text.intro')}</p>
      <SentenceInputs />
      {error && (
        <p role="alert" className="error-box" data-testid="text-error">
          {error}
        </p>
      )}
      {!model && <p>{t('text.waitingForModel')}</p>}
      {output && model && (
        <>
          <Panel title={t('text.tokens.title')} exportName="tokens" explain={t('text.tokens.explain')} data={() => output.encoding}>
            <TokenStrip encoding={output.encoding} rtd={output.rtd} info={model.info} model={model.name} />
          </Panel>
          <div className="panel-pair">
            <Panel
              title={t('text.mlm.title')}
              exportName="masked-lm"
              explain={t('text.mlm.explain')}
              data={() => {
                // Read on export rather than subscribed, so masking does not re-render every panel.
                const { originals } = useTextStore.getState();
                return output.mlm?.map((m, i) => ({
                  position: m.position,
                  top: m.top,
                  original: originals[i] ?? null,
                  original_log_prob: originals[i] ? (m.log_probs[originals[i].id] ?? null) : null,
                }));
              }}
            >
              <MaskPredictions output={output} />
            </Panel>
            {output.sop ? (
              <Panel title={t('text.sop.title')} exportName="sop" explain={t('text.sop.explain')} data={() => output.sop}>
                <SopPanel output={output} />
              </Panel>
            ) : output.rtd ? (
              <Panel title={t('text.rtd.title')} exportName="rtd" explain={t('text.rtd.explain')} data={() => ({ tokens: output.encoding.tokens, rtd: output.rtd })}>
                <RtdPanel output={output} />
              </Panel>
            ) : (
              <Panel title={t('text.nsp.title')} exportName="nsp" explain={t('text.nsp.explain')} data={() => output.nsp}>
                {output.nsp || output.architecture === 'bert' ? (
                  <NspPanel output={output} />
                ) : (
                  <p data-testid="no-sentence-head">
                    {output.architecture === 'albert'
                      ? t('text.sop.missing')
                      : t('text.noSentenceHead', { model: ARCHITECTURE_NAMES[output.architecture] })}
                  </p>
                )}
              </Panel>
            )}
          </div>
        </>
      )}
      {later && model && (
        <>
          <AttentionPanel output={later} />
          <Panel
            title={t('text.embeddings.title')}
            exportName="input-embeddings"
            explain={t('text.embeddings.explain')}
            data={() => later.embeddings}
          >
            <EmbeddingDecomposition output={later} />
          </Panel>
          <Panel
            title={t('text.positions.title')}
            exportName="position-similarity"
            explain={t('text.positions.explain')}
            data={() => ({ cosine_similarity: cosineSimilarityMatrix(model.info.position_embeddings), focus: useTextStore.getState().positionFocus })}
          >
            <PositionSimilarity positionEmbeddings={model.info.position_embeddings} />
          </Panel>
          <Panel title={t('text.cls.title')} exportName="cls-trajectory" explain={t('text.cls.explain')} data={() => clsRows(later)}>
            <ClsTrajectory output={later} />
          </Panel>
        </>
      )}
    </>
  );
}
