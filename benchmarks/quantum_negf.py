"""Benchmark: the quantum Landauer flux of the exact engine against its classical flux, and against a
scipy peer (Sherman-Morrison G_{0,N-1} + quad of the Landauer integrand), in the same run.

Mean-field chain with random masses (delta = 0.5), intensive Ohmic baths at T_L = 1.5, T_R = 0.5, hbar = 1,
float64, CPU. "ours" is ``jl.negf_steady_state(system, hbar=1.0).flux[0]`` under jit (the quantum result
also carries the conductance); "classical" the same call without hbar; the peer integrates

    J_L = int_0^inf dw/(2 pi) hbar w 4 gamma^2 w^2 |G_{0,N-1}(w)|^2 [n(w, T_L) - n(w, T_R)]

with scipy.integrate.quad (limit 2000, not told where the resonances are: what a user would write).
Prints one JSON list and writes benchmarks/out/quantum_negf.json.

    python benchmarks/quantum_negf.py --sizes 256 1024 4096 [--peer-sizes 256 1024]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from _output import save  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

import jaxlangevin as jl  # noqa: E402

T_L, T_R, GAMMA, K, HBAR = 1.5, 0.5, 1.0, 1.0, 1.0


def make(n):
    m = jl.masses.random(jax.random.key(0), n, mean=1.0, delta=0.5)
    return m, jl.MeanField(k=K, kac="N-1"), jl.intensive(n, temperatures=(T_L, T_R), gamma=GAMMA)


def _timed(f, x, reps):
    t0 = time.perf_counter()
    val = jax.block_until_ready(f(x))
    first = time.perf_counter() - t0
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(f(x))
        ts.append(time.perf_counter() - t0)
    return float(val), first, float(np.median(ts))


def ours(n, reps):
    m, coupling, baths = make(n)
    quantum = jax.jit(lambda mm: jl.negf_steady_state(jl.System(mm, coupling, baths), hbar=HBAR).flux[0])
    classical = jax.jit(lambda mm: jl.negf_steady_state(jl.System(mm, coupling, baths)).flux[0])
    jq, q_first, q_s = _timed(quantum, m, reps)
    jc, c_first, c_s = _timed(classical, m, reps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        err = float(jl.negf_steady_state(jl.System(m, coupling, baths), hbar=HBAR).flux_error[0])
    return dict(ours_quantum_flux=jq, ours_quantum_s=q_s, ours_quantum_first_call_s=q_first,
                ours_quantum_error_estimate=err, ours_classical_flux=jc, ours_classical_s=c_s,
                ours_classical_first_call_s=c_first, quantum_over_classical_cost=q_s / c_s)


def peer(n):
    from scipy.integrate import quad

    m = np.asarray(make(n)[0])
    u = K / (n - 1)
    c = n * u  # diagonal of Phi = n u I - u 1 1^T
    gam = np.zeros(n)
    gam[0] = gam[-1] = GAMMA
    count = [0]

    def bose(w, t):
        return 1.0 / np.expm1(HBAR * w / t)

    def integrand(w):
        count[0] += 1
        x = 1.0 / (c - w * w * m - 1j * w * gam)
        g = u * x[0] * x[-1] / (1 - u * x.sum())
        return HBAR * w * 4 * GAMMA**2 * w * w * abs(g) ** 2 * (bose(w, T_L) - bose(w, T_R)) / (2 * np.pi)

    w_max = 1.5 * np.sqrt(2 * c / m.min())
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        a = quad(integrand, 1e-300, w_max, limit=2000)
        b = quad(integrand, w_max, np.inf, limit=2000)
    return dict(peer_flux=a[0] + b[0], peer_s=time.perf_counter() - t0, peer_quad_error=a[1] + b[1],
                peer_evaluations=count[0], peer_warnings=[str(x.message).split("\n")[0][:120] for x in wl])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 4096])
    p.add_argument("--peer-sizes", type=int, nargs="+", default=[256, 1024])
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    records = []
    for n in args.sizes:
        rec = dict(N=n, device=str(jax.devices()[0]), **ours(n, args.reps))
        if n in args.peer_sizes:
            rec.update(peer(n))
            rec["peer_over_ours_time"] = rec["peer_s"] / rec["ours_quantum_s"]
            rec["ours_vs_peer_relative"] = abs(rec["ours_quantum_flux"] / rec["peer_flux"] - 1)
        records.append(rec)
        print(json.dumps(rec), flush=True)
    save("quantum_negf", records)


if __name__ == "__main__":
    main()
