"""Compensated (Kahan) summation of long time sums, so float32 accumulators do not drift.

A running float32 sum of 1e7 terms of size 1 stagnates (1e7 + 1 == 1e7 in float32). The simulator sums
each block of at most a few hundred steps plainly and adds the block sums with ``kahan_add``: the
error then stays a few ulps of the total however long the run (Kahan, Comm. ACM 8, 40 (1965)).
"""

from __future__ import annotations


def kahan_add(pair, x):
    """(total, compensation) + x -> new pair; the sum is total - compensation. Elementwise, any shape."""
    total, comp = pair
    y = x - comp
    t = total + y
    return t, (t - total) - y
