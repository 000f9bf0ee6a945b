"""Fashion-MNIST from Debian's dataset-fashion-mnist package, the exact preprocessing that
public/models/mini-vit/preprocessor_config.json describes (HF ViTImageProcessor semantics), and the
training augmentation. Shared by the ViT and the CNN so that both see identical inputs."""

import gzip
import os

import numpy as np
import torch
import torch.nn.functional as F

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


def augment(images, max_shift, generator):
    """Random translation (zero padding = Fashion-MNIST background) and horizontal flip of uint8 [B, 28, 28].

    Translations are what make the ViT's position embeddings learn the grid: the same content shows
    up at neighbouring patch positions, so neighbouring embeddings receive similar gradients.
    """
    b, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4)
    dy = torch.randint(0, 2 * max_shift + 1, (b, 1, 1), generator=generator)
    dx = torch.randint(0, 2 * max_shift + 1, (b, 1, 1), generator=generator)
    rows = dy + torch.arange(h).view(1, h, 1)
    cols = dx + torch.arange(w).view(1, 1, w)
    flip = torch.rand(b, 1, 1, generator=generator) < 0.5
    cols = torch.where(flip, dx + (w - 1) - torch.arange(w).view(1, 1, w), cols)
    return padded[torch.arange(b).view(b, 1, 1), rows, cols]


def balanced_subset(labels, size, seed):
    """Indices of `size` training images, size / 10 per class, in a seeded order.

    Each class's images are shuffled once with `seed` and the subset takes the first size / 10 of
    them, so the subsets of one seed are nested (the 1k images are part of the 5k, ...) and a
    difference between two sizes is only the added images.
    """
    classes = int(labels.max()) + 1
    if size % classes:
        raise ValueError(f"subset size {size} is not a multiple of {classes} classes")
    g = torch.Generator().manual_seed(seed)
    picked = []
    for c in range(classes):
        members = torch.nonzero(labels == c)[:, 0]
        if size // classes > len(members):
            raise ValueError(f"class {c} has only {len(members)} images, {size // classes} asked")
        picked.append(members[torch.randperm(len(members), generator=g)[:size // classes]])
    return torch.sort(torch.cat(picked)).values
