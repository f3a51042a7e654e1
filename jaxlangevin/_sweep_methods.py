"""How ``jl.sweep`` computes one grid point: ``Simulation`` (``jl.simulate``) or ``Exact`` (``jl.negf_steady_state``).

Both are small immutable Modules holding run settings, checked when they are built. Neither holds
physics: every physical parameter lives in the ``jl.System`` that the sweep's ``build`` returns, as array
leaves, so one compilation serves every grid point of the same shape.
"""

from __future__ import annotations

import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._initial import AbstractInitial, AtRest
from ._integrators import BAOAB, AbstractIntegrator
from ._negf import TEMPERATURE_RTOL, negf_steady_state
from ._simulate import simulate
from ._solution import QuantumSteadyState
from ._validation import nonnegative, positive


def _count(name: str, value, low: int, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        none = " or None" if allow_none else ""
        raise ValueError(f"`{name}` must be an integer >= {low}{none}, got {value!r}.")
    return int(value)


def _real(name: str, value, check) -> float:
    """A Python float (float64, whatever JAX's precision) that passes ``check`` (positive/nonnegative)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be a number, got the boolean {value!r}.")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a real number, got {value!r}.") from None
    return float(check(name, np.float64(x)))


class Simulation(eqx.Module):
    """Each grid point is an ensemble of Langevin trajectories: ``jl.simulate`` with these settings.

    Arguments (those of ``jl.simulate``; see its docstring):
        n_traj: trajectories per point, >= 2 (error bars are standard errors across trajectories).
        dt: time step (> 0; each point's system checks it against its own stability limit).
        t_relax: time discarded before measuring (>= 0); t_measure: averaging time (> 0).
        init: the start, ``jl.AtRest()`` (default), ``jl.Thermal(T)`` or ``jl.Given(q, v)``.
        integrator: ``jl.BAOAB()`` (default) or ``jl.EulerMaruyama()``.
        seed: the noise key of every point, ``jax.random.key(seed)``, when the grid has no ``seed`` axis.
            Points that differ only in physical parameters then share their noise (common random
            numbers): differences between points are more precise than the points themselves, and
            their errors are correlated. A ``seed`` axis in the grid gives independent repetitions.
        chunk_steps: steps per jitted chunk (progress and checkpoints happen between chunks); None:
            ``jl.simulate``'s default (about 0.3 s of work).
        fused: ``jl.simulate``'s engine choice (None: the fused GPU/CPU engine wherever it applies).
        resume_points: also checkpoint inside each point after every chunk (``jl.simulate``'s
            ``checkpoint=``, in the store's sidecar), so that an interrupted long point resumes from its
            last chunk instead of its start. Costs one write of the ensemble state (about 7 n_traj N
            numbers) per chunk: space the writes with ``chunk_steps``. Needs ``store``.

    Every point equals ``jl.simulate(build(**point), n_traj=..., key=jax.random.key(seed), ...)`` bit for bit.
    """

    n_traj: int
    dt: float
    t_relax: float
    t_measure: float
    init: AbstractInitial
    integrator: AbstractIntegrator
    seed: int
    chunk_steps: int | None
    fused: bool | None
    resume_points: bool

    def __init__(self, n_traj: int, dt: float, t_relax: float, t_measure: float, init: AbstractInitial = AtRest(),
                 integrator: AbstractIntegrator = BAOAB(), seed: int = 0, chunk_steps: int | None = None,
                 fused: bool | None = None, resume_points: bool = False):
        self.n_traj = _count("n_traj", n_traj, 2)
        self.dt = _real("dt", dt, positive)
        self.t_relax = _real("t_relax", t_relax, nonnegative)
        self.t_measure = _real("t_measure", t_measure, positive)
        if round(self.t_measure / self.dt) < 1:
            raise ValueError(f"`t_measure` = {t_measure} is shorter than one step dt = {dt}.")
        if not isinstance(init, AbstractInitial):
            raise ValueError(f"`init` must be jl.AtRest(), jl.Thermal(T) or jl.Given(q, v), got {init!r}.")
        if not isinstance(integrator, AbstractIntegrator):
            raise ValueError(f"`integrator` must be jl.BAOAB() or jl.EulerMaruyama(), got {integrator!r}.")
        self.init, self.integrator = init, integrator
        self.seed = _count("seed", seed, 0)
        if self.seed >= 2**32:
            raise ValueError(f"`seed` must be below 2^32, got {seed!r}.")
        self.chunk_steps = _count("chunk_steps", chunk_steps, 1, allow_none=True)
        if fused is not None and not isinstance(fused, bool):
            raise ValueError(f"`fused` must be None, True or False, got {fused!r}.")
        if not isinstance(resume_points, bool):
            raise ValueError(f"`resume_points` must be True or False, got {resume_points!r}.")
        self.fused, self.resume_points = fused, resume_points

    def run(self, system, key, checkpoint, progress: bool):
        """One point: the ``SimulationResult`` of ``jl.simulate``."""
        return simulate(system, n_traj=self.n_traj, dt=self.dt, t_relax=self.t_relax, t_measure=self.t_measure,
                        key=key, init=self.init, integrator=self.integrator, chunk_steps=self.chunk_steps,
                        progress=progress, checkpoint=checkpoint, fused=self.fused)


class Exact(eqx.Module):
    """Each grid point is the exact steady state ``jl.negf_steady_state(system, hbar)`` (from rest).

    Arguments:
        hbar: None (default) for the classical steady state, or hbar > 0 for the quantum one
            (symmetrized; the kinetic temperature of sites held by Ohmic baths is +inf, flagged by the
            variable ``divergent``: Andreucci et al. Eq. 54).
        batch: grid points per compiled call. 1 (default): ``negf_steady_state`` point by point on
            concrete values, exactly the call a user writes (its pole search and residue sums are compiled
            once per shape; equal-mass groups are found at run time, O(1) in N for equal masses); its
            precision warnings are collected into one summary at the end. > 1: that many points are
            stacked and computed by one ``vmap``-ed, jitted call (the last call padded with copies of its
            last point, so the compiled shape stays fixed). On a CPU ``batch = 1`` is faster (measured:
            ``benchmarks/sweep.py``): under ``vmap`` the engine's run-time choice between its secular and
            collective-mode paths computes both. A larger batch may pay on a GPU for small N.

    Cost per point: that of ``negf_steady_state`` (O(N^2) for the mean-field family with random masses),
    plus its compilation once per shape (a few seconds).
    """

    hbar: float | None
    batch: int

    def __init__(self, hbar: float | None = None, batch: int = 1):
        self.hbar = None if hbar is None else _real("hbar", hbar, positive)
        self.batch = _count("batch", batch, 1)

    def run(self, systems: list) -> list:
        """The steady states of ``systems`` (all of one structure), ``batch`` per compiled call."""
        hbar = None if self.hbar is None else jnp.asarray(self.hbar, systems[0].masses.dtype)
        if self.batch == 1:
            with warnings.catch_warnings():  # summarised over all points by jl.sweep (precision_flags)
                warnings.filterwarnings("ignore", message="negf_steady_state: ", category=RuntimeWarning)
                return [jax.device_get(negf_steady_state(s, hbar)) for s in systems]
        out = []
        for start in range(0, len(systems), self.batch):
            part = systems[start:start + self.batch]
            padded = part + [part[-1]] * (self.batch - len(part))
            stacked = jax.tree.map(lambda *x: jnp.stack(x), *padded)
            batched = jax.device_get(_steady_states(stacked, hbar))
            out += [jax.tree.map(lambda x: x[i], batched) for i in range(len(part))]
        return out


@eqx.filter_jit
def _steady_states(systems, hbar):
    """``negf_steady_state`` of a stack of systems (leading axis of every leaf), one compiled call."""
    return eqx.filter_vmap(lambda s: negf_steady_state(s, hbar))(systems)


def precision_flags(result) -> tuple[bool, bool]:
    """(not converged, temperature unresolved beyond ``TEMPERATURE_RTOL``) of an exact result.

    The same criteria as ``negf_steady_state``'s warnings, which do not fire under ``jit``.
    """
    t = np.asarray(result.site_temperature if isinstance(result, QuantumSteadyState) else result.temperature)
    err = np.asarray(result.temperature_error)
    rel = np.where(np.isfinite(t), err / np.maximum(np.abs(t), 1e-300), 0.0)
    slow = float(result.slowest_relaxation_time) > 1 / TEMPERATURE_RTOL
    return (not bool(result.converged)), bool(np.max(rel) > TEMPERATURE_RTOL or slow)
