"""On-site harmonic pinning and fixed walls."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, nonnegative
from .base import AbstractCoupling
from .structure import DiagonalPlusRankOne


class Pinning(AbstractCoupling):
    """On-site spring on every site: F_n = -k0 q_n, Phi += k0 I (Defaveri et al. Eq. 1). O(N)."""

    k0: Float[Array, ""]

    def __init__(self, k0=0.0):
        self.k0 = nonnegative("k0", as_float_array("k0", k0, ndim=0))

    def force(self, q):
        return -self.k0 * q

    def structure(self, n: int):
        return DiagonalPlusRankOne(jnp.full((n,), 1.0) * self.k0, jnp.zeros(()), False, self.k0 == 0)


class FixedWalls(AbstractCoupling):
    """Sites 0 and N-1 tied to fixed points by springs k: Phi_00 += k, Phi_{N-1,N-1} += k.

    Defaveri et al., final comments (fixed-wall boundary). For N = 1 the one site gets both springs.
    """

    k: Float[Array, ""]

    def __init__(self, k=1.0):
        self.k = nonnegative("k", as_float_array("k", k, ndim=0))

    def _diag(self, n):
        return jnp.zeros((n,)).at[0].add(1.0).at[n - 1].add(1.0) * self.k

    def force(self, q):
        d = self._diag(q.shape[-1])
        return -d.reshape((1,) * (q.ndim - 1) + d.shape) * q

    def structure(self, n: int):
        return DiagonalPlusRankOne(self._diag(n), jnp.zeros(()), False, self.k == 0)
