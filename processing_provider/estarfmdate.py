"""smfusion:estarfmdate — the classic single ESTARFM prediction from five rasters."""

from qgis.core import QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer

from .base import SMFusionAlgorithm, callbacks
from .estarfm import OPTION_HELP, EstarfmParameters


class EstarfmDateAlgorithm(EstarfmParameters, SMFusionAlgorithm):
    NAME = "estarfmdate"
    SHORT = "Predicts one fine image from two fine–coarse pairs and the coarse image of the date (ESTARFM)."
    TAGS = ("ESTARFM", "fusion", "Landsat", "MODIS", "one date")
    DISPLAY_NAME = "ESTARFM fusion (one date)"
    GROUP = "Fusion"
    HELP = ("The classic ESTARFM prediction (Zhu et al. 2010) of one fine image at the date of COARSE0 "
            "from two fine/coarse pairs, for modeler chains and for comparison with other "
            "implementations. It gives the same values as smfusion:estarfm on that date. Pixels that are "
            "missing in one pair get the single-pair prediction from the other. Multi-band rasters (all five "
            "with the same B ≥ 2 bands, e.g. reflectance stacks) use the spectral correlation of the fine and "
            "coarse vectors as R, and give B bands.")
    PARAM_HELP = {
        "FINE1": "Fine image of the first base date t1 (its grid is the output grid).",
        "COARSE1": "Coarse image of t1 (any grid: resampled onto the fine grid).",
        "FINE2": "Fine image of the second base date t2 (same grid as FINE1).",
        "COARSE2": "Coarse image of t2.",
        "COARSE0": "Coarse image of the prediction date tp.",
        **OPTION_HELP,
        "OUTPUT": "The predicted fine image at tp (float32 GeoTIFF, NoData NaN).",
    }
    NEEDS = ("numba",)
    EXAMPLE = ("qgis_process run smfusion:estarfmdate -- FINE1=L_20160205.tif COARSE1=M_20160205.tif "
               "FINE2=L_20160308.tif COARSE2=M_20160308.tif COARSE0=M_20160218.tif WINDOW=51 CLASSES=2 "
               "SIGMA_BLOCK=200 VALID_MIN=250 VALID_MAX=350 OUTPUT=lst_20160218.tif")

    def define(self):
        for name, label in (("FINE1", "Fine image at t1"), ("COARSE1", "Coarse image at t1"),
                            ("FINE2", "Fine image at t2"), ("COARSE2", "Coarse image at t2"),
                            ("COARSE0", "Coarse image at the prediction date")):
            self.addParameter(QgsProcessingParameterRasterLayer(name, label))
        self.define_options()
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Predicted fine image"))

    def execute(self, parameters, context, feedback):
        from ..core.fusion import fuse_date
        paths = {}
        for name in ("FINE1", "COARSE1", "FINE2", "COARSE2", "COARSE0"):
            layer = self.parameterAsRasterLayer(parameters, name, context)
            if layer is None:
                from ..core.errors import SMFusionError
                raise SMFusionError(f"{name}: {parameters.get(name)!r} is not a readable raster")
            paths[name] = layer.source()
        output = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        progress, is_cancelled = callbacks(feedback)
        fuse_date(paths["FINE1"], paths["COARSE1"], paths["FINE2"], paths["COARSE2"], paths["COARSE0"], output,
                  self.options(parameters, context),
                  resampling=self.parameterAsEnumString(parameters, "RESAMPLING", context),
                  progress=progress, is_cancelled=is_cancelled,
                  max_empty=self.parameterAsDouble(parameters, "MAX_EMPTY", context))
        return {"OUTPUT": output}
