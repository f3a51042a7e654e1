"""Run the notebooks as tests (nbmake): small sizes in CI, full sizes on request.

``python -m pytest`` collects ``notebooks/*.ipynb`` (``testpaths`` and ``--nbmake`` in pyproject.toml) and
executes each one top to bottom in a fresh kernel; a failing ``assert`` in a notebook fails its test.

- Sizes. Every notebook reads ``QUICK = os.environ.get("JAXLANGEVIN_NOTEBOOK_QUICK") == "1"``. This file sets
  the variable to "1" before any kernel starts (kernels inherit the environment), unless it is already set:
  ``JAXLANGEVIN_NOTEBOOK_QUICK=0 python -m pytest notebooks`` runs the full sizes. Opened in Jupyter or
  Colab, a notebook runs at full size.
- Timeout. nbmake's timeout applies to each cell. In quick mode it is 120 s (no quick cell needs more than
  ~15 s on a 2-core CPU, so a hang fails fast); at full size 3600 s. ``--nbmake-timeout=S`` overrides both.
"""

import os

QUICK_ENV = "JAXLANGEVIN_NOTEBOOK_QUICK"
CELL_TIMEOUT_S = {"quick": 120, "full": 3600}

os.environ.setdefault(QUICK_ENV, "1")


def pytest_configure(config):
    """Set nbmake's per-cell timeout for the chosen size, unless given on the command line."""
    if not hasattr(config.option, "nbmake_timeout"):
        return
    if any(arg.startswith("--nbmake-timeout") for arg in config.invocation_params.args):
        return
    config.option.nbmake_timeout = CELL_TIMEOUT_S["quick" if os.environ[QUICK_ENV] == "1" else "full"]


def pytest_report_header(config):
    """Say which sizes the notebooks run at."""
    size = "quick (CI sizes)" if os.environ[QUICK_ENV] == "1" else "full"
    return f"notebooks: {size}, {QUICK_ENV}={os.environ[QUICK_ENV]}"
