"""Train the bundled mini-ViT on the Fashion-MNIST training set.

The loop, schedule and checkpointing are scripts/train/common/loop.py (shared with the CNN); this
file adds the ViT, its optimizer groups (the position embeddings get --pos-lr-mult and no weight
decay) and the position-embedding structure as an extra column of the evaluations.

    /usr/bin/python3 -m scripts.train.vit.train --minutes 75 --out scripts/train/vit/work/run
    /usr/bin/python3 -m scripts.train.vit.train --bench 60   # images/s of the configured model

With --device cuda the same loop runs on a GPU (augmentation stays on the CPU, it is a gather).
"""

import dataclasses

import torch

from scripts.train.common.fashion_mnist import load_split
from scripts.train.common.loop import adamw, parse_training_args, train
from scripts.train.vit.modeling_vit import ViTConfig, ViTForImageClassification
from scripts.train.vit.pos_structure import position_embedding_structure


def parse_args(argv=None):
    return parse_training_args(__doc__, "scripts/train/vit/work/run", add_model_args, argv)


def add_model_args(p):
    # Defaults: the shipped mini-ViT.
    p.add_argument("--hidden-size", type=int, default=192)
    p.add_argument("--num-hidden-layers", type=int, default=6)
    p.add_argument("--num-attention-heads", type=int, default=6)
    p.add_argument("--intermediate-size", type=int, default=768)
    p.add_argument("--pos-lr-mult", type=float, default=3.0,
                   help="learning-rate multiplier for the position embeddings (no weight decay either)")


def build(args):
    """The model and its optimizer for these flags (seeded by args.seed)."""
    torch.manual_seed(args.seed)
    config = ViTConfig(hidden_size=args.hidden_size, num_hidden_layers=args.num_hidden_layers,
                       num_attention_heads=args.num_attention_heads, intermediate_size=args.intermediate_size)
    model = ViTForImageClassification(config).to(args.device)
    pos, decay, no_decay = [], [], []
    for name, param in model.named_parameters():
        if name == "vit.embeddings.position_embeddings":
            pos.append(param)
        elif param.ndim < 2 or name == "vit.embeddings.cls_token":
            no_decay.append(param)  # biases, LayerNorm, [CLS]
        else:
            decay.append(param)
    optimizer = adamw(decay, no_decay, args, [{"params": pos, "weight_decay": 0.0, "lr_mult": args.pos_lr_mult}])
    return model, optimizer, config


def pos_spearman(model):
    grid = model.config.image_size // model.config.patch_size
    return position_embedding_structure(model.vit.embeddings.position_embeddings[0].detach().cpu().numpy(), grid, grid)


def run(args, train_data, test_data):
    """Train per args; returns (model, final state)."""
    model, optimizer, config = build(args)
    state = train(model, optimizer, args, dataclasses.asdict(config), train_data, test_data,
                  extra_eval=lambda: {"pos_spearman": f"{pos_spearman(model):.4f}"})
    return model, state


def main():
    args = parse_args()
    run(args, load_split("train"), load_split("t10k"))


if __name__ == "__main__":
    main()
