"""Quantum thermal bath: Drude friction with Gaussian noise of the symmetrized quantum spectrum."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, positive, sites_tuple
from .base import AbstractBath
from .drude import DrudeBath


class QuantumThermalBath(AbstractBath):
    """A classical Langevin bath whose noise has the symmetrized quantum spectrum (Panasyuk et al. Sec. V,
    Eq. 53-62; Dammak et al., Phys. Rev. Lett. 103, 190601 (2009)), for ``jl.simulate``.

    Friction: the Drude kernel gamma D exp(-D |t|), gammaTilde(w) = gamma D / (D - i w), as ``DrudeBath``.
    Noise spectrum per site (CONVENTIONS "Quantum steady state": the classical one with T -> Theta):

        S_eta(w) = 2 gamma D^2 / (D^2 + w^2) * Theta(w, T),   Theta(w, T) = (hbar w / 2) coth(hbar w / (2 T)).

    For a harmonic system the second moments of this stochastic dynamics are exactly those of the
    quantum steady state with ``DrudeBath``es of the same gamma, T and cutoff (``as_drude()``), the
    symmetrized correlations of ``jl.negf_steady_state(system, hbar=hbar)``. With anharmonic forces it
    is the quantum-thermal-bath approximation (zero-point energy can leak between modes).

    The simulator generates the noise by filtering white noise (``jaxlangevin._memory``): seamless across
    chunks, reproducible from the key. Its correlation decays over hbar / (2 pi T), so T must be > 0
    (T -> 0 needs ever longer filters; the simulator says how long). ``gamma`` > 0, ``temperature`` > 0,
    ``hbar`` > 0 and ``cutoff`` D > 0 (frequency units).

    Time step: the zero-point motion of a bath site has a high-frequency tail, m <v^2>(w > w_c) ~
    gamma hbar D^2 / (2 pi m w_c^2), which a step dt resolves only up to w_c ~ 1 / dt: the kinetic
    temperature of the bath's own sites comes out low by about 0.6 gamma hbar D^2 dt^2 / (2 pi m)
    (measured, tests/test_memory_baths.py). Choose dt << sqrt(m / (gamma hbar)) / D when those sites
    matter. The flux has no such tail: it depends on Theta_1 - Theta_2, which falls off exponentially
    above T / hbar.
    """

    hbar: Float[Array, ""]
    cutoff: Float[Array, ""]

    def __init__(self, sites, gamma=1.0, temperature=1.0, hbar=1.0, cutoff=10.0):
        self.sites = sites_tuple("sites", sites)
        self.gamma = positive("gamma", as_float_array("gamma", gamma, ndim=0))
        self.temperature = positive("temperature", as_float_array("temperature", temperature, ndim=0))
        self.hbar = positive("hbar", as_float_array("hbar", hbar, ndim=0))
        self.cutoff = positive("cutoff", as_float_array("cutoff", cutoff, ndim=0))

    friction_kernel = DrudeBath.friction_kernel  # the same Drude kernel gamma D / (D - i w)

    def mean_energy(self, omega) -> Float[Array, "..."]:
        """Theta(w, T) = (hbar w / 2) coth(hbar w / (2 T)): the symmetrized energy of a bath mode (-> T at w = 0)."""
        w = jnp.abs(jnp.asarray(omega, dtype=self.gamma.dtype))
        x = self.hbar * w / (2 * self.temperature)
        return jnp.where(x > 1e-8, self.temperature * x / jnp.tanh(jnp.where(x > 1e-8, x, 1.0)), self.temperature)

    def noise_spectrum(self, omega) -> Float[Array, "..."]:
        """S_eta(w) above: the symmetrized spectrum of the noise force on one site (units gamma x energy)."""
        w = jnp.asarray(omega, dtype=self.gamma.dtype)
        d2 = self.cutoff**2
        return 2 * self.gamma * d2 / (d2 + w * w) * self.mean_energy(w)

    def as_drude(self) -> DrudeBath:
        """The ``DrudeBath`` with the same sites, gamma, temperature and cutoff: the exact engines' model of
        this bath (``jl.negf_steady_state(system, hbar=bath.hbar)``)."""
        return DrudeBath(self.sites, self.gamma, self.temperature, self.cutoff)
