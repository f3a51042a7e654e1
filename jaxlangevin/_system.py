"""The system: masses, a coupling network and heat baths (CONVENTIONS "The system")."""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._bath.base import AbstractBath
from ._coupling.base import AbstractCoupling
from ._validation import as_float_array, positive


class System(eqx.Module):
    """N oscillators m_n dv_n/dt = -(Phi q)_n - sum_b [gamma_b v_n - eta_n] over the baths holding n.

    Arguments:
        masses: shape (N,), every entry finite and > 0 (see ``jaxlangevin.masses``).
        coupling: an ``AbstractCoupling`` (sums allowed: ``MeanField(1.0) + Pinning(0.02)``).
        baths: a sequence of baths; their order is the order of ``flux`` in every result.

    Built from traced values (inside ``jit``/``grad``/``vmap``) it stays valid: value checks then
    travel with the arrays (``eqx.error_if``). Site indices and shapes are always checked at once.
    """

    masses: Float[Array, " N"]
    coupling: AbstractCoupling
    baths: tuple

    def __init__(self, masses, coupling: AbstractCoupling, baths: Sequence[AbstractBath] | AbstractBath = ()):
        masses = as_float_array("masses", masses)
        if masses.ndim != 1 or masses.shape[0] < 1:
            raise ValueError(f"`masses` must have shape (N,) with N >= 1, got shape {masses.shape}.")
        n = masses.shape[0]
        self.masses = positive("masses", masses)
        if not isinstance(coupling, AbstractCoupling):
            raise ValueError(f"`coupling` must be a coupling such as jl.MeanField(k), got {type(coupling).__name__}.")
        coupling.validate_size(n)
        self.coupling = coupling
        if isinstance(baths, AbstractBath):
            baths = (baths,)
        baths = tuple(baths)
        for i, b in enumerate(baths):
            if not isinstance(b, AbstractBath):
                raise ValueError(f"`baths[{i}]` must be a bath such as jl.OhmicBath, got {type(b).__name__}.")
            if max(b.sites) >= n:
                raise ValueError(
                    f"`baths[{i}].sites` contains site {max(b.sites)}, outside 0..N-1 = 0..{n - 1}."
                )
        self.baths = baths

    @property
    def n_sites(self) -> int:
        """N, the number of oscillators."""
        return self.masses.shape[0]

    def bath_masks(self) -> np.ndarray:
        """Static boolean array (n_baths, N): site n belongs to bath b."""
        m = np.zeros((len(self.baths), self.n_sites), dtype=bool)
        for i, b in enumerate(self.baths):
            m[i, list(b.sites)] = True
        return m

    def site_friction(self) -> Float[Array, " N"]:
        """Total Ohmic friction on each site, sum_b gamma_b [n in S_b]."""
        masks = jnp.asarray(self.bath_masks(), self.masses.dtype)
        if len(self.baths) == 0:
            return jnp.zeros_like(self.masses)
        gam = jnp.stack([b.gamma for b in self.baths]).astype(self.masses.dtype)
        return gam @ masks

    def require_linear(self, what: str) -> None:
        """Raise ValueError if the coupling has anharmonic terms (the exact engines are linear)."""
        if not self.coupling.is_linear:
            raise ValueError(
                f"{what} solves linear systems, but `coupling` contains anharmonic terms (OnSiteQuartic, FPUT); "
                "use jl.simulate for them."
            )

    def require_ohmic_baths(self, what: str) -> None:
        """Raise ValueError unless there is at least one bath and every bath is Ohmic (white noise)."""
        from ._bath.ohmic import OhmicBath

        self.require_bath_types(what, (OhmicBath,))

    def require_bath_types(self, what: str, allowed: tuple) -> None:
        """Raise ValueError unless there is at least one bath and every bath is one of ``allowed``."""
        if len(self.baths) == 0:
            raise ValueError("`system` has no baths: a steady state needs at least one (e.g. jl.intensive(N)).")
        from ._bath.drude import DrudeBath
        from ._bath.quantum_thermal import QuantumThermalBath

        names = " and ".join(t.__name__ for t in allowed)
        for i, b in enumerate(self.baths):
            if not isinstance(b, allowed):
                hint = ""
                if isinstance(b, DrudeBath):
                    hint = " (jl.negf_steady_state handles DrudeBath, classical and quantum)"
                elif isinstance(b, QuantumThermalBath):
                    hint = (" (it is the simulator's model of a quantum bath; the exact engines take its "
                            "`as_drude()` with jl.negf_steady_state(system, hbar=...))")
                raise ValueError(f"`baths[{i}]` is {type(b).__name__}; {what} handles {names} only{hint}.")

    def has_memory_baths(self) -> bool:
        """Whether some bath is not Ohmic (needs the Markovian embedding, ``jaxlangevin._embedding``)."""
        from ._bath.ohmic import OhmicBath

        return any(not isinstance(b, OhmicBath) for b in self.baths)

    def stiffness(self) -> Float[Array, "N N"]:
        """Dense Phi (O(N^2) memory)."""
        return self.coupling.to_dense(self.n_sites)

    def drift_matrix(self) -> Float[Array, "2N 2N"]:
        """A = [[0, I], [-M^-1 Phi, -M^-1 Gamma]] of d(q, v)/dt = A (q, v) + noise (dense, O(N^2) memory)."""
        return drift_matrix(self.stiffness(), self.masses, self.site_friction())

    def force(self, q: Float[Array, "... N"]) -> Float[Array, "... N"]:
        """Conservative force on every site, -Phi q, at the coupling's own cost (batched over leading axes)."""
        return self.coupling.force(q)

    def max_frequency(self) -> float:
        """An upper bound on the largest normal-mode frequency sqrt(lambda_max(M^-1 Phi)) (concrete values).

        Harmonic part only: anharmonic terms (``OnSiteQuartic``, ``FPUT``) stiffen at large amplitude.

        Diagonal plus rank one Phi = D - u 1 1^T with u >= 0: lambda_max <= max_n D_n / m_n (O(N)).
        Otherwise Gershgorin on M^-1/2 Phi M^-1/2 (tridiagonal O(N); dense O(N^2)).
        """
        from ._coupling.structure import DiagonalPlusRankOne, Tridiagonal

        m = np.asarray(self.masses, dtype=float)
        st = self.coupling.structure(self.n_sites)
        if isinstance(st, DiagonalPlusRankOne):
            d, u = np.asarray(st.diag, float), float(st.u)
            bound = np.max(d / m) if u >= 0 else np.max((d + abs(u) * self.n_sites) / m)
        elif isinstance(st, Tridiagonal):
            d, off = np.asarray(st.diag, float), np.abs(np.asarray(st.off, float))
            s = 1.0 / np.sqrt(m)
            row = np.abs(d) * s * s
            row[:-1] += off * s[:-1] * s[1:]
            row[1:] += off * s[:-1] * s[1:]
            bound = np.max(row)
        else:
            s = 1.0 / np.sqrt(m)
            bound = np.max(np.sum(np.abs(np.asarray(st.to_dense(), float)) * s[:, None] * s[None, :], axis=1))
        return float(np.sqrt(max(bound, 0.0)))


def drift_matrix(phi, masses, friction):
    """A = [[0, I], [-M^-1 Phi, -M^-1 Gamma]] for stiffness Phi (N, N), masses and site friction (N,)."""
    n = masses.shape[0]
    minv = 1.0 / masses
    top = jnp.concatenate([jnp.zeros((n, n), phi.dtype), jnp.eye(n, dtype=phi.dtype)], axis=1)
    bottom = jnp.concatenate([-minv[:, None] * phi, -jnp.diag(minv * friction)], axis=1)
    return jnp.concatenate([top, bottom], axis=0)
