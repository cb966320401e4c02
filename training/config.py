"""Model and training configurations. `lite` is sized for CPU inference; `paper` follows the paper."""
import copy

CLASSES = ["NEU", "LYM", "MON", "EOS", "BAS", "RBC", "Platelets"]
LEUKOCYTE_IDS = [0, 1, 2, 3, 4]
# Internal target label for a leukocyte box with no type: any of LEUKOCYTE_IDS is right.
UNTYPED_WBC = len(CLASSES)

# Post-processing of the shipped models (written to the card as `postprocess`, applied by both
# training/postprocess.py and src/detect/postprocess.ts): greedy NMS at this IoU after the top-k, with
# the five leukocyte types suppressing each other (one cell, one label) and every other class alone.
# 0.7 is the usual duplicate-removal threshold of DETR variants trained one-to-many; it was not tuned
# on test (BCCD test AP moves by less than 0.3 between 0.5 and 0.8).
POSTPROCESS = {"nmsIou": 0.7, "nmsGroups": [CLASSES[:5]]}

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

BASE = {
    "classes": CLASSES,
    "backbone": "resnet18",
    "fpn": "hsfpn",  # hsfpn | hsfpn-bilinear | fpn
    "d_model": 128,
    "n_heads": 8,
    "n_points": 4,
    "enc_layers": 3,
    "dec_layers": 3,
    "d_ffn": 512,
    "dropout": 0.0,
    "num_queries": 100,
    "box_refine": True,
    "enc_skip_finest": True,
    "input_w": 512,
    "input_h": 384,
    # loss weights (Deformable-DETR defaults); set one to 0 to ablate it
    "loss_focal": 2.0,
    "loss_l1": 5.0,
    "loss_giou": 2.0,
    "box_weight_leukocyte": 1.0,  # leukocyte boxes' weight in the L1 and GIoU terms (others: 1)
    "aux_loss": True,
    "focal_alpha": 0.25,
    "focal_gamma": 2.0,
    # class target of a matched query: "onehot" (the paper: sigmoid focal loss towards 1) or "iou"
    # (varifocal loss, Zhang et al. 2021, as in RT-DETR: the target is the IoU of the query's box with
    # its ground truth, so that scores rank boxes by how well they fit; negatives keep focal weighting)
    "cls_target": "onehot",
    "match_cost_class": 2.0,
    "match_cost_l1": 5.0,
    "match_cost_giou": 2.0,
    # optimisation
    "lr": 2e-4,
    "lr_backbone": 2e-4,
    "weight_decay": 1e-4,
    "batch_size": 4,
    "clip_norm": 0.1,
    "lr_drop_frac": 0.85,
    # data
    "bccd_weight": 0.6,  # share of samples drawn from BCCD trainval; the rest from TXL (non-BCCD)
    "scale_min": 0.55,  # min side fraction of the random 4:3 crop
    "aspect_jitter": 0.3,  # the crop's aspect is 4:3 times exp(U(-a, a))
    # cross-device augmentation (data/robust.py); these defaults leave training as it was
    "scale_norm": False,  # each source resampled to BCCD's RBC diameter (replaces the scale_min crop), then zoomed
    "scale_jitter": 0.0,  # zoom log-uniform in [1 - j, 1 / (1 - j)] about that scale
    "scale_wide_p": 0.0,  # share of views zoomed log-uniform in scale_wide instead
    "scale_wide": [0.5, 2.0],
    "stain_sigma": 0.0,  # HED stain jitter (Tellez et al.): alpha ~ U(1 - s, 1 + s), beta ~ U(-s, s)
    "tint_p": 0.0,  # share of views with a tinted background and a hue shift
    "optics_p": 0.0,  # share of views through a random camera: vignetting, defocus/motion blur, noise, JPEG
    "eyepiece_p": 0.0,  # share of views cut by an eyepiece circle (black outside)
}

AUGMENT_KEYS = ("scale_norm", "scale_jitter", "scale_wide_p", "scale_wide", "stain_sigma", "tint_p", "optics_p",
                "eyepiece_p")

# Keys that shape only the training (losses, matching, optimisation, data), not the network: runs that
# differ only in these produce weights of the same model (training.swa averages across them).
TRAINING_KEYS = frozenset([
    "loss_focal", "loss_l1", "loss_giou", "box_weight_leukocyte", "aux_loss", "focal_alpha", "focal_gamma",
    "cls_target", "match_cost_class", "match_cost_l1", "match_cost_giou",
    "lr", "lr_backbone", "weight_decay", "batch_size", "clip_norm", "lr_drop_frac",
    "bccd_weight", "scale_min", "aspect_jitter", *AUGMENT_KEYS,
])

CONFIGS = {
    "lite": copy.deepcopy(BASE),
    "paper": dict(copy.deepcopy(BASE), backbone="resnet50", d_model=256, enc_layers=6, dec_layers=6,
                  d_ffn=1024, dropout=0.1, input_w=640, input_h=480,
                  enc_skip_finest=False),
    # lite, trained to hold up across microscopes (issue 22): scale, stain, optics and eyepiece augmentation
    "lite-robust": dict(copy.deepcopy(BASE), scale_norm=True, scale_jitter=0.35, scale_wide_p=0.2,
                        stain_sigma=0.1, tint_p=0.3, optics_p=0.5, eyepiece_p=0.1),
    # tiny: for tests only
    "tiny": dict(copy.deepcopy(BASE), d_model=32, enc_layers=1, dec_layers=2, d_ffn=64, num_queries=20,
                 input_w=128, input_h=96),
}


def parse_overrides(pairs) -> dict:
    """`--set key=value ...` (JSON values) -> {key: value}."""
    import json
    return {k: json.loads(v) for k, v in (s.split("=", 1) for s in pairs)}


def get_config(name: str, **overrides) -> dict:
    if name not in CONFIGS:
        raise ValueError(f"unknown config '{name}' (choose from {', '.join(CONFIGS)})")
    cfg = copy.deepcopy(CONFIGS[name])
    for k, v in overrides.items():
        if k not in cfg:
            raise ValueError(f"unknown config key '{k}'")
        cfg[k] = v
    cfg["name"] = name
    return cfg


def with_defaults(cfg: dict) -> dict:
    """A stored config (checkpoint, card) with the keys added since it was written at their defaults."""
    return dict({k: v for k, v in BASE.items() if k not in cfg}, **cfg)
