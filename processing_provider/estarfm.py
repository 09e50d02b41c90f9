"""smfusion:estarfm — ESTARFM over whole series: a fine, gappy series + a coarse series → a daily fine series.

The ESTARFM settings (WINDOW … RESAMPLING) are shared with smfusion:estarfmdate through
:class:`EstarfmParameters`.
"""

from qgis.core import (
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.estarfm_options import CONVERSIONS, METHODS, MODES, RESAMPLINGS
from ..plugin import compat
from .base import (
    SCHEDULER_HELP,
    SMFusionAlgorithm,
    callbacks,
    date_parameter,
    folder_parameter,
    optional_number,
    scheduler_of,
    scheduler_parameter,
)

OPTION_HELP = {
    "WINDOW": "Moving window in fine pixels (odd, ≥ 3; the half window w = (WINDOW − 1)/2 is also the tile "
              "halo). Default 25 px (25 km at 1 km); Zhu et al. used 51 px for 30-m Landsat.",
    "CLASSES": "Number of land-cover classes m: a window pixel is similar to the target when it differs "
               "by less than 2σ/m at both base dates.",
    "SIGMA_BLOCK": "σ of the similarity threshold per square block of this many pixels (as the reference "
                   "codes do with their patches); 0 = over the whole image.",
    "CONVERSION": "Conversion coefficient V: <i>one</i> (V = 1, default: on the demo region it beat the "
                  "regression for NDVI, LST and albedo) or <i>regression</i> (Zhu: the slope of fine on "
                  "coarse over the similar pixels, kept where significant at 5 % and 0 < V ≤ 5).",
    "METHOD": "<i>estarfm</i> (Zhu et al. 2010) or <i>ubestarfm</i> (Yu et al.: removes a systematic "
              "fine–coarse bias, e.g. Landsat vs MODIS LST, before weighting).",
    "VALID_MIN": "Optional lower bound of valid values (e.g. 250 K for LST, −1 for NDVI): a prediction "
                 "outside (VALID_MIN, VALID_MAX) is replaced by the weighted mean of the similar pixels.",
    "VALID_MAX": "Optional upper bound of valid values (see VALID_MIN).",
    "RESAMPLING": "How the coarse images are resampled onto the fine grid when they lie on another grid.",
    "MAX_EMPTY": "Largest fraction (0–1) of the pixels that the fine images observe that may stay empty. A "
                 "coarse series that leaves more of the fine grid without a value (another region, say) stops "
                 "the tool before any compute; a fused output emptier than this is refused (one date) or "
                 "reported (series).",
}


class EstarfmParameters:
    """The ESTARFM settings as Processing parameters, and their conversion to core Options."""

    ADVANCED = ("WINDOW", "CLASSES", "SIGMA_BLOCK", "CONVERSION", "METHOD", "VALID_MIN",
                "VALID_MAX", "RESAMPLING", "MAX_EMPTY")

    def define_options(self):
        integer, double = compat.INTEGER, compat.DOUBLE
        self.addParameter(QgsProcessingParameterNumber("WINDOW", "Window size (px, odd)", integer, 25,
                                                       minValue=3, maxValue=401))
        self.addParameter(QgsProcessingParameterNumber("CLASSES", "Number of classes", integer, 4,
                                                       minValue=1, maxValue=100))
        self.addParameter(QgsProcessingParameterNumber("SIGMA_BLOCK", "σ block size (px, 0 = whole image)",
                                                       integer, 0, minValue=0))
        self.addParameter(QgsProcessingParameterEnum("CONVERSION", "Conversion coefficient", CONVERSIONS,
                                                     defaultValue="one", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterEnum("METHOD", "Method", METHODS, defaultValue="estarfm",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber("VALID_MIN", "Lowest valid value", double,
                                                       optional=True))
        self.addParameter(QgsProcessingParameterNumber("VALID_MAX", "Highest valid value", double,
                                                       optional=True))
        self.addParameter(QgsProcessingParameterEnum("RESAMPLING", "Coarse resampling", RESAMPLINGS,
                                                     defaultValue="bilinear", usesStaticStrings=True))
        from ..core.series import MAX_EMPTY
        empty = QgsProcessingParameterNumber("MAX_EMPTY", "Largest empty fraction of the output", double, MAX_EMPTY,
                                             minValue=0.0, maxValue=1.0)
        self.addParameter(empty)

    def options(self, parameters, context):
        from ..core.estarfm import Options

        return Options(window=self.parameterAsInt(parameters, "WINDOW", context),
                       classes=self.parameterAsInt(parameters, "CLASSES", context),
                       sigma_block=self.parameterAsInt(parameters, "SIGMA_BLOCK", context),
                       conversion=self.parameterAsEnumString(parameters, "CONVERSION", context),
                       method=self.parameterAsEnumString(parameters, "METHOD", context),
                       valid_min=optional_number(self, parameters, "VALID_MIN", context),
                       valid_max=optional_number(self, parameters, "VALID_MAX", context))


class EstarfmAlgorithm(EstarfmParameters, SMFusionAlgorithm):
    NAME = "estarfm"
    ADVANCED = (*EstarfmParameters.ADVANCED, "MIN_PAIR_VALID", "SCHEDULER")
    SHORT = "Fuses a fine, gappy series with a coarse, gap-free one into a daily gap-free fine series (ESTARFM)."
    TAGS = ("ESTARFM", "fusion", "gap filling", "MODIS", "GLASS", "NDVI", "LST", "albedo", "time series")
    DISPLAY_NAME = "ESTARFM fusion (time series)"
    GROUP = "Fusion"
    HELP = ("Fuses a fine but gappy series (e.g. MODIS 1-km NDVI with clouds) with a coarse, gap-free "
            "series (e.g. GLASS 0.05° NDVI) into a <b>daily, gap-free fine series</b> with ESTARFM (Zhu et "
            "al. 2010, Remote Sensing of Environment 114:2610) or ubESTARFM. Pairs (dates with both images "
            "and at least MIN_PAIR_VALID of the fine pixels valid) are chosen automatically; each date is "
            "predicted from the nearest pair before and after it (one pair before the first and after "
            "the last pair, or where a pixel is missing in one pair). The similar-pixel search runs once "
            "per pair segment and is reused by every date in it. Pixels no pair covers stay NoData, and "
            "the log says how many. Output: one float32 GeoTIFF per date, "
            "<code>&lt;VARIABLE&gt;_YYYYMMDD.tif</code>, on the fine grid.")
    PARAM_HELP = {
        "FINE": "Series folder of the fine images (one GeoTIFF per date, date in the file name, NoData "
                "where cloudy). All must lie on one grid, which is the output grid.",
        "COARSE": "Series folder of the coarse images (any grid and CRS: resampled onto the fine grid).",
        "MODE": "<i>all</i>: predict every coarse date in START…END (the fine observation is kept on pair "
                "dates); <i>fill</i>: keep every valid fine observation and predict only the gaps.",
        "START": "First date to predict (default: the first coarse date).",
        "END": "Last date to predict (default: the last coarse date).",
        "MIN_PAIR_VALID": "Least fraction of valid fine pixels (of those ever observed) for a date to serve "
                          "as a pair.",
        **OPTION_HELP,
        "VARIABLE": "Variable name of the output files (default: taken from the fine file names).",
        "SCHEDULER": SCHEDULER_HELP,
        "OUTPUT": "Output series folder.",
    }
    NEEDS = ("numba",)
    EXAMPLE = ("qgis_process run smfusion:estarfm -- FINE=demo/fine/ndvi COARSE=demo/coarse/ndvi "
               "MODE=all WINDOW=25 CLASSES=4 METHOD=estarfm CONVERSION=one OUTPUT=fused/ndvi")

    def define(self):
        self.addParameter(folder_parameter("FINE", "Fine series folder"))
        self.addParameter(folder_parameter("COARSE", "Coarse series folder"))
        self.addParameter(QgsProcessingParameterEnum("MODE", "Mode", MODES, defaultValue="all",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterDateTime("START", "Start date",
                                                         compat.DATE, optional=True))
        self.addParameter(QgsProcessingParameterDateTime("END", "End date",
                                                         compat.DATE, optional=True))
        self.addParameter(QgsProcessingParameterNumber("MIN_PAIR_VALID", "Least valid fraction of a pair",
                                                       compat.DOUBLE, 0.7,
                                                       minValue=0.01, maxValue=1.0))
        self.define_options()
        self.addParameter(QgsProcessingParameterString("VARIABLE", "Output variable name", optional=True))
        scheduler_parameter(self)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Fused series folder"))
        self.addOutput(QgsProcessingOutputNumber("FILES", "Files written"))
        self.addOutput(QgsProcessingOutputString("PAIRS", "Pair dates"))
        self.addOutput(QgsProcessingOutputFolder("OUTPUT_FOLDER", "Fused series folder"))
        self.addOutput(QgsProcessingOutputString("SERIES", "Fused series folder, as text (for model expressions)"))

    def execute(self, parameters, context, feedback):
        from ..core.fusion import fuse_series
        output = self.parameterAsString(parameters, "OUTPUT", context)
        progress, is_cancelled = callbacks(feedback)
        summary = fuse_series(
            self.parameterAsFile(parameters, "FINE", context),
            self.parameterAsFile(parameters, "COARSE", context),
            output, self.options(parameters, context),
            mode=self.parameterAsEnumString(parameters, "MODE", context),
            start=date_parameter(self, parameters, "START", context),
            end=date_parameter(self, parameters, "END", context),
            min_pair_valid=self.parameterAsDouble(parameters, "MIN_PAIR_VALID", context),
            resampling=self.parameterAsEnumString(parameters, "RESAMPLING", context),
            variable=self.parameterAsString(parameters, "VARIABLE", context) or None,
            progress=progress, is_cancelled=is_cancelled,
            max_empty=self.parameterAsDouble(parameters, "MAX_EMPTY", context),
            scheduler=scheduler_of(self, parameters, context))
        pairs = ",".join(f"{d:%Y-%m-%d}" for d in summary["pairs"])
        self.show_series(output, f"fused {summary['variable']}")
        return {"OUTPUT": output, "OUTPUT_FOLDER": output, "SERIES": output, "FILES": len(summary["paths"]),
                "PAIRS": pairs}
