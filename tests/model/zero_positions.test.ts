// The ViT's "bag of patches" ablation (zeroPositionEmbeddings, used by the inductive-bias lab) is
// exactly the network of a checkpoint whose position embeddings are zero: built here by rewriting
// the fixture's safetensors, with no PyTorch involved. Also: it changes the output, it leaks no
// tensor, and a plain run afterwards still gives the fixture's PyTorch numbers.

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchPermutation, permutePatches } from '../../src/analysis/imageTransforms';
import { loadModel, type VitModel } from '../../src/models';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { copyFixture, encodeSafetensors, expectClose, FIXTURES, loadFixture, readCheckpointTensors } from './helpers';

const NAME = 'vit-tiny';
const POSITIONS = 'vit.embeddings.position_embeddings';

describe('ViT with zeroed position embeddings', () => {
  let vit: VitModel;
  let zeroed: VitModel;
  const fx = loadFixture(NAME);

  beforeAll(async () => {
    await initNodeBackend('cpu');
    const tensors = readCheckpointTensors(`${FIXTURES}/${NAME}`);
    expect(tensors[POSITIONS], `${POSITIONS} in the fixture`).toBeDefined();
    tensors[POSITIONS] = { ...tensors[POSITIONS], bytes: new Uint8Array(tensors[POSITIONS].bytes.byteLength) };
    vit = (await loadModel(await fromFolder(`${FIXTURES}/${NAME}`))) as VitModel;
    zeroed = (await loadModel(await fromFolder(copyFixture(NAME, encodeSafetensors(tensors))))) as VitModel;
  });
  afterAll(() => {
    vit?.dispose();
    zeroed?.dispose();
  });

  it('equals a run of the checkpoint whose position embeddings are zero, every layer', async () => {
    const pixels = fx.expected('case0.pixel_values');
    expect(Array.from(zeroed.info.position_embeddings.data).every((v) => v === 0)).toBe(true);
    const ours = await vit.runPixels(pixels, { zeroPositionEmbeddings: true });
    const reference = await zeroed.runPixels(pixels);
    expectClose(ours.logits!, reference.logits!, 'zeroed logits');
    ours.hidden_states.forEach((h, l) => expectClose(h, reference.hidden_states[l], `zeroed hidden_states.${l}`));
    ours.attentions.forEach((a, l) => expectClose(a, reference.attentions[l], `zeroed attentions.${l}`));
  });

  it('changes the output, leaks nothing, and leaves the normal run as PyTorch computes it', async () => {
    const pixels = fx.expected('case0.pixel_values');
    const before = tf.memory().numTensors;
    const ours = await vit.runPixels(pixels, { zeroPositionEmbeddings: true, outputs: { attentions: false, hidden_states: false } });
    expect(tf.memory().numTensors).toBe(before);
    const normal = await vit.runPixels(pixels);
    expectClose(normal.logits!, fx.expected('case0.logits'), 'logits after the zeroed run');
    const diff = Math.max(...Array.from(normal.logits!.data, (v, i) => Math.abs(v - ours.logits!.data[i])));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('without positions the patch order no longer matters: permuting patches permutes only the patch outputs', async () => {
    const pixels = fx.expected('case0.pixel_values');
    const [rows, cols] = vit.info.trained_grid;
    const perm = patchPermutation(rows * cols, 3);
    const shuffled = permutePatches(pixels, vit.info.config.patch_size, perm);
    const a = await vit.runPixels(pixels, { zeroPositionEmbeddings: true });
    const b = await vit.runPixels(shuffled, { zeroPositionEmbeddings: true });
    expectClose(b.logits!, a.logits!, 'bag of patches: logits of the shuffled image');
  });
});
