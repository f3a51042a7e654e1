"""Many BAOAB steps per GPU kernel (Pallas, Triton backend) for diagonal-plus-rank-one couplings.

Why: the per-step XLA loop of ``_simulate._run_chunk`` reads and writes q, v, f and the v^2 sums
through GPU memory every step (about 40 bytes per oscillator-step): 5e10 oscillator-steps/s on an
H100, measured. Here each program keeps a tile of T trajectories x N' sites in registers for up to
``block`` steps: the state crosses memory once per block, and a step costs about 15 arithmetic
instructions per oscillator plus one row sum (the mean-field force). Measured on one H100 at
(n_traj, N) = (4096, 1024): 6.2e11 (10,000 steps per call) to 8.6e11 (100,000 steps) oscillator-
steps/s; benchmarks/RESULTS.md says what limits it (the per-step cross-warp row sum).

Applies (``plan``) to float32 states integrated with BAOAB whose stiffness is ``DiagonalPlusRankOne``
(mean-field, pinning, walls and their sums), optionally plus ``OnSiteQuartic``, with disjoint Ohmic
baths holding at most ``_MAX_BATH_SITES`` sites in all, N <= ``_MAX_SITES`` and no ``record_every``.
Everything else runs the XLA loop.

Same random numbers as the XLA loop, bit for bit: the normal of trajectory i, bath column j at step s
is element (i, j) of ``jax.random.normal(fold_in(run_key, s), (n_pad, n_noise))``, computed by XLA
for a sub-block of steps (``normal_from_counter``: partitionable Threefry-2x32 of the linear index,
then sqrt(2) erfinv(u), as ``jax.random.normal``) and read by the kernel (n_noise floats per
trajectory and step). The engines differ by float32 rounding only (order of the mean-field sum).

Per step on a tile (N' = N padded to a power of two; padded sites have zero kick, stiffness and
noise, so they stay at rest): B, A on the tile; the bath sites also live in a small side state
(q_j, v_j, f_j per bath column j, updated by the same formulas, so equal to the tile's entries),
which takes the exact Ornstein-Uhlenbeck step and is written into the tile by a select; A; the
force -d q + u sum(q) - lam q^3; B; the v^2 and heat sums (plain within a block of steps; the
blocks are added with Kahan compensation by the caller).
"""

from __future__ import annotations

import dataclasses
import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.experimental import pallas as pl
from jax.sharding import PartitionSpec

from ._coupling.base import CouplingSum
from ._coupling.nonlinear import OnSiteQuartic
from ._coupling.structure import DiagonalPlusRankOne
from ._integrators import BAOAB
from ._kahan import kahan_add

#: the kernel holds 5 arrays of a T x N' tile in registers (16 floats of each per thread: 8 warps at
#: N' = 4096); larger N would need more warps per trajectory or spill. Measured up to N = 1024 only.
_MAX_SITES = 4096
#: each bath site is a side state with its own select into the tile per step
_MAX_BATH_SITES = 16
#: bytes of noise XLA writes ahead of one kernel call (the sub-block of steps is cut to fit)
_NOISE_BYTES = 2**25


class FusedPlan(eqx.Module):
    """Static layout of the fused kernel for one system and ensemble size (see module docstring)."""

    n_sites: int = eqx.field(static=True)
    n_pad_sites: int = eqx.field(static=True)
    n_noise: int = eqx.field(static=True)
    n_pad_noise: int = eqx.field(static=True)
    bath_sites: tuple = eqx.field(static=True)  # site of each noise column
    bath_columns: tuple = eqx.field(static=True)  # (lo, hi) noise columns of each bath
    rows: int = eqx.field(static=True)  # trajectories per program, T
    num_warps: int = eqx.field(static=True)


def _pow2_floor(x: float) -> int:
    return 1 << max(int(x), 1).bit_length() - 1


def plan(system, integrator, record_every, key, n_traj: int) -> tuple[FusedPlan | None, str]:
    """The fused layout for this run, or None and the reason it does not apply.

    Tile: T = trajectories per program, a power of two with T N' <= 1024 and, where the ensemble
    allows, at least 1024 programs (so every multiprocessor gets several); T N' / e threads per
    program (1 to 16 warps) with e = 16 oscillators per thread for N' >= 512, else 4. Measured on an
    H100 (benchmarks/fused_tiles.py, RESULTS.md): within 10% of the best tile at (4096, 1024),
    (256, 1024), (4096, 32) and (1024, 64); the row sum's cross-warp reduction makes more threads
    per trajectory slower, and one oscillator per thread idles.
    """
    if str(jax.random.key_impl(key)) != "threefry2x32":
        return None, f"the fused kernel reproduces Threefry noise, the key is {jax.random.key_impl(key)}"
    if system.has_memory_baths():
        return None, "baths with memory (Drude, quantum thermal) carry auxiliary forces the kernel does not hold"
    if not isinstance(integrator, BAOAB):
        return None, "the fused kernel implements BAOAB only"
    if record_every is not None:
        return None, "record_every needs per-block ensemble means, which the fused kernel does not stream"
    if system.masses.dtype != jnp.float32:
        return None, f"the fused kernel runs float32 states, the masses are {system.masses.dtype}"
    n = system.n_sites
    if n > _MAX_SITES:
        return None, f"N = {n} > {_MAX_SITES} sites would not fit in registers"
    terms = system.coupling.terms if isinstance(system.coupling, CouplingSum) else (system.coupling,)
    linear = [t for t in terms if t.is_linear]
    if any(not t.is_linear and not isinstance(t, OnSiteQuartic) for t in terms):
        return None, "anharmonic terms other than OnSiteQuartic need neighbours"
    if not linear or not isinstance(sum(linear[1:], linear[0]).structure(n), DiagonalPlusRankOne):
        return None, "the fused kernel needs a diagonal-plus-rank-one stiffness (mean-field, pinning, walls)"
    sites = [np.asarray(b.sites) for b in system.baths]
    idx = np.concatenate(sites) if sites else np.zeros(0, int)
    if len(np.unique(idx)) < len(idx):
        return None, "a site held by several baths"
    if not 1 <= len(idx) <= _MAX_BATH_SITES:
        return None, f"{len(idx)} bath sites (the fused kernel takes 1 to {_MAX_BATH_SITES})"
    n_pad_sites = 1 << (n - 1).bit_length()
    rows = max(1, min(1024 // n_pad_sites, _pow2_floor(n_traj / 1024)))
    per_thread = 16 if n_pad_sites >= 512 else 4
    bounds = np.cumsum([0] + [len(s) for s in sites])
    return FusedPlan(
        n_sites=n, n_pad_sites=n_pad_sites, n_noise=len(idx), n_pad_noise=1 << (len(idx) - 1).bit_length(),
        bath_sites=tuple(int(i) for i in idx),
        bath_columns=tuple((int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])),
        rows=rows, num_warps=int(np.clip(rows * n_pad_sites // (32 * per_thread), 1, 16)),
    ), ""


def with_tile(p: FusedPlan, rows: int, num_warps: int) -> FusedPlan:
    """The same plan with another tile (for tuning: ``benchmarks/fused_tiles.py``)."""
    return dataclasses.replace(p, rows=rows, num_warps=num_warps)


# ------------------------------------------------------------------------------------------------
# random numbers: jax.random.normal's float32 path, written with plain integer ops
# ------------------------------------------------------------------------------------------------


def _rotl(x, r: int):
    return lax.shift_left(x, jnp.uint32(r)) | lax.shift_right_logical(x, jnp.uint32(32 - r))


def threefry2x32(k1, k2, x1, x2):
    """Threefry-2x32 with 20 rounds (Salmon et al., SC11), as ``jax.random``'s threefry2x32_p."""
    ks = (k1, k2, k1 ^ k2 ^ jnp.uint32(0x1BD11BDA))
    rotations = ((13, 15, 26, 6), (17, 29, 16, 24))
    x1, x2 = x1 + ks[0], x2 + ks[1]
    for i in range(5):
        for r in rotations[i % 2]:
            x1 = x1 + x2
            x2 = x1 ^ _rotl(x2, r)
        x1 = x1 + ks[(i + 1) % 3]
        x2 = x2 + ks[(i + 2) % 3] + jnp.uint32(i + 1)
    return x1, x2


_LO = np.nextafter(np.float32(-1.0), np.float32(0.0))
_SPAN = np.float32(1.0) - _LO  # rounded in float32, as jax.random.uniform computes maxval - minval
_SQRT2 = np.float32(np.sqrt(2.0))


def normal_from_counter(k1, k2, counter):
    """Element ``counter`` (linear index, < 2^32) of ``jax.random.normal(key, shape, float32)``."""
    b1, b2 = threefry2x32(k1, k2, jnp.zeros_like(counter), counter)
    bits = lax.shift_right_logical(b1 ^ b2, jnp.uint32(9)) | jnp.uint32(0x3F800000)
    u = lax.bitcast_convert_type(bits, jnp.float32) - np.float32(1.0)
    u = jnp.maximum(_LO, u * _SPAN + _LO)
    return _SQRT2 * lax.erf_inv(u)


def step_key(k1, k2, s):
    """Key data of ``jax.random.fold_in(key, s)`` for a Threefry key with data (k1, k2)."""
    return threefry2x32(k1, k2, jnp.zeros_like(s), s)


# ------------------------------------------------------------------------------------------------
# the kernel
# ------------------------------------------------------------------------------------------------


def _force(q, row_sum, diag, uw, lam):
    """-Phi q - lam q^3 for Phi = diag(d) - u 1 1^T (uw = u on real sites, 0 on padding)."""
    return -diag * q + uw * row_sum - lam * (q * q * q)


def _kernel(h_ref, kick_ref, diag_ref, uw_ref, lam_ref, bath_ref, noise_ref, q_ref, v_ref, f_ref, a2_ref, ah_ref,
            q_out, v_out, f_out, a2_out, ah_out, *, steps, sites):
    h = h_ref[0]
    kick, diag, uw, lam = (r[...][None, :] for r in (kick_ref, diag_ref, uw_ref, lam_ref))
    col = lax.broadcasted_iota(jnp.int32, q_ref.shape, 1)
    hcol = lax.broadcasted_iota(jnp.int32, ah_ref.shape, 1)
    at = [col == s for s in sites]
    q, v, f, a2 = q_ref[...], v_ref[...], f_ref[...], a2_ref[...]
    ah = ah_ref[...]

    def pick(x, mask):  # (T, N') -> (T,): the entry at one site (exact: adds zeros)
        return jnp.sum(jnp.where(mask, x, 0.0), axis=1)

    # per bath column j: its site's constants (scalars) and side state (T,)
    const = [(kick_ref[s], diag_ref[s], uw_ref[s], lam_ref[s], bath_ref[0, j], bath_ref[1, j], bath_ref[2, j])
             for j, s in enumerate(sites)]
    side = [(pick(q, m), pick(v, m), pick(f, m), pick(ah, hcol == j)) for j, m in enumerate(at)]

    def one_step(i, carry):
        q, v, f, a2, side = carry
        v = v + kick * f
        q = q + h * v
        new_side = []
        for j, ((qj, vj, fj, hj), (kj, dj, uj, lj, cj, aj, mj)) in enumerate(zip(side, const)):
            vj = vj + kj * fj
            qj = qj + h * vj
            wj = cj * vj + aj * noise_ref[i, :, j]
            hj = hj + mj * (wj * wj - vj * vj)
            v = jnp.where(at[j], wj[:, None], v)
            new_side.append((qj + h * wj, wj, hj))
        q = q + h * v
        row_sum = jnp.sum(q, axis=1)
        f = _force(q, row_sum[:, None], diag, uw, lam)
        v = v + kick * f
        side = []
        for (qj, wj, hj), (kj, dj, uj, lj, _, _, _) in zip(new_side, const):
            fj = _force(qj, row_sum, dj, uj, lj)
            side.append((qj, wj + kj * fj, fj, hj))
        return q, v, f, a2 + v * v, side

    q, v, f, a2, side = lax.fori_loop(0, steps, one_step, (q, v, f, a2, side))
    q_out[...], v_out[...], f_out[...], a2_out[...] = q, v, f, a2
    for j, (_, _, _, hj) in enumerate(side):
        ah = jnp.where(hcol == j, hj[:, None], ah)
    ah_out[...] = ah


def _parameters(p: FusedPlan, system, dt):
    """h = dt/2, per-site (kick, diag, u, lam) padded to N', per-column (c, amp, m/2) padded to n_b'."""
    n, npad = p.n_sites, p.n_pad_sites
    terms = system.coupling.terms if isinstance(system.coupling, CouplingSum) else (system.coupling,)
    linear = [t for t in terms if t.is_linear]
    st = sum(linear[1:], linear[0]).structure(n)
    lam = sum((t.lam for t in terms if isinstance(t, OnSiteQuartic)), jnp.zeros((), jnp.float32))
    m = system.masses

    def pad(x):
        return jnp.pad(jnp.broadcast_to(jnp.asarray(x, jnp.float32), (n,)), (0, npad - n))

    sites = np.asarray(p.bath_sites)
    gamma = jnp.concatenate([jnp.broadcast_to(b.gamma, (len(b.sites),)) for b in system.baths]).astype(jnp.float32)
    temp = jnp.concatenate([jnp.broadcast_to(b.temperature, (len(b.sites),)) for b in system.baths])
    mb = m[sites]
    c = jnp.exp(-gamma * dt / mb)
    amp = jnp.sqrt((1 - c * c) * temp.astype(jnp.float32) / mb)
    bath = jnp.zeros((4, p.n_pad_noise), jnp.float32).at[:3, : len(sites)].set(jnp.stack([c, amp, 0.5 * mb]))
    h = jnp.reshape(0.5 * dt, (1,)).astype(jnp.float32)
    return h, pad((0.5 * dt) / m), pad(st.diag), pad(st.u), pad(lam), bath


def _call(p: FusedPlan, params, noise, q, v, f, a2, ah, interpret: bool):
    """One kernel launch: ``noise.shape[0]`` steps on padded arrays (rows multiple of T)."""
    steps, rpad = noise.shape[0], q.shape[0]
    tile = pl.BlockSpec((p.rows, p.n_pad_sites), lambda i: (i, 0))
    heat_tile = pl.BlockSpec((p.rows, p.n_pad_noise), lambda i: (i, 0))
    vec = pl.BlockSpec((p.n_pad_sites,), lambda i: (0,))
    in_specs = ([pl.BlockSpec((1,), lambda i: (0,))] + [vec] * 4
                + [pl.BlockSpec((4, p.n_pad_noise), lambda i: (0, 0)),
                   pl.BlockSpec((steps, p.rows, p.n_pad_noise), lambda i: (0, i, 0))]
                + [tile] * 4 + [heat_tile])
    compiler_params = None
    if not interpret:
        from jax.experimental.pallas import triton as pltriton

        compiler_params = pltriton.CompilerParams(num_warps=p.num_warps, num_stages=1)
    state = jax.ShapeDtypeStruct((rpad, p.n_pad_sites), jnp.float32)
    return pl.pallas_call(
        functools.partial(_kernel, steps=steps, sites=p.bath_sites),
        grid=(rpad // p.rows,), in_specs=in_specs, out_specs=[tile] * 4 + [heat_tile],
        out_shape=[state] * 4 + [jax.ShapeDtypeStruct((rpad, p.n_pad_noise), jnp.float32)],
        interpret=interpret, compiler_params=compiler_params, name="baoab_rank_one",
    )(*params, noise, q, v, f, a2, ah)


def run_fused(p: FusedPlan, system, dt, q, v, f, run_key, step0, block: int, n_blocks: int, interpret: bool,
              mesh=None):
    """``n_blocks x block`` BAOAB steps from global step ``step0``, as ``_simulate._run_chunk``.

    Returns (q, v, f, sum of v^2, heat per bath), the sums per trajectory: plain within a block,
    Kahan-compensated across blocks. With a ``mesh`` the trajectory axis is split over its devices
    (shard_map); each device offsets its row counters so the noise is that of the global row.
    """
    params = _parameters(p, system, dt)
    key = jax.random.key_data(run_key).astype(jnp.uint32)

    def local(q, v, f, row0):
        n_rows, n = q.shape
        rpad = -(-n_rows // p.rows) * p.rows
        pad = ((0, rpad - n_rows), (0, p.n_pad_sites - n))
        q, v, f = (jnp.pad(x, pad) for x in (q, v, f))
        rows = row0 + jnp.arange(rpad, dtype=jnp.uint32)
        counter = rows[:, None] * jnp.uint32(p.n_noise) + jnp.arange(p.n_pad_noise, dtype=jnp.uint32)[None, :]
        sub = int(max(1, min(block, _NOISE_BYTES // (4 * rpad * p.n_pad_noise))))

        def advance(state, first, steps):
            s = first + jnp.arange(steps, dtype=jnp.uint32)
            k1, k2 = step_key(key[0], key[1], s)
            noise = normal_from_counter(k1[:, None, None], k2[:, None, None], counter[None])
            return tuple(_call(p, params, noise, *state, interpret))

        def one_block(carry, b):
            q, v, f, tot = carry
            first = step0 + b * jnp.uint32(block)
            state = (q, v, f, jnp.zeros_like(q), jnp.zeros((rpad, p.n_pad_noise), jnp.float32))
            n_sub, rest = divmod(block, sub)
            if n_sub:
                state, _ = lax.scan(lambda st, k: (advance(st, first + k * jnp.uint32(sub), sub), None), state,
                                    jnp.arange(n_sub, dtype=jnp.uint32))
            if rest:
                state = advance(state, first + jnp.uint32(n_sub * sub), rest)
            q, v, f, a2, ah = state
            return (q, v, f, tuple(kahan_add(t, x) for t, x in zip(tot, (a2, ah)))), None

        zeros = ((jnp.zeros_like(q),) * 2, (jnp.zeros((rpad, p.n_pad_noise), jnp.float32),) * 2)
        (q, v, f, ((t2, c2), (th, ch))), _ = lax.scan(one_block, (q, v, f, zeros),
                                                      jnp.arange(n_blocks, dtype=jnp.uint32))
        heat = th - ch
        heat = jnp.stack([heat[:n_rows, lo:hi].sum(axis=1) for lo, hi in p.bath_columns], axis=1)
        return q[:n_rows, :n], v[:n_rows, :n], f[:n_rows, :n], (t2 - c2)[:n_rows, :n], heat

    if mesh is None:
        return local(q, v, f, jnp.uint32(0))
    per_device = q.shape[0] // mesh.size

    def sharded(q, v, f):
        return local(q, v, f, (lax.axis_index("traj") * per_device).astype(jnp.uint32))

    spec = PartitionSpec("traj")
    return jax.shard_map(sharded, mesh=mesh, in_specs=(spec,) * 3, out_specs=(spec,) * 5, check_vma=False)(q, v, f)
