"""Ensembles of Langevin trajectories: streamed steady-state temperatures and heat fluxes.

``simulate`` integrates n_traj independent trajectories as one batched state (n_traj, N), in jitted
chunks of steps, and accumulates per-trajectory time sums of v_n^2 and of the heat each bath gives.
Nothing of the trajectories is stored. Error bars are standard errors across trajectories (which are
independent), so they are honest whatever the autocorrelation time within a trajectory.

Reproducibility: the noise of step s is ``normal(fold_in(key, s), (n_traj_padded, n_noise))`` with JAX's
partitionable Threefry, whose value at (i, j) depends only on the linear index i n_noise + j, not on
the padded length or on how the array is split over devices. So trajectory i sees the same noise
whatever the chunking, the number of devices or interruptions (``checkpoint``), and one counter-based
hash per two normals is all the random-number cost. The trajectories are padded to a multiple of
lcm(8, devices) and the moments are taken on one device, so the numbers are bit for bit the same on
1, 2, 4 or 8 devices and across processes (``jax.distributed``: the array spans every process's
devices; host copies gather it).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
import tempfile
import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from . import _memory
from ._fused import plan, run_fused
from ._fused_cpu import available as fused_cpu_available, run_fused_cpu
from ._initial import AbstractInitial, AtRest, Given, Thermal
from ._integrators import BAOAB, AbstractIntegrator, noise_size
from ._kahan import kahan_add
from ._solution import SimulationDiverged, SimulationResult
from ._system import System

#: default number of steps per jitted chunk is chosen so that a chunk takes roughly this many
#: oscillator-steps (progress updates and checkpoints happen between chunks): about 0.3 s on a CPU
#: (~1e9 oscillator-steps/s) and on a GPU (~1e11 to 5e11)
_CHUNK_WORK = {"cpu": 2**28}
_CHUNK_WORK_ACCELERATOR = 2**36
#: steps summed plainly before a compensated addition (bounds the float32 rounding of the sums)
_BLOCK = 512


def simulate(
    system: System,
    *,
    n_traj: int,
    dt: float,
    t_relax: float,
    t_measure: float,
    key,
    init: AbstractInitial = AtRest(),
    integrator: AbstractIntegrator = BAOAB(),
    chunk_steps: int | None = None,
    record_every: int | None = None,
    progress: bool = True,
    checkpoint: str | os.PathLike | None = None,
    fused: bool | None = None,
) -> SimulationResult:
    """Run ``n_traj`` trajectories and return steady-state fluxes and temperatures with error bars.

    The equations are CONVENTIONS "The system"; the flux of bath b is the energy its own (friction +
    noise) update gives to its sites per unit time (CONVENTIONS "Time integration"), so sum_b J_b = 0 to
    statistical accuracy in a steady state (``energy_balance``). Baths: ``OhmicBath``, ``DrudeBath`` and
    ``QuantumThermalBath`` (BAOAB only). A bath with memory adds one auxiliary force per site, updated
    exactly with the site's velocity (``jaxlangevin._memory``); it starts at 0 (relaxing over 1 / D) and
    travels with the checkpoints, not with ``final``. Its flux is the conditional mean of the work it
    does during each step.

    Arguments:
        system: the ``jl.System`` (concrete values).
        n_traj: number of independent trajectories, >= 2 (standard errors need two).
        dt: time step, > 0 and below the stability limit 2 / omega_max (checked before running).
        t_relax: time discarded before measuring (>= 0), rounded to whole steps.
        t_measure: averaging time (> 0), rounded to whole steps; the result records the times used.
        key: a JAX PRNG key (``jax.random.key(seed)``).
        init: ``AtRest()``, ``Thermal(T)`` (equilibrium of the isolated system at T: v ~ N(0, T/m),
            q ~ N(0, T Phi^-1) with free zero modes at 0) or ``Given(q, v)`` with shapes (N,) or (n_traj, N).
        integrator: ``BAOAB()`` (default) or ``EulerMaruyama()``.
        chunk_steps: steps per jitted chunk (default: about 2^28 / (n_traj N), at least 1).
        record_every: if set, also record every ``record_every`` steps (from the start, relaxation
            included) the block averages of the ensemble-mean kinetic temperature of each site and of
            the flux of each bath: ``result.series``. Memory: (steps / record_every) x (N + n_baths) floats.
        progress: show a progress bar (tqdm, on stderr) between chunks.
        checkpoint: a file path. After every chunk the state and all accumulated sums are written there
            (atomically); a later call with the same arguments resumes from it and gives exactly the
            result of the uninterrupted run. A file from a different run raises ValueError.
        fused: run many steps per kernel call: on a GPU a Pallas/Triton kernel (``jaxlangevin._fused``),
            on a CPU a Numba loop (``jaxlangevin._fused_cpu``). For float32 states, BAOAB,
            mean-field-type stiffness (mean-field, pinning, walls) plus optional OnSiteQuartic,
            disjoint Ohmic baths with at most 16 sites, N <= 4096, no ``record_every``. None (default):
            wherever it applies, else the XLA loop. True: require it (ValueError saying why if it
            does not apply). False: always the XLA loop. All engines draw the same random numbers,
            bit for bit, and agree to float32 rounding.

    Cost: per step one force evaluation per trajectory at the coupling's cost (mean-field O(N)), O(N)
    elementwise work and one normal random number per bath site. Memory O(n_traj N). A bath with memory
    costs O((1 + r)^2) per site and step (r memory baths on the site), a quantum thermal bath also an FFT
    convolution per block and (L - 1) floats per site and trajectory (``jaxlangevin._memory``).

    Raises ``SimulationDiverged`` (a ``FloatingPointError``) if a trajectory turns non-finite; its
    ``partial`` attribute holds the result of the chunks completed before.
    """
    cfg = _check_arguments(system, n_traj, dt, t_relax, t_measure, key, init, integrator, chunk_steps, record_every)
    n, dtype = system.n_sites, system.masses.dtype
    dt_arr = jnp.asarray(dt, dtype)
    n_relax, n_meas = cfg["n_relax"], cfg["n_meas"]
    total = n_relax + n_meas
    chunk = cfg["chunk"]

    devices = jax.devices()  # all processes' devices after jax.distributed.initialize()
    n_dev = len(devices)
    # padded to a multiple of lcm(8, devices): the global shape, hence XLA's vectorization and every
    # rounding, is the same on 1, 2, 4 or 8 devices (13 rows on one device and 16 on eight rounded
    # differently in the remainder loops)
    rows = math.lcm(_ROW_MULTIPLE, n_dev)
    n_pad = -(-n_traj // rows) * rows
    sharding = NamedSharding(Mesh(np.array(devices), ("traj",)), PartitionSpec("traj"))

    init_key, run_key = jax.random.split(key)
    weight = _to_device(np.where(np.arange(n_pad) < n_traj, 1.0 / n_traj, 0.0), sharding, dtype)

    fingerprint = _fingerprint(system, n_traj, dt, n_relax, n_meas, chunk, record_every, key, init, integrator)
    n_baths = len(system.baths)
    saved = _load_checkpoint(checkpoint, fingerprint) if checkpoint is not None else None
    memory = cfg["memory"]  # baths with memory: their O-step coefficients, auxiliary forces y, noise history
    if saved is None:
        q, v = (_to_device(x, sharding, dtype) for x in _initial_state(system, init, init_key, n_pad, n_traj))
        f = system.force(q)
        acc = (jnp.zeros_like(q),) * 2 + (_to_device(np.zeros((n_pad, n_baths)), sharding, dtype),) * 2
        state = dict(done=0, series_t=np.zeros((0, n)), series_j=np.zeros((0, n_baths)))
        y, hist = _memory_start(memory, run_key, n_pad, dtype)
    else:  # everything the run needs lives on the device; the host holds only the series
        q, v, f = (_to_device(saved[k], sharding, dtype) for k in ("q", "v", "f"))
        acc = tuple(_to_device(saved[k], sharding, dtype) for k in _ACC_KEYS)
        state = {k: saved[k] for k in ("done", "series_t", "series_j")}
        y, hist = (saved.get(k) for k in ("y", "hist"))
    if y is not None:
        y = _to_device(y, sharding, dtype)
    if hist is not None:  # (L - 1, n_pad, n_coloured): the trajectory axis is the second
        hist = jax.device_put(jnp.asarray(hist, dtype), NamedSharding(sharding.mesh, PartitionSpec(None, "traj")))
    # accumulated per-trajectory sums of v^2 and heat: Kahan pairs (total, compensation) in the state's
    # dtype, on the device; they cross to the host only for checkpoints and the result
    state.update(q=q, v=v, acc=acc, y=y, hist=hist)

    n_noise = noise_size(system)
    mesh = sharding.mesh if n_dev > 1 else None
    fused_run = _fused_engine(fused, system, integrator, record_every, key, n_traj, mesh)
    bar = _progress(progress and jax.process_index() == 0, total, state["done"])
    chunk_index = state["done"] // chunk
    try:
        while state["done"] < total:
            start = state["done"]
            # never straddle the relax/measure boundary: a chunk either measures or not
            end = min(start + chunk, n_relax if start < n_relax else total)
            length = end - start
            block = record_every if record_every else min(length, _BLOCK)
            n_blocks, rest = divmod(length, block)
            sizes = [(block, n_blocks)] if n_blocks else []
            if rest:
                sizes.append((rest, 1))
            measure = start >= n_relax
            sv2, sh, bt, bj = [], [], [], []
            for bsize, nb in sizes:
                if fused_run is not None:
                    q, v, f, s_v2, s_heat = fused_run(system, dt_arr, q, v, f, run_key, jnp.uint32(start), bsize, nb)
                    b_t = b_j = None
                else:
                    q, v, f, y, hist, s_v2, s_heat, b_t, b_j = _run_chunk(
                        integrator, n_noise, sharding if n_dev > 1 else None, system, memory, dt_arr, q, v, f,
                        y, hist, run_key, weight, jnp.uint32(start), bsize, nb)
                start += bsize * nb
                sv2.append(s_v2), sh.append(s_heat), bt.append(b_t), bj.append(b_j)
            finite = _to_host(_finite_rows(q, v))[:n_traj]
            if not finite.all():  # state still holds the end of the last good chunk
                partial = _result(system, state, n_traj, dt, n_relax, n_meas, init, integrator, record_every,
                                  partial=True)
                raise SimulationDiverged(
                    f"simulate: {int((~finite).sum())} of {n_traj} trajectories turned non-finite in chunk "
                    f"{chunk_index} (steps {state['done']}..{end}); dt = {dt} may be too large for the "
                    "nonlinear forces. Statistics of the completed chunks are in `.partial`.",
                    partial,
                )
            if measure:
                state["acc"] = _accumulate(state["acc"], tuple(sv2), tuple(sh))
            if record_every:
                m = np.asarray(system.masses, np.float64)
                t_blocks = [_to_host(x).astype(np.float64) * m / bsize for x, (bsize, _) in zip(bt, sizes)]
                j_blocks = [_to_host(x).astype(np.float64) / (bsize * float(dt)) for x, (bsize, _) in zip(bj, sizes)]
                state["series_t"] = np.concatenate([state["series_t"]] + t_blocks)
                state["series_j"] = np.concatenate([state["series_j"]] + j_blocks)
            state.update(q=q, v=v, y=y, hist=hist, done=end)
            chunk_index += 1
            if checkpoint is not None:
                _save_checkpoint(checkpoint, fingerprint, state, f)
            if bar is not None:
                bar.update(length)
    finally:
        if bar is not None:
            bar.close()
    return _result(system, state, n_traj, dt, n_relax, n_meas, init, integrator, record_every)


_ACC_KEYS = ("sum_v2", "sum_v2_comp", "sum_heat", "sum_heat_comp")
#: trajectories are padded (with ignored ones) to a multiple of this times the device count's factors
_ROW_MULTIPLE = 8


def _to_device(x, sharding, dtype):
    """``x`` (the same full value in every process) as an array split over ``sharding``."""
    if jax.process_count() > 1:  # a global sharding takes host values
        return jax.device_put(np.asarray(x, dtype), sharding)
    return jax.device_put(jnp.asarray(x, dtype), sharding)


def _to_host(x) -> np.ndarray:
    """The full value of ``x`` in this process (gathered from the other processes where needed)."""
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        from jax.experimental import multihost_utils

        return np.asarray(multihost_utils.process_allgather(x, tiled=True))
    return np.asarray(x)


@jax.jit
def _finite_rows(q, v):
    return jnp.all(jnp.isfinite(q), axis=1) & jnp.all(jnp.isfinite(v), axis=1)


@jax.jit
def _accumulate(acc, sv2, sh):
    """Add a chunk's sums to the Kahan pairs (total, compensation): no drift however long the run."""
    v2, heat = acc[:2], acc[2:]
    for x in sv2:
        v2 = kahan_add(v2, x)
    for x in sh:
        heat = kahan_add(heat, x)
    return v2 + heat


# ------------------------------------------------------------------------------------------------
# the jitted chunk
# ------------------------------------------------------------------------------------------------


@eqx.filter_jit
def _run_chunk(integrator, n_noise, sharding, system, memory, dt, q, v, f, y, hist, run_key, weight, step0, block,
               n_blocks):
    """n_blocks x block steps from global step step0 (module level, so compiled once per shape).

    Returns the state, per-trajectory sums of v^2 and heat, and per-block ensemble means of both (for
    ``record_every``). The force f is carried between chunks: recomputing it could round differently
    and break chunk independence. The trajectory axis of q, v, f and the noise is split over the
    devices of ``sharding`` (XLA partitions the program). Baths with memory: ``memory`` holds their
    coefficients, y their auxiliary forces; with quantum thermal baths each block's noise is drawn
    first and filtered (``_memory.coloured_noise``), hist holding the last white values.
    """
    dtype = q.dtype
    n_baths = len(system.baths)
    # each block (<= _BLOCK steps unless record_every asks for longer) is summed plainly, and the block
    # sums are added with Kahan compensation, so the sums stay to a few ulps however long the chunk

    def white(s):
        noise = jax.random.normal(jax.random.fold_in(run_key, s), q.shape[:1] + (n_noise,), dtype)
        if sharding is not None:
            noise = jax.lax.with_sharding_constraint(noise, sharding)
        return noise

    def one_step(carry, s_or_noise):
        q, v, f, y, acc_v2, acc_heat = carry
        noise = white(s_or_noise) if hist is None else s_or_noise
        q, v, f, heat, y = integrator.step(system, dt, q, v, f, noise, None if memory is None else (memory, y))
        return (q, v, f, y, acc_v2 + v * v, acc_heat + heat), None

    def accumulators():
        return jnp.zeros_like(q), jnp.zeros(q.shape[:1] + (n_baths,), dtype)

    def one_block(carry, b):
        q, v, f, y, hist, tot_v2, tot_heat = carry
        steps = step0 + b * block + jnp.arange(block, dtype=jnp.uint32)
        if hist is not None:  # the block's noise at once, its coloured columns filtered
            steps, hist = _memory.coloured_noise(memory, hist, jax.vmap(white)(steps))
        (q, v, f, y, b_v2, b_heat), _ = jax.lax.scan(one_step, (q, v, f, y) + accumulators(), steps)
        means = (weight @ b_v2, weight @ b_heat)  # ensemble means over the real trajectories
        return (q, v, f, y, hist, kahan_add(tot_v2, b_v2), kahan_add(tot_heat, b_heat)), means

    zeros = accumulators()
    (q, v, f, y, hist, tot_v2, tot_heat), (blk_v2, blk_heat) = jax.lax.scan(
        one_block, (q, v, f, y, hist, (zeros[0], zeros[0]), (zeros[1], zeros[1])),
        jnp.arange(n_blocks, dtype=jnp.uint32),
    )
    return q, v, f, y, hist, tot_v2[0] - tot_v2[1], tot_heat[0] - tot_heat[1], blk_v2, blk_heat


@eqx.filter_jit
def _run_chunk_fused(fused_plan, interpret, mesh, system, dt, q, v, f, run_key, step0, block, n_blocks):
    """``_run_chunk`` through the fused GPU kernel (``jaxlangevin._fused``): state and per-trajectory sums."""
    return run_fused(fused_plan, system, dt, q, v, f, run_key, step0, block, n_blocks, interpret, mesh)


def _fused_engine(fused, system, integrator, record_every, key, n_traj, mesh):
    """The fused engine of this backend as ``run(system, dt, q, v, f, run_key, step0, block, n_blocks)``
    -> (q, v, f, sum v^2, heat per bath), or None for the XLA loop (see ``simulate``'s ``fused``)."""
    if fused is not None and not isinstance(fused, bool):
        raise ValueError(f"`fused` must be None, True or False, got {fused!r}.")
    if fused is False:
        return None
    backend = jax.default_backend()
    fused_plan, why_not = plan(system, integrator, record_every, key, n_traj)
    run = None
    if fused_plan is not None and backend == "gpu":
        run = functools.partial(_run_chunk_fused, fused_plan, False, mesh)
    elif fused_plan is not None and backend == "cpu":
        run, why_not = _cpu_runner(fused_plan, mesh)
    elif fused_plan is not None:
        why_not = f"there is no fused engine for the {backend} backend"
    if run is None and fused:
        raise ValueError(f"`fused=True`, but the fused engine does not apply: {why_not}.")
    return run


def _cpu_runner(fused_plan, mesh):
    """The fused engine on a CPU, the Numba loop, or None and why not (tests put the Pallas kernel,
    interpreted, here)."""
    if not fused_cpu_available():
        return None, "numba (the CPU engine) is not installed"
    if jax.process_count() > 1:
        return None, "the CPU engine works on the state of one process"
    return functools.partial(run_fused_cpu, fused_plan), ""


# ------------------------------------------------------------------------------------------------
# arguments, starts, results
# ------------------------------------------------------------------------------------------------


def _check_arguments(system, n_traj, dt, t_relax, t_measure, key, init, integrator, chunk_steps, record_every):
    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System, got {type(system).__name__}.")
    from ._bath import DrudeBath, OhmicBath, QuantumThermalBath

    if system.baths:
        system.require_bath_types("simulate()", (OhmicBath, DrudeBath, QuantumThermalBath))
    if isinstance(n_traj, bool) or not isinstance(n_traj, (int, np.integer)) or n_traj < 2:
        raise ValueError(f"`n_traj` must be an integer >= 2 (error bars are across trajectories), got {n_traj!r}.")
    for name, x, lo in (("dt", dt, "> 0"), ("t_relax", t_relax, ">= 0"), ("t_measure", t_measure, "> 0")):
        try:
            xf = float(x)
        except (TypeError, ValueError):
            raise ValueError(f"`{name}` must be a real number {lo}, got {x!r}.") from None
        if not math.isfinite(xf) or (xf < 0 if lo == ">= 0" else xf <= 0):
            raise ValueError(f"`{name}` must be a finite number {lo}, got {x!r}.")
    if not isinstance(integrator, AbstractIntegrator):
        raise ValueError(f"`integrator` must be jl.BAOAB() or jl.EulerMaruyama(), got {integrator!r}.")
    if not isinstance(init, AbstractInitial):
        raise ValueError(f"`init` must be jl.AtRest(), jl.Thermal(T) or jl.Given(q, v), got {init!r}.")
    if isinstance(init, Given):
        n = system.n_sites
        if init.q.shape not in ((n,), (n_traj, n)):
            raise ValueError(f"`init` Given(q, v) must have shape ({n},) or ({n_traj}, {n}), got {init.q.shape}.")
    try:
        jax.random.key_data(key)
    except Exception:  # noqa: BLE001
        raise ValueError(f"`key` must be a JAX PRNG key such as jax.random.key(0), got {key!r}.") from None
    omega_max = system.max_frequency()
    if float(dt) * omega_max >= 2.0:
        raise ValueError(
            f"`dt` = {dt} is above the stability limit 2 / omega_max = {2.0 / omega_max:.4g} of this system "
            f"(largest normal-mode frequency <= {omega_max:.4g}); use dt <= {0.2 / omega_max:.3g} for accuracy."
        )
    n_relax = int(round(float(t_relax) / float(dt)))
    n_meas = int(round(float(t_measure) / float(dt)))
    if n_meas < 1:
        raise ValueError(f"`t_measure` = {t_measure} is shorter than one step dt = {dt}.")
    if chunk_steps is None:
        work = _CHUNK_WORK.get(jax.default_backend(), _CHUNK_WORK_ACCELERATOR)
        chunk = max(1, work // (n_traj * system.n_sites))
    elif isinstance(chunk_steps, (int, np.integer)) and chunk_steps >= 1:
        chunk = int(chunk_steps)
    else:
        raise ValueError(f"`chunk_steps` must be a positive integer, got {chunk_steps!r}.")
    if record_every is not None:
        if not isinstance(record_every, (int, np.integer)) or record_every < 1:
            raise ValueError(f"`record_every` must be a positive integer or None, got {record_every!r}.")
        chunk = max(record_every, chunk // record_every * record_every)
    if n_relax + n_meas >= 2**32:
        raise ValueError(f"at most 2^32 - 1 steps are supported, got {n_relax + n_meas}.")
    memory = _memory.plan(system, float(dt), system.masses.dtype)
    if memory is not None and not isinstance(integrator, BAOAB):
        raise ValueError(f"`integrator` {type(integrator).__name__}() takes Ohmic baths only; baths with memory "
                         "(DrudeBath, QuantumThermalBath) need jl.BAOAB().")
    return dict(n_relax=n_relax, n_meas=n_meas, chunk=chunk, memory=memory)


def _memory_start(memory, run_key, n_pad: int, dtype):
    """Auxiliary forces y = 0 and the coloured noise's white history before step 0 (key: the one step
    index a run never reaches, 2^32 - 1; drawn as (n_pad, L - 1, k), so row i does not depend on n_pad)."""
    if memory is None:
        return None, None
    y = np.zeros((n_pad, len(memory.sites) * memory.r))
    if memory.taps is None:
        return y, None
    key = jax.random.fold_in(run_key, np.uint32(2**32 - 1))
    hist = jax.random.normal(key, (n_pad, memory.n_taps - 1, len(memory.coloured)), dtype)
    return y, jnp.transpose(hist, (1, 0, 2))


def _initial_state(system: System, init, key, n_pad: int, n_traj: int):
    n, dtype = system.n_sites, system.masses.dtype
    if isinstance(init, AtRest):
        z = jnp.zeros((n_pad, n), dtype)
        return z, z
    if isinstance(init, Given):
        q = jnp.broadcast_to(jnp.asarray(init.q, dtype), (n_traj, n))
        v = jnp.broadcast_to(jnp.asarray(init.v, dtype), (n_traj, n))
        pad = ((0, n_pad - n_traj), (0, 0))
        return jnp.pad(q, pad), jnp.pad(v, pad)
    if isinstance(init, Thermal):
        temp = float(init.temperature)
        keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(jnp.arange(n_pad, dtype=jnp.uint32))
        xi = jax.vmap(lambda k: jax.random.normal(k, (2, n), dtype))(keys)
        v = xi[:, 0] * jnp.sqrt(temp / system.masses)[None, :]
        # q ~ N(0, T Phi^+): sample in the eigenbasis of Phi (zero modes stay at 0). O(N^3) once.
        lam, vecs = np.linalg.eigh(np.asarray(system.stiffness(), np.float64))
        tol = 1e-12 * max(1.0, np.max(np.abs(lam)))
        amp = np.where(lam > tol, np.sqrt(temp / np.where(lam > tol, lam, 1.0)), 0.0)
        q = (xi[:, 1] * jnp.asarray(amp, dtype)[None, :]) @ jnp.asarray(vecs.T, dtype)
        return q, v
    raise ValueError(f"unsupported start {init!r}.")


def _result(system, state, n_traj, dt, n_relax, n_meas, init, integrator, record_every, partial=False):
    steps = max(state["done"] - n_relax, 0) if partial else n_meas
    # the sums of the real trajectories on one device: the reduction order, hence every bit of the
    # result, is then the same however many devices ran the trajectories
    acc = tuple(jax.device_put(_first_rows(x, n_traj), jax.local_devices()[0]) for x in state["acc"])
    moments = _moments(acc, system.masses, max(steps, 1), dt)
    (temp, temp_err), (flux, flux_err), (b, b_err) = jax.device_get(moments)  # a few small arrays
    series = None
    if record_every:
        series = dict(time=(np.arange(len(state["series_t"])) + 0.5) * record_every * float(dt),
                      temperature=state["series_t"], flux=state["series_j"])
    return SimulationResult(
        flux=jnp.asarray(flux), flux_err=jnp.asarray(flux_err),
        temperature=jnp.asarray(temp), temperature_err=jnp.asarray(temp_err),
        energy_balance=jnp.asarray(b), energy_balance_err=jnp.asarray(b_err),
        n_traj=int(n_traj), dt=float(dt), t_relax=n_relax * float(dt), t_measure=steps * float(dt),
        start=init, integrator=type(integrator).__name__,
        final=Given(_first_rows(state["q"], n_traj), _first_rows(state["v"], n_traj)), series=series,
    )


def _first_rows(x, n_traj):
    """Rows of the real trajectories: on the device in one process, gathered to the host across several."""
    return x[:n_traj] if not isinstance(x, jax.Array) or x.is_fully_addressable else _to_host(x)[:n_traj]


@jax.jit
def _moments(acc, masses, steps, dt):
    """Means and standard errors across trajectories of T_n = m_n <v_n^2>, J_b and sum_b J_b.

    On the device, in float64 when JAX has it enabled (else float32): only O(N) numbers travel to the
    host. The Kahan pairs are combined after widening; two-pass variance.
    """
    wide = jnp.result_type(float)
    t2, c2, th, ch = (x.astype(wide) for x in acc)
    n_traj = t2.shape[0]
    t_traj = (t2 - c2) * (masses.astype(wide) / steps)[None, :]
    j_traj = (th - ch) / (steps * dt)

    def mean_err(x):
        mean = jnp.mean(x, axis=0)
        var = jnp.sum((x - mean[None]) ** 2, axis=0) / (n_traj - 1)
        return mean, jnp.sqrt(var / n_traj)

    return mean_err(t_traj), mean_err(j_traj), mean_err(j_traj.sum(axis=1))


# ------------------------------------------------------------------------------------------------
# progress and checkpoints
# ------------------------------------------------------------------------------------------------


def _progress(show, total, done):
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        warnings.warn("tqdm is not installed: no progress bar.", RuntimeWarning, stacklevel=3)
        return None
    return tqdm(total=total, initial=done, unit="step", desc="simulate", file=sys.stderr, leave=False)


def _fingerprint(system, n_traj, dt, n_relax, n_meas, chunk, record_every, key, init, integrator) -> str:
    h = hashlib.sha256()
    leaves = jax.tree_util.tree_leaves((system, init))
    for x in leaves:
        h.update(np.asarray(x).tobytes())
    h.update(repr((jax.tree_util.tree_structure((system, init)), n_traj, float(dt), n_relax, n_meas, chunk,
                   record_every, type(integrator).__name__)).encode())
    h.update(np.asarray(jax.random.key_data(key)).tobytes())
    return h.hexdigest()


def _save_checkpoint(path, fingerprint, state, f):
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(fd)
    arrays = {k: state[k] for k in ("q", "v", "done", "series_t", "series_j", "y", "hist") if state.get(k) is not None}
    arrays.update(f=f, **dict(zip(_ACC_KEYS, state["acc"])))
    with open(tmp, "wb") as fh:  # with several processes each writes the same content (its own or a shared file)
        np.savez(fh, fingerprint=np.array(fingerprint), **{k: _to_host(v) for k, v in arrays.items()})
    os.replace(tmp, path)


def _load_checkpoint(path, fingerprint):
    path = os.fspath(path)
    if not os.path.exists(path):
        return None
    with np.load(path) as data:
        if str(data["fingerprint"]) != fingerprint:
            raise ValueError(
                f"`checkpoint` file {path!r} belongs to a different run (system, times, key or chunking "
                "differ); remove it or choose another path."
            )
        state = {k: data[k] for k in data.files if k != "fingerprint"}
    state["done"] = int(state["done"])
    return state
