"""The fused engines (many BAOAB steps per call): the Numba loop (``jaxlangevin._fused_cpu``, the CPU
default) and the GPU kernel (``jaxlangevin._fused``), the latter run here through the Pallas interpreter.

On a GPU the same kernel is compiled by Triton; ``benchmarks/fused_check.py`` repeats the agreement
checks there (RESULTS.md). Here: their noise is bit for bit that of the XLA loop, so with the same key
all engines integrate the same trajectories and may differ only by float32 rounding; they reproduce
the exact steady state; they refuse, with the reason, what they do not implement.
"""

import functools

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import jaxlangevin as jl  # noqa: E402
from jaxlangevin import _fused, _simulate  # noqa: E402


@pytest.fixture(params=["numba", "pallas"])
def engine(request, monkeypatch):
    """Which fused engine ``simulate(fused=True)`` runs on this CPU: the Numba loop or the GPU kernel
    through the Pallas interpreter."""
    if request.param == "pallas":
        monkeypatch.setattr(_simulate, "_cpu_runner", _pallas_interpreted)
    return request.param


def _pallas_interpreted(fused_plan, mesh):
    return functools.partial(_simulate._run_chunk_fused, fused_plan, True, mesh), ""


def _system(n=12, quartic=0.3, dtype=jnp.float32):
    """Random masses, mean-field + pinning (+ quartic), a two-site hot bath and a one-site cold bath."""
    masses = np.random.default_rng(1).uniform(0.5, 1.5, n)
    coupling = jl.MeanField(1.0) + jl.Pinning(0.1)
    if quartic:
        coupling = coupling + jl.OnSiteQuartic(quartic)
    baths = [jl.OhmicBath((0, 1), 1.0, 1.5), jl.OhmicBath((n - 1,), 0.5, 0.5)]
    return jl.System(jnp.asarray(masses, dtype), coupling, baths)


@pytest.mark.parametrize("step", [0, 1, 12345, 2**32 - 1])
def test_noise_is_jax_random_normal_bit_for_bit(step):
    key = jax.random.key(42)
    ref = jax.random.normal(jax.random.fold_in(key, step), (37, 3), jnp.float32)
    k = jax.random.key_data(key).astype(jnp.uint32)
    k1, k2 = _fused.step_key(k[0], k[1], jnp.uint32(step))
    ours = _fused.normal_from_counter(k1, k2, jnp.arange(37 * 3, dtype=jnp.uint32).reshape(37, 3))
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(ref))


def test_fused_and_xla_loop_integrate_the_same_trajectories(engine):
    """Same key, same noise: flux, temperatures and final states agree to float32 rounding.

    Tolerance: the engines differ in the order of the mean-field sum (one float32 ulp, 6e-8 relative,
    per step); for 400 steps of a stable system the differences stay below ~1e-5 relative, i.e.
    1e-3 of a standard error or less (measured on CPU and H100: 1e-7 to 2e-6 relative; the Numba loop
    also reassociates the sum for SIMD).
    """
    s = _system()
    kw = dict(n_traj=24, dt=0.05, t_relax=2.0, t_measure=18.0, key=jax.random.key(3), progress=False,
              chunk_steps=150)
    a = jl.simulate(s, fused=False, **kw)
    b = jl.simulate(s, fused=True, **kw)
    for name in ("flux", "temperature", "energy_balance"):
        x, y = np.asarray(getattr(a, name), np.float64), np.asarray(getattr(b, name), np.float64)
        err = np.asarray(getattr(a, name + "_err"), np.float64)
        assert np.all(np.abs(x - y) < 1e-3 * err), (name, x, y, err)
    q_a, q_b = np.asarray(a.final.q), np.asarray(b.final.q)
    assert np.max(np.abs(q_a - q_b)) < 1e-4 * np.sqrt(np.mean(q_a**2))


def test_fused_matches_exact_steady_state():
    """Unequal masses (thermalizes): flux and temperatures == negf_steady_state within 4 SE, the CPU's
    fused engine (Numba), float32 state (the float32 rounding, ~1e-7 relative, is far below the ~1e-2
    statistical error; BAOAB's dt^2 bias at dt = 0.05 is ~1e-3 relative). The GPU kernel passes the
    same check on an H100 (benchmarks/fused_check.py)."""
    masses = jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7])
    exact = jl.negf_steady_state(jl.System(masses, jl.MeanField(1.0) + jl.Pinning(0.1),
                                           jl.intensive(6, (1.5, 0.5), 1.0)))
    s = jl.System(masses.astype(jnp.float32), jl.MeanField(1.0) + jl.Pinning(0.1), jl.intensive(6, (1.5, 0.5), 1.0))
    r = jl.simulate(s, n_traj=512, dt=0.05, t_relax=10 * float(exact.slowest_relaxation_time), t_measure=500.0,
                    key=jax.random.key(11), progress=False, fused=True)
    assert np.all(np.abs(r.flux - exact.flux) < 4 * r.flux_err), (r.flux, exact.flux, r.flux_err)
    assert np.all(np.abs(r.temperature - exact.temperature) < 4 * r.temperature_err)
    assert abs(float(r.energy_balance)) < 4 * float(r.energy_balance_err)


@pytest.mark.parametrize(
    "change, reason",
    [
        (dict(dtype=jnp.float64), "float32"),
        (dict(coupling=jl.NearestNeighbour(1.0)), "diagonal-plus-rank-one"),
        (dict(coupling=jl.MeanField(1.0) + jl.FPUT(0.0, 1.0)), "OnSiteQuartic"),
        (dict(integrator=jl.EulerMaruyama()), "BAOAB"),
        (dict(record_every=5), "record_every"),
        (dict(baths=[jl.OhmicBath(tuple(range(17)), 1.0, 1.0)]), "bath sites"),
        (dict(baths=[jl.OhmicBath((0,), 1.0, 1.0), jl.OhmicBath((0, 3), 1.0, 1.0)]), "several baths"),
        (dict(key=jax.random.key(0, impl="rbg")), "Threefry"),
        (dict(no_numba=True), "numba"),
    ],
)
def test_fused_true_says_why_it_does_not_apply(change, reason, monkeypatch):
    n = 20
    if change.get("no_numba"):
        monkeypatch.setattr(_simulate, "fused_cpu_available", lambda: False)
    s = jl.System(jnp.ones(n, change.get("dtype", jnp.float32)), change.get("coupling", jl.MeanField(1.0)),
                  change.get("baths", jl.intensive(n, (1.5, 0.5), 1.0)))
    kw = dict(n_traj=4, dt=0.05, t_relax=0.0, t_measure=1.0, key=change.get("key", jax.random.key(0)),
              progress=False, integrator=change.get("integrator", jl.BAOAB()),
              record_every=change.get("record_every"))
    with pytest.raises(ValueError, match=reason):
        jl.simulate(s, fused=True, **kw)
    with pytest.raises(ValueError, match="`fused`"):
        jl.simulate(s, fused="yes", **kw)


_EIGHT_DEVICES = """
import sys, functools, jax
import jax.numpy as jnp, numpy as np, jaxlangevin as jl
from jaxlangevin import _simulate
if sys.argv[2] == "pallas":
    _simulate._cpu_runner = lambda p, mesh: (functools.partial(_simulate._run_chunk_fused, p, True, mesh), "")
s = jl.System(jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7], jnp.float32), jl.MeanField(1.0) + jl.Pinning(0.1),
              jl.intensive(6, (1.5, 0.5), 1.0))
r = jl.simulate(s, n_traj=13, dt=0.05, t_relax=2.0, t_measure=5.0, key=jax.random.key(7), progress=False,
                fused=True)
np.save(sys.argv[1], np.concatenate([np.ravel(r.final.q), np.ravel(r.final.v), r.flux, r.temperature]))
print(len(jax.devices()))
"""


@pytest.mark.parametrize("kernel", ["numba", "pallas"])
def test_fused_on_one_and_eight_devices_bit_for_bit(on_devices, kernel):
    """Numba: the state is processed on the host whatever the devices. Pallas: the trajectories are split
    over the devices (shard_map; n_traj = 13 is padded) and each device offsets its noise counters by
    its first global row. Either way the numbers of one device, bit for bit."""
    np.testing.assert_array_equal(on_devices(_EIGHT_DEVICES, 1, kernel), on_devices(_EIGHT_DEVICES, 8, kernel))
