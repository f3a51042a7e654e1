"""Result Modules of the exact engines."""

from __future__ import annotations

import equinox as eqx
import numpy as np
from jaxtyping import Array, Bool, Float

from ._initial import AbstractInitial


class _ExactSteadyState(eqx.Module):
    """Fields shared by the exact engines' results (see ``SteadyState``)."""

    flux: Float[Array, " n_baths"]
    flux_error: Float[Array, " n_baths"]
    temperature_error: Float[Array, " N"]
    slowest_relaxation_time: Float[Array, ""]
    start: AbstractInitial
    converged: Bool[Array, ""]
    method: str = eqx.field(static=True)

    @property
    def energy_balance(self) -> Float[Array, ""]:
        """sum_b J_b, zero in a steady state."""
        return self.flux.sum()


class SteadyState(_ExactSteadyState):
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
        position_variance: (N,) <q_n^2>, the potential (configurational) counterpart of ``temperature``
            (see ``QuantumSteadyState``); +inf at sites that a free translation moves. Computed by the
            embedded engine (systems with a ``DrudeBath``); None otherwise.
    """

    temperature: Float[Array, " N"]
    covariance: Float[Array, "2N 2N"] | None = None
    decoupled_frequencies: Float[Array, " K"] | None = None
    position_variance: Float[Array, " N"] | None = None

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


class QuantumSteadyState(_ExactSteadyState):
    """An exact quantum steady state (``negf_steady_state(system, hbar=...)``; CONVENTIONS "Quantum steady
    state", symmetrized correlations).

    Attributes:
        flux, flux_error: (n_baths,) Landauer heat flux J_b from bath b into the system and its rounding
            estimate.
        conductance: (n_baths, n_baths) linear-response conductance dJ_b/dT_c at equilibrium at the mean
            bath temperature (``thermal_conductance``); with two baths K = conductance[0, 0].
        site_temperature: (N,) quantum kinetic temperature m_n <v_n^2>, +inf at the sites in
            ``divergent_sites``; read it through ``temperature`` or ``temperature_at``.
        temperature_error: (N,) rounding estimate (0 at divergent sites).
        divergent_sites: sites held by an Ohmic bath, where <v_n^2> diverges logarithmically (Andreucci
            et al. Eq. 54: white noise excites arbitrarily high frequencies).
        hbar: the Planck constant used. slowest_relaxation_time, start, converged, method: as in
            ``SteadyState``.
        position_variance: (N,) symmetrized <q_n^2> (units length^2), the same residue sum as the
            kinetic temperature with the velocity rows of the covariance replaced by the position rows
            (``jaxlangevin._embedding``; no extra eigen-decomposition). It is finite at every site, Ohmic
            ones included (the integrand decays as w^-4), except +inf at sites a free translation moves.
            For one oscillator (stiffness k = m omega0^2, bare) k <q^2> is Panasyuk et al.'s potential
            temperature T_x (Eq. 63) and m <v^2> their T_p: ``jl.analytic.panasyuk_temperatures``.
            Computed by the embedded engine (systems with a ``DrudeBath``); None otherwise.
    """

    conductance: Float[Array, "n_baths n_baths"]
    site_temperature: Float[Array, " N"]
    hbar: Float[Array, ""]
    divergent_sites: tuple[int, ...] = eqx.field(static=True, default=())
    position_variance: Float[Array, " N"] | None = None

    @property
    def temperature(self) -> Float[Array, " N"]:
        """(N,) quantum kinetic temperatures; raises ValueError if some site's is infinite."""
        if self.divergent_sites:
            raise ValueError(
                f"the quantum kinetic temperature of sites {_short(self.divergent_sites)} diverges "
                "logarithmically: they are held by Ohmic baths, whose white noise excites arbitrarily high "
                "frequencies (Andreucci et al. Eq. 54). Give those baths a high-frequency cutoff "
                "(jl.DrudeBath(sites, gamma, temperature, cutoff)), or read the other sites with "
                "`temperature_at(sites)`."
            )
        return self.site_temperature

    def temperature_at(self, sites) -> Float[Array, " K"]:
        """Quantum kinetic temperatures of ``sites`` (an index array); raises if one of them diverges."""
        idx = np.atleast_1d(np.asarray(sites))
        bad = sorted(set(idx.tolist()) & set(self.divergent_sites))
        if bad:
            raise ValueError(
                f"`sites` includes {_short(bad)}, held by Ohmic baths: their quantum kinetic temperature "
                "diverges (Andreucci et al. Eq. 54); use a jl.DrudeBath (a cutoff) there."
            )
        return self.site_temperature[idx]


def _short(sites) -> str:
    s = list(sites)
    return str(s) if len(s) <= 8 else f"[{s[0]}, {s[1]}, ..., {s[-1]}] ({len(s)} sites)"


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
