"""Exact frequency integrals of the classical steady state by residues.

CONVENTIONS "Classical steady state": with Ohmic baths

    <v_n^2> = sum_b (T_b gamma_b / pi) I_{n,b},   I_{n,b} = sum_{j in S_b} int dw w^2 G_nj(w) G_nj(-w)

(for real w, G_nj(-w) = conj G_nj(w)). The integrand is rational, decays as w^-2 and its poles in the
upper half plane are w = -lambda_k, lambda_k the poles of G (all in the lower half plane). Closing the
contour there,

    I_nj = 2 pi i sum_k  -lambda_k^2 G_nj(-lambda_k) Res_{lambda_k} G_nj,

exact for any width of the peaks: no quadrature, nothing to miss. A pole at w = 0 (free centre of mass)
is removable in the integrand and drops out. The heat flux of each bath follows from energy balance
at its sites, J_b = sum_{n in S_b} (gamma_b / m_n) (T_b - m_n <v_n^2>).

Two evaluators:
- ``diagonal_plus_rank_one``: G_nj(w) = delta_nj x_n + u x_n x_j / h, x = 1/a(w); O(R K) in the number
  of groups R and poles K ~ 2R (so O(N^2) at worst, O(1) for equal masses);
- ``modal``: any Phi, from the eigen-decomposition of the 2N x 2N drift matrix; O(N^3).

Both also return an error estimate per site: the summands' magnitudes times the conditioning of each
pole's damping rate, times machine epsilon (see ``negf_steady_state``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._secular import Groups, RootInfo, secular


def _x(z, g: Groups):
    """1/a_g(z) for every (pole, group): (K, R)."""
    zz = z[:, None]
    return 1.0 / (g.c[None, :] - zz * zz * g.m[None, :] - 1j * zz * g.gamma[None, :])


def diagonal_plus_rank_one(u, g: Groups, roots: RootInfo, counts, scale):
    """I-sums for a diagonal-plus-rank-one system.

    Arguments:
        u: the rank-one coefficient of Phi = diag(c) - u 1 1^T.
        g: groups of equal (c, m, gamma) (weights w_g).
        roots: zeros of h in the lower half plane (``find_roots``).
        counts: (n_baths, R) number of sites of bath b in group g.
        scale: (n_baths,) factor T_b gamma_b / pi applied to bath b's integral.

    Returns ``(bright, in_bath, err)``: per group g and bath b the sum over bright poles
    ``bright[b, g]`` (site-independent part), ``in_bath[g]`` (the part that applies to a site only when it
    is in bath b), and the error-estimate magnitudes ``err[b, g]``, ``err_in[g]``.
    """
    lam = roots.roots
    act = roots.active
    lam_safe = jnp.where(act, lam, 1.0)
    xp = _x(lam_safe, g)  # (K, R) 1/a_g(lambda_k)
    xm = _x(-lam_safe, g)  # 1/a_g(-lambda_k)
    dzh = _hprime(lam_safe, u, g, xp)
    hm = secular(-lam_safe, u, g)
    coef = jnp.where(act, -(lam_safe**2) * u / dzh, 0.0)  # (K,)
    pk = xp * xm  # (K, R)
    e_b = pk @ counts.T  # (K, n_baths) E_b(lambda_k) = sum_{j in b} x_j^+ x_j^-
    t_in = coef[:, None] * pk * xp  # (K, R): multiplies [n in b]
    t_all = (coef[:, None, None] * pk[:, None, :]) * (u * e_b / hm[:, None])[:, :, None]  # (K, nb, R)
    cond = jnp.where(act, 1.0 + jnp.abs(lam_safe) / jnp.abs(lam_safe.imag), 0.0)  # damping conditioning
    two_pi_i = 2j * jnp.pi
    in_bath = two_pi_i * jnp.sum(t_in, axis=0)
    bright = two_pi_i * jnp.sum(t_all, axis=0)
    err_in = 2 * jnp.pi * jnp.sum(jnp.abs(t_in) * cond[:, None], axis=0)
    err = 2 * jnp.pi * jnp.sum(jnp.abs(t_all) * cond[:, None, None], axis=0)
    return bright * scale[:, None], in_bath, err * scale[:, None], err_in


def _hprime(z, u, g, x):
    da = -2 * z[:, None] * g.m[None, :] - 1j * g.gamma[None, :]
    return u * jnp.sum(g.weight[None, :] * da * x * x, axis=1)


def internal_modes(u, g: Groups, counts, scale):
    """Damped groups of w >= 2 equal sites: their modes orthogonal to the group's uniform vector.

    Poles at the two zeros zeta of a_g (both in the lower half plane); Res G_nj = (delta_nj - 1/w)/a_g'(zeta)
    for n, j in the group. Returns per group ``(diag_part[g], off_part[b, g], err...)`` so that
    I_{n,b} += diag_part[g] [n in b] + off_part[b, g] for n in group g.
    """
    w = g.weight
    damped = (w >= 2) & (g.gamma > 0)
    disc = jnp.sqrt((4 * g.c * g.m - g.gamma**2).astype(complex))
    zetas = [(-1j * g.gamma + s * disc) / (2 * g.m) for s in (1.0, -1.0)]
    diag = 0.0
    off = 0.0
    err_d = 0.0
    err_o = 0.0
    wsafe = jnp.where(w > 0, w, 1.0)
    for zeta in zetas:
        zeta = jnp.where(damped, zeta, 1.0 - 1j)
        dap = -2 * zeta * g.m - 1j * g.gamma  # a_g'(zeta)
        xm = 1.0 / (g.c - zeta**2 * g.m + 1j * zeta * g.gamma)  # 1/a_g(-zeta)
        hm = secular(-zeta, u, g)  # h(-zeta_g), one per group
        cz = jnp.where(damped, -(zeta**2) / dap, 0.0)
        d_part = cz * (xm * (1 - 1 / wsafe) + (u / hm) * xm**2)  # times [n in b]
        o_part = -cz[None, :] * (u / hm)[None, :] * xm[None, :] ** 2 * counts / wsafe[None, :]
        cond = 1.0 + jnp.abs(zeta) / jnp.abs(zeta.imag)
        diag = diag + 2j * jnp.pi * d_part
        off = off + 2j * jnp.pi * o_part
        err_d = err_d + 2 * jnp.pi * jnp.abs(d_part) * cond
        err_o = err_o + 2 * jnp.pi * jnp.abs(o_part) * cond[None, :]
    return diag, off * scale[:, None], err_d, err_o * scale[:, None]


def modal(phi, masses, friction, bath_masks, scale):
    """I-sums for any stiffness matrix from the eigen-decomposition of the drift matrix. O(N^3).

    A = [[0, I], [-M^-1 Phi, -M^-1 Gamma]] = V diag(mu) V^-1; the poles of G are lambda = i mu and
    Res G = i V_q,k (V^-1)_k,v M^-1. Then I_{n,b} = 2 pi i sum_{k,l} lambda_k^2 R^k_nj R^l_nj /(lambda_k + lambda_l)
    summed over j in S_b, as a matrix product.

    Returns ``(v2 (N,), err (N,), poles (2N,))``; ``err`` is an absolute error estimate of v2 (pre-scaling
    by 16 eps is not applied here).
    """
    n = masses.shape[0]
    minv = 1.0 / masses
    top = jnp.concatenate([jnp.zeros((n, n), phi.dtype), jnp.eye(n, dtype=phi.dtype)], axis=1)
    bottom = jnp.concatenate([-minv[:, None] * phi, -jnp.diag(minv * friction)], axis=1)
    a = jnp.concatenate([top, bottom], axis=0)
    mu, vecs = jax.lax.linalg.eig(
        a, compute_left_eigenvectors=False, compute_right_eigenvectors=True, enable_eigvec_derivs=True
    )
    winv = jnp.linalg.inv(vecs)
    lam = 1j * mu
    vq = vecs[:n, :]  # (N, 2N)
    y = winv[:, n:] * minv[None, :]  # (2N, N): Y_kj = (V^-1)_{k, N+j} / m_j
    denom = lam[:, None] + lam[None, :]
    cmat = jnp.where(denom == 0, 0.0, lam[:, None] ** 2 / jnp.where(denom == 0, 1.0, denom))
    v2 = jnp.zeros((n,), phi.dtype)
    err = jnp.zeros((n,), phi.dtype)
    for b in range(bath_masks.shape[0]):
        yb = y[:, bath_masks[b]]
        kb = cmat * (yb @ yb.T)  # (2N, 2N)
        ib = -2j * jnp.pi * jnp.sum((vq @ kb) * vq, axis=1)
        v2 = v2 + scale[b] * ib.real
        # the exact sum is real: its imaginary part measures the rounding (eigenvectors of a
        # non-normal matrix make |summands| a useless bound)
        err = err + jnp.abs(scale[b]) * (jnp.abs(ib.imag) + n * jnp.finfo(phi.dtype).eps * jnp.abs(ib.real))
    return v2, err, lam
