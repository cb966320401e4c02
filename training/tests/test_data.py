import os

import numpy as np
import pytest

from training.data import sources
from training.data.annotations import DatasetError, read_voc, read_yolo, read_coco
from training.data.transforms import hflip, rot90, train_transform, vflip

from .shared_data import DATA, needs_data


def test_missing_dataset_path_names_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetError, match=str(missing)):
        sources.bccd("test", str(missing))


def test_malformed_voc_annotation_names_the_file(tmp_path):
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "JPEGImages").mkdir()
    bad = tmp_path / "Annotations" / "img1.xml"
    bad.write_text("<annotation><size><width>640</width>")  # truncated
    with pytest.raises(DatasetError, match="img1.xml"):
        read_voc(str(tmp_path), ["img1"])


def test_malformed_yolo_row_names_the_file(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "images" / "a.jpg").write_bytes(b"")
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 zero 0.1 0.1\n")
    with pytest.raises(DatasetError, match="a.txt"):
        read_yolo(str(tmp_path / "images"), str(tmp_path / "labels"), ["WBC", "RBC", "Platelets"], {"a.jpg": (10, 10)})


def test_malformed_coco_json_names_the_file(tmp_path):
    bad = tmp_path / "ann.json"
    bad.write_text('{"images": []')
    with pytest.raises(DatasetError, match="ann.json"):
        read_coco(str(bad), str(tmp_path))


def test_geometric_augmentations_keep_boxes_on_the_same_pixels():
    img = np.zeros((40, 60, 3), np.uint8)
    img[5:15, 20:35] = 255  # the box covers exactly this patch
    boxes = np.array([[20, 5, 35, 15]], np.float32)
    for fn in (lambda i, b: rot90(i, b, 1), lambda i, b: rot90(i, b, 3), hflip, vflip):
        out, b = fn(img, boxes)
        x1, y1, x2, y2 = b[0].astype(int)
        assert out[y1:y2, x1:x2].min() == 255 and out.sum() == img.sum()


def test_aspect_jitter_zero_scales_both_axes_alike():
    img = np.zeros((480, 640, 3), np.uint8)
    boxes = np.array([[280, 200, 360, 280]], np.float32)  # a square cell in the middle
    def aspect_after(jitter, seed):
        _, b, _ = train_transform(img, boxes, np.zeros(1, np.int64), np.random.default_rng(seed), 512, 384,
                                  scale_min=1.0, aspect_jitter=jitter)
        return (b[0, 2] - b[0, 0]) / (b[0, 3] - b[0, 1])
    assert all(abs(aspect_after(0.0, s) - 1) < 0.02 for s in range(20))
    assert max(abs(aspect_after(0.3, s) - 1) for s in range(20)) > 0.1


def test_bccd_reader_on_the_demo_slide():
    """The demo slide (demo/, in every clone) is a BCCD data root: 20 test fields, 23 typed leukocytes."""
    demo = os.path.join(os.path.dirname(__file__), "..", "..", "demo")
    test = sources.bccd("test", demo)
    assert len(test) == 20
    counts = [sum(1 for r in test for l in r.labels if l == k) for k in range(5)]
    assert counts == [9, 4, 3, 6, 1]  # NEU LYM MON EOS BAS (demo/README.md)


@needs_data("bccd", "ImageSets", "Main", "trainval.txt")
def test_bccd_splits_and_types_from_the_shared_data():
    test = sources.bccd("test", DATA)
    trainval = sources.bccd("trainval", DATA)
    assert len(test) == 72 and len(trainval) == 292
    assert not {r.image_id for r in test} & {r.image_id for r in trainval}
    typed = sum(1 for r in test for l in r.labels if l < 5)
    assert typed == 70  # wbc_types.csv: 71 test rows, 70 of them with status ok


@needs_data("txl_pbc")
def test_txl_training_images_exclude_bccd_derived_ones():
    recs = sources.txl("train", DATA)
    assert len(recs) == 700
    assert {r.source for r in recs} == {"txl-PBC", "txl-Raabin-WBC"}
