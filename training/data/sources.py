"""The datasets in ../shared/data, with their splits and the leakage rule (see its README)."""
import csv
import os
from typing import List, Optional

from .annotations import Record, TYPE_NAMES, load_bccd_types, read_split, read_voc, read_yolo, require_path

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def data_root(path: Optional[str] = None) -> str:
    root = path or os.environ.get("LEUKOSCAN_DATA") or os.path.join(REPO_ROOT, "..", "shared", "data")
    return require_path(os.path.abspath(root), "data folder (set --data or LEUKOSCAN_DATA)")


def bccd(split: str, root: Optional[str] = None, typed: bool = True) -> List[Record]:
    """BCCD VOC; split in trainval | train | val | test (ImageSets/Main)."""
    base = os.path.join(data_root(root), "bccd")
    ids = read_split(os.path.join(base, "ImageSets", "Main", f"{split}.txt"))
    types = load_bccd_types(os.path.join(base, "wbc_types.csv")) if typed else None
    return read_voc(base, ids, types)


def txl(split: str, root: Optional[str] = None, sources=("PBC", "Raabin-WBC")) -> List[Record]:
    """TXL-PBC images of one split from the given sources. BCCD-derived images ('BCCD',
    'BCD(...)') are never included by default: they leak BCCD test images."""
    base = os.path.join(data_root(root), "txl_pbc")
    manifest = os.path.join(base, "manifest.csv")
    require_path(manifest, "TXL manifest")
    sizes, types, keep = {}, {}, set()
    with open(manifest) as f:
        for row in csv.DictReader(f):
            if row["split"] != split:
                continue
            sizes[row["image"]] = (int(row["width"]), int(row["height"]))
            if row["source_guess"] in sources:
                keep.add(row["image"])
            if row.get("wbc_type"):
                types[row["image"]] = TYPE_NAMES.get(row["wbc_type"], row["wbc_type"])
    names = ["WBC", "RBC", "Platelets"]  # data.yaml
    recs = read_yolo(os.path.join(base, "images", split), os.path.join(base, "labels", split), names, sizes,
                     types, keep=lambda fn: fn in keep)
    src = {}
    with open(manifest) as f:
        for row in csv.DictReader(f):
            src[row["image"]] = row["source_guess"]
    for r in recs:
        r.source = "txl-" + src.get(os.path.basename(r.image_path), "?")
    return recs
