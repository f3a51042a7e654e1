"""Mean-field (all-to-all) coupling with a Kac factor (Defaveri et al. Eq. 5; Andreucci et al. Eq. 2)."""

from __future__ import annotations

from typing import Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, nonnegative
from .base import AbstractCoupling
from .structure import DiagonalPlusRankOne

_KAC = ("N-1", "N", "1")


class MeanField(AbstractCoupling):
    """F_n = (k / Nt) sum_j (q_j - q_n), with Kac factor Nt = N - 1 (default), N or 1.

    Phi = (k N / Nt) I - (k / Nt) 1 1^T: a diagonal plus rank-one matrix, so the force costs O(N)
    (one sum) and the exact solvers work in O(N) per frequency. Andreucci et al. write
    Phi_ij = 2 k_A (delta_ij - 1/N): use ``MeanField.from_andreucci(k_A)`` = ``MeanField(2 k_A, kac="N")``.
    """

    k: Float[Array, ""]
    kac: Literal["N-1", "N", "1"] = eqx.field(static=True)

    def __init__(self, k=1.0, kac: Literal["N-1", "N", "1"] = "N-1"):
        if kac not in _KAC:
            raise ValueError(f"`kac` must be one of {_KAC} (Kac factor Nt = N-1, N or 1), got {kac!r}.")
        self.k = nonnegative("k", as_float_array("k", k, ndim=0))
        self.kac = kac

    @classmethod
    def from_andreucci(cls, k):
        """Andreucci et al. Eq. 2: Phi_ij = 2 k (delta_ij - 1/N), i.e. MeanField(2 k, kac="N")."""
        return cls(2 * jnp.asarray(k), kac="N")

    def kac_factor(self, n: int) -> float:
        """Nt for N = n sites."""
        return {"N-1": n - 1, "N": n, "1": 1}[self.kac]

    def validate_size(self, n: int) -> None:
        if self.kac == "N-1" and n < 2:
            raise ValueError(
                f"MeanField(kac='N-1') needs N >= 2 (Nt = N - 1 = {n - 1}); use kac='N' or '1' for N = 1."
            )

    def force(self, q):
        n = q.shape[-1]
        return (self.k / self.kac_factor(n)) * (jnp.sum(q, axis=-1, keepdims=True) - n * q)

    def structure(self, n: int):
        self.validate_size(n)
        u = self.k / self.kac_factor(n)
        return DiagonalPlusRankOne(jnp.full((n,), n * u), u, True, jnp.asarray(True))
