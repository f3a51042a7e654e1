import jax
import pytest

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")


_BACKEND_COMPILES = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, seconds, **kw: _BACKEND_COMPILES.append(event)
    if event == "/jax/core/compile/backend_compile_duration" else None)


@pytest.fixture
def backend_compiles():
    """`backend_compiles()`: the number of XLA backend compilations so far in this process."""
    return lambda: len(_BACKEND_COMPILES)


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


@pytest.fixture
def on_processes(tmp_path):
    """`on_processes(script, n_proc, devices_per_proc, *args)`: run `script` as n_proc JAX processes on
    localhost (jax.distributed, CPU collectives over gloo), each with devices_per_proc forced host devices.

    Each process gets sys.argv[1:] = (process id, coordinator port, output path, *args) and must call
    ``jax.distributed.initialize`` itself when n_proc > 1 (process id -1 means: a single plain process);
    process 0 (or -1) saves one array to the output path, which is returned.
    """
    import os
    import socket
    import subprocess
    import sys

    import numpy as np

    def run(script, n_proc, devices_per_proc, *args):
        with socket.socket() as sock:
            sock.bind(("localhost", 0))
            port = sock.getsockname()[1]
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices_per_proc}",
                   JAX_PLATFORMS="cpu")
        path = tmp_path / f"p{n_proc}x{devices_per_proc}{''.join(args)}.npy"
        ids = range(n_proc) if n_proc > 1 else [-1]
        procs = [subprocess.Popen([sys.executable, "-c", script, str(i), str(port), str(path), *args], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in ids]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err[-2000:]
        return np.load(path)

    return run
