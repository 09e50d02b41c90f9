"""smfusion:harmonise — product files (MODIS, GLASS, GLEAM, GLDAS, generic) → a series on a target grid."""

from qgis.core import (
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..core.harmonise import RESAMPLINGS
from ..core.products import PRODUCTS, QC_OPTIONS
from ..plugin import compat
from .base import SMFusionAlgorithm, callbacks, date_parameter, optional_number


class HarmoniseAlgorithm(SMFusionAlgorithm):
    NAME = "harmonise"
    SHORT = "Reads downloaded product files and writes a series of physical values on a target grid."
    TAGS = ("resample", "reproject", "MODIS", "GLASS", "GLEAM", "SMAP", "ESA CCI", "NetCDF", "HDF")
    ADVANCED = ("SCALE", "OFFSET")
    DISPLAY_NAME = "Harmonise products onto a grid"
    GROUP = "Inputs"
    HELP = ("Reads product files as they are downloaded, in physical units with fill values and bad-quality pixels "
            "as NoData, and writes a <b>series</b> (<code>&lt;VARIABLE&gt;_YYYYMMDD.tif</code>) on the TARGET "
            "grid. Products: MOD11A1/MYD11A1 LST (K), MOD13A2 NDVI/EVI, MCD43A3 albedo, MOD15A2H LAI/FPAR, GLASS "
            "(scale, offset and fill from each field), GLEAM v3/v4 (read by dimension name, one file per day), "
            "GLDAS Noah (kg/m² → m³/m³; rzsm = thickness-weighted 10–100 cm; 3-hourly → daily mean), and "
            "generic GeoTIFF/NetCDF. MODIS tiles of one date are mosaicked; composites keep the first day of "
            "their period. Values that contradict the units after scaling stop the run.")
    PARAM_HELP = {
        "INPUT": "Product files or folders (searched with their sub-folders), separated by ;.",
        "PRODUCT": "The product, or <i>auto</i> (detected from the file names and NetCDF variables; the log "
                   "says what was detected).",
        "VARIABLE": "The variable: lst_day/lst_night (MOD11A1), ndvi/evi (MOD13A2), albedo_wsa/albedo_bsa "
                    "(MCD43A3), lai/fapar (MOD15A2H, GLASS), ssm/rzsm (GLEAM, GLDAS), or a NetCDF variable name "
                    "(generic). Default: the product's first.",
        "QC": "Quality: <i>good</i>, <i>good+other</i> (default), or <i>any</i> (only fill values removed).",
        "TARGET": "A raster whose grid the series takes (e.g. a smfusion:grid template or a fine image).",
        "TARGET_EXTENT": "Instead of TARGET: the extent of the target grid (with TARGET_CRS and PIXEL_SIZE).",
        "TARGET_CRS": "The CRS of the target grid given by extent.",
        "PIXEL_SIZE": "The pixel size of the target grid given by extent, in TARGET_CRS units.",
        "RESAMPLING": "<i>auto</i>: average when the target is coarser than the source, bilinear when finer, "
                      "nearest for classes.",
        "SCALE": "Generic product only: multiply the values by this (default: the file's scale).",
        "OFFSET": "Generic product only: then add this (default: the file's offset).",
        "START": "Optional first date.",
        "END": "Optional last date.",
        "OUTPUT": "Output series folder.",
    }
    EXAMPLE = ("qgis_process run smfusion:harmonise -- INPUT=downloads/MOD11A1 PRODUCT=auto VARIABLE=lst_day "
               "QC=good TARGET=grids/fine_1km.tif OUTPUT=series/lst_day")

    def define(self):
        self.addParameter(QgsProcessingParameterString("INPUT", "Product files or folder (paths separated by ;)"))
        self.addParameter(QgsProcessingParameterEnum("PRODUCT", "Product", PRODUCTS, defaultValue="auto",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterString("VARIABLE", "Variable", optional=True))
        self.addParameter(QgsProcessingParameterEnum("QC", "Quality", QC_OPTIONS, defaultValue="good+other",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterRasterLayer("TARGET", "Target grid", optional=True))
        self.addParameter(QgsProcessingParameterExtent("TARGET_EXTENT", "Or: target extent", optional=True))
        self.addParameter(QgsProcessingParameterCrs("TARGET_CRS", "Target CRS", optional=True))
        self.addParameter(QgsProcessingParameterNumber("PIXEL_SIZE", "Target pixel size (CRS units)",
                                                       compat.DOUBLE, optional=True,
                                                       minValue=1e-9))
        self.addParameter(QgsProcessingParameterEnum("RESAMPLING", "Resampling", RESAMPLINGS, defaultValue="auto",
                                                     usesStaticStrings=True))
        double = compat.DOUBLE
        self.addParameter(QgsProcessingParameterNumber("SCALE", "Scale (generic)", double, optional=True))
        self.addParameter(QgsProcessingParameterNumber("OFFSET", "Offset (generic)", double, optional=True))
        for name, label in (("START", "Start date"), ("END", "End date")):
            self.addParameter(QgsProcessingParameterDateTime(name, label, compat.DATE,
                                                             optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Series folder"))
        self.addOutput(QgsProcessingOutputFolder("OUTPUT_FOLDER", "Series folder"))
        self.addOutput(QgsProcessingOutputString("SERIES", "Series folder, as text (for model expressions)"))
        self.addOutput(QgsProcessingOutputNumber("FILES", "Files written"))
        self.addOutput(QgsProcessingOutputString("PRODUCT_DETECTED", "Product"))

    def execute(self, parameters, context, feedback):
        from ..core.errors import SMFusionError
        from ..core.harmonise import harmonise
        from ..core.raster import Grid

        if parameters.get("TARGET") not in (None, ""):
            layer = self.parameterAsRasterLayer(parameters, "TARGET", context)
            if layer is None:
                raise SMFusionError(f"TARGET: {parameters.get('TARGET')!r} is not a readable raster")
            target = Grid.of(layer.source())
        else:
            crs = self.parameterAsCrs(parameters, "TARGET_CRS", context)
            size = parameters.get("PIXEL_SIZE")
            if parameters.get("TARGET_EXTENT") in (None, "") or not crs.isValid() or size in (None, ""):
                raise SMFusionError("Give TARGET, or TARGET_EXTENT with TARGET_CRS and PIXEL_SIZE")
            rect = self.parameterAsExtent(parameters, "TARGET_EXTENT", context, crs)
            target = Grid.from_bounds(crs.toWkt(), rect.xMinimum(), rect.yMinimum(), rect.xMaximum(),
                                      rect.yMaximum(), self.parameterAsDouble(parameters, "PIXEL_SIZE", context))

        output = self.parameterAsString(parameters, "OUTPUT", context)
        progress, is_cancelled = callbacks(feedback)
        inputs = [p.strip() for p in self.parameterAsString(parameters, "INPUT", context).split(";") if p.strip()]
        summary = harmonise(inputs, output, target,
                            self.parameterAsEnumString(parameters, "PRODUCT", context),
                            self.parameterAsString(parameters, "VARIABLE", context) or None,
                            self.parameterAsEnumString(parameters, "QC", context),
                            self.parameterAsEnumString(parameters, "RESAMPLING", context),
                            date_parameter(self, parameters, "START", context),
                            date_parameter(self, parameters, "END", context),
                            optional_number(self, parameters, "SCALE", context),
                            optional_number(self, parameters, "OFFSET", context),
                            progress, is_cancelled)
        self.show_series(output, f"harmonised {summary['variable']}")
        return {"OUTPUT": output, "OUTPUT_FOLDER": output, "SERIES": output, "FILES": len(summary["paths"]),
                "PRODUCT_DETECTED": summary["product"]}
