"""Multi-scale deformable attention (Zhu et al. 2021) in pure PyTorch.

Sampling uses F.grid_sample, so it trains on CPU and exports to ONNX (opset >= 16,
GridSample). Spatial shapes are Python ints: at export they become constants.
"""
import math
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Shapes = List[Tuple[int, int]]


def ms_deform_attn_core(value: Tensor, shapes: Shapes, sampling_locations: Tensor,
                        attention_weights: Tensor) -> Tensor:
    """Bilinear sampling of each level and weighted sum.

    value:               [N, S, M, D]   S = sum(H_l * W_l), M heads, D = C / M
    shapes:              L pairs (H_l, W_l)
    sampling_locations:  [N, Lq, M, L, P, 2]  (x, y) in [0, 1] of each level
    attention_weights:   [N, Lq, M, L, P]      softmax over L * P
    returns              [N, Lq, M * D]
    """
    n, _, m, d = value.shape
    _, lq, _, num_levels, num_points, _ = sampling_locations.shape
    value_list = value.split([h * w for h, w in shapes], dim=1)
    grids = 2 * sampling_locations - 1  # grid_sample wants [-1, 1]
    # [N, Lq, M, L, P] -> [N*M, 1, Lq, L, P]
    weights = attention_weights.transpose(1, 2).reshape(n * m, 1, lq, num_levels, num_points)
    out = None
    for lvl, (h, w) in enumerate(shapes):
        # [N, H*W, M, D] -> [N*M, D, H, W]
        v = value_list[lvl].flatten(2).transpose(1, 2).reshape(n * m, d, h, w)
        # [N, Lq, M, P, 2] -> [N*M, Lq, P, 2]
        g = grids[:, :, :, lvl].transpose(1, 2).flatten(0, 1)
        # [N*M, D, Lq, P] weighted and summed over P -> [N*M, D, Lq]
        sampled = F.grid_sample(v, g, mode="bilinear", padding_mode="zeros", align_corners=False)
        part = (sampled * weights[:, :, :, lvl]).sum(-1)
        out = part if out is None else out + part
    return out.view(n, m * d, lq).transpose(1, 2).contiguous()


def ms_deform_attn_naive(value: Tensor, shapes: Shapes, sampling_locations: Tensor,
                         attention_weights: Tensor) -> Tensor:
    """Per-point reference of ms_deform_attn_core: explicit bilinear interpolation with
    zero padding, pixel centres at (i + 0.5) / size (grid_sample's align_corners=False)."""
    n, _, m, d = value.shape
    _, lq, _, num_levels, num_points, _ = sampling_locations.shape
    out = value.new_zeros(n, lq, m, d)
    starts = [0]
    for h, w in shapes:
        starts.append(starts[-1] + h * w)
    for b in range(n):
        for q in range(lq):
            for head in range(m):
                for lvl, (h, w) in enumerate(shapes):
                    v = value[b, starts[lvl]:starts[lvl + 1], head].view(h, w, d)
                    for p in range(num_points):
                        x = sampling_locations[b, q, head, lvl, p, 0].item() * w - 0.5
                        y = sampling_locations[b, q, head, lvl, p, 1].item() * h - 0.5
                        x0, y0 = math.floor(x), math.floor(y)
                        acc = value.new_zeros(d)
                        for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                            for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
                                if 0 <= yy < h and 0 <= xx < w:
                                    acc = acc + wy * wx * v[yy, xx]
                        out[b, q, head] += attention_weights[b, q, head, lvl, p] * acc
    return out.view(n, lq, m * d)


class MSDeformAttn(nn.Module):
    """Deformable attention module: each query samples P points per head per level
    around its reference point and mixes them with learned weights."""

    def __init__(self, d_model: int = 256, n_levels: int = 4, n_heads: int = 8, n_points: int = 4):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.d_model, self.n_levels, self.n_heads, self.n_points = d_model, n_levels, n_heads, n_points
        self.sampling_offsets = nn.Linear(d_model, n_heads * n_levels * n_points * 2)
        self.attention_weights = nn.Linear(d_model, n_heads * n_levels * n_points)
        self.value_proj = nn.Linear(d_model, d_model)
        self.output_proj = nn.Linear(d_model, d_model)
        self._reset_parameters()

    def _reset_parameters(self):
        nn.init.constant_(self.sampling_offsets.weight, 0.0)
        thetas = torch.arange(self.n_heads, dtype=torch.float32) * (2.0 * math.pi / self.n_heads)
        grid = torch.stack([thetas.cos(), thetas.sin()], -1)
        grid = (grid / grid.abs().max(-1, keepdim=True)[0]).view(self.n_heads, 1, 1, 2)
        grid = grid.repeat(1, self.n_levels, self.n_points, 1)
        for i in range(self.n_points):
            grid[:, :, i, :] *= i + 1
        with torch.no_grad():
            self.sampling_offsets.bias.copy_(grid.view(-1))
        nn.init.constant_(self.attention_weights.weight, 0.0)
        nn.init.constant_(self.attention_weights.bias, 0.0)
        nn.init.xavier_uniform_(self.value_proj.weight)
        nn.init.constant_(self.value_proj.bias, 0.0)
        nn.init.xavier_uniform_(self.output_proj.weight)
        nn.init.constant_(self.output_proj.bias, 0.0)

    def forward(self, query: Tensor, reference_points: Tensor, value_in: Tensor, shapes: Shapes) -> Tensor:
        """query [N, Lq, C]; reference_points [N, Lq, L, 2] (x, y in [0, 1]) or [N, Lq, L, 4]
        (cx, cy, w, h); value_in [N, S, C]; returns [N, Lq, C]."""
        n, lq, _ = query.shape
        s = value_in.shape[1]
        value = self.value_proj(value_in).view(n, s, self.n_heads, self.d_model // self.n_heads)
        offsets = self.sampling_offsets(query).view(n, lq, self.n_heads, self.n_levels, self.n_points, 2)
        weights = self.attention_weights(query).view(n, lq, self.n_heads, self.n_levels * self.n_points)
        weights = weights.softmax(-1).view(n, lq, self.n_heads, self.n_levels, self.n_points)
        if reference_points.shape[-1] == 2:
            normalizer = torch.tensor([[w, h] for h, w in shapes], dtype=query.dtype, device=query.device)
            loc = reference_points[:, :, None, :, None, :] + offsets / normalizer[None, None, None, :, None, :]
        else:
            loc = (reference_points[:, :, None, :, None, :2]
                   + offsets / self.n_points * reference_points[:, :, None, :, None, 2:] * 0.5)
        return self.output_proj(ms_deform_attn_core(value, shapes, loc, weights))
