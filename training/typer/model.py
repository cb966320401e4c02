"""TyperNet: a small VGG/ResNet-style CNN for 64 x 64 leukocyte crops."""
import torch
from torch import nn

TYPES = ["NEU", "LYM", "MON", "EOS", "BAS"]


def _block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
                         nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class TyperNet(nn.Module):
    """images [N, 3, S, S] (normalised like the detector: (rgb/255 - mean) / std) -> logits [N, 5]
    (softmax over TYPES). Four stride-2 stages (32, 64, 128, 256 channels), global average pool."""

    def __init__(self, widths=(32, 64, 128, 256), dropout: float = 0.2):
        super().__init__()
        layers, c = [], 3
        for w in widths:
            layers.append(_block(c, w, 2))
            c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(c, len(TYPES)))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))


class DihedralTTA(nn.Module):
    """Test-time augmentation over the 8 rotations/reflections of the square crop (a cell has no
    orientation): mean of the wrapped model's logits. Exports to ONNX (Gather + Transpose).
    images [N, 3, S, S] -> logits [N, 5]."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        s = images.shape[-1]
        rev = torch.arange(s - 1, -1, -1, device=images.device)
        views = []
        for x in (images, images.transpose(2, 3)):
            fx = x.index_select(3, rev)
            views += [x, fx, x.index_select(2, rev), fx.index_select(2, rev)]
        n = images.shape[0]
        return self.model(torch.cat(views, 0)).view(8, n, -1).mean(0)


class PriorShift(nn.Module):
    """Label-shift correction: logits + log(target prior / training prior) per type, so that the
    softmax is calibrated for the target population rather than for the balanced training draw
    (Bayes' rule; the training prior is what TypedSampler draws, see train.sampling_prior).
    logits [N, T] -> logits [N, T]."""

    def __init__(self, model: nn.Module, train_prior, target_prior):
        super().__init__()
        self.model = model
        shift = torch.log(torch.as_tensor(target_prior, dtype=torch.float32)) - \
            torch.log(torch.as_tensor(train_prior, dtype=torch.float32))
        self.register_buffer("shift", shift)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model(images) + self.shift
