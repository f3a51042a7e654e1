"""Benchmark: exact NEGF heat flux (jaxlangevin) vs a dense-solve + quad baseline, with a Lyapunov reference.

Mean-field chain, random masses, two intensive baths, float64. Each size runs in its own subprocess
(timeout and out-of-memory guard). Prints one JSON list of records and writes benchmarks/out/negf.json.

    python benchmarks/negf.py --sizes 256 1024 [--no-baseline] [--timeout 900] [--baseline-budget 400]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402

import jaxlangevin as jl  # noqa: E402

T_L, T_R, GAMMA, K = 1.5, 0.5, 1.0, 1.0
REF_SIZES = (256, 1024)  # Lyapunov reference; 2048 with --ref-2048
BASELINE_SIZES = (256, 1024)


def make(n):
    m = jl.masses.random(jax.random.key(0), n, mean=1.0, delta=0.5)
    coupling = jl.MeanField(k=K, kac="N-1")
    baths = jl.intensive(n, temperatures=(T_L, T_R), gamma=GAMMA)
    return m, coupling, baths


def _median_time(f, x, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        jax.block_until_ready(f(x))
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def ours(n, reps=None):
    reps = reps or (3 if n <= 4096 else 1)
    m, coupling, baths = make(n)

    def flux0(mm):
        return jl.negf_steady_state(jl.System(mm, coupling, baths)).flux[0]

    f = jax.jit(flux0)
    t0 = time.perf_counter()
    val = float(jax.block_until_ready(f(m)))
    compile_s = time.perf_counter() - t0
    flux_s = _median_time(f, m, reps)

    g = jax.jit(jax.grad(flux0))
    t0 = time.perf_counter()
    grad = np.asarray(jax.block_until_ready(g(m)))
    grad_compile_s = time.perf_counter() - t0
    grad_s = _median_time(g, m, reps)

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ss = jl.negf_steady_state(jl.System(m, coupling, baths))
        flux = np.asarray(ss.flux)
    return dict(
        ours_flux=val,
        ours_flux_s=flux_s,
        ours_compile_s=compile_s,
        ours_grad_s=grad_s,
        ours_grad_compile_s=grad_compile_s,
        grad_over_flux=grad_s / flux_s,
        grad_finite=bool(np.all(np.isfinite(grad))),
        ours_error_estimate=float(np.asarray(ss.flux_error)[0]),
        ours_energy_balance=float(flux.sum()),
        ours_method=ss.method,
        ours_converged=bool(ss.converged),
        ours_warnings=[str(x.message)[:200] for x in w],
    )


def dense_phi(n):
    u = K / (n - 1)
    return n * u * np.eye(n) - u * np.ones((n, n))


class _OutOfTime(Exception):
    pass


def baseline(n, budget_s):
    """Dense solve per frequency + scipy quad of the CONVENTIONS flux integrand (limit=200)."""
    from scipy.integrate import IntegrationWarning, quad

    t_start = time.perf_counter()
    m = np.asarray(make(n)[0])
    phi = dense_phi(n)
    gam = np.zeros(n)
    gam[0] = gam[-1] = GAMMA
    e_last = np.zeros(n, complex)
    e_last[-1] = 1.0
    count = [0]

    def integrand(w):
        count[0] += 1
        if time.perf_counter() - t_start > budget_s:
            raise _OutOfTime
        z = phi - w * w * np.diag(m) - 1j * w * np.diag(gam)
        g = np.linalg.solve(z, e_last)[0]  # G_{0,N-1}
        return 4 * GAMMA**2 * w * w * abs(g) ** 2 / (2 * np.pi)

    # Gershgorin bound on the spectrum of M^-1 Phi (cheap and safe); tail to infinity handled by quad.
    w_max = 1.5 * np.sqrt(np.max(np.abs(phi).sum(1) / m))
    msgs = []
    try:
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always", IntegrationWarning)
            r1 = quad(integrand, 0.0, w_max, limit=200, full_output=1)
            r2 = quad(integrand, w_max, np.inf, limit=200, full_output=1)
        (i1, e1, info1), (i2, e2, _) = r1[:3], r2[:3]
        msgs = [str(x.message).split("\n")[0][:160] for x in wl]
        msgs += [f"quad[{lab}]: " + r[3].strip().split("\n")[0][:160] for lab, r in (("0,w_max", r1), ("w_max,inf", r2))
                 if len(r) > 3]
        status = "ok"
    except _OutOfTime:
        i1 = i2 = e1 = e2 = np.nan
        info1 = {"last": None}
        status = f"stopped after {budget_s:.0f} s budget (integrand calls so far: {count[0]})"
    elapsed = time.perf_counter() - t_start
    val = (T_L - T_R) * (i1 + i2)
    return dict(
        baseline_flux=float(val),
        baseline_s=elapsed,
        baseline_nevals=count[0],
        baseline_s_per_eval=elapsed / max(count[0], 1),
        baseline_quad_error=float((T_L - T_R) * (e1 + e2)),
        baseline_subintervals=info1.get("last"),
        baseline_status=status,
        baseline_warnings=msgs,
        baseline_w_max=float(w_max),
    )


def lyapunov_reference(n):
    """J_L from the stationary covariance (Lyapunov equation, Landauer form), in relative coordinates.

    MeanField is translation invariant (Phi 1 = 0), so the full drift matrix A has a zero eigenvalue
    (free centre-of-mass position) and the Lyapunov equation in (q, v) is singular. Forces depend only
    on r_n = q_n - q_{N-1} (n < N-1): state (r, v) with dr/dt = S v, S = [I | -1], and
    dv/dt = -M^-1 Phi[:, :N-1] r - M^-1 Gamma v + noise. The velocity block is unchanged.
    """
    from scipy.linalg import solve_continuous_lyapunov

    t0 = time.perf_counter()
    m = np.asarray(make(n)[0])
    phi = dense_phi(n)
    gam = np.zeros(n)
    gam[0] = gam[-1] = GAMMA
    s = np.hstack([np.eye(n - 1), -np.ones((n - 1, 1))])
    a = np.block([
        [np.zeros((n - 1, n - 1)), s],
        [-phi[:, : n - 1] / m[:, None], -np.diag(gam / m)],
    ])
    # Landauer form (as the engine): noise from the right bath alone at unit temperature gives
    # K = <v_0^2> and J_L = gamma (T_L - T_R) K, with no cancellation between T_L/m_0 and <v_0^2>.
    b = np.zeros(2 * n - 1)
    b[-1] = 2 * GAMMA / m[-1] ** 2
    c = solve_continuous_lyapunov(a, -np.diag(b))
    resid = np.linalg.norm(a @ c + c @ a.T + np.diag(b)) / np.linalg.norm(np.diag(b))
    return dict(
        ref_flux=float(GAMMA * (T_L - T_R) * c[n - 1, n - 1]),
        ref_residual=float(resid),
        ref_s=time.perf_counter() - t0,
        ref_method="lyapunov (relative coordinates)",
    )


def worker(n, do_baseline, do_ref, budget_s):
    rec = {"N": n, "device": getattr(jax.devices()[0], "device_kind", None) or jax.devices()[0].platform,
           "jax_version": jax.__version__}
    try:
        rec.update(ours(n))
    except Exception as e:  # noqa: BLE001
        rec["ours_error"] = f"{type(e).__name__}: {e}"[:500]
    if do_ref:
        try:
            rec.update(lyapunov_reference(n))
        except Exception as e:  # noqa: BLE001
            rec["ref_error"] = f"{type(e).__name__}: {e}"[:500]
    else:
        rec["ref_flux"] = "skipped"
    if do_baseline:
        try:
            rec.update(baseline(n, budget_s))
        except Exception as e:  # noqa: BLE001
            rec["baseline_error"] = f"{type(e).__name__}: {e}"[:500]
    else:
        rec["baseline_s"] = "skipped"
    return rec


def finish(rec):
    def num(k):
        v = rec.get(k)
        return v if isinstance(v, (int, float)) and np.isfinite(v) else None

    ref, o, b = num("ref_flux"), num("ours_flux"), num("baseline_flux")
    rec["ours_relerr"] = abs(o - ref) / abs(ref) if ref is not None and o is not None else None
    rec["baseline_relerr"] = abs(b - ref) / abs(ref) if ref is not None and b is not None else None
    bs, of = num("baseline_s"), num("ours_flux_s")
    rec["speedup"] = bs / of if bs is not None and of is not None else rec.get("baseline_s", None)
    if bs is not None and not str(rec.get("baseline_status", "ok")).startswith("ok"):
        rec["speedup_is_lower_bound"] = True
    for k in ("ours_flux_s", "ours_compile_s", "ours_grad_s", "grad_over_flux", "baseline_s",
              "baseline_nevals", "ours_error_estimate"):
        rec.setdefault(k, None)
    return rec


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 4096, 16384])
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--ref-2048", action="store_true", help="also run the Lyapunov reference at N = 2048")
    p.add_argument("--timeout", type=float, default=900.0, help="per-size wall-clock limit (s)")
    p.add_argument("--baseline-budget", type=float, default=400.0,
                   help="stop the baseline quad after this many seconds (speedup then a lower bound)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "negf.json"))
    p.add_argument("--_worker", type=int, default=None, help=argparse.SUPPRESS)
    a = p.parse_args()

    ref_sizes = set(REF_SIZES) | ({2048} if a.ref_2048 else set())
    if a._worker is not None:
        n = a._worker
        rec = worker(n, (not a.no_baseline) and n in BASELINE_SIZES, n in ref_sizes, a.baseline_budget)
        print(json.dumps(rec))
        return

    records = []
    for n in a.sizes:
        cmd = [sys.executable, os.path.abspath(__file__), "--_worker", str(n),
               "--baseline-budget", str(a.baseline_budget)] + (["--no-baseline"] if a.no_baseline else []) \
            + (["--ref-2048"] if a.ref_2048 else [])
        t0 = time.perf_counter()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
            lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
            if r.returncode == 0 and lines:
                rec = json.loads(lines[-1])
            else:
                rec = {"N": n, "ours_error": f"worker exit code {r.returncode} (negative = signal; -9 is "
                       f"usually the out-of-memory killer): {r.stderr[-400:]}"}
        except subprocess.TimeoutExpired:
            rec = {"N": n, "ours_error": f"timeout after {a.timeout:.0f} s"}
        rec["wall_s"] = time.perf_counter() - t0
        rec.setdefault("device", getattr(jax.devices()[0], "device_kind", None) or jax.devices()[0].platform)
        rec.setdefault("jax_version", jax.__version__)
        records.append(finish(rec))
        print(f"N={n} done in {rec['wall_s']:.1f} s", file=sys.stderr)
    doc = json.dumps(records, indent=1)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as fh:
        fh.write(doc + "\n")
    print(doc)


if __name__ == "__main__":
    main()
