"""Configuration of the ``jaxlangevin`` command: a TOML file and ``--set KEY=VALUE`` flags, validated.

This layer is the only place where the library meets strings such as ``"extensive"`` or ``"rest"``: it
checks a nested mapping against ``SCHEMA`` (every key, its type, its range and its default, documented
here and nowhere else), and translates the result into library objects (``jl.System``, starts,
integrators, keyword arguments of ``jl.simulate``). Problems are collected and raised together as one
``ConfigError`` whose lines name the full dotted key, the value and what is allowed::

    baths.gamma: must be > 0, got -1.0
    baths.gama: unknown key (did you mean 'gamma'?)

Tables (TOML sections) and keys, with their defaults (``jaxlangevin config`` prints them as a file):

The defaults describe the demo's simulated chain: N = 8 graded masses (delta = 0.4), mean-field k = 1
plus pinning k0 = 0.5, intensive Ohmic baths at T = (1.5, 0.5) with gamma = 1.

- ``N`` (8): number of oscillators.
- ``[masses]``: ``profile`` = "uniform" | "graded" | "random" | "explicit" ("graded"); ``mean`` (1.0);
  ``delta`` (0.4): graded m_n = mean - delta + 2 delta n / (N - 1), random uniform in
  [mean - delta, mean + delta], 0 <= delta < mean; ``seed`` (0) of the random masses; ``values``: the
  N masses of the "explicit" profile.
- ``[coupling.*]``: the coupling is the sum of the tables given; without any ``[coupling...]`` table it
  is mean_field (k = 1) + pinning (k0 = 0.5). ``mean_field``: ``k`` (1.0), ``kac`` = "N-1" | "N" | "1"
  (the Kac factor Nt); ``nearest_neighbour``: ``g`` (1.0); ``power_law``: ``k`` (1.0), ``sigma`` (0.5);
  ``pinning``: ``k0`` (0.5); ``walls``: ``k`` (1.0); ``quartic``: ``lam`` (1.0), force -lam q^3
  (simulation only); ``fput``: ``alpha`` (0.0), ``beta`` (1.0) (simulation only).
- ``[baths]``: ``layout`` = "intensive" (sites 0 and N-1) | "extensive" (the first and last
  round(a N) sites); ``fractions`` ([0.25, 0.25], extensive only); ``temperatures`` ([1.5, 0.5]);
  ``gamma`` (1.0, one value or [left, right]); ``cutoff`` (none: Ohmic; D > 0: Drude baths, one value or
  a pair); ``hbar`` (none: classical; > 0: quantum, the exact engine's hbar, and in a simulation
  QuantumThermalBath noise, which needs a cutoff).
- ``[exact]``: ``method`` = "negf" | "lyapunov" ("negf"); ``precision`` = "float64" | "float32"
  ("float64").
- ``[simulation]``: ``n_traj`` (256), ``dt`` (0.05), ``t_relax`` ("auto": 10 slowest relaxation times of
  the exact steady state, or a number), ``t_measure`` (1000.0), ``seed`` (0: key ``jax.random.key(seed)``),
  ``init`` = "rest" | "thermal", ``init_temperature`` (1.0, thermal only), ``integrator`` = "BAOAB" |
  "EulerMaruyama", ``chunk_steps`` ("auto" or steps per jitted chunk), ``record_every`` (0: off; k:
  block averages every k steps), ``checkpoint`` (true: resumable), ``fused`` ("auto" | true | false),
  ``precision`` ("float32" | "float64", the simulated state).
- ``[sweep]``: ``method`` = "exact" | "simulation"; ``[sweep.grid]`` maps swept keys to lists of values:
  ``N``, ``seed`` (the noise seed, simulation only) and any number or choice under ``masses``,
  ``coupling`` or ``baths`` (``"baths.gamma" = [0.5, 1.0]``; one side of a pair: ``"baths.temperatures[0]"``).
- ``[output]``: ``directory`` ("results"), ``stem`` (the config file's name, else the command's),
  ``figure`` (true).
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["ConfigError", "Config", "load_config", "SCHEMA"]


class ConfigError(ValueError):
    """Invalid configuration; ``problems`` lists (dotted key, message) pairs, ``str`` shows all of them."""

    def __init__(self, problems: list[tuple[str, str]], source: str = ""):
        self.problems = list(problems)
        self.source = source
        lines = [f"{key}: {msg}" if key else msg for key, msg in self.problems]
        head = f"invalid configuration{f' ({source})' if source else ''}"
        super().__init__(head + ":\n  " + "\n  ".join(lines) if len(lines) > 1 else f"{head}: {lines[0]}")


class _Bad(Exception):
    """A value's problem (the message without the key)."""


# ------------------------------------------------------------------------------------------------
# value parsers: return the normalised value or raise _Bad("must be ..., got ...")
# ------------------------------------------------------------------------------------------------


def _show(x) -> str:
    """A value as the user wrote it in TOML: "text", true, 1.5, [1, 2]."""
    if isinstance(x, (str, bool)):
        return json.dumps(x)
    return repr(x)


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _number(lo: float | None = None, strict: bool = False, hi: float | None = None, hi_strict: bool = False):
    """A finite real number; ``lo``/``hi`` bounds (strict: > / <)."""
    rel = (">" if strict else ">=") if lo is not None else None
    rel_hi = ("<" if hi_strict else "<=") if hi is not None else None

    def parse(x):
        if not _is_number(x):
            raise _Bad(f"must be a number, got {_show(x)}")
        x = float(x)
        if not math.isfinite(x):
            raise _Bad(f"must be finite, got {x!r}")
        if lo is not None and (x <= lo if strict else x < lo):
            raise _Bad(f"must be {rel} {lo:g}, got {x!r}")
        if hi is not None and (x >= hi if hi_strict else x > hi):
            raise _Bad(f"must be {rel_hi} {hi:g}, got {x!r}")
        return x

    parse.allowed = "a number" + (f" {rel} {lo:g}" if rel else "") + (f", {rel_hi} {hi:g}" if rel_hi else "")
    return parse


def _integer(lo: int):
    def parse(x):
        if not isinstance(x, int) or isinstance(x, bool):
            raise _Bad(f"must be an integer >= {lo}, got {_show(x)}")
        if x < lo:
            raise _Bad(f"must be >= {lo}, got {x}")
        return x

    parse.allowed = f"an integer >= {lo}"
    return parse


def _choice(*options):
    def parse(x):
        if x in options and not isinstance(x, bool) or (isinstance(x, bool) and any(o is x for o in options)):
            return x
        hint = ""
        if isinstance(x, str):
            close = difflib.get_close_matches(x, [o for o in options if isinstance(o, str)], n=1)
            hint = f" (did you mean {_show(close[0])}?)" if close else ""
        raise _Bad(f"must be one of {', '.join(_show(o) for o in options)}, got {_show(x)}{hint}")

    parse.allowed = "one of " + ", ".join(_show(o) for o in options)
    return parse


def _boolean(x):
    if not isinstance(x, bool):
        raise _Bad(f"must be true or false, got {_show(x)}")
    return x


_boolean.allowed = "true or false"


def _text(x):
    if not isinstance(x, str) or not x:
        raise _Bad(f"must be a non-empty string, got {_show(x)}")
    return x


_text.allowed = "a string"


def _either(first, second):
    def parse(x):
        try:
            return first(x)
        except _Bad:
            pass
        try:
            return second(x)
        except _Bad:
            raise _Bad(f"must be {first.allowed} or {second.allowed}, got {_show(x)}") from None

    parse.allowed = f"{first.allowed} or {second.allowed}"
    return parse


def _each(inner, values) -> list:
    """``inner`` applied to every entry; a problem names the entry's index."""
    out = []
    for i, v in enumerate(values):
        try:
            out.append(inner(v))
        except _Bad as e:
            raise _Bad(f"[{i}] {e}") from None
    return out


def _pair(inner):
    """One value for both baths, or [left, right]; normalised to a list of two."""

    def parse(x):
        if isinstance(x, list):
            if len(x) != 2:
                raise _Bad(f"must be one value or a pair [left, right], got a list of {len(x)}")
            return _each(inner, x)
        v = inner(x)
        return [v, v]

    parse.allowed = f"{inner.allowed}, or a pair [left, right] of them"
    parse.pair = True
    return parse


def _number_list(lo: float, strict: bool):
    inner = _number(lo, strict)

    def parse(x):
        if not isinstance(x, list) or not x:
            raise _Bad(f"must be a non-empty list of numbers, got {_show(x)}")
        return _each(inner, x)

    parse.allowed = f"a list of numbers {'>' if strict else '>='} {lo:g}"
    return parse


# ------------------------------------------------------------------------------------------------
# the schema
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """A leaf of the schema: its parser, its default (None: not set) and what it means."""

    parse: Callable[[Any], Any]
    default: Any
    doc: str
    sweepable: bool = True


@dataclass(frozen=True)
class Table:
    """A TOML table with fixed keys. ``optional``: present only when given (a coupling term);
    ``when_absent``: the raw table used when the user gives none (e.g. the default coupling)."""

    keys: dict
    doc: str = ""
    optional: bool = False
    when_absent: dict | None = None


@dataclass(frozen=True)
class Grid:
    """``[sweep.grid]``: swept keys -> lists of values (checked against the keys' own parsers)."""

    doc: str = ""
    default: dict = field(default_factory=dict)


_NONE = None
_POS = _number(0.0, strict=True)
_NONNEG = _number(0.0)

SCHEMA = Table({
    "N": Key(_integer(1), 8, "number of oscillators (sites 0..N-1)"),
    "masses": Table({
        "profile": Key(_choice("uniform", "graded", "random", "explicit"), "graded",
                       "uniform: m_n = mean; graded: mean - delta + 2 delta n/(N-1); random: uniform in "
                       "[mean - delta, mean + delta]; explicit: `values`"),
        "mean": Key(_POS, 1.0, "mean mass"),
        "delta": Key(_NONNEG, 0.4, "half-width of the mass disorder, 0 <= delta < mean"),
        "seed": Key(_integer(0), 0, "seed of the random masses, jax.random.key(seed)"),
        "values": Key(_number_list(0.0, strict=True), _NONE, "the N masses (profile = \"explicit\")",
                      sweepable=False),
    }, "site masses (jaxlangevin.masses)"),
    "coupling": Table({
        "mean_field": Table({
            "k": Key(_NONNEG, 1.0, "F_n += (k/Nt) sum_j (q_j - q_n)"),
            "kac": Key(_choice("N-1", "N", "1"), "N-1", "Kac factor Nt"),
        }, "jl.MeanField(k, kac)", optional=True),
        "nearest_neighbour": Table({"g": Key(_NONNEG, 1.0, "F_n += g (q_{n+1} - 2 q_n + q_{n-1}), free ends")},
                                   "jl.NearestNeighbour(g)", optional=True),
        "power_law": Table({
            "k": Key(_NONNEG, 1.0, "F_n += (k/N_sigma) sum_j (q_j - q_n)/|n-j|^(1+sigma)"),
            "sigma": Key(_number(), 0.5, "exponent sigma (-1: mean field with Nt = N)"),
        }, "jl.PowerLaw(k, sigma)", optional=True),
        "pinning": Table({"k0": Key(_NONNEG, 0.5, "on-site stiffness k0")}, "jl.Pinning(k0)", optional=True),
        "walls": Table({"k": Key(_NONNEG, 1.0, "sites 0 and N-1 tied to fixed walls")}, "jl.FixedWalls(k)",
                       optional=True),
        "quartic": Table({"lam": Key(_NONNEG, 1.0, "on-site force -lam q^3 (simulation only)")},
                         "jl.OnSiteQuartic(lam)", optional=True),
        "fput": Table({
            "alpha": Key(_number(), 0.0, "cubic nearest-neighbour term (simulation only)"),
            "beta": Key(_NONNEG, 1.0, "quartic nearest-neighbour term (simulation only)"),
        }, "jl.FPUT(alpha, beta)", optional=True),
    }, "the sum of the terms given", when_absent={"mean_field": {}, "pinning": {}}),
    "baths": Table({
        "layout": Key(_choice("intensive", "extensive"), "intensive",
                      "intensive: baths on sites 0 and N-1; extensive: first/last round(a N) sites"),
        "fractions": Key(_pair(_number(0.0, strict=True, hi=1.0)), [0.25, 0.25],
                         "(aL, aR) of the extensive layout"),
        "temperatures": Key(_pair(_NONNEG), [1.5, 0.5], "(T_L, T_R), k_B = 1"),
        "gamma": Key(_pair(_POS), [1.0, 1.0], "friction gamma (one value or [left, right])"),
        "cutoff": Key(_pair(_POS), _NONE, "Drude cutoff D (not set: Ohmic baths)"),
        "hbar": Key(_POS, _NONE, "not set: classical; > 0: quantum (exact engine; QuantumThermalBath noise in "
                                 "a simulation, which needs a cutoff)"),
    }, "two heat baths, left and right"),
    "exact": Table({
        "method": Key(_choice("negf", "lyapunov"), "negf",
                      "negf: Green's functions by residues (any baths, quantum); lyapunov: classical, Ohmic"),
        "precision": Key(_choice("float64", "float32"), "float64", "dtype of the exact engine"),
    }, "the exact steady state", ),
    "simulation": Table({
        "n_traj": Key(_integer(2), 256, "independent trajectories (error bars across them)", sweepable=False),
        "dt": Key(_POS, 0.05, "time step", sweepable=False),
        "t_relax": Key(_either(_choice("auto"), _NONNEG), "auto",
                       "time discarded first; auto: 10 x the exact slowest relaxation time", sweepable=False),
        "t_measure": Key(_POS, 1000.0, "averaging time", sweepable=False),
        "seed": Key(_integer(0), 0, "noise key jax.random.key(seed)", sweepable=False),
        "init": Key(_choice("rest", "thermal"), "rest", "start: rest (q = v = 0) or thermal", sweepable=False),
        "init_temperature": Key(_NONNEG, 1.0, "temperature of the thermal start", sweepable=False),
        "integrator": Key(_choice("BAOAB", "EulerMaruyama"), "BAOAB", "integrator", sweepable=False),
        "chunk_steps": Key(_either(_choice("auto"), _integer(1)), "auto", "steps per jitted chunk",
                           sweepable=False),
        "record_every": Key(_integer(0), 0, "0: off; k: time series of block averages every k steps",
                            sweepable=False),
        "checkpoint": Key(_boolean, True, "save after every chunk; rerun the same command to resume",
                          sweepable=False),
        "fused": Key(_choice("auto", True, False), "auto", "fused engines (auto: where they apply)",
                     sweepable=False),
        "precision": Key(_choice("float32", "float64"), "float32", "dtype of the simulated state",
                         sweepable=False),
    }, "the ensemble of Langevin trajectories (jl.simulate)"),
    "sweep": Table({
        "method": Key(_choice("exact", "simulation"), "exact", "what each grid point computes", sweepable=False),
        "grid": Grid("swept keys -> lists of values"),
    }, "a grid of parameter values (jl.sweep)"),
    "output": Table({
        "directory": Key(_text, "results", "folder for the NetCDF, PNG and resolved TOML", sweepable=False),
        "stem": Key(_text, _NONE, "file name stem (default: the config file's, else the command's)",
                    sweepable=False),
        "figure": Key(_boolean, True, "write a PNG figure", sweepable=False),
    }, "where results go"),
})


# ------------------------------------------------------------------------------------------------
# resolving raw mappings against the schema
# ------------------------------------------------------------------------------------------------


def _resolve(schema: Table, raw, path: str, problems: list) -> dict:
    if not isinstance(raw, Mapping):
        problems.append((path, f"must be a table, got {_show(raw)}"))
        raw = {}
    for k in raw:
        if k not in schema.keys:
            close = difflib.get_close_matches(str(k), list(schema.keys), n=1, cutoff=0.5)
            hint = f" (did you mean {_show(close[0])}?)" if close else ""
            where = f" in [{path}]" if path else ""
            problems.append((_join(path, k), f"unknown key{hint}; allowed{where}: {', '.join(schema.keys)}"))
    out = {}
    for name, sub in schema.keys.items():
        key = _join(path, name)
        if isinstance(sub, Table):
            if name in raw:
                out[name] = _resolve(sub, raw[name], key, problems)
            elif sub.optional:
                continue
            elif sub.when_absent is not None:
                out[name] = _resolve(sub, sub.when_absent, key, problems)
            else:
                out[name] = _resolve(sub, {}, key, problems)
        elif isinstance(sub, Grid):
            out[name] = _flatten_grid(raw.get(name, {}), key, problems)
        elif name in raw:
            try:
                out[name] = sub.parse(raw[name])
            except _Bad as e:
                problems.append((key, str(e)))
                out[name] = copy.deepcopy(sub.default)
        else:
            out[name] = copy.deepcopy(sub.default)
    return out


def _join(path: str, name) -> str:
    return f"{path}.{name}" if path else str(name)


def _flatten_grid(raw, path, problems) -> dict:
    """``{"baths": {"gamma": [...]}}`` and ``{"baths.gamma": [...]}`` both give ``{"baths.gamma": [...]}``."""
    if not isinstance(raw, Mapping):
        problems.append((path, f"must be a table of key = [values], got {_show(raw)}"))
        return {}
    out = {}
    for k, v in raw.items():
        if isinstance(v, Mapping):
            for kk, vv in _flatten_grid(v, path, problems).items():
                out[f"{k}.{kk}"] = vv
        else:
            out[str(k)] = v
    return out


_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def _split_key(dotted: str) -> tuple[list[str], int | None]:
    """``"baths.temperatures[0]"`` -> (["baths", "temperatures"], 0)."""
    m = _INDEX.match(dotted)
    index = None
    if m:
        dotted, index = m.group(1), int(m.group(2))
    return dotted.split("."), index


def _schema_at(parts: list[str]):
    node = SCHEMA
    for p in parts:
        if not isinstance(node, Table) or p not in node.keys:
            return None
        node = node.keys[p]
    return node


def _assign(raw: dict, dotted: str, value) -> None:
    """Set ``dotted`` (``a.b.c`` or ``a.b[1]`` for one side of a pair) in the nested mapping ``raw``.

    ``sweep.grid.REST`` sets the grid axis named REST (quotes around it are optional).
    """
    if dotted.startswith("sweep.grid."):
        axis = dotted[len("sweep.grid."):].strip()
        if len(axis) >= 2 and axis[0] == axis[-1] and axis[0] in "\"'":
            axis = axis[1:-1]
        grid = raw.setdefault("sweep", {}).setdefault("grid", {})
        if not isinstance(grid, dict):
            raise _Bad("sweep.grid is a value, not a table")
        grid[axis] = value
        return
    parts, index = _split_key(dotted)
    if not all(parts):
        raise _Bad(f"is not a valid key (use dotted names such as baths.gamma), got {_show(dotted)}")
    node = raw
    for i, p in enumerate(parts[:-1]):
        child = node.get(p)
        if child is None:
            child = node[p] = {}
        if not isinstance(child, dict):
            raise _Bad(f"{'.'.join(parts[:i + 1])} is a value, not a table")
        node = child
    last = parts[-1]
    if index is None:
        node[last] = value
        return
    schema = _schema_at(parts)
    if not isinstance(schema, Key) or not getattr(schema.parse, "pair", False):
        raise _Bad("[i] selects one side of a pair (temperatures, gamma, fractions, cutoff)")
    if index > 1:
        raise _Bad(f"a pair has sides [0] (left) and [1] (right), got [{index}]")
    current = node.get(last, schema.default)
    if current is None:
        raise _Bad(f"set both sides first ({'.'.join(parts)} has no default)")
    current = list(current) if isinstance(current, list) else [current, current]
    current[index] = value
    node[last] = current


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"baths.gamma=0.5"`` -> ("baths.gamma", 0.5): the value is read as TOML (numbers, true/false,
    [lists], "strings"), a bare word as a string (``masses.profile=graded``)."""
    if "=" not in text:
        raise ConfigError([("", f"--set expects KEY=VALUE, got {_show(text)}")])
    key, value = (s.strip() for s in text.split("=", 1))
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    return key, parsed


# ------------------------------------------------------------------------------------------------
# the validated configuration
# ------------------------------------------------------------------------------------------------


class Config:
    """A validated configuration (every key present, defaults filled in) and where it came from.

    ``cfg["baths.gamma"]`` reads a dotted key; ``cfg.data`` is the nested dict; ``cfg.raw`` what the user
    gave (file merged with flags); ``cfg.to_toml()`` a TOML file that loads back to the same values.
    """

    def __init__(self, raw: dict, source: str = "", stem: str | None = None):
        problems: list = []
        self.raw = raw
        self.source = source
        self.data = _resolve(SCHEMA, raw, "", problems)
        if not problems:
            problems += _cross_checks(self.data, raw)
        if not problems:
            problems += _grid_checks(self)
        if problems:
            raise ConfigError(problems, source)
        if self.data["output"]["stem"] is None:
            self.data["output"]["stem"] = stem or "jaxlangevin"

    def __getitem__(self, dotted: str):
        parts, index = _split_key(dotted)
        node = self.data
        for p in parts:
            node = node[p]
        return node if index is None else node[index]

    def given(self, dotted: str) -> bool:
        """Whether the user set ``dotted`` (in the file or by a flag) rather than leaving the default."""
        node = self.raw
        for p in _split_key(dotted)[0]:
            if not isinstance(node, Mapping) or p not in node:
                return False
            node = node[p]
        return True

    def with_values(self, values: Mapping) -> Config:
        """A copy with ``values`` (dotted key -> value) assigned, validated again (one grid point)."""
        raw = copy.deepcopy(self.raw)
        raw.setdefault("output", {})["stem"] = self.data["output"]["stem"]
        for k, v in values.items():
            _assign(raw, k, v)
        raw.get("sweep", {}).pop("grid", None)
        return Config(raw, self.source)

    def to_toml(self, annotate: bool = True) -> str:
        """The resolved configuration as TOML: unset and unused keys as comments; with ``annotate`` each
        key followed by what it means and what is allowed. Loads back to the same values."""
        return _to_toml(self.data, annotate)


def load_config(path: str | os.PathLike | None = None, assignments=(), *, stem: str | None = None) -> Config:
    """Read ``path`` (TOML; None: defaults only), apply ``assignments`` ("key=value" strings, the ``--set``
    flags, or (key, value) pairs; applied in order over the file) and validate. Raises ``ConfigError``
    naming every bad key. ``stem``: the output stem when neither the file nor ``output.stem`` gives one.
    """
    raw: dict = {}
    source = ""
    if path is not None:
        source = os.fspath(path)
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError([("", f"no such configuration file: {source}")]) from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError([("", f"not valid TOML: {e}")], source) from None
        stem = os.path.splitext(os.path.basename(source))[0]  # the file's name beats the caller's fallback
    problems = []
    for item in assignments:
        key, value = parse_assignment(item) if isinstance(item, str) else item
        try:
            _assign(raw, key, value)
        except _Bad as e:
            problems.append((key, str(e)))
    if problems:
        raise ConfigError(problems, source)
    if assignments:
        source = f"{source} + --set" if source else "--set"
    return Config(raw, source, stem)


# ------------------------------------------------------------------------------------------------
# checks across keys
# ------------------------------------------------------------------------------------------------


def _cross_checks(d: dict, raw: dict) -> list:
    problems = []
    n, m, b, c, s = d["N"], d["masses"], d["baths"], d["coupling"], d["simulation"]

    def given(*parts):
        node = raw
        for p in parts:
            if not isinstance(node, Mapping) or p not in node:
                return False
            node = node[p]
        return True

    if m["profile"] in ("graded", "random") and m["delta"] >= m["mean"]:
        problems.append(("masses.delta", f"must be < masses.mean = {m['mean']!r} (masses stay > 0), "
                                         f"got {m['delta']!r}"))
    if m["profile"] == "explicit":
        if m["values"] is None:
            problems.append(("masses.values", 'must be set (a list of N masses) with profile = "explicit"'))
        elif len(m["values"]) != n:
            problems.append(("masses.values", f"must list N = {n} masses, got {len(m['values'])}"))
    elif m["values"] is not None:
        problems.append(("masses.values", f'is used only with profile = "explicit", got profile = '
                                          f'{_show(m["profile"])}'))
    if "mean_field" in c and c["mean_field"]["kac"] == "N-1" and n < 2:
        problems.append(("coupling.mean_field.kac", '"N-1" needs N >= 2; use "N" or "1" for one oscillator'))
    if b["layout"] == "extensive":
        nl, nr = (int(round(a * n)) for a in b["fractions"])
        if min(nl, nr) < 1:
            problems.append(("baths.fractions", f"{b['fractions']} give {nl} and {nr} bath sites for N = {n}; "
                                                "each bath needs >= 1"))
        elif nl + nr > n:
            problems.append(("baths.fractions", f"{b['fractions']} give {nl} + {nr} > N = {n} sites: the baths "
                                                "would overlap"))
    elif given("baths", "fractions"):
        problems.append(("baths.fractions", 'is used only with layout = "extensive"'))
    if s["init"] != "thermal" and given("simulation", "init_temperature"):
        problems.append(("simulation.init_temperature", 'is used only with init = "thermal"'))
    if d["exact"]["method"] == "lyapunov" and (b["cutoff"] is not None or b["hbar"] is not None):
        problems.append(("exact.method", '"lyapunov" is classical with Ohmic baths; use "negf" for a cutoff or '
                                         "hbar"))
    return problems


def _grid_checks(cfg: Config) -> list:
    """Every grid value checked by its key's parser, and every combination by the cross checks."""
    grid = cfg.data["sweep"]["grid"]
    problems = []
    for name, values in grid.items():
        key = f"sweep.grid.{name}"
        index = None
        if not isinstance(values, list) or not values:
            problems.append((key, f"must be a non-empty list of values, got {_show(values)}"))
            continue
        if name == "seed":
            if cfg.data["sweep"]["method"] != "simulation":
                problems.append((key, 'the noise seed is swept with method = "simulation" only'))
            parse = _integer(0)
        else:
            parts, index = _split_key(name)
            schema = _schema_at(parts)
            if parts[0] not in ("N", "masses", "coupling", "baths") or not isinstance(schema, Key) \
                    or not schema.sweepable:
                problems.append((key, f"cannot be swept: allowed are N, seed and the numbers and choices under "
                                      f"masses, coupling and baths{_suggest_sweepable(name)}"))
                continue
            if parts[0] == "coupling" and parts[1] not in cfg.data["coupling"]:
                problems.append((key, f"coupling.{parts[1]} is not part of this configuration's coupling; add a "
                                      f"[coupling.{parts[1]}] table"))
                continue
            parse = schema.parse
            if index is not None:
                if not getattr(parse, "pair", False) or index > 1:
                    problems.append((key, "[0]/[1] select one side of a pair (temperatures, gamma, fractions, "
                                          "cutoff)"))
                    continue
                if cfg[".".join(parts)] is None:
                    problems.append((key, f"{'.'.join(parts)} must be set (both sides) before one side is swept"))
                    continue
        for i, v in enumerate(values):
            try:
                (parse if index is None or name == "seed" else _pair_inner(parse))(v)
            except _Bad as e:
                problems.append((f"{key}[{i}]", str(e)))
            except TypeError:
                problems.append((f"{key}[{i}]", f"is not a valid value, got {_show(v)}"))
    if "N" in grid and cfg.data["masses"]["profile"] == "explicit":
        problems.append(("sweep.grid.N", 'cannot be swept with explicit masses (masses.profile = "explicit")'))
    if cfg.data["sweep"]["method"] == "simulation" and grid and cfg.data["simulation"]["t_relax"] == "auto":
        problems.append(("simulation.t_relax", '"auto" is per system; a simulation sweep needs a number'))
    if problems or not grid:
        return problems
    axes = [(k, v) for k, v in grid.items() if k != "seed"]
    combos = itertools.product(*[v for _, v in axes])
    for n_checked, combo in enumerate(combos):
        if n_checked >= 100_000:
            break
        raw = copy.deepcopy(cfg.raw)
        raw.get("sweep", {}).pop("grid", None)
        for (k, _), v in zip(axes, combo):
            _assign(raw, k, v)
        sub: list = []
        data = _resolve(SCHEMA, raw, "", sub)
        sub += _cross_checks(data, raw) if not sub else []
        if sub:
            at = ", ".join(f"{k} = {_show(v)}" for (k, _), v in zip(axes, combo))
            problems += [(key, f"{msg} (at the grid point {at})") for key, msg in sub]
            break
    return problems


def _pair_inner(parse):
    """The parser of one side of a pair key."""

    def inner(x):
        return parse(x)[0]

    return inner


def _suggest_sweepable(name: str) -> str:
    names = ["N", "seed"] + [k for k, key in _leaves(SCHEMA) if key.sweepable and k.split(".")[0] in
                             ("masses", "coupling", "baths")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean {_show(close[0])}?)" if close else ""


def _leaves(table: Table, path: str = ""):
    for name, sub in table.keys.items():
        key = _join(path, name)
        if isinstance(sub, Table):
            yield from _leaves(sub, key)
        elif isinstance(sub, Key):
            yield key, sub


# ------------------------------------------------------------------------------------------------
# TOML output
# ------------------------------------------------------------------------------------------------


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan")
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _inactive(data: dict) -> dict:
    """Keys that the rest of ``data`` makes irrelevant -> why (written as comments)."""
    out = {}
    m = data["masses"]
    if m["profile"] != "random":
        out["masses.seed"] = 'profile = "random" only'
    if m["profile"] in ("uniform", "explicit"):
        out["masses.delta"] = 'profiles "graded" and "random" only'
    if m["profile"] == "explicit":
        out["masses.mean"] = "not used with explicit masses"
    if data["baths"]["layout"] != "extensive":
        out["baths.fractions"] = 'layout = "extensive" only'
    if data["simulation"]["init"] != "thermal":
        out["simulation.init_temperature"] = 'init = "thermal" only'
    return out


def _to_toml(data: dict, annotate: bool = True) -> str:
    lines = ["# jaxlangevin configuration (resolved: every key, defaults filled in)"]
    inactive = _inactive(data)

    def table(d: dict, schema: Table, path: str):
        body, subs = [], []
        for k, v in d.items():
            sub = schema.keys[k]
            if isinstance(sub, Table):
                subs.append((k, v, sub))
            elif isinstance(sub, Grid):
                subs.append((k, v, sub))
            elif v is None:
                body.append(f"# {k} = (not set) : {sub.doc}" + (f"; {sub.parse.allowed}" if annotate else ""))
            elif _join(path, k) in inactive:
                body.append(f"# {_toml_key(k)} = {_toml_value(v)}  ({inactive[_join(path, k)]})")
            else:
                note = f"  # {sub.doc}; {sub.parse.allowed}" if annotate else ""
                body.append(f"{_toml_key(k)} = {_toml_value(v)}{note}")
        if path and (body or not subs):
            lines.append(f"\n[{path}]")
        elif body:
            lines.append("")
        lines.extend(body)
        for k, v, sub in subs:
            sub_path = _join(path, k)
            if isinstance(sub, Grid):
                if v:
                    lines.append(f"\n[{sub_path}]")
                    lines.extend(f"{_toml_key(kk)} = {_toml_value(vv)}" for kk, vv in v.items())
            else:
                table(v, sub, sub_path)

    table(data, SCHEMA, "")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# translation into library objects (the strings stop here)
# ------------------------------------------------------------------------------------------------


def build_masses(cfg: Config, dtype):
    """The (N,) masses of ``cfg['masses']`` (jaxlangevin.masses)."""
    import jax
    import jax.numpy as jnp

    from . import masses as jl_masses

    n, m = cfg["N"], cfg.data["masses"]
    profile = m["profile"]
    if profile == "uniform":
        out = jl_masses.uniform(n, m["mean"])
    elif profile == "graded":
        out = jl_masses.graded(n, m["mean"], m["delta"])
    elif profile == "random":
        out = jl_masses.random(jax.random.key(m["seed"]), n, mean=m["mean"], delta=m["delta"])
    else:
        out = jnp.asarray(m["values"])
    return jnp.asarray(out, dtype)


def build_coupling(cfg: Config):
    """The sum of the coupling terms of ``cfg['coupling']``."""
    from ._coupling import FPUT, FixedWalls, MeanField, NearestNeighbour, OnSiteQuartic, Pinning, PowerLaw

    c = cfg.data["coupling"]
    makers = {
        "mean_field": lambda t: MeanField(t["k"], kac=t["kac"]),
        "nearest_neighbour": lambda t: NearestNeighbour(t["g"]),
        "power_law": lambda t: PowerLaw(t["k"], t["sigma"]),
        "pinning": lambda t: Pinning(t["k0"]),
        "walls": lambda t: FixedWalls(t["k"]),
        "quartic": lambda t: OnSiteQuartic(t["lam"]),
        "fput": lambda t: FPUT(t["alpha"], t["beta"]),
    }
    terms = [makers[name](table) for name, table in c.items()]
    return sum(terms[1:], terms[0]) if terms else Pinning(0.0)


def build_baths(cfg: Config, *, simulation: bool = False):
    """The two baths: Ohmic; Drude with a cutoff; in a simulation with ``hbar`` QuantumThermalBath."""
    from ._bath import DrudeBath, QuantumThermalBath, extensive, intensive

    n, b = cfg["N"], cfg.data["baths"]
    if b["layout"] == "intensive":
        ohmic = intensive(n, temperatures=tuple(b["temperatures"]), gamma=tuple(b["gamma"]))
    else:
        ohmic = extensive(n, fractions=tuple(b["fractions"]), temperatures=tuple(b["temperatures"]),
                          gamma=tuple(b["gamma"]))
    if b["cutoff"] is None:
        return tuple(ohmic)
    if simulation and b["hbar"] is not None:
        return tuple(QuantumThermalBath(o.sites, o.gamma, o.temperature, b["hbar"], d)
                     for o, d in zip(ohmic, b["cutoff"]))
    return tuple(DrudeBath(o.sites, o.gamma, o.temperature, d) for o, d in zip(ohmic, b["cutoff"]))


def dtype_of(precision: str):
    """"float64" / "float32" as a NumPy dtype."""
    import numpy as np

    return np.dtype(precision)


def build_system(cfg: Config, *, simulation: bool = False):
    """``jl.System`` of ``cfg``: the exact engine's (Drude baths, precision ``exact.precision``) or, with
    ``simulation=True``, the simulator's (QuantumThermalBath where ``hbar`` is set, ``simulation.precision``)."""
    import equinox as eqx
    import jax

    from ._system import System

    dtype = dtype_of(cfg["simulation.precision"] if simulation else cfg["exact.precision"])
    system = System(build_masses(cfg, dtype), build_coupling(cfg), build_baths(cfg, simulation=simulation))
    return jax.tree_util.tree_map(lambda x: x.astype(dtype) if eqx.is_inexact_array(x) else x, system)


def simulation_problems(cfg: Config) -> list:
    """Checks that only a simulation needs (quantum noise needs a cutoff and T > 0)."""
    b = cfg.data["baths"]
    problems = []
    if b["hbar"] is not None:
        if b["cutoff"] is None:
            problems.append(("baths.hbar", "a quantum simulation (QuantumThermalBath) needs baths.cutoff: its "
                                           "friction is the Drude kernel"))
        if min(b["temperatures"]) <= 0:
            problems.append(("baths.temperatures", f"must be > 0 for quantum noise (baths.hbar set), got "
                                                   f"{b['temperatures']}"))
        if cfg["simulation.integrator"] != "BAOAB":
            problems.append(("simulation.integrator", 'baths with memory need "BAOAB"'))
    elif b["cutoff"] is not None and cfg["simulation.integrator"] != "BAOAB":
        problems.append(("simulation.integrator", 'Drude baths (baths.cutoff) need "BAOAB"'))
    return problems


def exact_problems(cfg: Config) -> list:
    """Checks that only the exact engines need (they are linear)."""
    nonlinear = [k for k in ("quartic", "fput") if k in cfg.data["coupling"]]
    return [(f"coupling.{k}", "is anharmonic: the exact engines are linear; use `jaxlangevin simulate`")
            for k in nonlinear]


def simulation_arguments(cfg: Config, t_relax: float) -> dict:
    """Keyword arguments of ``jl.simulate`` (all but ``system``, ``progress`` and ``checkpoint``)."""
    import jax

    from ._initial import AtRest, Thermal
    from ._integrators import BAOAB, EulerMaruyama

    s = cfg.data["simulation"]
    return dict(
        n_traj=s["n_traj"], dt=s["dt"], t_relax=t_relax, t_measure=s["t_measure"], key=jax.random.key(s["seed"]),
        init=AtRest() if s["init"] == "rest" else Thermal(s["init_temperature"]),
        integrator=BAOAB() if s["integrator"] == "BAOAB" else EulerMaruyama(),
        chunk_steps=None if s["chunk_steps"] == "auto" else s["chunk_steps"],
        record_every=s["record_every"] or None,
        fused=None if s["fused"] == "auto" else s["fused"],
    )
