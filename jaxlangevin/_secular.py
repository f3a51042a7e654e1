"""Poles of the Green's function of a diagonal-plus-rank-one system, found all at once.

For Phi = diag(c) - u 1 1^T with Ohmic friction gamma_n on site n (CONVENTIONS "Fourier transform"),

    Z(w) = diag(a_n(w)) - u 1 1^T,   a_n(w) = c_n - w^2 m_n - i w gamma_n,
    G(w) = Z^{-1} = diag(1/a) + u (1/a)(1/a)^T / h(w),   h(w) = 1 - u sum_n 1/a_n(w)   (Sherman-Morrison).

Sites with equal (c, m) (to ``GROUP_RTOL``, a few ulp) and bath membership form a group g of size w_g. Then
det Z = prod_g a_g^(w_g - 1) * p(w) with

    p(w) = prod_g a_g(w) * h(w),   a polynomial of degree 2 R (R = number of groups),

whose 2 R zeros are the bright poles of G (zeros of h) provided no two groups share a_g(w); the factors
a_g^(w_g - 1) are modes inside a group orthogonal to its uniform vector: decoupled from everything else
(dark in the bulk; independent oscillators at their baths' temperature when the group is damped).
We find the zeros of p with the Aberth-Ehrlich simultaneous iteration, evaluating
only the logarithmic derivative p'/p = sum_g a_g'/a_g + h'/h: O(R) per root and O(R^2) per sweep,
never forming polynomial coefficients. Initial guesses use the interlacing of the undamped roots with
the group frequencies sqrt(c_g / m_g). A translation-invariant system (no pinning, no walls) has the
exact root w = 0, which is kept fixed. The iteration stops when every step is below rounding or below the
noise with which double precision evaluates h there; roots that double precision cannot place to rounding
(a close pair, near critical damping of a collective mode) are then Newton-polished with h evaluated in
double-double (``jaxlangevin._double_double``): every root ends correctly rounded, or ``converged`` is
False.

Derivatives of the roots are implicit (custom JVP): h(lambda(theta); theta) = 0 gives
d lambda = -(dh/dtheta) / h'(lambda), so gradients never go through the iterations.
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from . import _double_double as dd
from ._chunks import map_poles


class Groups(eqx.Module):
    """Sites grouped by equal (c, m, bath membership), c and m to ``GROUP_RTOL``: group values, weights,
    site -> group map.

    Sites of one group are exchangeable (mean-field couples all sites alike), so every result is
    symmetric within a group and group values carry the group-mean derivative exactly. With concrete
    inputs the groups are compacted (R <= N entries); with traced inputs R = N and padding groups
    have weight 0, so shapes stay static under jit.
    """

    c: jax.Array  # (R,)
    m: jax.Array  # (R,)
    gamma: jax.Array  # (R,)
    weight: jax.Array  # (R,) float: group size, 0 for padding
    site_group: jax.Array  # (N,) int: group of each site
    code: jax.Array  # (R,) int: bath-membership code of the group (-1 for padding)


def _group_value(x, gid, counts, rep):
    """Value of x on each group, with the group-mean derivative: bitwise the value of its representative
    site ``rep`` when the group's values are equal (x[rep] + mean(x - x[rep]) adds exact zeros in the
    forward pass; a plain mean would differ between groups of different sizes by an ulp), their mean
    when they were merged to ``GROUP_RTOL``."""
    r = rep.shape[0]
    base = x[rep]
    s = jax.ops.segment_sum(x - base[gid], gid, num_segments=r)
    return base + s / jnp.where(counts > 0, counts, 1)


#: sites of one bath membership whose c and m agree to this relative tolerance form one group. Closer
#: than this, two sites' a_n(w) share their zeros to rounding: the secular root between them cannot be
#: placed (found with masses one ulp apart: a root exactly on a_n's zero, NaN). Merging changes c and m
#: by at most this much (flux by ~1e-15 relative); the mode between the merged sites is then exactly
#: dark, and ``near_tie_groups`` marks the undamped groups where it should, after ~1/dm^2 time
#: units, have taken up energy.
GROUP_RTOL = 16 * float(np.finfo(np.float64).eps)


def _runs(keys, tol, xp):
    """Labels 0, 1, ... of the runs of sorted ``keys`` (columns: exact key, then value) in which each
    value is within ``tol`` (relative) of the previous one and the exact key does not change."""
    exact, x = keys
    close = xp.abs(x[1:] - x[:-1]) <= tol * xp.maximum(xp.abs(x[1:]), xp.abs(x[:-1]))
    new = xp.concatenate([xp.ones((1,), bool), (exact[1:] != exact[:-1]) | ~close])
    return xp.cumsum(new) - 1


def _cluster(c, m, code, tol, xp):
    """Site -> group labels (0..R-1): same ``code``, c and m each chained within ``tol``; also the sort
    order and sorted labels. Two passes (m within code, then c within those) so that a site of another
    code or another stiffness never splits a run of near-equal masses."""
    n = c.shape[0]
    order = xp.lexsort((m, code))
    run_m = _runs((code[order], m[order]), tol, xp)
    by_m = xp.zeros((n,), run_m.dtype)
    by_m = by_m.at[order].set(run_m) if xp is jnp else _scatter(by_m, order, run_m)
    order = xp.lexsort((c, by_m))
    gid_sorted = _runs((by_m[order], c[order]), tol, xp)
    site_group = xp.zeros((n,), gid_sorted.dtype)
    site_group = site_group.at[order].set(gid_sorted) if xp is jnp else _scatter(site_group, order, gid_sorted)
    return site_group, order, gid_sorted


def _scatter(target, index, values):
    target[index] = values
    return target


def group_sites(c, m, gamma, code, tol: float = GROUP_RTOL) -> Groups:
    """Group sites with the same bath membership ``code`` (static ints) and c, m equal to ``tol``
    (relative; ``GROUP_RTOL``). Group values: ``_group_value`` (the mean, with the group-mean derivative).
    Same groups, in the same order, for concrete and traced inputs (traced: padded to N)."""
    code = np.asarray(code)
    n = c.shape[0]
    if all(not isinstance(x, jax.core.Tracer) for x in (c, m, gamma)):
        gid, order, gid_sorted = _cluster(np.asarray(c), np.asarray(m), code, tol, np)
        r = int(gid_sorted[-1]) + 1 if n else 0
        counts = np.bincount(gid, minlength=r)
        first = np.full(r, n, dtype=int)
        np.minimum.at(first, gid, np.arange(n))
        gid_j, cnt, rep = jnp.asarray(gid), jnp.asarray(counts, c.dtype), jnp.asarray(first)
        return Groups(_group_value(c, gid_j, cnt, rep), _group_value(m, gid_j, cnt, rep),
                      _group_value(gamma, gid_j, cnt, rep), cnt, gid_j, jnp.asarray(code[first]))
    cj = jnp.asarray(code)
    site_group, _, _ = _cluster(c, m, cj, tol, jnp)
    counts = jax.ops.segment_sum(jnp.ones((n,), c.dtype), site_group, num_segments=n)
    live = counts > 0
    gcode = jnp.where(live, jax.ops.segment_max(cj, site_group, num_segments=n), -1)
    rep = jnp.where(live, jax.ops.segment_min(jnp.arange(n), site_group, num_segments=n), 0)
    # padding groups (weight 0): values whose a_g(z) = 1 - z^2 - i z has no real zero. Undamped padding
    # (gamma = 0) vanished at z = +-1, the placeholder of inactive poles, and 0 / 0 turned every traced
    # result with padding into NaN (found when jit(negf_steady_state) met masses equal but one).
    cm = jnp.where(live, _group_value(c, site_group, counts, rep), 1.0)
    mm = jnp.where(live, _group_value(m, site_group, counts, rep), 1.0)
    gm = jnp.where(live, _group_value(gamma, site_group, counts, rep), 1.0)
    return Groups(cm, mm, gm, counts, site_group, gcode)


def near_tie_groups(g: Groups, c, m):
    """(R,) bool: undamped groups of >= 2 sites whose c or m are not all bitwise equal (merged to
    ``GROUP_RTOL``). Their internal modes are nearly dark, not dark: coupled to the bright ones at
    O(dm), they would take up energy over ~1/dm^2 time units (>~ 1e28 here), which the engine, treating
    them as dark, leaves out."""
    r = g.c.shape[0]
    sg = g.site_group
    unequal = [jax.ops.segment_max(x, sg, num_segments=r) != jax.ops.segment_min(x, sg, num_segments=r) for x in (c, m)]
    return (g.weight >= 2) & (g.gamma == 0) & (unequal[0] | unequal[1])


#: relative tolerance on (c, m, gamma) within which two damped groups of different bath membership count
#: as coincident (``coincident_damped_groups``): nearer, the secular form loses ~1e-16 / delta of the
#: temperatures (measured at N = 8, end masses delta apart: 1.6e-11 at 1e-5, 1e-6 at 1e-10, stated in
#: ``temperature_error``) and its roots sit between two zeros of a_g an ulp apart (flux off by 12% at
#: delta = 5e-16 before); the collective-mode form is exact there (1e-13)
COINCIDENT_RTOL = 1e-5


def coincident_damped_groups(g: Groups, tol: float = COINCIDENT_RTOL):
    """True if two damped groups of different bath membership have equal (c, m, gamma) to ``tol``.

    Then a_g(w) (nearly) coincide and the secular form is singular (ill-conditioned) at their common
    zeros (a mode antisymmetric between the two groups); the caller must use the modal method on the
    collective coordinates.
    """
    damped = (g.weight > 0) & (g.gamma > 0)

    def near(x):
        return jnp.abs(x[:, None] - x[None, :]) <= tol * jnp.maximum(jnp.abs(x[:, None]), jnp.abs(x[None, :]))

    same = near(g.c) & near(g.m) & near(g.gamma)
    pair = same & damped[:, None] & damped[None, :] & (g.code[:, None] != g.code[None, :])
    return jnp.any(pair)


def _a(z, c, m, gamma):
    """a_g(z) for every pair (z_k, group g): shape (K, R)."""
    z = z[:, None]
    return c[None, :] - z * z * m[None, :] - 1j * z * gamma[None, :]


def secular(z, u, g: Groups):
    """h(z) = 1 - u sum_g w_g / a_g(z), shape of z. O(len(z) R), chunked."""
    f = lambda zc: 1.0 - u * jnp.sum(g.weight[None, :] / _a(zc, g.c, g.m, g.gamma), axis=1)  # noqa: E731
    return map_poles(f, z, width=g.c.shape[0])


def secular_derivative(z, u, g: Groups):
    """h'(z) = u sum_g w_g a_g'(z) / a_g(z)^2 with a_g' = -2 z m_g - i gamma_g."""

    def f(zc):
        a = _a(zc, g.c, g.m, g.gamma)
        da = -2 * zc[:, None] * g.m[None, :] - 1j * g.gamma[None, :]
        return u * jnp.sum(g.weight[None, :] * da / (a * a), axis=1)

    return map_poles(f, z, width=g.c.shape[0])


def _log_derivative(z, u, g: Groups):
    return map_poles(lambda zc: _log_derivative_dense(zc, u, g), z, width=g.c.shape[0])


def _repulsion(z, counts):
    """sum_{j != k, counts_j} 1/(z_k - z_j), chunked over k."""
    idx = jnp.arange(z.shape[0])

    def f(zc, ic):
        diff = zc[:, None] - z[None, :]
        keep = counts[None, :] & (ic[:, None] != idx[None, :])
        return jnp.sum(jnp.where(keep, 1.0 / jnp.where(keep, diff, 1.0), 0.0), axis=1)

    return map_poles(f, z, idx, width=z.shape[0])


def _log_derivative_dense(z, u, g: Groups):
    """p'(z)/p(z) = sum_{g: w_g > 0} a_g'/a_g + h'/h, one fused pass over the groups; and the rounding
    noise of a Newton step on h at z, eps (1 + |u| sum_g w_g / |a_g|) / |h'|: how well double precision
    can place a root there (large for a close pair of roots, where h' is small)."""
    a = _a(z, g.c, g.m, g.gamma)
    inv = 1.0 / a
    da = -2 * z[:, None] * g.m[None, :] - 1j * g.gamma[None, :]
    live = (g.weight > 0)[None, :]
    s1 = jnp.sum(jnp.where(live, da * inv, 0), axis=1)
    s0 = jnp.sum(g.weight[None, :] * inv, axis=1)
    s2 = jnp.sum(g.weight[None, :] * da * inv * inv, axis=1)
    eps = jnp.finfo(g.c.dtype).eps
    size = 1.0 + jnp.abs(u) * jnp.sum(g.weight[None, :] * jnp.abs(inv), axis=1)
    noise = eps * size / jnp.abs(u * s2)
    return s1 + u * s2 / (1.0 - u * s0), jnp.where(jnp.isfinite(noise), noise, 0.0)


def _secular_accurate(z, u, g: Groups):
    """h(z) in double-double (``jaxlangevin._double_double``), returned rounded to double: accurate to ~eps
    of h itself rather than eps of its terms, so Newton steps place even an ill-conditioned root to the
    last bit. z, u and the group values are taken as exact. O(len(z) R), ~30 plain passes."""
    x, y = dd.const(z.real[:, None]), dd.const(z.imag[:, None])
    c, m, gam, w = (dd.const(v[None, :]) for v in (g.c, g.m, g.gamma, g.weight))
    # a = c - m (x^2 - y^2) + gamma y - i x (2 m y + gamma)
    re = dd.add(dd.add(c, dd.neg(dd.mul(dd.mul(x, x), m))), dd.add(dd.mul(dd.mul(y, y), m), dd.mul(gam, y)))
    im = dd.neg(dd.mul(x, dd.add(dd.mul(dd.const(2 * g.m[None, :]), y), gam)))
    den = dd.add(dd.mul(re, re), dd.mul(im, im))
    live = (g.weight > 0)[None, :]
    safe = (jnp.where(live & (den[0] > 0), den[0], 1.0), jnp.where(live & (den[0] > 0), den[1], 0.0))
    # a zero of a live a_g exactly at z: h is infinite there (its Newton step is 0)
    hit = jnp.any(live & (den[0] == 0), axis=1)
    s_re = dd.sum_last_axis(dd.div(dd.mul(w, re), safe))
    s_im = dd.sum_last_axis(dd.div(dd.mul(w, im), safe))  # sum w / a = sum w conj(a) / |a|^2
    uu = dd.const(u)
    h_re = dd.add(dd.const(jnp.ones_like(z.real)), dd.neg(dd.mul(uu, s_re)))
    h_im = dd.mul(uu, s_im)
    h = h_re[0] + 1j * h_im[0]
    return jnp.where(hit, jnp.inf, h)


#: roots whose double-precision noise exceeds this many eps |z| are polished in double-double
_POLISH_NOISE = 4.0
#: roots polished per batch (the few of a close pair; batches repeat while any are left)
_POLISH_BATCH = 16
#: most double-double Newton steps per root (quadratic convergence from the double-precision root)
_POLISH_STEPS = 8


def _polish(z, ill, roots, u, g: Groups):
    """Newton steps on h in double-double for the roots ``ill``, until a step is below rounding.

    A root that double precision cannot place (close pair: the region where h vanishes to rounding
    spans up to ~sqrt(eps) |z| around a nearly double root) is taken from wherever the iteration left it
    to its value rounded to double. Returns the roots and whether every polished root passed: a last
    step below 4 eps |z|, moved by less than 1e-3 |z| (else Newton went to another root) and distinct
    from every other root in ``roots`` (mask; else two iterates went to the same root). Only flagged roots
    cost double-double work, in batches of ``_POLISH_BATCH`` (usually one batch: the close pair)."""
    eps = jnp.finfo(g.c.dtype).eps
    k = z.shape[0]
    b = min(k, _POLISH_BATCH)
    order = jnp.argsort(~ill, stable=True)  # flagged roots first
    pad = (-k) % b
    order = jnp.concatenate([order, jnp.full((pad,), k, order.dtype)])  # index k: out of range, dropped
    flagged = jnp.concatenate([ill[order[:k]], jnp.zeros((pad,), bool)])
    n_batches = (jnp.sum(ill) + b - 1) // b

    def newton(zb, sel):
        step = _secular_accurate(zb, u, g) / secular_derivative(zb, u, g)
        return jnp.where(sel & jnp.isfinite(step), step, 0.0)

    def body(state):
        i, z, ok = state
        idx = jax.lax.dynamic_slice(order, (i * b,), (b,))
        sel = jax.lax.dynamic_slice(flagged, (i * b,), (b,))
        z0 = z.at[idx].get(mode="fill", fill_value=1.0)

        def more(c):
            zc, step, j = c
            return (j < _POLISH_STEPS) & jnp.any(jnp.abs(step) > 2 * eps * jnp.abs(zc))

        def newton_step(c):
            zc, _, j = c
            step = newton(zc, sel)
            return zc - step, step, j + 1

        zb, _, _ = jax.lax.while_loop(more, newton_step, (z0, jnp.full_like(z0, jnp.inf), 0))
        z = z.at[idx].set(zb, mode="drop")
        others = roots[None, :] & (idx[:, None] != jnp.arange(k)[None, :])
        gap = jnp.min(jnp.where(others, jnp.abs(zb[:, None] - z[None, :]), jnp.inf), axis=1)
        good = ((jnp.abs(newton(zb, sel)) <= 4 * eps * jnp.abs(zb)) & (jnp.abs(zb - z0) <= 1e-3 * jnp.abs(z0))
                & (gap > 16 * eps * jnp.abs(zb)))
        return i + 1, z, ok & jnp.all(good | ~sel)

    _, z, ok = jax.lax.while_loop(lambda s: s[0] < n_batches, body, (jnp.zeros((), n_batches.dtype), z,
                                                                     jnp.asarray(True)))
    return z, ok


class RootInfo(eqx.Module):
    """Roots of p in the lower half plane with a mask of the real ones (padding/fixed roots excluded)."""

    roots: jax.Array  # (2R,) complex
    active: jax.Array  # (2R,) bool: a true zero of h to include in residue sums
    iterations: jax.Array
    converged: jax.Array


def _initial_guesses(u, g: Groups, translation_invariant):
    """Interlacing guesses: one pair +-nu in each gap of the sorted group frequencies, one below."""
    dtype = g.c.dtype
    live = g.weight > 0
    nu = jnp.sqrt(jnp.maximum(g.c, 0) / g.m)
    nu_sorted = jnp.sort(jnp.where(live, nu, jnp.inf))
    r = nu.shape[0]
    prev = jnp.concatenate([jnp.zeros((1,), dtype), nu_sorted[:-1]])
    centre = jnp.where(jnp.arange(r) == 0, 0.5 * nu_sorted[0], 0.5 * (prev + nu_sorted))
    n_live = jnp.sum(live)
    ok = jnp.arange(r) < n_live
    total_m = jnp.sum(g.weight * g.m)
    rate = jnp.sum(g.weight * g.gamma) / (2 * total_m)  # mean damping rate
    spread = 1e-3 * (1.0 + jnp.arange(r, dtype=dtype) / r)
    imag = -(rate / jnp.maximum(n_live, 1) + spread * jnp.maximum(rate, 1e-3))
    plus = jnp.where(ok, centre, 0.0) + 1j * imag
    minus = -jnp.where(ok, centre, 0.0) + 1j * imag * 1.01
    # translation invariant: exact root 0 (fixed, not a pole of the integrands) and a guess
    # -i sum(gamma)/sum(m) for its partner (centre-of-mass velocity relaxation)
    first = (jnp.arange(r) == 0) & translation_invariant
    plus = jnp.where(first, 0.0, plus)
    minus = jnp.where(first, -1j * 2 * rate, minus)
    z = jnp.concatenate([plus, minus])
    fixed = jnp.concatenate([first, jnp.zeros_like(first)])
    active = jnp.concatenate([ok, ok]) & ~fixed
    # spread inactive padding far away so it never meets a live root
    pad = (jnp.arange(2 * r) + 1.0) * 1e3 * (1 + jnp.max(jnp.where(live, nu, 0))) * (1 - 1j)
    z = jnp.where(active | fixed, z, pad)
    return z.astype(jnp.result_type(dtype, 1j)), active, fixed


def _aberth(u, g: Groups, translation_invariant, max_iter: int):
    z0, active, fixed = _initial_guesses(u, g, translation_invariant)
    eps = jnp.finfo(g.c.dtype).eps
    counts = active | fixed

    def step(z):
        logd, noise = _log_derivative(z, u, g)
        # p(z) == 0 exactly gives an infinite/nan log-derivative: z is a root, the step is 0
        ratio = jnp.where(jnp.isfinite(logd), 1.0 / jnp.where(jnp.isfinite(logd), logd, 1.0), 0.0)
        rep = _repulsion(z, counts)
        dz = ratio / (1.0 - ratio * rep)
        dz = jnp.where(active & jnp.isfinite(dz), dz, 0.0)
        return z - dz, dz, noise

    def settled(z, dz, noise, rtol):
        # a step within rounding of |z|, or within the noise of h at z (a root that double precision
        # cannot place better: it is polished below); without the latter a close pair of roots kept the
        # loop to max_iter (found at N = 8; 400 sweeps at N = 4096 took minutes)
        return jnp.abs(dz) <= rtol * eps * jnp.maximum(jnp.abs(z), 1e-300) + 8 * noise

    def cond(state):
        z, dz, noise, it = state
        return (it < max_iter) & ~jnp.all(settled(z, dz, noise, 8) | ~active)

    def body(state):
        z, _, _, it = state
        z, dz, noise = step(z)
        return z, dz, noise, it + 1

    inf = jnp.full_like(z0, jnp.inf)
    z, dz, noise, it = jax.lax.while_loop(cond, body, (z0, inf, jnp.zeros_like(z0.real), jnp.zeros((), int)))
    # two polishing sweeps at full precision, then double-double Newton steps for the roots that double
    # precision cannot place to rounding (a close pair: their residues nearly cancel and amplify any
    # error in the roots; 1e-9 relative in the flux at N = 8 before)
    z, dz, noise = step(z)
    z, dz, noise = step(z)
    ill = active & (noise > _POLISH_NOISE * eps * jnp.abs(z))
    z, polished_ok = _polish(z, ill, counts, u, g)
    converged = jnp.all(settled(z, dz, noise, 16) | ~active | ill) & polished_ok
    return z, active, it, converged


@functools.partial(jax.custom_jvp, nondiff_argnums=(3,))
def _roots(u, g: Groups, translation_invariant, max_iter: int):
    z, active, it, conv = _aberth(u, g, translation_invariant, max_iter)
    return z, active, it, conv


@_roots.defjvp
def _roots_jvp(max_iter, primals, tangents):
    u, g, translation_invariant = primals
    du, dg, _ = tangents
    z, active, it, conv = _roots(u, g, translation_invariant, max_iter)
    zs = jax.lax.stop_gradient(z)
    dh = jax.jvp(lambda uu, gg: secular(zs, uu, gg), (u, g), (du, dg))[1]
    dz = -dh / secular_derivative(zs, u, g)
    dz = jnp.where(active, dz, 0.0)
    zero_bool = np.zeros(active.shape, dtype=jax.dtypes.float0)
    zero_int = np.zeros((), dtype=jax.dtypes.float0)
    return (z, active, it, conv), (dz, zero_bool, zero_int, zero_int)


def find_roots(u, g: Groups, translation_invariant, max_iter: int = 400) -> RootInfo:
    """All zeros of h in the lower half plane (differentiable in u and the group values).

    ``translation_invariant`` (scalar bool array): Phi 1 = 0 exactly, so z = 0 is a root; it is held
    fixed and excluded from the residue sums (the integrands are regular there).
    """
    g = eqx.tree_at(lambda x: x.weight, g, jax.lax.stop_gradient(g.weight))
    gs = Groups(g.c, g.m, g.gamma, g.weight, jnp.zeros((0,), int), jnp.zeros((0,), int))  # maps: not inputs
    ti = jnp.asarray(translation_invariant, bool)
    z, active, it, conv = _roots(u, gs, ti, max_iter)
    return RootInfo(z, active, it, conv)
