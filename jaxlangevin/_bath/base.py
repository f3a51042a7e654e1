"""The bath interface."""

from __future__ import annotations

import abc

import equinox as eqx
from jaxtyping import Array, Complex, Float


class AbstractBath(eqx.Module):
    """A heat bath at temperature T with friction gamma acting on a set of sites (CONVENTIONS "Baths").

    ``sites`` is a static tuple of distinct site indices. A site may belong to several baths: their
    frictions and noises add. Subclasses give the retarded friction kernel in frequency space.
    """

    sites: tuple[int, ...] = eqx.field(static=True)
    gamma: Float[Array, ""]
    temperature: Float[Array, ""]

    @abc.abstractmethod
    def friction_kernel(self, omega) -> Complex[Array, "..."]:
        """gammaTilde(omega): the self-energy of a bath site is -i omega gammaTilde(omega)."""

    def spectral_width(self, omega):
        """omega Re gammaTilde(omega) (per bath site; CONVENTIONS Gamma_b)."""
        return omega * self.friction_kernel(omega).real
