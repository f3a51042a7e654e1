"""The Lyapunov engine: the exact steady-state covariance of (q, v), flux and temperatures, any coupling.

For d(q, v) = A (q, v) dt + noise with A = [[0, I], [-M^-1 Phi, -M^-1 Gamma]] (``System.drift_matrix``)
and white noise of covariance B dt, B = diag(0, sum_b 2 gamma_b T_b [n in S_b] / m_n^2), the covariance
obeys dC/dt = A C + C A^T + B; its steady state solves the Lyapunov equation

    A C + C A^T + B = 0.

Solved through the eigen-decomposition A = V diag(lambda) V^-1 (complex): C = V X V^H with
X_ij = -(V^-1 B V^-H)_ij / (lambda_i + conj(lambda_j)), then one step of iterative refinement on the
residual (whose size is also the error estimate). Cost O((2N)^3) time, O((2N)^2) memory: N up to a few
thousand on a CPU. Pairs of undamped modes (lambda_i + conj(lambda_j) = 0: modes the baths never reach,
e.g. the equal-mass mean-field bulk, Andreucci Sec. 3.3) carry no energy: the long-time limit from rest.
A free centre of mass (Phi 1 = 0, no pinning) has lambda = 0: the baths' noise makes its position
diffuse without bound, so C_qq along (1, ..., 1) has no steady value and is returned at its start value
(0 from rest); velocities, forces, temperatures and fluxes do not depend on it.

Differentiable: a ``custom_vjp`` implicit derivative. For a cotangent Cbar, W solves the adjoint equation
A^T W + W A + Cbar = 0 (same eigenvectors), and Abar = W C^T + W^T C, Bbar = W; no unrolled iteration.
"""

from __future__ import annotations

import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._initial import AbstractInitial, AtRest, GivenCovariance, Thermal
from ._negf import TEMPERATURE_RTOL
from ._residues import rate_floor as _undamped  # rates below are rounding: modes treated as bath-decoupled
from ._solution import SteadyState
from ._system import System
from ._validation import is_concrete


def lyapunov_steady_state(system: System, init: AbstractInitial | None = None) -> SteadyState:
    """Exact classical steady state from the Lyapunov equation A C + C A^T + B = 0 (module docstring).

    Any coupling (dense, nearest-neighbour, power-law, mean-field and sums) with Ohmic baths, float64.
    Returns a ``SteadyState`` with ``covariance`` (2N, 2N) of (q, v), the flux of every bath
    J_b = sum_{n in S_b} gamma_b (T_b / m_n - <v_n^2>) (CONVENTIONS "Observables") and the kinetic
    temperatures T_n = m_n <v_n^2>. Agrees with ``negf_steady_state`` (tests). Differentiable in every
    parameter.

    Modes the baths never reach (undamped eigenvalues of A: the N - 3 relative bulk modes of the
    equal-mass mean-field model, Andreucci Sec. 3.3, Defaveri Sec. III) make the long-time limit
    depend on the start; ``decoupled_frequencies`` lists them (one frequency per mode). Then ``init``
    is required: ``AtRest()`` (they keep no energy, as in ``negf_steady_state``), ``Thermal(T)``
    (equilibrium of the isolated system at T: C_qq = T Phi^+, C_vv = T M^-1) or
    ``GivenCovariance(C0)``. The result is the long-time (time-averaged) limit from that start: the
    damped part at its steady value, each decoupled mode keeping its initial energy (in modal
    coordinates X = V^-1 C V^-H, the pairs with lambda_i + conj(lambda_j) = 0 keep X_ij(0)). Without
    decoupled modes ``init`` changes nothing. Under ``jit``/``grad`` (values unknown) ``init=None`` means
    ``AtRest()``.

    Cost: O((2N)^3) (one complex eigen-decomposition and a few matrix products), memory O((2N)^2).

    Example:
        >>> ly = jl.lyapunov_steady_state(system)
        >>> ly.flux, ly.temperature, ly.covariance
    """
    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System, got {type(system).__name__}.")
    system.require_ohmic_baths("the Lyapunov engine (white noise)")
    system.require_linear("lyapunov_steady_state")
    n, m = system.n_sites, system.masses
    masks, gam_b, temp_b, b_diag = _noise(system)
    a = system.drift_matrix()
    c0 = None if init is None or isinstance(init, AtRest) else _initial_covariance(system, init)
    cov, cov_err, lam = solve_lyapunov(a, b_diag, c0)
    decoupled = _decoupled_frequencies(lam)
    if init is None and decoupled is not None and len(decoupled):
        raise ValueError(
            f"lyapunov_steady_state: {len(decoupled)} modes never reach a bath (frequencies "
            f"{np.array2string(decoupled[:4], precision=4)}{'...' if len(decoupled) > 4 else ''}), so the "
            "long-time state depends on the start: pass init=jl.AtRest(), jl.Thermal(T) or "
            "jl.GivenCovariance(C0)."
        )
    v2, v2_err = jnp.diagonal(cov)[n:], jnp.diagonal(cov_err)[n:]
    flux = _ohmic_flux(masks, gam_b, temp_b, m, v2)
    flux_err = gam_b * (masks @ v2_err)
    rates = -lam.real
    tiny = _undamped(lam)
    result = SteadyState(
        flux=flux,
        temperature=m * v2,
        flux_error=flux_err,
        temperature_error=m * v2_err,
        slowest_relaxation_time=1.0 / jnp.min(jnp.where(rates > tiny, rates, jnp.inf)),
        start=AtRest() if init is None else init,
        converged=jnp.asarray(True),
        method="lyapunov",
        covariance=cov,
        decoupled_frequencies=None if decoupled is None else jnp.asarray(decoupled),
    )
    _warn(result)
    return result


def _spectral_solve(lam, v, vinv, rhs, c0=None):
    """X with A X + X A^T + rhs = 0 for A = V diag(lam) V^-1, real part. Undamped pairs
    (lambda_i + conj(lambda_j) = 0) take their value in ``c0`` (the start), or 0."""
    bt = vinv @ rhs @ vinv.conj().T
    den = lam[:, None] + lam.conj()[None, :]
    keep = jnp.abs(den) > _undamped(lam)
    kept = 0.0 if c0 is None else vinv @ c0 @ vinv.conj().T
    x = jnp.where(keep, -bt / jnp.where(keep, den, 1.0), kept)
    return (v @ x @ v.conj().T).real


def _solve(a, b, c0):
    lam, v = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=True)
    vinv = jnp.linalg.inv(v)
    c = _spectral_solve(lam, v, vinv, b, c0)
    # one step of iterative refinement; the second correction's size estimates the remaining error
    c = c + _spectral_solve(lam, v, vinv, a @ c + c @ a.T + b)
    c = 0.5 * (c + c.T)
    err = jnp.abs(_spectral_solve(lam, v, vinv, a @ c + c @ a.T + b))
    return c, err, lam, v, vinv


@jax.custom_vjp
def _lyapunov(a, b):
    c, err, lam, _, _ = _solve(a, b, None)
    return c, err, lam


def _lyapunov_fwd(a, b):
    c, err, lam, v, vinv = _solve(a, b, None)
    return (c, err, lam), (c, lam, v, vinv)


def _lyapunov_bwd(res, cotangents):
    c, lam, v, vinv = res
    c_bar = cotangents[0]  # the error estimate and the eigenvalues are treated as constants
    # A^T = V^-T diag(lam) V^T: the adjoint equation A^T W + W A + Cbar = 0 reuses the eigenvectors
    w = _spectral_solve(lam, vinv.T, v.T, c_bar)
    return w @ c.T + w.T @ c, w


_lyapunov.defvjp(_lyapunov_fwd, _lyapunov_bwd)


def solve_lyapunov(a, b_diag, c0=None):
    """C with A C + C A^T + diag(b) = 0, its error estimate and the eigenvalues of A (module docstring).

    With ``c0`` (a start), undamped mode pairs keep their initial values: the long-time limit from c0.
    Differentiable (implicit adjoint) without ``c0``; with it, by differentiating through the
    eigen-decomposition.
    """
    if c0 is None:
        return _lyapunov(a, jnp.diag(b_diag))
    c, err, lam, _, _ = _solve(a, jnp.diag(b_diag), c0)
    return c, err, lam


def _initial_covariance(system: System, init):
    """Second moments of (q, v) at t = 0 for ``Thermal(T)`` (isolated-system equilibrium) or ``GivenCovariance``."""
    n = system.n_sites
    if isinstance(init, GivenCovariance):
        if init.covariance.shape != (2 * n, 2 * n):
            raise ValueError(f"`init` GivenCovariance must have shape ({2 * n}, {2 * n}), got {init.covariance.shape}.")
        return init.covariance.astype(system.masses.dtype)
    if isinstance(init, Thermal):
        temp = jnp.asarray(init.temperature, system.masses.dtype)
        cqq = temp * jnp.linalg.pinv(system.stiffness(), hermitian=True)  # free zero modes at q = 0
        z = jnp.zeros((n, n), system.masses.dtype)
        return jnp.block([[cqq, z], [z, jnp.diag(temp / system.masses)]])
    raise ValueError(f"`init` must be jl.AtRest(), jl.Thermal(T) or jl.GivenCovariance(C0), got {init!r}.")


def _decoupled_frequencies(lam):
    """Frequencies (> 0, one per mode) of the undamped eigenvalues of A; None under tracing."""
    if not is_concrete(lam):
        return None
    lam = np.asarray(lam)
    tiny = float(_undamped(jnp.asarray(lam)))
    # lambda = 0 is the free centre of mass (Phi 1 = 0), not a mode the baths miss: see module docstring
    w = np.abs(lam.imag[(np.abs(lam.real) <= tiny) & (np.abs(lam) > tiny)])
    return np.sort(w)[::2] if len(w) % 2 == 0 else np.sort(w)  # +-i omega pairs -> one per mode


def _warn(r: SteadyState):
    if not all(is_concrete(x) for x in (r.temperature, r.temperature_error)):
        return
    rel = np.asarray(r.temperature_error) / np.maximum(np.abs(np.asarray(r.temperature)), 1e-300)
    if np.max(rel) > TEMPERATURE_RTOL:
        worst = int(np.argmax(rel))
        warnings.warn(
            f"lyapunov_steady_state: double precision cannot resolve the temperature profile to "
            f"{TEMPERATURE_RTOL:.0e} (site {worst}: estimated relative error {rel[worst]:.1e}); the slowest "
            f"bath-coupled mode relaxes over {float(r.slowest_relaxation_time):.2e} time units.",
            RuntimeWarning,
            stacklevel=3,
        )


class CovarianceEvolution(eqx.Module):
    """Exact second moments of (q, v) at given times from a start (``covariance_evolution``).

    Attributes:
        times: (T,) the times asked for.
        temperature: (T, N) kinetic temperatures m_n <v_n^2>(t).
        flux: (T, n_baths) J_b(t) = sum_{n in S_b} gamma_b (T_b / m_n - <v_n^2>(t)), heat per unit time
            from bath b into the system at time t.
        relaxation_times: (K,) 1 / (-Re lambda_k) of the damped eigenvalues of A, slowest first (each
            oscillatory mode appears twice, as lambda and its conjugate).
        covariance: (T, 2N, 2N) if asked for (``return_covariance=True``), else None.
    """

    times: Float[Array, " T"]
    temperature: Float[Array, "T N"]
    flux: Float[Array, "T n_baths"]
    relaxation_times: Float[Array, " K"]
    covariance: Float[Array, "T 2N 2N"] | None = None


def covariance_evolution(system: System, init: AbstractInitial, times, return_covariance: bool = False):
    """Exact second moments at ``times`` from ``init``: dC/dt = A C + C A^T + B, C(0) from the start.

    In the eigenbasis of A (X = V^-1 C V^-H, Btilde = V^-1 B V^-H, d_ij = lambda_i + conj(lambda_j)):
    X_ij(t) = X_ij(0) e^{d_ij t} + Btilde_ij t phi(d_ij t), phi(z) = (e^z - 1)/z, which is exact for every
    pair, undamped ones included (X_ij(0) + Btilde_ij t: a freely diffusing centre of mass).
    Starts: ``AtRest()``, ``Thermal(T)``, ``GivenCovariance(C0)`` (second moments, so a deterministic
    start (q0, v0) is ``GivenCovariance(outer(x0, x0))``).

    Cost: one eigen-decomposition O((2N)^3), then O((2N)^3) per time (two matrix products), memory
    O((2N)^2) (times O(T) with ``return_covariance``). Differentiable through the eigen-decomposition
    (no implicit rule here). Same checks as ``lyapunov_steady_state``.
    """
    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System, got {type(system).__name__}.")
    system.require_ohmic_baths("the Lyapunov engine (white noise)")
    system.require_linear("covariance_evolution")
    if not isinstance(init, AbstractInitial):
        raise ValueError(f"`init` must be jl.AtRest(), jl.Thermal(T) or jl.GivenCovariance(C0), got {init!r}.")
    n, m = system.n_sites, system.masses
    times = jnp.atleast_1d(jnp.asarray(times, m.dtype))
    if times.ndim != 1:
        raise ValueError(f"`times` must be a scalar or a 1-d array, got shape {times.shape}.")
    if is_concrete(times) and not bool(jnp.all(times >= 0)):
        raise ValueError(f"`times` must be >= 0, got min {float(jnp.min(times))}.")
    masks, gam_b, temp_b, b_diag = _noise(system)
    a = system.drift_matrix()
    lam, v = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=True)
    vinv = jnp.linalg.inv(v)
    c0 = jnp.zeros((2 * n, 2 * n), m.dtype) if isinstance(init, AtRest) else _initial_covariance(system, init)
    x0 = vinv @ c0 @ vinv.conj().T
    bt = (vinv * b_diag[None, :]) @ vinv.conj().T
    den = lam[:, None] + lam.conj()[None, :]

    def at(t):
        z = den * t
        small = jnp.abs(z) < 1e-8
        phi = jnp.where(small, 1.0 + 0.5 * z, jnp.expm1(z) / jnp.where(small, 1.0, z))
        x = x0 * jnp.exp(z) + bt * t * phi
        vx = v @ x
        v2 = jnp.sum(vx[n:] * v[n:].conj(), axis=1).real
        cov = (vx @ v.conj().T).real if return_covariance else None
        return v2, cov

    v2, cov = jax.lax.map(at, times)
    flux = _ohmic_flux(masks, gam_b, temp_b, m, v2)
    rates = -lam.real
    damped = rates > _undamped(lam)
    relax = jnp.sort(jnp.where(damped, 1.0 / jnp.where(damped, rates, 1.0), 0.0))[::-1]
    if is_concrete(relax):
        relax = relax[: int(jnp.sum(damped))]
    return CovarianceEvolution(times=times, temperature=m[None, :] * v2, flux=flux, relaxation_times=relax,
                               covariance=None if cov is None else 0.5 * (cov + jnp.swapaxes(cov, 1, 2)))


def _ohmic_flux(masks, gam_b, temp_b, m, v2):
    """J_b = sum_{n in S_b} gamma_b (T_b / m_n - <v_n^2>) for v2 of shape (..., N) -> (..., n_baths)."""
    shape = v2.shape[:-1] + gam_b.shape  # no implicit rank promotion
    drive = jnp.broadcast_to(masks @ (1.0 / m) * temp_b, shape)
    return jnp.broadcast_to(gam_b, shape) * (drive - v2 @ masks.T)


def _noise(system: System):
    """Bath masks (n_baths, N), gamma_b, T_b and the diagonal of B (2N,)."""
    n, m = system.n_sites, system.masses
    masks = jnp.asarray(system.bath_masks(), m.dtype)
    gam_b = jnp.stack([b.gamma for b in system.baths]).astype(m.dtype)
    temp_b = jnp.stack([b.temperature for b in system.baths]).astype(m.dtype)
    noise = 2.0 * (gam_b * temp_b) @ masks  # sum_b 2 gamma_b T_b on each site
    return masks, gam_b, temp_b, jnp.concatenate([jnp.zeros(n, m.dtype), noise / (m * m)])
