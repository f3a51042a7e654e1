"""Poles of the Green's function of a diagonal-plus-rank-one system, found all at once.

For Phi = diag(c) - u 1 1^T with Ohmic friction gamma_n on site n (CONVENTIONS "Fourier transform"),

    Z(w) = diag(a_n(w)) - u 1 1^T,   a_n(w) = c_n - w^2 m_n - i w gamma_n,
    G(w) = Z^{-1} = diag(1/a) + u (1/a)(1/a)^T / h(w),   h(w) = 1 - u sum_n 1/a_n(w)   (Sherman-Morrison).

Sites with equal (c, m) and bath membership form a group g of size w_g. Then det Z = prod_g a_g^(w_g - 1) * p(w) with

    p(w) = prod_g a_g(w) * h(w),   a polynomial of degree 2 R (R = number of groups),

whose 2 R zeros are the bright poles of G (zeros of h) provided no two groups share a_g(w); the factors
a_g^(w_g - 1) are modes inside a group orthogonal to its uniform vector: decoupled from everything else
(dark in the bulk; independent oscillators at their baths' temperature when the group is damped).
We find the zeros of p with the Aberth-Ehrlich simultaneous iteration, evaluating
only the logarithmic derivative p'/p = sum_g a_g'/a_g + h'/h: O(R) per root and O(R^2) per sweep,
never forming polynomial coefficients. Initial guesses use the interlacing of the undamped roots with
the group frequencies sqrt(c_g / m_g). A translation-invariant system (no pinning, no walls) has the
exact root w = 0, which is kept fixed.

Derivatives of the roots are implicit (custom JVP): h(lambda(theta); theta) = 0 gives
d lambda = -(dh/dtheta) / h'(lambda), so gradients never go through the iterations.
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._chunks import map_poles


class Groups(eqx.Module):
    """Sites grouped by equal (c, m, bath membership): group values, weights, site -> group map.

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
    """Value of x on each group: bitwise the value of its representative site ``rep``, with the
    group-mean derivative (x[rep] + mean(x - x[rep]) adds exact zeros in the forward pass). A plain
    mean would differ between groups of different sizes by an ulp and hide exact coincidences."""
    r = rep.shape[0]
    base = x[rep]
    s = jax.ops.segment_sum(x - base[gid], gid, num_segments=r)
    return base + s / jnp.where(counts > 0, counts, 1)


def group_sites(c, m, gamma, code) -> Groups:
    """Group sites with bitwise-equal (c, m) and the same bath membership ``code`` (static ints)."""
    code = np.asarray(code)
    if all(not isinstance(x, jax.core.Tracer) for x in (c, m, gamma)):
        keys = np.stack([np.asarray(c), np.asarray(m), code.astype(float)], axis=1)
        _, first, inverse, counts = np.unique(keys, axis=0, return_index=True, return_inverse=True,
                                              return_counts=True)
        inverse = inverse.ravel()
        gid = jnp.asarray(inverse)
        cnt = jnp.asarray(counts, c.dtype)
        rep = jnp.asarray(first)
        return Groups(_group_value(c, gid, cnt, rep), _group_value(m, gid, cnt, rep),
                      _group_value(gamma, gid, cnt, rep), cnt, gid, jnp.asarray(code[first]))
    n = c.shape[0]
    cj = jnp.asarray(code)
    order = jnp.lexsort((cj, m, c))
    cs, ms, ks = c[order], m[order], cj[order]
    same = (cs[1:] == cs[:-1]) & (ms[1:] == ms[:-1]) & (ks[1:] == ks[:-1])
    new = jnp.concatenate([jnp.ones((1,), bool), ~same])
    gid_sorted = jnp.cumsum(new) - 1
    site_group = jnp.zeros((n,), int).at[order].set(gid_sorted)
    counts = jax.ops.segment_sum(jnp.ones((n,), c.dtype), site_group, num_segments=n)
    live = counts > 0
    gcode = jnp.where(live, jax.ops.segment_max(cj, site_group, num_segments=n), -1)
    rep = jnp.where(live, jax.ops.segment_min(order, gid_sorted, num_segments=n), 0)
    # padding groups (weight 0): values whose a_g(z) = 1 - z^2 - i z has no real zero. Undamped padding
    # (gamma = 0) vanished at z = +-1, the placeholder of inactive poles, and 0 / 0 turned every traced
    # result with padding into NaN (found when jit(negf_steady_state) met masses equal but one).
    cm = jnp.where(live, _group_value(c, site_group, counts, rep), 1.0)
    mm = jnp.where(live, _group_value(m, site_group, counts, rep), 1.0)
    gm = jnp.where(live, _group_value(gamma, site_group, counts, rep), 1.0)
    return Groups(cm, mm, gm, counts, site_group, gcode)


def coincident_damped_groups(g: Groups):
    """True if two damped groups of different bath membership have equal (c, m, gamma).

    Then a_g(w) coincide and the secular form is singular at their common zeros (a mode antisymmetric
    between the two groups); the caller must use the modal method on the collective coordinates.
    """
    damped = (g.weight > 0) & (g.gamma > 0)
    same = (g.c[:, None] == g.c[None, :]) & (g.m[:, None] == g.m[None, :]) & (g.gamma[:, None] == g.gamma[None, :])
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
    """p'(z)/p(z) = sum_{g: w_g > 0} a_g'/a_g + h'/h, one fused pass over the groups."""
    a = _a(z, g.c, g.m, g.gamma)
    inv = 1.0 / a
    da = -2 * z[:, None] * g.m[None, :] - 1j * g.gamma[None, :]
    live = (g.weight > 0)[None, :]
    s1 = jnp.sum(jnp.where(live, da * inv, 0), axis=1)
    s0 = jnp.sum(g.weight[None, :] * inv, axis=1)
    s2 = jnp.sum(g.weight[None, :] * da * inv * inv, axis=1)
    return s1 + u * s2 / (1.0 - u * s0)


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
        logd = _log_derivative(z, u, g)
        # p(z) == 0 exactly gives an infinite/nan log-derivative: z is a root, the step is 0
        ratio = jnp.where(jnp.isfinite(logd), 1.0 / jnp.where(jnp.isfinite(logd), logd, 1.0), 0.0)
        rep = _repulsion(z, counts)
        dz = ratio / (1.0 - ratio * rep)
        dz = jnp.where(active & jnp.isfinite(dz), dz, 0.0)
        return z - dz, dz

    def cond(state):
        z, dz, it = state
        small = jnp.abs(dz) <= 8 * eps * jnp.maximum(jnp.abs(z), 1e-300)
        return (it < max_iter) & ~jnp.all(small | ~active)

    def body(state):
        z, _, it = state
        z, dz = step(z)
        return z, dz, it + 1

    z, dz, it = jax.lax.while_loop(cond, body, (z0, jnp.full_like(z0, jnp.inf), jnp.zeros((), int)))
    # two polishing sweeps at full precision
    z, dz = step(z)
    z, dz = step(z)
    small = jnp.abs(dz) <= 1e3 * eps * jnp.maximum(jnp.abs(z), 1e-300)
    converged = jnp.all(small | ~active)
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
