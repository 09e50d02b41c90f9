"""core/simd.py: 16-lane float32 vectors in numba kernels, lane by lane equal to numpy's float32 arithmetic."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from smfusion.core import simd
from smfusion.core.jit import njit
from smfusion.core.simd import LANES, add_to, constant, load, recip, select, splat, store, vabs


@njit
def _lanes_ops(a, b, out, acc):
    x = load(a, (0,))
    y = load(b, (0,))
    store(out, (0, 0), x + y)
    store(out, (1, 0), x - y)
    store(out, (2, 0), x * y)
    store(out, (3, 0), x / y)
    store(out, (4, 0), select((x < y) | (x == y), x, y))
    store(out, (5, 0), select((x >= splat(0.0)) & (x <= splat(0.5)), vabs(y), constant(x, 7.0)))
    store(out, (6, 0), select(x > y, splat(1), splat(0.0)))
    z = x
    z += y
    store(out, (7, 0), z)
    add_to(acc, (1, 0), x)


@njit
def _numbers(x, y):
    return select(x < y, vabs(x), constant(x, 7.0)), recip(y)


@njit
def _recips(a, out):
    for k in range(0, len(a), LANES):
        store(out, (k,), recip(load(a, (k,))))


def test_lanes_equal_numpy_lane_by_lane():
    rng = np.random.default_rng(0)
    a = (rng.random(LANES) - 0.25).astype("float32")
    b = (rng.random(LANES) + 0.1).astype("float32")
    a[3] = b[3]
    a[5] = np.nan
    out = np.zeros((8, LANES), np.float32)
    acc = np.ones((2, LANES))
    _lanes_ops(a, b, out, acc)
    with np.errstate(invalid="ignore"):
        expected = [a + b, a - b, a * b, a / b, np.where((a < b) | (a == b), a, b),
                    np.where((a >= 0) & (a <= 0.5), np.abs(b), np.float32(7)), (a > b).astype("float32"), a + b]
    for k, e in enumerate(expected):
        np.testing.assert_array_equal(out[k], e, err_msg=f"operation {k}")
    assert out[4, 3] == a[3] and out[4, 5] == b[5]          # NaN compares false: the other lane
    np.testing.assert_array_equal(acc[0], 1.0)
    np.testing.assert_array_equal(acc[1], 1.0 + a.astype("float64"))
    assert _numbers(np.float32(-2.0), np.float32(4.0)) == (2.0, 0.25)
    assert _numbers(np.float32(5.0), np.float32(4.0))[0] == 7.0


def test_reciprocal_within_an_ulp():
    a = np.geomspace(1e-7, 1e7, 64 * LANES).astype("float32")
    out = np.empty_like(a)
    _recips(a, out)
    exact = (1.0 / a.astype("float64"))
    ulp = np.spacing(exact.astype("float32")).astype("float64")
    assert np.max(np.abs(out - exact) / ulp) <= 1.0


def test_reciprocal_divides_without_avx512(tmp_path):
    """Where numba compiles for a CPU without AVX-512, ``recip`` is the division, to the bit (with AVX-512,
    the estimate and its Newton step differ from it by an ulp in 12 of these 4096 values)."""
    code = textwrap.dedent("""
        import numpy as np
        from smfusion.core.jit import njit
        from smfusion.core.simd import LANES, load, recip, store

        @njit
        def f(a, out):
            for k in range(0, len(a), LANES):
                store(out, (k,), recip(load(a, (k,))))

        a = np.random.default_rng(0).uniform(0.5, 2, 4096).astype("float32")
        out = np.empty_like(a)
        f(a, out)
        assert np.array_equal(out, np.float32(1) / a)
        print("divided")
        """)
    env = dict(os.environ, NUMBA_CPU_FEATURES="-avx512f", NUMBA_CACHE_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(Path(simd.__file__).parents[2])] + sys.path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "divided" in done.stdout, done.stderr[-2000:]
