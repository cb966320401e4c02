"""Sine spatial encoding (DETR), normalised to [0, 2*pi] over each map."""
import math

import torch
from torch import Tensor


def sine_position_encoding(h: int, w: int, d_model: int, temperature: float = 10000.0,
                           device=None, dtype=torch.float32) -> Tensor:
    """-> [1, d_model, h, w]; first half encodes y, second half x."""
    num_feats = d_model // 2
    y = torch.arange(1, h + 1, dtype=dtype, device=device)[:, None].expand(h, w)
    x = torch.arange(1, w + 1, dtype=dtype, device=device)[None, :].expand(h, w)
    scale, eps = 2 * math.pi, 1e-6
    y = (y - 0.5) / (h + eps) * scale
    x = (x - 0.5) / (w + eps) * scale
    dim_t = torch.arange(num_feats, dtype=dtype, device=device)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / num_feats)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=3).flatten(2)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=3).flatten(2)
    return torch.cat((py, px), dim=2).permute(2, 0, 1)[None]
