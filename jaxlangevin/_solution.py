"""Result Modules of the exact engines."""

from __future__ import annotations

import equinox as eqx
import numpy as np
from jaxtyping import Array, Bool, Float

from ._initial import AbstractInitial


class SteadyState(eqx.Module):
    """An exact classical steady state.

    Attributes:
        flux: (n_baths,) heat per unit time from each bath into the system (CONVENTIONS J_b).
        temperature: (N,) kinetic temperature m_n <v_n^2>.
        flux_error, temperature_error: rounding-error estimates (absolute) of the same quantities.
        slowest_relaxation_time: 1 / min_k |Im lambda_k| over the poles of G that the baths reach: the
            time over which the slowest bath-coupled mode's amplitude relaxes (the steady state is only
            reached after several of these).
        start: the initial condition whose long-time limit this is (``AtRest()``: bath-decoupled modes
            carry no energy).
        method: how it was computed ("secular-residues", "modal-residues" or "lyapunov").
        converged: whether the pole search met its tolerance.
        covariance: (2N, 2N) steady-state covariance of (q, v) (``lyapunov_steady_state``; None from
            ``negf_steady_state``, which never forms it).
        decoupled_frequencies: frequencies of the modes no bath reaches, one per mode
            (``lyapunov_steady_state``; None from ``negf_steady_state`` or under tracing).
    """

    flux: Float[Array, " n_baths"]
    temperature: Float[Array, " N"]
    flux_error: Float[Array, " n_baths"]
    temperature_error: Float[Array, " N"]
    slowest_relaxation_time: Float[Array, ""]
    start: AbstractInitial
    converged: Bool[Array, ""]
    method: str = eqx.field(static=True)
    covariance: Float[Array, "2N 2N"] | None = None
    decoupled_frequencies: Float[Array, " K"] | None = None

    @property
    def energy_balance(self) -> Float[Array, ""]:
        """sum_b J_b, zero in a steady state."""
        return self.flux.sum()

    def __str__(self) -> str:
        t = np.asarray(self.temperature)
        shown = np.array2string(t if t.size <= 6 else np.r_[t[:3], t[-3:]], precision=6)
        return (
            f"SteadyState({self.method}, start={type(self.start).__name__}())\n"
            f"  flux        = {np.array2string(np.asarray(self.flux), precision=10)}"
            f"  (+- {np.max(np.asarray(self.flux_error)):.1e})\n"
            f"  temperature = {shown}{' (first/last 3)' if t.size > 6 else ''}\n"
            f"  slowest relaxation time = {float(self.slowest_relaxation_time):.3e}"
        )


class SimulationResult(eqx.Module):
    """Steady-state averages of an ensemble of Langevin trajectories (``jl.simulate``).

    Attributes:
        flux, flux_err: (n_baths,) heat per unit time from each bath into the system, averaged over
            t_measure and the trajectories, and its standard error across trajectories.
        temperature, temperature_err: (N,) kinetic temperature m_n <v_n^2> and its standard error.
        energy_balance, energy_balance_err: sum_b J_b (zero in a steady state) and its standard error.
        n_traj, dt, t_relax, t_measure: what was run (times as whole numbers of steps).
        start: the initial condition (for the equal-mass mean-field model it decides the steady state).
        integrator: the integrator's name.
        final: ``Given(q, v)`` with the (n_traj, N) state at the end, a start for a continuation run
            (pass a new key) and a sample of the stationary distribution.
        series: None, or a dict of numpy arrays ``time`` (n_records,), ``temperature`` (n_records, N) and
            ``flux`` (n_records, n_baths): block averages of ensemble means every ``record_every`` steps.
    """

    flux: Float[Array, " n_baths"]
    flux_err: Float[Array, " n_baths"]
    temperature: Float[Array, " N"]
    temperature_err: Float[Array, " N"]
    energy_balance: Float[Array, ""]
    energy_balance_err: Float[Array, ""]
    n_traj: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    t_relax: float = eqx.field(static=True)
    t_measure: float = eqx.field(static=True)
    start: AbstractInitial
    integrator: str = eqx.field(static=True)
    final: AbstractInitial
    series: dict | None = None

    def __str__(self) -> str:
        j = ", ".join(f"{float(a):.6g} +- {float(b):.2g}" for a, b in zip(self.flux, self.flux_err))
        t = np.asarray(self.temperature)
        return (
            f"SimulationResult({self.n_traj} trajectories, {self.integrator}, dt = {self.dt:g}, "
            f"t_measure = {self.t_measure:g}, start {type(self.start).__name__})\n"
            f"  flux per bath: {j}\n"
            f"  energy balance: {float(self.energy_balance):.3g} +- {float(self.energy_balance_err):.2g}\n"
            f"  temperature: min {t.min():.6g}, max {t.max():.6g}"
        )


class SimulationDiverged(FloatingPointError):
    """A trajectory turned non-finite; ``partial`` holds the statistics of the completed chunks."""

    def __init__(self, message: str, partial: SimulationResult):
        super().__init__(message)
        self.partial = partial
