"""ESTARFM's settings: :class:`Options` and the choice lists of the fusion tools, in a module without numba
(the Processing provider reads the lists when QGIS starts; core/estarfm.py holds the compiled kernels)."""

import math
from dataclasses import dataclass

from .errors import SMFusionError

METHODS = ("estarfm", "ubestarfm")
CONVERSIONS = ("one", "regression")
MODES = ("all", "fill")                         # series: every date, or only the gaps (core/fusion.py)
RESAMPLINGS = ("bilinear", "nearest", "cubic", "average")       # of the coarse images onto the fine grid
MIN_SIMILAR = 5            # ≤ this many similar pixels → the fallback of step 8
MAX_CONVERSION = 5.0       # a regression coefficient V is kept where 0 < V ≤ this (Zhu's reference code)
TILE_BUDGET = 256 * 2 ** 20  # bytes of the blocks of one tile (all its dates and bands)
TILE_BYTES = 64             # bytes per block pixel, date and band: C(tp) and its differences, masks, padding
MAX_TILE = 1024             # px: past this, larger tiles save no halo worth the memory


@dataclass(frozen=True)
class Options:
    """ESTARFM settings. ``window`` = 2w + 1 px (odd, ≥ 3); ``classes`` = m; ``sigma_block`` in px
    (0 = whole image); ``valid_min``/``valid_max``: the out-of-range revision (None = off)."""

    window: int = 25
    classes: int = 4
    sigma_block: int = 0
    conversion: str = "one"           # "one" beat "regression" on every demo variable (see README)
    method: str = "estarfm"
    valid_min: float = None
    valid_max: float = None

    def __post_init__(self):
        if int(self.window) != self.window or self.window < 3 or self.window % 2 == 0:
            raise SMFusionError(f"WINDOW must be an odd number of pixels ≥ 3 (got {self.window})")
        if self.classes < 1:
            raise SMFusionError(f"CLASSES must be ≥ 1 (got {self.classes})")
        if self.sigma_block < 0:
            raise SMFusionError(f"SIGMA_BLOCK must be ≥ 0 (got {self.sigma_block})")
        if self.conversion not in CONVERSIONS:
            raise SMFusionError(f"CONVERSION must be one of {', '.join(CONVERSIONS)} (got {self.conversion!r})")
        if self.method not in METHODS:
            raise SMFusionError(f"METHOD must be one of {', '.join(METHODS)} (got {self.method!r})")
        if (self.valid_min is not None and self.valid_max is not None
                and not self.valid_min < self.valid_max):
            raise SMFusionError(f"VALID_MIN ({self.valid_min}) must be below VALID_MAX ({self.valid_max})")

    @property
    def half(self):
        """w, the half window."""
        return self.window // 2

    @property
    def unbiased(self):
        return self.method == "ubestarfm"

    def tile_size(self, dates=1, bands=1):
        """Core size (px) of the tiles whose blocks of ``dates`` × ``bands`` fit :data:`TILE_BUDGET`."""
        side = math.sqrt(TILE_BUDGET / (TILE_BYTES * max(1, dates) * max(1, bands))) - 2 * self.half
        return int(max(64, min(MAX_TILE, side)))
