"""Correctness of the fused GPU kernel on the machine it runs on (prints one JSON line per case).

1. Same trajectories: ``simulate(fused=True)`` against ``simulate(fused=False)`` (the XLA loop) with the
   same key: both draw the same noise, so flux, temperatures and final states must agree to float32
   rounding (reported as the largest difference over the standard error, expected << 1).
2. Physics: the unequal-mass system of tests/test_simulate.py (thermalizes), fused kernel against
   ``negf_steady_state`` (float64, host CPU): flux and temperatures within 4 standard errors (z-scores).

    python benchmarks/fused_check.py            # on a GPU; on a CPU the kernel runs interpreted (slow)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import jaxlangevin as jl


def system(n, dtype=jnp.float32, quartic=0.0):
    coupling = jl.MeanField(k=1.0, kac="N-1") + jl.Pinning(k0=0.02)
    if quartic:
        coupling = coupling + jl.OnSiteQuartic(quartic)
    return jl.System(jnp.asarray(np.random.default_rng(0).uniform(0.5, 1.5, n), dtype), coupling,
                     jl.intensive(n, temperatures=(1.5, 0.5), gamma=1.0))


def same_trajectories(n_traj, n, steps, quartic):
    s = system(n, quartic=quartic)
    kw = dict(n_traj=n_traj, dt=0.05, t_relax=10 * 0.05, t_measure=steps * 0.05, key=jax.random.key(7),
              progress=False)
    out = {}
    for fused in (False, True):
        t0 = time.perf_counter()
        out[fused] = jl.simulate(s, fused=fused, **kw)
        out[f"t{fused}"] = time.perf_counter() - t0
    a, b = out[False], out[True]
    rec = dict(case="fused_vs_xla", n_traj=n_traj, N=n, steps=steps, quartic=quartic,
               wall_xla_s=out["tFalse"], wall_fused_s=out["tTrue"])
    for name in ("flux", "temperature"):
        x, y, e = (np.asarray(getattr(r, name), np.float64) for r in (a, b, a))
        err = np.asarray(getattr(a, name + "_err"), np.float64)
        rec[f"{name}_max_diff_over_err"] = float(np.max(np.abs(x - y) / err))
        rec[f"{name}_max_rel_diff"] = float(np.max(np.abs(x - y) / np.abs(x)))
    rec["final_q_max_diff"] = float(np.max(np.abs(np.asarray(a.final.q) - np.asarray(b.final.q))))
    rec["final_q_rms"] = float(np.sqrt(np.mean(np.asarray(a.final.q) ** 2)))
    return rec


MASSES = [1.0, 0.6, 1.5, 0.8, 1.3, 0.7]  # tests/test_simulate.py: thermalizes, slowest relaxation ~ 10


def unequal(dtype):
    return jl.System(jnp.asarray(MASSES, dtype), jl.MeanField(1.0) + jl.Pinning(0.1),
                     jl.intensive(len(MASSES), (1.5, 0.5), 1.0))


def against_exact(n_traj, t_measure):
    code = ("import sys, json, numpy as np, jax.numpy as jnp, jaxlangevin as jl; sys.path.insert(0, %r); "
            "from fused_check import unequal; ss = jl.negf_steady_state(unequal(jnp.float64)); "
            "print(json.dumps([np.asarray(ss.flux).tolist(), np.asarray(ss.temperature).tolist(), "
            "float(ss.slowest_relaxation_time)]))" % os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, JAX_ENABLE_X64="1", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    flux_ex, temp_ex, tau = json.loads(out.stdout.splitlines()[-1])
    flux_ex, temp_ex = np.asarray(flux_ex), np.asarray(temp_ex)
    t0 = time.perf_counter()
    res = jl.simulate(unequal(jnp.float32), n_traj=n_traj, dt=0.05, t_relax=10 * tau, t_measure=t_measure,
                      key=jax.random.key(1), progress=False, fused=True)
    wall = time.perf_counter() - t0
    n = len(MASSES)
    z_flux = (np.asarray(res.flux) - flux_ex) / np.asarray(res.flux_err)
    z_temp = (np.asarray(res.temperature) - temp_ex) / np.asarray(res.temperature_err)
    return dict(case="fused_vs_negf", n_traj=n_traj, N=n, t_measure=t_measure, wall_s=wall,
                flux=np.asarray(res.flux).tolist(), flux_exact=flux_ex.tolist(), flux_z=z_flux.tolist(),
                temperature_max_abs_z=float(np.max(np.abs(z_temp))),
                temperature_rms_z=float(np.sqrt(np.mean(z_temp**2))),
                energy_balance=float(res.energy_balance), energy_balance_err=float(res.energy_balance_err))


if __name__ == "__main__":
    print(json.dumps(dict(backend=jax.default_backend(), devices=[str(d) for d in jax.devices()])), flush=True)
    for args in ((64, 1024, 2000, 0.0), (1024, 32, 2000, 0.0), (300, 20, 1500, 0.5)):
        print(json.dumps(same_trajectories(*args)), flush=True)
    print(json.dumps(against_exact(4096, 500.0)), flush=True)
