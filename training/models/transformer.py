"""Deformable transformer: multi-scale deformable encoder, decoder with self-attention and
deformable cross-attention, iterative box refinement (optional)."""
import copy
from typing import Iterator, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..box_ops import inverse_sigmoid
from .ms_deform_attn import MSDeformAttn, Shapes


def _clones(module: nn.Module, n: int) -> nn.ModuleList:
    return nn.ModuleList(copy.deepcopy(module) for _ in range(n))


class FFN(nn.Module):
    def __init__(self, d_model: int, d_ffn: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_model, d_ffn), nn.ReLU(inplace=True), nn.Dropout(dropout),
                                 nn.Linear(d_ffn, d_model), nn.Dropout(dropout))
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(x + self.net(x))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, d_ffn, dropout, n_levels, n_heads, n_points):
        super().__init__()
        self.attn = MSDeformAttn(d_model, n_levels, n_heads, n_points)
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(d_model)
        self.ffn = FFN(d_model, d_ffn, dropout)

    def forward(self, src: Tensor, pos: Tensor, ref: Tensor, shapes: Shapes) -> Tensor:
        """src, pos [N, S, C]; ref [N, S, L, 2] -> [N, S, C]."""
        return self.forward_queries(src, pos, ref, src, shapes)

    def forward_queries(self, q: Tensor, pos: Tensor, ref: Tensor, value: Tensor, shapes: Shapes) -> Tensor:
        """Update a subset of tokens: q, pos [N, Sq, C]; ref [N, Sq, L, 2]; value [N, S, C] -> [N, Sq, C]."""
        q = self.norm(q + self.drop(self.attn(q + pos, ref, value, shapes)))
        return self.ffn(q)


class DecoderLayer(nn.Module):
    def __init__(self, d_model, d_ffn, dropout, n_levels, n_heads, n_points):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True)
        self.norm1 = nn.LayerNorm(d_model)
        self.cross_attn = MSDeformAttn(d_model, n_levels, n_heads, n_points)
        self.norm2 = nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)
        self.ffn = FFN(d_model, d_ffn, dropout)

    def forward(self, tgt: Tensor, query_pos: Tensor, ref: Tensor, memory: Tensor, shapes: Shapes) -> Tensor:
        """tgt, query_pos [N, Q, C]; ref [N, Q, L, 2 or 4]; memory [N, S, C] -> [N, Q, C]."""
        q = k = tgt + query_pos
        tgt = self.norm1(tgt + self.drop(self.self_attn(q, k, tgt, need_weights=False)[0]))
        tgt = self.norm2(tgt + self.drop(self.cross_attn(tgt + query_pos, ref, memory, shapes)))
        return self.ffn(tgt)


def encoder_reference_points(shapes: Shapes, n_levels: int, device, dtype) -> Tensor:
    """Pixel centres of every level, normalised -> [1, S, L, 2] (same point for each level)."""
    refs = []
    for h, w in shapes:
        ys, xs = torch.meshgrid(torch.linspace(0.5, h - 0.5, h, dtype=dtype, device=device),
                                torch.linspace(0.5, w - 0.5, w, dtype=dtype, device=device), indexing="ij")
        refs.append(torch.stack((xs.reshape(-1) / w, ys.reshape(-1) / h), -1))
    ref = torch.cat(refs, 0)
    return ref[None, :, None, :].expand(1, ref.shape[0], n_levels, 2)


class MLP(nn.Module):
    def __init__(self, in_dim: int, hidden: int, out_dim: int, layers: int):
        super().__init__()
        dims = [in_dim] + [hidden] * (layers - 1)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:] + [out_dim]))

    def forward(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) if i < len(self.layers) - 1 else layer(x)
        return x


class DeformableTransformer(nn.Module):
    def __init__(self, d_model=256, n_heads=8, enc_layers=6, dec_layers=6, d_ffn=1024, dropout=0.1,
                 n_levels=4, enc_points=4, dec_points=4, num_queries=100, num_classes=7, box_refine=True,
                 enc_skip_finest=False):
        super().__init__()
        self.d_model, self.n_levels, self.box_refine = d_model, n_levels, box_refine
        # enc_skip_finest: tokens of the finest level are not encoder queries (they are still
        # sampled as values, and the decoder attends to them): cuts encoder cost ~4x on CPU.
        self.enc_skip_finest = enc_skip_finest
        self.level_embed = nn.Parameter(torch.randn(n_levels, d_model) * 0.02)
        self.encoder = _clones(EncoderLayer(d_model, d_ffn, dropout, n_levels, n_heads, enc_points), enc_layers)
        self.decoder = _clones(DecoderLayer(d_model, d_ffn, dropout, n_levels, n_heads, dec_points), dec_layers)
        self.query_embed = nn.Embedding(num_queries, 2 * d_model)
        self.ref_point = nn.Linear(d_model, 2)
        nn.init.xavier_uniform_(self.ref_point.weight)
        nn.init.constant_(self.ref_point.bias, 0.0)
        class_head = nn.Linear(d_model, num_classes)
        nn.init.constant_(class_head.bias, -4.595)  # prior 0.01 (focal loss)
        box_head = MLP(d_model, d_model, 4, 3)
        nn.init.constant_(box_head.layers[-1].weight, 0.0)
        nn.init.constant_(box_head.layers[-1].bias, 0.0)
        n_heads_out = dec_layers
        if box_refine:
            self.class_heads = _clones(class_head, n_heads_out)
            self.box_heads = _clones(box_head, n_heads_out)
            nn.init.constant_(self.box_heads[0].layers[-1].bias.data[2:], -2.0)
        else:
            nn.init.constant_(box_head.layers[-1].bias.data[2:], -2.0)
            self.class_heads = nn.ModuleList([class_head] * n_heads_out)
            self.box_heads = nn.ModuleList([box_head] * n_heads_out)

    def encode(self, srcs: List[Tensor], pos_list: List[Tensor]) -> Tuple[Tensor, Shapes]:
        """srcs, pos_list: L maps [N, C, H_l, W_l] -> memory [N, S, C], shapes."""
        shapes = [(int(s.shape[2]), int(s.shape[3])) for s in srcs]
        src = torch.cat([s.flatten(2).transpose(1, 2) for s in srcs], 1)
        pos = torch.cat([(p.flatten(2).transpose(1, 2) + self.level_embed[l][None, None])
                         for l, p in enumerate(pos_list)], 1)
        ref = encoder_reference_points(shapes, self.n_levels, src.device, src.dtype)
        if not self.enc_skip_finest:
            for layer in self.encoder:
                src = layer(src, pos, ref, shapes)
            return src, shapes
        n0 = shapes[0][0] * shapes[0][1]
        fine, coarse = src[:, :n0], src[:, n0:]
        for layer in self.encoder:
            coarse = layer.forward_queries(coarse, pos[:, n0:], ref[:, n0:], torch.cat([fine, coarse], 1), shapes)
        return torch.cat([fine, coarse], 1), shapes

    def decode_start(self, n: int) -> Tuple[Tensor, Tensor, Tensor]:
        """Batch size n -> (tgt [N, Q, C], query_pos [N, Q, C], reference points [N, Q, 2] in [0, 1])."""
        query_pos, tgt = torch.split(self.query_embed.weight, self.d_model, dim=1)
        query_pos = query_pos[None].expand(n, -1, -1)
        return tgt[None].expand(n, -1, -1), query_pos, self.ref_point(query_pos).sigmoid()

    def decode_step(self, i: int, tgt: Tensor, query_pos: Tensor, ref: Tensor, memory: Tensor,
                    shapes: Shapes) -> Tuple[Tensor, Tensor, Tensor]:
        """Decoder layer i: tgt, query_pos [N, Q, C]; ref [N, Q, 2 or 4]; memory [N, S, C]
        -> (tgt [N, Q, C], logits [N, Q, K], boxes [N, Q, 4] cxcywh in [0, 1])."""
        ref_in = ref[:, :, None].expand(-1, -1, self.n_levels, -1)
        tgt = self.decoder[i](tgt, query_pos, ref_in, memory, shapes)
        delta = self.box_heads[i](tgt)
        if ref.shape[-1] == 4:
            boxes = (delta + inverse_sigmoid(ref)).sigmoid()
        else:
            boxes = torch.cat([delta[..., :2] + inverse_sigmoid(ref), delta[..., 2:]], -1).sigmoid()
        return tgt, self.class_heads[i](tgt), boxes

    def decode_layers(self, memory: Tensor, shapes: Shapes) -> Iterator[Tuple[Tensor, Tensor, Tensor]]:
        """memory [N, S, C] -> per decoder layer, in order: (tgt [N, Q, C], logits [N, Q, K], boxes [N, Q, 4])."""
        tgt, query_pos, ref = self.decode_start(memory.shape[0])
        for i in range(len(self.decoder)):
            tgt, logits, boxes = self.decode_step(i, tgt, query_pos, ref, memory, shapes)
            if self.box_refine:
                ref = boxes.detach()
            yield tgt, logits, boxes

    def decode(self, memory: Tensor, shapes: Shapes) -> Tuple[Tensor, Tensor]:
        """memory [N, S, C] -> logits [D, N, Q, K], boxes [D, N, Q, 4] (cxcywh in [0, 1]) per layer."""
        _, all_logits, all_boxes = zip(*self.decode_layers(memory, shapes))
        return torch.stack(all_logits), torch.stack(all_boxes)
