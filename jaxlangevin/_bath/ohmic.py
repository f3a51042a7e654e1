"""Ohmic (Markovian) Langevin bath."""

from __future__ import annotations

import jax.numpy as jnp

from .._validation import as_float_array, nonnegative, positive, sites_tuple
from .base import AbstractBath


class OhmicBath(AbstractBath):
    """Friction -gamma v_n and white noise <eta_n(t) eta_n(t')> = 2 gamma T delta(t - t') on each site.

    gammaTilde(omega) = gamma (CONVENTIONS "Baths"). ``gamma`` must be > 0, ``temperature`` >= 0.
    """

    def __init__(self, sites, gamma=1.0, temperature=1.0):
        self.sites = sites_tuple("sites", sites)
        self.gamma = positive("gamma", as_float_array("gamma", gamma, ndim=0))
        self.temperature = nonnegative("temperature", as_float_array("temperature", temperature, ndim=0))

    def friction_kernel(self, omega):
        return jnp.zeros_like(jnp.asarray(omega, dtype=complex)) + self.gamma
