"""numba, set up once for the whole engine: the compiled-kernel cache goes to a writable folder, and
kernels use the whole width of AVX-512 registers.

numba caches compiled kernels (``cache=True``) next to the source. Where the plugin folder is read-only
(a system-wide install), ``NUMBA_CACHE_DIR`` is pointed at ``~/.cache/smfusion/numba`` unless the user
has set it. Import ``njit`` and ``prange`` from here, never from numba directly.

On Intel CPUs with AVX-512, LLVM's tuning for the CPU prefers 256-bit vectors; the window loops of the
ESTARFM kernel run 10–13 % faster with 512-bit ones (16 float32 lanes, as they are laid out for). So
where the CPU has AVX-512 and the user has set neither ``NUMBA_CPU_NAME`` nor ``NUMBA_CPU_FEATURES``,
``NUMBA_CPU_FEATURES`` is set to the host's features without that preference. It takes effect where
numba has compiled nothing yet in the process (numba reads it when it sets up its code generator), and
numba's cache keeps the kernels of each feature set apart.
"""

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if "NUMBA_CACHE_DIR" not in os.environ and not os.access(_HERE, os.W_OK):
    _cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "smfusion" / "numba"
    _cache.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(_cache)


def _full_width_features():
    """The host's LLVM feature string with ``-prefer-256-bit`` added where it has AVX-512, else None."""
    import llvmlite.binding as llvm
    llvm.initialize_native_target()
    features = llvm.get_host_cpu_features().flatten()
    return features + ",-prefer-256-bit" if "+avx512f" in features.split(",") else None


if not {"NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES"} & set(os.environ) and (_features := _full_width_features()):
    os.environ["NUMBA_CPU_FEATURES"] = _features

from numba import config, get_num_threads, njit, prange, set_num_threads  # noqa: E402
from numba.cpython.unsafe.numbers import trailing_zeros  # noqa: E402 - LLVM's cttz, in numba since 0.38

__all__ = ["config", "njit", "prange", "get_num_threads", "set_num_threads", "kernel", "trailing_zeros"]


# Reassociation (vectorised sums), contraction (FMA) and reciprocals, but never "no NaNs": NaN is nodata.
FAST = frozenset({"reassoc", "contract", "arcp"})


def kernel(fn=None, *, parallel=False, fast=False):
    """``numba.njit`` with the project's settings: cached, no Python fallback, numpy float semantics
    (x/0 gives inf or NaN, not an exception), optional parallel loops, and with ``fast`` the
    :data:`FAST` float flags (sums may be reordered: results differ in the last bits)."""
    deco = njit(cache=True, nogil=True, parallel=parallel, error_model="numpy",
                fastmath=set(FAST) if fast else False)
    return deco(fn) if fn is not None else deco
