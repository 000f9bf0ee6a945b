// What the encoder made of each patch: how similar the final output of the clicked patch is to
// every other patch's, and the three main directions of variation of all patch outputs as colours.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { rowsOf } from '../../analysis/ndarray';
import { cosineSimilarityToRow } from '../../analysis/similarity';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { rgbToRgba } from '../common/colors';
import { formatPercent } from '../common/format';
import { Panel } from '../common/Panel';
import { PatchMap } from './PatchMap';

export function PatchOutputs({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const { t } = useTranslation();
  const patch = useImageStore((s) => s.patch);
  const setPatch = useImageStore((s) => s.setPatch);
  const [rows, cols] = output.grid;
  const n = rows * cols;
  const patches = useMemo(() => rowsOf(output.last_hidden_state, output.prefix_tokens, output.prefix_tokens + n), [output, n]);
  const similarity = useMemo(() => (patch === null ? null : cosineSimilarityToRow(patches, patch)), [patches, patch]);
  // PCA of e.g. 196 outputs of width 768 takes up to a second: the analysis worker does it.
  const pcaArgs = useMemo(() => (n >= 2 ? { vectors: patches } : null), [patches, n]);
  const { value: computed, input } = useAnalysis('pcaRgb', pcaArgs);
  const components = input === pcaArgs ? computed : null;
  const rgbImage = useMemo(() => (components ? new ImageData(rgbToRgba(components.rgb), cols, rows) : null), [components, cols, rows]);

  return (
    <Panel
      title={t('image.outputs.title')}
      exportName="vit-patch-outputs"
      explain={t('image.outputs.explain')}
      data={() => ({
        patch,
        similarity,
        pca: components && { explained_variance_ratio: components.explainedVarianceRatio, projections: components.projections },
      })}
    >
      <div className="map-pair">
        <figure data-testid="output-similarity">
          {similarity ? (
            <PatchMap
              values={similarity}
              grid={output.grid}
              underlay={pixels}
              scale="diverging"
              domain={[-1, 1]}
              ariaLabel={t('image.outputs.similarityAria', { patch })}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
          ) : (
            <p className="placeholder">{t('image.outputs.pickPatch')}</p>
          )}
          <figcaption>{patch === null ? t('image.maps.noPatch') : t('image.outputs.similarityCaption', { patch })}</figcaption>
        </figure>
        {rgbImage && components && (
          <figure data-testid="pca-map">
            <RgbCanvas image={rgbImage} label={t('image.outputs.pcaAria')} />
            <figcaption>
              {t('image.outputs.pcaCaption', { ratios: components.explainedVarianceRatio.map((r) => formatPercent(r, 1)).join(' / ') })}
            </figcaption>
          </figure>
        )}
      </div>
    </Panel>
  );
}

function RgbCanvas({ image, label }: { image: ImageData; label: string }) {
  return (
    <canvas
      className="pixelated"
      width={image.width}
      height={image.height}
      role="img"
      aria-label={label}
      ref={(canvas) => canvas?.getContext('2d')?.putImageData(image, 0, 0)}
    />
  );
}
