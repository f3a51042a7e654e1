"""Drude-Ullersma bath: Ohmic friction with an exponential memory (a high-frequency cutoff)."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, nonnegative, positive, sites_tuple
from .base import AbstractBath


class DrudeBath(AbstractBath):
    """Friction -int_0^t gamma D exp(-D (t - s)) v_n(s) ds and noise <eta(t) eta(t')> = T gamma D exp(-D |t - t'|)
    on each site (CONVENTIONS "Baths"; Panasyuk et al. Eq. 14-21, the Drude-Ullersma model).

    gammaTilde(w) = gamma D / (D - i w): Ohmic (gamma) for w << D, cut off above D; ``cutoff`` -> infinity is
    ``OhmicBath``. With a cutoff the quantum kinetic temperature of a bath site is finite (it diverges
    for an Ohmic bath, Andreucci et al. Eq. 54). Exact engines embed it with one auxiliary
    Ornstein-Uhlenbeck force per site, dy = -D y dt - gamma D v dt + D sqrt(2 gamma T) dW, whose sum with
    the coupling is Markovian (``jaxlangevin._embedding``).

    ``gamma`` > 0, ``temperature`` >= 0, ``cutoff`` D > 0 (units of frequency).
    """

    cutoff: Float[Array, ""]

    def __init__(self, sites, gamma=1.0, temperature=1.0, cutoff=10.0):
        self.sites = sites_tuple("sites", sites)
        self.gamma = positive("gamma", as_float_array("gamma", gamma, ndim=0))
        self.temperature = nonnegative("temperature", as_float_array("temperature", temperature, ndim=0))
        self.cutoff = positive("cutoff", as_float_array("cutoff", cutoff, ndim=0))

    def friction_kernel(self, omega):
        return self.gamma * self.cutoff / (self.cutoff - 1j * jnp.asarray(omega, dtype=complex))
