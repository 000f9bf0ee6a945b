"""Building blocks shared by the BERT and ViT references (float32 torch, no batch dimension).

Weights live in a flat dict `w` keyed by Hugging Face state-dict names.
"""

import math

import torch
import torch.nn.functional as F


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    # HF NewGELUActivation: the tanh approximation, written out as HF does (not F.gelu(approximate="tanh")).
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


# The subset of HF's ACT2FN these fixtures use; "gelu" is the exact erf form.
ACT2FN = {"gelu": F.gelu, "gelu_new": gelu_new, "relu": F.relu}


def linear(x: torch.Tensor, w: dict, prefix: str) -> torch.Tensor:
    return F.linear(x, w[prefix + ".weight"], w.get(prefix + ".bias"))


def layer_norm(x: torch.Tensor, w: dict, prefix: str, eps: float) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), w[prefix + ".weight"], w[prefix + ".bias"], eps)


def self_attention(x: torch.Tensor, w: dict, prefix: str, num_heads: int,
                   names: tuple = ("query", "key", "value"), scale_query_first: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head scaled dot-product self-attention over x [seq, hidden].

    `names` are the projections' state-dict names (DistilBERT: q_lin, k_lin, v_lin). DistilBERT divides
    the queries by sqrt(head_size) before the product instead of dividing the scores after it.
    Returns (context [seq, hidden] before the output projection, probs [heads, seq, seq]).
    """
    seq, hidden = x.shape
    head_size = hidden // num_heads

    def split_heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(seq, num_heads, head_size).transpose(0, 1)

    query = split_heads(linear(x, w, prefix + names[0]))
    key = split_heads(linear(x, w, prefix + names[1]))
    value = split_heads(linear(x, w, prefix + names[2]))
    if scale_query_first:
        scores = torch.matmul(query / math.sqrt(head_size), key.transpose(-1, -2))
    else:
        scores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(head_size)
    probs = F.softmax(scores, dim=-1)
    context = torch.matmul(probs, value).transpose(0, 1).reshape(seq, hidden)
    return context, probs


class RandomWeights:
    """A state dict filled with seeded normal draws, deliberately larger than HF's init (std 0.02) so that
    attention and outputs are far from uniform and every head differs. Draws happen in call order, so the
    same calls regenerate the same fixtures bit for bit."""

    def __init__(self, seed: int, hidden: int):
        self.generator = torch.Generator().manual_seed(seed)
        self.hidden = hidden
        self.w = {}

    def randn(self, *shape, std: float) -> torch.Tensor:
        return torch.randn(*shape, generator=self.generator) * std

    def dense(self, prefix: str, n_out: int, n_in: int) -> None:
        self.w[prefix + ".weight"] = self.randn(n_out, n_in, std=0.2)
        self.w[prefix + ".bias"] = self.randn(n_out, std=0.1)

    def norm(self, prefix: str, size: int | None = None) -> None:
        self.w[prefix + ".weight"] = 1.0 + self.randn(size or self.hidden, std=0.2)
        self.w[prefix + ".bias"] = self.randn(size or self.hidden, std=0.1)


def post_ln_layer(x: torch.Tensor, w: dict, names: dict, heads: int, act, eps: float,
                  scale_query_first: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """The post-LN encoder layer of BERT and its descendants (DistilBERT, RoBERTa, ALBERT, ELECTRA), whose
    modules differ only in name: a = LN(x + Attention(x) Wo); out = LN(a + act(a W1) W2).

    `names` maps attention (prefix of the q/k/v projections), qkv (their three names), attention_output,
    attention_norm, intermediate, output, output_norm to state-dict prefixes. Returns (out, probs).
    """
    context, probs = self_attention(x, w, names["attention"], heads, names.get("qkv", ("query", "key", "value")),
                                    scale_query_first)
    a = layer_norm(linear(context, w, names["attention_output"]) + x, w, names["attention_norm"], eps)
    h = linear(act(linear(a, w, names["intermediate"])), w, names["output"])
    return layer_norm(h + a, w, names["output_norm"], eps), probs
