"""Tile sweep of the fused GPU kernel: oscillator-steps/s of the kernel alone (no host work) per tile.

For each size (the benchmark system of benchmarks/simulate.py) the default plan and variants with other
trajectories-per-program (rows) and warps; prints one JSON line per (size, tile) and marks the default.

    python benchmarks/fused_tiles.py --sizes 4096x1024 256x1024 --steps 4096
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
from simulate import GAMMA, K0, T_L, T_R, K, masses, parse_size

import jaxlangevin as jl
from jaxlangevin import _fused, _simulate


def measure(n_traj, n, steps, plan, reps=3, dt=0.05):
    system = jl.System(jnp.asarray(masses(n), jnp.float32), jl.MeanField(k=K, kac="N-1") + jl.Pinning(k0=K0),
                       jl.intensive(n, temperatures=(T_L, T_R), gamma=GAMMA))
    q = v = f = jnp.zeros((n_traj, n), jnp.float32)
    block = min(steps, 512)
    interpret = jax.default_backend() == "cpu"
    args = (plan, interpret, None, system, jnp.float32(dt), q, v, f, jax.random.key(0), jnp.uint32(0), block,
            steps // block)
    t0 = time.perf_counter()
    jax.block_until_ready(_simulate._run_chunk_fused(*args))
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(_simulate._run_chunk_fused(*args))
        times.append(time.perf_counter() - t0)
    run = statistics.median(times)
    return dict(osc_steps_per_s=n_traj * n * (steps // block) * block / run, run_s=run, first_s=compile_s)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=parse_size, nargs="+", default=[(4096, 1024), (256, 1024), (1024, 64), (4096, 32)])
    p.add_argument("--steps", type=int, default=4096)
    a = p.parse_args()
    for n_traj, n in a.sizes:
        system = jl.System(jnp.ones(n, jnp.float32), jl.MeanField(k=K, kac="N-1"), jl.intensive(n, (1.0, 1.0), 1.0))
        base, why = _fused.plan(system, jl.BAOAB(), None, jax.random.key(0), n_traj)
        tiles = {(base.rows, base.num_warps)}
        for rows in (1, 2, 4, 8, 16, 32):
            if rows * base.n_pad_sites > 4096 or n_traj % rows:
                continue
            for warps in (1, 2, 4, 8, 16):
                per_thread = rows * base.n_pad_sites / (32 * warps)
                if 1 <= per_thread <= 16:
                    tiles.add((rows, warps))
        for rows, warps in sorted(tiles):
            rec = dict(n_traj=n_traj, N=n, rows=rows, num_warps=warps, default=(rows, warps) == (base.rows,
                                                                                                   base.num_warps))
            try:
                rec.update(measure(n_traj, n, a.steps, _fused.with_tile(base, rows, warps)))
            except Exception as e:  # noqa: BLE001
                rec["error"] = f"{type(e).__name__}: {e}"[:300]
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
