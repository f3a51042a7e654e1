"""Initial conditions. The exact engines describe the state reached from a start; see CONVENTIONS."""

from __future__ import annotations

import equinox as eqx
from jaxtyping import Array, Float

from ._validation import as_float_array, nonnegative


class AbstractInitial(eqx.Module):
    """Where trajectories (or the long-time limit of an exact engine) start."""


class AtRest(AbstractInitial):
    """q = v = 0 on every site."""


class Thermal(AbstractInitial):
    """Equilibrium at temperature T of the isolated system."""

    temperature: Float[Array, ""]

    def __init__(self, temperature=1.0):
        self.temperature = nonnegative("temperature", as_float_array("temperature", temperature, ndim=0))


class Given(AbstractInitial):
    """Given positions and velocities, shape (N,) each (or (n_traj, N))."""

    q: Float[Array, "..."]
    v: Float[Array, "..."]

    def __init__(self, q, v):
        q, v = as_float_array("q", q), as_float_array("v", v)
        if q.shape != v.shape:
            raise ValueError(f"`q` and `v` must have the same shape, got {q.shape} and {v.shape}.")
        self.q, self.v = q, v


class GivenCovariance(AbstractInitial):
    """A given (2N, 2N) covariance (second moments) of (q, v) at t = 0: for the exact engines."""

    covariance: Float[Array, "2N 2N"]

    def __init__(self, covariance):
        c = as_float_array("covariance", covariance, ndim=2)
        if c.shape[0] != c.shape[1] or c.shape[0] % 2:
            raise ValueError(f"`covariance` must have shape (2N, 2N), got {c.shape}.")
        self.covariance = c
