"""jl.to_xarray: labelled Datasets of every result type, and their NetCDF round trip."""

import json

import jax
import numpy as np
import pytest
import xarray as xr

import jaxlangevin as jl
from jaxlangevin._io import run_metadata, to_xarray


@pytest.fixture(scope="module")
def system():
    # the chain of tests/test_cli.py (shared compilations)
    return jl.System(jl.masses.graded(4, 1.0, 0.4), jl.NearestNeighbour(1.0) + jl.Pinning(0.5),
                     jl.intensive(4, temperatures=(1.5, 0.5), gamma=(1.0, 0.5)))


def _round_trip(ds, tmp_path):
    path = tmp_path / "r.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as back:
        back = back.load()
    xr.testing.assert_identical(back, ds)  # values, dims, coords, variable attrs and Dataset attrs
    return back


def test_steady_state_dataset_round_trip(system, tmp_path):
    ss = jl.negf_steady_state(system)
    params = {"baths": {"gamma": [1.0, 0.5], "cutoff": 4.0}, "fused": True, "note": None}
    ds = _round_trip(to_xarray(ss, system, config=params, seed=7, key=jax.random.key(7)), tmp_path)
    # labelled numbers equal the result's, bit for bit
    np.testing.assert_array_equal(ds.flux.sel(bath=1).item(), float(ss.flux[1]))
    np.testing.assert_array_equal(ds.temperature.values, np.asarray(ss.temperature))
    np.testing.assert_array_equal(ds.masses.values, np.asarray(system.masses))
    assert ds.temperature.dims == ("site",) and ds.flux.dims == ("bath",)
    assert ds.site.values.tolist() == list(range(4)) and ds.bath.values.tolist() == [0, 1]
    # bath coordinates from the system
    assert ds.bath_kind.values.tolist() == ["OhmicBath", "OhmicBath"]
    np.testing.assert_array_equal(ds.bath_temperature.values, [1.5, 0.5])
    np.testing.assert_array_equal(ds.bath_gamma.values, [1.0, 0.5])
    assert np.isnan(ds.bath_cutoff.values).all()
    assert ds.bath_sites.values.sum() == 2 and ds.bath_sites.values[1, 3]
    # units and definitions
    assert ds.flux.attrs["units"] == "energy/time" and "k_B = 1" in ds.temperature.attrs["units"]
    assert "from bath b into the system" in ds.flux.attrs["definition"]
    # provenance and parameters
    for k in ("jaxlangevin_version", "jax_version", "backend", "device_kind", "device_count", "created"):
        assert k in ds.attrs
    assert ds.attrs["jaxlangevin_version"] == jl.__version__ and ds.attrs["result"] == "SteadyState"
    assert ds.attrs["start"] == "AtRest()" and ds.attrs["N"] == 4
    assert ds.attrs["seed"] == 7 and ds.attrs["config.baths.cutoff"] == 4.0 and ds.attrs["config.fused"] == 1
    np.testing.assert_array_equal(ds.attrs["config.baths.gamma"], [1.0, 0.5])
    p = json.loads(ds.attrs["parameters"])
    assert p["config"] == params and p["key"] == np.asarray(jax.random.key_data(jax.random.key(7))).tolist()
    coupling = json.loads(ds.attrs["coupling"])
    assert [t["type"] for t in coupling["terms"]] == ["NearestNeighbour", "Pinning"]
    assert coupling["terms"][1]["k0"] == 0.5


def test_quantum_dataset_marks_divergent_sites(tmp_path):
    n = 4  # an Ohmic bath on site 0 (divergent quantum kinetic temperature), a Drude bath on site 3
    system = jl.System(jl.masses.graded(n, 1.0, 0.4), jl.NearestNeighbour(1.0) + jl.Pinning(0.5),
                       [jl.OhmicBath((0,), 1.0, 1.5), jl.DrudeBath((n - 1,), 0.5, 0.5, cutoff=4.0)])
    q = jl.negf_steady_state(system, hbar=1.0)
    ds = _round_trip(to_xarray(q, system), tmp_path)
    assert ds.divergent.values.tolist() == [True, False, False, False]
    assert np.isinf(ds.temperature.values[0])
    np.testing.assert_array_equal(ds.temperature.values[1:], np.asarray(q.temperature_at([1, 2, 3])))
    assert ds.bath_kind.values.tolist() == ["OhmicBath", "DrudeBath"]
    assert np.isnan(ds.bath_cutoff.values[0]) and ds.bath_cutoff.values[1] == 4.0
    np.testing.assert_array_equal(ds.conductance.values, np.asarray(q.conductance))
    assert ds.conductance.dims == ("bath", "bath_c") and ds.attrs["hbar"] == 1.0


def test_simulation_dataset_with_series_and_lyapunov_covariance(system, tmp_path):
    ohmic = system
    res = jl.simulate(ohmic, n_traj=8, dt=0.05, t_relax=0.0, t_measure=5.0, key=jax.random.key(0),
                      record_every=20, progress=False)
    ds = _round_trip(to_xarray(res, ohmic, seed=0), tmp_path)
    assert ds.temperature_series.dims == ("time", "site") and ds.flux_series.dims == ("time", "bath")
    np.testing.assert_array_equal(ds.time.values, res.series["time"])
    np.testing.assert_array_equal(ds.flux_err.values, np.asarray(res.flux_err))
    assert ds.attrs["n_traj"] == 8 and ds.attrs["integrator"] == "BAOAB" and ds.attrs["method"] == "simulation"
    # the Lyapunov covariance gets labelled phase-space axes
    ly = jl.lyapunov_steady_state(ohmic)
    dl = to_xarray(ly, ohmic)
    assert dl.covariance.dims == ("state_i", "state_j") and dl.state_i.values[4] == "v_0"
    # T_n = m_n <v_n^2> read from the labelled covariance
    v2 = np.array([dl.covariance.sel(state_i=f"v_{i}", state_j=f"v_{i}").item() for i in range(4)])
    np.testing.assert_allclose(dl.masses.values * v2, dl.temperature.values, rtol=1e-12)


def test_covariance_evolution_dataset(system):
    ohmic = jl.System(system.masses, system.coupling, jl.intensive(4, temperatures=(1.0, 1.0), gamma=1.0))
    ev = jl.covariance_evolution(ohmic, jl.AtRest(), np.linspace(0.0, 2.0, 3))
    ds = to_xarray(ev, ohmic)
    assert ds.temperature.dims == ("time", "site") and ds.sizes["time"] == 3
    np.testing.assert_array_equal(ds.temperature.isel(time=0).values, 0.0)  # from rest


def test_mismatched_or_unknown_input_is_an_error(system):
    ss = jl.negf_steady_state(system)
    other = jl.System(jl.masses.uniform(5), jl.MeanField(1.0), jl.intensive(5))
    with pytest.raises(ValueError, match="N = 5 sites"):
        to_xarray(ss, other)
    with pytest.raises(ValueError, match="`result` must be"):
        to_xarray({"flux": 1.0})


def test_run_metadata_is_netcdf_ready():
    meta = run_metadata()
    assert meta["device_count"] == len(jax.devices()) and meta["backend"] == jax.default_backend()
    assert meta["x64"] == 1  # tests/conftest.py enables float64
    assert all(isinstance(v, (str, int)) for v in meta.values())
