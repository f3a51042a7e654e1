"""Benchmark: simulator throughput with baths with memory (Drude, quantum thermal) against Ohmic baths.

System (the same for every variant): N oscillators, masses uniform in [0.5, 1.5] (numpy seed 0), mean-field
coupling k = 1 (Kac factor N - 1) plus pinning k0 = 0.5, baths on site 0 (T = 0.6) and site N - 1 (T = 0.2),
gamma = 0.5; float64 state; dt = 0.05, all trajectories from rest. Variants, each through jl.simulate:

- ohmic: OhmicBath, the default engine (on a CPU the Numba loop of jaxlangevin._fused_cpu, which needs
  float32, so here the XLA loop as well: the same as ohmic_xla unless --float32);
- ohmic_xla: OhmicBath, fused=False (one XLA loop iteration per step, the engine memory baths use);
- drude: DrudeBath with cutoff D = 5 (exact (v, y) O-step, jaxlangevin._memory);
- quantum_thermal: QuantumThermalBath with hbar = 1, D = 5 (the same O-step plus the FIR-filtered noise).

Throughput: osc_steps_per_s = n_traj N steps / run_s, run_s the median of --reps calls after a first call that
compiles (compile_s = first - run_s); the variants are timed round-robin, so a drift of the machine's speed falls
on all of them (run_s_min and run_s_max show the spread). ratio_over_ohmic_xla = run_s / run_s(ohmic_xla) from
the same run: the cost of the memory. left_flux is a sanity figure (short runs from rest are not steady states).

Prints one JSON list and writes benchmarks/out/memory_baths.json.

    .venv/bin/python benchmarks/memory_baths.py                          # sizes 1024x64 256x1024, 2048 steps
    .venv/bin/python benchmarks/memory_baths.py --sizes 64x8 --steps 256 --reps 1    # smoke test
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _output import save  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

import jaxlangevin as jl  # noqa: E402

DT, GAMMA, CUTOFF, HBAR = 0.05, 0.5, 5.0, 1.0
TEMPS = (0.6, 0.2)
KINDS = ("ohmic", "ohmic_xla", "drude", "quantum_thermal")


def make(n: int, kind: str, dtype):
    masses = jnp.asarray(np.random.default_rng(0).uniform(0.5, 1.5, n), dtype)
    sites = ((0,), (n - 1,))
    if kind.startswith("ohmic"):
        baths = [jl.OhmicBath(s, GAMMA, t) for s, t in zip(sites, TEMPS)]
    elif kind == "drude":
        baths = [jl.DrudeBath(s, GAMMA, t, CUTOFF) for s, t in zip(sites, TEMPS)]
    else:
        baths = [jl.QuantumThermalBath(s, GAMMA, t, HBAR, CUTOFF) for s, t in zip(sites, TEMPS)]
    coupling = jl.MeanField(1.0, kac="N-1") + jl.Pinning(0.5)
    return jl.System(masses, coupling, baths)


def run(n_traj: int, n: int, steps: int, reps: int, dtype) -> list[dict]:
    """All variants at one size, timed round-robin (rep 1 of every variant, then rep 2, ...) so that
    drifts of a shared machine's speed fall on all of them alike."""
    systems = {kind: make(n, kind, dtype) for kind in KINDS}
    kw = dict(n_traj=n_traj, dt=DT, t_relax=0.0, t_measure=steps * DT, progress=False)

    def call(kind, rep):
        t0 = time.perf_counter()
        result = jl.simulate(systems[kind], key=jax.random.key(rep), fused=None if kind == "ohmic" else False, **kw)
        jax.block_until_ready(result.flux)
        return time.perf_counter() - t0, result

    first = {kind: call(kind, 0) for kind in KINDS}  # compiles
    times = {kind: [] for kind in KINDS}
    for rep in range(1, reps + 1):
        for kind in KINDS:
            times[kind].append(call(kind, rep)[0])
    out = []
    for kind in KINDS:
        run_s = statistics.median(times[kind])
        out.append(dict(variant=kind, n_traj=n_traj, N=n, steps=steps, dtype=str(np.dtype(dtype)), run_s=run_s,
                        run_s_min=min(times[kind]), run_s_max=max(times[kind]), compile_s=first[kind][0] - run_s,
                        osc_steps_per_s=n_traj * n * steps / run_s, left_flux=float(first[kind][1].flux[0])))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024x64,256x1024", help="n_traj x N, comma separated")
    ap.add_argument("--steps", type=int, default=2048)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--float32", action="store_true", help="float32 states (the CPU fused engine for ohmic)")
    args = ap.parse_args()
    dtype = jnp.float32 if args.float32 else jnp.float64
    env = dict(device=str(jax.devices()[0].device_kind), backend=jax.default_backend(), host=platform.node(),
               cpus=os.cpu_count(), jax=jax.__version__, jaxlangevin=jl.__version__,
               date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="minutes"))
    records = []
    for size in args.sizes.split(","):
        n_traj, n = (int(x) for x in size.split("x"))
        size_recs = run(n_traj, n, args.steps, args.reps, dtype)
        base = next(r for r in size_recs if r["variant"] == "ohmic_xla")["run_s"]
        for r in size_recs:
            r.update(env, ratio_over_ohmic_xla=r["run_s"] / base)
            print(json.dumps(r), flush=True)
        records += size_recs
    save("memory_baths", records)


if __name__ == "__main__":
    main()
