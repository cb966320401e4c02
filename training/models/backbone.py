"""ResNet backbone (from scratch) plus the MFDS-DETR extra bottleneck block.

Returns four levels: C3 (stride 8), C4 (16), C5 (32) and C6 (64) from the extra block.
"""
from typing import List

import torch
import torchvision
from torch import Tensor, nn


class ExtraBottleneck(nn.Module):
    """1x1 reduce -> 3x3 stride 2 -> 1x1 expand, with a strided 1x1 shortcut.
    [N, C, H, W] -> [N, C_out, ceil(H/2), ceil(W/2)]."""

    def __init__(self, in_ch: int, out_ch: int, reduction: int = 4):
        super().__init__()
        mid = out_ch // reduction
        self.body = nn.Sequential(
            nn.Conv2d(in_ch, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, mid, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, out_ch, 1, bias=False), nn.BatchNorm2d(out_ch),
        )
        self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride=2, bias=False), nn.BatchNorm2d(out_ch))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.body(x) + self.shortcut(x))


class Backbone(nn.Module):
    """torchvision ResNet with random init (no pretrained weights are available here)."""

    def __init__(self, name: str = "resnet18"):
        super().__init__()
        factory = getattr(torchvision.models, name, None)
        if factory is None or not name.startswith("resnet"):
            raise ValueError(f"unknown backbone '{name}' (expected resnet18/34/50/101)")
        net = factory(weights=None)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1)
        self.layer2, self.layer3, self.layer4 = net.layer2, net.layer3, net.layer4
        expansion = 4 if name in ("resnet50", "resnet101", "resnet152") else 1
        self.num_channels = [128 * expansion, 256 * expansion, 512 * expansion, 512 * expansion]
        self.extra = ExtraBottleneck(self.num_channels[2], self.num_channels[3])

    def forward(self, images: Tensor) -> List[Tensor]:
        """images [N, 3, H, W] -> [C3 [N, c3, H/8, W/8], C4 (/16), C5 (/32), C6 (/64)]."""
        x = self.stem(images)
        c3 = self.layer2(x)
        c4 = self.layer3(c3)
        c5 = self.layer4(c4)
        return [c3, c4, c5, self.extra(c5)]
