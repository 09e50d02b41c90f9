"""ESTARFM (Zhu et al. 2010, RSE 114:2610) and ubESTARFM (Yu et al.): the compiled kernels.

Notation as in the paper: F = fine image, C = coarse image already resampled onto the fine grid, t1/t2 =
the base dates (pairs), tp = the prediction date, w = half window. A time series reuses the work of its
pairs: :func:`fuse_block` runs steps 1–4 (similar pixels, weights, conversion coefficient), which depend
only on the two pairs, once per tile, and steps 5–8 for every prediction date between them at once
(:func:`_segment`); :func:`fuse_block_multiband` is the same for several bands. Settings and choice lists:
core/estarfm_options.py.

Arrays are *blocks*: a tile's core plus a halo of ``halo ≥ w`` px on each side, shape
``(rows + 2·halo, cols + 2·halo)``, NaN = nodata (also past the image edges). Results are the core,
``(rows, cols)`` float32. Rules for missing data (all documented in the README):

- A pair is usable at a pixel where both its F and C are valid. A pixel valid in both pairs gets the
  two-pair prediction; valid in one pair only, the single-pair prediction from that pair; in none, NaN.
- Candidate pixels of the window are those valid in the pair(s) used. The similarity threshold of pair k
  is s_k = 2·σ_k/m, σ_k = sample std (n − 1) of F(t_k) over the pixels where F(t_k) and C(t_k) are valid,
  over the whole image or per SIGMA_BLOCK px block (:class:`Sigma`).
- C(tp) missing at the target pixel → NaN; missing at a similar pixel → that pixel is left out of the
  weighted sums and the remaining weights are renormalised (identical to the paper when C(tp) is
  gap-free). Window means (temporal weights, fallback) use the window pixels where all inputs are valid.
- Conversion coefficient ``regression``: least-squares slope of F on C over the similar pixels, both
  dates pooled; kept where the F test is significant at 5 % and 0 < V ≤ 5 (as in Zhu's reference code),
  else V = 1.
"""

import math

import numpy as np

from .errors import SMFusionError
from .estarfm_options import MAX_CONVERSION, MIN_SIMILAR, Options
from .jit import kernel, prange
from .raster import Tile
from .simd import LANES, add_to, constant, load, recip, select, splat, store, vabs

# ---------------------------------------------------------------------------------------------- sigma

class Sigma:
    """Similarity thresholds s = 2σ/m of one date, σ per square block (or the whole image).

    Feed it the date's fine and coarse images tile by tile (:meth:`add`, core arrays with their origin),
    then :meth:`threshold` gives the (rows, cols) threshold of any window. Sums are shifted by the first
    valid value, so that LST in K keeps its precision.
    """

    def __init__(self, shape, block, classes):
        self.shape = tuple(shape)
        self.block = int(block) if block else max(self.shape)
        self.classes = classes
        self.nby = -(-self.shape[0] // self.block)
        self.nbx = -(-self.shape[1] // self.block)
        self._n = np.zeros(self.nby * self.nbx)
        self._s1 = np.zeros(self.nby * self.nbx)
        self._s2 = np.zeros(self.nby * self.nbx)
        self._shift = None
        self._sigma = None

    def add(self, fine, coarse, row0=0, col0=0):
        shift = _moments(np.asarray(fine, dtype="float64"), np.asarray(coarse), row0, col0, self.block, self.nbx,
                         np.nan if self._shift is None else self._shift, self._n, self._s1, self._s2)
        if shift == shift:
            self._shift = shift
        self._sigma = None

    @property
    def sigma(self):
        """(nby, nbx) σ per block; NaN where a block has fewer than 2 valid pixels."""
        if self._sigma is None:
            n = self._n
            with np.errstate(invalid="ignore", divide="ignore"):
                var = (self._s2 - self._s1 ** 2 / n) / (n - 1)
            var = np.where(n >= 2, np.maximum(var, 0.0), np.nan)
            self._sigma = np.sqrt(var).reshape(self.nby, self.nbx)
        return self._sigma

    def threshold(self, row0, col0, rows, cols):
        """(rows, cols) float64 thresholds 2σ/m of the window at (row0, col0)."""
        by = np.arange(row0, row0 + rows) // self.block
        bx = np.arange(col0, col0 + cols) // self.block
        return self.sigma[by[:, None], bx[None, :]] * (2.0 / self.classes)

    @classmethod
    def of(cls, fine, coarse, block, classes):
        """Thresholds from whole in-memory images."""
        sig = cls(np.shape(fine), block, classes)
        sig.add(fine, coarse)
        return sig


@kernel
def _moments(fine, coarse, row0, col0, block, nbx, shift, n, s1, s2):
    """Add the count, Σ(x − shift) and Σ(x − shift)² of the fine values x where ``fine`` and ``coarse``
    ((rows, cols), the window at (row0, col0)) are finite to n, s1 and s2 (nby·nbx, per ``block`` px
    square block), pixel after pixel in row order. ``shift`` NaN: the first such x. Returns the shift."""
    for i in range(fine.shape[0]):
        by = (row0 + i) // block
        for j in range(fine.shape[1]):
            x = fine[i, j]
            if math.isfinite(x) and math.isfinite(coarse[i, j]):
                k = by * nbx + (col0 + j) // block
                if shift != shift:
                    shift = x
                x = x - shift
                n[k] += 1.0
                s1[k] += x
                s2[k] += x * x
    return shift


_FCRIT = {}


def _f_critical(size):
    """Critical F(1, df) values at 5 % for df = 0..size-1 (index = df; df 0 never passes)."""
    if size not in _FCRIT:
        from scipy.stats import f as f_dist
        table = np.full(size, np.inf)
        table[1:] = f_dist.ppf(0.95, 1, np.arange(1, size))
        _FCRIT[size] = table
    return _FCRIT[size]


# ---------------------------------------------------------------------------------------------- kernels

def _modes(pairs, ct):
    """Whether some core pixel with C(tp) valid (``ct``, a (rows, cols) bool mask) uses both pairs, pair 1
    only, pair 2 only (``pairs``: the three (rows, cols) bool masks of these modes): the window means
    that :func:`_window_terms` reads."""
    return tuple(bool((m & ct).any()) for m in pairs)


@kernel(parallel=True)
def _integrals(F1, F2, C1, C2, Ct, both, one1, one2, unbiased):
    """Integral images (11, H+1, W+1) of the window-mean planes, per pair mode (3 = both, 1, 2):
    0 m3, 1 m3·(Ct−C1), 2 m3·(Ct−C2), 3 m3·(C1−F1), 4 m3·(C2−F2),
    5 m1, 6 m1·(Ct−C1), 7 m1·(C1−F1), 8 m2, 9 m2·(Ct−C2), 10 m2·(C2−F2);
    m1 = F1, C1, Ct valid; m2 = F2, C2, Ct valid; m3 = m1 and m2. Only the planes of the modes asked
    for (``both``, ``one1``, ``one2``: :func:`_modes`) are summed, the shift planes 3, 4, 7, 10 only if
    ``unbiased``; the others stay 0. Each row is summed along, then the rows down the columns."""
    H, W = F1.shape
    need = np.zeros(11, np.bool_)
    need[0:3] = both
    need[3:5] = both and unbiased
    need[5:7] = one1
    need[7] = one1 and unbiased
    need[8:10] = one2
    need[10] = one2 and unbiased
    planes = np.flatnonzero(need)
    out = np.zeros((11, H + 1, W + 1))
    for i in prange(H):
        r = np.zeros(11)
        for j in range(W):
            ct = Ct[i, j]
            ok1 = F1[i, j] == F1[i, j] and C1[i, j] == C1[i, j] and ct == ct
            ok2 = F2[i, j] == F2[i, j] and C2[i, j] == C2[i, j] and ct == ct
            if both:
                m3 = ok1 and ok2
                r[0] += 1.0 if m3 else 0.0
                r[1] += ct - C1[i, j] if m3 else 0.0
                r[2] += ct - C2[i, j] if m3 else 0.0
                if unbiased:
                    r[3] += C1[i, j] - F1[i, j] if m3 else 0.0
                    r[4] += C2[i, j] - F2[i, j] if m3 else 0.0
            if one1:
                r[5] += 1.0 if ok1 else 0.0
                r[6] += ct - C1[i, j] if ok1 else 0.0
                if unbiased:
                    r[7] += C1[i, j] - F1[i, j] if ok1 else 0.0
            if one2:
                r[8] += 1.0 if ok2 else 0.0
                r[9] += ct - C2[i, j] if ok2 else 0.0
                if unbiased:
                    r[10] += C2[i, j] - F2[i, j] if ok2 else 0.0
            for p in planes:
                out[p, i + 1, j + 1] = r[p]
    for k in prange(len(planes)):
        p = planes[k]
        for i in range(1, H + 1):
            for j in range(1, W + 1):
                out[p, i, j] += out[p, i - 1, j]
    return out


@kernel
def _box(I, p, r, c, w):
    H = I.shape[1] - 1
    W = I.shape[2] - 1
    r0 = max(r - w, 0)
    r1 = min(r + w + 1, H)
    c0 = max(c - w, 0)
    c1 = min(c + w + 1, W)
    return I[p, r1, c1] - I[p, r0, c1] - I[p, r1, c0] + I[p, r0, c0]


@kernel(parallel=True)
def _window_terms(F1, F2, C1, C2, Ct, modes, h, rows, cols, w, unbiased, T1, FB):
    """Per core pixel, for one date: T1 = the temporal weight of pair 1 (step 6; 1 or 0 with a single
    pair) and FB = the step-8 prediction from the window means (signed; ub: with the window shift);
    ``modes`` from :func:`_modes`."""
    I = _integrals(F1, F2, C1, C2, Ct, *modes, unbiased)
    for rr in prange(rows):
        r = rr + h
        for cc in range(cols):
            c = cc + h
            u1 = F1[r, c] == F1[r, c]
            u2 = F2[r, c] == F2[r, c]
            T1[rr, cc] = np.nan
            FB[rr, cc] = np.nan
            if not (u1 or u2) or not Ct[r, c] == Ct[r, c]:
                continue
            if u1 and u2:
                n = _box(I, 0, r, c, w)
                md1 = _box(I, 1, r, c, w) / n
                md2 = _box(I, 2, r, c, w) / n
                t1 = 1.0 / (abs(md1) + 1e-10)
                t2 = 1.0 / (abs(md2) + 1e-10)
                t1 = t1 / (t1 + t2)
                sh1 = _box(I, 3, r, c, w) / n if unbiased else 0.0
                sh2 = _box(I, 4, r, c, w) / n if unbiased else 0.0
                T1[rr, cc] = t1
                FB[rr, cc] = t1 * (F1[r, c] + sh1 + md1) + (1.0 - t1) * (F2[r, c] + sh2 + md2)
            elif u1:
                n = _box(I, 5, r, c, w)
                sh1 = _box(I, 7, r, c, w) / n if unbiased else 0.0
                T1[rr, cc] = 1.0
                FB[rr, cc] = F1[r, c] + sh1 + _box(I, 6, r, c, w) / n
            else:
                n = _box(I, 8, r, c, w)
                sh2 = _box(I, 10, r, c, w) / n if unbiased else 0.0
                T1[rr, cc] = 0.0
                FB[rr, cc] = F2[r, c] + sh2 + _box(I, 9, r, c, w) / n


@kernel
def _edge(a, f, s, out):
    """The float32 value nearest to ``out`` (±inf) with |a − f| < s in float32, found from ``a`` (within an ulp
    or two of it: f ± s) ulp by ulp, as ``fl(a − f)`` grows with a; f finite, s > 0."""
    if abs(np.float32(a - f)) < s:
        while abs(np.float32(np.nextafter(a, out) - f)) < s:
            a = np.nextafter(a, out)
    else:
        while not abs(np.float32(a - f)) < s:      # ends at f at the latest
            a = np.nextafter(a, -out)
    return a


@kernel
def _bounds(f, s):
    """The float32 interval (lo, hi) of the values a similar to a centre of fine value ``f`` at threshold
    ``s`` (float32): lo ≤ a ≤ hi exactly where |a − f| < s in float32 arithmetic (false for NaN a). Empty
    (lo > hi) where no a is: s ≤ 0 or NaN, f not finite. Two compares in the window loop instead of a
    subtraction, an abs and a compare."""
    inf = np.float32(np.inf)
    if not (s > np.float32(0.0)) or not math.isfinite(f):
        return inf, -inf
    return _edge(np.float32(f - s), f, s, -inf), _edge(np.float32(f + s), f, s, inf)


@kernel(fast=True)
def _similar(a1, a2, lo1, hi1, lo2, hi2):
    """Whether window pixels with fine values a1/a2 are similar to their centres (in their intervals of
    :func:`_bounds`); numbers or lanes."""
    return (a1 >= lo1) & (a1 <= hi1) & (a2 >= lo2) & (a2 <= hi2)


@kernel(fast=True)
def _weight(ok, rt, dt, a1, a2, c1, c2, b1, b2):
    """float32 weight 1 / ((1 − R)·D + ε) of window pixels with fine values a1/a2 and coarse c1/c2, 0 where
    they are not similar to their centres (``ok``, from :func:`_similar`: the loops count the similar pixels
    with the same test); dt = D/2 (the halves are exact and save a multiply); numbers or lanes. rt None:
    ubESTARFM, R = ½(R1 + R2) of the pairs shifted by b1/b2 (with one pair read twice, R of that pair),
    else rt = 2(1 − R) of the pixels (``RT``), its reciprocal within an ulp in lanes (:func:`.simd.recip`)."""
    one = constant(dt, 1.0)
    zero = constant(dt, 0.0)
    eps = constant(dt, _EPS)
    if rt is None:
        y1 = a1 + b1
        y2 = a2 + b2
        # 2(1 − R) = |n1/d1| + |n2/d2| = (|n1||d2| + |n2||d1|) / |d1 d2|; R ∉ [−1, 1] → 0.5
        n1 = vabs(y1 - c1)
        d1 = vabs(y1 + c1)
        n2 = vabs(y2 - c2)
        d2 = vabs(y2 + c2)
        num = n1 * d2 + n2 * d1
        den = d1 * d2
        within = (num <= constant(dt, 4.0) * den) & (den > zero)
        # 1 / ((num/den)·dt + ε) = den / (num·dt + ε·den), with one division
        inv = select(within, den, one) / select(within, num * dt + eps * den, dt + eps)
    else:
        inv = recip(rt * dt + eps)
    return select(ok, inv, zero)


@kernel
def _mode(u1, u2):
    """The pair mode of a centre that uses pair 1 (``u1``) and/or pair 2 (``u2``): 0 both, 1 pair 1, 2 pair 2;
    the first index of ``RT`` (unsigned, as the window loops index)."""
    return np.uintp(0 if (u1 and u2) else (1 if u1 else 2))


@kernel
def _centre(F, S1, S2, r, c, rr, cc):
    """The centre (r, c) of core pixel (rr, cc), as the window loops read it: whether each pair is used
    there (u1/u2); the pairs p1/p2 read as pairs 1 and 2 (0 and 1 where both are used, else the used
    pair twice, so that the loops need no branch on u1/u2); their fine values f1p/f2p at the centre and
    their float32 thresholds s1/s2. Where pair k is used, pair k is read as pair k."""
    u1 = F[0, r, c] == F[0, r, c]
    u2 = F[1, r, c] == F[1, r, c]
    p1 = np.uintp(0 if u1 else 1)
    p2 = np.uintp(1 if u2 else 0)
    s1 = np.float32(S1[rr, cc] if u1 else S2[rr, cc])
    s2 = np.float32(S2[rr, cc] if u2 else S1[rr, cc])
    return u1, u2, p1, p2, F[p1, r, c], F[p2, r, c], s1, s2


# The rows of the centres' parameters (CP, float32) and sums (SUM, float64) of an image row in _segment,
# one column per centre: lanes of LANES centres are read and added at once.
_LO1, _HI1, _LO2, _HI2, _U1, _U2, _B1, _B2, _XS, _YS = range(10)
_N, _TOT, _SX, _SY, _SXX, _SXY, _SYY = range(7)


@kernel
def _intervals(CP, cb):
    """The lanes of the similarity intervals lo1, hi1, lo2, hi2 of the LANES centres from column cb."""
    return load(CP, (_LO1, cb)), load(CP, (_HI1, cb)), load(CP, (_LO2, cb)), load(CP, (_HI2, cb))


@kernel(fast=True)
def _pair(X, i, j, m1, m2):
    """The lanes of planes X (2, ...) at (i, j), read as pairs 1 and 2: X[0] and X[1] where every lane uses
    both pairs (m1 None), else per lane as :func:`_centre` reads them (m1/m2: the lanes that use pair 1/2)."""
    x0 = load(X, (0, i, j))
    x1 = load(X, (1, i, j))
    if m1 is None:
        return x0, x1
    return select(m1, x0, x1), select(m2, x1, x0)


@kernel(fast=True)
def _rt(RT, i, j, m1, m2):
    """The lanes of 2(1 − R) at (i, j) for the pair modes of the lanes (every lane both: m1 None)."""
    r0 = load(RT, (0, i, j))
    if m1 is None:
        return r0
    return select(m1 & m2, r0, select(m1, load(RT, (1, i, j)), load(RT, (2, i, j))))


@kernel(fast=True)
def _shift_sums(F, G, CP, SUM, cb, r, w, jb, m1, m2):
    """ubESTARFM's pass 1 for the LANES centres from column cb: over each window, the similar pixels and
    their sums of C − F of the pairs read as 1 and 2, added to SUM[_N, _SX, _SY] (float64, per window row)."""
    K = 2 * w + 1
    zero = splat(0.0)
    one = splat(1.0)
    lo1, hi1, lo2, hi2 = _intervals(CP, cb)
    for di in range(K):
        i = np.uintp(r - w + di)
        n = zero
        g1 = zero
        g2 = zero
        for dj in range(K):
            j = jb + np.uintp(dj)
            a1, a2 = _pair(F, i, j, m1, m2)
            ok = _similar(a1, a2, lo1, hi1, lo2, hi2)
            x1, x2 = _pair(G, i, j, m1, m2)
            n = select(ok, n + one, n)
            g1 = select(ok, g1 + x1, g1)
            g2 = select(ok, g2 + x2, g2)
        add_to(SUM, (_N, cb), n)
        add_to(SUM, (_SX, cb), g1)
        add_to(SUM, (_SY, cb), g2)


@kernel(fast=True)
def _weight_sums(F, C, G, RT, DT, DC1, DC2, MT, CP, SUM, SD, KW, several, fcrit, cb, r, w, jb, m1, m2):
    """Pass 2 for the LANES centres from column cb: over each window, the weights (:func:`_weight`) and their
    sums, added per window row to SUM (float64): the similar pixels (ESTARFM; ubESTARFM counted them in
    pass 1), the weights, and with the regression (``fcrit``) its sums about the centre (xs, ys); and to
    SD (D, 3, ·): Σ w·(C(tp) − C(tk)) of both pairs and Σ w·(C(tp) valid) (MT; None: gap-free) of every
    date. With ``several`` dates, the weights of a window row are kept in KW (2w+1, LANES) for the dates
    after the first."""
    K = 2 * w + 1
    D = DC1.shape[0]
    zero = splat(0.0)
    one = splat(1.0)
    lo1, hi1, lo2, hi2 = _intervals(CP, cb)
    b1 = load(CP, (_B1, cb))
    b2 = load(CP, (_B2, cb))
    xs = load(CP, (_XS, cb))
    ys = load(CP, (_YS, cb))
    for di in range(K):
        i = np.uintp(r - w + di)
        n = zero
        pt = zero
        t1 = zero
        t2 = zero
        ts = zero
        px = zero
        py = zero
        pxx = zero
        pxy = zero
        pyy = zero
        for dj in range(K):
            j = jb + np.uintp(dj)
            dt = splat(DT[di, dj])
            a1, a2 = _pair(F, i, j, m1, m2)
            c1, c2 = _pair(C, i, j, m1, m2)
            ok = _similar(a1, a2, lo1, hi1, lo2, hi2)
            if RT is None:
                inv = _weight(ok, None, dt, a1, a2, c1, c2, b1, b2)
            else:
                inv = _weight(ok, _rt(RT, i, j, m1, m2), dt, a1, a2, c1, c2, b1, b2)
            if G is None:
                n = select(ok, n + one, n)
            pt += inv
            t1 += inv * load(DC1, (0, i, j))
            t2 += inv * load(DC2, (0, i, j))
            if MT is not None:
                ts += inv * load(MT, (0, i, j))
            if several is not None:
                store(KW, (dj, 0), inv)
            if fcrit is not None:                   # an unused pair adds no points
                k1 = ok if m1 is None else ok & m1
                k2 = ok if m1 is None else ok & m2
                x1 = select(k1, c1 - xs, zero)
                z1 = select(k1, a1 + b1 - ys, zero)
                x2 = select(k2, c2 - xs, zero)
                z2 = select(k2, a2 + b2 - ys, zero)
                px += x1 + x2
                py += z1 + z2
                pxx += x1 * x1 + x2 * x2
                pxy += x1 * z1 + x2 * z2
                pyy += z1 * z1 + z2 * z2
        if G is None:
            add_to(SUM, (_N, cb), n)
        add_to(SUM, (_TOT, cb), pt)
        add_to(SD, (0, 0, cb), t1)
        add_to(SD, (0, 1, cb), t2)
        if MT is not None:
            add_to(SD, (0, 2, cb), ts)
        if fcrit is not None:
            add_to(SUM, (_SX, cb), px)
            add_to(SUM, (_SY, cb), py)
            add_to(SUM, (_SXX, cb), pxx)
            add_to(SUM, (_SXY, cb), pxy)
            add_to(SUM, (_SYY, cb), pyy)
        if several is None:
            continue
        for d in range(1, D):                   # the further dates: the row's weights again
            t1 = zero
            t2 = zero
            ts = zero
            for dj in range(K):
                j = jb + np.uintp(dj)
                q = load(KW, (dj, 0))
                t1 += q * load(DC1, (d, i, j))
                t2 += q * load(DC2, (d, i, j))
                if MT is not None:
                    ts += q * load(MT, (d, i, j))
            add_to(SD, (d, 0, cb), t1)
            add_to(SD, (d, 1, cb), t2)
            if MT is not None:
                add_to(SD, (d, 2, cb), ts)


@kernel(parallel=True, fast=True)
def _segment(F, C, G, RT, DT, DC1, DC2, MT, S1, S2, T1, FB, h, rows, cols, w, fcrit, vrange, several,
             out, NS, V):
    """Steps 1–5 and 7 for every core pixel, and for all D dates of ``DC1``/``DC2`` at once.

    float32 blocks (H, W + LANES), with LANES more columns on the right (:func:`_planes`): F (2, ...), the
    fine images of pairs 1 and 2 (NaN where the pair is unusable), C (2, ...) the coarse ones, G = C − F
    (for ubESTARFM's shifts; None for ESTARFM); DT (2w+1, 2w+1): ½(1 + distance/w); DC* (D, ...):
    C(tp) − C(tk), 0 where invalid; S*: float64 thresholds; T1, FB (D, rows, cols) from
    :func:`_window_terms`. Writes out (D, rows, cols), NS and V (rows·cols).

    Options are None or not, so that numba compiles one loop per combination, without branches inside:
    RT (3, ...), 2(1 − R) of each pixel for the pair modes both/1/2 (None: ubESTARFM, R from the
    shifted pairs); MT (D, ...), 1 where C(tp) is valid (None: C(tp) is gap-free); fcrit, the critical F
    values (None: V = 1); vrange, (min, max) of step 7 (None: no revision); ``several``, not None where
    D > 1.

    The window loops take LANES centres of an image row at once, one per lane (:mod:`.simd`): a window
    pixel is one vector load per plane, the similarity test compares with the centres' float32 intervals
    (:func:`_bounds`), and each centre's sums stay in its lane, added into float64 once per window row.
    Where some centre of the LANES uses one pair only, the pairs are read per lane as :func:`_centre`
    reads them (else, the common case, as they are). The date sums read DC1/DC2 as they are (those of an
    unused pair are not used). Step 7 runs a pass of its own, per centre, for the (rare) predictions out
    of ``vrange``.
    """
    D = DC1.shape[0]
    K = 2 * w + 1
    for rr in prange(rows):
        r = rr + h
        n_lanes = -(-cols // LANES) * LANES
        CP = np.empty((10, n_lanes), np.float32)       # the centres' parameters, per lane (_LO1 ...)
        SUM = np.zeros((7, n_lanes))                    # their sums (_N ...)
        SD = np.zeros((D, 3, n_lanes))                  # their date sums
        KW = np.empty((K, LANES), np.float32)
        for cc in range(n_lanes):
            lo1 = hi1 = lo2 = hi2 = np.float32(np.nan)   # past the core: nothing is similar
            u1 = u2 = False
            xs = ys = np.float32(0.0)
            if cc < cols:
                u1, u2, p1, p2, f1p, f2p, s1, s2 = _centre(F, S1, S2, r, cc + h, rr, cc)
                lo1, hi1 = _bounds(f1p, s1)
                lo2, hi2 = _bounds(f2p, s2)
                xs = C[p1, r, cc + h]                     # shifts for precise regression sums
                ys = f1p
            CP[_LO1, cc], CP[_HI1, cc], CP[_LO2, cc], CP[_HI2, cc] = lo1, hi1, lo2, hi2
            CP[_U1, cc] = np.float32(u1)
            CP[_U2, cc] = np.float32(u2)
            CP[_B1, cc] = CP[_B2, cc] = np.float32(0.0)
            CP[_XS, cc] = xs
            CP[_YS, cc] = ys
        for cb in range(0, n_lanes, LANES):
            jb = np.uintp(cb + h - w)
            uniform = True                                # every lane uses both pairs, or none
            for cc in range(cb, cb + LANES):
                uniform = uniform and CP[_U1, cc] == CP[_U2, cc]
            m1 = load(CP, (_U1, cb)) > splat(0.5)
            m2 = load(CP, (_U2, cb)) > splat(0.5)
            if G is not None:                           # pass 1 (ub): the shifts b_k = mean(C − F) over the similar
                if uniform:
                    _shift_sums(F, G, CP, SUM, cb, r, w, jb, None, None)
                else:
                    _shift_sums(F, G, CP, SUM, cb, r, w, jb, m1, m2)
                for cc in range(cb, cb + LANES):
                    n = SUM[_N, cc]
                    if n > MIN_SIMILAR:
                        CP[_B1, cc] = np.float32(SUM[_SX, cc] / n)
                        CP[_B2, cc] = np.float32(SUM[_SY, cc] / n)
                    CP[_YS, cc] += CP[_B1, cc]
                    SUM[_SX, cc] = 0.0                  # n stays: pass 2 has the same similar pixels
                    SUM[_SY, cc] = 0.0
            if uniform:
                _weight_sums(F, C, G, RT, DT, DC1, DC2, MT, CP, SUM, SD, KW, several, fcrit, cb, r, w, jb,
                             None, None)
            else:
                _weight_sums(F, C, G, RT, DT, DC1, DC2, MT, CP, SUM, SD, KW, several, fcrit, cb, r, w, jb,
                             m1, m2)
        for cc in range(cols):
            k = rr * cols + cc
            c = cc + h
            u1, u2, p1, p2, f1p, f2p, s1, s2 = _centre(F, S1, S2, r, c, rr, cc)
            NS[k] = 0
            V[k] = 1.0
            for d in range(D):
                out[d, rr, cc] = np.nan
            if not (u1 or u2):
                continue
            lo1, hi1, lo2, hi2 = CP[_LO1, cc], CP[_HI1, cc], CP[_LO2, cc], CP[_HI2, cc]
            mode = _mode(u1, u2)
            jb = np.uintp(c - w)
            b1 = CP[_B1, cc]
            b2 = CP[_B2, cc]
            n = SUM[_N, cc]
            tot = SUM[_TOT, cc]
            NS[k] = int(n)
            if n <= MIN_SIMILAR:                        # step 8
                for d in range(D):
                    out[d, rr, cc] = FB[d, rr, cc]
                continue
            v = 1.0
            if fcrit is not None:
                sx = SUM[_SX, cc]
                sy = SUM[_SY, cc]
                npts = n * (int(u1) + int(u2))
                Sxx = SUM[_SXX, cc] - sx * sx / npts
                Sxy = SUM[_SXY, cc] - sx * sy / npts
                Syy = SUM[_SYY, cc] - sy * sy / npts
                if Sxx > 0.0:
                    slope = Sxy / Sxx
                    sse = Syy - slope * Sxy
                    df = int(npts) - 2
                    significant = True if sse <= 0.0 else (slope * Sxy) / (sse / df) >= fcrit[df]
                    if significant and slope > 0.0 and slope <= MAX_CONVERSION:
                        v = slope
            V[k] = v
            for d in range(D):                          # pair k is read as k where it is used (u_k)
                if MT is not None and MT[d, r, c] == np.float32(0.0):
                    continue
                s = tot if MT is None else SD[d, 2, cc]
                t1 = T1[d, rr, cc]
                res = 0.0
                if u1:
                    res += t1 * (f1p + b1 + v * SD[d, 0, cc] / s)
                if u2:
                    res += (1.0 - t1) * (f2p + b2 + v * SD[d, 1, cc] / s)
                if vrange is not None and (res < vrange[0] or res > vrange[1]):   # step 7 (rare): a pass
                    h1 = 0.0                            # for Σ w·(F(tk) − F(tk) centre) / Σ w
                    h2 = 0.0
                    for i in range(r - w, r + w + 1):
                        di = np.uintp(i - r + w)
                        q1 = np.float32(0.0)
                        q2 = np.float32(0.0)
                        for dj in range(K):
                            j = jb + np.uintp(dj)
                            a1 = F[p1, i, j]
                            a2 = F[p2, i, j]
                            dt = DT[di, dj]
                            ok = _similar(a1, a2, lo1, hi1, lo2, hi2)
                            if RT is None:
                                q = _weight(ok, None, dt, a1, a2, C[p1, i, j], C[p2, i, j], b1, b2)
                            else:
                                q = _weight(ok, RT[mode, i, j], dt, a1, a2, C[p1, i, j], C[p2, i, j], b1, b2)
                            if MT is not None:
                                q *= MT[d, i, j]
                            q1 += q * (a1 - f1p) if (q > np.float32(0.0)) & u1 else np.float32(0.0)
                            q2 += q * (a2 - f2p) if (q > np.float32(0.0)) & u2 else np.float32(0.0)
                        h1 += q1
                        h2 += q2
                    res = 0.0
                    if u1:
                        res += t1 * (f1p + b1 + h1 / s)
                    if u2:
                        res += (1.0 - t1) * (f2p + b2 + h2 / s)
                out[d, rr, cc] = res


# ---------------------------------------------------------------------------------------------- API

def _as_block(a, like):
    if a is None:
        return np.full(like.shape, np.nan)
    a = np.asarray(a, dtype="float64")
    if a.shape != like.shape:
        raise SMFusionError(f"ESTARFM: block shapes differ ({a.shape} vs {like.shape})")
    return a


_EPS = np.float32(1e-7)    # keeps the weight finite where R = 1 and the distance term is 0


@kernel
def _two_minus_2r(f1, c1, f2, c2):
    """2(1 − R) of one pixel (float64 values; f NaN where the pair is unusable) for the pair modes both /
    pair 1 / pair 2, as :func:`_weight` reads it; 1 (R = 0.5) where R is outside [−1, 1] or undefined."""
    a1 = abs((f1 - c1) / (f1 + c1))
    a2 = abs((f2 - c2) / (f2 + c2))
    t0 = a1 + a2
    t1 = 2.0 * a1
    t2 = 2.0 * a2
    return (t0 if t0 >= 0.0 and t0 <= 4.0 else 1.0, t1 if t1 >= 0.0 and t1 <= 4.0 else 1.0,
            t2 if t2 >= 0.0 and t2 <= 4.0 else 1.0)


@kernel(parallel=True)
def _planes(F1, F2, C1, C2, Ct, F, C, G, RT, DC1, DC2, MT):
    """Fills the float32 planes that :func:`_segment` reads from the float64 blocks F1, F2, C1, C2 (H, W)
    (F NaN where its pair is unusable) and Ct (D, H, W), and the planes' more columns on the right (the
    padding, which the lanes of the last centres read): F, C (2, ...) NaN in the padding; G = C − F (None:
    ESTARFM); RT (3, ...) of :func:`_two_minus_2r`, 1 in the padding (None: ubESTARFM); DC1, DC2 (D, ...) =
    C(tp) − C(tk) where both are valid, else 0; MT (D, ...) 1 where C(tp) is valid, else 0. Returns how many
    (pixel, date) have a usable pair and no C(tp) (0: C(tp) is gap-free)."""
    H, W = F1.shape
    D = Ct.shape[0]
    zero = np.float32(0.0)
    gaps = 0
    for i in prange(F.shape[1]):
        for j in range(F.shape[2]):
            inside = i < H and j < W
            f1 = F1[i, j] if inside else np.nan
            f2 = F2[i, j] if inside else np.nan
            c1 = C1[i, j] if inside else np.nan
            c2 = C2[i, j] if inside else np.nan
            F[0, i, j] = f1
            F[1, i, j] = f2
            C[0, i, j] = c1
            C[1, i, j] = c2
            if G is not None:
                G[0, i, j] = C[0, i, j] - F[0, i, j]
                G[1, i, j] = C[1, i, j] - F[1, i, j]
            if RT is not None:
                t0, t1, t2 = _two_minus_2r(f1, c1, f2, c2) if inside else (1.0, 1.0, 1.0)
                RT[0, i, j] = t0
                RT[1, i, j] = t1
                RT[2, i, j] = t2
            usable = f1 == f1 or f2 == f2
            for d in range(D):
                ct = Ct[d, i, j] if inside else np.nan
                valid = ct == ct
                DC1[d, i, j] = ct - c1 if valid and c1 == c1 else zero
                DC2[d, i, j] = ct - c2 if valid and c2 == c2 else zero
                if MT is not None:
                    MT[d, i, j] = np.float32(1.0) if valid else zero
                gaps += 1 if usable and not valid else 0
    return gaps


class Stats:
    """Counters of the work done: ``geometries`` = similar-pixel searches (steps 1–4, once per tile and
    pair segment), ``dates`` = predicted tile-dates (steps 5–8)."""

    def __init__(self):
        self.geometries = 0
        self.dates = 0
        self.pixels = 0
        self.fallback = 0


def fuse_block(f1, c1, f2, c2, cts, s1, s2, opts, halo=None, stats=None):
    """ESTARFM for one tile and several prediction dates between the same pairs.

    f1, c1, f2, c2: pair blocks (core + ``halo`` px, halo ≥ w; ``f2``/``c2`` None → a single pair);
    cts: list of C(tp) blocks, one per date; s1, s2: thresholds 2σ/m (scalars or (rows, cols)).
    Steps 1–4 run once for all dates. Returns (D, rows, cols) float32, NaN where no pair covers a pixel.
    """
    f1 = np.asarray(f1, dtype="float64")
    c1, f2, c2 = (_as_block(a, f1) for a in (c1, f2, c2))
    w = opts.half
    h = w if halo is None else int(halo)
    if h < w:
        raise SMFusionError(f"ESTARFM: the tile halo ({h}) is smaller than the half window ({w})")
    rows, cols = f1.shape[0] - 2 * h, f1.shape[1] - 2 * h
    F1 = np.where(np.isfinite(c1), f1, np.nan)              # a pair is used where both images are valid
    F2 = np.where(np.isfinite(c2), f2, np.nan)
    core = (rows, cols)
    # C-contiguous and writable whether the thresholds were scalars or arrays: one kernel type, one compile
    S1, S2 = (np.require(np.broadcast_to(np.asarray(np.nan if s is None else s, dtype="float64"), core),
                         requirements="CW") for s in (s1, s2))
    D = len(cts)
    cts = [_as_block(ct, f1) for ct in cts]
    T1 = np.empty((D, rows, cols))
    FB = np.empty((D, rows, cols))
    u1, u2 = (~np.isnan(a[h:h + rows, h:h + cols]) for a in (F1, F2))
    pairs = (u1 & u2, u1 & ~u2, ~u1 & u2)
    for d, ct in enumerate(cts):
        _window_terms(F1, F2, c1, c2, ct, _modes(pairs, ~np.isnan(ct[h:h + rows, h:h + cols])), h, rows, cols, w,
                      opts.unbiased, T1[d], FB[d])
    ii = np.arange(-w, w + 1)
    DT = ((1.0 + np.sqrt(ii[:, None] ** 2 + ii[None, :] ** 2) / w) * 0.5).astype(np.float32)  # halves: _weight
    shape = (F1.shape[0], F1.shape[1] + LANES)          # the lanes of the last centres read past the block
    F, C = np.empty((2, *shape), np.float32), np.empty((2, *shape), np.float32)
    G = np.empty((2, *shape), np.float32) if opts.unbiased else None
    RT = None if opts.unbiased else np.empty((3, *shape), np.float32)
    DC1, DC2, MT = (np.empty((D, *shape), np.float32) for _ in range(3))
    gapfree = _planes(F1, F2, c1, c2, np.stack(cts), F, C, G, RT, DC1, DC2, MT) == 0
    vrange = None if opts.valid_min is None and opts.valid_max is None else np.array(
        [-np.inf if opts.valid_min is None else opts.valid_min, np.inf if opts.valid_max is None else opts.valid_max])
    out = np.empty((D, rows, cols), np.float32)
    NS = np.empty(rows * cols, np.int64)
    V = np.empty(rows * cols)
    _segment(F, C, G, RT, DT, DC1, DC2, None if gapfree else MT, S1, S2, T1, FB, h, rows, cols, w,
             _f_critical(2 * opts.window ** 2 + 2) if opts.conversion == "regression" else None,
             vrange, True if D > 1 else None, out, NS, V)
    if stats is not None:
        stats.geometries += 1
        stats.dates += D
        v1, v2 = (np.isfinite(a[h:h + rows, h:h + cols]) for a in (F1, F2))
        stats.pixels += int(v1.sum() + v2.sum())
        stats.fallback += int(((NS <= MIN_SIMILAR) & (v1 | v2).ravel()).sum())
    return out


def _whole_image_block(shape, halo):
    """A function turning a whole (..., rows, cols) image into a one-tile block (NaN halo), None → None."""
    tile = Tile(0, 0, shape[-2], shape[-1], halo, tuple(shape[-2:]))
    return lambda a: None if a is None else tile.extract(np.asarray(a, dtype="float64"))


def estarfm(f1, c1, f2, c2, c0, opts=None):
    """One ESTARFM prediction from whole in-memory images (all (rows, cols), NaN = nodata, C on the
    fine grid): the (rows, cols) float32 fine image at the date of ``c0``. ``f2``/``c2`` None → a single
    pair. Not tiled: for big images use :mod:`.fusion`, which tiles and streams from files."""
    opts = opts or Options()
    f1 = np.asarray(f1, dtype="float64")
    block = _whole_image_block(f1.shape, opts.half)
    s1 = Sigma.of(f1, c1, opts.sigma_block, opts.classes).threshold(0, 0, *f1.shape)
    s2 = None if f2 is None else Sigma.of(f2, c2, opts.sigma_block, opts.classes).threshold(0, 0, *f1.shape)
    return fuse_block(block(f1), block(c1), block(f2), block(c2), [block(c0)], s1, s2, opts)[0]


# ---------------------------------------------------------------------------------------------- several bands

@kernel(parallel=True)
def _multiband(F1, F2, C1, C2, Ct, S1, S2, h, rows, cols, w, regression, unbiased, fcrit, vmin, vmax, out):
    """ESTARFM with B ≥ 2 bands (reflectance stacks), one date. Arrays (B, H, W) float64 (F NaN where its
    pair is unusable), S* (B, rows, cols); out (B, rows, cols). Similar pixels are similar in every band;
    R is the correlation of the fine and coarse spectral vectors (bands × base dates); V, T and the
    fallback are per band."""
    B = F1.shape[0]
    L = 2 * w + 1
    revise = vmin > -np.inf or vmax < np.inf
    for rr in prange(rows):
        buf = np.empty(L * L, np.int64)
        inv = np.empty(L * L)
        sh = np.zeros((2, B))
        r = rr + h
        for cc in range(cols):
            c = cc + h
            for b in range(B):
                out[b, rr, cc] = np.nan
            u1 = True
            u2 = True
            okt = True
            for b in range(B):
                u1 = u1 and F1[b, r, c] == F1[b, r, c]
                u2 = u2 and F2[b, r, c] == F2[b, r, c]
                okt = okt and Ct[b, r, c] == Ct[b, r, c]
            if not (u1 or u2) or not okt:
                continue
            used = int(u1) + int(u2)
            # similar pixels (every band, every base date used)
            n = 0
            for i in range(r - w, r + w + 1):
                for j in range(c - w, c + w + 1):
                    ok = True
                    for b in range(B):
                        if u1 and not abs(F1[b, i, j] - F1[b, r, c]) < S1[b, rr, cc]:
                            ok = False
                        if u2 and not abs(F2[b, i, j] - F2[b, r, c]) < S2[b, rr, cc]:
                            ok = False
                    if ok:
                        buf[n] = i * F1.shape[2] + j
                        n += 1
            for b in range(B):
                # window means over the pixels valid in every band of the pairs used and of C(tp)
                cnt = 0.0
                md1 = 0.0
                md2 = 0.0
                f1m = 0.0
                f2m = 0.0
                c1m = 0.0
                c2m = 0.0
                for i in range(r - w, r + w + 1):
                    for j in range(c - w, c + w + 1):
                        good = True
                        for q in range(B):
                            if u1 and not F1[q, i, j] == F1[q, i, j]:
                                good = False
                            if u2 and not F2[q, i, j] == F2[q, i, j]:
                                good = False
                            if not Ct[q, i, j] == Ct[q, i, j]:
                                good = False
                        if good:
                            cnt += 1.0
                            if u1:
                                md1 += Ct[b, i, j] - C1[b, i, j]
                                f1m += F1[b, i, j]
                                c1m += C1[b, i, j]
                            if u2:
                                md2 += Ct[b, i, j] - C2[b, i, j]
                                f2m += F2[b, i, j]
                                c2m += C2[b, i, j]
                md1 /= cnt
                md2 /= cnt
                if u1 and u2:
                    t1 = 1.0 / (abs(md1) + 1e-10)
                    t2 = 1.0 / (abs(md2) + 1e-10)
                    t1, t2 = t1 / (t1 + t2), t2 / (t1 + t2)
                else:
                    t1, t2 = (1.0, 0.0) if u1 else (0.0, 1.0)
                sh[0, b] = t1
                sh[1, b] = t2
                if n <= MIN_SIMILAR:
                    res = 0.0
                    if u1:
                        res += t1 * (F1[b, r, c] + md1 + ((c1m - f1m) / cnt if unbiased else 0.0))
                    if u2:
                        res += t2 * (F2[b, r, c] + md2 + ((c2m - f2m) / cnt if unbiased else 0.0))
                    out[b, rr, cc] = res
            if n <= MIN_SIMILAR:
                continue
            nc = F1.shape[2]
            # ubESTARFM shifts per band and base date
            b1 = np.zeros(B)
            b2 = np.zeros(B)
            if unbiased:
                for b in range(B):
                    sf1 = 0.0
                    sc1 = 0.0
                    sf2 = 0.0
                    sc2 = 0.0
                    for q in range(n):
                        i = buf[q] // nc
                        j = buf[q] % nc
                        if u1:
                            sf1 += F1[b, i, j]
                            sc1 += C1[b, i, j]
                        if u2:
                            sf2 += F2[b, i, j]
                            sc2 += C2[b, i, j]
                    b1[b] = (sc1 - sf1) / n if u1 else 0.0
                    b2[b] = (sc2 - sf2) / n if u2 else 0.0
            # spectral correlation and weights
            tot = 0.0
            m = B * used
            for q in range(n):
                i = buf[q] // nc
                j = buf[q] % nc
                sx = 0.0
                sy = 0.0
                for b in range(B):
                    if u1:
                        sx += F1[b, i, j] + b1[b]
                        sy += C1[b, i, j]
                    if u2:
                        sx += F2[b, i, j] + b2[b]
                        sy += C2[b, i, j]
                mx = sx / m
                my = sy / m
                sxx = 0.0
                syy = 0.0
                sxy = 0.0
                for b in range(B):
                    if u1:
                        dx = F1[b, i, j] + b1[b] - mx
                        dy = C1[b, i, j] - my
                        sxx += dx * dx
                        syy += dy * dy
                        sxy += dx * dy
                    if u2:
                        dx = F2[b, i, j] + b2[b] - mx
                        dy = C2[b, i, j] - my
                        sxx += dx * dx
                        syy += dy * dy
                        sxy += dx * dy
                R = sxy / math.sqrt(sxx * syy)
                if not (R >= -1.0 and R <= 1.0):
                    R = 0.5
                dist = 1.0 + math.sqrt((i - r) ** 2 + (j - c) ** 2) / w
                inv[q] = 1.0 / ((1.0 - R) * dist + 1e-7)
                tot += inv[q]
            for b in range(B):
                v = 1.0
                if regression:
                    xm = 0.0
                    ym = 0.0
                    for q in range(n):
                        i = buf[q] // nc
                        j = buf[q] % nc
                        if u1:
                            xm += C1[b, i, j]
                            ym += F1[b, i, j] + b1[b]
                        if u2:
                            xm += C2[b, i, j]
                            ym += F2[b, i, j] + b2[b]
                    npts = n * used
                    xm /= npts
                    ym /= npts
                    sxx = 0.0
                    sxy = 0.0
                    syy = 0.0
                    for q in range(n):
                        i = buf[q] // nc
                        j = buf[q] % nc
                        if u1:
                            x = C1[b, i, j] - xm
                            y = F1[b, i, j] + b1[b] - ym
                            sxx += x * x
                            sxy += x * y
                            syy += y * y
                        if u2:
                            x = C2[b, i, j] - xm
                            y = F2[b, i, j] + b2[b] - ym
                            sxx += x * x
                            sxy += x * y
                            syy += y * y
                    if sxx > 0.0:
                        slope = sxy / sxx
                        sse = syy - slope * sxy
                        significant = True if sse <= 0.0 else (slope * sxy) / (sse / (npts - 2)) >= fcrit[npts - 2]
                        if significant and slope > 0.0 and slope <= MAX_CONVERSION:
                            v = slope
                s = 0.0
                d1 = 0.0
                d2 = 0.0
                g1 = 0.0
                g2 = 0.0
                for q in range(n):
                    i = buf[q] // nc
                    j = buf[q] % nc
                    x = Ct[b, i, j]
                    if x == x:
                        wq = inv[q] / tot
                        s += wq
                        if u1:
                            d1 += wq * (x - C1[b, i, j])
                            g1 += wq * (F1[b, i, j] + b1[b])
                        if u2:
                            d2 += wq * (x - C2[b, i, j])
                            g2 += wq * (F2[b, i, j] + b2[b])
                t1 = sh[0, b]
                t2 = sh[1, b]
                res = 0.0
                if u1:
                    res += t1 * (F1[b, r, c] + b1[b] + v * d1 / s)
                if u2:
                    res += t2 * (F2[b, r, c] + b2[b] + v * d2 / s)
                if revise and (res < vmin or res > vmax):
                    res = 0.0
                    if u1:
                        res += t1 * g1 / s
                    if u2:
                        res += t2 * g2 / s
                out[b, rr, cc] = res


def fuse_block_multiband(f1, c1, f2, c2, ct, s1, s2, opts, halo=None):
    """ESTARFM for a stack of B ≥ 2 bands and one date: blocks (B, H, W) with a halo ≥ w, thresholds
    (B, rows, cols) (``f2``/``c2``/``s2`` None → one pair). Returns (B, rows, cols) float32."""
    f1 = np.asarray(f1, dtype="float64")
    if f1.ndim != 3 or f1.shape[0] < 2:
        raise SMFusionError("ESTARFM with several bands needs (bands ≥ 2, rows, cols) blocks")
    c1, f2, c2, ct = (_as_block(a, f1) for a in (c1, f2, c2, ct))
    w = opts.half
    h = w if halo is None else int(halo)
    rows, cols = f1.shape[1] - 2 * h, f1.shape[2] - 2 * h
    F1 = np.where(np.isfinite(c1), f1, np.nan)
    F2 = np.where(np.isfinite(c2), f2, np.nan)
    shape = (f1.shape[0], rows, cols)
    S1 = np.ascontiguousarray(np.broadcast_to(np.asarray(np.nan if s1 is None else s1, dtype="float64"), shape))
    S2 = np.ascontiguousarray(np.broadcast_to(np.asarray(np.nan if s2 is None else s2, dtype="float64"), shape))
    vmin = -np.inf if opts.valid_min is None else float(opts.valid_min)
    vmax = np.inf if opts.valid_max is None else float(opts.valid_max)
    out = np.empty(shape, np.float32)
    _multiband(F1, F2, c1, c2, ct, S1, S2, h, rows, cols, w, opts.conversion == "regression", opts.unbiased,
               _f_critical(2 * f1.shape[0] * opts.window ** 2 + 2), vmin, vmax, out)
    return out


def estarfm_multiband(f1, c1, f2, c2, c0, opts=None):
    """:func:`estarfm` for (B ≥ 2, rows, cols) stacks: similar in every band, R = spectral correlation."""
    opts = opts or Options()
    f1 = np.asarray(f1, dtype="float64")
    block = _whole_image_block(f1.shape, opts.half)

    def thresholds(f, c):
        return None if f is None else np.stack([Sigma.of(f[b], c[b], opts.sigma_block, opts.classes)
                                                .threshold(0, 0, *f.shape[1:]) for b in range(f.shape[0])])

    return fuse_block_multiband(block(f1), block(c1), block(f2), block(c2), block(c0), thresholds(f1, c1),
                                thresholds(f2, c2), opts)
