"""Inverse design of a mass profile: the masses, with fixed mean and bounded disorder, that maximize (or
minimize) a function of the exact steady state, by projected first-order optimization with optax.

The feasible set is F = {m : mean(m) = mbar, |m_n - mbar| <= delta for every n}, in the units of the
masses; ``delta`` is the half-width used by ``jl.masses.random`` and ``jl.masses.graded``. The optimizer
works on the dimensionless profile u = (m - mbar) / delta, which lives in the box [-1, 1]^N cut by the
hyperplane sum(u) = 0. Every iterate is the exact Euclidean projection of the optax update onto that set
(``project_profile``), so the constraints hold at every step, not only at the end.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Bool, Float

from ._negf import negf_steady_state
from ._solution import SteadyState
from ._system import System
from ._validation import as_float_array, is_concrete

#: bisection steps of ``_shift_clip``: the bracket has width <= 4 + max |x| and halves each time, so 100
#: steps reach the float64 spacing of the shift (2^-100 * 4 < 1e-29), i.e. the root to the last bit.
_BISECTION_STEPS = 100
#: profiles u = (m - mean)/delta whose entries agree to this are made exactly equal (``merge_near_ties``)
_TIE_TOL = 1e-9


class Flux(eqx.Module):
    """Objective: the heat flux J_b from bath ``bath`` into the system (CONVENTIONS "Observables").

    ``Flux(0)`` is J_L of a two-bath chain, positive when heat flows from L to R. Any function of a
    ``SteadyState`` returning a real scalar works as an objective too; a ``Flux`` is compiled once for all
    calls with equal structure, while a new lambda recompiles.
    """

    bath: int = eqx.field(static=True, default=0)

    def __call__(self, steady_state: SteadyState) -> Float[Array, ""]:
        return steady_state.flux[self.bath]


def project_profile(x: Float[Array, " N"]) -> Float[Array, " N"]:
    """Euclidean projection of x onto {u in [-1, 1]^N : sum(u) = 0}: u_n = clip(x_n - tau, -1, 1).

    tau is the root of the nonincreasing piecewise-linear function sum_n clip(x_n - tau, -1, 1), found
    by bisection to the last bit (KKT conditions of the projection: one multiplier for the sum, the box
    handled by the clip). Cost O(N) per bisection step, 100 steps. Requires N >= 2.
    """
    return _shift_clip(x, -jnp.ones_like(x), jnp.ones_like(x))


def tangent_cone_projection(u: Float[Array, " N"], g: Float[Array, " N"]) -> Float[Array, " N"]:
    """Projection of g onto the tangent cone of {|u_n| <= 1, sum u = 0} at the feasible point u.

    The cone is {d : sum d = 0, d_n <= 0 where u_n = 1, d_n >= 0 where u_n = -1}. For an objective f
    to be increased, ``tangent_cone_projection(u, grad f)`` is the steepest feasible ascent direction
    and vanishes exactly at a KKT point: there grad f = lambda on free sites, >= lambda at the upper
    bound and <= lambda at the lower bound, lambda being the multiplier of the fixed mean.
    """
    lo = jnp.where(u <= -1, 0.0, -jnp.inf).astype(g.dtype)
    hi = jnp.where(u >= 1, 0.0, jnp.inf).astype(g.dtype)
    return _shift_clip(g, lo, hi)


def merge_near_ties(u: Float[Array, " N"], tol: float = _TIE_TOL) -> Float[Array, " N"]:
    """Replace each run of entries that lie within ``tol`` of their neighbours (in sorted order) by the run's
    mean: sum, bounds and order are kept, and nearly equal masses become exactly equal.

    Why: sites that reach a bound together leave it together, and rounding then separates their masses
    by a few ulps. ``negf_steady_state`` would merge them to 16 eps and report the mode between them as
    nearly dark (a ``temperature_error``, an infinite relaxation time, a warning at every step); exactly
    equal masses give an exactly dark mode instead. Masses within 1e-9 delta of each other are physically
    equal here: the mode that tells them apart is dark to ~1e-18.
    """
    order = jnp.argsort(u)
    us = u[order]
    starts = jnp.concatenate([jnp.ones((1,), bool), jnp.diff(us) > tol])
    run = jnp.cumsum(starts) - 1
    total = jax.ops.segment_sum(us, run, num_segments=u.shape[0])
    count = jax.ops.segment_sum(jnp.ones_like(us), run, num_segments=u.shape[0])
    merged = (total / jnp.maximum(count, 1))[run]
    return jnp.zeros_like(u).at[order].set(jnp.where(count[run] > 1, merged, us))


def _shift_clip(x, lo, hi):
    """clip(x - tau, lo, hi) with tau such that the entries sum to 0 (needs sum lo <= 0 <= sum hi)."""
    a = jnp.min(x) - 1.0  # there x - a >= 1 > 0: every entry >= 0, the free ones > 0
    b = jnp.max(x) + 1.0  # and here every entry <= 0

    def bisect(_, ab):
        a, b = ab
        c = 0.5 * (a + b)
        above = jnp.sum(jnp.clip(x - c, lo, hi)) > 0
        return jnp.where(above, c, a), jnp.where(above, b, c)

    a, b = jax.lax.fori_loop(0, _BISECTION_STEPS, bisect, (a, b))
    return jnp.clip(x - 0.5 * (a + b), lo, hi)


class MassDesign(eqx.Module):
    """Result of ``optimize_masses``.

    Attributes:
        masses: (N,) the best feasible profile visited (mean ``mean``, |m_n - mean| <= ``delta``).
        objective: the objective there.
        system: the input ``System`` with ``masses`` in place (e.g. ``jl.negf_steady_state(d.system)``).
        start_masses, start_objective: the start (the input masses projected onto the feasible set) and
            its objective.
        history: (n_steps + 1,) objective at every iterate, the start first.
        kkt_residual: (N,) P_T(+-grad_m f) at ``masses``: the gradient of the objective with respect to the
            masses (sign: the improving direction) projected on the tangent cone T of the feasible set
            (``tangent_cone_projection``); exactly zero at a KKT point. Units of objective / mass.
        stationarity: max_n |kkt_residual_n| * delta / |objective|: the largest relative first-order
            change of the objective that moving masses within the bounds (mean fixed) can give, per unit
            of the half-width delta. Zero at a KKT point.
        converged: ``stationarity <= gtol``.
        n_steps: optimizer updates taken (fewer than ``steps`` when converged early or interrupted).
        mean, delta: the constraint, |m_n - mean| <= delta, sum_n m_n = N mean.
        maximize: whether the objective was maximized.
        status: why the loop ended: "converged", "steps exhausted", "interrupted" or "invalid engine result
            at step i" (a non-finite objective or gradient, or bath fluxes that do not sum to zero; a
            warning then gives the masses).
    """

    masses: Float[Array, " N"]
    objective: Float[Array, ""]
    system: System
    start_masses: Float[Array, " N"]
    start_objective: Float[Array, ""]
    history: Float[Array, " steps"]
    kkt_residual: Float[Array, " N"]
    stationarity: Float[Array, ""]
    converged: Bool[Array, ""]
    mean: Float[Array, ""]
    delta: Float[Array, ""]
    n_steps: int = eqx.field(static=True)
    maximize: bool = eqx.field(static=True)
    status: str = eqx.field(static=True)

    @property
    def gain(self) -> Float[Array, ""]:
        """objective / start_objective."""
        return self.objective / self.start_objective

    @property
    def at_upper_bound(self) -> np.ndarray:
        """Sites at m_n = mean + delta (to 1e-9 delta)."""
        return np.flatnonzero(np.asarray(self.masses - self.mean) >= float(self.delta) * (1 - 1e-9))

    @property
    def at_lower_bound(self) -> np.ndarray:
        """Sites at m_n = mean - delta (to 1e-9 delta)."""
        return np.flatnonzero(np.asarray(self.masses - self.mean) <= -float(self.delta) * (1 - 1e-9))

    def __str__(self) -> str:
        m = np.asarray(self.masses)
        n = m.size
        shown = np.array2string(m if n <= 8 else np.r_[m[:4], m[-4:]], precision=5)
        word = "maximized" if self.maximize else "minimized"
        return (
            f"MassDesign(N = {n}, {word}, mean = {float(self.mean):.6g}, delta = {float(self.delta):.6g})\n"
            f"  objective   = {float(self.objective):.10g} (start {float(self.start_objective):.10g}, "
            f"gain {float(self.gain):.6f})\n"
            f"  steps       = {self.n_steps} ({self.status}), stationarity = {float(self.stationarity):.2e}\n"
            f"  at bounds   : {self.at_upper_bound.size} sites at mean + delta, "
            f"{self.at_lower_bound.size} at mean - delta\n"
            f"  masses      = {shown}{' (first/last 4)' if n > 8 else ''}"
        )


@functools.lru_cache(maxsize=16)
def default_optimizer(steps: int) -> optax.GradientTransformation:
    """Adam (b2 = 0.9) with a cosine decay of the step from 0.05 to 5e-5 over ``steps``, in units of delta.

    b2 = 0.9 instead of Adam's 0.999: the second-moment average then forgets the large early gradients
    within ~10 steps, so flat valleys near the optimum (nearly equal bulk masses, where the objective
    changes only at second order) keep being descended; with 0.999 they stall ~1e-4 delta away.
    Cached per ``steps`` so that repeated calls reuse the compiled step.
    """
    return optax.adam(optax.cosine_decay_schedule(0.05, steps, alpha=1e-3), b2=0.9)


def optimize_masses(
    system: System,
    *,
    delta,
    maximize: bool = True,
    objective: Callable[[SteadyState], Float[Array, ""]] = Flux(0),
    steps: int = 300,
    optimizer: optax.GradientTransformation | None = None,
    gtol: float = 1e-6,
    progress: bool = True,
) -> MassDesign:
    """The mass profile with fixed mean and bounded disorder that maximizes (or minimizes) an objective of
    the exact steady state, by projected gradient ascent (descent) with optax.

    Feasible set: sum_n m_n = N mbar with mbar = mean(system.masses), and |m_n - mbar| <= delta for every
    n (the half-width of ``jl.masses.random(key, N, mbar, delta)``; 0 < delta < mbar keeps every mass
    > 0). The objective defaults to the flux J_L = ``negf_steady_state(system).flux[0]``
    (CONVENTIONS "Classical steady state"); its gradient with respect to all masses goes through the
    pole search by implicit differentiation (1-4x the cost of one flux).

    Method (projected gradient with an optax step; the constraints hold exactly at every iterate):

    1. u = (m - mbar) / delta, the start is the projection of ``system.masses`` onto the set.
    2. g = gradient of the objective with respect to u; d = the projection of +-g (the improving
       direction) onto the tangent cone of the set at u (``tangent_cone_projection``).
    3. The optax transformation maps -d to an update; u <- ``project_profile(u + update)``, the exact
       Euclidean projection onto {|u_n| <= 1, sum u = 0} (mean to rounding, bounds exactly); entries
       within 1e-9 of each other are then made exactly equal (``merge_near_ties``, which keeps the sum and bounds).

    Feeding the tangent-cone projection (not the raw gradient) to the optimizer makes its fixed points
    the KKT points: the multiplier of the mean, common to all sites, would otherwise drive an adaptive
    optimizer such as Adam. The best iterate is returned; ``stationarity`` measures how far it is from
    a KKT point, and the loop stops early once it is below ``gtol``.

    Physics (mean-field chain between two intensive baths, measured; README "Inverse design"): the landscape
    has many local optima, because the mean-field bulk is symmetric under permutations and only the set of
    bulk masses matters. The maximizer makes the bath sites heavy (at the upper bound up to N = 32; mostly
    just inside it at N = 64, delta = 0.5) and splits the bulk into a heavy cluster at the upper bound and a
    light cluster at one common mass; the minimizer makes the bath sites light and the bulk as uniform as
    the mean allows. Clusters of equal masses have bath-decoupled modes (README "Sharp bits"): the flux does
    not depend on the start, the temperature profile of ``negf_steady_state(result.system)`` is the one
    reached from rest. A start with equal bulk masses has equal bulk gradients and never leaves that
    symmetric subspace: start from random masses and compare several starts.

    Arguments:
        system: a ``jl.System``; its masses are the start and fix the mean mbar. N >= 2.
        delta: the bound, 0 < delta < mbar, in mass units.
        maximize: maximize (True) or minimize (False) the objective.
        objective: a function of the ``SteadyState`` returning a real scalar (default ``Flux(0)``).
        steps: the most optimizer updates, >= 1.
        optimizer: a first-order optax transformation acting on u (in units of delta); default
            ``default_optimizer(steps)``, Adam with a cosine decay from 0.05 to 5e-5. Transformations
            that need a line search (L-BFGS) are not supported.
        gtol: stop when ``stationarity`` <= gtol.
        progress: show a progress bar (tqdm, on stderr).

    Returns a ``MassDesign``. Ctrl-C stops the loop and returns the best profile so far
    (``n_steps`` says how far it got); pass ``result.system`` back in to continue.

    Cost: (n_steps + 1) values and gradients of the objective, each O(N^2) for the mean-field chain
    (about 30 ms at N = 32 on a 2-core CPU), plus one compilation (a few seconds), shared by all calls
    with the same system structure, objective and optimizer (``maximize`` and ``delta`` are dynamic).

    Example:
        >>> N = 32
        >>> system = jl.System(jl.masses.random(jax.random.key(0), N, 1.0, 0.5),
        ...                    jl.MeanField(1.0) + jl.Pinning(0.02), jl.intensive(N, (1.5, 0.5), 1.0))
        >>> best = jl.design.optimize_masses(system, delta=0.5)
        >>> print(best)          # the profile, its flux and the gain over the start
    """
    if not isinstance(system, System):
        raise ValueError(f"`system` must be a jl.System, got {type(system).__name__}.")
    n = system.n_sites
    if n < 2:
        raise ValueError(f"`system` has N = {n} site: with the mean fixed there is nothing to optimize (N >= 2).")
    masses = system.masses
    if not is_concrete(masses):
        raise ValueError("`system.masses` must be concrete (optimize_masses runs its own loop; call it outside jit).")
    if not isinstance(maximize, (bool, np.bool_)):
        raise ValueError(f"`maximize` must be True or False, got {maximize!r}.")
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"`steps` must be an integer >= 1, got {steps!r}.")
    if not callable(objective):
        raise ValueError(f"`objective` must be a function of the SteadyState, got {type(objective).__name__}.")
    if not (isinstance(gtol, (int, float)) and gtol >= 0):
        raise ValueError(f"`gtol` must be a number >= 0, got {gtol!r}.")
    if optimizer is None:
        optimizer = default_optimizer(int(steps))
    elif not isinstance(optimizer, optax.GradientTransformation):
        raise ValueError(
            f"`optimizer` must be an optax.GradientTransformation such as optax.adam(0.05), got {optimizer!r}."
        )
    mean = jnp.mean(masses)
    delta = as_float_array("delta", delta, ndim=0).astype(masses.dtype)
    if not (np.isfinite(float(delta)) and 0 < float(delta) < float(mean)):
        raise ValueError(
            f"`delta` must satisfy 0 < delta < mean(masses) = {float(mean):.6g} (every mass stays > 0), "
            f"got {float(delta)!r}."
        )
    s = 1.0 if maximize else -1.0
    sign = jnp.asarray(s, masses.dtype)

    u = merge_near_ties(project_profile((masses - mean) / delta))
    opt_state = optimizer.init(u)
    history, best, status, unconverged = [], None, "steps exhausted", 0
    bar = _progress(progress, steps)
    try:
        for i in range(steps + 1):
            value, residual_u, valid, converged, u_next, opt_state_next = _step(
                u, opt_state, system, mean, delta, sign, objective, optimizer
            )
            value = float(value)
            if not bool(valid):
                status = f"invalid engine result at step {i}"
                warnings.warn(
                    f"optimize_masses: negf_steady_state gave an invalid result at step {i} (non-finite objective "
                    "or gradient, or fluxes that do not sum to zero); stopping with the "
                    f"best profile so far. Masses: {np.asarray(mean + delta * u).tolist()}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                if best is None:
                    raise FloatingPointError("optimize_masses: the exact engine fails at the start profile.")
                break
            history.append(value)
            unconverged += not bool(converged)
            stationarity = float(jnp.max(jnp.abs(residual_u))) / max(abs(value), np.finfo(float).tiny)
            if best is None or s * value > s * best[0]:
                best = (value, u, residual_u, stationarity)
            if bar is not None:
                bar.set_postfix(objective=f"{value:.8g}", stationarity=f"{stationarity:.1e}", refresh=False)
            if stationarity <= gtol:
                status = "converged"
                # in a flat valley the best-by-value iterate can precede this KKT point by rounding-level
                # gains: return the KKT point, so that `converged` and `status` agree
                if s * value >= s * best[0] - 1e-9 * abs(best[0]):
                    best = (value, u, residual_u, stationarity)
                break
            if i == steps:
                break
            u, opt_state = u_next, opt_state_next
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        status = "interrupted"
        warnings.warn(
            f"optimize_masses interrupted after {len(history) - 1} steps: returning the best profile so far.",
            RuntimeWarning,
            stacklevel=2,
        )
        if best is None:
            raise
    finally:
        if bar is not None:
            bar.close()
    if unconverged:
        warnings.warn(
            f"optimize_masses: the pole search of negf_steady_state reported no convergence at {unconverged} of "
            f"{len(history)} iterates (their fluxes balanced, so they were kept).",
            RuntimeWarning,
            stacklevel=2,
        )
    value, u_best, residual_u, stationarity = best
    best_masses = mean + delta * u_best
    return MassDesign(
        masses=best_masses,
        objective=jnp.asarray(value, masses.dtype),
        system=eqx.tree_at(lambda s: s.masses, system, best_masses),
        start_masses=mean + delta * merge_near_ties(project_profile((masses - mean) / delta)),
        start_objective=jnp.asarray(history[0], masses.dtype),
        history=jnp.asarray(history, masses.dtype),
        kkt_residual=residual_u / delta,
        stationarity=jnp.asarray(stationarity, masses.dtype),
        converged=jnp.asarray(stationarity <= gtol),
        mean=mean,
        delta=delta,
        n_steps=len(history) - 1,
        status=status,
        maximize=bool(maximize),
    )


def balanced(ss) -> Bool[Array, ""]:
    """The bath fluxes balance, |sum_b J_b| <= 1e-6 sum_b |J_b| + 100 sum_b flux_error: a correct steady
    state does to rounding, so this is a cheap guard against a wrong number from the engine."""
    return jnp.abs(jnp.sum(ss.flux)) <= 1e-6 * jnp.sum(jnp.abs(ss.flux)) + 100 * jnp.sum(ss.flux_error)


def objective_and_gradient(u, system, mean, delta, objective):
    """f(m) and its gradient with respect to u = (m - mean)/delta, with m = mean + delta u in ``system``;
    whether the engine's answer is valid (finite value and gradient, fluxes ``balanced``) and whether its
    pole search reported convergence. Differentiates through ``negf_steady_state`` (implicit in the poles).
    """

    def f(u):
        ss = negf_steady_state(eqx.tree_at(lambda s: s.masses, system, mean + delta * u))
        value = jnp.asarray(objective(ss))
        if value.shape != () or not jnp.issubdtype(value.dtype, jnp.floating):
            raise ValueError(
                f"`objective` must return a real scalar, got shape {value.shape} and dtype {value.dtype}."
            )
        return value, (balanced(ss), ss.converged)

    (value, (ok, converged)), grad = jax.value_and_grad(f, has_aux=True)(u)
    valid = ok & jnp.isfinite(value) & jnp.all(jnp.isfinite(grad))
    return value, grad, valid, converged


@eqx.filter_jit
def _step(u, opt_state, system, mean, delta, sign, objective, optimizer):
    """One projected step: value and KKT residual at u, then the projected optax update."""
    value, grad, valid, converged = objective_and_gradient(u, system, mean, delta, objective)
    ascent = tangent_cone_projection(u, sign * grad)  # improving feasible direction, 0 at a KKT point
    updates, opt_state = optimizer.update(-ascent, opt_state, u)  # optax minimizes: it gets -ascent
    return value, ascent, valid, converged, merge_near_ties(project_profile(u + updates)), opt_state


def _progress(show, total):
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", desc="optimize_masses", file=sys.stderr, leave=False)
