"""Steady state of the spin-chain master equation: the trace-one null vector of L (Ishida-Sugita Eq. 20)."""

from __future__ import annotations

import warnings

import equinox as eqx
import jax.numpy as jnp

from .._validation import is_concrete
from ._chain import SpinChain, require_float64
from ._flips import FlipLiouvillian
from ._liouvillian import liouvillian
from ._models import AbstractSpinModel
from ._result import SpinSteadyState

_RESIDUAL_WARN = 1e-6


class AbstractSteadyStateSolver(eqx.Module):
    """How to find rho with L rho = 0, Tr rho = 1."""

    def solve(self, chain: SpinChain):
        raise NotImplementedError


class Dense(AbstractSteadyStateSolver):
    """LU of the bordered dense Liouvillian, (L + u t^T) vec(rho) = u with t = vec(1), u = t / 2^N.

    L's left null vector is t (trace preservation), so u is outside L's range and the bordered matrix is
    invertible exactly when the steady state is unique; its solution has t^T vec(rho) = Tr rho = 1.
    Cost O(64^N) time, O(16^N) memory: ~5 s and 0.3 GB at N = 6 on two CPU cores; refused above N = 7.
    The reference solver (no iteration, no preconditioner); ``GMRES`` is faster from N = 4 on.
    """

    max_spins: int = eqx.field(static=True, default=7)

    def solve(self, chain: SpinChain):
        if chain.n > self.max_spins:
            raise ValueError(
                f"Dense() builds a (4^N, 4^N) = ({4**chain.n}, {4**chain.n}) matrix; N = {chain.n} is above "
                f"max_spins = {self.max_spins}. Use GMRES() (matrix-free) instead."
            )
        d = 2**chain.n
        trace_row = jnp.eye(d, dtype=complex).reshape(-1)
        bordered = liouvillian(chain) + jnp.outer(trace_row / d, trace_row)
        vec = jnp.linalg.solve(bordered, trace_row / d)
        return vec.reshape(d, d), {}


@eqx.filter_jit
def _solve(solver, chain):
    rho, stats = solver.solve(chain)
    rho = 0.5 * (rho + rho.conj().T)
    rho = rho / jnp.trace(rho).real
    residual = jnp.linalg.norm(FlipLiouvillian(chain).apply(rho)) / (chain.coupling**2 * jnp.linalg.norm(rho))
    return rho, residual, stats


def steady_state(chain, baths=None, *, solver: AbstractSteadyStateSolver | None = None) -> SpinSteadyState:
    """The nonequilibrium steady state of a spin chain (float64 required; hbar = k_B = 1).

    ``steady_state(model, baths)``: a model (``TiltedIsing``, ``XXZ``, ``XY``, ``SpinModel``) and its baths
    (``EdgeBaths(temperatures, c, d)`` or a sequence of ``SpinBath``); ``steady_state(chain)``: a
    ``SpinChain`` that already holds its baths.

    ``solver``: ``Dense()`` (default for N <= 4) or ``GMRES()`` (matrix-free, default above; ~0.02 s at
    N = 6, ~0.3 s at N = 8, 4-11 s at N = 10 on two CPU cores). Returns a ``SpinSteadyState`` holding rho
    (Hermitian, trace 1), the residual ||L rho||_F / (lambda^2 ||rho||_F) and the
    observables: ``polarization`` t_l = -<sigma^z_l> = tanh(beta_l h), ``local_temperature``,
    ``energy_current``, ``bond_current``, ``eq150``.
    """
    require_float64()
    if isinstance(baths, AbstractSteadyStateSolver):
        raise ValueError(f"pass the solver by keyword: steady_state(chain, solver={type(baths).__name__}(...)).")
    if isinstance(chain, AbstractSpinModel):
        if baths is None:
            raise ValueError(f"`baths` is missing: steady_state({type(chain).__name__}(...), EdgeBaths(...)).")
        chain = chain.with_baths(baths)
    elif not isinstance(chain, SpinChain):
        raise ValueError(f"`chain` must be a spin model (TiltedIsing, XXZ, XY, SpinModel) or a SpinChain, "
                         f"got {type(chain).__name__}.")
    elif baths is not None:
        raise ValueError("this SpinChain already holds its baths; call steady_state(chain) without `baths`.")
    if solver is None:
        from ._iterative import GMRES

        solver = Dense() if chain.n <= 4 else GMRES()
    rho, residual, stats = _solve(solver, chain)
    if is_concrete(residual) and not float(residual) < _RESIDUAL_WARN:
        warnings.warn(
            f"spins.steady_state: ||L rho|| / (lambda^2 ||rho||) = {float(residual):.1e} (> {_RESIDUAL_WARN:g}); "
            "the steady state may not be unique (do the baths break every conservation law of H_S?) or "
            f"{type(solver).__name__} did not converge.",
            RuntimeWarning,
            stacklevel=2,
        )
    return SpinSteadyState(rho=rho, chain=chain, residual=residual, solver=type(solver).__name__, stats=stats)
