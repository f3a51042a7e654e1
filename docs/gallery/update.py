"""Regenerate the gallery at full size and refresh docs/gallery/<id>.png.

    python docs/gallery/update.py [--out gallery] [--jobs 1] [FIG ...]

Runs ``jaxlangevin._gallery.reproduce`` (the same as ``jaxlangevin reproduce all --out gallery``), copies each
``<out>/<script>.png`` to ``docs/gallery/<id>.png`` and prints the seconds per figure for the README's table.
Exits 1 if any figure failed (its PNG is then left as it was).
"""

import argparse
import pathlib
import shutil
import sys

from jaxlangevin._gallery import FIGURES, reproduce

HERE = pathlib.Path(__file__).resolve().parent


def main(argv=None) -> int:
    """Run the gallery, refresh the PNGs of the figures that succeeded; 0 if all did, else 1."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("figures", nargs="*", help="figure ids (default: all)")
    p.add_argument("--out", default="gallery", help="where the scripts write (default: gallery)")
    p.add_argument("--jobs", type=int, default=1, help="scripts at a time (default 1: clean timings)")
    args = p.parse_args(argv)
    runs = reproduce(args.figures or None, out=args.out, jobs=args.jobs)
    for r in runs:
        if r.ok:
            shutil.copyfile(r.png, HERE / f"{r.id}.png")
    print("\n| id | seconds |\n| --- | --- |")
    for r in runs:
        print(f"| {r.id} | {r.seconds:.0f} |" if r.ok else f"| {r.id} | FAILED |")
    total = sum(p.stat().st_size for p in HERE.glob("*.png") if p.stem in FIGURES)
    print(f"\ndocs/gallery: {total / 1e6:.2f} MB of PNG")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
