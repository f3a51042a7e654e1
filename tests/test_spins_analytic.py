"""Ishida-Sugita two-spin zeroth-order state (``jaxlangevin.analytic.ishida_sugita``) against the exact master
equation of ``jaxlangevin.spins`` (Sec. IV B, Eq. 99-114; Appendix B, Eq. B1-B33). hbar = k_B = 1, h = 1.

Tolerances: the closed forms are O(10) flops on O(1) numbers (rounding ~1e-15), and the dense 16 x 16
Liouvillians are O(1) matrices split into L0, L1, L2 by differencing exact quadratics in lambda (rounding
~1e-15): hence 1e-12 for every identity. The convergence tests compare the exact NESS at small lambda with
rho_0; their tolerances are explained where they are asserted.
"""

from fractions import Fraction as F

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxlangevin import analytic as A, spins

H = 1.0
T_L, T_R = 1.5, 0.5  # the paper's Fig. 4
TL, TR = np.tanh(H / T_L), np.tanh(H / T_R)
EQUAL = dict(c_left=1.0, c_right=1.0, d_left=1.0, d_right=1.0)  # Fig. 4: c_L = c_R = d_L = d_R = 1
UNEQUAL = dict(c_left=0.7, c_right=1.6, d_left=0.4, d_right=2.0)
SX, SY, SZ = (np.asarray(p) for p in (spins.SIGMA_X, spins.SIGMA_Y, spins.SIGMA_Z))
I2 = np.eye(2)
RHO_A = np.kron(SX, SX) + np.kron(SY, SY)  # Eq. 79
RHO_B = np.kron(SX, SY) - np.kron(SY, SX)  # Eq. 80
RHO_C = np.kron(I2, SZ) - np.kron(SZ, I2)  # Eq. 83


def chain(coupling, theta, c_left=1.0, c_right=1.0, d_left=1.0, d_right=1.0, temperatures=(T_L, T_R)):
    """N = 2 tilted Ising chain (Eq. 104-110) with Appendix-B baths of rates (c_L, d_L), (c_R, d_R)."""
    c, s = np.cos(theta), np.sin(theta)
    alpha = np.array([[s * s, 0, -c * s], [0, 0, 0], [-c * s, 0, c * c]])
    zprime = c * SZ - s * SX  # Eq. 106
    baths = tuple(
        spins.SpinBath.mirror(site, zprime, T, H, spins.ConstantSpectrum(cc, dd))
        for site, T, cc, dd in ((0, temperatures[0], c_left, d_left), (1, temperatures[1], c_right, d_right))
    )
    return spins.SpinChain(2, alpha, coupling, H, baths)


def split_liouvillian(**kw):
    """(L0, L1, L2) of L(lambda) = L0 + lambda L1 + lambda^2 L2 (Eq. 16) from lambda = 1, -1, 2 (exact: L is a
    quadratic in lambda), and (H0, H1) of H_eff = H0 + lambda H1 likewise."""
    lv = {lam: np.asarray(spins.liouvillian(chain(lam, **kw))) for lam in (1.0, -1.0, 2.0)}
    l1 = (lv[1.0] - lv[-1.0]) / 2
    l0_plus_l2 = (lv[1.0] + lv[-1.0]) / 2
    l2 = (lv[2.0] - 2 * l1 - l0_plus_l2) / 3
    h = {lam: np.asarray(spins.hamiltonian(chain(lam, **kw))) for lam in (1.0, -1.0)}
    return l0_plus_l2 - l2, l1, l2, (h[1.0] + h[-1.0]) / 2, (h[1.0] - h[-1.0]) / 2


def projectors(h0, h1):
    """P0 onto Ker L0 (Eq. 29) and P1 onto Span{|E_nk><E_nk|} (Eq. 33), in row-major vec (HS-orthogonal).

    |E_nk> diagonalize H1 inside each eigenspace of H0 (degenerate perturbation theory, Eq. 25-27)."""
    e0 = np.round(np.diag(h0).real, 12)
    assert np.allclose(h0, np.diag(np.diag(h0)), atol=1e-14)
    d = len(e0)
    p0 = np.diag([1.0 if e0[i] == e0[j] else 0.0 for i in range(d) for j in range(d)]).astype(complex)
    vecs = []
    for level in np.unique(e0):
        idx = np.flatnonzero(e0 == level)
        w, v = np.linalg.eigh(h1[np.ix_(idx, idx)])
        assert np.all(np.diff(w) > 1e-6)  # E_nk nondegenerate (assumed after Eq. 27)
        for k in range(len(idx)):
            u = np.zeros(d, complex)
            u[idx] = v[:, k]
            vecs.append(np.outer(u, u.conj()).reshape(-1))
    p1 = sum(np.outer(x, x.conj()) for x in vecs)
    return p0, p1


# --------------------------------------------------------------------------------------------------------
# Eq. B23-B29: the closed forms
# --------------------------------------------------------------------------------------------------------
def b23_b25(t1, t2, g, t_l, t_r, cos, sin, c_l, c_r, d_l, d_r):
    """Left-hand sides of Eq. B23, B24, B25, with gamma of Eq. B22, a = c sin, b = d cos (Eq. B10-B11)."""
    a_l, a_r, b_l, b_r = c_l * sin, c_r * sin, d_l * cos, d_r * cos
    gamma = -(sin**2) / ((t_l - t_r) * cos**2)
    return (
        a_l * (t1 - t_l) * t2 + a_r * (t2 - t_r) * t1 + 4 * g * (a_l + a_r),
        a_l * (t1 - t_l) + a_r * (t2 - t_r),
        2 * sin * (a_r * (t2 - t_r) - a_l * (t1 - t_l))
        + gamma**2 * (t2 - t1) * (2 * (b_l + b_r) * cos + (a_l + a_r) * sin),
    )


def k_form(t_l, t_r, cos, sin, c, d):
    """Eq. B26-B29 as printed (works on Fractions)."""
    k = c * (t_l - t_r) ** 2 * cos**4 / (c * (t_l - t_r) ** 2 * cos**4 + sin**2 * (2 * d * cos**2 + c * sin**2))
    mean, half = (t_l + t_r) / 2, k * (t_l - t_r) / 2
    return mean + half, mean - half, -k * (1 - k) / 16 * (t_l - t_r) ** 2


@pytest.mark.parametrize(
    "cos, sin",
    [(F(3, 5), F(4, 5)), (F(4, 5), F(3, 5)), (F(5, 13), F(12, 13)), (F(12, 13), F(5, 13)), (F(-8, 17), F(15, 17))],
)
def test_k_form_solves_b23_b25_exactly(cos, sin):
    """Eq. B26-B28 with K of Eq. B29 solve Eq. B23-B25 exactly when c_L = c_R, d_L = d_R, for any t_L - t_R (not
    only to leading order): exact rational arithmetic at Pythagorean angles, far-apart t_L, t_R included."""
    for t_l, t_r in ((F(1, 10), F(9, 10)), (F(7, 10), F(1, 5)), (F(-1, 2), F(3, 4)), (F(1, 3), F(1, 4))):
        for c, d in ((F(1), F(1)), (F(2, 3), F(5, 2)), (F(3), F(0))):
            t1, t2, g = k_form(t_l, t_r, cos, sin, c, d)
            assert b23_b25(t1, t2, g, t_l, t_r, cos, sin, c, c, d, d) == (0, 0, 0)
    # with c_L != c_R the K form (averaged c, Eq. B30) is not a solution: B24 fails at first order in c_L - c_R
    t1, t2, g = k_form(F(1, 10), F(9, 10), cos, sin, F(1), F(1))
    assert b23_b25(t1, t2, g, F(1, 10), F(9, 10), cos, sin, F(1, 2), F(3, 2), F(1), F(1))[1] != 0


@pytest.mark.parametrize("theta", [0.05, 0.3, np.pi / 4, 1.2, np.pi / 2 - 1e-3, 2.0, -0.7])
def test_general_solution(theta):
    """``ishida_sugita_two_spin`` solves Eq. B23-B25 (rounding 1e-15 on O(1) terms) for unequal baths, and equals
    the K form of Eq. B26-B29 (``ishida_sugita_k``) for equal ones, at near and far temperatures."""
    cos, sin = np.cos(theta), np.sin(theta)
    for t_l, t_r in ((TL, TR), (0.1, 0.9), (0.45, 0.4), (-0.3, 0.8)):
        for baths in (EQUAL, UNEQUAL, dict(c_left=2.0, c_right=0.5, d_left=0.0, d_right=3.0)):
            t1, t2, g = (float(x) for x in A.ishida_sugita_two_spin(t_l, t_r, theta, **baths))
            res = np.array(b23_b25(t1, t2, g, t_l, t_r, cos, sin, *baths.values()))
            res[2] /= 1 + ((sin / cos) ** 2 / (t_l - t_r)) ** 2  # B25 / (1 + gamma^2), as it enters Eq. B18
            assert np.abs(res).max() < 1e-12, res
        for c, d in ((1.0, 1.0), (0.3, 2.0)):
            exact = A.ishida_sugita_two_spin(t_l, t_r, theta, c, c, d, d)
            k = float(A.ishida_sugita_k(t_l, t_r, theta, c, d))
            assert 0 <= k <= 1
            np.testing.assert_allclose(exact, k_form(t_l, t_r, cos, sin, c, d), rtol=0, atol=1e-12)
            np.testing.assert_allclose(float(exact[0] - exact[1]), k * (t_l - t_r), rtol=0, atol=1e-12)


def test_limits_and_errors():
    """gamma (Eq. B22) diverges at t_L = t_R and at cos(theta) = 0; both limits are regular, not NaN, and smooth."""
    # equilibrium: the Gibbs product, rho_LE (x) rho_LE (Eq. 99-100)
    for theta in (0.3, np.pi / 4, np.pi / 2):
        t1, t2, g = A.ishida_sugita_two_spin(TL, TL, theta, **UNEQUAL)
        assert float(t1) == float(t2) == TL and float(g) == 0.0
        gibbs = np.kron((I2 - TL * SZ.real) / 2, (I2 - TL * SZ.real) / 2)
        np.testing.assert_allclose(A.ishida_sugita_two_spin_state(TL, TL, theta, **UNEQUAL), gibbs, atol=1e-15)
    # transverse Ising: flat at the c-weighted mean (K = 0 for equal baths, Eq. 114)
    for baths in (EQUAL, UNEQUAL):
        t1, t2, g = A.ishida_sugita_two_spin(TL, TR, np.pi / 2, **baths)
        flat = (baths["c_left"] * TL + baths["c_right"] * TR) / (baths["c_left"] + baths["c_right"])
        np.testing.assert_allclose([t1, t2, g], [flat, flat, 0.0], rtol=0, atol=1e-15)
        near = A.ishida_sugita_two_spin(TL, TR, np.pi / 2 - 1e-6, **baths)  # continuous: O(cos^2) = 1e-12
        np.testing.assert_allclose(near, [flat, flat, 0.0], rtol=0, atol=1e-11)
    assert float(A.ishida_sugita_k(TL, TR, np.pi / 2)) < 1e-30 and float(A.ishida_sugita_k(TL, TR, 0.0)) == 1.0
    # derivatives through both limits: finite and equal to central differences (step 1e-5: error ~1e-10)
    for fn, x0 in (
        (lambda x: A.ishida_sugita_two_spin(x, TL, np.pi / 4, **UNEQUAL)[0], TL),
        (lambda x: A.ishida_sugita_two_spin(TL, TR, x, **UNEQUAL)[1], np.pi / 2),
        (lambda x: A.ishida_sugita_two_spin_state(TL, x, 0.7, **UNEQUAL)[1, 2], TL),
    ):
        grad = float(jax.jit(jax.grad(fn))(x0))
        fd = (float(fn(x0 + 1e-5)) - float(fn(x0 - 1e-5))) / 2e-5
        assert np.isfinite(grad) and abs(grad - fd) < 1e-8, (grad, fd)
    # no unique steady state without spin flips; polarizations outside [-1, 1]; K = 0/0
    with pytest.raises(ValueError, match="never flip a spin"):
        A.ishida_sugita_two_spin(TL, TR, 0.0)
    with pytest.raises(ValueError, match="never flip a spin"):
        A.ishida_sugita_two_spin_state(TL, TR, 0.3, c_left=0.0, c_right=0.0)
    with pytest.raises(ValueError, match="t_left"):
        A.ishida_sugita_two_spin(1.2, TR, 0.3)
    with pytest.raises(ValueError, match="c_right"):
        A.ishida_sugita_two_spin(TL, TR, 0.3, c_right=-1.0)
    with pytest.raises(ValueError, match="0/0"):
        A.ishida_sugita_k(TL, TL, 0.0)


def test_state_is_a_density_matrix():
    """rho_0 (Eq. 103): trace 1, symmetric, positive semi-definite, with -<sigma^z_l> = t_l (Eq. 100) and
    <sigma^z sigma^z> = t_1 t_2 + 4 g; batched over arguments of one shape."""
    thetas = jnp.array([0.2, 0.7, np.pi / 4, 1.3, np.pi / 2])
    for baths in (EQUAL, UNEQUAL):
        rho = np.asarray(A.ishida_sugita_two_spin_state(0.05, 0.95, thetas, **baths))
        t1, t2, g = (np.asarray(x) for x in A.ishida_sugita_two_spin(0.05, 0.95, thetas, **baths))
        assert rho.shape == (5, 4, 4)
        np.testing.assert_allclose(np.trace(rho, axis1=1, axis2=2), 1.0, atol=1e-15)
        np.testing.assert_allclose(rho, np.swapaxes(rho, 1, 2), atol=0)
        assert np.linalg.eigvalsh(rho).min() > -1e-15
        expect = lambda op: np.einsum("kij,ji->k", rho, op)  # noqa: E731
        np.testing.assert_allclose(-expect(np.kron(SZ, I2).real), t1, atol=1e-15)
        np.testing.assert_allclose(-expect(np.kron(I2, SZ).real), t2, atol=1e-15)
        np.testing.assert_allclose(expect(np.kron(SZ, SZ).real), t1 * t2 + 4 * g, atol=1e-15)


# --------------------------------------------------------------------------------------------------------
# Eq. 45-47 and the algebra of Sec. IV B / Appendix B against the dense Liouvillian of jaxlangevin.spins
# --------------------------------------------------------------------------------------------------------
def test_chain_matches_tilted_ising():
    ours = spins.liouvillian(chain(0.01, 0.6))
    ref = spins.liouvillian(spins.SpinChain.tilted_ising(2, 0.01, 0.6, H, (T_L, T_R), spins.ConstantSpectrum(1, 1)))
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("baths", [EQUAL, UNEQUAL], ids=["equal", "unequal"])
@pytest.mark.parametrize("theta", [0.3, np.pi / 4, np.pi / 2])
def test_zeroth_order_equations(theta, baths):
    """rho_0 solves Eq. 45-47: L0 rho0 = 0, P0 L1 rho0 = 0, P1 L2 rho0 = 0 (measured <= 1e-16), for equal and
    unequal baths; the local-equilibrium product with the same t_1, t_2 (Eq. 99) does not (Eq. 102)."""
    l0, l1, l2, h0, h1 = split_liouvillian(theta=theta, **baths)
    np.testing.assert_allclose(h0, H * (np.kron(SZ, I2) + np.kron(I2, SZ)), atol=1e-15)  # Eq. 69
    np.testing.assert_allclose(l0, -1j * (np.kron(h0, np.eye(4)) - np.kron(np.eye(4), h0.T)), atol=1e-14)
    p0, p1 = projectors(h0, h1)
    assert np.abs(l0 @ p0).max() < 1e-13 and np.abs(p0 @ p1 - p1).max() < 1e-15
    assert np.abs(p0 @ l1 @ p1).max() < 1e-13 and round(np.trace(p1).real) == 4  # P1 spans Ker P0 L1 P0 (Eq. 33)
    rho0 = np.asarray(A.ishida_sugita_two_spin_state(TL, TR, theta, **baths)).reshape(-1)
    for op in (l0, p0 @ l1, p1 @ l2):
        assert np.abs(op @ rho0).max() < 1e-12
    t1, t2, _ = (float(x) for x in A.ishida_sugita_two_spin(TL, TR, theta, **baths))
    product = np.kron((I2 - t1 * SZ) / 2, (I2 - t2 * SZ) / 2)
    alpha_plus = np.sin(theta) ** 2  # alpha_xx + alpha_yy (Eq. 89, 110)
    np.testing.assert_allclose(
        (p0 @ l1 @ product.reshape(-1)).reshape(4, 4), (t2 - t1) / 4 * alpha_plus * RHO_B, atol=1e-12
    )  # Eq. 102
    if theta != np.pi / 2:
        assert np.abs(p0 @ l1 @ product.reshape(-1)).max() > 1e-3


@pytest.mark.parametrize("baths", [EQUAL, UNEQUAL], ids=["equal", "unequal"])
@pytest.mark.parametrize("theta", [0.3, 1.1])
def test_b17_b18(theta, baths):
    """P1 L2 applied to the family Eq. 103 at arbitrary (t_1, t_2, g) is the printed Eq. B17-B18, also with
    unequal baths (coefficients on the HS-orthogonal basis sigma^00, sigma^zz, sigma^0z + sigma^z0, rho^C')."""
    _, l1, l2, h0, h1 = split_liouvillian(theta=theta, **baths)
    _, p1 = projectors(h0, h1)
    cos, sin = np.cos(theta), np.sin(theta)
    c_l, c_r, d_l, d_r = baths.values()
    a_l, a_r, b_l, b_r = c_l * sin, c_r * sin, d_l * cos, d_r * cos
    gamma = -(sin**2) / ((TL - TR) * cos**2)  # Eq. B22
    t1, t2, g = 0.3, -0.1, 0.02
    rho = np.kron((I2 - t1 * SZ) / 2, (I2 - t2 * SZ) / 2) + (t2 - t1) / 8 * gamma * RHO_A + g * np.kron(SZ, SZ)
    out = (p1 @ l2 @ rho.reshape(-1)).reshape(4, 4)
    basis = [np.eye(4), np.kron(SZ, SZ), np.kron(I2, SZ) + np.kron(SZ, I2), RHO_C - gamma * RHO_A]  # Eq. 96-97
    printed = [
        0.0,
        -sin / 2 * (a_l * (t1 - TL) * t2 + a_r * (t2 - TR) * t1 + 4 * g * (a_l + a_r)),
        sin / 4 * (a_l * (t1 - TL) + a_r * (t2 - TR)),
        (
            2 * sin * (a_r * (t2 - TR) - a_l * (t1 - TL))
            + gamma**2 * (t2 - t1) * (2 * (b_l + b_r) * cos + (a_l + a_r) * sin)
        )
        / (8 * (1 + gamma**2)),
    ]
    np.testing.assert_allclose(out, sum(c * b for c, b in zip(printed, basis)), rtol=0, atol=1e-12)


def test_single_bath_dissipator_b13_b16():
    """D of one Appendix-B bath (Eq. B2, B9) on sigma_0, sigma_x, sigma_y, sigma_z: Eq. B13, B15, B16 as printed;
    Eq. B14 is misprinted, D sigma_x = -2 b (sigma_x cos + sigma_z sin), not (sigma_x cos - sigma_z sin)."""
    theta, temperature, c, d = 0.6, 0.7, 0.8, 0.4
    cos, sin = np.cos(theta), np.sin(theta)
    bath = spins.SpinBath.mirror(0, cos * SZ - sin * SX, temperature, H, spins.ConstantSpectrum(c, d))
    lv = {
        lam: np.asarray(spins.liouvillian(spins.SpinChain(2, np.zeros((3, 3)), lam, H, (bath,))))
        for lam in (1.0, -1.0, 2.0)
    }
    l1 = (lv[1.0] - lv[-1.0]) / 2
    l2 = (lv[2.0] - 2 * l1 - (lv[1.0] + lv[-1.0]) / 2) / 3

    def dissipator(op):  # D acts on spin 0 only: D(op (x) 1) = D(op) (x) 1
        return (l2 @ np.kron(op, I2).reshape(-1)).reshape(4, 4)[::2, ::2]

    a, b, t = c * sin, d * cos, np.tanh(H / temperature)  # Eq. B10-B12
    np.testing.assert_allclose(dissipator(I2), -2 * a * t * (SX * cos + SZ * sin), atol=1e-14)  # B13
    np.testing.assert_allclose(dissipator(SX), -2 * b * (SX * cos + SZ * sin), atol=1e-14)  # B14 corrected
    assert np.abs(dissipator(SX) + 2 * b * (SX * cos - SZ * sin)).max() > 0.1  # B14 as printed
    np.testing.assert_allclose(dissipator(SY), -2 * (b * cos + a * sin) * SY, atol=1e-14)  # B15
    np.testing.assert_allclose(dissipator(SZ), -2 * a * (SX * cos + SZ * sin), atol=1e-14)  # B16


# --------------------------------------------------------------------------------------------------------
# Convergence of the exact NESS to rho_0 (Fig. 4)
# --------------------------------------------------------------------------------------------------------
def ness_errors(theta, couplings, baths):
    """Rows (||rho(lambda) - rho_0||_F, |t_1(lambda) - t_1|, |t_2(lambda) - t_2|) for each coupling."""
    rho0 = np.asarray(A.ishida_sugita_two_spin_state(TL, TR, theta, **baths))
    t0 = np.array(A.ishida_sugita_two_spin(TL, TR, theta, **baths)[:2])
    rows = []
    for lam in couplings:
        ness = spins.steady_state(chain(lam, theta, **baths))
        rows.append([np.linalg.norm(np.asarray(ness.rho) - rho0), *np.abs(np.asarray(ness.polarization) - t0)])
    return np.array(rows)


def slope(x, y):
    return np.polyfit(np.log(x), np.log(y), 1)[0]


@pytest.mark.parametrize("baths", [EQUAL, UNEQUAL], ids=["equal", "unequal"])
def test_convergence_tilted(baths):
    """theta = pi/4: rho(lambda) - rho_0, t_l(lambda) - t_l = O(lambda) (Fig. 4, left).

    Measured (lambda = 1e-2, 1e-3, 1e-4; equal baths): ||rho - rho_0|| = 9.19e-3, 9.23e-4, 9.23e-5,
    dt_1 = 5.29e-3, 5.29e-4, 5.29e-5, dt_2 = 6.37e-3, 6.44e-4, 6.44e-5 (unequal: 1.12e-2, 6.79e-3, 7.91e-3 at
    1e-2). Error model: err = A lambda (1 + B lambda / A + ...); the measured second-order part is <= 1.2% at
    lambda = 1e-2 (|B / A| ~ 1.2), so the log-log slope over two decades is 1 within 0.0026 and err(1e-4) /
    (1e-2 err(1e-2)) = 1 within 0.012. The dense solve adds ~1e-17 / lambda^2 = 1e-9 at 1e-4 (measured through
    the lambda^2 errors at theta = pi/2), 2e-5 relative. Asserted: slope 1 +- 0.02, ratio 1 +- 0.05.
    """
    couplings = np.array([1e-2, 1e-3, 1e-4])
    err = ness_errors(np.pi / 4, couplings, baths)
    for j in range(3):
        assert abs(slope(couplings, err[:, j]) - 1) < 0.02, err
        assert abs(err[-1, j] / (1e-2 * err[0, j]) - 1) < 0.05, err
    assert 5e-3 < err[0, 1] < 1e-2  # the paper: relative errors of order 1e-2 at lambda = 0.01


def test_convergence_transverse():
    """theta = pi/2 (transverse Ising): flat profile t_1 = t_2 in the limit, and the polarizations converge like
    lambda^2 (the paper's "much faster"), while rho - rho_0 is still O(lambda) (coherences).

    Measured (equal baths): ||rho - rho_0|| = 4.0952e-3 lambda / 1e-2 (slope 1.00000); dt_1 = dt_2 = 1.906e-5,
    1.72e-6, 1.906e-7 at lambda = 1e-2, 3e-3, 1e-3 (slope 2.0000; unequal baths 2.9705e-5, 1.2994e-5 at
    1e-2, slope 2.0000). The lambda^2 fit stops at 1e-3, where the dense-solve noise ~1e-17 / lambda^2 = 1e-11
    is 5e-5 of the error (at 1e-4 it is 1e-9, as large as the error). Asserted: slopes within 0.02.
    """
    couplings = np.array([1e-2, 3e-3, 1e-3])
    for baths in (EQUAL, UNEQUAL):
        err = ness_errors(np.pi / 2, couplings, baths)
        assert abs(slope(couplings, err[:, 0]) - 1) < 0.02, err
        assert abs(slope(couplings, err[:, 1]) - 2) < 0.02 and abs(slope(couplings, err[:, 2]) - 2) < 0.02, err
        # 1e-2 x the theta = pi/4 error at lambda = 1e-2 (measured 1.9e-5 vs 5.3e-3)
        assert err[0, 1:].max() < 5e-5
