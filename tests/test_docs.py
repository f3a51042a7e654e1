"""The documentation cannot fall behind the code: every public name is in docs/api.md, and every relative
link of the README and of docs/ points at a file that exists."""

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_api_page_lists_every_public_name():
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    make_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_api)
    assert make_api.main(["--check"]) == 0, "run: python docs/make_api.py"
    names = make_api.documented_names((ROOT / "docs" / "api.md").read_text())
    assert len(names) == len(set(names)) and "jl.sweep" in names and "jl.spins.TiltedIsing" in names


def test_relative_links_resolve():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), ROOT / "notebooks" / "README.md"]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)|src=\"([^\"]+)\"", page.read_text()):
            target = next(t for t in target if t)
            if re.match(r"[a-z]+://", target):
                continue
            path = (page.parent / target).resolve()
            if not path.exists() or ROOT not in path.parents:  # inside the repository: a clone has it
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


@pytest.mark.slow
def test_readme_code_runs(tmp_path):
    """The README's Python blocks, run in order as one script (about 2 minutes on 2 cores): the tour works
    as written, and the numbers it quotes are the ones it prints."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    script = "\n".join(blocks) + (
        "\nprint(float(one.temperature[0]), float(one.position_variance[0]))"
        "\nprint(float(ness.local_temperature[0]), float(ness.local_temperature[-1]))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    t_p, t_x, t_first, t_last = (float(x) for x in run.stdout.split()[-4:])
    assert (round(t_p, 3), round(t_x, 3)) == (3.994, 1.053)  # Panasyuk T_p, T_x as quoted
    assert (round(t_first, 3), round(t_last, 3)) == (1.036, 0.937)  # spin profile as quoted
