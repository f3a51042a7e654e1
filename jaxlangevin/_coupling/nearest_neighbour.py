"""Nearest-neighbour springs with free ends."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, nonnegative
from .base import AbstractCoupling
from .structure import Tridiagonal


class NearestNeighbour(AbstractCoupling):
    """F_n = g (q_{n+1} - 2 q_n + q_{n-1}), no neighbour beyond sites 0 and N-1 (free ends).

    Phi is tridiagonal with diagonal g (1, 2, ..., 2, 1) and off-diagonal -g; the force costs O(N).
    """

    g: Float[Array, ""]

    def __init__(self, g=1.0):
        self.g = nonnegative("g", as_float_array("g", g, ndim=0))

    def force(self, q):
        dq = jnp.diff(q, axis=-1)  # q_{n+1} - q_n, shape (..., N-1)
        pad = [(0, 0)] * (q.ndim - 1)
        return self.g * (jnp.pad(dq, pad + [(0, 1)]) - jnp.pad(dq, pad + [(1, 0)]))

    def structure(self, n: int):
        deg = jnp.full((n,), 2.0).at[0].add(-1.0).at[-1].add(-1.0) if n > 1 else jnp.zeros((1,))
        return Tridiagonal(self.g * deg, jnp.full((n - 1,), -1.0) * self.g, jnp.asarray(True))
