"""MFDS-DETR: ResNet + extra block -> HS-FPN -> deformable encoder/decoder -> class/box heads."""
from typing import Dict, List, Optional

import torch
from torch import Tensor, nn

from .backbone import Backbone
from .hsfpn import build_fpn
from .position import sine_position_encoding
from .scoring import AGREEMENT_POWER, layer_agreement, rescore
from .transformer import DeformableTransformer
from ..config import LEUKOCYTE_IDS


class MFDSDETR(nn.Module):
    def __init__(self, cfg: Dict, agreement_power: Optional[float] = None):
        super().__init__()
        self.cfg = dict(cfg)
        self.num_classes = len(cfg["classes"])
        self.backbone = Backbone(cfg["backbone"])
        self.fpn = build_fpn(cfg["fpn"], self.backbone.num_channels, cfg["d_model"])
        self.transformer = DeformableTransformer(
            d_model=cfg["d_model"], n_heads=cfg["n_heads"], enc_layers=cfg["enc_layers"],
            dec_layers=cfg["dec_layers"], d_ffn=cfg["d_ffn"], dropout=cfg["dropout"], n_levels=4,
            enc_points=cfg["n_points"], dec_points=cfg["n_points"], num_queries=cfg["num_queries"],
            num_classes=self.num_classes, box_refine=cfg["box_refine"],
            enc_skip_finest=cfg.get("enc_skip_finest", False))
        self._pos_cache: Dict = {}
        # inference only (forward, hence the ONNX export): leukocyte scores times the last two decoder
        # layers' box agreement ** this (models/scoring.py); 0: the plain class scores (and the only
        # choice with one decoder layer, so that the card's power is always the graph's). None: that default
        if agreement_power is None:
            agreement_power = AGREEMENT_POWER if cfg["dec_layers"] >= 2 else 0
        self.agreement_power = agreement_power

    def _pos(self, feats: List[Tensor]) -> List[Tensor]:
        """Sine encodings per level, cached by shape (never while tracing: traced values must not leak)."""
        def make():
            return [sine_position_encoding(int(f.shape[2]), int(f.shape[3]), self.cfg["d_model"],
                                           device=f.device, dtype=f.dtype) for f in feats]
        if torch.onnx.is_in_onnx_export() or torch.jit.is_tracing():
            return make()
        key = tuple((int(f.shape[2]), int(f.shape[3])) for f in feats) + (feats[0].device, feats[0].dtype)
        if key not in self._pos_cache:
            self._pos_cache[key] = make()
        return self._pos_cache[key]

    def encode(self, images: Tensor):
        """images [N, 3, H, W] normalised -> (encoder memory [N, S, C], level shapes)."""
        feats = self.fpn(self.backbone(images))
        return self.transformer.encode(feats, self._pos(feats))

    def forward_all(self, images: Tensor):
        """images [N, 3, H, W] normalised -> logits [D, N, Q, K], boxes [D, N, Q, 4] (every decoder layer)."""
        return self.transformer.decode(*self.encode(images))

    def forward(self, images: Tensor):
        """images [N, 3, H, W] -> (logits [N, Q, K] before sigmoid, boxes [N, Q, 4] cxcywh in [0, 1]).
        Leukocyte logits are rescored by box agreement (models/scoring.py) unless agreement_power is 0."""
        logits, boxes = self.forward_all(images)
        if self.agreement_power == 0:
            return logits[-1], boxes[-1]
        return rescore(logits[-1], layer_agreement(boxes), LEUKOCYTE_IDS, self.agreement_power), boxes[-1]
