"""System description: couplings (force == -Phi q), masses, baths, and input validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxlangevin as jl

N = 9


def _couplings():
    return [
        jl.MeanField(1.3, kac="N-1"),
        jl.MeanField(0.7, kac="N"),
        jl.MeanField(0.2, kac="1"),
        jl.NearestNeighbour(0.8),
        jl.PowerLaw(1.1, sigma=0.5),
        jl.PowerLaw(1.0, sigma=-0.5),
        jl.Pinning(0.3),
        jl.FixedWalls(0.4),
        jl.Dense(jl.NearestNeighbour(1.0).to_dense(N) + 0.1 * jnp.eye(N)),
        jl.MeanField(1.0) + jl.NearestNeighbour(0.5) + jl.Pinning(0.02) + jl.FixedWalls(1.0),
    ]


@pytest.mark.parametrize("coupling", _couplings(), ids=lambda c: type(c).__name__)
def test_force_equals_minus_dense_stiffness(coupling, getkey):
    q = jax.random.normal(getkey(), (N,))
    phi = coupling.to_dense(N)
    np.testing.assert_allclose(coupling.force(q), -phi @ q, rtol=0, atol=1e-13)
    np.testing.assert_allclose(phi, phi.T, atol=1e-15)
    # batched positions work too
    qb = jax.random.normal(getkey(), (3, N))
    np.testing.assert_allclose(coupling.force(qb), -qb @ phi.T, atol=1e-13)


def test_definitions_match_conventions():
    n = 5
    mf = jl.MeanField(2.0, kac="N-1").to_dense(n)
    np.testing.assert_allclose(mf, 2.0 / (n - 1) * (n * np.eye(n) - np.ones((n, n))))
    # Andreucci: Phi_ij = 2 kA (delta_ij - 1/N)
    np.testing.assert_allclose(jl.MeanField.from_andreucci(0.5).to_dense(n), 2 * 0.5 * (np.eye(n) - 1 / n))
    nn = jl.NearestNeighbour(1.0).to_dense(n)
    np.testing.assert_allclose(np.diag(nn), [1, 2, 2, 2, 1])
    # power law at sigma = -1 is mean field with Nt = N
    np.testing.assert_allclose(jl.PowerLaw(1.0, -1.0).to_dense(n), jl.MeanField(1.0, kac="N").to_dense(n), atol=1e-14)
    np.testing.assert_allclose(jl.PowerLaw.from_andreucci(0.5, 0.3).to_dense(n), jl.PowerLaw(1.0, 0.3).to_dense(n))
    walls = jl.FixedWalls(3.0).to_dense(n)
    assert walls[0, 0] == 3.0 and walls[-1, -1] == 3.0 and np.trace(walls) == 6.0


def test_masses():
    m = jl.masses.graded(5, 1.0, 0.2)
    np.testing.assert_allclose(m, [0.8, 0.9, 1.0, 1.1, 1.2])
    r = jl.masses.random(jax.random.key(0), 1000, 2.0, 0.5)
    assert float(r.min()) >= 1.5 and float(r.max()) <= 2.5 and abs(float(r.mean()) - 2.0) < 0.05
    np.testing.assert_array_equal(jl.masses.uniform(3, 2.0), [2.0, 2.0, 2.0])


def test_bath_layouts():
    left, right = jl.extensive(10, fractions=(0.3, 0.2), temperatures=(2.0, 1.0), gamma=(0.5, 0.7))
    assert left.sites == (0, 1, 2) and right.sites == (8, 9)
    assert float(left.gamma) == 0.5 and float(right.temperature) == 1.0
    a, b = jl.intensive(1)
    assert a.sites == b.sites == (0,)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: jl.System(jnp.array([1.0, -1.0]), jl.MeanField(1.0)), "masses"),
        (lambda: jl.System(jnp.array([1.0, jnp.nan]), jl.MeanField(1.0)), "masses"),
        (lambda: jl.System(jnp.ones((2, 2)), jl.MeanField(1.0)), "shape"),
        (lambda: jl.System(jnp.ones(0), jl.Pinning(1.0)), "N >= 1"),
        (lambda: jl.OhmicBath((0,), gamma=-1.0, temperature=1.0), "gamma"),
        (lambda: jl.OhmicBath((0,), gamma=1.0, temperature=-0.1), "temperature"),
        (lambda: jl.OhmicBath((0, 0), gamma=1.0, temperature=1.0), "more than once"),
        (lambda: jl.System(jl.masses.uniform(3), jl.MeanField(1.0), [jl.OhmicBath((3,), 1.0, 1.0)]), "outside"),
        (lambda: jl.MeanField(1.0, kac="N+1"), "kac"),
        (lambda: jl.Dense(jnp.array([[1.0, 0.5], [0.0, 1.0]])), "symmetric"),
        (lambda: jl.Dense(jnp.array([[1.0, 2.0], [2.0, 1.0]])), "positive semi-definite"),
        (lambda: jl.System(jl.masses.uniform(3), jl.Dense(jnp.eye(2))), "N = 3"),
        (lambda: jl.masses.graded(4, 1.0, 1.5), "delta"),
        (lambda: jl.extensive(10, fractions=(0.6, 0.6)), "overlap"),
        (lambda: jl.System(jl.masses.uniform(1), jl.MeanField(1.0)), "N >= 2"),
    ],
)
def test_bad_input_raises_naming_parameter(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_traced_construction_and_n_equals_one():
    # value checks travel with traced arrays (eqx.error_if) instead of failing at trace time
    f = jax.jit(lambda m: jl.System(m, jl.MeanField(1.0), jl.intensive(3)).masses.sum())
    assert float(f(jnp.ones(3))) == 3.0
    with pytest.raises(Exception, match="masses"):
        f(jnp.array([1.0, -1.0, 1.0])).block_until_ready()
    s = jl.System(jl.masses.uniform(1), jl.Pinning(1.0), jl.intensive(1))
    assert s.n_sites == 1
