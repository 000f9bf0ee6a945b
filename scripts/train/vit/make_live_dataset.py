"""The in-browser training lab's data: a small slice of Fashion-MNIST as one safetensors file of
uint8 tensors (train_images [n, 28, 28], train_labels [n], test_images, test_labels), read by
src/models/vit/training_vit.ts. The first N images of each split, as Debian's
dataset-fashion-mnist ships them.

    python3 -m scripts.train.vit.make_live_dataset --train 5000 --test 1000 \
        --out public/labs/fashion-mnist-live.safetensors
"""

import argparse
import gzip
import json
import os
import struct

import numpy as np

# As scripts/train/vit/fashion_mnist.py, without torch: this needs only numpy.
DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def load_split(split):
    """uint8 images [n, 28, 28] and uint8 labels [n] of split 'train' or 't10k'."""
    def read(name, offset):
        with gzip.open(f"{DATA_DIR}/{split}-{name}", "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
    return read("images-idx3-ubyte.gz", 16).reshape(-1, 28, 28), read("labels-idx1-ubyte.gz", 8)


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.uint8).tobytes()
        header[name] = {"dtype": "U8", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=5000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--out", default="public/labs/fashion-mnist-live.safetensors")
    args = parser.parse_args()
    train_images, train_labels = load_split("train")
    test_images, test_labels = load_split("t10k")
    tensors = {
        "train_images": train_images[: args.train],
        "train_labels": train_labels[: args.train],
        "test_images": test_images[: args.test],
        "test_labels": test_labels[: args.test],
    }
    metadata = {"source": "Fashion-MNIST (Debian dataset-fashion-mnist): the first images of train and t10k"}
    write_safetensors(args.out, tensors, metadata)
    counts = np.bincount(tensors["train_labels"], minlength=10)
    print(f"{args.out}: {os.path.getsize(args.out)} bytes; train classes {counts.tolist()}")


if __name__ == "__main__":
    main()
