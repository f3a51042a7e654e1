"""The command line's configuration layer: validation messages that name the key, defaults, flags over
files, the resolved TOML, and the translation into library objects (checked against hand-built ones)."""

import pathlib
import sys

import jax
import numpy as np
import pytest

import jaxlangevin as jl
from jaxlangevin._config import (
    Config,
    ConfigError,
    build_system,
    load_config,
    simulation_arguments,
    simulation_problems,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def _problems(text=None, sets=(), tmp_path=None):
    path = None
    if text is not None:
        path = tmp_path / "c.toml"
        path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, sets)
    return dict(info.value.problems), str(info.value)


def test_unknown_keys_name_the_key_and_suggest(tmp_path):
    problems, message = _problems("[baths]\ngama = 0.5\n[bath]\nx = 1\n[simulation]\nntraj = 4\n", tmp_path=tmp_path)
    assert 'did you mean "gamma"' in problems["baths.gama"]
    assert 'did you mean "baths"' in problems["bath"]
    assert 'did you mean "n_traj"' in problems["simulation.ntraj"]
    assert len(problems) == 3 and "baths.gama: unknown key" in message  # all problems in one error
    problems, _ = _problems(sets=["coupling.mean_feild.k=1"])
    assert 'did you mean "mean_field"' in problems["coupling.mean_feild"]


def test_wrong_types_and_ranges_name_key_value_and_what_is_allowed(tmp_path):
    _, message = _problems(sets=["baths.gamma=-1"])
    assert message.endswith("baths.gamma: must be > 0, got -1.0")  # the form promised in the docs
    problems, _ = _problems('N = "eight"\n[masses]\nprofile = "randm"\n[baths]\ngamma = [1.0, -2.0]\n'
                            'temperatures = [1, 2, 3]\n[simulation]\nn_traj = 1\nfused = "maybe"\ncheckpoint = 1\n',
                            tmp_path=tmp_path)
    assert problems["N"] == 'must be an integer >= 1, got "eight"'
    assert 'did you mean "random"' in problems["masses.profile"]
    assert problems["baths.gamma"] == "[1] must be > 0, got -2.0"
    assert "a pair [left, right], got a list of 3" in problems["baths.temperatures"]
    assert problems["simulation.n_traj"] == "must be >= 2, got 1"
    assert problems["simulation.fused"] == 'must be one of "auto", true, false, got "maybe"'
    assert problems["simulation.checkpoint"] == "must be true or false, got 1"


def test_checks_across_keys():
    p, _ = _problems(sets=["masses.delta=1.0"])
    assert "must be < masses.mean = 1.0" in p["masses.delta"]
    p, _ = _problems(sets=["masses.profile=explicit", "masses.values=[1.0, 2.0]"])
    assert p["masses.values"] == "must list N = 8 masses, got 2"
    p, _ = _problems(sets=["baths.layout=extensive", "baths.fractions=[0.6, 0.6]"])
    assert "would overlap" in p["baths.fractions"]
    p, _ = _problems(sets=["N=1"])
    assert '"N-1" needs N >= 2' in p["coupling.mean_field.kac"]
    p, _ = _problems(sets=["simulation.init_temperature=2.0"])
    assert 'only with init = "thermal"' in p["simulation.init_temperature"]
    cfg = load_config(None, ["baths.hbar=1.0"])
    assert "needs baths.cutoff" in dict(simulation_problems(cfg))["baths.hbar"]


def test_flags_override_the_file_and_values_are_read_as_toml(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("N = 12\n[baths]\ngamma = 2.0\ntemperatures = [2.0, 1.0]\n")
    cfg = load_config(path, ["baths.gamma=[0.5, 0.25]", "masses.profile=uniform", "baths.temperatures[1]=0.5",
                             ("output.directory", "out dir")])
    assert cfg["N"] == 12 and cfg["baths.gamma"] == [0.5, 0.25] and cfg["baths.temperatures"] == [2.0, 0.5]
    assert cfg["masses.profile"] == "uniform" and cfg["output.directory"] == "out dir"
    assert cfg["output.stem"] == "run" and cfg.given("baths.gamma") and not cfg.given("baths.cutoff")
    # output names: output.stem, else the file's name, else the command's
    assert load_config(path, stem="simulate")["output.stem"] == "run"
    assert load_config(path, ["output.stem=x"], stem="simulate")["output.stem"] == "x"
    assert load_config(None, stem="simulate")["output.stem"] == "simulate"
    # a coupling table replaces the default coupling (mean field + pinning) as a whole
    assert set(load_config(None, ["coupling.nearest_neighbour.g=2"]).data["coupling"]) == {"nearest_neighbour"}
    assert set(load_config().data["coupling"]) == {"mean_field", "pinning"}


@pytest.mark.parametrize("name", [None, "chain.toml", "sweep.toml"])
def test_resolved_toml_loads_back_to_the_same_configuration(name):
    cfg = load_config(None if name is None else EXAMPLES / name)
    again = Config(tomllib.loads(cfg.to_toml()))
    assert again.data == cfg.data


def test_translation_builds_the_system_a_user_would_write():
    cfg = load_config(None, ["N=10", "masses.profile=random", "masses.delta=0.2", "masses.seed=3",
                             "coupling.mean_field.kac=N", "coupling.nearest_neighbour.g=0.3",
                             "coupling.mean_field.k=0.7", "coupling.walls.k=0.2", "baths.layout=extensive",
                             "baths.fractions=[0.3, 0.2]", "baths.gamma=[1.0, 0.5]", "baths.cutoff=4.0"])
    system = build_system(cfg)
    by_hand = jl.System(jl.masses.random(jax.random.key(3), 10, mean=1.0, delta=0.2),
                        jl.MeanField(0.7, kac="N") + jl.NearestNeighbour(0.3) + jl.FixedWalls(0.2),
                        jl.extensive(10, fractions=(0.3, 0.2), temperatures=(1.5, 0.5), gamma=(1.0, 0.5)))
    np.testing.assert_array_equal(system.masses, by_hand.masses)
    np.testing.assert_array_equal(system.stiffness(), by_hand.stiffness())
    assert [b.sites for b in system.baths] == [(0, 1, 2), (8, 9)]
    assert all(isinstance(b, jl.DrudeBath) and float(b.cutoff) == 4.0 for b in system.baths)
    assert [float(b.gamma) for b in system.baths] == [1.0, 0.5]
    # the simulator's system: float32 by default, quantum thermal baths where hbar is set
    sim = build_system(load_config(None, ["baths.hbar=0.5", "baths.cutoff=[3.0, 5.0]"]), simulation=True)
    assert sim.masses.dtype == np.float32 and sim.baths[0].gamma.dtype == np.float32
    assert isinstance(sim.baths[1], jl.QuantumThermalBath) and float(sim.baths[1].cutoff) == 5.0
    assert float(sim.baths[1].hbar) == 0.5


def test_simulation_arguments():
    cfg = load_config(None, ["simulation.init=thermal", "simulation.init_temperature=2.0", "simulation.seed=5",
                             "simulation.fused=false", "simulation.integrator=EulerMaruyama",
                             "simulation.chunk_steps=64"])
    kw = simulation_arguments(cfg, t_relax=10.0)
    assert isinstance(kw["init"], jl.Thermal) and float(kw["init"].temperature) == 2.0
    assert isinstance(kw["integrator"], jl.EulerMaruyama) and kw["fused"] is False and kw["chunk_steps"] == 64
    np.testing.assert_array_equal(jax.random.key_data(kw["key"]), jax.random.key_data(jax.random.key(5)))
    assert kw["record_every"] is None and kw["t_relax"] == 10.0
    kw = simulation_arguments(load_config(), t_relax=1.0)
    assert isinstance(kw["init"], jl.AtRest) and kw["fused"] is None and kw["chunk_steps"] is None


def test_sweep_grid_is_validated_value_by_value():
    cfg = load_config(None, ["sweep.grid.N=[4, 8]", 'sweep.grid."baths.temperatures[0]"=[1.0, 2.0]',
                             "sweep.grid.coupling.mean_field.k=[0.5, 1.0]"])
    assert list(cfg["sweep.grid"]) == ["N", "baths.temperatures[0]", "coupling.mean_field.k"]
    one = cfg.with_values({"N": 4, "baths.temperatures[0]": 2.0})
    assert one["N"] == 4 and one["baths.temperatures"] == [2.0, 0.5] and one["sweep.grid"] == {}
    p, _ = _problems(sets=["sweep.grid.baths.gamma=[0.5, -1]"])
    assert p["sweep.grid.baths.gamma[1]"] == "must be > 0, got -1.0"
    p, _ = _problems(sets=["sweep.grid.baths.gamm=[1.0]"])
    assert 'did you mean "baths.gamma"' in p["sweep.grid.baths.gamm"]
    p, _ = _problems(sets=["sweep.grid.simulation.dt=[0.1]", "sweep.grid.seed=[0, 1]"])
    assert "cannot be swept" in p["sweep.grid.simulation.dt"] and 'method = "simulation"' in p["sweep.grid.seed"]
    p, _ = _problems(sets=["sweep.grid.N=[1, 4]"])  # a combination the cross checks refuse
    assert "at the grid point N = 1" in p["coupling.mean_field.kac"]
