"""The coupling interface: a matrix-free force and the dense stiffness it stands for."""

from __future__ import annotations

import abc

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float


class AbstractCoupling(eqx.Module):
    """A linear coupling F(q) = -Phi q between N oscillators (CONVENTIONS: "The system").

    Subclasses implement ``force(q)`` at their natural cost and ``structure(n)`` (the cheapest exact
    form of Phi, see ``jaxlangevin._coupling.structure``); ``to_dense(n)`` and ``energy(q)`` follow.
    Couplings add: ``MeanField(1.0) + Pinning(0.02)`` is a ``CouplingSum``.
    """

    @abc.abstractmethod
    def force(self, q: Float[Array, " N"]) -> Float[Array, " N"]:
        """Force on every site, -Phi q."""

    @abc.abstractmethod
    def structure(self, n: int):
        """Phi for N = n sites as DiagonalPlusRankOne, Tridiagonal or DenseStiffness."""

    def to_dense(self, n: int) -> Float[Array, "N N"]:
        """The N x N stiffness matrix Phi (O(N^2) memory: for solvers and checks)."""
        return self.structure(n).to_dense()

    def energy(self, q: Float[Array, " N"]) -> Float[Array, ""]:
        """Potential energy q^T Phi q / 2 (batched over leading axes); anharmonic terms override it."""
        return -0.5 * jnp.sum(q * self.force(q), axis=-1)

    def validate_size(self, n: int) -> None:
        """Raise ValueError if this coupling cannot act on N = n sites (default: any N works)."""

    @property
    def is_linear(self) -> bool:
        """True if F = -Phi q exactly (the exact engines need it); False for anharmonic terms."""
        return True

    def __add__(self, other):
        if not isinstance(other, AbstractCoupling):
            return NotImplemented
        return CouplingSum(_terms(self) + _terms(other))

    def __radd__(self, other):
        if other == 0:  # allows sum([...])
            return self
        return NotImplemented


def _terms(c) -> tuple:
    return c.terms if isinstance(c, CouplingSum) else (c,)


class CouplingSum(AbstractCoupling):
    """Sum of couplings: forces and stiffness matrices add."""

    terms: tuple

    def force(self, q):
        out = self.terms[0].force(q)
        for t in self.terms[1:]:
            out = out + t.force(q)
        return out

    def structure(self, n: int):
        from .structure import combine

        s = self.terms[0].structure(n)
        for t in self.terms[1:]:
            s = combine(s, t.structure(n))
        return s

    def validate_size(self, n: int) -> None:
        for t in self.terms:
            t.validate_size(n)

    @property
    def is_linear(self) -> bool:
        return all(t.is_linear for t in self.terms)

    def energy(self, q):
        return sum(t.energy(q) for t in self.terms)
