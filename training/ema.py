"""Exponential moving average of the model weights (Polyak averaging).

The averaged weights are what gets evaluated and exported: with a short, noisy from-scratch run on a
CPU, the average of the last few hundred iterates is a better model than the last iterate.
"""
import copy
import math
from typing import Dict

import torch


class ModelEMA:
    """ema = d * ema + (1 - d) * weights after every step, with the decay warmed up as
    d = decay * (1 - exp(-updates / warmup)) so that early averages are not dominated by the init.
    Buffers (BatchNorm statistics) are copied, not averaged."""

    def __init__(self, model: torch.nn.Module, decay: float = 0.999, warmup: float = 200.0, updates: int = 0):
        self.module = copy.deepcopy(model).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)
        self.decay, self.warmup, self.updates = decay, warmup, updates

    def current_decay(self) -> float:
        return self.decay * (1 - math.exp(-self.updates / self.warmup))

    @torch.no_grad()
    def update(self, model: torch.nn.Module):
        self.updates += 1
        d = self.current_decay()
        for avg, p in zip(self.module.parameters(), model.parameters()):
            avg.mul_(d).add_(p.detach(), alpha=1 - d)
        for avg, b in zip(self.module.buffers(), model.buffers()):
            avg.copy_(b)

    def state_dict(self) -> Dict:
        return {"model": self.module.state_dict(), "updates": self.updates, "decay": self.decay, "warmup": self.warmup}

    def load_state_dict(self, sd: Dict):
        self.module.load_state_dict(sd["model"])
        self.updates = sd["updates"]
