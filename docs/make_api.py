"""Write docs/api.md, the API reference, from the library's own signatures and docstrings.

    python docs/make_api.py           # rewrite docs/api.md
    python docs/make_api.py --check   # exit 1 if docs/api.md is out of date (tests/test_docs.py runs this)

Every public name of ``jaxlangevin`` and of its namespaces appears once, under the section it belongs to;
a public name that no section lists, or a page that documents other names than the code has, fails the
check, so the page cannot silently fall behind the code. (The check compares names, not text: signatures
and help output are printed slightly differently by different Python versions.)
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import os
import pathlib
import re
import sys

import jax

jax.config.update("jax_enable_x64", True)

import jaxlangevin as jl  # noqa: E402
from jaxlangevin import _cli  # noqa: E402

PAGE = pathlib.Path(__file__).with_name("api.md")

# (title, namespace, names, one line on the section); the namespaces' own names must all be listed
SECTIONS = [
    ("Systems", "jl", ["System"], "Masses, a coupling network and heat baths: the object every engine takes."),
    ("Masses", "jl.masses", ["uniform", "graded", "random"], "Mass profiles (Defaveri et al. Sec. II)."),
    ("Couplings", "jl", ["MeanField", "NearestNeighbour", "PowerLaw", "Pinning", "FixedWalls", "Dense",
                         "CouplingSum", "OnSiteQuartic", "FPUT", "AbstractCoupling"],
     "Stiffness pieces that add with `+`; the anharmonic terms are for `simulate` only."),
    ("Baths", "jl", ["OhmicBath", "DrudeBath", "QuantumThermalBath", "intensive", "extensive", "AbstractBath"],
     "Heat baths on any set of sites; `flux[b]` follows the order of `System.baths`."),
    ("Exact steady states and transients", "jl",
     ["negf_steady_state", "thermal_conductance", "lyapunov_steady_state", "covariance_evolution", "transmission",
      "green", "SteadyState", "QuantumSteadyState", "CovarianceEvolution"],
     "Green's functions by residues, the Lyapunov equation, exact second moments in time."),
    ("Simulation", "jl",
     ["simulate", "BAOAB", "EulerMaruyama", "AbstractIntegrator", "AtRest", "Thermal", "Given", "GivenCovariance",
      "AbstractInitial", "SimulationResult", "SimulationDiverged"],
     "Ensembles of Langevin trajectories with streamed fluxes and temperatures."),
    ("Ensemble studies and results on disk", "jl", ["sweep", "Simulation", "Exact", "to_xarray"],
     "Grids of parameters, streamed and resumable; labelled xarray/NetCDF results."),
    ("Inverse design", "jl.design", None, "Optimal mass profiles and fits with error bars (optax, exact gradients)."),
    ("Analytic results of the papers", "jl.analytic", None, "Closed forms, each naming its paper and equation."),
    ("Spin chains", "jl.spins", None, "Weak-coupling quantum master equation of spin-1/2 chains (Ishida and Sugita)."),
    ("Chains of mediators", "jl.mesoscopic", None,
     "Macroscopic subsystems linked by quantum mediators (Panasyuk et al. Sec. VI)."),
]
def namespace(path: str):
    obj = jl
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def public_names(mod) -> list[str]:
    """Names a user imports from ``mod``: ``__all__`` if it has one, else what the module itself defines
    (not the numpy/jax/jaxlangevin helpers it imports; subpackages have their own sections)."""
    if hasattr(mod, "__all__"):
        return sorted(mod.__all__)
    names = []
    for name, obj in vars(mod).items():
        if name.startswith("_") or name == "annotations" or inspect.ismodule(obj):
            continue
        owner = getattr(obj, "__module__", None) if callable(obj) else mod.__name__
        if (owner or "").startswith(mod.__name__):
            names.append(name)
    return sorted(names)


def signature(obj) -> str:
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""
    return sig


def summary(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    paragraphs = doc.split("\n\n")
    text = paragraphs[0]
    if len(text) < 120 and len(paragraphs) > 1:  # a one-line title: add the paragraph that explains it
        text += "\n\n" + paragraphs[1]
    return text.strip()


def entry(prefix: str, name: str, obj) -> str:
    if not callable(obj):
        head = f"### `{prefix}.{name}`"
    else:
        kind = "class " if inspect.isclass(obj) else ""
        head = f"### {kind}`{prefix}.{name}{signature(obj)}`"
    body = summary(obj) if callable(obj) else f"= {obj!r}".replace("\n", " ")
    return f"{head}\n\n```text\n{body}\n```\n"  # docstrings are plain text with equations: verbatim


def documented_names(text: str) -> list[str]:
    """The qualified names of the entries (### headings) of an API page."""
    return re.findall(r"^### (?:class )?`(jl\.[\w.]+)", text, flags=re.M)


def cli_text(argv) -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal's width
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        _cli.main(argv)
    return out.getvalue().rstrip()


def render() -> tuple[str, list[str]]:
    parts = [
        "# API reference",
        "",
        "Generated by `python docs/make_api.py` from the signatures and docstrings (the first paragraph of each;",
        "`help(obj)` shows the rest). Units and signs: [conventions](conventions.md). Pitfalls:",
        "[sharp bits](sharp-bits.md). `import jaxlangevin as jl` throughout.",
        "",
        "## Contents",
        "",
    ]
    parts += [f"- [{title}](#{title.lower().replace(' ', '-')})" for title, *_ in SECTIONS]
    parts += ["- [Command line](#command-line)", ""]
    documented = {"jl": set()}
    missing = []
    for title, path, names, line in SECTIONS:
        mod = namespace(path)
        names = public_names(mod) if names is None else names
        documented.setdefault(path, set()).update(names)
        parts += [f"## {title}", "", line, ""]
        for name in names:
            parts.append(entry(path, name, getattr(mod, name)))
    for path, names in documented.items():
        for name in public_names(namespace(path)):
            if name not in names:
                missing.append(f"{path}.{name}")
    parts += ["## Command line", "", "`jaxlangevin --help`:", "", "```text", cli_text(["--help"]), "```", "",
              "Every configuration key, its default and what it means (`jaxlangevin config`):", "",
              "```toml", cli_text(["config"]), "```", ""]
    return "\n".join(parts), missing


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is out of date")
    args = p.parse_args(argv)
    text, missing = render()
    if missing:
        print("public names that no section of docs/make_api.py lists: " + ", ".join(missing), file=sys.stderr)
        return 1
    if args.check:
        if not PAGE.exists() or documented_names(PAGE.read_text()) != documented_names(text):
            print("docs/api.md is out of date: run python docs/make_api.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
