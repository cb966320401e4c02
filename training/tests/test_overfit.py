"""Two-image overfit: the whole training step (model, matcher, losses, optimiser) can fit two images."""
import numpy as np
import torch

from training.box_ops import box_cxcywh_to_xyxy, box_iou
from training.config import CLASSES, get_config
from training.losses import set_criterion
from training.models.mfds_detr import MFDSDETR


def _scene(seed):
    """A synthetic 96x128 field: pink background, a purple 'leukocyte' and two pale 'red cells'."""
    rng = np.random.default_rng(seed)
    img = torch.zeros(3, 96, 128)
    img[:] = torch.tensor([0.9, 0.8, 0.85])[:, None, None]
    boxes, labels = [], []
    for label, colour, size in [(CLASSES.index("NEU"), (0.4, 0.2, 0.6), 30), (CLASSES.index("RBC"), (0.8, 0.4, 0.45), 20),
                                (CLASSES.index("RBC"), (0.8, 0.4, 0.45), 20)]:
        while True:
            x, y = int(rng.integers(0, 128 - size)), int(rng.integers(0, 96 - size))
            if all(x + size <= b[0] * 128 - b[2] * 64 or x >= b[0] * 128 + b[2] * 64 or
                   y + size <= b[1] * 96 - b[3] * 48 or y >= b[1] * 96 + b[3] * 48 for b in boxes):
                break
        img[:, y:y + size, x:x + size] = torch.tensor(colour)[:, None, None]
        boxes.append([(x + size / 2) / 128, (y + size / 2) / 96, size / 128, size / 96])
        labels.append(label)
    return (img - 0.5) / 0.25, {"boxes": torch.tensor(boxes), "labels": torch.tensor(labels)}


def test_two_image_overfit():
    torch.manual_seed(0)
    cfg = get_config("tiny", lr=1e-3, lr_backbone=1e-3)
    model = MFDSDETR(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
    scenes = [_scene(1), _scene(2)]
    images = torch.stack([s[0] for s in scenes])
    targets = [s[1] for s in scenes]
    first = None
    for _ in range(200):
        logits, boxes = model.forward_all(images)
        loss, _ = set_criterion(logits, boxes, targets, cfg)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        opt.step()
        first = first if first is not None else float(loss)
    assert float(loss) < 0.3 * first
    model.eval()
    with torch.no_grad():
        logits, boxes = model(images)
    for b, t in enumerate(targets):
        prob = logits[b].sigmoid()
        for box, label in zip(t["boxes"], t["labels"]):
            iou = box_iou(box_cxcywh_to_xyxy(boxes[b]), box_cxcywh_to_xyxy(box[None]))[0][:, 0]
            best = int((prob[:, label] * (iou > 0.5)).argmax())
            assert iou[best] > 0.5 and prob[best, label] > 0.3, f"image {b}: {CLASSES[label]} not found"
