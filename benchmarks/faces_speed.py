"""How long the generated ``faces`` data set takes to draw: 20,000 faces (the default set) against the
``shapes`` generator in the same run (a reference for how busy the machine is).

    .venv/bin/python benchmarks/faces_speed.py [--n 20000] [--repeat 2]

Goal: 20,000 faces in a few seconds (under 5 s on one quiet core). Prints figures only.
"""

from __future__ import annotations

import argparse
import time

from trainer.data.faces import make_faces
from trainer.data.shapes import make_shapes


def best_of(repeat: int, make, n: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        make(n)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    faces, shapes = best_of(args.repeat, make_faces, args.n), best_of(args.repeat, make_shapes, args.n)
    per_image = faces / args.n * 1e3
    print(f"faces : {args.n:,} images 3×64×64 in {faces:.2f} s ({per_image:.3f} ms/image; goal < 5 s)")
    print(f"shapes: {args.n:,} images 1×28×28 in {shapes:.2f} s (reference, same run)")
    print(f"faces / shapes: {faces / shapes:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
