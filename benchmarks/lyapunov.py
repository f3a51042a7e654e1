"""Benchmark: jaxlangevin.lyapunov_steady_state against scipy.linalg.solve_continuous_lyapunov (same run).

System: mean-field chain with graded masses (Defaveri Fig. 4 parameters: k = 0.1, k0 = 0.02, masses
1 +- 0.4 linearly), Ohmic baths on the end sites (T = 1.5, 0.5, gamma = 1), float64 on the CPU.
For each N: wall time of ours (jitted, after compilation; compile time separately), of scipy's
Bartels-Stewart solver on the same drift and noise matrices, and of the full mass gradient of the
left flux (jax.grad, implicit adjoint); accuracy of both against negf_steady_state (the secular
residue engine, exact to ~1e-13 here): largest relative difference of the fluxes and temperatures.
Prints one JSON list (and writes benchmarks/out/lyapunov.json).

    .venv-bench/bin/python benchmarks/lyapunov.py --sizes 256 1024
"""

from __future__ import annotations

import argparse
import json
import os
import time

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402

import jaxlangevin as jl  # noqa: E402

T_L, T_R, GAMMA = 1.5, 0.5, 1.0


def system(n, masses=None):
    m = jl.masses.graded(n, 1.0, 0.4) if masses is None else masses
    return jl.System(m, jl.MeanField(0.1) + jl.Pinning(0.02), jl.intensive(n, (T_L, T_R), GAMMA))


def timed(f, *args, reps=2):
    t0 = time.perf_counter()
    out = jax.block_until_ready(f(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = jax.block_until_ready(f(*args))
        times.append(time.perf_counter() - t0)
    return out, min(times), first


def run(n):
    s = system(n)
    ours = jax.jit(lambda s: (lambda r: (r.flux, r.temperature))(jl.lyapunov_steady_state(s)))
    (flux, temp), t_ours, first = timed(ours, s)
    grad = jax.jit(jax.grad(lambda m: jl.lyapunov_steady_state(system(n, m)).flux[0]))
    _, t_grad, _ = timed(grad, s.masses, reps=1)
    a = np.asarray(s.drift_matrix())
    m = np.asarray(s.masses)
    b = np.zeros(2 * n)
    b[n], b[2 * n - 1] = 2 * GAMMA * T_L / m[0] ** 2, 2 * GAMMA * T_R / m[-1] ** 2
    t0 = time.perf_counter()
    c = scipy.linalg.solve_continuous_lyapunov(a, -np.diag(b))
    t_scipy = time.perf_counter() - t0
    v2 = np.diag(c)[n:]
    flux_sp = np.array([GAMMA * (T_L / m[0] - v2[0]), GAMMA * (T_R / m[-1] - v2[-1])])
    ex = jl.negf_steady_state(s)
    fx, tx = np.asarray(ex.flux), np.asarray(ex.temperature)

    def rel(x, y):
        return float(np.max(np.abs(np.asarray(x) - y) / np.abs(y)))

    return dict(N=n, ours_s=t_ours, ours_compile_s=first - t_ours, scipy_s=t_scipy,
                ratio_scipy_over_ours=t_scipy / t_ours,
                grad_masses_s=t_grad, grad_over_solve=t_grad / t_ours,
                ours_flux_rel_err=rel(flux, fx), ours_temperature_rel_err=rel(temp, tx),
                scipy_flux_rel_err=rel(flux_sp, fx), scipy_temperature_rel_err=rel(m * v2, tx),
                slowest_relaxation_time=float(ex.slowest_relaxation_time))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    a = p.parse_args()
    recs = [dict(kind="machine", cpu_count=os.cpu_count(), jax=jax.__version__, scipy=scipy.__version__,
                 date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))]
    for n in a.sizes:
        recs.append(run(n))
        print(json.dumps(recs[-1]), flush=True)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "lyapunov.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(recs, fh, indent=1)
    print(json.dumps(recs))


if __name__ == "__main__":
    main()
