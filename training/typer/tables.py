"""Markdown tables and confusion matrices from robust_eval --json files (for the experiment log).

    /usr/bin/python3 -m training.typer.tables /tmp/test-BCCD.json /tmp/test-TXL.json
"""
import json
import sys

from .evaluate import format_confusion
from .robust_eval import markdown


def main(argv=None):
    paths = argv if argv is not None else sys.argv[1:]
    rows, names = [], None
    for p in paths:
        with open(p) as f:
            res = json.load(f)
        names = names or list(res["typers"])
        if list(res["typers"]) != names:
            raise SystemExit(f"{p}: typers {list(res['typers'])}, want {names}")
        rows += res["rows"]
    print(markdown(rows, names))
    for r in rows:
        if r["shift"] in ("none", "more-pink stain", "x0.25 resolution", "combined"):
            for n in names:
                res = {"accuracy": r["typers"][n]["accuracy"], "n": r["n"], "confusion": r["typers"][n]["confusion"]}
                print(f"\n[{n}] " + format_confusion(f"{r['set']}, {r['shift']}, wb {'on' if r['wb'] else 'off'}", res))


if __name__ == "__main__":
    main()
