"""smfusion:export — a series folder → one CF-1.8 NetCDF cube (time, y, x)."""

from qgis.core import QgsProcessingParameterDateTime, QgsProcessingParameterFileDestination

from ..plugin import compat
from .base import SMFusionAlgorithm, callbacks, date_parameter, folder_parameter


class ExportAlgorithm(SMFusionAlgorithm):
    NAME = "export"
    SHORT = "Writes a series folder as one CF-1.8 NetCDF cube, as GLEAM and ESA CCI deliver soil moisture."
    TAGS = ("NetCDF", "CF", "cube", "xarray", "export", "GLEAM", "ESA CCI")
    DISPLAY_NAME = "Export a series as a NetCDF cube"
    GROUP = "Outputs"
    HELP = ("Writes the GeoTIFF series of a folder (<code>&lt;var&gt;_YYYYMMDD.tif</code>: calibrated, downscaled, "
            "p10/p90, fused drivers…) as one CF-1.8 NetCDF-4 file: the variable (time, y, x) in float32 with the "
            "GeoTIFFs' values, <code>time</code> in days since 1970-01-01, x/y (lon/lat on a geographic grid) at "
            "the pixel centres, the CRS as the grid mapping, units, long_name and, for soil moisture, the CF "
            "standard name and the layer's depths; missing values are -9999 (_FillValue); DEFLATE compression. "
            "It opens in QGIS (one band per date), in GDAL's multidimensional API and in xarray.")
    PARAM_HELP = {
        "INPUT": "Series folder (one GeoTIFF per date on one grid), e.g. the pipeline's calibrated/ssm.",
        "START": "Optional first date.",
        "END": "Optional last date.",
        "OUTPUT": "The NetCDF file (.nc). Nothing is written there unless the whole cube was.",
    }
    EXAMPLE = "qgis_process run smfusion:export -- INPUT=out/calibrated/ssm OUTPUT=out/ssm.nc"

    def define(self):
        self.addParameter(folder_parameter("INPUT", "Series folder"))
        for name, label in (("START", "Start date"), ("END", "End date")):
            self.addParameter(QgsProcessingParameterDateTime(name, label, compat.DATE, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "NetCDF file", "NetCDF (*.nc)"))

    def execute(self, parameters, context, feedback):
        from ..core.export import export_netcdf

        progress, is_cancelled = callbacks(feedback)
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        export_netcdf(self.parameterAsFile(parameters, "INPUT", context), output,
                      date_parameter(self, parameters, "START", context),
                      date_parameter(self, parameters, "END", context), progress, is_cancelled)
        return {"OUTPUT": output}
