"""Anharmonic terms for the simulator: on-site quartic pinning and Fermi-Pasta-Ulam-Tsingou bonds.

They add to linear couplings with ``+`` (``NearestNeighbour(1.0) + FPUT(beta=1.0)`` is the FPUT-beta
chain). Their stiffness ``structure`` is zero (no harmonic part), and ``is_linear`` is False, so the
exact linear-response engines (``negf_steady_state``, ``transmission``, ``green``) refuse systems that
contain them; ``simulate`` integrates them. Forces cost O(N) per trajectory.
"""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, finite, nonnegative
from .base import AbstractCoupling
from .structure import DiagonalPlusRankOne


class _Anharmonic(AbstractCoupling):
    @property
    def is_linear(self) -> bool:
        return False

    def structure(self, n: int):
        return DiagonalPlusRankOne(jnp.zeros((n,)), jnp.zeros(()), False, jnp.asarray(True))


class OnSiteQuartic(_Anharmonic):
    """On-site quartic potential V = lam sum_n q_n^4 / 4, force -lam q_n^3. ``lam`` >= 0."""

    lam: Float[Array, ""]

    def __init__(self, lam=1.0):
        self.lam = nonnegative("lam", as_float_array("lam", lam, ndim=0))

    def force(self, q):
        return -self.lam * q * q * q

    def energy(self, q):
        return self.lam * jnp.sum(q**4, axis=-1) / 4


class FPUT(_Anharmonic):
    """Anharmonic bonds between neighbours n, n+1 (free ends), with d_n = q_{n+1} - q_n.

        V = sum_n [alpha d_n^3 / 3 + beta d_n^4 / 4],   F_n = V'(d_n) - V'(d_{n-1}),  V'(d) = alpha d^2 + beta d^3.

    The harmonic part is ``NearestNeighbour(g)``; add it: ``NearestNeighbour(1.0) + FPUT(alpha, beta)``.
    ``beta`` >= 0 keeps the potential bounded below for alpha = 0; alpha any finite number.
    """

    alpha: Float[Array, ""]
    beta: Float[Array, ""]

    def __init__(self, alpha=0.0, beta=1.0):
        self.alpha = finite("alpha", as_float_array("alpha", alpha, ndim=0))
        self.beta = nonnegative("beta", as_float_array("beta", beta, ndim=0))

    def _dv(self, d):
        return d * d * (self.alpha + self.beta * d)

    def force(self, q):
        dv = self._dv(jnp.diff(q, axis=-1))  # (..., N-1)
        pad = [(0, 0)] * (q.ndim - 1)
        return jnp.pad(dv, pad + [(0, 1)]) - jnp.pad(dv, pad + [(1, 0)])

    def energy(self, q):
        d = jnp.diff(q, axis=-1)
        return jnp.sum(self.alpha * d**3 / 3 + self.beta * d**4 / 4, axis=-1)
