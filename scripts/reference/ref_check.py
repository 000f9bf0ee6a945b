"""Independent float64 re-derivation of the reference forwards, used to sanity-check the fixtures.

Written differently on purpose: explicit LayerNorm/GELU formulas, einsum attention, patch embedding by
reshaping instead of conv2d, and a hand-written bicubic (PyTorch's cubic convolution, A = -0.75,
align_corners=False, clamped border taps) instead of F.interpolate.
"""

import math

import torch

ACT64 = {
    "gelu": lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3))),
    "relu": lambda x: torch.where(x > 0, x, torch.zeros_like(x)),
}


def _ln(x, w, prefix, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w[prefix + ".weight"] + w[prefix + ".bias"]


def _dense(x, w, prefix):
    y = torch.einsum("...i,oi->...o", x, w[prefix + ".weight"])
    return y + w[prefix + ".bias"] if prefix + ".bias" in w else y


def _attention(x, w, prefix, heads):
    seq, hidden = x.shape
    d = hidden // heads
    q, k, v = (_dense(x, w, prefix + n).reshape(seq, heads, d) for n in ("query", "key", "value"))
    scores = torch.einsum("qnd,knd->nqk", q, k) / math.sqrt(d)
    e = torch.exp(scores - scores.max(-1, keepdim=True).values)
    probs = e / e.sum(-1, keepdim=True)
    return torch.einsum("nqk,knd->qnd", probs, v).reshape(seq, hidden), probs


def bert_forward64(w32, config, input_ids, token_type_ids):
    w = {k: v.double() for k, v in w32.items()}
    eps, heads, act = config["layer_norm_eps"], config["num_attention_heads"], ACT64[config["hidden_act"]]
    seq = len(input_ids)
    out = {
        "embeddings.word": torch.stack([w["bert.embeddings.word_embeddings.weight"][i] for i in input_ids]),
        "embeddings.position": w["bert.embeddings.position_embeddings.weight"][:seq],
        "embeddings.token_type": torch.stack([w["bert.embeddings.token_type_embeddings.weight"][t]
                                              for t in token_type_ids]),
    }
    x = _ln(out["embeddings.word"] + out["embeddings.position"] + out["embeddings.token_type"], w,
            "bert.embeddings.LayerNorm", eps)
    out["hidden_states.0"] = x
    for i in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        ctx, out[f"attentions.{i}"] = _attention(x, w, p + "attention.self.", heads)
        x = _ln(_dense(ctx, w, p + "attention.output.dense") + x, w, p + "attention.output.LayerNorm", eps)
        x = _ln(_dense(act(_dense(x, w, p + "intermediate.dense")), w, p + "output.dense") + x, w,
                p + "output.LayerNorm", eps)
        out[f"hidden_states.{i + 1}"] = x
    out["pooler_output"] = torch.tanh(_dense(x[0], w, "bert.pooler.dense"))
    if "cls.predictions.bias" in w:
        t = _ln(act(_dense(x, w, "cls.predictions.transform.dense")), w, "cls.predictions.transform.LayerNorm", eps)
        decoder = (w["bert.embeddings.word_embeddings.weight"] if config.get("tie_word_embeddings", True)
                   else w["cls.predictions.decoder.weight"])
        out["prediction_logits"] = torch.einsum("sh,vh->sv", t, decoder) + w["cls.predictions.bias"]
    if "cls.seq_relationship.weight" in w:
        out["seq_relationship_logits"] = _dense(out["pooler_output"], w, "cls.seq_relationship")
    return out


def _cubic_weights(t, a=-0.75):
    def near(s):  # |s| <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):  # 1 < |s| < 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic_matrix(n_in, n_out):
    """[n_out, n_in] matrix M so that M @ signal is torch's bicubic resize along one axis."""
    m = torch.zeros(n_out, n_in, dtype=torch.float64)
    scale = n_in / n_out
    for i in range(n_out):
        src = (i + 0.5) * scale - 0.5  # not clamped at 0 for cubic, unlike linear modes
        x0 = math.floor(src)
        for tap, weight in zip(range(x0 - 1, x0 + 3), _cubic_weights(src - x0)):
            m[i, min(max(tap, 0), n_in - 1)] += weight
    return m


def vit_forward64(w32, config, pixel_values, interpolate):
    w = {k: v.double() for k, v in w32.items()}
    eps, heads, act = config["layer_norm_eps"], config["num_attention_heads"], ACT64[config["hidden_act"]]
    p = config["patch_size"]
    c, h, wd = pixel_values.shape
    rows, cols = h // p, wd // p
    px = pixel_values.double()[:, : rows * p, : cols * p].reshape(c, rows, p, cols, p)
    patches = torch.einsum("cuavb,ocab->uvo", px, w["vit.embeddings.patch_embeddings.projection.weight"])
    patches = (patches + w["vit.embeddings.patch_embeddings.projection.bias"]).reshape(rows * cols, -1)
    pos = w["vit.embeddings.position_embeddings"][0]
    side = int(round(math.sqrt(pos.shape[0] - 1)))
    if interpolate and not (rows * cols == side * side and h == wd):
        grid = pos[1:].reshape(side, side, -1)
        grid = torch.einsum("ri,ijd,cj->rcd", _bicubic_matrix(side, rows), grid, _bicubic_matrix(side, cols))
        pos = torch.cat([pos[:1], grid.reshape(rows * cols, -1)])
    x = torch.cat([w["vit.embeddings.cls_token"][0], patches]) + pos
    out = {"pixel_values": pixel_values.double(), "hidden_states.0": x}
    for i in range(config["num_hidden_layers"]):
        q = f"vit.encoder.layer.{i}."
        ctx, out[f"attentions.{i}"] = _attention(_ln(x, w, q + "layernorm_before", eps), w,
                                                 q + "attention.attention.", heads)
        x = _dense(ctx, w, q + "attention.output.dense") + x
        x = _dense(act(_dense(_ln(x, w, q + "layernorm_after", eps), w, q + "intermediate.dense")), w,
                   q + "output.dense") + x
        out[f"hidden_states.{i + 1}"] = x
    out["last_hidden_state"] = _ln(x, w, "vit.layernorm", eps)
    out["logits"] = _dense(out["last_hidden_state"][0], w, "classifier")
    return out


def assert_close(name, ref32: dict, ref64: dict, atol=2e-5, rtol=2e-5):
    """Both formulations must agree on every output; returns the largest absolute difference."""
    if ref32.keys() != ref64.keys():
        raise AssertionError(f"{name}: output names differ: {sorted(ref32.keys() ^ ref64.keys())}")
    worst = 0.0
    for key in ref32:
        a, b = ref32[key].double(), ref64[key]
        if a.shape != b.shape:
            raise AssertionError(f"{name}.{key}: shape {tuple(a.shape)} vs {tuple(b.shape)}")
        diff = (a - b).abs()
        worst = max(worst, diff.max().item())
        if not torch.all(diff <= atol + rtol * b.abs()):
            raise AssertionError(f"{name}.{key}: max |diff| {diff.max().item():.3g}")
    return worst


def assert_attention_sane(name, out: dict, num_layers: int):
    """Rows sum to 1, attention is not uniform, and heads differ from each other."""
    for i in range(num_layers):
        probs = out[f"attentions.{i}"]
        rows = probs.sum(-1)
        if not torch.allclose(rows, torch.ones_like(rows), atol=1e-5):
            raise AssertionError(f"{name}.attentions.{i}: rows do not sum to 1")
        seq = probs.shape[-1]
        if probs.max().item() < 2.0 / seq:
            raise AssertionError(f"{name}.attentions.{i}: attention is nearly uniform")
        for a in range(probs.shape[0]):
            for b in range(a + 1, probs.shape[0]):
                if (probs[a] - probs[b]).abs().max().item() < 0.05:
                    raise AssertionError(f"{name}.attentions.{i}: heads {a} and {b} look identical")
