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
        method: how it was computed ("secular-residues" or "modal-residues").
        converged: whether the pole search met its tolerance.
    """

    flux: Float[Array, " n_baths"]
    temperature: Float[Array, " N"]
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
