"""Annotation readers: VOC XML folders, YOLO txt folders and COCO JSON.

Every reader returns a list of `Record`s: boxes are xyxy in pixels of the original image,
labels are ids in training.config.CLASSES, or UNTYPED_WBC for a leukocyte with no type.
Bad input raises DatasetError naming the file.
"""
import csv
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..config import CLASSES, UNTYPED_WBC

TYPE_NAMES = {"NEUTROPHIL": "NEU", "LYMPHOCYTE": "LYM", "MONOCYTE": "MON", "EOSINOPHIL": "EOS", "BASOPHIL": "BAS",
              "neutrophil": "NEU", "lymphocyte": "LYM", "monocyte": "MON", "eosinophil": "EOS", "basophil": "BAS"}
COARSE = {"RBC": CLASSES.index("RBC"), "Platelets": CLASSES.index("Platelets"), "WBC": UNTYPED_WBC}


class DatasetError(ValueError):
    """A dataset path or annotation file is missing or malformed (the message names the file)."""


@dataclass
class Record:
    image_path: str
    width: int
    height: int
    boxes: List[List[float]] = field(default_factory=list)  # xyxy pixels
    labels: List[int] = field(default_factory=list)
    source: str = ""
    image_id: str = ""


def require_path(path: str, what: str) -> str:
    if not os.path.exists(path):
        raise DatasetError(f"{what} not found: {path}")
    return path


def read_split(path: str) -> List[str]:
    require_path(path, "split list")
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def load_bccd_types(csv_path: str) -> Dict[tuple, str]:
    """bccd/wbc_types.csv -> {(image, xmin, ymin, xmax, ymax): type} for rows with status ok."""
    require_path(csv_path, "BCCD type table")
    out = {}
    with open(csv_path) as f:
        for row in csv.DictReader(f):
            if row.get("status") == "ok" and row.get("wbc_type") in TYPE_NAMES:
                key = (row["image"], int(row["xmin"]), int(row["ymin"]), int(row["xmax"]), int(row["ymax"]))
                out[key] = TYPE_NAMES[row["wbc_type"]]
    return out


def read_voc(root: str, ids: List[str], wbc_types: Optional[Dict[tuple, str]] = None) -> List[Record]:
    """VOC folder (Annotations/*.xml, JPEGImages/*.jpg). WBC boxes take their type from
    wbc_types when given, else stay untyped."""
    records = []
    for image_id in ids:
        xml_path = os.path.join(root, "Annotations", f"{image_id}.xml")
        require_path(xml_path, "VOC annotation")
        try:
            tree = ET.parse(xml_path).getroot()
            fname = tree.findtext("filename") or f"{image_id}.jpg"
            size = tree.find("size")
            width, height = int(size.findtext("width")), int(size.findtext("height"))
            rec = Record(os.path.join(root, "JPEGImages", f"{image_id}.jpg"), width, height,
                         source="bccd", image_id=image_id)
            for obj in tree.iter("object"):
                name = obj.findtext("name").strip()
                bb = obj.find("bndbox")
                x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
                if name not in COARSE:
                    raise DatasetError(f"{xml_path}: unknown class '{name}'")
                label = COARSE[name]
                if label == UNTYPED_WBC and wbc_types is not None:
                    t = wbc_types.get((f"{image_id}.jpg", int(x1), int(y1), int(x2), int(y2)))
                    if t is not None:
                        label = CLASSES.index(t)
                if x2 <= x1 or y2 <= y1:
                    continue  # degenerate box in the source annotations
                rec.boxes.append([x1, y1, x2, y2])
                rec.labels.append(label)
        except DatasetError:
            raise
        except (ET.ParseError, AttributeError, TypeError, ValueError) as e:
            raise DatasetError(f"{xml_path}: malformed VOC annotation ({e})") from e
        if not os.path.exists(rec.image_path):
            rec.image_path = require_path(os.path.join(root, "JPEGImages", fname), "image")
        records.append(rec)
    return records


def read_yolo(images_dir: str, labels_dir: str, names: List[str], sizes: Dict[str, tuple],
              types: Optional[Dict[str, str]] = None, keep=None) -> List[Record]:
    """YOLO folder: labels/<stem>.txt with 'cls cx cy w h' normalised. `names` maps YOLO class
    ids to RBC/WBC/Platelets; `sizes` maps file name -> (w, h); `types` maps file name -> leukocyte
    type for images with a typed single leukocyte; keep(file_name) filters images."""
    require_path(images_dir, "YOLO images folder")
    require_path(labels_dir, "YOLO labels folder")
    records = []
    for fname in sorted(os.listdir(images_dir)):
        if keep is not None and not keep(fname):
            continue
        stem = os.path.splitext(fname)[0]
        label_path = os.path.join(labels_dir, stem + ".txt")
        w, h = sizes[fname]
        rec = Record(os.path.join(images_dir, fname), w, h, source="txl", image_id=stem)
        if os.path.exists(label_path):
            with open(label_path) as f:
                rows = [line.split() for line in f if line.strip()]
            n_wbc = sum(1 for r in rows if r and names[int(float(r[0]))] == "WBC")
            for r in rows:
                try:
                    cls, cx, cy, bw, bh = int(float(r[0])), *(float(v) for v in r[1:5])
                    name = names[cls]
                except (ValueError, IndexError) as e:
                    raise DatasetError(f"{label_path}: malformed YOLO row {' '.join(r)!r}") from e
                label = COARSE[name]
                if label == UNTYPED_WBC and types and fname in types and n_wbc == 1:
                    label = CLASSES.index(types[fname])
                x1, y1 = (cx - bw / 2) * w, (cy - bh / 2) * h
                rec.boxes.append([max(x1, 0), max(y1, 0), min(x1 + bw * w, w), min(y1 + bh * h, h)])
                rec.labels.append(label)
        records.append(rec)
    return records


def read_coco(json_path: str, images_dir: str) -> List[Record]:
    """COCO JSON; category names are matched to CLASSES, or WBC (untyped) / leukocyte type names."""
    require_path(json_path, "COCO annotation file")
    try:
        with open(json_path) as f:
            coco = json.load(f)
        cats = {}
        for c in coco["categories"]:
            name = TYPE_NAMES.get(c["name"], c["name"])
            if name in CLASSES:
                cats[c["id"]] = CLASSES.index(name)
            elif name in COARSE:
                cats[c["id"]] = COARSE[name]
            else:
                raise DatasetError(f"{json_path}: unknown category '{c['name']}'")
        recs = {}
        for im in coco["images"]:
            recs[im["id"]] = Record(os.path.join(images_dir, im["file_name"]), im["width"], im["height"],
                                    source="coco", image_id=str(im["id"]))
        for a in coco["annotations"]:
            x, y, w, h = a["bbox"]
            recs[a["image_id"]].boxes.append([x, y, x + w, y + h])
            recs[a["image_id"]].labels.append(cats[a["category_id"]])
    except (KeyError, TypeError, json.JSONDecodeError) as e:
        raise DatasetError(f"{json_path}: malformed COCO annotation file ({e})") from e
    return list(recs.values())
