"""An arbitrary symmetric stiffness matrix."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._validation import as_float_array, check_values, is_concrete
from .base import AbstractCoupling
from .structure import DenseStiffness


class Dense(AbstractCoupling):
    """F = -Phi q for a given symmetric positive semi-definite N x N matrix Phi. Force: O(N^2).

    Symmetry is checked to 1e-12 relative; positive semi-definiteness (smallest eigenvalue above
    -1e-10 max|Phi|) is checked when the matrix is concrete.
    """

    phi: Float[Array, "N N"]

    def __init__(self, phi):
        phi = as_float_array("phi", phi, ndim=2)
        if phi.shape[0] != phi.shape[1] or phi.shape[0] < 1:
            raise ValueError(f"`phi` must be a square N x N matrix with N >= 1, got shape {phi.shape}.")
        phi = check_values("phi", phi, lambda a: _finite(a), "finite")
        asym = lambda a: _absmax(a - a.T) <= 1e-12 * _absmax(a) + 0.0  # noqa: E731
        phi = check_values("phi", phi, asym, "symmetric (|phi - phi^T| <= 1e-12 max|phi|)")
        if is_concrete(phi):
            a = np.asarray(phi, dtype=float)
            lo = float(np.linalg.eigvalsh(0.5 * (a + a.T))[0])
            if lo < -1e-10 * max(np.abs(a).max(), 1e-300):
                raise ValueError(
                    f"`phi` must be positive semi-definite (a stable potential); its smallest eigenvalue is {lo:.3e}."
                )
        self.phi = phi

    def validate_size(self, n: int) -> None:
        if self.phi.shape[0] != n:
            raise ValueError(f"Dense `phi` has shape {self.phi.shape}, but the system has N = {n} sites.")

    def force(self, q):
        return -(q @ self.phi.T)

    def structure(self, n: int):
        self.validate_size(n)
        return DenseStiffness(self.phi, jnp.asarray(False))


def _finite(a):
    return np.isfinite(a) if isinstance(a, np.ndarray) else jnp.isfinite(a)


def _absmax(a):
    return np.abs(a).max() if isinstance(a, np.ndarray) else jnp.max(jnp.abs(a))
