"""jl.spins.GMRES: the matrix-free steady state (preconditioned GMRES) against the dense LU and the exact
identities of the master equation (energy conservation, equal bond currents), N = 4 .. 10.

Error budget for GMRES vs Dense. GMRES stops at ||L rho||_F <= rtol lambda^2 ||rho||_F; on the traceless
complement of the steady state ||L^-1|| = 1 / s_2(L) with s_2 the second-smallest singular value, measured
s_2 >= 0.19 lambda^2 for every chain below (N = 4, 5), so ||rho_GMRES - rho|| <= 5.3 rtol (||rho||_F <= 1).
Dense's rounding error is eps ||L|| ||L^-1|| <= eps (2 h N + 1) * 5.3 / lambda^2 (||L|| ~ the spread 2hN of
H_0's Bohr frequencies). Hence the tolerance 2 * (5.3 rtol + 11 N eps / lambda^2), a factor-2 margin.
"""

import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxlangevin import spins
from jaxlangevin.spins._flips import FlipLiouvillian

EPS = np.finfo(float).eps
RTOL = 1e-12  # tighter than the default 1e-10, so that the comparison with Dense is sharp


def dense_tolerance(n, coupling, rtol=RTOL):
    return 2 * (5.3 * rtol + 11 * n * EPS / coupling**2)


def chains(n):
    out = []
    for theta in (np.pi / 4, np.pi / 2):
        for coupling in (0.1, 1e-3):
            out.append(spins.SpinChain.tilted_ising(n, coupling, theta, temperatures=(1.5, 0.5)))
    for coupling in (0.1, 1e-3):
        out.append(spins.SpinChain.xxz(n, coupling, 0.5, temperatures=(1.5, 0.5)))
    out.append(spins.SpinChain.xxz(n, 0.01, 0.0, temperatures=(1.5, 0.5)))  # XX: exactly degenerate H_eff
    return out


@pytest.mark.parametrize("n", [4, 5])
def test_gmres_agrees_with_dense(n):
    for chain in chains(n):
        coupling = float(chain.coupling)
        ness = spins.steady_state(chain, solver=spins.GMRES(rtol=RTOL))
        ref = spins.steady_state(chain, solver=spins.Dense())
        err = np.max(np.abs(np.asarray(ness.rho) - np.asarray(ref.rho)))
        assert err < dense_tolerance(n, coupling), (chain.alpha, coupling, err)
        assert float(ness.residual) < 1e-10  # the 1e-12 target, up to rounding of L rho (~eps N / lambda)
        assert int(ness.stats["num_steps"]) <= 20  # measured 3 .. 11 for these chains
        assert abs(np.trace(np.asarray(ness.rho)) - 1) < 10 * EPS


def test_gmres_complex_hamiltonian():
    """alpha_xy != 0 and a bath operator with a sigma^y part make H_eff complex: the complex-U path."""
    alpha = np.array([[1.0, 0.3, 0.0], [0.3, 0.8, 0.2], [0.0, 0.2, 0.5]])
    op = (spins.SIGMA_Y + spins.SIGMA_Z + 0.5 * spins.SIGMA_X) / 1.5
    baths = (spins.SpinBath.mirror(0, op, 1.5, 1.0), spins.SpinBath.mirror(3, spins.SIGMA_X, 0.5, 1.0))
    chain = spins.SpinChain(4, alpha, 0.02, 1.0, baths)
    assert np.any(np.asarray(spins.hamiltonian(chain)).imag != 0)
    ness = spins.steady_state(chain, solver=spins.GMRES(rtol=RTOL))
    ref = spins.steady_state(chain, solver=spins.Dense())
    # s_2(L) / lambda^2 not measured for this chain: allow a 10x smaller gap than above
    assert np.max(np.abs(np.asarray(ness.rho) - np.asarray(ref.rho))) < 10 * dense_tolerance(4, 0.02)


def current_at(p, solver=spins.GMRES(rtol=RTOL)):
    coupling, theta, t_left = p
    chain = spins.SpinChain.tilted_ising(n=4, coupling=coupling, theta=theta, temperatures=(t_left, 0.5))
    return spins.steady_state(chain, solver=solver).energy_current[0]


def test_gmres_gradients_match_finite_differences():
    """Implicit differentiation: d rho = -(L + u t^T)^-1 (dL rho), solved by GMRES (its transpose here)."""
    p = jnp.array([0.02, np.pi / 4, 1.5])
    grad = np.asarray(jax.jit(jax.grad(current_at))(p))
    step = 1e-5  # central differences: truncation ~ step^2 J''' / J ~ 1e-10, noise ~ RTOL / step ~ 1e-7
    for i in range(3):
        e = np.zeros(3)
        e[i] = step
        plus, minus = ([float(x) for x in p + sign * e] for sign in (1, -1))  # python floats: the cached compile
        fd = (current_at(plus) - current_at(minus)) / (2 * step)
        assert abs(grad[i] - fd) < 1e-6 * abs(fd)


@pytest.mark.slow
def test_gmres_forward_and_reverse_mode_agree():
    """Forward mode solves with (L + u t^T), reverse mode with its transpose: measured agreement 3e-12."""
    p = jnp.array([0.02, np.pi / 4, 1.5])
    grad = np.asarray(jax.jit(jax.grad(current_at))(p))
    forward = np.asarray(jax.jit(jax.jacfwd(current_at))(p))
    assert np.max(np.abs(grad - forward)) < 1e-9 * np.max(np.abs(grad))


@pytest.mark.parametrize("n", [3, 5])
def test_flip_liouvillian_equals_apply_liouvillian(n):
    alpha = np.array([[1.0, 0.3, -0.4], [0.3, 0.8, 0.2], [-0.4, 0.2, 0.5]])
    baths = (spins.SpinBath.mirror(0, spins.SIGMA_Y + spins.SIGMA_Z, 1.5, 0.7),
             spins.SpinBath.mirror(n - 1, spins.SIGMA_X, 0.5, 0.7))  # fmt: skip
    chain = spins.SpinChain(n, alpha, 0.05, 0.7, baths)
    rng = np.random.default_rng(1)
    rho = jnp.asarray(rng.normal(size=(2**n, 2**n)) + 1j * rng.normal(size=(2**n, 2**n)))
    ref = np.asarray(jax.jit(spins.apply_liouvillian)(chain, rho))
    out = np.asarray(jax.jit(lambda c, r: FlipLiouvillian(c).apply(r))(chain, rho))
    assert np.max(np.abs(out - ref)) < 100 * EPS * np.max(np.abs(ref))


def check_ness(ness, rtol):
    """Residual, energy conservation and equal bond currents of a GMRES steady state."""
    chain = ness.chain
    coupling = float(chain.coupling)
    assert ness.solver == "GMRES"
    residual = float(ness.residual)
    # GMRES meets rtol on its own L; apply_liouvillian's rounding of the O(lambda) terms adds ~eps N / lambda
    assert residual < 10 * rtol + 100 * chain.n * EPS / coupling
    rho = np.asarray(ness.rho)
    # sum_b J_b = Tr(H_eff L rho), so |sum_b J_b| <= ||H_eff||_F ||L rho||_F (Cauchy-Schwarz); the same bound
    # (E_{<=l} is part of H_eff) holds for j_l - J_L = Tr(E_{<=l} L rho), l >= 1
    bound = 2 * np.linalg.norm(np.asarray(spins.hamiltonian(chain))) * residual * coupling**2 * np.linalg.norm(rho)
    j = np.asarray(ness.energy_current)
    assert j[0] > 0 and abs(j.sum()) < bound
    bond = np.asarray(ness.bond_current)
    assert np.max(np.abs(bond[1:] - j[0])) < bound
    assert bound < 1e-5 * j[0]  # so both are checked to 1e-5 relative at least (measured 1e-8 .. 1e-11)


def test_gmres_n8():
    """N = 8 (65536 unknowns) by default; measured ~1-2 s after ~5 s of compilation on two CPU cores."""
    chain = spins.SpinChain.tilted_ising(8, 0.01, np.pi / 4, temperatures=(1.5, 0.5))
    ness = spins.steady_state(chain)  # GMRES is the default above N = 6
    check_ness(ness, 1e-10)
    assert int(ness.stats["num_steps"]) <= 15  # measured 8


@pytest.mark.slow
@pytest.mark.parametrize("coupling", [1e-2, 1e-4])
def test_gmres_n10(coupling):
    """N = 10 (~10^6 unknowns), theta = pi/4."""
    chain = spins.SpinChain.tilted_ising(10, coupling, np.pi / 4, temperatures=(1.5, 0.5))
    start = time.perf_counter()
    ness = spins.steady_state(chain)
    ness.rho.block_until_ready()
    elapsed = time.perf_counter() - start
    stats = {k: float(v) for k, v in ness.stats.items()}
    print(f"N = 10, lambda = {coupling}: {elapsed:.1f} s (with compilation), {stats}, residual {float(ness.residual)}")
    check_ness(ness, 1e-10)
    assert stats["num_steps"] <= 20  # measured 10 (lambda = 1e-2), 4 (1e-4)
