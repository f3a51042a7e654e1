"""Fourier's law from a chain of macroscopic subsystems linked by quantum mediators (Panasyuk et al., Sec. VI).

Model (paper Fig. 5, Eq. 78-83). n macroscopic subsystems k = 1..n sit between two reservoirs at T_L (k = 0)
and T_R (k = n + 1); every neighbouring pair is linked by one identical mediator, a quantum oscillator
(mass m, frequency omega0) coupled to the two neighbours as two Drude-Ullersma baths (frictions gamma1, gamma2,
cutoff D). On the slow scale of Eq. (79) each subsystem stays in equilibrium at its own temperature T_k and

    dU_k/dt = J(T_{k-1}, T_k) - J(T_k, T_{k+1}),        C(T) = dU/dT                       (Eq. 80)

with J(Ta, Tb) the exact steady heat current through one mediator (Eq. 42; ``jl.negf_steady_state``, the heat
from the Ta side into the oscillator) and C(T) the heat capacity of one subsystem (paper: U ~ T^2/(hbar Delta),
so C = c1 T; any callable allowed). Linearised (Eq. 81-82) this is C dT/dt = d/dx (kappa dT/dx) with
kappa(T) = K(T) d (Eq. 83), K(T) = dJ/dTa at Ta = Tb = T the linear-response conductance (Eq. 43).

Units: k_B = 1; temperatures in energy units, hbar omega0 in the same units; time in 1/omega0 units of the
parameters given; positions x in units of the spacing d = 1 (reservoirs at x = 0 and x = n + 1).

Exactness note. Eq. (42) is of Landauer form, J(Ta, Tb) = F(Ta) - F(Tb) with F(T) = int dw/(2 pi)
hbar w Tr(w) n(w, T), so K = F' and J(Ta, Tb) = Phi(Ta) - Phi(Tb) for the Kirchhoff transform
Phi(T) = int_{T_R}^T K(T') dT'. The discrete steady state therefore has Phi(T_k) exactly linear in k, i.e. it
coincides with the continuum Fourier/Kirchhoff profile of Eq. (83) sampled at x = k, for every n: there is
no O(1/n^2) discreteness error in the steady state (only the linearisation Eq. 81 with K at a midpoint
temperature has one). The tests check this to quadrature precision.

Cost: one J or K evaluation is one single-oscillator exact steady state (O(1), residues over 3 poles of the
Drude-embedded oscillator); ``evolve`` costs 4 (n + 1) of them per RK4 step, ``steady_state`` (n + 1) J's plus
their forward-mode Jacobian per Newton iteration (typically 5-8), ``fourier_profile`` degree + 1 = 49 K's
(once, shared by all n). Compilation (a few seconds per function and shape) usually dominates.
Needs float64: ``jax.config.update("jax_enable_x64", True)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._bath import DrudeBath
from ._coupling import Pinning
from ._negf import negf_steady_state
from ._negf_quantum import thermal_conductance
from ._system import System

__all__ = ["MediatorChain", "ChainEvolution", "heat_current", "conductance", "energy", "evolve",
           "steady_state", "conductances", "kirchhoff_transform", "fourier_profile"]

_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)  # energy U(T) = int_0^T C: exact for polynomial C, deg <= 31


class _LinearHeatCapacity(eqx.Module):
    """C(T) = c1 T (paper Sec. VI: U ~ T^2 / (hbar Delta), so c1 ~ 1 / (hbar Delta))."""

    c1: float = eqx.field(static=True)

    def __call__(self, T):
        return self.c1 * T


def _positive(name, value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}.") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}.")
    return v


class MediatorChain(eqx.Module):
    """n macroscopic subsystems linked by n + 1 identical quantum mediators (Panasyuk et al. Fig. 5).

    Arguments:
        n_subsystems: n >= 1, the number of subsystems between the two reservoirs.
        omega0: mediator frequency (> 0); its pinning is m omega0^2.
        gamma1, gamma2: frictions (> 0) of the Drude baths formed by the left / right neighbour of a mediator;
            gamma_hat = (gamma1 + gamma2) / m = 1 / tau_p.
        cutoff: Drude cutoff D (> 0).
        mass: mediator mass m (> 0).
        hbar: > 0 for the quantum mediator (Eq. 42), ``None`` for the classical limit (K constant, Eq. 47).
        heat_capacity: C(T) of one subsystem, a callable of a (traced) temperature array, or a number c1
            meaning C(T) = c1 T (default c1 = 1).

    All fields are static (Python numbers / callables), so a chain is hashable and functions below compile
    once per chain.
    """

    n_subsystems: int = eqx.field(static=True)
    omega0: float = eqx.field(static=True)
    gamma1: float = eqx.field(static=True)
    gamma2: float = eqx.field(static=True)
    cutoff: float = eqx.field(static=True)
    mass: float = eqx.field(static=True)
    hbar: float | None = eqx.field(static=True)
    heat_capacity: Callable = eqx.field(static=True)

    def __init__(self, n_subsystems, omega0=1.0, gamma1=0.05, gamma2=0.05, cutoff=10.0, mass=1.0, hbar=1.0,
                 heat_capacity=1.0):
        if isinstance(n_subsystems, bool) or not isinstance(n_subsystems, (int, np.integer)) or n_subsystems < 1:
            raise ValueError(f"`n_subsystems` must be an integer >= 1, got {n_subsystems!r}.")
        self.n_subsystems = int(n_subsystems)
        self.omega0 = _positive("omega0", omega0)
        self.gamma1 = _positive("gamma1", gamma1)
        self.gamma2 = _positive("gamma2", gamma2)
        self.cutoff = _positive("cutoff", cutoff)
        self.mass = _positive("mass", mass)
        if hbar is not None:
            try:
                hbar = _positive("hbar", hbar)
            except ValueError:
                raise ValueError(f"`hbar` must be None (classical) or a positive finite number, got {hbar!r}.") \
                    from None
        self.hbar = hbar
        if callable(heat_capacity):
            self.heat_capacity = heat_capacity
        else:
            try:
                c1 = _positive("heat_capacity", heat_capacity)
            except ValueError:
                raise ValueError("`heat_capacity` must be a callable C(T) or a positive number c1 (C = c1 T), "
                                 f"got {heat_capacity!r}.") from None
            self.heat_capacity = _LinearHeatCapacity(c1)

    def mediator(self, Ta, Tb) -> System:
        """The single-mediator ``System``: the oscillator between Drude baths at Ta (bath 0) and Tb (bath 1)."""
        m = self.mass
        return System(jnp.array([m]), Pinning(m * self.omega0**2),
                      [DrudeBath((0,), self.gamma1, Ta, self.cutoff), DrudeBath((0,), self.gamma2, Tb, self.cutoff)])


def heat_current(chain: MediatorChain, Ta, Tb):
    """Exact steady heat current J(Ta, Tb) through one mediator, from the Ta side into it (Eq. 42; classical
    if ``chain.hbar`` is None). Scalars; works under jit/vmap/jacfwd with traced temperatures."""
    return negf_steady_state(chain.mediator(Ta, Tb), hbar=chain.hbar).flux[0]


def conductance(chain: MediatorChain, T):
    """Linear-response conductance K(T) = dJ/dTa at Ta = Tb = T of one mediator (Eq. 43; T-independent, Eq. 47,
    when ``chain.hbar`` is None). The thermal conductivity of Eq. (83) is kappa = K d with d = 1."""
    return thermal_conductance(chain.mediator(T, T), T, hbar=chain.hbar)[0, 0]


def energy(chain: MediatorChain, T):
    """U(T) = int_0^T C(T') dT' of one subsystem (zero-point energy dropped), elementwise, by 16-point
    Gauss-Legendre quadrature (exact for polynomial C of degree <= 31, e.g. the default c1 T -> c1 T^2 / 2)."""
    T = jnp.asarray(T)
    shape = (1,) * T.ndim + (len(_GL_X),)
    nodes = (T[..., None] / 2) * (1 + jnp.asarray(_GL_X).reshape(shape))
    return (T / 2) * jnp.sum(jnp.asarray(_GL_W).reshape(shape) * chain.heat_capacity(nodes), axis=-1)


def _link_currents(chain, T, T_L, T_R):
    """The n + 1 link currents J(T_{k-1}, T_k), k = 1..n+1, with T_0 = T_L, T_{n+1} = T_R."""
    full = jnp.concatenate([jnp.atleast_1d(T_L), T, jnp.atleast_1d(T_R)])
    return jax.vmap(lambda a, b: heat_current(chain, a, b))(full[:-1], full[1:])


def _temperature_from_energy(chain, U, T_guess, iterations=8):
    """Invert U(T) = U by Newton's method (C > 0, U convex for C increasing); from a nearby guess 8 iterations
    reach float64 precision (quadratic convergence)."""
    def body(_, T):
        return T - (energy(chain, T) - U) / chain.heat_capacity(T)
    return jax.lax.fori_loop(0, iterations, body, T_guess)


class ChainEvolution(eqx.Module):
    """Result of :func:`evolve`: ``temperatures`` (len(times), n); ``heat_from_left`` / ``heat_to_right``
    (len(times),), the heat delivered by the left reservoir / taken by the right one since t = 0, accumulated
    with the same RK4 weights as the U_k, so that sum_k [U_k(t) - U_k(0)] = heat_from_left - heat_to_right
    to round-off (Eq. 80 summed over k telescopes)."""

    times: jax.Array
    temperatures: jax.Array
    heat_from_left: jax.Array
    heat_to_right: jax.Array
    dt: float = eqx.field(static=True)


@eqx.filter_jit
def _evolve_scan(chain, T0, T_L, T_R, steps, h):
    def rates(U, T_guess):
        T = _temperature_from_energy(chain, U, T_guess)
        J = _link_currents(chain, T, T_L, T_R)
        return J[:-1] - J[1:], J[0], J[-1], T

    a = jnp.asarray([0.0, 0.5, 0.5, 1.0])
    b = jnp.asarray([1.0, 2.0, 2.0, 1.0]) / 6

    def rk4(carry, _h):
        U, T, qL, qR = carry

        def stage(c, ab):  # classical RK4 as a scan over its 4 stages (one trace of the currents)
            k, T_guess, dU, dL, dR = c
            ai, bi = ab
            k, jl_, jr_, T_guess = rates(U + ai * _h * k, T_guess)
            return (k, T_guess, dU + bi * k, dL + bi * jl_, dR + bi * jr_), None

        z = jnp.zeros((), U.dtype)
        (_, _, dU, dL, dR), _ = jax.lax.scan(stage, (jnp.zeros_like(U), T, jnp.zeros_like(U), z, z), (a, b))
        U = U + _h * dU
        return U, _temperature_from_energy(chain, U, T), qL + _h * dL, qR + _h * dR

    def interval(carry, sh):
        s, hh = sh
        carry = jax.lax.fori_loop(0, s, lambda _, c: rk4(c, hh), carry)
        return carry, (carry[1], carry[2], carry[3])

    zero = jnp.zeros((), T0.dtype)
    _, (T, qL, qR) = jax.lax.scan(interval, (energy(chain, T0), T0, zero, zero), (steps, h))
    return T, qL, qR


def evolve(chain: MediatorChain, T_initial, T_L, T_R, times, dt=None) -> ChainEvolution:
    """Integrate Eq. (80) for the energies U_k from T_k(0) = ``T_initial`` (shape (n,)) with fixed reservoirs.

    Classical fourth-order Runge-Kutta on U (temperatures recovered from U(T) by Newton), inside
    ``jax.lax.scan`` over the output ``times`` (increasing, >= 0; t = 0 returns ``T_initial``); each interval
    between outputs is split into ceil(interval / dt) equal steps. Energy is conserved to round-off whatever
    dt (see :class:`ChainEvolution`).

    Step: by default dt = 0.5 min C / max K over 16 temperatures spanning [min, max] of the initial and
    reservoir temperatures (the profile stays in that range). The Jacobian's eigenvalues obey
    |lambda| <= 4 max K / min C (Gershgorin), so |lambda| dt <= 2 < 2.785, inside RK4's real stability interval;
    the global error is O(dt^4) (for the slow, physically relevant modes, lambda dt << 1, it is
    ~ (lambda dt)^4 / 120 per unit lambda t). Pass a smaller ``dt`` to check convergence.
    """
    n = chain.n_subsystems
    T0 = jnp.asarray(T_initial, dtype=float)
    if T0.shape != (n,):
        raise ValueError(f"`T_initial` must have shape ({n},), got {T0.shape}.")
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or np.any(times < 0) or np.any(np.diff(times) < 0):
        raise ValueError("`times` must be a 1-d increasing array of times >= 0.")
    T_L, T_R = _positive("T_L", T_L), _positive("T_R", T_R)
    if dt is None:
        lo = float(min(float(jnp.min(T0)), T_L, T_R))
        hi = float(max(float(jnp.max(T0)), T_L, T_R))
        grid = np.linspace(lo, hi, 16)
        K = conductances(chain, grid)
        dt = 0.5 * float(jnp.min(chain.heat_capacity(jnp.asarray(grid)))) / float(np.max(K))
    dt = _positive("dt", dt)
    intervals = np.diff(np.concatenate([[0.0], times]))
    steps = np.ceil(intervals / dt).astype(np.int64)
    h = np.where(steps > 0, intervals / np.maximum(steps, 1), 0.0)
    T, qL, qR = _evolve_scan(chain, T0, jnp.asarray(T_L), jnp.asarray(T_R), jnp.asarray(steps), jnp.asarray(h))
    return ChainEvolution(jnp.asarray(times), T, qL, qR, dt)


@eqx.filter_jit
def _newton_step(chain, T, T_L, T_R):
    def residual(T):
        J = _link_currents(chain, T, T_L, T_R)
        return J[:-1] - J[1:], J
    jac, J = jax.jacfwd(residual, has_aux=True)(T)
    r = J[:-1] - J[1:]
    return T - jnp.linalg.solve(jac, r), r, J


def steady_state(chain: MediatorChain, T_L, T_R, *, rtol=1e-9, current_rtol=1e-10, max_iterations=50):
    """Steady temperatures (n,) and current J of Eq. (80): all n + 1 link currents equal.

    Newton's method on the n equations J(T_{k-1}, T_k) = J(T_k, T_{k+1}) with the (tridiagonal) Jacobian from
    ``jax.jacfwd``, started from the linear profile. Converged when the last Newton step is below
    rtol max(T_L, T_R) and then max |residual| <= current_rtol |J| (Newton converges quadratically, so the
    returned T is accurate far beyond rtol, to the precision of J itself); otherwise ``RuntimeError``. The
    engine's J has an absolute error ~1e-16 (float64, O(1) energy scales), so current_rtol = 1e-10 needs
    link currents J >~ 1e-6; deep in the quantum regime (T <~ 0.1 hbar omega0) loosen it. Returns (T, J) with J the
    mean link current.
    """
    T_L, T_R = _positive("T_L", T_L), _positive("T_R", T_R)
    n = chain.n_subsystems
    T = jnp.asarray(T_L + (T_R - T_L) * np.arange(1, n + 1) / (n + 1))
    scale = max(T_L, T_R)
    T_L, T_R = jnp.asarray(T_L), jnp.asarray(T_R)  # traced, not static: one compilation per chain
    step = np.inf
    for _ in range(max_iterations):
        T_new, r, J = _newton_step(chain, T, T_L, T_R)
        Jm = float(jnp.mean(J))
        if step <= rtol * scale and float(jnp.max(jnp.abs(r))) <= current_rtol * max(abs(Jm), np.finfo(float).tiny):
            return T, Jm  # the last step was tiny and the currents at T agree: converged
        step = float(jnp.max(jnp.abs(T_new - T)))
        T = T_new
        if not bool(jnp.all(T > 0)):
            break
    raise RuntimeError(f"steady_state: Newton did not converge (last step {step:.3g}, T = {np.asarray(T)}).")


def _unit(chain):
    """The same mediator with n = 1: functions of one mediator then compile once for every n."""
    return MediatorChain(1, chain.omega0, chain.gamma1, chain.gamma2, chain.cutoff, chain.mass, chain.hbar,
                         chain.heat_capacity)


@eqx.filter_jit
def _conductances(chain, T):
    return jax.vmap(lambda t: conductance(chain, t))(T)


def conductances(chain: MediatorChain, T) -> np.ndarray:
    """K(T) at many temperatures (numpy, any shape), in compiled batches of 16 shared by every call and n."""
    T = np.asarray(T, dtype=float)
    flat = T.ravel()
    m = -(-flat.size // 16) * 16
    pad = np.full(m, flat[-1] if flat.size else 1.0)
    pad[:flat.size] = flat
    unit = _unit(chain)
    out = [np.asarray(_conductances(unit, jnp.asarray(pad[i:i + 16]))) for i in range(0, m, 16)]
    return (np.concatenate(out) if out else pad)[:flat.size].reshape(T.shape)


def kirchhoff_transform(chain: MediatorChain, T_low, T_high, degree=48):
    """Phi(T) = int_{T_low}^T K(T') dT' on [T_low, T_high] as a ``numpy.polynomial.Chebyshev`` series, with K.

    K is sampled at ``degree`` + 1 Chebyshev points (one compiled, vmapped ``conductance`` call, shared by all
    n) and interpolated; K is analytic for T > 0, so the interpolation error falls exponentially with
    ``degree`` and is estimated by the size of the last coefficients (``error``, absolute, on Phi over the
    interval). Returns (Phi, K_series, error).
    """
    lo, hi = float(T_low), float(T_high)

    def k_of(y):  # y in [-1, 1]
        return conductances(chain, lo + (hi - lo) * (y + 1) / 2)

    coef = np.polynomial.chebyshev.chebinterpolate(k_of, degree)
    K_series = np.polynomial.Chebyshev(coef, domain=[lo, hi])
    Phi = K_series.integ(lbnd=lo)
    error = (hi - lo) * float(np.sum(np.abs(coef[-4:])) + 1e-16 * np.sum(np.abs(coef)))
    return Phi, K_series, error


def fourier_profile(chain: MediatorChain, T_L, T_R, x, *, degree=48):
    """Continuum steady state of Eq. (83): kappa(T) dT/dx = -J with kappa = K(T) d, d = 1, reservoirs at x = 0
    (T_L) and x = L = n + 1 (T_R).

    Kirchhoff transform: Phi(T) = int_{T_R}^T K(T') dT' satisfies d Phi/dx = -J, so Phi(T(x)) = (1 - x/L) Phi(T_L)
    and J = Phi(T_L) / L. Phi from a Chebyshev interpolant of K of ``degree`` on [min, max] of (T_L, T_R)
    (:func:`kirchhoff_transform`; spectrally accurate, error estimate returned), T(x) by Newton's method on
    the series from the linear profile. Returns (T(x) as a numpy array, J, error), ``error`` the estimated
    absolute error of Phi, i.e. of J (L J), relative error of T ~ error / (K T). Raises ``RuntimeError`` if
    the inversion does not converge.
    """
    T_L, T_R = _positive("T_L", T_L), _positive("T_R", T_R)
    x = np.asarray(x, dtype=float)
    L = chain.n_subsystems + 1.0
    s = np.clip(x / L, 0.0, 1.0)
    lo, hi = min(T_L, T_R), max(T_L, T_R)
    if lo == hi:
        return np.full_like(s, T_L), 0.0, 0.0
    Phi, K, error = kirchhoff_transform(chain, lo, hi, degree)
    phi_R, phi_L = Phi(T_R), Phi(T_L)
    target = phi_L + s * (phi_R - phi_L)
    T = T_L + (T_R - T_L) * s
    for _ in range(100):
        step = (Phi(T) - target) / K(T)
        T = np.clip(T - step, lo, hi)
        if np.max(np.abs(step)) <= 1e-15 * hi:
            break
    else:
        raise RuntimeError("fourier_profile: Kirchhoff inversion did not converge "
                           f"(last step {np.max(np.abs(step)):.3g}).")
    return T, float(phi_L - phi_R) / L, error
