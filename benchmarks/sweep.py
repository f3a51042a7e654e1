"""Benchmark: jl.sweep against the loop users write (a Python loop calling jl.negf_steady_state / jl.simulate).

Model: mean-field chain (k, Kac factor N - 1) with pinning k0 = 0.5, random masses
jl.masses.random(key(0), N, 1.0, delta), two intensive Ohmic baths at T = 1.5 and 0.5 with friction gamma.

- exact: grid gamma x k x delta at fixed N (float64). Peer: ``[jl.negf_steady_state(build(**p)) for p in
  points]``. Ours: ``jl.sweep(build, grid, method=jl.Exact())`` (the engine compiled once per N, called point
  by point) and ``jl.Exact(batch=B)`` (B points per vmapped call). Checks: largest |flux difference| vs peer.
- simulate: grid gamma x k at fixed N, JAX's default precision (float32: the fused engine on a CPU). Peer:
  ``[jl.simulate(build(**p), key=jax.random.key(0), ...) for p in points]``. Ours: ``jl.sweep(..., method=
  jl.Simulation(...), store=<tmp>/sweep.nc)`` (streaming every point to disk). The numbers are the same calls,
  so they must agree bit for bit (checked).
- batching: the most that batching P grid points into one compiled call could gain for Simulation: one
  jl.simulate of P n_traj trajectories against P calls of n_traj (the same work in one array), in float64
  (the XLA loop, which a vmap over systems would batch) and float32 (the default engine: Numba on a CPU),
  on one device and on 4 forced host devices (``_4dev``).

Each (part, implementation) runs in its own subprocess, so each pays its own compilation, as a user would.
Times are wall-clock seconds of the whole loop or sweep, compilation included. Prints one JSON list of
records and writes benchmarks/out/sweep.json; each `ours` record carries ratio_peer_over_ours (> 1: we are
faster).

    python benchmarks/sweep.py                       # about 1-2 min on 2 CPU cores
    python benchmarks/sweep.py --exact-grid 8 --sim-grid 4 --only exact
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def build(N, gamma, k, delta=0.3):
    import jax

    import jaxlangevin as jl

    return jl.System(jl.masses.random(jax.random.key(0), N, 1.0, delta), jl.MeanField(k) + jl.Pinning(0.5),
                     jl.intensive(N, temperatures=(1.5, 0.5), gamma=gamma))


def exact_grid(n, size):
    import numpy as np

    return {"N": [n], "gamma": list(np.linspace(0.5, 2.0, size)), "k": list(np.linspace(0.5, 1.5, size)),
            "delta": [0.1, 0.3]}


def sim_grid(n, size):
    import numpy as np

    return {"N": [n], "gamma": list(np.linspace(0.5, 2.0, size)), "k": [0.5, 1.0]}


def points(grid):
    import itertools

    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*grid.values())]


def worker(part, impl, args):
    import warnings

    import jax

    if part == "exact" or "float64" in impl:
        jax.config.update("jax_enable_x64", True)
    import numpy as np

    import jaxlangevin as jl

    warnings.simplefilter("ignore", RuntimeWarning)  # the nearly-dark-mode temperature warnings
    rec = dict(part=part, impl=impl, backend=jax.default_backend(), devices=len(jax.devices()),
               x64=bool(jax.config.jax_enable_x64))
    if part == "exact":
        grid = exact_grid(args.N, args.exact_grid)
        t = time.perf_counter()
        if impl == "peer":
            flux = np.array([np.asarray(jl.negf_steady_state(build(**p)).flux) for p in points(grid)])
        else:
            method = jl.Exact() if impl == "ours" else jl.Exact(batch=args.batch)
            ds = jl.sweep(build, grid, method=method, progress=False)
            flux = ds.flux.values.reshape(-1, ds.sizes["bath"])
        rec.update(seconds=time.perf_counter() - t, points=len(flux), N=args.N, flux=flux.tolist())
    elif part == "simulate":
        grid = sim_grid(args.N_sim, args.sim_grid)
        kw = dict(n_traj=args.n_traj, dt=0.05, t_relax=args.steps // 4 * 0.05, t_measure=args.steps * 0.05)
        t = time.perf_counter()
        if impl == "peer":
            res = [jl.simulate(build(**p), key=jax.random.key(0), progress=False, **kw) for p in points(grid)]
            flux = np.array([np.asarray(r.flux) for r in res])
        else:
            with tempfile.TemporaryDirectory() as tmp:
                ds = jl.sweep(build, grid, method=jl.Simulation(**kw), store=os.path.join(tmp, "sweep.nc"),
                              progress=False)
            flux = ds.flux.values.reshape(-1, ds.sizes["bath"])
        rec.update(seconds=time.perf_counter() - t, points=len(flux), N=args.N_sim, flux=flux.tolist(),
                   n_traj=args.n_traj, steps=args.steps * 5 // 4)
    else:  # batching: P calls of n_traj vs one call of P n_traj, after a warm-up of each shape
        system = build(args.N_sim, 1.0, 1.0)
        kw = dict(dt=0.05, t_relax=0.0, t_measure=args.steps * 0.05, key=jax.random.key(0), progress=False)
        p = args.batch_points
        jl.simulate(system, n_traj=args.n_traj, **kw), jl.simulate(system, n_traj=p * args.n_traj, **kw)
        t = time.perf_counter()
        for _ in range(p):
            jl.simulate(system, n_traj=args.n_traj, **kw)
        separate = time.perf_counter() - t
        t = time.perf_counter()
        jl.simulate(system, n_traj=p * args.n_traj, **kw)
        together = time.perf_counter() - t
        rec.update(points=p, N=args.N_sim, n_traj=args.n_traj, steps=args.steps, separate_s=separate,
                   together_s=together, batching_gain_upper_bound=separate / together)
    print(json.dumps(rec))


def run(part, impl, args):
    cmd = [sys.executable, __file__, "--_worker", part, impl] + sys.argv[1:]
    env = dict(os.environ)
    if impl.endswith("_4dev"):  # 4 forced host devices: the trajectories are split over them
        env.update(XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
    if p.returncode != 0:
        return dict(part=part, impl=impl, error=p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="exact,simulate,batching")
    ap.add_argument("--N", type=int, default=32, help="sites of the exact sweep")
    ap.add_argument("--exact-grid", type=int, default=5, help="values of gamma and of k (exact): 2 n^2 points")
    ap.add_argument("--batch", type=int, default=24, help="points per vmapped call for Exact(batch=...)")
    ap.add_argument("--N-sim", type=int, default=16, dest="N_sim", help="sites of the simulated sweep")
    ap.add_argument("--sim-grid", type=int, default=4, help="values of gamma (simulate): 2 n points")
    ap.add_argument("--n-traj", type=int, default=256, dest="n_traj")
    ap.add_argument("--steps", type=int, default=80000, help="measured steps per point (plus 1/4 relaxation)")
    ap.add_argument("--batch-points", type=int, default=8, dest="batch_points")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--_worker", nargs=2, default=None)
    args = ap.parse_args()
    if args._worker:
        return worker(*args._worker, args)
    from _output import save

    parts = args.only.split(",")
    records = []
    impls = {"exact": ["peer", "ours", "ours_batched"], "simulate": ["peer", "ours"],
             "batching": ["float64", "float32", "float64_4dev", "float32_4dev"]}
    for part in ("exact", "simulate", "batching"):
        if part not in parts:
            continue
        got = {impl: run(part, impl, args) for impl in impls[part]}
        if part != "batching" and "seconds" in got["peer"]:
            peer_flux = np.asarray(got["peer"].pop("flux"))
            for impl, rec in got.items():
                if impl != "peer" and "seconds" in rec:
                    rec["ratio_peer_over_ours"] = got["peer"]["seconds"] / rec["seconds"]
                    diff = np.abs(np.asarray(rec.pop("flux")) - peer_flux)
                    rec["max_abs_flux_difference_vs_peer"] = float(diff.max())
                    rec["per_point_s"] = rec["seconds"] / rec["points"]
            got["peer"]["per_point_s"] = got["peer"]["seconds"] / got["peer"]["points"]
        records += list(got.values())
    save("sweep", records)


if __name__ == "__main__":
    main()
