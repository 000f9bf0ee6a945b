"""Fashion-MNIST from Debian's dataset-fashion-mnist package, and the exact preprocessing that
public/models/mini-vit/preprocessor_config.json describes (HF ViTImageProcessor semantics)."""

import gzip
import os

import numpy as np
import torch

# FASHION_MNIST_DIR lets a machine without the Debian package (a lent GPU machine) use a copy.
DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# Mean and std of the 60k training images after rescaling to [0, 1], rounded to 4 digits so the
# preprocessor config states exactly the numbers used here.
IMAGE_MEAN = 0.2860
IMAGE_STD = 0.3530
NUM_CHANNELS = 3  # grey replicated to RGB, as ViTImageProcessor's do_convert_rgb does with a grey PNG


def _read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_split(split):
    """uint8 images [n, 28, 28] and int64 labels [n] for split 'train' (60k) or 't10k' (10k)."""
    images = _read_idx(f"{DATA_DIR}/{split}-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    labels = _read_idx(f"{DATA_DIR}/{split}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.copy())


def preprocess(images_uint8):
    """[B, 28, 28] uint8 -> [B, 3, 28, 28] float32: rescale 1/255, normalize, replicate to RGB.

    No resize: size is 28x28, which HF (and PIL) leave untouched for a 28x28 input.
    """
    x = (images_uint8.float() * (1 / 255) - IMAGE_MEAN) / IMAGE_STD
    return x.unsqueeze(1).expand(-1, NUM_CHANNELS, -1, -1)
