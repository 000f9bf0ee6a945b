# Independent numpy reference for src/analysis on the vit-tiny fixture (case 0), written to
# tests/analysis/reference/vit-tiny-case0.json. Build-time only (Debian python3 with numpy):
#   /usr/bin/python3 tests/analysis/reference/make_reference.py
import json, struct, sys
import numpy as np
sys.path.insert(0, 'scripts/train/vit')
from pos_structure import position_embedding_structure

def load(path):
    f = open(path, 'rb').read()
    n = struct.unpack('<Q', f[:8])[0]
    h = json.loads(f[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        a, b = v['data_offsets']
        assert v['dtype'] == 'F32'
        out[k] = np.frombuffer(f[8 + n + a:8 + n + b], dtype='<f4').reshape(v['shape'])
    return out

exp = load('tests/fixtures/models/vit-tiny/expected.safetensors')
model = load('tests/fixtures/models/vit-tiny/model.safetensors')
att = [exp[f'case0.attentions.{l}'].astype(np.float64) for l in range(3)]
res = {}
res['structure'] = position_embedding_structure(model['vit.embeddings.position_embeddings'][0], 4, 4)

def rollout(atts, fusion, ratio):
    n = atts[0].shape[-1]
    r = np.eye(n)
    for a in atts:
        f = {'mean': a.mean(0), 'max': a.max(0), 'min': a.min(0)}[fusion].copy()
        flat = f.reshape(-1)
        k = int(flat.size * ratio)
        order = np.lexsort((np.arange(flat.size), flat))[:k]  # by value, then index
        order = order[order != 0]
        flat[order] = 0
        f = flat.reshape(n, n) + np.eye(n)
        f = f / f.sum(-1, keepdims=True)
        r = f @ r
    return r

res['rollout_mean_0_cls'] = rollout(att, 'mean', 0.0)[0].tolist()
res['rollout_max_09_cls'] = rollout(att, 'max', 0.9)[0].tolist()
res['rollout_min_05_row5'] = rollout(att, 'min', 0.5)[5].tolist()

rows, cols = np.divmod(np.arange(16), 4)
dist = np.hypot(rows[:, None] - rows[None, :], cols[:, None] - cols[None, :]) * 4  # patch size 4 px
mad = []
for a in att:
    p = a[:, 1:, 1:]
    p = p / p.sum(-1, keepdims=True)
    mad.append((p * dist[None]).sum(-1).mean(-1).tolist())
res['mean_attention_distance'] = mad

x = exp['case0.last_hidden_state'][1:].astype(np.float64)
xc = x - x.mean(0)
u, s, vt = np.linalg.svd(xc, full_matrices=False)
var = s ** 2 / (x.shape[0] - 1)
res['pca_variance'] = var[:3].tolist()
res['pca_ratio'] = (var[:3] / var.sum()).tolist()
# sign: largest |loading| positive
comps = []
for j in range(3):
    v = vt[j]
    if v[np.argmax(np.abs(v))] < 0: v = -v
    comps.append(v)
res['pca_projections_pc1'] = (xc @ comps[0]).tolist()
xn = x / np.linalg.norm(x, axis=1, keepdims=True)
res['cos_patch3'] = (xn @ xn[3]).tolist()
with open("tests/analysis/reference/vit-tiny-case0.json", "w") as out:
    json.dump(res, out, indent=1)
    out.write("\n")
