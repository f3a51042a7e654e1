"""Exact classical steady state from the Green's function (non-equilibrium Green's functions, NEGF)."""

from __future__ import annotations

import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from . import _residues
from ._bath import DrudeBath, OhmicBath
from ._coupling.structure import DiagonalPlusRankOne
from ._embedding import embedded_steady_state
from ._initial import AtRest
from ._secular import coincident_damped_groups, find_roots, group_sites, near_tie_groups
from ._solution import QuantumSteadyState, SteadyState
from ._system import System
from ._validation import is_concrete

#: relative temperature accuracy promised; beyond it ``negf_steady_state`` warns.
TEMPERATURE_RTOL = 1e-8
#: largest N for which traced (jit/grad) inputs may switch to the collective-mode method at run time
TRACED_MODAL_LIMIT = 512
_COINCIDENT_MSG = (
    "negf_steady_state under jit/grad with N > 512: two sites held by different baths have equal mass "
    "and stiffness (to 1e-5 relative; e.g. equal end masses), which needs the collective-mode method; call "
    "it on concrete values (outside jit) or make them differ by more."
)


def negf_steady_state(system: System, hbar=None) -> SteadyState:
    """Exact classical steady state reached from rest: heat flux of every bath and temperature profile.

    Implements CONVENTIONS "Classical steady state" (Defaveri et al. Eq. 16-17, 31) with the frequency
    integrals done exactly by residues (``jaxlangevin._residues``): the integrands are rational
    functions of w whose poles are the poles of G, so closing the contour gives the integral without a
    grid, however narrow the resonances.

    - Mean-field (any Kac factor) with pinning and walls, any masses and any Ohmic baths: Phi is
      diagonal plus rank one; the poles are found together by Aberth iteration on the secular
      equation (``jaxlangevin._secular``) and the sums cost O(R^2) for R distinct (c_n, m_n, gamma_n):
      O(N^2) for random masses, O(1) in N for equal masses. Memory O(N) per pole batch.
    - Any other coupling: eigen-decomposition of the 2N x 2N drift matrix, O(N^3).

    Modes that never touch a bath (equal-mass mean-field bulk: Andreucci Sec. 3.3) carry no energy:
    the result describes the start ``AtRest()``. Differentiable with ``jax.grad``/``jax.jacrev`` in
    every parameter (roots by implicit differentiation). Needs float64 for the precision below:
    ``jax.config.update("jax_enable_x64", True)`` before creating arrays.

    The flux is computed in Landauer form, J_b = gamma_b sum_{n in S_b} sum_c (T_b - T_c) K_cn with
    <v_n^2> = sum_c T_c K_cn, which avoids the cancellation in gamma_b (T_b / m_n - <v_n^2>) when the
    flux is small.

    Precision (float64): flux to ~1e-14 relative at small N (vs 30-digit quadrature) and better than
    1e-10 up to N = 4096 (vs 30-digit Lyapunov; tests); ``flux_error`` is a conservative estimate.
    Temperatures to ``temperature_error``, an estimate from the summands and their conditioning (a close
    pair of poles; a pole near a zero of a_g; the relative error of a weakly damped pole's damping rate,
    which the mean-field engine resolves to relative precision, and for the other couplings each pole's
    damping |lambda| / |Im lambda|). Where that exceeds 1e-8 of the temperature (nearly-dark modes) a
    ``RuntimeWarning`` says so.
    Near critical damping of a collective mode (two poles a distance s apart) the residue sum loses
    ~eps (|lambda| / s)^2; the stated errors include it. Sites of one bath membership whose masses and
    stiffnesses agree to a few ulp are one group: the mode between them is treated as dark, its share of
    the temperature enters ``temperature_error`` and ``slowest_relaxation_time`` is inf (unresolved). Likewise
    on the collective-mode path (two damped sites in different baths with equal mass and stiffness to
    1e-5, e.g. equal end masses) for a mode whose damping the eigen-decomposition cannot resolve.

    Example:
        >>> system = jl.System(jl.masses.uniform(64), jl.MeanField(1.0) + jl.Pinning(0.02),
        ...                    jl.intensive(64, temperatures=(1.5, 0.5), gamma=1.0))
        >>> ss = jl.negf_steady_state(system)
        >>> ss.flux, ss.temperature
    """
    if hbar is not None:
        from ._negf_quantum import quantum_steady_state

        return quantum_steady_state(system, hbar)
    _check(system, "the classical Green's-function engine")
    if system.has_memory_baths():
        return embedded_steady_state(system, None)
    temp_b = _bath_temperatures(system)
    k, k_err, rate, converged, method = _coefficients(system)
    k, k_err = k[0], k_err[0]
    m = system.masses
    fm = jnp.asarray(system.bath_masks(), m.dtype)
    gam_b = _bath_gammas(system)
    v2 = temp_b @ k
    v2_err = jnp.abs(temp_b) @ k_err
    # J_b = sum_{n in S_b} gamma_b (T_b / m_n - <v_n^2>). At bath sites the sum rule
    # sum_c K[c, n] = 1 / m_n (equipartition at equal temperatures) turns this into the Landauer form
    # J_b = gamma_b sum_{n in S_b} sum_c (T_b - T_c) K[c, n]: no cancellation between T_b / m_n and
    # <v_n^2>, which would cost a factor T / (m J) of relative precision in small fluxes.
    dt = temp_b[:, None] - temp_b[None, :]  # (b, c)
    flux = gam_b * jnp.einsum("bc,cn,bn->b", dt, k, fm)
    flux_err = gam_b * jnp.einsum("bc,cn,bn->b", jnp.abs(dt), k_err, fm)
    result = SteadyState(
        flux=flux,
        temperature=m * v2,
        flux_error=flux_err,
        temperature_error=m * v2_err,
        slowest_relaxation_time=1.0 / rate,
        start=AtRest(),
        converged=converged,
        method=method,
    )
    _warn_result(result)
    return result


def _check(system, what):
    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System, got {type(system).__name__}.")
    system.require_bath_types(what, (OhmicBath, DrudeBath))
    system.require_linear("negf_steady_state")
    _warn_precision(system.masses)


def _bath_temperatures(system):
    return jnp.stack([b.temperature for b in system.baths]).astype(system.masses.dtype)


def _bath_gammas(system):
    return jnp.stack([b.gamma for b in system.baths]).astype(system.masses.dtype)


def _coefficients(system, weight_fn=None):
    """K[w, b, n] = (gamma_b / pi) I_{n,b} under pole weight w (``jaxlangevin._quantum``; None: classical,
    one weight 1), its error, the slowest damping rate, convergence and the method used."""
    n = system.n_sites
    st = system.coupling.structure(n)
    masks = system.bath_masks()
    gam_b = _bath_gammas(system)
    coef = gam_b / jnp.pi
    friction = system.site_friction()
    if isinstance(st, DiagonalPlusRankOne) and st.has_rank_one:
        k, k_err, rate, converged = _secular_path(system, st, friction, masks, coef, gam_b, weight_fn)
        return k, k_err, rate, converged, "secular-residues"
    fmask = jnp.asarray(masks, system.masses.dtype)
    k, k_err, lam = _residues.modal(st.to_dense(), system.masses, friction, fmask, coef, weight_fn)
    return k, k_err, _slowest_rate(lam), jnp.asarray(True), "modal-residues"


def _membership_codes(masks) -> np.ndarray:
    if masks.shape[0] > 62:
        raise ValueError(f"at most 62 baths are supported, got {masks.shape[0]}.")
    return (masks.astype(np.int64) * (2 ** np.arange(masks.shape[0], dtype=np.int64))[:, None]).sum(0)


def _group_masks(g, n_baths):
    bits = 2 ** jnp.arange(n_baths)
    return ((g.code[None, :] // bits[:, None]) % 2 == 1) & (g.weight[None, :] > 0)


def _secular_path(system, st, friction, masks, coef, gam_b, weight_fn=None):
    """Mean-field family: groups of exchangeable sites, then secular roots or collective modes.

    Returns per-bath coefficients K (n_w, n_baths, N) with <v_n^2> = sum_b T_b K[0, b, n] (classical) or
    sum_b K[b, b, n] (quantum, weight w = bath w's temperature), their error, the slowest damping rate
    and the convergence flag.
    """
    g = group_sites(st.diag, system.masses, friction, _membership_codes(masks))
    gmask = _group_masks(g, masks.shape[0]).astype(g.c.dtype)
    coincident = coincident_damped_groups(g)
    args = (st, g, gmask, coef, weight_fn)
    if is_concrete(coincident):
        bright = _collective_modal(*args) if bool(coincident) else _bright_secular(*args)
    elif g.c.shape[0] <= TRACED_MODAL_LIMIT:
        bright = jax.lax.cond(coincident, lambda: _collective_modal(*args), lambda: _bright_secular(*args))
    else:
        # under tracing the collective system has N entries and differentiating a cond keeps both
        # branches' residuals: O(N^2) memory. Refuse the singular case instead of a wrong number.
        bright = _bright_secular(*args)
        bright = (eqx.error_if(bright[0], coincident, _COINCIDENT_MSG),) + bright[1:]
    k_g, err_g, rate, converged = bright
    k_g = k_g + _residues.internal_modes(g, gmask, gam_b, weight_fn)
    damped_internal = (g.weight >= 2) & (g.gamma > 0)
    internal_rate = jnp.min(jnp.where(damped_internal, _oscillator_rate(g.c, g.m, g.gamma), jnp.inf))
    # bulk sites merged to a tolerance (masses an ulp apart): their internal modes are nearly dark and
    # left out; say so in the error (the energy they would take up) and the relaxation time (unresolved)
    nearly_dark = near_tie_groups(g, st.diag, system.masses)
    err_g = err_g + _residues.nearly_dark_bound(g, nearly_dark, masks.shape[0], weight_fn)
    rate = jnp.where(jnp.any(nearly_dark), 0.0, jnp.minimum(rate, internal_rate))
    sg = g.site_group
    return k_g[..., sg], err_g[..., sg], rate, converged


# jitted so that concrete (eager) calls compile the pole search and residue loops once per shape rather
# than once per call (their loop bodies are fresh closures); weight_fn must be None or a pytree
# (jax.tree_util.Partial) for the cache to hit
@eqx.filter_jit
def _bright_secular(st, g, gmask, coef, weight_fn):
    """Per-bath K[w, b, g] of each group's collective coordinate: Aberth roots + residue sums, O(R^2)."""
    roots = find_roots(st.u, g, st.translation_invariant)
    counts = gmask * g.weight[None, :]  # (nb, R) sites of bath b in group g
    bright, in_bath, err, err_in = _residues.diagonal_plus_rank_one(st.u, g, roots, counts, coef, weight_fn)
    k = (gmask[None] * in_bath[:, None, :] * coef[None, :, None] + bright).real
    k_err = gmask[None] * err_in[:, None, :] * jnp.abs(coef)[None, :, None] + err
    k_err = 16 * jnp.finfo(g.c.dtype).eps * k_err
    # a damping rate that rounding puts at or below zero (a nearly dark mode) is unresolved: rate 0,
    # relaxation time inf, never negative
    rate = jnp.min(jnp.where(roots.active, jnp.maximum(-roots.roots.imag, 0.0), jnp.inf))
    return k, k_err, rate, roots.converged


@eqx.filter_jit
def _collective_modal(st, g, gmask, coef, weight_fn):
    """Same quantity from the modal method on the R collective coordinates (exact, O(R^3)).

    Used when two damped groups in different baths have equal (c, m, gamma), where the secular form
    is singular (e.g. equal masses at the two ends of an intensive chain).
    """
    live = g.weight > 0
    r = g.c.shape[0]
    s = jnp.sqrt(g.weight)
    m = jnp.where(live, g.m, 1.0)
    phi_live = jnp.diag(jnp.where(live, g.c, 0.0)) - st.u * jnp.outer(s, s)
    # every live pole mu of the drift matrix has |mu| <= its infinity norm, the largest row sum over
    # the live coordinates
    bound = jnp.maximum(1.0, jnp.max(jnp.where(live, (jnp.sum(jnp.abs(phi_live), axis=1) + g.gamma) / m, 0.0)))
    # padding (traced calls: R = N, weight 0): isolated oscillators m = 1, c = w^2, gamma = w with
    # w = (3 + j / R) bound, poles w (-1 +- i sqrt 3) / 2 i: of modulus 3x beyond every live pole, distinct,
    # and damped at rate w / 2 > every live rate, so they neither mix with live modes nor set the
    # slowest rate, and lambda_k + lambda_l never vanishes. Undamped padding (before) put +-w pairs
    # with lambda_k + lambda_l = 0 to rounding into ``_residues.modal``: jit gave -2.9e95 where eager
    # gave 0.0074 (found by the inverse-design optimizer at N = 64).
    w_pad = (3.0 + jnp.arange(r) / r) * bound
    phi = phi_live + jnp.diag(jnp.where(live, 0.0, w_pad**2))
    # with u != 0 no collective mode is exactly dark (zero on every damped group forces sum_g s_g psi_g = 0,
    # hence (c_g - m_g w^2) psi_g = 0: two undamped groups with equal c / m but unequal c and m, which
    # takes an exact coincidence): a pole whose damping is below the eigenvalues' resolution is nearly
    # dark, its share unknown, its relaxation time unresolved
    k, err, lam = _residues.modal(phi, m, jnp.where(live, g.gamma, w_pad), gmask, coef, weight_fn,
                                  unresolved_share=st.u != 0)
    w = jnp.where(live, g.weight, 1.0)[None, None, :]
    in_range = jnp.abs(lam) <= 2 * bound
    unresolved = jnp.any(in_range & _residues.undamped_oscillating(lam)) & (st.u != 0)
    rate = jnp.where(unresolved, 0.0, _slowest_rate(lam, in_range))
    return k / w, err / w, rate, jnp.asarray(True)


def _oscillator_rate(c, m, gamma):
    """Slowest amplitude decay rate of m x'' = -c x - gamma x'."""
    disc = jnp.sqrt(jnp.maximum(gamma**2 - 4 * c * m, 0.0))
    return (gamma - disc) / (2 * m)


def _slowest_rate(lam, live=None):
    """Smallest damping rate among poles that are damped at all (dark, undamped poles excluded); only
    the poles ``live`` (mask; default all) count."""
    live = jnp.ones(lam.shape, bool) if live is None else live
    rates = -lam.imag
    return jnp.min(jnp.where(live & (rates > _residues.rate_floor(lam, live)), rates, jnp.inf))


def _warn_precision(masses):
    if masses.dtype != jnp.float64:
        warnings.warn(
            "negf_steady_state in float32 gives ~1e-4 relative accuracy at best; enable float64 with "
            "jax.config.update('jax_enable_x64', True) before creating arrays.",
            RuntimeWarning,
            stacklevel=3,
        )


def _warn_result(r: SteadyState | QuantumSteadyState):
    temperature = r.site_temperature if isinstance(r, QuantumSteadyState) else r.temperature
    if not all(is_concrete(x) for x in (temperature, r.temperature_error, r.converged)):
        return
    if not bool(r.converged):
        warnings.warn("negf_steady_state: the pole search did not converge; results may be inaccurate.",
                      RuntimeWarning, stacklevel=3)
    t = np.asarray(temperature)
    rel = np.where(np.isfinite(t), np.asarray(r.temperature_error) / np.maximum(np.abs(t), 1e-300), 0.0)
    tau = float(r.slowest_relaxation_time)
    # the rounding estimate of an eigen-decomposition can miss modes whose damping sits below the
    # resolution of the poles (it then treats them as dark): a slowest bath-coupled relaxation beyond 1e8
    # is itself the sign that the profile is not resolved to 1e-8 (found with PowerLaw, N = 32). The
    # secular path finds each pole on its own and charges the relative error of its damping rate (a root
    # left on the real axis, infinitely), so a finite relaxation time there needs no such warning
    # (checked against 40-90-digit references on 240 random systems, tests/test_negf.py); an infinite
    # one (sites merged as equal, their nearly dark mode left out) still gets it.
    unresolvable = tau > 1 / TEMPERATURE_RTOL and not (r.method == "secular-residues" and np.isfinite(tau))
    if unresolvable and np.max(rel) <= TEMPERATURE_RTOL:
        warnings.warn(
            f"negf_steady_state: the slowest bath-coupled mode relaxes over {tau:.2e} time units (> "
            f"{1 / TEMPERATURE_RTOL:.0e}); modes still slower may be unresolved in double precision and are "
            "then treated as bath-decoupled (no energy from rest), so the temperature profile is not "
            f"guaranteed to {TEMPERATURE_RTOL:.0e}. Fluxes stay accurate.",
            RuntimeWarning,
            stacklevel=3,
        )
    elif np.max(rel) > TEMPERATURE_RTOL:
        worst = int(np.argmax(rel))
        warnings.warn(
            f"negf_steady_state: double precision cannot resolve the temperature profile to "
            f"{TEMPERATURE_RTOL:.0e} (site {worst}: estimated relative error {rel[worst]:.1e}); the slowest "
            f"bath-coupled mode relaxes over {float(r.slowest_relaxation_time):.2e} time units. Fluxes stay "
            "accurate; see `temperature_error`.",
            RuntimeWarning,
            stacklevel=3,
        )
