"""jaxlangevin.spins against an independent QuTiP construction of the Ishida-Sugita master equation.

The QuTiP side is written from the paper's equations only (no jaxlangevin.spins internals; the chains
are built from the same physical parameters, not read back):

    H_eff = h sum_l sigma^z_l + lambda sum_l H_I(l, l+1) + lambda sum_b <Y_b>_beta X_b    (Eq. 1, 5-6, B19)
    L rho = -i [H_eff, rho] + lambda^2 sum_b D_b rho                                     (Eq. 15-19)
    D_b rho = -[X_b, S_b rho] - [rho S_b^dag, X_b]                                       (Eq. 7, B2)
    S_b = sum_pq Xi(E_p - E_q) |p><p| X_b |q><q|,  Xi = Phi~ / 2 (Lamb shift dropped)    (Eq. 13, B3, B6)

E_p = +h, -h are the bath spin's Zeeman levels (QuTiP basis index 0 is sigma^z = +1). The baths are the
"mirror" baths of Appendix B: Y = X on a spin in field h at temperature T, so <Y>_beta = Tr(X e^{-beta h
sigma^z}) / Z (for X = sigma^z': -tanh(beta h) cos(theta), Eq. B20), and the constant spectrum of Eq.
B30-B33: Phi~(0) = d, Phi~(+-2h) = c (1 -+ tanh(beta h)), which obeys KMS (Eq. B8).
"""

import jax
import numpy as np
import pytest

qutip = pytest.importorskip("qutip")

from jaxlangevin import spins  # noqa: E402

EPS = np.finfo(float).eps


# ---------------------------------------------------------------------------------------------------
# Independent construction (QuTiP)
# ---------------------------------------------------------------------------------------------------


def sigma_zprime(theta):
    """sigma^z' = cos(theta) sigma^z - sin(theta) sigma^x (Eq. 106, B1)."""
    return np.cos(theta) * qutip.sigmaz() - np.sin(theta) * qutip.sigmax()


def embed(op, site, n):
    """``op`` (on 1 or 2 spins) acting on spins site, site + 1, ... of an n-spin chain."""
    k = len(op.dims[0])
    return qutip.tensor(*([qutip.qeye(2)] * site + [op] + [qutip.qeye(2)] * (n - site - k)))


def mirror_mean(x, beta, h):
    """<Y>_beta for Y = X on a bath spin with H_B = h sigma^z at inverse temperature beta (Eq. 6, B19)."""
    gibbs = (-beta * h * qutip.sigmaz()).expm()
    return qutip.expect(x, gibbs / gibbs.tr())


def bath_s(x, beta, h, c, d):
    """S of Eq. 13 with Xi = Phi~ / 2 for the spectrum Phi~(0) = d, Phi~(+-2h) = c (1 -+ tanh(beta h)).

    Entry (p, q) carries Phi~(E_p - E_q) with E = (+h, -h): (0, 1) -> Phi~(2h), (1, 0) -> Phi~(-2h).
    """
    t = np.tanh(beta * h)
    phi = np.array([[d, c * (1 - t)], [c * (1 + t), d]])
    return qutip.Qobj(0.5 * phi * x.full())


def qutip_liouvillian(n, lam, h, bond, baths):
    """(L, H_eff) as QuTiP objects. bond: two-spin H_I; baths: (site, X, T, c, d) tuples."""
    h_eff = sum(h * embed(qutip.sigmaz(), site, n) for site in range(n))
    h_eff += sum(lam * embed(bond, site, n) for site in range(n - 1))
    dissipators = []
    for site, x, temp, c, d in baths:
        h_eff += lam * mirror_mean(x, 1 / temp, h) * embed(x, site, n)
        big_x, big_s = embed(x, site, n), embed(bath_s(x, 1 / temp, h, c, d), site, n)
        sd = big_s.dag()
        # -[X, S rho] - [rho S^dag, X] = -X S rho + S rho X - rho S^dag X + X rho S^dag
        dissipators.append(
            -qutip.spre(big_x * big_s)
            + qutip.sprepost(big_s, big_x)
            - qutip.spost(sd * big_x)
            + qutip.sprepost(big_x, sd)
        )
    lv = -1j * (qutip.spre(h_eff) - qutip.spost(h_eff))
    for dis in dissipators:
        lv += lam**2 * dis
    return lv, h_eff, dissipators


def to_row_major(lv_qutip, d):
    """QuTiP stacks columns, vec(rho)[i + d j] = rho[i, j]; ours stacks rows, vec(rho)[d i + j] = rho[i, j].
    Swap the (row, column) index pair of both the output and the input."""
    return lv_qutip.full().reshape(d, d, d, d).transpose(1, 0, 3, 2).reshape(d * d, d * d)


# ---------------------------------------------------------------------------------------------------
# Cases: (jaxlangevin chain, QuTiP arguments) built from the same physical parameters
# ---------------------------------------------------------------------------------------------------


def tilted_ising(n):
    lam, theta, h, temps = 0.05, np.pi / 4, 1.0, (1.5, 0.5)
    chain = spins.SpinChain.tilted_ising(n=n, coupling=lam, theta=theta, field=h, temperatures=temps)
    zp = sigma_zprime(theta)
    baths = [(0, zp, temps[0], 1.0, 1.0), (n - 1, zp, temps[1], 1.0, 1.0)]
    return chain, (n, lam, h, qutip.tensor(zp, zp), baths)


def asymmetric_spectra(n):
    """Different c, d on the two sides, a tilted field frame at theta = pi/3, h = 0.8."""
    lam, theta, h = 0.05, np.pi / 3, 0.8
    (t_l, c_l, d_l), (t_r, c_r, d_r) = (1.2, 0.6, 1.4), (0.4, 1.7, 0.3)
    co, si = np.cos(theta), np.sin(theta)
    alpha = np.array([[si * si, 0.0, -co * si], [0.0, 0.0, 0.0], [-co * si, 0.0, co * co]])  # Eq. 108-110
    op = np.asarray(sigma_zprime(theta).full())
    chain = spins.SpinChain(
        n,
        alpha,
        lam,
        h,
        baths=(
            spins.SpinBath.mirror(0, op, t_l, h, spins.ConstantSpectrum(c_l, d_l)),
            spins.SpinBath.mirror(n - 1, op, t_r, h, spins.ConstantSpectrum(c_r, d_r)),
        ),
    )
    zp = sigma_zprime(theta)
    baths = [(0, zp, t_l, c_l, d_l), (n - 1, zp, t_r, c_r, d_r)]
    return chain, (n, lam, h, qutip.tensor(zp, zp), baths)


def xxz(n):
    """XXZ, alpha = diag(1, 1, Delta), sigma^x mirror baths (<sigma^x>_beta = 0)."""
    lam, delta, temps = 0.05, 0.5, (1.5, 0.5)
    chain = spins.SpinChain.xxz(n, lam, delta, temperatures=temps)
    sx, sy, sz = qutip.sigmax(), qutip.sigmay(), qutip.sigmaz()
    bond = qutip.tensor(sx, sx) + qutip.tensor(sy, sy) + delta * qutip.tensor(sz, sz)
    baths = [(0, sx, temps[0], 1.0, 1.0), (n - 1, sx, temps[1], 1.0, 1.0)]
    return chain, (n, lam, 1.0, bond, baths)


CASES = {"tilted_ising": tilted_ising, "asymmetric_spectra": asymmetric_spectra, "xxz": xxz}


def condition_number(lv_row_major, d):
    """2-norm condition number of the bordered system L + u t^T that fixes Tr rho = 1 (t = vec(1), u = t/d).

    Error estimate for the steady state: a backward-stable solve of a system with condition number kappa
    gives a relative forward error ~ kappa eps. L has norm ~ N h while its slowest nonzero rate is
    ~ lambda^2 Phi~ (the baths relax the chain at order lambda^2), so kappa ~ N h / lambda^2 ~ 10^3-10^4
    here. Both solvers (and the eps-level difference between the two L's, which moves rho by the same
    kappa eps) contribute, so we allow 10 kappa eps in rho, i.e. ~5e-12 for lambda = 0.05; observed <= 6e-14.
    """
    t = np.eye(d).reshape(-1)
    return np.linalg.cond(lv_row_major + np.outer(t / d, t))


# ---------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------


def test_bath_superoperator_matches_appendix_b():
    """The QuTiP S, <Y> and D reproduce the paper's closed forms Eq. B9-B13 and B20 (checks the reference)."""
    theta, h, beta, c, d = 0.7, 1.3, 0.9, 0.8, 1.6
    zp = sigma_zprime(theta)
    t = np.tanh(beta * h)
    a, b = c * np.sin(theta), d * np.cos(theta)  # Eq. B10-B11 with B32-B33
    s_b9 = 0.5 * (b * qutip.sigmaz() - a * (qutip.sigmax() - 1j * t * qutip.sigmay()))
    np.testing.assert_allclose(bath_s(zp, beta, h, c, d).full(), s_b9.full(), rtol=0, atol=1e-15)
    assert mirror_mean(zp, beta, h) == pytest.approx(-t * np.cos(theta), abs=1e-15)  # Eq. B20
    # KMS (Eq. B8) and Eq. B32: Phi~(-2h) = Phi~(2h) e^{2 beta h}, (Phi~(2h) + Phi~(-2h)) / 2 = c
    up, down = c * (1 - t), c * (1 + t)
    assert down == pytest.approx(up * np.exp(2 * beta * h), rel=1e-14)
    assert (up + down) / 2 == pytest.approx(c, rel=1e-15)
    # D applied to the identity, Eq. B13: D sigma_0 = -2 a t (sigma_x cos + sigma_z sin)
    s = bath_s(zp, beta, h, c, d)
    dis = -qutip.spre(zp * s) + qutip.sprepost(s, zp) - qutip.spost(s.dag() * zp) + qutip.sprepost(zp, s.dag())
    d_eye = qutip.vector_to_operator(dis * qutip.operator_to_vector(qutip.qeye(2)))
    want = -2 * a * t * (np.cos(theta) * qutip.sigmax() + np.sin(theta) * qutip.sigmaz())
    np.testing.assert_allclose(d_eye.full(), want.full(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("case", list(CASES))
def test_liouvillian_matrix_other_sizes(case, n):
    """Matrices only (the solves below use N = 3): a single bond, and a chain with two interior spins."""
    chain, args = CASES[case](n)
    d = 2**n
    theirs = to_row_major(qutip_liouvillian(*args)[0], d)
    np.testing.assert_allclose(
        np.asarray(spins.liouvillian(chain)), theirs, rtol=0, atol=8 * EPS * np.abs(theirs).max()
    )


@pytest.fixture(scope="module", params=list(CASES))
def solved(request):
    """Both constructions of one case at N = 3, built and solved once per module."""
    chain, args = CASES[request.param](3)
    lv_q, h_eff, dissipators = qutip_liouvillian(*args)
    d = 2**chain.n
    theirs = to_row_major(lv_q, d)
    ours = np.asarray(spins.liouvillian(chain))
    rho_q = qutip.steadystate(lv_q)  # QuTiP's default: method="direct", scipy spsolve on the CSR Liouvillian
    ness = spins.steady_state(chain)  # Dense() for these sizes
    return dict(
        chain=chain,
        args=args,
        lv_q=lv_q,
        h_eff=h_eff,
        dissipators=dissipators,
        theirs=theirs,
        ours=ours,
        rho_q=rho_q,
        ness=ness,
        kappa=condition_number(theirs, d),
    )


def test_liouvillian_matrix_matches_qutip(solved):
    chain, lv_q, ours, theirs = solved["chain"], solved["lv_q"], solved["ours"], solved["theirs"]
    d = 2**chain.n
    # Each entry is a sum of a few O(h) and O(lambda^2) products: rounding ~ a few eps max|L|.
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=8 * EPS * np.abs(theirs).max())
    # the matrix-free action on an arbitrary (non-Hermitian) matrix: ours on rho.reshape(-1) (row major)
    rng = np.random.default_rng(0)
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    theirs_action = qutip.vector_to_operator(lv_q * qutip.operator_to_vector(qutip.Qobj(rho, dims=lv_q.dims[0])))
    np.testing.assert_allclose(
        np.asarray(spins.apply_liouvillian(chain, rho)),
        theirs_action.full(),
        rtol=0,
        atol=64 * EPS * np.abs(theirs).max() * np.abs(rho).max(),  # sums of O(N) terms of size max|L| |rho|
    )


def test_steady_state_matches_qutip(solved):
    n, lam = solved["args"][:2]
    ness, rho_q, kappa = solved["ness"], solved["rho_q"], solved["kappa"]
    rho = np.asarray(jax.device_get(ness.rho))
    assert kappa < 100 * n / lam**2  # the estimate of condition_number's docstring, with room
    tol = 10 * kappa * EPS * np.linalg.norm(rho, 2)
    np.testing.assert_allclose(rho, rho_q.full(), rtol=0, atol=tol)
    assert np.trace(rho).real == pytest.approx(1, abs=1e-13)

    # observables from the QuTiP state and operators: t_l = -<sigma^z_l>, J_b = lambda^2 Tr(H_eff D_b rho)
    pol = [-qutip.expect(embed(qutip.sigmaz(), site, n), rho_q) for site in range(n)]
    np.testing.assert_allclose(np.asarray(ness.polarization), pol, rtol=0, atol=tol)
    current = [
        lam**2 * (solved["h_eff"] * qutip.vector_to_operator(dis * qutip.operator_to_vector(rho_q))).tr().real
        for dis in solved["dissipators"]
    ]
    # J is linear in rho with a lambda^2 O(N h) coefficient
    np.testing.assert_allclose(np.asarray(ness.energy_current), current, rtol=0, atol=lam**2 * n * tol)
    assert abs(sum(current)) < lam**2 * n * tol  # energy balance of the reference itself
    assert abs(current[0]) > 1e3 * lam**2 * n * tol  # a nontrivial current is being compared
