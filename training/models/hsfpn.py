"""HS-FPN (MFDS-DETR): channel-attention feature selection and selective feature fusion (SFF).

Ablation variants share the interface `forward(feats) -> list of [N, d_model, H_l, W_l]`:
  - 'hsfpn':          CA selection + SFF with transposed-conv upsampling (the paper)
  - 'hsfpn-bilinear': as 'hsfpn', but the high-level chain upsamples bilinearly only (no TConv)
  - 'fpn':            plain FPN (1x1 lateral, nearest upsampling + add, 3x3 output conv)
"""
from typing import List

import torch.nn.functional as F
from torch import Tensor, nn


class ChannelAttention(nn.Module):
    """CBAM-style channel attention: a shared 1x1-conv MLP (ratio r) over the global average
    and global max pooled vectors, summed, then a sigmoid. [N, C, H, W] -> weights [N, C, 1, 1]."""

    def __init__(self, channels: int, ratio: int = 4):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Conv2d(channels, max(channels // ratio, 1), 1, bias=False), nn.ReLU(inplace=True),
            nn.Conv2d(max(channels // ratio, 1), channels, 1, bias=False),
        )
        for m in self.mlp:
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)

    def forward(self, x: Tensor) -> Tensor:
        avg = self.mlp(F.adaptive_avg_pool2d(x, 1))
        mx = self.mlp(F.adaptive_max_pool2d(x, 1))
        return (avg + mx).sigmoid()


class FeatureSelection(nn.Module):
    """CA-weighted map, then DM: a 1x1 conv to d_model. [N, C, H, W] -> [N, d, H, W]."""

    def __init__(self, in_ch: int, d_model: int):
        super().__init__()
        self.ca = ChannelAttention(in_ch)
        self.dm = nn.Sequential(nn.Conv2d(in_ch, d_model, 1), nn.GroupNorm(32 if d_model % 32 == 0 else 8, d_model))

    def forward(self, x: Tensor) -> Tensor:
        return self.dm(x * self.ca(x))


def conv_gn_relu(d_model: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(d_model, d_model, 3, padding=1),
                         nn.GroupNorm(32 if d_model % 32 == 0 else 8, d_model), nn.ReLU(inplace=True))


class HSFPN(nn.Module):
    """feats: 4 maps, finest first -> 4 maps [N, d_model, H_l, W_l], finest first.

    The high-level chain: h_top = FS(C_top); h_{l} = TConv3x3,s2(h_{l+1}) (a chain started at the
    top level). SFF at each lower level: f_att = Bilinear(h_l) resized to f_low; out = f_low * CA(f_att) + f_att.
    Each output then goes through 3x3 conv + GN + ReLU.
    """

    def __init__(self, in_channels: List[int], d_model: int, upsample: str = "tconv"):
        super().__init__()
        self.select = nn.ModuleList(FeatureSelection(c, d_model) for c in in_channels)
        n = len(in_channels)
        if upsample == "tconv":
            self.up = nn.ModuleList(
                nn.ConvTranspose2d(d_model, d_model, 3, stride=2, padding=1, output_padding=1) for _ in range(n - 1))
        elif upsample == "bilinear":
            self.up = None
        else:
            raise ValueError(f"unknown HS-FPN upsample '{upsample}'")
        self.fuse_ca = nn.ModuleList(ChannelAttention(d_model) for _ in range(n - 1))
        self.out = nn.ModuleList(conv_gn_relu(d_model) for _ in range(n))

    def forward(self, feats: List[Tensor]) -> List[Tensor]:
        low = [sel(f) for sel, f in zip(self.select, feats)]  # finest first
        n = len(low)
        high = [low[-1]]  # chain from the top: high[k] feeds level n-2-k
        for k in range(n - 1):
            prev = high[-1]
            if self.up is not None:
                high.append(self.up[k](prev))
            else:
                target = low[n - 2 - k].shape[-2:]
                high.append(F.interpolate(prev, size=target, mode="bilinear", align_corners=False))
        outs = [low[-1]]
        for k in range(n - 1):
            lvl = n - 2 - k
            f_low = low[lvl]
            f_att = high[k + 1]
            if f_att.shape[-2:] != f_low.shape[-2:]:
                f_att = F.interpolate(f_att, size=f_low.shape[-2:], mode="bilinear", align_corners=False)
            outs.insert(0, f_low * self.fuse_ca[k](f_att) + f_att)
        return [conv(o) for conv, o in zip(self.out, outs)]


class PlainFPN(nn.Module):
    """Lin et al. FPN with nearest upsampling, for the ablation. Same interface as HSFPN."""

    def __init__(self, in_channels: List[int], d_model: int):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, d_model, 1) for c in in_channels)
        self.out = nn.ModuleList(conv_gn_relu(d_model) for _ in in_channels)

    def forward(self, feats: List[Tensor]) -> List[Tensor]:
        lat = [l(f) for l, f in zip(self.lateral, feats)]
        for i in range(len(lat) - 2, -1, -1):
            lat[i] = lat[i] + F.interpolate(lat[i + 1], size=lat[i].shape[-2:], mode="nearest")
        return [conv(x) for conv, x in zip(self.out, lat)]


def build_fpn(kind: str, in_channels: List[int], d_model: int) -> nn.Module:
    if kind == "hsfpn":
        return HSFPN(in_channels, d_model, upsample="tconv")
    if kind == "hsfpn-bilinear":
        return HSFPN(in_channels, d_model, upsample="bilinear")
    if kind == "fpn":
        return PlainFPN(in_channels, d_model)
    raise ValueError(f"unknown fpn kind '{kind}' (hsfpn, hsfpn-bilinear, fpn)")
