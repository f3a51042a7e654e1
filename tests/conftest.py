import jax
import pytest

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def getkey():
    """Fresh, printed PRNG keys: `getkey()` returns the next one."""
    seed = 1234
    print(f"getkey seed = {seed}")
    state = {"key": jax.random.key(seed)}

    def _next():
        state["key"], sub = jax.random.split(state["key"])
        return sub

    return _next


@pytest.fixture
def on_devices(tmp_path):
    """`on_devices(script, n, *args)`: run `script` in a fresh CPU process with n forced host devices.

    The script gets an output path as sys.argv[1] (then `args`), must save one array there with np.save
    and print len(jax.devices()) last; the fixture checks the device count and returns the array.
    """
    import os
    import subprocess
    import sys

    import numpy as np

    def run(script, n, *args):
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n}", JAX_PLATFORMS="cpu")
        path = tmp_path / f"r{n}{''.join(args)}.npy"
        p = subprocess.run([sys.executable, "-c", script, str(path), *args], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr[-2000:]
        assert p.stdout.strip().splitlines()[-1] == str(n)
        return np.load(path)

    return run
