"""Matrix-free steady state: right-preconditioned restarted GMRES on L, N up to ~10 on a CPU.

L has O(h) imaginary eigenvalues (L_0), O(lambda) ones inside the degenerate H_0 manifolds and a
relaxation gap O(lambda^2): unpreconditioned Krylov methods stall. With P the secular approximation of L
in the eigenbasis of H_eff (``_preconditioner.SecularPreconditioner``), write rho = rho_P + delta with
rho_P P's own steady state (trace 1) and solve

    L P^+ y = -L rho_P,   delta = P^+ y,

with P^+ mapping traceless matrices to traceless matrices. L P^+ is invertible on the traceless
subspace (invariant under it), so the trace stays 1 with no bordering, and GMRES's residual
||-L rho_P - L P^+ y|| is exactly ||L rho||. L P^+ = I + (L - P) P^+ is the identity plus pieces of size
lambda^2 / |w_ab| (coherences outside P's slow sector) and a coupling from the slow sector into the fast
coherences that squares to ~0, so GMRES needs ~4-25 steps for lambda = 1e-1 .. 1e-4 and N = 4 .. 10.

All vectors are Hermitian and stored packed as real (2^N, 2^N) matrices (``_preconditioner.pack``): GMRES
runs over the reals with half the memory, and for real H_eff a change of basis is two real products
instead of four (or two complex ones, ~7x slower than real ones on this CPU).
L itself is applied by ``_flips.FlipLiouvillian`` (bit flips, no transposes).
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._flips import FlipLiouvillian
from ._preconditioner import SecularPreconditioner, pack_hermitian, unpack
from ._steady import AbstractSteadyStateSolver


def _gmres(apply, offset, tol, restart: int, max_steps: int):
    """Restarted right-preconditioned GMRES from y = 0, real or complex (the dtype of ``offset``).

    Solves F(offset + M y) = 0 for an affine F = A . - b, given ``apply(z, refresh) = (x, out)`` with
    x = M z and out = F(offset + x) if refresh else A x: one call site, so A and M are compiled once.
    A step either refreshes the true residual -F(offset + M y) and opens a new cycle, or adds one Arnoldi
    vector (classical Gram-Schmidt twice, Givens rotations). Stops when the true residual is <= tol,
    after ``max_steps`` Arnoldi steps, or when a whole restart cycle fails to halve it (stagnation at the
    rounding floor). Returns offset + M y, its residual norm, the Arnoldi steps and the cycles.
    """
    shape, dtype = offset.shape, offset.dtype
    size = offset.size
    big = jnp.asarray(jnp.inf, jnp.finfo(dtype).dtype)
    index = jnp.arange(restart + 1)
    init = dict(
        refresh=jnp.asarray(True),
        done=jnp.asarray(False),
        y=jnp.zeros(shape, dtype),
        rho=offset,
        residual=big,
        basis=jnp.zeros((restart + 1, size), dtype),
        hess=jnp.zeros((restart + 1, restart), dtype),
        g=jnp.zeros(restart + 1, dtype),
        cs=jnp.zeros(restart, dtype),
        sn=jnp.zeros(restart, dtype),
        j=jnp.asarray(0),
        steps=jnp.asarray(0),
        cycles=jnp.asarray(0),
    )

    def refresh(state, x, out):
        r = -out.reshape(-1)
        beta = jnp.linalg.norm(r)
        done = (beta <= tol) | (state["steps"] >= max_steps) | (beta > 0.5 * state["residual"])
        return dict(
            state,
            refresh=jnp.asarray(False),
            done=done,
            rho=offset + x,
            residual=beta,
            basis=state["basis"].at[0].set(r / jnp.where(beta > 0, beta, 1)),
            g=jnp.zeros_like(state["g"]).at[0].set(beta),
            j=jnp.asarray(0),
            cycles=state["cycles"] + 1,
        )

    def arnoldi(state, x, out):
        j, basis, g, cs, sn = state["j"], state["basis"], state["g"], state["cs"], state["sn"]
        w = out.reshape(-1)
        active = index <= j
        h = jnp.where(active, basis.conj() @ w, 0)
        w = w - h @ basis
        h2 = jnp.where(active, basis.conj() @ w, 0)
        w = w - h2 @ basis
        h = h + h2
        norm = jnp.linalg.norm(w)
        basis = basis.at[j + 1].set(w / jnp.where(norm > 0, norm, 1))
        h = h.at[j + 1].set(norm)

        def rotate(i, h):  # the earlier Givens rotations [[c*, s*], [-s, c]] on the new column
            hi, hi1 = h[i], h[i + 1]
            return h.at[i].set(cs[i].conj() * hi + sn[i].conj() * hi1).at[i + 1].set(-sn[i] * hi + cs[i] * hi1)

        h = jax.lax.fori_loop(0, j, rotate, h)
        radius = jnp.hypot(jnp.abs(h[j]), jnp.abs(h[j + 1]))
        radius = jnp.where(radius > 0, radius, 1)
        c, s = h[j] / radius, h[j + 1] / radius
        h = h.at[j].set(radius).at[j + 1].set(0)
        g = g.at[j + 1].set(-s * g[j]).at[j].set(c.conj() * g[j])
        hess = state["hess"].at[:, j].set(h)
        j, steps = j + 1, state["steps"] + 1
        end = (j == restart) | (jnp.abs(g[j]) <= tol) | (steps >= max_steps)

        def close(y):  # y += V_j H_j^-1 g_j, the leading j x j block padded by the identity
            used = jnp.arange(restart) < j
            tri = jnp.where(used[:, None] & used[None, :], hess[:restart], jnp.eye(restart, dtype=dtype))
            coef = jax.scipy.linalg.solve_triangular(tri, jnp.where(used, g[:restart], 0), lower=False)
            return y + (coef @ basis[:restart]).reshape(shape)

        y = jax.lax.cond(end, close, lambda y: y, state["y"])
        return dict(
            state, refresh=end, y=y, basis=basis, hess=hess, g=g, cs=cs.at[j - 1].set(c), sn=sn.at[j - 1].set(s),
            j=j, steps=steps,
        )  # fmt: skip

    def body(state):
        z = jnp.where(state["refresh"], state["y"], state["basis"][state["j"]].reshape(shape))
        x, out = apply(z, state["refresh"])
        return jax.lax.cond(state["refresh"], refresh, arnoldi, state, x, out)

    state = jax.lax.while_loop(lambda s: ~s["done"], body, init)
    return state["rho"], state["residual"], state["steps"], state["cycles"]


class GMRES(AbstractSteadyStateSolver):
    """Preconditioned restarted GMRES on the matrix-free L (see the module docstring).

    Cost: one eigendecomposition of H_eff, an LU of dimension 2^N + 2 num_pairs, then per step four real
    (2^N)^3 products (two basis changes) and one O(N 4^N) application of L. Measured on two CPU cores:
    N = 8 ~0.3 s, N = 10 ~4-11 s, plus ~5-10 s of compilation per N. Differentiable (forward and
    reverse) by the implicit function theorem: d rho = -(L + u t^T)^-1 (dL rho), solved by the same
    preconditioned GMRES (for its transpose in reverse mode), never by differentiating the iterations.

    Attributes:
        rtol: stop when ||L rho||_F <= rtol lambda^2 ||rho||_F + atol: rtol bounds the ``residual`` of
            ``steady_state`` (the residual relative to the bath rates). Rounding in L rho puts a floor
            of ~eps N / lambda under it; a restart cycle that stagnates there ends the solve.
        atol: an absolute floor on ||L rho||_F (rho has trace 1, so ||rho||_F <= 1).
        max_steps: most GMRES steps (applications of L P^+).
        restart: Krylov vectors kept per cycle (each a real (2^N, 2^N) matrix, 8 MB at N = 10).
        num_pairs: near-degenerate coherences solved exactly with the populations in the preconditioner;
            None for 2^N / 2 (the slow-sector LU then has dimension 2^(N+1)).

    ``stats``: ``num_steps`` (GMRES steps), ``num_cycles`` (restart cycles, true residual evaluations),
    ``gmres_residual`` (||L rho||_F / (lambda^2 ||rho||_F) of the final iterate, before ``steady_state``
    Hermitises and normalises it).
    """

    rtol: float = 1e-10
    atol: float = 0.0
    max_steps: int = eqx.field(static=True, default=400)
    restart: int = eqx.field(static=True, default=40)
    num_pairs: int | None = eqx.field(static=True, default=None)

    def solve(self, chain):
        params, static = eqx.partition(chain, eqx.is_inexact_array)
        return _ness(self, static, params)

    def _setup(self, chain):
        d = 2**chain.n
        num_pairs = d // 2 if self.num_pairs is None else self.num_pairs
        return FlipLiouvillian(chain), SecularPreconditioner(chain, num_pairs)

    def _restart(self, chain):
        return min(self.restart, 4**chain.n - 1)

    def _primal(self, chain, liouvillian, precond):
        rho_p = precond.steady_state()
        scale = chain.coupling**2 * jnp.linalg.norm(rho_p)
        tol = self.rtol * scale + self.atol

        def apply(z, with_rho_p):
            x = precond.solve(z)
            return x, pack_hermitian(liouvillian.apply(unpack(jnp.where(with_rho_p, x + rho_p, x))))

        rho, residual, steps, cycles = _gmres(apply, rho_p, tol, self._restart(chain), self.max_steps)
        stats = {"num_steps": steps, "num_cycles": cycles, "gmres_residual": residual / scale}
        return unpack(rho), stats

    def _bordered_solve(self, chain, liouvillian, precond, rho_p, b):
        """x with (L + u t^T) x = b (complex, any b), u t^T x = Tr(x) 1 / d, differentiable and transposable."""
        d = 2**chain.n
        eye = jnp.eye(d) / d

        def matvec(x):
            return liouvillian.apply(x) + jnp.trace(x) * eye

        def run(operator, precondition, b):
            x0 = precondition(b)
            tol = self.rtol * chain.coupling**2 * jnp.linalg.norm(x0) + self.atol

            def apply(z, refresh):
                x = precondition(z)
                out = operator(jnp.where(refresh, x + x0, x)) - jnp.where(refresh, b, 0)
                return x, out

            return _gmres(apply, x0, tol, self._restart(chain), self.max_steps)[0]

        def precondition(v):
            return precond.solve_bordered(v, rho_p)

        def solve(matvec, b):
            return run(matvec, precondition, b)

        def transpose_solve(vecmat, b):
            transposed = jax.linear_transpose(precondition, b)
            return run(vecmat, lambda v: transposed(v)[0], b)

        return jax.lax.custom_linear_solve(matvec, b, solve, transpose_solve)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def _ness(solver, static, params):
    chain = eqx.combine(params, static)
    return solver._primal(chain, *solver._setup(chain))


@_ness.defjvp
def _ness_jvp(solver, static, primals, tangents):
    """Implicit differentiation: (L + u t^T) rho = u with u fixed, so d rho = -(L + u t^T)^-1 (dL rho)."""
    (params,), (dparams,) = primals, tangents
    chain = eqx.combine(params, static)
    liouvillian, precond = solver._setup(chain)
    rho, stats = solver._primal(chain, liouvillian, precond)
    _, dl_rho = jax.jvp(lambda p: FlipLiouvillian(eqx.combine(p, static)).apply(rho), (params,), (dparams,))
    rho_p = unpack(precond.steady_state())
    drho = -solver._bordered_solve(chain, liouvillian, precond, rho_p, dl_rho)
    dstats = {
        k: np.zeros(v.shape, jax.dtypes.float0) if jnp.issubdtype(v.dtype, jnp.integer) else jnp.zeros_like(v)
        for k, v in stats.items()
    }
    return (rho, stats), (drho, dstats)
