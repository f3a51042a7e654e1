"""Fitting model parameters (frictions, couplings, temperatures, ...) to a measured steady state.

Weighted least squares: chi^2(p) = sum_i [(y_i(p) - d_i) / sigma_i]^2 over the measured kinetic
temperatures and bath fluxes d_i with standard errors sigma_i, the model y(p) being the exact steady state
``negf_steady_state(build(p))``. Minimized with optax, then Levenberg-Marquardt with the exact Jacobian
(``jax.jacfwd`` through the engine); uncertainties from the Gauss-Newton covariance (J^T J)^-1.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Mapping

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Bool, Float

from ._mass_design import balanced
from ._negf import negf_steady_state
from ._solution import SimulationResult
from ._system import System
from ._validation import as_float_array, finite, positive

#: LM stops when the Gauss-Newton step would lower chi^2 by less than this (chi^2 is dimensionless and of
#: order dof, so 1e-9 is far below any statistical meaning)
_CHI2_TOL = 1e-9
#: relative size of the smallest eigenvalue of the scaled J^T J below which a parameter combination is
#: called unconstrained by the data
_IDENTIFIABILITY_RTOL = 1e-12
#: largest Levenberg-Marquardt step in any internal parameter (log p: a factor e)
_MAX_STEP = 1.0


class Measurement(eqx.Module):
    """A measured steady state with standard errors, the data of ``fit_parameters``.

    Arguments:
        temperature, temperature_err: (K,) kinetic temperatures m_n <v_n^2> of the sites ``sites`` and
            their standard errors (> 0); or both None (flux only).
        flux, flux_err: (B,) heat fluxes J_b of the baths ``flux_baths`` (CONVENTIONS sign: from bath b into
            the system) and their standard errors (> 0); or both None (temperatures only).
        sites: the K sites of ``temperature`` (default: all N, in order).
        flux_baths: the baths of ``flux`` (default ``(0,)``: with two baths J_R = -J_L in a steady state, so
            one of them is the independent measurement).

    The points are treated as independent (diagonal weights 1 / err^2). Build it from a simulation with
    ``Measurement.from_simulation(res)``.
    """

    temperature: Float[Array, " K"] | None
    temperature_err: Float[Array, " K"] | None
    flux: Float[Array, " B"] | None
    flux_err: Float[Array, " B"] | None
    sites: tuple[int, ...] | None = eqx.field(static=True)
    flux_baths: tuple[int, ...] = eqx.field(static=True)

    def __init__(self, temperature=None, temperature_err=None, flux=None, flux_err=None, *, sites=None,
                 flux_baths=(0,)):
        self.temperature, self.temperature_err = _values_and_errors("temperature", temperature, temperature_err)
        self.flux, self.flux_err = _values_and_errors("flux", flux, flux_err)
        if self.temperature is None and self.flux is None:
            raise ValueError("`temperature` and `flux` are both None: a Measurement needs at least one of them.")
        self.flux_baths = _index_tuple("flux_baths", flux_baths)
        self.sites = None if sites is None else _index_tuple("sites", sites)
        if self.flux is not None and self.flux.shape[0] != len(self.flux_baths):
            raise ValueError(
                f"`flux` has {self.flux.shape[0]} entries but `flux_baths` = {self.flux_baths} names "
                f"{len(self.flux_baths)} baths."
            )
        if self.sites is not None and self.temperature is not None and self.temperature.shape[0] != len(self.sites):
            raise ValueError(
                f"`temperature` has {self.temperature.shape[0]} entries but `sites` names {len(self.sites)} sites."
            )

    @classmethod
    def from_simulation(cls, result: SimulationResult, *, sites=None, flux_baths=(0,)) -> Measurement:
        """The temperatures (of ``sites``, default all) and fluxes (of ``flux_baths``) of a ``jl.simulate``
        result with their standard errors across trajectories."""
        if not isinstance(result, SimulationResult):
            raise ValueError(f"`result` must be a jl.SimulationResult, got {type(result).__name__}.")
        fb = _index_tuple("flux_baths", flux_baths)
        n_baths = result.flux.shape[0]
        if max(fb) >= n_baths:
            raise ValueError(f"`flux_baths` = {fb} names a bath beyond the {n_baths} of the simulation.")
        idx = slice(None) if sites is None else np.asarray(_index_tuple("sites", sites))
        fidx = np.asarray(fb)
        return cls(result.temperature[idx], result.temperature_err[idx], result.flux[fidx], result.flux_err[fidx],
                   sites=sites, flux_baths=fb)

    @property
    def n_data(self) -> int:
        """Number of measured values."""
        return sum(0 if x is None else x.shape[0] for x in (self.temperature, self.flux))

    def data(self) -> tuple[Float[Array, " D"], Float[Array, " D"]]:
        """(values, errors): temperatures then fluxes, concatenated."""
        vals = [x for x in (self.temperature, self.flux) if x is not None]
        errs = [x for x in (self.temperature_err, self.flux_err) if x is not None]
        return jnp.concatenate(vals), jnp.concatenate(errs)

    def model(self, steady_state) -> tuple[Float[Array, " D"], Float[Array, " D"]]:
        """The same quantities from an exact steady state, and their rounding estimates."""
        vals, errs = [], []
        if self.temperature is not None:
            idx = slice(None) if self.sites is None else np.asarray(self.sites)
            vals.append(steady_state.temperature[idx])
            errs.append(steady_state.temperature_error[idx])
        if self.flux is not None:
            vals.append(steady_state.flux[np.asarray(self.flux_baths)])
            errs.append(steady_state.flux_error[np.asarray(self.flux_baths)])
        return jnp.concatenate(vals), jnp.concatenate(errs)


def _values_and_errors(name, values, errors):
    if values is None and errors is None:
        return None, None
    if values is None:
        raise ValueError(f"`{name}_err` is given without `{name}`.")
    if errors is None:
        raise ValueError(
            f"`{name}_err` is required with `{name}`: the fit weights each point by 1 / err^2 (standard errors, "
            "e.g. `res.temperature_err` and `res.flux_err` of jl.simulate)."
        )
    v = finite(name, _strong(jnp.atleast_1d(as_float_array(name, values))))
    e = positive(f"{name}_err", _strong(jnp.atleast_1d(as_float_array(f"{name}_err", errors))))
    if v.ndim != 1 or v.shape != e.shape:
        raise ValueError(f"`{name}` and `{name}_err` must be 1-d of equal shape, got {v.shape} and {e.shape}.")
    return v, e


def _strong(x):
    """Drop JAX's weak type (``jnp.full(K, 0.01)``), so that measurements built either way share one
    compiled model."""
    return jnp.asarray(x, dtype=x.dtype)


def _index_tuple(name, idx) -> tuple[int, ...]:
    arr = np.atleast_1d(np.asarray(idx))
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"`{name}` must be a non-empty sequence of indices >= 0, got {idx!r}.")
    if len(set(arr.tolist())) != arr.size:
        raise ValueError(f"`{name}` repeats an index: {idx!r}.")
    return tuple(int(i) for i in arr)


class ParameterFit(eqx.Module):
    """Result of ``fit_parameters``.

    Attributes:
        names: the fitted parameters, in the order of ``initial``.
        values: (P,) best-fit values.
        errors: (P,) standard errors, sqrt(diag(covariance)).
        covariance: (P, P) Gauss-Newton covariance in the parameters themselves: C = D (J^T J)^-1 D with
            J the Jacobian of the weighted residuals with respect to the internal parameters (log p for
            positive ones) and D = diag(dp / dz) (= p for log parameters): the linear error propagation
            of the log fit. Not rescaled by chi^2 / dof.
        log_covariance: (P, P) (J^T J)^-1 in the internal parameters (log p), where a log-normal reading of
            large relative errors belongs.
        chi2: sum of squared weighted residuals at the best fit.
        dof: degrees of freedom, number of data - P.
        residuals: (D,) (model - data) / err, temperatures then fluxes.
        model: (D,) the model's values there (same order as ``measured.data()``).
        measured: the ``Measurement`` fitted.
        system: ``build(best-fit values)``.
        initial: (P,) the starting values.
        chi2_history: chi^2 at every accepted iterate (optax steps, then Levenberg-Marquardt).
        converged: whether Levenberg-Marquardt met its tolerance (the Gauss-Newton step lowers chi^2 by
            less than 1e-9).
        n_steps: optax steps + Levenberg-Marquardt iterations.
    """

    names: tuple[str, ...] = eqx.field(static=True)
    values: Float[Array, " P"]
    errors: Float[Array, " P"]
    covariance: Float[Array, "P P"]
    log_covariance: Float[Array, "P P"]
    chi2: Float[Array, ""]
    dof: int = eqx.field(static=True)
    residuals: Float[Array, " D"]
    model: Float[Array, " D"]
    measured: Measurement
    system: System
    initial: Float[Array, " P"]
    chi2_history: Float[Array, " S"]
    converged: Bool[Array, ""]
    n_steps: int = eqx.field(static=True)

    @property
    def correlation(self) -> Float[Array, "P P"]:
        """(P, P) correlation matrix C_ij / (err_i err_j)."""
        return self.covariance / jnp.outer(self.errors, self.errors)

    @property
    def chi2_per_dof(self) -> Float[Array, ""]:
        """chi^2 / dof, about 1 (+- sqrt(2 / dof)) when the model and the error bars are right."""
        return self.chi2 / self.dof

    @property
    def p_value(self) -> Float[Array, ""]:
        """P(chi^2_dof >= chi2): the probability of a worse fit by chance (regularized upper gamma)."""
        return jax.scipy.special.gammaincc(self.dof / 2.0, self.chi2 / 2.0)

    def __getitem__(self, name: str) -> Float[Array, ""]:
        return self.values[self._index(name)]

    def error(self, name: str) -> Float[Array, ""]:
        """Standard error of one parameter."""
        return self.errors[self._index(name)]

    def as_dict(self) -> dict[str, float]:
        """{name: value}."""
        return {n: float(v) for n, v in zip(self.names, self.values)}

    def _index(self, name):
        if name not in self.names:
            raise KeyError(f"no parameter {name!r}; fitted: {self.names}.")
        return self.names.index(name)

    def __str__(self) -> str:
        w = max(len(n) for n in self.names)
        lines = [
            f"ParameterFit({len(self.names)} parameters, {self.measured.n_data} data): chi^2 = "
            f"{float(self.chi2):.4g}, dof = {self.dof}, chi^2/dof = {float(self.chi2_per_dof):.3f}, "
            f"p = {float(self.p_value):.3g}, {'converged' if bool(self.converged) else 'NOT converged'}"
        ]
        for n, v, e in zip(self.names, np.asarray(self.values), np.asarray(self.errors)):
            rel = f"({abs(e / v):.2%})" if v != 0 else ""
            lines.append(f"  {n:<{w}} = {v:.6g} +- {e:.2g} {rel}")
        if len(self.names) > 1:
            lines.append("  correlations:")
            lines.append("  " + " " * w + "".join(f" {n:>8.8}" for n in self.names))
            for n, row in zip(self.names, np.asarray(self.correlation)):
                lines.append(f"  {n:<{w}}" + "".join(f" {c:8.3f}" for c in row))
        return "\n".join(lines)


def fit_parameters(
    measured: Measurement | SimulationResult,
    build: Callable[[dict[str, Float[Array, ""]]], System],
    initial: Mapping[str, float],
    *,
    linear: tuple[str, ...] = (),
    optimizer: optax.GradientTransformation | None = None,
    steps: int = 0,
    max_lm_steps: int = 100,
    progress: bool = True,
) -> ParameterFit:
    """Fit model parameters to a measured temperature profile and flux by weighted least squares.

    chi^2(p) = sum_i [(y_i(p) - d_i) / sigma_i]^2, y(p) the exact steady state of ``build(p)``
    (``negf_steady_state``: kinetic temperatures and bath fluxes, CONVENTIONS "Observables"), d the
    measurement and sigma its standard errors. Every parameter is fitted as z = log p (so it stays > 0)
    unless named in ``linear`` (z = p).

    Method:

    1. Optionally ``steps`` optax steps on z with the gradient 2 J^T r (r the weighted residuals,
       J = dr/dz by ``jax.jacfwd`` through the engine, implicit in its poles), for rugged chi^2 surfaces
       or a general optax pipeline; the best point is kept.
    2. Levenberg-Marquardt: (J^T J + lambda diag J^T J) dz = -J^T r, each step capped at 1 in every
       internal parameter (a factor e in p), accepted when chi^2 drops, until the Gauss-Newton step
       would lower chi^2 by less than 1e-9. Measured on the mean-field chain (N = 16, gamma, k, k0 from
       guesses off by factors 2-10): 8-48 iterations to the same minimum; 50 Adam steps first change
       nothing but the cost, hence ``steps = 0`` by default.
    3. Covariance: (J^T J)^-1 in z (the inverse Gauss-Newton Hessian of chi^2 / 2), propagated to p with
       dp/dz; errors = sqrt of its diagonal; correlations; chi^2 / dof with dof = number of data - P.
       The errors assume independent Gaussian data; they are not rescaled by chi^2 / dof. Parameter
       combinations the data do not constrain raise a warning (J^T J singular to 1e-12).

    With the simulation's own error bars a good fit has chi^2 / dof = 1 +- sqrt(2 / dof). Temperatures of
    the same trajectories are correlated; independent trajectories keep them nearly independent, but
    systematic errors (``dt``, a ``t_relax`` shorter than ``slowest_relaxation_time``, bath-decoupled
    modes of the equal-mass mean-field bulk, which the exact engine keeps at zero energy from rest) show
    up as chi^2 / dof > 1.

    Arguments:
        measured: a ``Measurement``, or a ``jl.SimulationResult`` (all temperatures and the flux of bath
            0, ``Measurement.from_simulation``).
        build: params -> ``jl.System``, where params is a dict {name: scalar array}; it is traced
            (jacfwd), so it must build the System from the given values with jnp operations.
        initial: {name: starting value}; P >= 1 parameters, values > 0 unless in ``linear``.
        linear: names of parameters fitted as they are (may take any sign).
        optimizer: optax transformation of step 1 (default ``optax.adam(0.05)``: steps of 5% in each log
            parameter).
        steps: optax steps before Levenberg-Marquardt (default 0).
        max_lm_steps: most Levenberg-Marquardt iterations.
        progress: show a progress bar (tqdm, on stderr).

    Returns a ``ParameterFit`` (``print`` it for the table).

    Cost: one Jacobian per step, P forward passes through the engine (~2 ms at N = 64 with P = 3 on a
    CPU), plus one compilation (seconds) shared by calls with the same ``build`` and data layout.

    Example:
        >>> def build(p):
        ...     return jl.System(masses, jl.MeanField(p["k"]) + jl.Pinning(p["k0"]),
        ...                      jl.intensive(N, (1.5, 0.5), p["gamma"]))
        >>> fit = jl.design.fit_parameters(res, build, {"gamma": 0.5, "k": 2.0, "k0": 0.05})
        >>> print(fit)           # values +- errors, chi^2 / dof, correlations
    """
    if isinstance(measured, SimulationResult):
        measured = Measurement.from_simulation(measured)
    if not isinstance(measured, Measurement):
        raise ValueError(
            f"`measured` must be a jl.design.Measurement or a jl.SimulationResult, got {type(measured).__name__}."
        )
    if not callable(build):
        raise ValueError(f"`build` must be a function params -> jl.System, got {type(build).__name__}.")
    if not isinstance(initial, Mapping) or len(initial) == 0:
        raise ValueError(f"`initial` must be a non-empty dict {{name: value}}, got {initial!r}.")
    names = tuple(initial)
    for n in names:
        if not isinstance(n, str):
            raise ValueError(f"`initial` keys must be parameter names (str), got {n!r}.")
    linear = (linear,) if isinstance(linear, str) else tuple(linear)
    unknown = [n for n in linear if n not in names]
    if unknown:
        raise ValueError(f"`linear` names {unknown}, which are not in `initial` ({list(names)}).")
    is_log = tuple(n not in linear for n in names)
    p0 = np.empty(len(names))
    for i, n in enumerate(names):
        v = np.asarray(initial[n], dtype=float)
        if v.shape != () or not np.isfinite(v) or (is_log[i] and v <= 0):
            allowed = "a finite scalar" + (" > 0 (fitted as log; name it in `linear` otherwise)" if is_log[i] else "")
            raise ValueError(f"`initial[{n!r}]` must be {allowed}, got {initial[n]!r}.")
        p0[i] = v
    for name, val, lo in (("steps", steps, 0), ("max_lm_steps", max_lm_steps, 1)):
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool) or val < lo:
            raise ValueError(f"`{name}` must be an integer >= {lo}, got {val!r}.")
    if optimizer is None:
        optimizer = _DEFAULT_OPTIMIZER
    elif not isinstance(optimizer, optax.GradientTransformation):
        raise ValueError(f"`optimizer` must be an optax.GradientTransformation, got {optimizer!r}.")
    dof = measured.n_data - len(names)
    if dof < 1:
        raise ValueError(
            f"`measured` has {measured.n_data} data for {len(names)} parameters: a fit with error bars needs "
            "more data than parameters (dof >= 1)."
        )
    _check_layout(measured, build, dict(zip(names, p0)))

    dtype = jnp.result_type(float)
    z = jnp.asarray(np.where(is_log, np.log(np.abs(p0)), p0), dtype)

    def evaluate(z, trial=True):
        """Residuals, Jacobian, engine rounding / sigma, pole search converged; None where not finite or
        where ``build`` refuses the values (a trial point outside the model's domain)."""
        try:
            r, jac, model_err, ok = _residuals_and_jacobian(z, build, names, is_log, measured)
        except eqx.EquinoxRuntimeError:
            if not trial:
                raise
            return None
        r, jac = np.asarray(r), np.asarray(jac)
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(jac)) and bool(ok)):
            return None
        return r, jac, float(model_err), bool(ok)

    bar = _progress(progress, steps + max_lm_steps)
    history = []
    try:
        first = evaluate(z, trial=False)
        if first is None:
            raise ValueError(
                f"the model at `initial` = {dict(initial)!r} is not usable: non-finite, or the exact engine's "
                "pole search failed or its fluxes do not balance."
            )
        r, jac, _, _ = first
        best = (float(r @ r), z)
        history.append(best[0])
        opt_state = optimizer.init(z)
        for _ in range(steps):
            grad = jnp.asarray(2.0 * jac.T @ r, dtype)
            updates, opt_state = optimizer.update(grad, opt_state, z)
            z = optax.apply_updates(z, updates)
            here = evaluate(z)
            if here is None:  # e.g. a parameter driven towards 0 (a free translation): LM takes over
                break
            r, jac, _, _ = here
            chi2 = float(r @ r)
            history.append(chi2)
            if chi2 < best[0]:
                best = (chi2, z)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(chi2=f"{chi2:.6g}", refresh=False)
        z = best[1]
        r, jac, model_err, _ = evaluate(z)  # valid: it was evaluated before
        chi2, lam, converged, lm_steps = float(r @ r), 1e-3, False, 0
        for lm_steps in range(1, max_lm_steps + 1):
            a, b = jac.T @ jac, jac.T @ r
            if _gauss_newton_decrease(a, b) < _CHI2_TOL:
                converged = True
                break
            dz = np.linalg.solve(a + lam * np.diag(np.diag(a)) + 1e-300 * np.eye(len(b)), -b)
            dz *= min(1.0, _MAX_STEP / np.max(np.abs(dz)))  # trust region: p changes by at most a factor e
            trial = evaluate(z + dz)
            chi2_try = np.inf if trial is None else float(trial[0] @ trial[0])
            if chi2_try < chi2:
                r_try, jac_try, err_try, _ = trial
                z, r, jac, chi2, model_err = z + dz, r_try, jac_try, chi2_try, err_try
                lam = max(lam / 10.0, 1e-12)
                history.append(chi2)
            else:
                lam *= 10.0
                if lam > 1e12:
                    break
            if bar is not None:
                bar.update(1)
                bar.set_postfix(chi2=f"{chi2:.6g}", refresh=False)
    finally:
        if bar is not None:
            bar.close()

    if model_err > 0.1:
        warnings.warn(
            f"fit_parameters: the exact engine's rounding estimate reaches {model_err:.2g} of a measurement "
            "error (nearly bath-decoupled modes, see `temperature_error`); the fit cannot be trusted to that level.",
            RuntimeWarning,
            stacklevel=2,
        )
    if not converged:
        warnings.warn(
            f"fit_parameters: Levenberg-Marquardt did not converge in {lm_steps} iterations (chi^2 = {chi2:.6g}).",
            RuntimeWarning,
            stacklevel=2,
        )
    log_cov = _inverse_hessian(jac, names)
    p = np.asarray(_params_array(z, is_log))
    dpdz = np.where(is_log, p, 1.0)
    cov = log_cov * np.outer(dpdz, dpdz)
    data, errs = measured.data()
    params = _params(names, is_log, z)
    return ParameterFit(
        names=names,
        values=jnp.asarray(p, dtype),
        errors=jnp.asarray(np.sqrt(np.diag(cov)), dtype),
        covariance=jnp.asarray(cov, dtype),
        log_covariance=jnp.asarray(log_cov, dtype),
        chi2=jnp.asarray(chi2, dtype),
        dof=dof,
        residuals=jnp.asarray(r, dtype),
        model=jnp.asarray(data + r * errs, dtype),
        measured=measured,
        system=build(params),
        initial=jnp.asarray(p0, dtype),
        chi2_history=jnp.asarray(history, dtype),
        converged=jnp.asarray(converged),
        n_steps=steps + lm_steps,
    )


_DEFAULT_OPTIMIZER = optax.adam(0.05)


def _params_array(z, is_log):
    return jnp.stack([jnp.exp(z[i]) if lg else z[i] for i, lg in enumerate(is_log)])


def _params(names, is_log, z) -> dict:
    p = _params_array(jnp.asarray(z), is_log)
    return {n: p[i] for i, n in enumerate(names)}


@eqx.filter_jit
def _residuals_and_jacobian(z, build, names, is_log, measured):
    """Weighted residuals r = (y(p) - d) / sigma at p = p(z), their Jacobian dr/dz (forward mode: P passes),
    the largest engine rounding estimate in units of sigma, and whether the engine's fluxes balance
    (``jaxlangevin._mass_design.balanced``)."""
    data, errs = measured.data()

    def residuals(z):
        system = build(_params(names, is_log, z))
        if not isinstance(system, System):
            raise ValueError(f"`build` must return a jl.System, got {type(system).__name__}.")
        ss = negf_steady_state(system)
        model, model_err = measured.model(ss)
        r = (model - data) / errs
        return r, (r, jnp.max(model_err / errs), balanced(ss))

    jac, (r, model_err, ok) = jax.jacfwd(residuals, has_aux=True)(z)
    return r, jac, model_err, ok


def _gauss_newton_decrease(a, b) -> float:
    """chi^2 decrease promised by the full Gauss-Newton step, b^T A^-1 b (A = J^T J, b = J^T r)."""
    s = np.sqrt(np.maximum(np.diag(a), 1e-300))
    try:
        return float(b @ np.linalg.solve(a, b)) if np.all(s > 0) else np.inf
    except np.linalg.LinAlgError:
        return np.inf


def _inverse_hessian(jac, names):
    """(J^T J)^-1 by the eigen-decomposition of the diagonally scaled matrix; warns if nearly singular."""
    a = jac.T @ jac
    s = np.sqrt(np.diag(a))
    if np.any(s == 0):
        bad = [n for n, si in zip(names, s) if si == 0]
        warnings.warn(f"fit_parameters: the data do not depend on {bad}: their errors are infinite.",
                      RuntimeWarning, stacklevel=3)
        s = np.where(s == 0, 1.0, s)
    scaled = a / np.outer(s, s)
    w, v = np.linalg.eigh(scaled)
    if w[0] <= _IDENTIFIABILITY_RTOL * w[-1]:
        combo = ", ".join(f"{c:+.2f} {n}" for c, n in zip(v[:, 0], names))
        warnings.warn(
            f"fit_parameters: the data barely constrain the combination ({combo}) of the internal parameters "
            "(log p): J^T J is singular to 1e-12; the errors along it are not meaningful.",
            RuntimeWarning,
            stacklevel=3,
        )
        w = np.maximum(w, _IDENTIFIABILITY_RTOL * w[-1])
    inv = (v / w) @ v.T
    return inv / np.outer(s, s)


def _check_layout(measured, build, params):
    """Build the System once with concrete values and check the data fit its sites and baths."""
    system = build({n: jnp.asarray(v) for n, v in params.items()})
    if not isinstance(system, System):
        raise ValueError(f"`build` must return a jl.System, got {type(system).__name__}.")
    n, n_baths = system.n_sites, len(system.baths)
    if measured.temperature is not None:
        if measured.sites is None and measured.temperature.shape[0] != n:
            raise ValueError(
                f"`measured.temperature` has {measured.temperature.shape[0]} sites, but `build` gives N = {n} "
                "(pass `sites` to the Measurement for a subset)."
            )
        if measured.sites is not None and max(measured.sites) >= n:
            raise ValueError(f"`measured.sites` contains {max(measured.sites)}, outside 0..N-1 = 0..{n - 1}.")
    if measured.flux is not None and max(measured.flux_baths) >= n_baths:
        raise ValueError(f"`measured.flux_baths` = {measured.flux_baths}, but `build` gives {n_baths} baths.")


def _progress(show, total):
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", desc="fit_parameters", file=sys.stderr, leave=False)
