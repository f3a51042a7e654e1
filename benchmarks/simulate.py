"""Benchmark: oscillator-steps per second of Langevin ensembles, jaxlangevin.simulate vs hand-written and diffrax peers.

System (the same numbers for every implementation): N oscillators, masses uniform in [0.5, 1.5] (numpy seed 0),
mean-field coupling Phi = (k N/(N-1)) I - (k/(N-1)) 1 1^T with k = 1 plus pinning k0 = 0.02, so the force
F = (k/(N-1)) (sum(q) - N q) - k0 q costs O(N); Ohmic baths on site 0 (T = 1.5) and site N-1 (T = 0.5), gamma = 1:
m dv = F dt - gamma v dt + sqrt(2 gamma T) dW on the bath sites. All trajectories start at rest; float32 state
unless --float64. Every implementation streams the same observables and stores no trajectory: per-trajectory
running sums of v_n^2 (every site) and of the heat given by each bath, updated every step.

Throughput (default): osc_steps_per_s = n_traj N steps / run_s, run_s the median of --reps calls after a first call
that compiles (compile_s = first call - run_s). XLA compilations during the timed calls are counted (timed_compiles,
timed_compile_s = tracing + lowering + compiling per call, median); osc_steps_per_s_excl_recompile leaves that time
out. left_flux (heat per unit time from the left bath) and bulk_T (mean kinetic temperature m <v^2> of the non-bath
sites) are a sanity check: all implementations should agree within statistical error (short runs from rest are not
steady states). The `ours` record of each size carries ratio_ours_over_best_peer (and _excl_recompile).

- ours: jaxlangevin.simulate (BAOAB, one chunk of all steps), the user-facing call including its host work, with its
  default engine: the fused engine, many steps per call (a Pallas kernel on a GPU, jaxlangevin._fused; a Numba loop
  on a CPU, jaxlangevin._fused_cpu).
- ours_xla: the same call with fused=False (one XLA loop iteration per step on every backend).
- scan: hand-written BAOAB in JAX, jax.lax.scan over a batched (n_traj, N) state, exact Ornstein-Uhlenbeck step on
  the two bath sites only (noise (n_traj, 2) per step), heat = kinetic-energy change of that step.
- torch: the same BAOAB in PyTorch eager on the GPU if torch sees one, else the CPU (no_grad, preallocated tensors,
  in-place updates).
- diffrax_euler: diffrax.diffeqsolve with diffrax.Euler() (explicit Euler-Maruyama) on the SDE in (q, v),
  accumulators carried in the state, noise on the two bath sites only through a lineax.FunctionLinearOperator.
- diffrax_align: diffrax.ALIGN on UnderdampedLangevinDriftTerm/DiffusionTerm, stepped manually (solver.step in
  jax.lax.scan) so the accumulators stream; see the record's notes for how the masses and baths are mapped.

Accuracy (--accuracy, separate records and file): for one system (default 256 x 64), each implementation at
dt in --accuracy-dts, --accuracy-relax time units discarded, then --accuracy-steps time units measured; records
bulk_T and left_flux with standard errors across trajectories, plus one `exact` record: the steady state of
jaxlangevin.negf_steady_state (float64, own subprocess) and, since the slowest bath-coupled modes relax over far longer
times than any run here, the exact expectations of the same time averages over the measured window from rest
(window_left_flux, window_bulk_T; covariance recursion), against which the bias against dt can be read off.

Each (size, implementation) runs in its own subprocess (no thread contention between JAX and torch, timeout guard).
Prints one JSON list of records and writes benchmarks/out/simulate.json (--accuracy: simulate_accuracy.json).

    .venv-bench/bin/python benchmarks/simulate.py                       # sizes 4096x32 1024x64 256x1024, 2000 steps
    .venv-bench/bin/python benchmarks/simulate.py --sizes 8x16 --steps 50 --reps 1          # smoke test
    .venv-bench/bin/python benchmarks/simulate.py --only ours,scan --float64
    .venv-bench/bin/python benchmarks/simulate.py --accuracy            # 256 x 64, dt 0.2 .. 0.025, t = 100 + 200
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata

import numpy as np

T_L, T_R, GAMMA, K, K0 = 1.5, 0.5, 1.0, 1.0, 0.02
IMPLS = ("ours", "ours_xla", "scan", "torch", "diffrax_euler", "diffrax_align")
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


# ------------------------------------------------------------------------------------------------
# the system, shared by all implementations
# ------------------------------------------------------------------------------------------------


def masses(n):
    return np.random.default_rng(0).uniform(0.5, 1.5, n)


def bath_constants(n, dt):
    """Bath sites, their masses, temperatures, O-step factor c = exp(-gamma dt/m) and noise amplitude (float64)."""
    sites = np.array([0, n - 1])
    mb = masses(n)[sites]
    temps = np.array([T_L, T_R])
    c = np.exp(-GAMMA * dt / mb)
    return sites, mb, temps, c, np.sqrt((1 - c * c) * temps / mb)


def summarize(temp_traj, flux_traj):
    """Per-trajectory time averages m <v^2> (n_traj, N) and J_b (n_traj, 2) -> means and standard errors."""
    bulk = temp_traj[:, 1:-1].mean(axis=1)
    left = flux_traj[:, 0]
    n = len(left)
    return dict(left_flux=float(left.mean()), left_flux_err=float(left.std(ddof=1) / math.sqrt(n)),
                bulk_T=float(bulk.mean()), bulk_T_err=float(bulk.std(ddof=1) / math.sqrt(n)))


def sums_to_averages(sum_v2, sum_heat, n, n_meas, dt, time_integral=False):
    """Running sums over n_meas steps (of v^2 per step, or its time integral) -> per-trajectory averages."""
    temp = np.asarray(sum_v2, np.float64) / (n_meas * dt if time_integral else n_meas) * masses(n)
    return temp, np.asarray(sum_heat, np.float64) / (n_meas * dt)


# ------------------------------------------------------------------------------------------------
# implementations: make_X(n_traj, n, dt, float64) -> (run, info); run(n_relax, n_meas, seed) -> observables
# ------------------------------------------------------------------------------------------------


def make_ours(n_traj, n, dt, float64, fused=None):
    import jax
    import jax.numpy as jnp

    import jaxlangevin as jl

    dtype = jnp.float64 if float64 else jnp.float32
    system = jl.System(jnp.asarray(masses(n), dtype), jl.MeanField(k=K, kac="N-1") + jl.Pinning(k0=K0),
                       jl.intensive(n, temperatures=(T_L, T_R), gamma=GAMMA))

    def run(n_relax, n_meas, seed):
        res = jl.simulate(system, n_traj=n_traj, dt=dt, t_relax=n_relax * dt, t_measure=n_meas * dt,
                          key=jax.random.key(seed), progress=False, chunk_steps=n_meas, fused=fused)
        t, t_err = np.asarray(res.temperature), np.asarray(res.temperature_err)
        return dict(left_flux=float(res.flux[0]), left_flux_err=float(res.flux_err[0]),
                    bulk_T=float(t[1:-1].mean()), bulk_T_err=float(t_err[1:-1].mean()))

    engine = {None: "the fused engine (Pallas kernel on a GPU, Numba loop on a CPU)", False: "the XLA loop"}[fused]
    notes = (f"jaxlangevin.simulate, BAOAB, {engine}; noise normal(fold_in(key, step), (n_traj, 2)); includes its "
             "host-side checks and reductions; bulk_T_err = mean of per-site errors (upper bound)")
    return run, dict(notes=notes)


def make_ours_xla(n_traj, n, dt, float64):
    return make_ours(n_traj, n, dt, float64, fused=False)


def make_scan(n_traj, n, dt, float64):
    import jax
    import jax.numpy as jnp

    dtype = jnp.float64 if float64 else jnp.float32
    sites, mb, _, c, amp = bath_constants(n, dt)
    mb, c, amp = (jnp.asarray(x, dtype) for x in (mb, c, amp))
    inv_m = jnp.asarray(1.0 / masses(n), dtype)
    half = jnp.asarray(0.5 * dt, dtype)

    def force(q):
        return (K / (n - 1)) * (q.sum(-1, keepdims=True) - n * q) - K0 * q

    def step(carry, s, key):
        q, v, f, acc_v2, acc_heat = carry
        v = v + half * f * inv_m
        q = q + half * v
        vb = v[:, sites]
        new = c * vb + amp * jax.random.normal(jax.random.fold_in(key, s), (n_traj, 2), dtype)
        v = v.at[:, sites].set(new)
        q = q + half * v
        f = force(q)
        v = v + half * f * inv_m
        return (q, v, f, acc_v2 + v * v, acc_heat + 0.5 * mb * (new * new - vb * vb)), None

    @jax.jit
    def advance(q, v, key, steps):
        zeros = (jnp.zeros_like(q), jnp.zeros((n_traj, 2), dtype))
        (q, v, _, acc_v2, acc_heat), _ = jax.lax.scan(lambda cr, s: step(cr, s, key), (q, v, force(q)) + zeros, steps)
        return q, v, acc_v2, acc_heat

    def run(n_relax, n_meas, seed):
        key = jax.random.key(seed)
        q = v = jnp.zeros((n_traj, n), dtype)
        if n_relax:
            q, v, _, _ = advance(q, v, jax.random.fold_in(key, 1), jnp.arange(n_relax))
        _, _, acc_v2, acc_heat = advance(q, v, key, jnp.arange(n_meas))
        return summarize(*sums_to_averages(acc_v2, acc_heat, n, n_meas, dt))

    return run, dict(notes="jax.lax.scan BAOAB, one key per step (fold_in), noise (n_traj, 2) per step")


def make_torch(n_traj, n, dt, float64):
    import torch

    dtype = torch.float64 if float64 else torch.float32
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    sites_np, mb_np, _, c_np, amp_np = bath_constants(n, dt)
    sites = torch.as_tensor(sites_np, device=dev)
    half_mb, c, amp = (torch.as_tensor(x, dtype=dtype, device=dev) for x in (0.5 * mb_np, c_np, amp_np))
    inv_m = torch.as_tensor(1.0 / masses(n), dtype=dtype, device=dev)
    a, diag = K / (n - 1), -(K * n / (n - 1) + K0)
    q, v, f, acc_v2 = (torch.zeros(n_traj, n, dtype=dtype, device=dev) for _ in range(4))
    vb, new, xi, acc_heat, dke = (torch.zeros(n_traj, 2, dtype=dtype, device=dev) for _ in range(5))
    qsum = torch.zeros(n_traj, 1, dtype=dtype, device=dev)

    def force():
        torch.sum(q, dim=1, keepdim=True, out=qsum)
        torch.mul(q, diag, out=f)
        f.add_(qsum, alpha=a)

    def step(gen):
        v.addcmul_(f, inv_m, value=0.5 * dt)
        q.add_(v, alpha=0.5 * dt)
        torch.index_select(v, 1, sites, out=vb)
        xi.normal_(generator=gen)
        torch.mul(vb, c, out=new).addcmul_(amp, xi)
        torch.mul(new, new, out=dke).addcmul_(vb, vb, value=-1.0)
        acc_heat.addcmul_(dke, half_mb)
        v.index_copy_(1, sites, new)
        q.add_(v, alpha=0.5 * dt)
        force()
        v.addcmul_(f, inv_m, value=0.5 * dt)
        acc_v2.addcmul_(v, v)

    def run(n_relax, n_meas, seed):
        gen = torch.Generator(device=dev).manual_seed(seed)
        with torch.no_grad():
            for x in (q, v, f):
                x.zero_()
            for _ in range(n_relax):
                step(gen)
            acc_v2.zero_(), acc_heat.zero_()
            for _ in range(n_meas):
                step(gen)
        return summarize(*sums_to_averages(acc_v2.cpu().numpy(), acc_heat.cpu().numpy(), n, n_meas, dt))

    return run, dict(notes=f"PyTorch eager BAOAB on {dev.type}, in-place ops, torch.Generator normals on the bath "
                           "sites only (the copy to numpy at the end synchronizes the device)",
                     threads=torch.get_num_threads())


def make_diffrax_euler(n_traj, n, dt, float64):
    import diffrax
    import jax
    import jax.numpy as jnp
    import lineax

    dtype = jnp.float64 if float64 else jnp.float32
    sites, mb_np, temps, _, _ = bath_constants(n, dt)
    inv_m = jnp.asarray(1.0 / masses(n), dtype)
    sigma = jnp.asarray(np.sqrt(2 * GAMMA * temps), dtype)
    fric = jnp.asarray(GAMMA / mb_np, dtype)
    heat_in = jnp.asarray(GAMMA * temps / mb_np, dtype)
    noise_shape = jax.ShapeDtypeStruct((n_traj, 2), dtype)

    def drift(t, y, args):
        q, v, _, _ = y
        f = (K / (n - 1)) * (q.sum(-1, keepdims=True) - n * q) - K0 * q
        vb = v[:, sites]
        acc = (f * inv_m).at[:, sites].add(-fric * vb)
        return v, acc, v * v, heat_in - GAMMA * vb * vb  # dE_b = (gamma T/m - gamma v^2) dt + v sigma dW

    def diffusion(t, y, args):
        q, v, _, _ = y
        vb = v[:, sites]

        def mv(dw):
            zero = jnp.zeros_like(q)
            return zero, zero.at[:, sites].set(sigma * inv_m[sites] * dw), zero, vb * sigma * dw

        return lineax.FunctionLinearOperator(mv, noise_shape)

    @jax.jit
    def solve(y0, key, ts):
        bm = diffrax.UnsafeBrownianPath(shape=noise_shape, key=key)
        terms = diffrax.MultiTerm(diffrax.ODETerm(drift), diffrax.ControlTerm(diffusion, bm))
        sol = diffrax.diffeqsolve(terms, diffrax.Euler(), t0=ts[0], t1=ts[-1], dt0=None, y0=y0,
                                  saveat=diffrax.SaveAt(t1=True), stepsize_controller=diffrax.StepTo(ts),
                                  max_steps=ts.shape[0] - 1, adjoint=diffrax.ForwardMode())
        return jax.tree_util.tree_map(lambda x: x[0], sol.ys), sol.stats["num_steps"]

    def advance(q, v, key, steps):
        ts = jnp.asarray(np.arange(steps + 1) * dt, dtype)
        y0 = (q, v, jnp.zeros_like(q), jnp.zeros((n_traj, 2), dtype))
        y, num = solve(y0, key, ts)
        if int(num) != steps:
            raise RuntimeError(f"diffeqsolve took {int(num)} steps, expected {steps}")
        return y

    def run(n_relax, n_meas, seed):
        key = jax.random.key(seed)
        q = v = jnp.zeros((n_traj, n), dtype)
        if n_relax:
            q, v, _, _ = advance(q, v, jax.random.fold_in(key, 1), n_relax)
        _, _, int_v2, heat = advance(q, v, key, n_meas)
        return summarize(*sums_to_averages(int_v2, heat, n, n_meas, dt, time_integral=True))

    notes = ("diffeqsolve(Euler, StepTo grid, SaveAt(t1=True), max_steps=steps, ForwardMode adjoint: the default "
             "RecursiveCheckpointAdjoint rejects UnsafeBrownianPath), batched state (q, v, int v^2 dt, "
             "heat) with the accumulators as extra state components; noise (n_traj, 2) per step through "
             "ControlTerm + lineax.FunctionLinearOperator; heat = Ito bath work (gamma T/m - gamma v^2) dt + v sigma "
             "dW; explicit Euler is unstable for the undamped bulk modes (growth ~ omega^2 dt^2 / 2 per step)")
    return run, dict(notes=notes)


def make_diffrax_align(n_traj, n, dt, float64):
    import diffrax
    import jax
    import jax.numpy as jnp

    dtype = jnp.float64 if float64 else jnp.float32
    sites, mb_np, temps, _, _ = bath_constants(n, dt)
    m = masses(n)
    scale = np.ones(n)
    scale[sites] = temps  # u_n = s_n / m_n, grad f = -F / s_n, so -u grad f = F / m and 2 gamma u = 2 gamma T / m^2
    gam = np.zeros(n)
    gam[sites] = GAMMA / mb_np
    gam, u, inv_s = (jnp.asarray(x, dtype) for x in (gam, scale / m, 1.0 / scale))
    heat_in = jnp.asarray(GAMMA * temps / mb_np, dtype)
    shape = jax.ShapeDtypeStruct((n_traj, n), dtype)
    solver = diffrax.ALIGN(taylor_threshold=0.01 if float64 else 0.1)

    def grad_f(x, args):
        return -((K / (n - 1)) * (x.sum(-1, keepdims=True) - n * x) - K0 * x) * inv_s

    drift = diffrax.UnderdampedLangevinDriftTerm(gam, u, grad_f)

    def terms(key):
        bm = diffrax.UnsafeBrownianPath(shape=shape, key=key, levy_area=diffrax.SpaceTimeLevyArea)
        return diffrax.MultiTerm(drift, diffrax.UnderdampedLangevinDiffusionTerm(gam, u, bm))

    @jax.jit
    def advance(y, key, steps):
        state = solver.init(terms(key), 0.0, dt, y, None)

        def step(carry, s):
            y, state, acc_v2, acc_heat = carry
            y, _, _, state, _ = solver.step(terms(jax.random.fold_in(key, s)), 0.0, dt, y, None, state,
                                            made_jump=False)
            vb = y[1][:, sites]
            return (y, state, acc_v2 + y[1] * y[1], acc_heat + dt * (heat_in - GAMMA * vb * vb)), None

        zeros = (jnp.zeros(shape.shape, dtype), jnp.zeros((n_traj, 2), dtype))
        (y, _, acc_v2, acc_heat), _ = jax.lax.scan(step, (y, state) + zeros, steps)
        return y, acc_v2, acc_heat

    def run(n_relax, n_meas, seed):
        key = jax.random.key(seed)
        y = (jnp.zeros(shape.shape, dtype), jnp.zeros(shape.shape, dtype))
        if n_relax:
            y, _, _ = advance(y, jax.random.fold_in(key, 1), jnp.arange(n_relax))
        _, acc_v2, acc_heat = advance(y, key, jnp.arange(n_meas))
        return summarize(*sums_to_averages(acc_v2, acc_heat, n, n_meas, dt))

    notes = ("ALIGN with per-site gamma_n = gamma/m_n on the bath sites and 0 elsewhere (allowed: the Taylor branch "
             "handles gamma h = 0), u_n = s_n/m_n and grad_f = -F/s_n with s_n = T_n on bath sites and 1 elsewhere: "
             "exactly m dv = F dt - gamma v dt + sqrt(2 gamma T) dW. Not equal work: diffrax draws W and the "
             "space-time Levy area H for every coordinate (2 N normals per trajectory and step, multiplied by 0 off "
             "the baths). Stepped manually (solver.init + solver.step in lax.scan, Brownian path keyed per step, "
             "t0 = 0, t1 = dt) since ULD states cannot carry accumulators (grad_f sees positions only) and "
             "SaveAt(steps=True) would store the trajectory; heat = (gamma T/m - gamma v^2) dt (mean bath work), "
             "batched state (faster than vmap over trajectories here)")
    return run, dict(notes=notes)


MAKERS = {name: globals()[f"make_{name}"] for name in IMPLS}


# ------------------------------------------------------------------------------------------------
# measurements (in the worker subprocess)
# ------------------------------------------------------------------------------------------------


def compile_monitor():
    """Running count of XLA compilations in this process and seconds spent tracing, lowering and compiling."""
    import jax

    stats = dict(n=0, s=0.0)

    def listener(event, duration, **kwargs):
        if event.startswith("/jax/core/compile/"):
            stats["n"] += event.endswith("backend_compile_duration")
            stats["s"] += duration

    jax.monitoring.register_event_duration_secs_listener(listener)
    return stats


def throughput(impl, n_traj, n, steps, dt, reps, float64):
    run, info = MAKERS[impl](n_traj, n, dt, float64)
    compiles = compile_monitor() if impl != "torch" else dict(n=0, s=0.0)
    t0 = time.perf_counter()
    run(0, steps, 0)
    first = time.perf_counter() - t0
    times, recompile_s, n0 = [], [], compiles["n"]
    for _ in range(reps):
        c0, t0 = compiles["s"], time.perf_counter()
        obs = run(0, steps, 0)
        times.append(time.perf_counter() - t0)
        recompile_s.append(compiles["s"] - c0)
    run_s = statistics.median(times)
    run_excl_s = statistics.median(t - c for t, c in zip(times, recompile_s))
    work = n_traj * n * steps
    return dict(osc_steps_per_s=work / run_s, run_s=run_s, compile_s=max(first - run_s, 0.0), first_call_s=first,
                timed_compiles=compiles["n"] - n0, timed_compile_s=statistics.median(recompile_s),
                osc_steps_per_s_excl_recompile=work / run_excl_s, left_flux=obs["left_flux"], bulk_T=obs["bulk_T"],
                threads=info.get("threads"), notes=info["notes"])


def accuracy(impl, n_traj, n, dts, t_relax, t_measure, float64):
    out = []
    for dt in dts:
        rec = dict(kind="accuracy", impl=impl, n_traj=n_traj, N=n, dt=dt, t_relax=t_relax, t_measure=t_measure,
                   dtype="float64" if float64 else "float32")
        try:
            run, info = MAKERS[impl](n_traj, n, dt, float64)
            t0 = time.perf_counter()
            rec.update(run(int(round(t_relax / dt)), int(round(t_measure / dt)), 0))
            rec.update(wall_s=time.perf_counter() - t0, notes=info["notes"])
        except Exception as e:  # noqa: BLE001
            rec["error"] = f"{type(e).__name__}: {e}"[:500]
        out.append(rec)
    return out


def exact_window(n, t_relax, t_measure, h=0.1):
    """Exact expectations of left_flux and bulk_T averaged over [t_relax, t_relax + t_measure] from rest.

    Covariance recursion C(t + h) = E C(t) E^T + C(h), E = expm(A h), with E and C(h) from Van Loan's block
    exponential (dense 2N x 2N: a reference, not a simulation); Simpson's rule over the window.
    """
    from scipy.integrate import simpson
    from scipy.linalg import expm

    sites, mb, temps, _, _ = bath_constants(n, h)
    m = masses(n)
    phi = (K * n / (n - 1) + K0) * np.eye(n) - K / (n - 1)
    gam = np.zeros(n)
    gam[sites] = GAMMA
    a = np.block([[np.zeros((n, n)), np.eye(n)], [-phi / m[:, None], -np.diag(gam / m)]])
    b = np.zeros(2 * n)
    b[n + sites] = 2 * GAMMA * temps / mb**2
    f = expm(np.block([[-a, np.diag(b)], [np.zeros((2 * n, 2 * n)), a.T]]) * h)
    e = f[2 * n:, 2 * n:].T
    c_h = e @ f[: 2 * n, 2 * n:]
    k0, k1 = int(round(t_relax / h)), int(round((t_relax + t_measure) / h))
    c, v2 = np.zeros((2 * n, 2 * n)), []
    for k in range(k1 + 1):
        if k >= k0:
            v2.append(np.diag(c)[n:].copy())
        c = e @ c @ e.T + c_h
    v2 = simpson(np.array(v2), dx=h, axis=0) / ((k1 - k0) * h)
    return dict(window=[k0 * h, k1 * h], window_h=h, window_left_flux=float(GAMMA * (T_L / mb[0] - v2[0])),
                window_bulk_T=float((m * v2)[1:-1].mean()))


def exact(n, t_relax, t_measure):
    """negf_steady_state of the system in float64 (enables x64: run in its own process) and the window means."""
    import warnings

    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import jaxlangevin as jl

    system = jl.System(jnp.asarray(masses(n), jnp.float64), jl.MeanField(k=K, kac="N-1") + jl.Pinning(k0=K0),
                       jl.intensive(n, temperatures=(T_L, T_R), gamma=GAMMA))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ss = jl.negf_steady_state(system)
    t = np.asarray(ss.temperature)
    rec = dict(kind="exact", N=n, left_flux=float(ss.flux[0]), bulk_T=float(t[1:-1].mean()),
               flux_error=float(ss.flux_error[0]), slowest_relaxation_time=float(ss.slowest_relaxation_time),
               converged=bool(ss.converged), method=ss.method, warnings=[str(x.message)[:200] for x in w])
    rec.update(exact_window(n, t_relax, t_measure))
    rec["notes"] = ("left_flux, bulk_T: negf_steady_state (t -> infinity from rest); window_*: exact expectations "
                    "of the measured time averages (continuous time) over the simulated window from rest. The "
                    "simulations approach the steady state only after several slowest_relaxation_time, so their dt "
                    "bias is measured against window_*")
    return [rec]


def worker(job):
    if job.get("float64") or job["kind"] == "exact":
        import jax

        jax.config.update("jax_enable_x64", True)
    if job["kind"] == "exact":
        return exact(job["N"], job["t_relax"], job["t_measure"])
    if job["kind"] == "accuracy":
        return accuracy(job["impl"], job["n_traj"], job["N"], job["dts"], job["t_relax"], job["t_measure"],
                        job["float64"])
    rec = dict(kind="throughput", n_traj=job["n_traj"], N=job["N"], steps=job["steps"], dt=job["dt"],
               impl=job["impl"], dtype="float64" if job["float64"] else "float32")
    try:
        rec.update(throughput(job["impl"], job["n_traj"], job["N"], job["steps"], job["dt"], job["reps"],
                              job["float64"]))
    except Exception as e:  # noqa: BLE001
        rec["error"] = f"{type(e).__name__}: {e}"[:500]
    return [rec]


# ------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------


def finite_or_none(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: finite_or_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite_or_none(v) for v in x]
    return x


def spawn(job, timeout):
    """Run one job in a fresh interpreter; return its records (or one error record)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--_worker", json.dumps(job)]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        lines = [ln for ln in r.stdout.splitlines() if ln.startswith("[")]
        if r.returncode == 0 and lines:
            recs = json.loads(lines[-1])
        else:
            recs = [dict(job, error=f"worker exit code {r.returncode} (negative = signal; -9 is usually the "
                                    f"out-of-memory killer): {r.stderr[-400:]}")]
    except subprocess.TimeoutExpired:
        recs = [dict(job, error=f"timeout after {timeout:.0f} s")]
    print(f"{job['kind']} {job.get('impl', '')} {job.get('n_traj', '')}x{job['N']}: "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return recs


def machine():
    import jax

    def version(pkg):
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    model = None
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), None)
    return dict(kind="machine", cpu_count=os.cpu_count(), processor=platform.processor(), cpu_model=model,
                platform=platform.platform(), python=platform.python_version(),
                jax_devices=[str(d) for d in jax.devices()], device_kind=jax.devices()[0].device_kind,
                versions={p: version(p) for p in ("jax", "jaxlib", "equinox", "torch", "diffrax", "lineax", "numpy")},
                date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


def add_ratios(records):
    """On each size's `ours` record: its throughput over the fastest successful peer's (also without recompiles)."""
    for rec in records:
        if rec.get("impl") == "ours_xla":
            continue
        if rec.get("impl") != "ours" or rec.get("kind") != "throughput":
            continue
        peers = [r for r in records if r.get("kind") == "throughput" and not r.get("impl", "").startswith("ours")
                 and (r["n_traj"], r["N"]) == (rec["n_traj"], rec["N"]) and r.get("osc_steps_per_s")]
        best = max(peers, key=lambda r: r["osc_steps_per_s"], default=None)
        ok = best is not None and rec.get("osc_steps_per_s")
        rec["best_peer"] = best["impl"] if best else None
        rec["ratio_ours_over_best_peer"] = rec["osc_steps_per_s"] / best["osc_steps_per_s"] if ok else None
        rec["ratio_ours_excl_recompile_over_best_peer"] = (
            rec["osc_steps_per_s_excl_recompile"] / best["osc_steps_per_s"] if ok else None)


def parse_size(s):
    n_traj, n = s.lower().split("x")
    return int(n_traj), int(n)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=parse_size, nargs="+", default=[(4096, 32), (1024, 64), (256, 1024)],
                   help="n_traj x N, e.g. 4096x32")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--reps", type=int, default=3, help="timed calls after the first (median)")
    p.add_argument("--dt", type=float, default=0.05)
    p.add_argument("--only", default=",".join(IMPLS), help="comma-separated subset of " + ",".join(IMPLS))
    p.add_argument("--float64", action="store_true")
    p.add_argument("--timeout", type=float, default=1800.0, help="per-subprocess wall-clock limit (s)")
    p.add_argument("--accuracy", action="store_true", help="run the accuracy comparison instead of throughput")
    p.add_argument("--accuracy-size", type=parse_size, default=(256, 64))
    p.add_argument("--accuracy-dts", type=float, nargs="+", default=[0.2, 0.1, 0.05, 0.025])
    p.add_argument("--accuracy-relax", type=float, default=100.0, help="time discarded before measuring")
    p.add_argument("--accuracy-steps", "--accuracy-time", dest="accuracy_time", type=float, default=200.0,
                   help="measured time (time units, not steps)")
    p.add_argument("--out", default=None, help="default benchmarks/out/simulate.json (simulate_accuracy.json)")
    p.add_argument("--_worker", default=None, help=argparse.SUPPRESS)
    a = p.parse_args()

    if a._worker is not None:
        print(json.dumps(finite_or_none(worker(json.loads(a._worker)))))
        return
    impls = [s.strip() for s in a.only.split(",") if s.strip()]
    unknown = set(impls) - set(IMPLS)
    if unknown:
        p.error(f"unknown implementation(s) {sorted(unknown)}; choose from {','.join(IMPLS)}")

    records = [machine()]
    print(json.dumps(records[0]), file=sys.stderr)
    if a.accuracy:
        n_traj, n = a.accuracy_size
        records += spawn(dict(kind="exact", N=n, t_relax=a.accuracy_relax, t_measure=a.accuracy_time), a.timeout)
        for impl in impls:
            records += spawn(dict(kind="accuracy", impl=impl, n_traj=n_traj, N=n, dts=a.accuracy_dts,
                                  t_relax=a.accuracy_relax, t_measure=a.accuracy_time, float64=a.float64), a.timeout)
    else:
        for n_traj, n in a.sizes:
            for impl in impls:
                records += spawn(dict(kind="throughput", impl=impl, n_traj=n_traj, N=n, steps=a.steps, dt=a.dt,
                                      reps=a.reps, float64=a.float64), a.timeout)
        add_ratios(records)
    out = a.out or os.path.join(OUT_DIR, "simulate_accuracy.json" if a.accuracy else "simulate.json")
    doc = json.dumps(records, indent=1)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as fh:
        fh.write(doc + "\n")
    print(doc)
    for r in records:  # a short table last, on stderr
        if r.get("kind") == "throughput":
            print(f"{r['n_traj']:>6}x{r['N']:<5} {r['impl']:<14} "
                  + (f"{r['osc_steps_per_s']:.3g} osc-steps/s  compile {r['compile_s']:.1f} s"
                     if r.get("osc_steps_per_s") else f"error: {r.get('error', '')[:200]}")
                  + (f"  ratio {r['ratio_ours_over_best_peer']:.2f} over {r['best_peer']}"
                     if r.get("ratio_ours_over_best_peer") else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
