"""The ensemble Langevin simulator against exact results, and its bookkeeping.

Statistical tests compare with exact values within 4 standard errors (the standard error is taken
across independent trajectories): a false alarm rate of ~6e-5 per compared number. Biases of the
integrator (O(dt^2) for BAOAB) are kept well below the statistical error by the choice of dt, stated
per test.
"""

import textwrap

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import jaxlangevin as jl  # noqa: E402
from jaxlangevin import _simulate  # noqa: E402

SIGMAS = 4.0
MASSES = jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7])


def _unequal_system():
    n = MASSES.shape[0]
    return jl.System(MASSES, jl.MeanField(1.0) + jl.Pinning(0.1), jl.intensive(n, (1.5, 0.5), 1.0))


def test_unequal_masses_match_exact_steady_state():
    """Flux, temperatures, energy balance == negf_steady_state within 4 SE (BAOAB dt = 0.05:
    bias ~ (omega dt)^2 / 4 ~ 1e-3 relative at omega_max ~ 1.4, below the ~2e-2 / 1e-2 statistical error)."""
    s = _unequal_system()
    ss = jl.negf_steady_state(s)
    t_relax = 10 * float(ss.slowest_relaxation_time)
    r = jl.simulate(s, n_traj=256, dt=0.05, t_relax=t_relax, t_measure=500.0, key=jax.random.key(0), progress=False)
    assert np.all(np.abs(r.flux - ss.flux) < SIGMAS * r.flux_err), (r.flux, ss.flux, r.flux_err)
    assert np.all(np.abs(r.temperature - ss.temperature) < SIGMAS * r.temperature_err)
    assert abs(float(r.energy_balance)) < SIGMAS * float(r.energy_balance_err)
    # the error bars themselves are meaningful: relative flux error ~ 1 / sqrt(n_traj t_measure / tau)
    assert 0.005 < float(r.flux_err[0] / r.flux[0]) < 0.1


def test_equal_mass_mean_field_start_decides_steady_state():
    """Andreucci Sec. 3.3 / Fig. 2 (N = 32, gamma = 0.5, k_A = 1): from rest the bulk holds only the bright
    share, T_rest(n) from negf_steady_state; from Thermal(T0) the N - 3 dark modes keep T0, so
    T(n) = T_rest(n) + (1 - 1/(N - 2)) T0 exactly (site n carries 1 - 1/(N-2) of the dark subspace)."""
    n, t0 = 32, 1.0
    s = jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0), jl.intensive(n, (1.5, 0.5), 0.5))
    ss = jl.negf_steady_state(s)
    t_relax = 10 * float(ss.slowest_relaxation_time)
    kw = dict(n_traj=128, dt=0.05, t_relax=t_relax, t_measure=300.0, progress=False)
    rest = jl.simulate(s, key=jax.random.key(1), init=jl.AtRest(), **kw)
    hot = jl.simulate(s, key=jax.random.key(2), init=jl.Thermal(t0), **kw)
    bulk = slice(1, n - 1)
    assert isinstance(rest.start, jl.AtRest) and isinstance(hot.start, jl.Thermal)
    dev = np.abs(rest.temperature - ss.temperature)[bulk]
    assert np.all(dev < SIGMAS * rest.temperature_err[bulk] + 1e-12)
    assert float(jnp.mean(rest.temperature[bulk])) < 0.05  # ~ (T_L + T_R) / (2N) = 0.031
    expect = ss.temperature[bulk] + (1 - 1 / (n - 2)) * t0
    assert np.all(np.abs(hot.temperature[bulk] - expect) < SIGMAS * hot.temperature_err[bulk])
    # the Lyapunov engine's long-time limit from the same start, every site (bath sites included)
    exact_hot = jl.lyapunov_steady_state(s, init=jl.Thermal(t0)).temperature
    assert np.all(np.abs(hot.temperature - exact_hot) < SIGMAS * hot.temperature_err)


def test_one_bath_equipartition_and_gaussian_velocities():
    """One bath on three sites of a random-mass chain: every site at T; v_n / sqrt(T / m_n) over 4096
    trajectories is standard normal (Kolmogorov-Smirnov at the 1e-4 level, moments within 4 SE).
    t_relax = 12 x the slowest relaxation time (74, from negf_steady_state); BAOAB dt = 0.05 with
    omega_max ~ 1.9: bias ~ (omega dt)^2 / 4 ~ 2e-3 relative, below the 4 SE ~ 1e-2 band."""
    from scipy import stats

    temp = 0.8
    m = jnp.array([1.0, 2.0, 0.5, 1.5, 0.9])
    s = jl.System(m, jl.MeanField(1.0) + jl.Pinning(0.5), [jl.OhmicBath((0, 2, 4), gamma=1.0, temperature=temp)])
    t_relax = 12 * float(jl.negf_steady_state(s).slowest_relaxation_time)
    r = jl.simulate(s, n_traj=4096, dt=0.05, t_relax=t_relax, t_measure=50.0, key=jax.random.key(3), progress=False)
    assert np.all(np.abs(r.temperature - temp) < SIGMAS * r.temperature_err)
    z = np.asarray(r.final.v) / np.sqrt(temp / np.asarray(m))
    for col in z.T:
        assert stats.kstest(col, "norm").pvalue > 1e-4
        assert abs(np.mean(col**2) - 1) < SIGMAS * np.sqrt(2 / col.size)
        assert abs(stats.kurtosis(col)) < SIGMAS * np.sqrt(24 / col.size)


@pytest.mark.parametrize("integrator, order", [(jl.BAOAB(), 2), (jl.EulerMaruyama(), 1)])
def test_temperature_bias_order(integrator, order):
    """One oscillator (m = k0 = 1, omega = 1) in one bath: the bias of m <v^2> - T shrinks as dt^order.

    Measured order from dt = 0.4 -> 0.2 must be within 0.5 of the nominal one. Statistical error of
    each bias ~ 1e-3 (8192 trajectories x 400 time units), biases 1e-2 .. 1e-1."""
    s = jl.System(jnp.array([1.0]), jl.Pinning(1.0), [jl.OhmicBath((0,), gamma=1.0, temperature=1.0)])
    bias = []
    for dt in (0.4, 0.2):
        r = jl.simulate(s, n_traj=8192, dt=dt, t_relax=20.0, t_measure=400.0, key=jax.random.key(4),
                        integrator=integrator, progress=False)
        bias.append(float(r.temperature[0]) - 1.0)
        assert abs(bias[-1]) > 10 * float(r.temperature_err[0])
    measured = np.log2(bias[0] / bias[1])
    assert abs(measured - order) < 0.5, (bias, measured)


@pytest.mark.parametrize("dtype", [jnp.float64, jnp.float32])
def test_resume_after_interruption_gives_the_same_result(tmp_path, monkeypatch, dtype):
    """Kill the run after its third chunk, resume from the checkpoint: same numbers as uninterrupted
    (float64: the XLA loop; float32: the fused engine, Numba on a CPU)."""
    s = _unequal_system()
    s = jl.System(s.masses.astype(dtype), s.coupling, s.baths)
    kw = dict(n_traj=16, dt=0.05, t_relax=5.0, t_measure=20.0, key=jax.random.key(5), chunk_steps=50,
              progress=False)
    full = jl.simulate(s, **kw)
    path = tmp_path / "run.npz"
    saves = {"n": 0}
    original = _simulate._save_checkpoint

    def dying_save(*a):
        original(*a)
        saves["n"] += 1
        if saves["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(_simulate, "_save_checkpoint", dying_save)
    with pytest.raises(KeyboardInterrupt):
        jl.simulate(s, checkpoint=path, **kw)
    monkeypatch.setattr(_simulate, "_save_checkpoint", original)
    resumed = jl.simulate(s, checkpoint=path, **kw)
    for name in ("final", "flux", "temperature", "energy_balance"):  # bit for bit
        np.testing.assert_array_equal(jax.tree.leaves(getattr(resumed, name)), jax.tree.leaves(getattr(full, name)))
    # a checkpoint of another run is refused
    with pytest.raises(ValueError, match="different run"):
        jl.simulate(s, checkpoint=path, **{**kw, "dt": 0.04})


def test_chunking_does_not_change_results():
    s = _unequal_system()
    kw = dict(n_traj=8, dt=0.05, t_relax=3.0, t_measure=10.0, key=jax.random.key(6), progress=False)
    a = jl.simulate(s, chunk_steps=37, **kw)
    b = jl.simulate(s, chunk_steps=1000, **kw)
    np.testing.assert_array_equal(a.final.q, b.final.q)
    np.testing.assert_allclose(a.temperature, b.temperature, rtol=1e-13)  # host float64 sums regrouped


def test_same_result_on_one_and_eight_devices(on_devices):
    """The trajectory axis sharded over 8 (forced host) devices (n_traj = 13: padded) gives the numbers
    of one device, bit for bit. The XLA loop (float64). Padding 13 rows to 8 on one device and to 16
    on eight rounded differently (1e-16); both now pad to 16."""
    script = textwrap.dedent(
        """
        import sys, jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp, numpy as np, jaxlangevin as jl
        s = jl.System(jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7]), jl.MeanField(1.0) + jl.Pinning(0.1),
                      jl.intensive(6, (1.5, 0.5), 1.0))
        r = jl.simulate(s, n_traj=13, dt=0.05, t_relax=2.0, t_measure=5.0, key=jax.random.key(7), progress=False)
        np.save(sys.argv[1], np.concatenate([np.ravel(r.final.q), np.ravel(r.final.v), r.flux, r.temperature]))
        print(len(jax.devices()))
        """
    )
    same_up_to_vector_rounding(on_devices(script, 1), on_devices(script, 8))


def same_up_to_vector_rounding(a, b):
    """Bit for bit where the shards are vectorized alike (AVX2 hosts, measured on the earlier CI machine).
    On AVX-512 hosts XLA compiles a 16-row shard and a 2-row shard with different vector widths and FMA
    use, so single trajectories differ by ulps (measured: 8.9e-16 absolute, 7e-14 relative on the smallest
    element after 140 steps of a stable linear system); the tolerance is 1e3 times that, far below any
    physics (the statistical error of these numbers is ~1e-2)."""
    np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


_PROCESSES = """
import sys, functools, jax
pid, port, out, kernel = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.config.update("jax_enable_x64", kernel == "xla")
if pid >= 0:
    jax.distributed.initialize(coordinator_address=f"localhost:{port}", num_processes=2, process_id=pid)
import jax.numpy as jnp, numpy as np, jaxlangevin as jl
from jaxlangevin import _simulate
if kernel == "pallas":  # the GPU kernel, interpreted, split over all processes' devices
    _simulate._cpu_runner = lambda p, mesh: (functools.partial(_simulate._run_chunk_fused, p, True, mesh), "")
dtype = jnp.float64 if kernel == "xla" else jnp.float32
s = jl.System(jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7], dtype), jl.MeanField(1.0) + jl.Pinning(0.1),
              jl.intensive(6, (1.5, 0.5), 1.0))
r = jl.simulate(s, n_traj=13, dt=0.05, t_relax=2.0, t_measure=5.0, key=jax.random.key(7), progress=False,
                chunk_steps=40, checkpoint=out + f".{pid}.npz")
if pid <= 0:
    np.save(out, np.concatenate([np.ravel(r.final.q), np.ravel(r.final.v), r.flux, r.temperature]))
"""


@pytest.mark.parametrize("kernel, reference", [("xla", (1, 1)), ("pallas", (1, 1))])
def test_two_processes_give_the_numbers_of_one(on_processes, kernel, reference):
    """jax.distributed: 2 processes x 4 devices (CPU, gloo) run the trajectories of one global array;
    the keys and noise counters are global, the moments are taken on one device over the gathered
    sums, checkpoints gather the state. Bit for bit the numbers of one process."""
    same_up_to_vector_rounding(on_processes(_PROCESSES, 2, 4, kernel), on_processes(_PROCESSES, *reference, kernel))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_traj=1), "n_traj"),
        (dict(n_traj=2.5), "n_traj"),
        (dict(dt=-0.1), "dt"),
        (dict(dt=5.0), "stability limit"),
        (dict(t_measure=0.0), "t_measure"),
        (dict(t_relax=float("nan")), "t_relax"),
        (dict(init=jl.Given(jnp.zeros(3), jnp.zeros(3))), "shape"),
        (dict(key=0), "key"),
        (dict(chunk_steps=0), "chunk_steps"),
    ],
)
def test_bad_arguments_raise_before_running(kwargs, match):
    s = _unequal_system()
    kw = dict(n_traj=4, dt=0.05, t_relax=1.0, t_measure=1.0, key=jax.random.key(0), progress=False)
    with pytest.raises(ValueError, match=match):
        jl.simulate(s, **{**kw, **kwargs})


def test_divergence_stops_with_partial_statistics():
    """A run that turns non-finite names the chunk and keeps what was accumulated before."""
    s = _unequal_system()
    # non-finite start in one trajectory: the first measured chunk fails
    q = np.zeros((4, 6))
    q[2, 1] = np.inf
    with pytest.raises(jl.SimulationDiverged, match="1 of 4 trajectories") as info:
        jl.simulate(s, n_traj=4, dt=0.05, t_relax=0.0, t_measure=1.0, key=jax.random.key(0), progress=False,
                    init=jl.Given(q, np.zeros((4, 6))))
    assert info.value.partial.t_measure == 0.0


def test_record_every_gives_relaxation_series():
    """Block averages every 4 steps: from rest the bath-site temperature rises towards its steady value
    (first block, t < 0.2: T_0 ~ 2 gamma T_L t / m ~ 0.3; last blocks near the exact 1.42)."""
    s = _unequal_system()
    ss = jl.negf_steady_state(s)
    r = jl.simulate(s, n_traj=64, dt=0.05, t_relax=10.0, t_measure=40.0, key=jax.random.key(8), record_every=4,
                    progress=False)
    ser = r.series
    assert ser["temperature"].shape == (1000 // 4, 6) and ser["flux"].shape == (250, 2)
    np.testing.assert_allclose(ser["time"][:2], [0.1, 0.3])
    assert ser["temperature"][0, 0] < 0.5 * float(ss.temperature[0]) < ser["temperature"][-1, 0]


@pytest.mark.slow
def test_float32_long_run_does_not_drift():
    """1e7 BAOAB steps in one chunk with float32 state: the compensated accumulators give the float64
    run's temperatures within 4 combined SE (the two runs draw independent noise). A plain float32 sum
    would stagnate once it reaches ~1e7 (ulp 1), far outside that band."""
    out = {}
    for dtype in (jnp.float32, jnp.float64):
        s = jl.System(jnp.array([1.0, 1.3], dtype), jl.MeanField(1.0) + jl.Pinning(1.0),
                      [jl.OhmicBath((0,), 1.0, 1.0)])
        out[dtype] = jl.simulate(s, n_traj=4, dt=0.1, t_relax=100.0, t_measure=1e6, key=jax.random.key(0),
                                 progress=False)
    a, b = out[jnp.float32], out[jnp.float64]
    assert a.temperature.dtype == jnp.float64  # statistics are float64 whatever the state
    band = SIGMAS * np.hypot(a.temperature_err, b.temperature_err)
    assert np.all(np.abs(a.temperature - b.temperature) < band), (a.temperature, b.temperature, band)


def test_anharmonic_terms_forces_and_equipartition():
    """OnSiteQuartic and FPUT: force == -grad(energy) (autodiff), the exact engines refuse them, and one
    bath thermalises the anharmonic chain: kinetic temperature T at every site within 4 SE (equipartition
    holds for any potential; BAOAB bias at dt = 0.02 is ~1e-4, well below the ~1e-2 error)."""
    n, temp = 6, 0.7
    coupling = jl.NearestNeighbour(1.0) + jl.FPUT(alpha=0.3, beta=1.0) + jl.OnSiteQuartic(0.5) + jl.Pinning(0.2)
    q = jax.random.normal(jax.random.key(9), (3, n))
    grad = jax.vmap(jax.grad(lambda x: coupling.energy(x)))(q)
    np.testing.assert_allclose(coupling.force(q), -grad, rtol=1e-12, atol=1e-12)
    s = jl.System(jl.masses.graded(n, 1.0, 0.3), coupling, [jl.OhmicBath((0, n - 1), 1.0, temp)])
    with pytest.raises(ValueError, match="anharmonic"):
        jl.negf_steady_state(s)
    r = jl.simulate(s, n_traj=512, dt=0.02, t_relax=200.0, t_measure=100.0, key=jax.random.key(10),
                    init=jl.Thermal(temp), progress=False)
    assert np.all(np.abs(r.temperature - temp) < SIGMAS * r.temperature_err), (r.temperature, r.temperature_err)
    assert abs(float(r.energy_balance)) < SIGMAS * float(r.energy_balance_err)
