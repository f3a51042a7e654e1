"""Stiffness structures that the exact solvers exploit.

A coupling reports its stiffness matrix Phi in the cheapest exact form:

- ``DiagonalPlusRankOne``: Phi = diag(d) - u 1 1^T (mean-field, pinning, fixed walls). O(N) storage.
- ``Tridiagonal``: Phi with a diagonal and a constant-free off-diagonal (nearest neighbour + diagonal).
- ``DenseStiffness``: anything else, an N x N matrix.

Sums of structures stay in the cheapest form that holds both (``combine``). Which form applies is a
static property of the coupling *types*, never of their (possibly traced) values. Whether Phi 1 = 0
(``translation_invariant``: a free centre of mass, an exact zero mode) is a scalar bool array known
exactly by construction (mean-field and nearest neighbour: always; pinning and walls: when their
spring is exactly 0), so ``MeanField(k) + Pinning(0.0)`` is recognised like ``MeanField(k)``.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float


class DiagonalPlusRankOne(eqx.Module):
    """Phi = diag(diag) - u 1 1^T.

    ``has_rank_one`` is False for purely diagonal pieces (pinning, walls) and ``translation_invariant``
    is True when Phi 1 = 0 holds by construction, which fixes an exact zero mode.
    """

    diag: Float[Array, " N"]
    u: Float[Array, ""]
    has_rank_one: bool = eqx.field(static=True)
    translation_invariant: Bool[Array, ""]

    def to_dense(self) -> Float[Array, "N N"]:
        n = self.diag.shape[0]
        return jnp.diag(self.diag) - self.u * jnp.ones((n, n), self.diag.dtype)


class Tridiagonal(eqx.Module):
    """Symmetric tridiagonal Phi: ``diag`` (N,), ``off`` (N-1,) on both off-diagonals."""

    diag: Float[Array, " N"]
    off: Float[Array, " N-1"]
    translation_invariant: Bool[Array, ""]

    def to_dense(self) -> Float[Array, "N N"]:
        return jnp.diag(self.diag) + jnp.diag(self.off, 1) + jnp.diag(self.off, -1)


class DenseStiffness(eqx.Module):
    """A general symmetric Phi."""

    matrix: Float[Array, "N N"]
    translation_invariant: Bool[Array, ""]

    def to_dense(self) -> Float[Array, "N N"]:
        return self.matrix


def combine(a, b):
    """The cheapest exact structure of Phi_a + Phi_b."""
    ti = jnp.logical_and(a.translation_invariant, b.translation_invariant)
    if isinstance(a, DiagonalPlusRankOne) and isinstance(b, DiagonalPlusRankOne):
        return DiagonalPlusRankOne(a.diag + b.diag, a.u + b.u, a.has_rank_one or b.has_rank_one, ti)
    for x, y in ((a, b), (b, a)):
        if isinstance(x, Tridiagonal) and isinstance(y, DiagonalPlusRankOne) and not y.has_rank_one:
            return Tridiagonal(x.diag + y.diag, x.off, ti)
    if isinstance(a, Tridiagonal) and isinstance(b, Tridiagonal):
        return Tridiagonal(a.diag + b.diag, a.off + b.off, ti)
    return DenseStiffness(a.to_dense() + b.to_dense(), ti)
