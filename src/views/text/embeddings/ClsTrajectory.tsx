// How the [CLS] vector changes through the layers: its length, and its cosine similarity to the
// final [CLS] (what the NSP head and fine-tuned classifiers read).

import { cosineSimilarityToRow } from '../../../analysis/similarity';
import { rowOf } from '../../../analysis/ndarray';
import type { FullBertOutput, NdArray } from '../../../models/types';
import { norm } from './vectorMath';

/** [layers + 1, hidden]: the [CLS] row of every hidden state. */
export function clsRows(output: FullBertOutput): NdArray {
  const hidden = output.hidden_states[0].shape[1];
  const data = new Float32Array(output.hidden_states.length * hidden);
  output.hidden_states.forEach((h, l) => data.set(rowOf(h, 0), l * hidden));
  return { shape: [output.hidden_states.length, hidden], data };
}

export function ClsTrajectory({ output }: { output: FullBertOutput }) {
  const rows = clsRows(output);
  const last = rows.shape[0] - 1;
  const toFinal = cosineSimilarityToRow(rows, last);
  const norms = Array.from({ length: rows.shape[0] }, (_, l) => norm(rowOf(rows, l)));
  const maxNorm = Math.max(...norms);
  return (
    <table className="numbers cls-trajectory" data-testid="cls-trajectory">
      <thead>
        <tr>
          <th scope="col">after</th>
          <th scope="col">‖[CLS]‖</th>
          <th scope="col">cos to final [CLS]</th>
        </tr>
      </thead>
      <tbody>
        {norms.map((n, l) => (
          <tr key={l}>
            <th scope="row">{l === 0 ? 'embeddings' : `layer ${l}`}</th>
            <td>
              <span className="inline-bar" style={{ width: `${(60 * n) / maxNorm}px` }} /> {n.toFixed(2)}
            </td>
            <td>
              <span className="inline-bar" style={{ width: `${60 * Math.max(0, toFinal[l])}px` }} /> {toFinal[l].toFixed(3)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
