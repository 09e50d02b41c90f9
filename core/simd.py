"""16-lane float32 vectors for the compiled kernels: a numba type whose values are LLVM ``<16 x float>``.

A kernel that holds per-lane state (one lane per output pixel, say) in variables of this type keeps it in
vector registers across its loops, with no reductions across the lanes and no reliance on LLVM's loop
vectoriser (which left such loops scalar, or kept the state in memory). Where the CPU has no 512-bit
registers, LLVM splits each operation into 256- or 128-bit ones.

In a kernel: ``load(a, (i, j, k))`` reads a[i, j, k:k + LANES] of a C-contiguous float32 array (indices
unchecked, as numba's); ``splat(x)`` puts a number in every lane; ``+ - * /`` and the comparisons
``< <= > >= ==`` (ordered: false where a lane is NaN) act lane by lane, the comparisons giving a
:data:`mask` that ``& |`` combine; ``select(m, a, b)`` takes a where m, else b; ``vabs(a)`` is
|a|; ``recip(a)`` is 1/a; ``constant(like, value)`` is a float32 number or lanes, as ``like`` is. These four
take numbers too, so that one formula can serve vector and scalar loops. ``store(a, idx, v)``
writes a float32 array and ``add_to(a, idx, v)`` adds v, widened, to a float64 array. Products and sums may
fuse into FMA (contraction); nothing else reorders the arithmetic.
"""

import operator

# isort: off
from . import jit  # noqa: F401 - numba's settings (jit.py) before numba is imported
# isort: on
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic, models, overload, register_model

LANES = 16      # float32 lanes of an AVX-512 register


class _Lanes(types.Type):
    def __init__(self):
        super().__init__(name=f"float32x{LANES}")


class _Mask(types.Type):
    def __init__(self):
        super().__init__(name=f"mask{LANES}")


lanes = _Lanes()
mask = _Mask()
_F32 = ir.VectorType(ir.FloatType(), LANES)
_F64 = ir.VectorType(ir.DoubleType(), LANES)
_I1 = ir.VectorType(ir.IntType(1), LANES)


@register_model(_Lanes)
class _LanesModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _F32)


@register_model(_Mask)
class _MaskModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _I1)


def _address(context, builder, aryty, ary, idxty, idx, vector):
    """A pointer to ``ary[idx]`` (a tuple of integers, one per dimension), cast to ``vector``*."""
    arr = context.make_array(aryty)(context, builder, ary)
    inds = [context.cast(builder, builder.extract_value(idx, k), t, types.intp) for k, t in enumerate(idxty)]
    ptr = cgutils.get_item_pointer(context, builder, aryty, arr, inds, wraparound=False)
    return builder.bitcast(ptr, vector.as_pointer())


def _array_of(a, idx, dtype):
    return (isinstance(a, types.Array) and a.dtype == dtype and a.layout == "C" and isinstance(idx, types.BaseTuple)
            and len(idx) == a.ndim and all(isinstance(t, types.Integer) for t in idx))


@intrinsic
def load(typingctx, a, idx):
    """a[idx] and the LANES − 1 items after it along the last axis (C-contiguous float32 ``a``)."""
    if not _array_of(a, idx, types.float32):
        return None

    def codegen(context, builder, sig, args):
        return builder.load(_address(context, builder, sig.args[0], args[0], sig.args[1], args[1], _F32), align=4)
    return lanes(a, idx), codegen


@intrinsic
def store(typingctx, a, idx, v):
    """Writes the lanes of ``v`` to a[idx] and the LANES − 1 items after it (C-contiguous float32 ``a``)."""
    if not (_array_of(a, idx, types.float32) and v == lanes):
        return None

    def codegen(context, builder, sig, args):
        builder.store(args[2], _address(context, builder, sig.args[0], args[0], sig.args[1], args[1], _F32), align=4)
        return context.get_dummy_value()
    return types.none(a, idx, v), codegen


@intrinsic
def add_to(typingctx, a, idx, v):
    """Adds the lanes of ``v``, as float64, to a[idx] and the LANES − 1 items after it (C-contiguous float64)."""
    if not (_array_of(a, idx, types.float64) and v == lanes):
        return None

    def codegen(context, builder, sig, args):
        p = _address(context, builder, sig.args[0], args[0], sig.args[1], args[1], _F64)
        builder.store(builder.fadd(builder.load(p, align=8), builder.fpext(args[2], _F64)), p, align=8)
        return context.get_dummy_value()
    return types.none(a, idx, v), codegen


@intrinsic
def splat(typingctx, x):
    """The number ``x``, as float32, in every lane."""
    if not isinstance(x, (types.Float, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        s = context.cast(builder, args[0], sig.args[0], types.float32)
        v = builder.insert_element(ir.Constant(_F32, ir.Undefined), s, ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(v, ir.Constant(_F32, ir.Undefined),
                                      ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES))
    return lanes(x), codegen


@intrinsic
def _select(typingctx, m, a, b):
    if not (m == mask and a == lanes and b == lanes):
        return None
    return lanes(m, a, b), lambda context, builder, sig, args: builder.select(*args)


@intrinsic
def _abs(typingctx, a):
    if a != lanes:
        return None

    def codegen(context, builder, sig, args):
        fabs = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_F32, [_F32]), f"llvm.fabs.v{LANES}f32")
        return builder.call(fabs, [args[0]])
    return lanes(a), codegen


def _has_avx512(context):
    """Whether numba compiles for a CPU with AVX-512F (its feature string: the host's or NUMBA_CPU_FEATURES)."""
    features = getattr(context.codegen(), "_get_host_cpu_features", lambda: "")()
    return "+avx512f" in features.split(",")


@intrinsic
def _recip(typingctx, a):
    if a != lanes:
        return None

    def codegen(context, builder, sig, args):
        x = args[0]
        one = ir.Constant(_F32, [1.0] * LANES)
        if not _has_avx512(context):
            return builder.fdiv(one, x)
        rcp14 = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_F32, [_F32, _F32, ir.IntType(16)]),
                                               "llvm.x86.avx512.rcp14.ps.512")
        r = builder.call(rcp14, [x, ir.Constant(_F32, [0.0] * LANES), ir.Constant(ir.IntType(16), -1)])
        e = builder.fsub(one, builder.fmul(x, r, flags=("contract",)), flags=("contract",))   # 1 − x·r: one FMA
        return builder.fadd(r, builder.fmul(e, r, flags=("contract",)), flags=("contract",))  # r + e·r: one FMA
    return lanes(a), codegen


# Functions for lanes and numbers alike, so that one formula serves the vector loops and the scalar ones.

def select(m, a, b):
    """``a`` where ``m`` (lane by lane), else ``b``."""
    return a if m else b


def vabs(a):
    """|a| (lane by lane)."""
    return abs(a)


def recip(a):
    """1/a (lane by lane). With AVX-512, lanes take the 14-bit estimate and one Newton step instead of a
    division (15 % faster in ESTARFM's window loop, where a 16-lane division takes ~10 cycles): within an
    ulp or two of 1/a for finite a > 0, NaN for a = 0; numbers, and lanes on other CPUs, divide."""
    return np.float32(1.0) / a


def constant(like, value):
    """``value`` as float32 lanes where ``like`` is lanes, else as a float32 number."""
    return np.float32(value)


@overload(select)
def _select_any(m, a, b):
    if m == mask:
        return lambda m, a, b: _select(m, a, b)
    if isinstance(m, types.Boolean):
        return lambda m, a, b: a if m else b


@overload(vabs)
def _vabs_any(a):
    if a == lanes:
        return lambda a: _abs(a)
    if isinstance(a, types.Number):
        return lambda a: abs(a)


@overload(recip)
def _recip_any(a):
    if a == lanes:
        return lambda a: _recip(a)
    if isinstance(a, types.Float):
        return lambda a: np.float32(1.0) / a


@overload(constant)
def _constant_any(like, value):
    if like == lanes:
        return lambda like, value: splat(value)
    if isinstance(like, types.Number):
        return lambda like, value: np.float32(value)


def _binary(operand, result, build):
    """An intrinsic of two ``operand`` values giving a ``result`` value, ``build(builder, a, b)``."""
    @intrinsic
    def fn(typingctx, a, b):
        if not (a == operand and b == operand):
            return None
        return result(a, b), lambda context, builder, sig, args: build(builder, *args)
    return fn


def _arithmetic(name):
    return _binary(lanes, lanes, lambda builder, a, b: getattr(builder, name)(a, b, flags=("contract",)))


def _comparison(predicate):
    return _binary(lanes, mask, lambda builder, a, b: builder.fcmp_ordered(predicate, a, b))


def _logical(name):
    return _binary(mask, mask, lambda builder, a, b: getattr(builder, name)(a, b))


def _overload(op, fn, typ):
    @overload(op)
    def _ov(a, b):
        if a == typ and b == typ:
            return lambda a, b: fn(a, b)


for _ops, _fn in (((operator.add, operator.iadd), _arithmetic("fadd")),
                  ((operator.sub, operator.isub), _arithmetic("fsub")),
                  ((operator.mul, operator.imul), _arithmetic("fmul")),
                  ((operator.truediv, operator.itruediv), _arithmetic("fdiv"))):
    for _op in _ops:
        _overload(_op, _fn, lanes)
for _op, _p in ((operator.lt, "<"), (operator.le, "<="), (operator.gt, ">"), (operator.ge, ">="), (operator.eq, "==")):
    _overload(_op, _comparison(_p), lanes)
for _ops, _fn in (((operator.and_, operator.iand), _logical("and_")), ((operator.or_, operator.ior), _logical("or_"))):
    for _op in _ops:
        _overload(_op, _fn, mask)
