"""mini-CNN: a plain VGG-style convolutional classifier, with Hugging Face-like config and state-dict names.

    x = pixel_values [B, 3, 28, 28]  (the mini-ViT's preprocessing, grey replicated to RGB)
    for each entry of config.layers:
        "conv":     x = ReLU(Conv2d(x))          weights cnn.layers.{i}.convolution.{weight,bias}
        "max_pool": x = MaxPool2d(x)             no weights
    logits = Linear(mean of x over height and width)   weights classifier.{weight,bias}

No normalisation layers: inference is only convolutions, ReLU, max-pooling, a mean and one
matrix product, which keeps the TypeScript port (src/models/cnn/modeling_cnn.ts) short and the
model the same in training and at export. The layer list is what config.json stores, and all the
receptive-field arithmetic needs (kernel sizes, strides, paddings).
"""

from dataclasses import dataclass, field

import torch
from torch import nn


def default_layers():
    """Four stages of 3x3 convolutions at 28x28, 14x14, 7x7 and 4x4 pixels, widths 32, 64, 128, 256.

    Most parameters sit in the narrow-grid last stage, where they cost few FLOPs: the model has
    two thirds of mini-ViT's parameters for about a third of its multiply-adds. The last pooling is
    3x3 with stride 2 and padding 1 so that it treats all four borders of the 7x7 grid alike.
    """
    def conv(c):
        return {"type": "conv", "out_channels": c, "kernel_size": 3, "stride": 1, "padding": 1}
    pool2 = {"type": "max_pool", "kernel_size": 2, "stride": 2, "padding": 0}
    pool3 = {"type": "max_pool", "kernel_size": 3, "stride": 2, "padding": 1}
    return [conv(32), conv(32), pool2, conv(64), conv(64), pool2, conv(128), conv(128), pool3,
            conv(256), conv(256), conv(256)]


@dataclass
class CnnConfig:
    image_size: int = 28
    num_channels: int = 3
    layers: list = field(default_factory=default_layers)
    num_labels: int = 10


class CnnConvLayer(nn.Module):
    def __init__(self, in_channels, spec):
        super().__init__()
        self.convolution = nn.Conv2d(in_channels, spec["out_channels"], spec["kernel_size"],
                                     stride=spec["stride"], padding=spec["padding"])

    def forward(self, x):
        return torch.relu(self.convolution(x))


class CnnModel(nn.Module):
    def __init__(self, config: CnnConfig):
        super().__init__()
        layers, channels = [], config.num_channels
        for spec in config.layers:
            if spec["type"] == "conv":
                layers.append(CnnConvLayer(channels, spec))
                channels = spec["out_channels"]
            elif spec["type"] == "max_pool":
                layers.append(nn.MaxPool2d(spec["kernel_size"], spec["stride"], spec["padding"]))
            else:
                raise ValueError(f"unknown layer type {spec['type']!r}")
        self.layers = nn.ModuleList(layers)
        self.hidden_size = channels

    def forward(self, pixel_values):
        """Returns the pooled features [B, channels] and every layer's output [B, C, H, W]."""
        feature_maps, x = [], pixel_values
        for layer in self.layers:
            x = layer(x)
            feature_maps.append(x)
        return x.mean(dim=(2, 3)), feature_maps


class CnnForImageClassification(nn.Module):
    def __init__(self, config: CnnConfig):
        super().__init__()
        self.config = config
        self.cnn = CnnModel(config)
        self.classifier = nn.Linear(self.cnn.hidden_size, config.num_labels)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        # He initialisation keeps the activations' scale through the ReLU stack, which a network
        # without normalisation layers needs to start training at all.
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.01)
            nn.init.zeros_(module.bias)

    def forward(self, pixel_values, output_feature_maps=False):
        pooled, feature_maps = self.cnn(pixel_values)
        logits = self.classifier(pooled)
        return (logits, feature_maps) if output_feature_maps else logits
