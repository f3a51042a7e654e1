"""Benchmark: the steady state of the Ishida-Sugita spin-chain master equation, jaxlangevin.spins against
QuTiP 5, in the same run.

Tilted-field Ising chain, theta = pi/4, h = 1, lambda = 0.01, mirror baths on the end spins at
T_L = 1.5, T_R = 0.5 with the constant spectrum c = d = 1 (Ishida-Sugita Eq. 104-110, Appendix B),
float64, CPU.

- ours: ``spins.steady_state(chain)`` with its default solver (Dense LU of the bordered Liouvillian for
  N <= 6, matrix-free GMRES above), the whole call: Liouvillian, solve, normalisation and residual, under
  ``eqx.filter_jit``; best of ``--reps`` calls after one warm-up (compile) call.
- QuTiP: ``qutip.steadystate(L)`` on the Liouvillian of the independent construction in
  tests/test_spins_qutip.py (``qutip_liouvillian``), the solve alone. Default method: method="direct",
  which on QuTiP's CSR Liouvillian is scipy.sparse.linalg.spsolve (SuperLU, COLAMD ordering). It is run
  up to ``--qutip-direct-max`` spins (default 6; the LU fill-in grows ~50x per spin, N = 8 would take days),
  and for N <= 6 also QuTiP's dense alternative (solver="solve", numpy LAPACK on the dense L).
- build times are reported separately: ``qutip_liouvillian(...)`` and (N <= 6, where ours materialises it)
  ``spins.liouvillian`` under jit.
- accuracy: the relative residual ||L rho||_F / (lambda^2 ||rho||_F) of both solutions under both
  Liouvillians (ours: ``spins.apply_liouvillian``; QuTiP's: its sparse matrix on the column-stacked rho),
  and max |rho_ours - rho_qutip|.

Timings on a shared 2-core machine: OpenBLAS's threads (used by SuperLU, numpy and jax's LAPACK) can
stall when the cores are busy; the same N = 4 sparse LU then takes 1.9 s instead of 0.03 s. Running with
OPENBLAS_NUM_THREADS=1 (recorded in each record) avoids that.

Prints one JSON record per N as it goes, then the JSON list, and writes benchmarks/out/spin_steady_state.json.
Needs the test extras (qutip, pytest).

    python benchmarks/spin_steady_state.py [--sizes 4 6 8] [--n10] [--reps 3] [--qutip-direct-max 6] [--gmres-small]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import equinox as eqx  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import qutip  # noqa: E402
import scipy  # noqa: E402
from _output import save  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

from jaxlangevin import spins  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from test_spins_qutip import qutip_liouvillian, sigma_zprime  # noqa: E402  (the test's independent L)

THETA, H, LAM, T_L, T_R, C, D = np.pi / 4, 1.0, 0.01, 1.5, 0.5, 1.0, 1.0
QUTIP_DEFAULT = 'qutip.steadystate(L): method="direct" -> scipy.sparse.linalg.spsolve (SuperLU) on CSR'
QUTIP_DENSE = 'qutip.steadystate(L, solver="solve"): method="direct" -> numpy.linalg.solve on the dense L'


def make(n):
    chain = spins.SpinChain.tilted_ising(n=n, coupling=LAM, theta=THETA, field=H, temperatures=(T_L, T_R))
    zp = sigma_zprime(THETA)
    qargs = (n, LAM, H, qutip.tensor(zp, zp), [(0, zp, T_L, C, D), (n - 1, zp, T_R, C, D)])
    return chain, qargs


def best_time(f, reps, budget_s=60.0):
    """(last result, best wall time, calls): up to ``reps`` calls, no new call once ``budget_s`` is spent."""
    times, out = [], None
    while len(times) < reps and sum(times) < budget_s:
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return out, min(times), len(times)


@eqx.filter_jit
def _our_residual(chain, rho):
    return jnp.linalg.norm(spins.apply_liouvillian(chain, rho)) / (chain.coupling**2 * jnp.linalg.norm(rho))


def qutip_residual(lv_csr, rho):
    v = np.asarray(rho).reshape(-1, order="F")  # QuTiP stacks columns
    return float(np.linalg.norm(lv_csr @ v) / (LAM**2 * np.linalg.norm(v)))


def ours(chain, reps, solver=None):
    def call():
        ness = spins.steady_state(chain, solver=solver)
        jax.block_until_ready((ness.rho, ness.residual))
        return ness

    t0 = time.perf_counter()
    try:
        call()
    except NotImplementedError as e:
        return None, dict(ours_status=f"not run: {type(e).__name__}: {e}")
    first = time.perf_counter() - t0
    ness, best, calls = best_time(call, reps)
    rec = dict(
        ours_solver=ness.solver,
        ours_s=best,
        ours_first_call_s=first,
        ours_calls=calls,
        ours_stats={k: np.asarray(v).tolist() for k, v in ness.stats.items()},
    )
    if chain.n <= 6:  # only the dense solver materialises L
        build = eqx.filter_jit(spins.liouvillian)
        jax.block_until_ready(build(chain))
        _, rec["ours_liouvillian_build_s"], _ = best_time(lambda: jax.block_until_ready(build(chain)), reps)
    return np.asarray(ness.rho), rec


def peer(qargs, reps, direct_max):
    n = qargs[0]
    (lv, _, _), build_s, _ = best_time(lambda: qutip_liouvillian(*qargs), reps)
    rec = dict(qutip_liouvillian_build_s=build_s, qutip_method=QUTIP_DEFAULT)
    rhos = {}
    if n <= direct_max:
        rho, rec["qutip_s"], rec["qutip_calls"] = best_time(lambda: qutip.steadystate(lv), reps)
        rhos["default"] = rho.full()
    else:
        rec["qutip_s"] = None
        rec["qutip_status"] = f"default method skipped above N = {direct_max} (--qutip-direct-max): LU fill-in"
    if n <= 6:
        rho, rec["qutip_dense_s"], rec["qutip_dense_calls"] = best_time(
            lambda: qutip.steadystate(lv, solver="solve"), reps
        )
        rec["qutip_dense_method"] = QUTIP_DENSE
        rhos["dense"] = rho.full()
    return lv.data.as_scipy(), rhos, rec


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8])
    p.add_argument("--n10", action="store_true", help="also N = 10 (ours and QuTiP's Liouvillian only)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--qutip-direct-max", type=int, default=6, help="largest N for QuTiP's default (sparse LU)")
    p.add_argument("--gmres-small", action="store_true", help="also time spins.GMRES() where Dense is the default")
    args = p.parse_args()
    sizes = list(args.sizes) + ([10] if args.n10 and 10 not in args.sizes else [])

    qutip.steadystate(qutip_liouvillian(*make(2)[1])[0])  # QuTiP's first-call overhead, outside the timings
    records = []
    for n in sizes:
        chain, qargs = make(n)
        rec = dict(
            N=n,
            lam=LAM,
            theta=THETA,
            device=str(jax.devices()[0]),
            cpu_count=os.cpu_count(),
            load_avg_1min=os.getloadavg()[0],
            openblas_num_threads=os.environ.get("OPENBLAS_NUM_THREADS"),
            qutip_version=qutip.__version__,
            scipy_version=scipy.__version__,
        )
        rho, our_rec = ours(chain, args.reps)
        rec.update(our_rec)
        if args.gmres_small and n <= 6 and rho is not None:
            rho_g, gmres_rec = ours(chain, args.reps, spins.GMRES())
            rec.update({k.replace("ours_", "ours_gmres_"): v for k, v in gmres_rec.items() if "build" not in k})
            if rho_g is not None:
                rec["max_abs_diff_ours_dense_gmres"] = float(np.abs(rho - rho_g).max())
        lv_csr, qutip_rhos, peer_rec = peer(qargs, args.reps, args.qutip_direct_max)
        rec.update(peer_rec)
        if rho is not None and rec.get("qutip_s"):
            rec["ratio"] = rec["qutip_s"] / rec["ours_s"]  # qutip_time / our_time, QuTiP's default method
        if rho is not None and rec.get("qutip_dense_s"):
            rec["ratio_dense"] = rec["qutip_dense_s"] / rec["ours_s"]
        solutions = ({"ours": rho} if rho is not None else {}) | {f"qutip_{k}": v for k, v in qutip_rhos.items()}
        for name, sol in solutions.items():
            rec[f"residual_{name}_ourL"] = float(_our_residual(chain, jnp.asarray(sol)))
            rec[f"residual_{name}_qutipL"] = qutip_residual(lv_csr, sol)
        for name, sol in qutip_rhos.items():
            if rho is not None:
                rec[f"max_abs_diff_ours_qutip_{name}"] = float(np.abs(rho - sol).max())
        records.append(rec)
        print(json.dumps(rec), flush=True)
    save("spin_steady_state", records)


if __name__ == "__main__":
    main()
