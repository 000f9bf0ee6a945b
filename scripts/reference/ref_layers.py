"""Building blocks shared by the BERT and ViT reference forwards (float32 torch, no batch dimension).

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


def self_attention(x: torch.Tensor, w: dict, prefix: str, num_heads: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Multi-head scaled dot-product self-attention over x [seq, hidden].

    Returns (context [seq, hidden] before the output projection, probs [heads, seq, seq]).
    """
    seq, hidden = x.shape
    head_size = hidden // num_heads

    def split_heads(t: torch.Tensor) -> torch.Tensor:
        return t.view(seq, num_heads, head_size).transpose(0, 1)

    query = split_heads(linear(x, w, prefix + "query"))
    key = split_heads(linear(x, w, prefix + "key"))
    value = split_heads(linear(x, w, prefix + "value"))
    scores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(head_size)
    probs = F.softmax(scores, dim=-1)
    context = torch.matmul(probs, value).transpose(0, 1).reshape(seq, hidden)
    return context, probs
