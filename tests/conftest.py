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
