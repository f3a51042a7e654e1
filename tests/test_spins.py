"""jl.spins: the weak-coupling master equation of spin chains (Ishida and Sugita), exact steady state.

Reference results: the dense Liouvillian equals the matrix-free one; the NESS is the null vector found by
an eigen-decomposition; energy conservation sum_b J_b = 0 and equal bond currents (exact identities of
the master equation); equal bath temperatures give no current; Eq. 2 (alpha_zz = 0: no gradient in the
limit); gradients of the NESS against finite differences; bad input is refused when the chain is built.
The closed forms of the two-spin case are in test_spins_analytic.py, QuTiP in test_spins_qutip.py.
"""

import subprocess
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxlangevin import spins

# The NESS solve is a dense LU of a matrix whose smallest singular value is ~ lambda^2 (the bath rates)
# against entries ~ h = 1: rounding errors are ~ eps / lambda^2 relative, 2e-12 at lambda = 0.01.
EPS = np.finfo(float).eps


def tilted(n, coupling, theta=np.pi / 4, temperatures=(1.5, 0.5)):
    return spins.SpinChain.tilted_ising(n=n, coupling=coupling, theta=theta, temperatures=temperatures)


GENERIC_ALPHA = np.array([[0.3, 0.2, 0.1], [0.2, -0.5, 0.4], [0.1, 0.4, 0.9]])


def generic_chain(n=4, coupling=0.2):
    """Any symmetric alpha, a complex bath operator with its own mean and spectrum on one side."""
    operator = np.array([[0.3, 0.5 - 0.2j], [0.5 + 0.2j, -0.1]])
    left = spins.SpinBath(0, operator, 1.7, spins.ConstantSpectrum(0.5, 2.0), mean=0.3)
    right = spins.SpinBath.mirror(n - 1, spins.SIGMA_X + 0.4 * spins.SIGMA_Z, 0.4, 1.0)
    return spins.SpinChain(n, GENERIC_ALPHA, coupling, 1.0, baths=(left, right))


@pytest.mark.parametrize("which", ["xxz", "generic"])
def test_matrix_free_equals_dense_liouvillian(which):
    chain = spins.SpinChain.xxz(3, coupling=0.3, delta=0.7, temperatures=(2.0, 0.4)) if which == "xxz" else None
    chain = chain or generic_chain(3)
    rng = np.random.default_rng(0)
    rho = rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8))
    dense = np.asarray(spins.liouvillian(chain)) @ rho.reshape(-1)
    free = np.asarray(spins.apply_liouvillian(chain, jnp.asarray(rho))).reshape(-1)
    assert np.max(np.abs(dense - free)) < 100 * EPS * np.max(np.abs(dense))


@pytest.mark.parametrize("coupling", [0.1, 0.01])
def test_steady_state_is_the_null_vector(coupling):
    chain = tilted(3, coupling)
    ness = spins.steady_state(chain)
    rho = np.asarray(ness.rho)
    vals, vecs = np.linalg.eig(np.asarray(spins.liouvillian(chain)))
    order = np.argsort(np.abs(vals))
    assert abs(vals[order[1]]) > 1e3 * abs(vals[order[0]])  # a unique steady state
    ref = vecs[:, order[0]].reshape(8, 8)
    ref = ref / np.trace(ref)
    tol = 100 * EPS / coupling**2
    assert np.max(np.abs(rho - ref)) < tol
    assert np.allclose(rho, rho.conj().T, atol=0) and abs(np.trace(rho) - 1) < 10 * EPS
    assert np.linalg.eigvalsh(rho).min() > 0  # a density matrix (Redfield need not guarantee it)
    assert float(ness.residual) < tol


@pytest.mark.parametrize("chain", [tilted(4, 0.05), generic_chain()], ids=["tilted", "generic"])
def test_energy_conservation_and_bond_currents(chain):
    from jaxlangevin.spins._liouvillian import apply_dissipator

    ness = spins.steady_state(chain)
    j = np.asarray(ness.energy_current)
    assert j[0] > 0  # heat flows from the hot left bath into the chain
    # sum_b J_b = Tr(H_eff L rho) = 0 exactly: rounding ~ ||H|| eps / lambda^2 relative to lambda^2 rates
    assert abs(j.sum()) < 1e-9 * abs(j[0])
    bond = np.asarray(ness.bond_current)
    assert np.max(np.abs(bond[1:] / j[0] - 1)) < 1e-9  # continuity across every inner bond
    # first bond: minus what the left bath gives the bond energy lambda H_I(0,1) directly
    d_rho = apply_dissipator(chain, chain.baths[0], ness.rho)
    bond_energy = chain.coupling * spins._operators.bond_operator(chain.alpha)
    direct = float(spins._operators.expectation(d_rho, bond_energy, 0, chain.n))
    assert abs(bond[0] - (j[0] - direct)) < 1e-9 * abs(j[0])


def test_equal_temperatures_carry_no_current_and_become_flat():
    errors = []
    for coupling in (1e-2, 1e-3):
        ness = spins.steady_state(tilted(4, coupling, temperatures=(0.8, 0.8)))
        j = np.asarray(ness.energy_current)
        assert np.max(np.abs(j)) < 1e-9 * coupling**2  # no current at equilibrium (rates ~ lambda^2)
        errors.append(np.max(np.abs(np.asarray(ness.polarization) - np.tanh(1 / 0.8))))
    # t_l -> tanh(beta h) of the baths with an O(lambda) error
    assert 8 < errors[0] / errors[1] < 12 and errors[1] < 1e-2


def test_no_gradient_without_alpha_zz():
    """Eq. 2: alpha_zz = 0 (transverse Ising, XX) leaves no temperature gradient as lambda -> 0."""
    for chain_at in (lambda lam: tilted(4, lam, theta=np.pi / 2), lambda lam: spins.SpinChain.xxz(4, lam, 0.0)):
        small, smaller = (np.asarray(spins.steady_state(chain_at(lam)).polarization) for lam in (1e-2, 1e-3))
        assert np.ptp(smaller) < 1e-4 and np.ptp(smaller) < np.ptp(small) / 50  # O(lambda^2) or faster
    with_zz = np.asarray(spins.steady_state(tilted(4, 1e-3, theta=np.pi / 4)).polarization)
    assert np.ptp(with_zz) > 1e-2  # alpha_zz = 1/2 keeps one (measured t_N - t_1 = 0.040)


def test_function_spectrum_equals_constant_spectrum():
    def phi(omega, beta):  # the ConstantSpectrum(c=0.7, d=1.3) written out (Eq. B32-B33)
        return jnp.where(omega == 0, 1.3, 0.7 * (1 - jnp.tanh(beta * omega / 2)))

    kw = dict(n=3, coupling=0.05, theta=0.6, temperatures=(1.2, 0.7))
    a = spins.SpinChain.tilted_ising(**kw, spectrum=spins.ConstantSpectrum(0.7, 1.3))
    b = spins.SpinChain.tilted_ising(**kw, spectrum=phi)
    diff = np.abs(np.asarray(spins.steady_state(a).rho) - np.asarray(spins.steady_state(b).rho)).max()
    assert diff < 100 * EPS / 0.05**2


def test_gradients_match_finite_differences():
    def current(p):
        coupling, theta, t_left = p
        chain = spins.SpinChain.tilted_ising(n=3, coupling=coupling, theta=theta, temperatures=(t_left, 0.5))
        return spins.steady_state(chain).energy_current[0]

    current = jax.jit(current)
    p = jnp.array([0.05, np.pi / 4, 1.5])
    grad = np.asarray(jax.jit(jax.grad(current))(p))
    step = 1e-5
    for i in range(3):  # central differences: error ~ step^2 J''' ~ 1e-10 relative, rounding ~ eps/(lambda^2 step)
        e = np.zeros(3)
        e[i] = step
        fd = (current(p + e) - current(p - e)) / (2 * step)
        assert abs(grad[i] - fd) < 1e-6 * abs(fd)


def test_jit_and_vmap_over_coupling():
    @jax.jit
    @jax.vmap
    def polarization(coupling):
        return spins.steady_state(tilted(2, coupling)).polarization

    couplings = jnp.array([0.1, 0.01])
    batch = np.asarray(polarization(couplings))
    single = np.stack([np.asarray(spins.steady_state(tilted(2, float(c))).polarization) for c in couplings])
    assert np.max(np.abs(batch - single)) < 1e-10


def test_models_with_edge_baths_are_the_chains_they_name():
    """The API.md form (model + EdgeBaths) builds the same Liouvillian as SpinChain with explicit alpha and
    mirror baths, for each model; sigma_z = -t_l."""
    theta = 0.7
    c, s = np.cos(theta), np.sin(theta)
    zprime = c * spins.SIGMA_Z - s * spins.SIGMA_X
    cases = [
        (spins.TiltedIsing(n_spins=3, theta=theta, lam=0.05, h=1.3),
         np.array([[s * s, 0, -c * s], [0, 0, 0], [-c * s, 0, c * c]]), zprime),
        (spins.XXZ(3, delta=0.6, lam=0.05, h=1.3), np.diag([1.0, 1.0, 0.6]), spins.SIGMA_X),
        (spins.XY(3, anisotropy=0.4, lam=0.05, h=1.3), np.diag([0.7, 0.3, 0.0]), spins.SIGMA_X),
        (spins.SpinModel(3, GENERIC_ALPHA, lam=0.05, h=1.3), GENERIC_ALPHA, spins.SIGMA_X),
    ]
    for model, alpha, op in cases:
        edge = spins.EdgeBaths(temperatures=(1.5, 0.5), c=(1.0, 0.5), d=(2.0, 1.0))
        ness = spins.steady_state(model, edge)
        baths = (spins.SpinBath.mirror(0, op, 1.5, 1.3, spins.ConstantSpectrum(1.0, 2.0)),
                 spins.SpinBath.mirror(2, op, 0.5, 1.3, spins.ConstantSpectrum(0.5, 1.0)))
        explicit = spins.SpinChain(3, alpha, 0.05, 1.3, baths)
        dense = np.asarray(spins.liouvillian(explicit))
        assert np.max(np.abs(np.asarray(spins.liouvillian(model.with_baths(edge))) - dense)) < 10 * EPS
        ref = spins.steady_state(explicit)
        assert np.max(np.abs(np.asarray(ness.rho) - np.asarray(ref.rho))) < 1e-12
        np.testing.assert_array_equal(np.asarray(ness.sigma_z), -np.asarray(ness.polarization))
    # the SpinChain shortcut is the same chain
    short = spins.SpinChain.tilted_ising(3, 0.05, theta, 1.3, temperatures=(1.5, 0.5))
    full = spins.TiltedIsing(3, theta, 0.05, 1.3).with_baths(spins.EdgeBaths((1.5, 0.5)))
    assert np.max(np.abs(np.asarray(spins.liouvillian(short)) - np.asarray(spins.liouvillian(full)))) == 0


SZ, SX = spins.SIGMA_Z, spins.SIGMA_X


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: spins.SpinBath(0, np.array([[0, 1], [2, 0]]), 1.0), "Hermitian"),
        (lambda: spins.SpinBath(0, np.eye(3), 1.0), r"\(2, 2\)"),
        (lambda: spins.SpinBath(0, SX, -1.0), "temperature"),
        (lambda: spins.SpinBath(0, SX, 0.0), "temperature"),
        (lambda: spins.SpinBath(1.5, SX, 1.0), "site"),
        (lambda: spins.ConstantSpectrum(c=-1.0), "c"),
        (lambda: spins.SpinChain(3, np.array([[0, 1, 0], [0, 0, 0], [0, 0, 1]]), 0.1), "symmetric"),
        (lambda: spins.SpinChain(3, np.eye(2), 0.1), r"\(3, 3\)"),
        (lambda: spins.SpinChain(1, np.eye(3), 0.1, baths=(spins.SpinBath(0, SX, 1.0),)), "n"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.0, baths=(spins.SpinBath(0, SX, 1.0),)), "coupling"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.1, field=0.0, baths=(spins.SpinBath(0, SX, 1.0),)), "field"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.1, baths=(spins.SpinBath(3, SX, 1.0),)), "outside"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.1), "empty"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.1, baths=(spins.SpinBath(0, SX, 1.0, lambda w, b: 1.0 + 0 * w),)),
         "KMS"),
        (lambda: spins.SpinChain(3, np.eye(3), 0.1, baths=(spins.SpinBath(0, SX, 1.0, lambda w, b: -jnp.exp(-b * w)),)),
         ">= 0"),
        (lambda: spins.SpinChain.tilted_ising(3, 0.1, 1.0, temperatures=(1.0, 2.0, 3.0)), "T_L, T_R"),
        (lambda: spins.TiltedIsing(1, 0.3, 0.1), "n_spins"),
        (lambda: spins.XXZ(3, 0.5, lam=0.0), "lam"),
        (lambda: spins.XY(3, 0.5, lam=0.1, h=np.inf), "`h`"),
        (lambda: spins.EdgeBaths((1.0, 0.5), c=(1.0, 1.0, 1.0)), "`c`"),
        (lambda: spins.EdgeBaths((1.0, 0.5), operator=np.array([[0, 1], [2, 0]])), "Hermitian"),
        (lambda: spins.TiltedIsing(3, 0.3, 0.1).with_baths(spins.EdgeBaths((1.0, -0.5))), "temperature"),
        (lambda: spins.TiltedIsing(3, 0.3, 0.1).with_baths(spins.EdgeBaths((1.0, 0.5), d=-1.0)), "d"),
        (lambda: spins.steady_state(spins.TiltedIsing(3, 0.3, 0.1)), "baths"),
        (lambda: spins.steady_state(tilted(3, 0.1), spins.EdgeBaths((1.0, 0.5))), "already"),
        (lambda: spins.steady_state(spins.TiltedIsing(3, 0.3, 0.1), spins.Dense()), "solver="),
    ],
)
def test_bad_input_is_refused_at_construction(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="max_spins"):
        spins.Dense().solve(tilted(8, 0.1))
    ising = spins.SpinChain(3, np.diag([0.0, 0.0, 1.0]), 0.1, baths=spins.SpinChain.xxz(3, 0.1, 1.0).baths)
    with pytest.raises(ValueError, match="alpha_"):
        spins.steady_state(ising).eq150
    one_side = spins.SpinChain(3, np.eye(3), 0.1, baths=(spins.SpinBath(0, SX, 1.0), spins.SpinBath(1, SX, 0.5)))
    with pytest.raises(ValueError, match="spin 2"):
        spins.steady_state(one_side).eq150
    # float32 cannot hold lambda^2-small rates next to O(h) frequencies: refused (JAX's default, in a fresh process)
    code = "from jaxlangevin import spins; spins.steady_state(spins.SpinChain.tilted_ising(2, 0.1, 0.5))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "jax_enable_x64" in run.stderr


def test_traced_values_are_checked_when_computed():
    with pytest.raises(eqx.EquinoxRuntimeError, match="temperature"):
        eqx.filter_jit(lambda t: spins.SpinBath(0, SX, t).temperature)(jnp.asarray(-1.0))


def test_non_unique_steady_state_warns():
    """One bath on the middle spin of a reflection-symmetric chain leaves two steady states."""
    chain = spins.SpinChain.tilted_ising(5, 0.1, np.pi / 4)
    middle = spins.SpinChain(5, chain.alpha, 0.1, baths=(spins.SpinBath.mirror(2, spins.SIGMA_X, 1.0, 1.0),))
    with pytest.warns(RuntimeWarning, match="not be unique"):
        spins.steady_state(middle)
