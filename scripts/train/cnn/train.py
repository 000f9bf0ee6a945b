"""Train the bundled mini-CNN on the Fashion-MNIST training set, with the mini-ViT's data,
preprocessing, augmentation, optimizer and schedule (scripts/train/common/loop.py).

    /usr/bin/python3 -m scripts.train.cnn.train --train-images 1200000 --threads 2 --out scripts/train/cnn/work/run
    /usr/bin/python3 -m scripts.train.cnn.train --bench 60   # images/s
"""

import dataclasses
import json

import torch

from scripts.train.common.fashion_mnist import load_split
from scripts.train.common.loop import adamw, parse_training_args, train
from scripts.train.cnn.modeling_cnn import CnnConfig, CnnForImageClassification


def parse_args(argv=None):
    return parse_training_args(__doc__, "scripts/train/cnn/work/run", add_model_args, argv)


def add_model_args(p):
    p.add_argument("--layers", default="", help="JSON layer list (default: modeling_cnn.default_layers())")


def build(args):
    """The model and its optimizer for these flags (seeded by args.seed): the ViT's recipe, weight decay on conv and linear weights."""
    torch.manual_seed(args.seed)
    config = CnnConfig(layers=json.loads(args.layers)) if args.layers else CnnConfig()
    model = CnnForImageClassification(config).to(args.device)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    return model, adamw(decay, no_decay, args), config


def run(args, train_data, test_data):
    """Train per args; returns (model, final state)."""
    model, optimizer, config = build(args)
    return model, train(model, optimizer, args, dataclasses.asdict(config), train_data, test_data)


def main():
    args = parse_args()
    run(args, load_split("train"), load_split("t10k"))


if __name__ == "__main__":
    main()
