"""Leukocyte typer: a small CNN that types leukocyte crops (NEU, LYM, MON, EOS, BAS).

MFDS-DETR finds the leukocytes; its typing of eosinophils and monocytes is weak after a short CPU
run (eosinophils are mostly called neutrophils). The typer re-types each leukocyte box from a crop at
full frame resolution. src/detect/typer*.ts runs it after the detector.
"""
