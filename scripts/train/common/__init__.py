"""Pieces the Fashion-MNIST trainers (scripts/train/vit, scripts/train/cnn) share: data, augmentation,
training loop, safetensors I/O, figures, measurements."""
