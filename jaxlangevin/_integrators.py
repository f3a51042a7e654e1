"""Time steppers for the Langevin equations of a ``System`` (CONVENTIONS "Time integration").

State: positions and velocities of a batch of trajectories, shape (n_traj, N). Each step also returns
the heat each bath gave to the system during the step (per trajectory, shape (n_traj, n_baths)): the
kinetic energy change of the bath's sites caused by the bath's own update (friction + noise) and by
nothing else, so that sum_b heat_b is the energy change of the system up to the integrator's
splitting error, and the flux averages obey J_L + J_R = 0 to statistical accuracy in a steady state.

Random numbers are drawn only where there is a bath: ``noise`` has shape (n_traj, n_noise) with
n_noise = sum_b |S_b| (``noise_size``), bath b using the columns ``noise_slices(system)[b]``. With baths
with memory (``DrudeBath``, ``QuantumThermalBath``: one auxiliary force y per bath and site) the O-step of
every bath site is instead the exact joint update of (v_n, y) of ``jaxlangevin._memory`` (BAOAB only),
with its own noise layout.

- ``BAOAB`` (default): B (half kick), A (half drift), O (exact Ornstein-Uhlenbeck update of each bath in
  turn: v <- c v + sqrt((1 - c^2) T_b / m) xi, c = exp(-gamma_b dt / m)), A, B. Second order in dt for
  configurational averages; for a harmonic system stable while omega_max dt < 2. Leimkuhler & Matthews,
  Appl. Math. Res. Express 2013, 34 (2013).
- ``EulerMaruyama``: semi-implicit (symplectic) Euler-Maruyama, v <- v + dt (F - gamma v)/m + sqrt(2 gamma T dt)/m xi,
  then q <- q + dt v. First order; the velocity variance at bath sites is biased by O(gamma T dt / m^2).
  A reference, not a production method. Same stability limit.

Cost per step: one force evaluation (BAOAB reuses the force of the previous step's last half kick) at
the coupling's own cost (mean-field O(N) per trajectory), O(N) elementwise work, O(n_noise) normals.
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._memory import noise_size as memory_noise_size, update as memory_update
from ._system import System


def noise_size(system: System) -> int:
    """Number of normal random numbers per trajectory and step (one per bath site per bath)."""
    if system.has_memory_baths():
        return memory_noise_size(system)
    return sum(len(b.sites) for b in system.baths)


def noise_slices(system: System) -> list[slice]:
    """Columns of the per-step noise used by each (Ohmic) bath."""
    out, start = [], 0
    for b in system.baths:
        out.append(slice(start, start + len(b.sites)))
        start += len(b.sites)
    return out


class AbstractIntegrator(eqx.Module):
    """One step (q, v, f, y) -> (q, v, f, heat, y) for a batch of trajectories; f is the force at q."""

    @abc.abstractmethod
    def step(self, system: System, dt, q, v, f, noise, memory=None):
        """Advance by dt. ``noise``: (n_traj, n_noise) standard normals (the coloured columns of quantum
        thermal baths already filtered). ``memory``: None, or (``MemoryCoefficients``, y) with y the
        (n_traj, k) auxiliary forces of the memory-bath sites. Returns (q, v, f, heat, y or None)."""

    @property
    @abc.abstractmethod
    def order(self) -> int:
        """Weak order of the bias of stationary averages in dt."""


def _bath_update(system: System, v, noise, dt, exact: bool, memory=None):
    """Apply each bath's friction and noise to its sites; return v, the heat per bath and y.

    Disjoint baths (no site in two baths, the usual case) are updated together: one gather of all bath
    columns, one elementwise update, one scatter (1.4-1.6x faster than bath by bath, measured at
    (4096, 32) and (256, 1024)). A site in several baths gets their updates in turn.
    """
    if memory is not None:  # every bath site through the exact joint update of (v, y)
        coef, y = memory
        return memory_update(coef, v, y, noise)
    sites = [np.asarray(b.sites) for b in system.baths]
    if not sites:
        return v, jnp.zeros(v.shape[:-1] + (0,), v.dtype), None
    idx = np.concatenate(sites)
    if len(np.unique(idx)) < len(idx):
        return _bath_update_in_turn(system, v, noise, dt, exact) + (None,)
    gamma = jnp.concatenate([jnp.broadcast_to(b.gamma.astype(v.dtype), (len(b.sites),)) for b in system.baths])
    temp = jnp.concatenate([jnp.broadcast_to(b.temperature.astype(v.dtype), (len(b.sites),)) for b in system.baths])
    vb = v[:, idx]
    new = _ou(vb, noise, system.masses[idx][None, :], gamma[None, :], temp[None, :], dt, exact)
    energy = 0.5 * system.masses[idx][None, :] * (new * new - vb * vb)
    bounds = np.cumsum([0] + [len(x) for x in sites])
    heat = jnp.stack([jnp.sum(energy[:, lo:hi], axis=-1) for lo, hi in zip(bounds[:-1], bounds[1:])], axis=-1)
    return v.at[:, idx].set(new), heat, None


def _ou(vb, xi, mb, gamma, temp, dt, exact: bool):
    """One bath's velocity update: exact Ornstein-Uhlenbeck (BAOAB's O) or Euler-Maruyama."""
    if exact:
        c = jnp.exp(-gamma * dt / mb)
        return c * vb + jnp.sqrt((1 - c * c) * temp / mb) * xi
    return vb - dt * gamma * vb / mb + jnp.sqrt(2 * gamma * temp * dt) / mb * xi


def _bath_update_in_turn(system: System, v, noise, dt, exact: bool):
    m = system.masses
    heats = []
    for b, sl in zip(system.baths, noise_slices(system)):
        idx = np.asarray(b.sites)
        mb = m[idx][None, :]
        vb = v[:, idx]
        new = _ou(vb, noise[:, sl], mb, b.gamma.astype(v.dtype), b.temperature.astype(v.dtype), dt, exact)
        heats.append(jnp.sum(0.5 * mb * (new * new - vb * vb), axis=-1))
        v = v.at[:, idx].set(new)
    return v, jnp.stack(heats, axis=-1)


class BAOAB(AbstractIntegrator):
    """BAOAB splitting with the exact Ornstein-Uhlenbeck step (the default). Second order."""

    def step(self, system, dt, q, v, f, noise, memory=None):
        kick = (0.5 * dt) / system.masses[None, :]  # loop invariant: one multiply per site and kick
        v = v + kick * f
        q = q + (0.5 * dt) * v
        v, heat, y = _bath_update(system, v, noise, dt, exact=True, memory=memory)
        q = q + (0.5 * dt) * v
        f = system.force(q)
        v = v + kick * f
        return q, v, f, heat, y

    @property
    def order(self) -> int:
        return 2


class EulerMaruyama(AbstractIntegrator):
    """Semi-implicit Euler-Maruyama (velocity first, then position with the new velocity). First order."""

    def step(self, system, dt, q, v, f, noise, memory=None):
        if memory is not None:
            raise ValueError("EulerMaruyama() takes Ohmic baths only; baths with memory need jl.BAOAB().")
        v = v + (dt / system.masses[None, :]) * f
        v, heat, _ = _bath_update(system, v, noise, dt, exact=False)
        q = q + dt * v
        f = system.force(q)
        return q, v, f, heat, None

    @property
    def order(self) -> int:
        return 1
