// The text workspace: type one or two sentences, see how BERT tokenizes them, fill in masked
// words, ask whether B follows A, and look inside (attention, embeddings); or open a lab.

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

  return (
    <>
      <p className="explain intro">
        BERT is an encoder pretrained self-supervised on raw text: it reads the whole input at once and was trained to fill in
        masked words (masked language modelling) and to tell whether sentence B really followed sentence A (next-sentence
        prediction).
      </p>
      <SentenceInputs />
      {error && (
        <p role="alert" className="error-box" data-testid="text-error">
          {error}
        </p>
      )}
      {!model && <p>Waiting for a text model…</p>}
      {output && (
        <>
          <Panel
            title="Tokens"
            exportName="tokens"
            explain="WordPiece splits words into vocabulary pieces (## marks a piece that continues a word). [CLS] opens the input and its final vector feeds classification heads; [SEP] closes each sentence. Click a token to mask it."
            data={() => output.encoding}
          >
            <TokenStrip encoding={output.encoding} rtd={output.rtd} />
          </Panel>
          <div className="panel-pair">
            <Panel
              title="Masked-word prediction"
              exportName="masked-lm"
              explain="In masked language modelling some tokens are replaced by [MASK] and the model predicts the original from both sides of the context; training minimises the cross-entropy loss −log p(original). Click a prediction to put it into the sentence."
              data={() => {
                // Read on export rather than subscribed, so masking does not re-render every panel.
                const { originals } = useTextStore.getState();
                return output.mlm?.map((m, i) => ({
                  position: m.position,
                  top: m.top,
                  original: originals[i] ?? null,
                  original_log_prob: originals[i] ? m.log_probs[originals[i].id] : null,
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
              <Panel
                title="Next-sentence prediction"
                exportName="nsp"
                explain="During pretraining, half the time B was the sentence that really followed A and half the time a random one; a small head on the final [CLS] vector learned to tell IsNext from NotNext."
                data={() => output.nsp}
              >
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
          <AttentionPanel output={output} />
          <Panel
            title="Input embeddings"
            exportName="input-embeddings"
            explain="Each token's input vector is the sum of three learned embeddings: one for the token, one for its segment (A or B) and one for its position, followed by LayerNorm."
            data={() => output.embeddings}
          >
            <EmbeddingDecomposition output={output} />
          </Panel>
          {model && (
            <Panel
              title="Position embeddings"
              exportName="position-similarity"
              explain="Cosine similarity between the learned position embeddings of all positions (click a cell or use the slider to pick a position for the profile below). BERT is not told that positions are ordered; the similarity of neighbours is learned."
              data={() => ({ cosine_similarity: cosineSimilarityMatrix(model.info.position_embeddings), focus: useTextStore.getState().positionFocus })}
            >
              <PositionSimilarity positionEmbeddings={model.info.position_embeddings} />
            </Panel>
          )}
          <Panel
            title="[CLS] through the layers"
            exportName="cls-trajectory"
            explain="The [CLS] vector after the embeddings and after each layer: its length, and how close it already is (cosine) to the final [CLS] that the heads read."
            data={() => clsRows(output)}
          >
            <ClsTrajectory output={output} />
          </Panel>
        </>
      )}
    </>
  );
}
