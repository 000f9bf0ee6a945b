// What the encoder made of each patch: how similar the final output of the clicked patch is to
// every other patch's, and the three main directions of variation of all patch outputs as colours.

import { useMemo } from 'react';
import { rowsOf } from '../../analysis/ndarray';
import { cosineSimilarityToRow } from '../../analysis/similarity';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { rgbToRgba } from '../common/colors';
import { Panel } from '../common/Panel';
import { PatchMap } from './PatchMap';

export function PatchOutputs({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
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
      title="Patch outputs"
      exportName="vit-patch-outputs"
      explain="The final hidden state of every patch (after the last layer norm). Left: cosine similarity of the clicked patch's output to all patches; patches of the same object often end up alike. Right: the three directions along which the patch outputs vary most (PCA), shown as red, green and blue; similar colours mean similar representations."
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
              ariaLabel={`Cosine similarity of patch ${patch}'s output to every patch`}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
          ) : (
            <p className="placeholder">Click a patch in any attention map to compare its output with the others.</p>
          )}
          <figcaption>{patch === null ? 'no patch picked' : `cos(output of patch ${patch}, output of each patch)`}</figcaption>
        </figure>
        {rgbImage && components && (
          <figure data-testid="pca-map">
            <RgbCanvas image={rgbImage} label="Patch outputs projected on their first three principal components, as RGB" />
            <figcaption>
              PCA → RGB · variance explained{' '}
              {components.explainedVarianceRatio.map((r) => `${(r * 100).toFixed(1)}%`).join(' / ')}
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
