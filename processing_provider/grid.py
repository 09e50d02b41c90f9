"""smfusion:grid — a target grid (GeoTIFF template) from an extent, a CRS and a pixel size."""

from qgis.core import (
    QgsProcessingParameterCrs,
    QgsProcessingParameterExtent,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
)

from ..plugin import compat
from .base import SMFusionAlgorithm


class GridAlgorithm(SMFusionAlgorithm):
    NAME = "grid"
    SHORT = "Writes a GeoTIFF template that defines a target grid (extent, CRS, pixel size)."
    TAGS = ("grid", "1 km", "template", "extent")
    ADVANCED = ()
    DISPLAY_NAME = "Create a target grid"
    GROUP = "Inputs"
    HELP = ("Writes a GeoTIFF template (ones, uint8) that defines a grid: the EXTENT reprojected into CRS and "
            "snapped outward to multiples of PIXEL_SIZE. Use it as the TARGET of smfusion:harmonise, for example "
            "for the study area's 1-km grid (EPSG:5179, 1000 m), its 0.05° GLASS grid and its 0.25° GLEAM grid "
            "(EPSG:4326).")
    PARAM_HELP = {
        "EXTENT": "The area to cover (any CRS; it is reprojected).",
        "CRS": "The grid's coordinate reference system.",
        "PIXEL_SIZE": "Pixel size in the CRS's units (metres, or degrees for EPSG:4326).",
        "OUTPUT": "The template GeoTIFF.",
    }
    EXAMPLE = ('qgis_process run smfusion:grid -- "EXTENT=126.0,128.5,36.0,38.0 [EPSG:4326]" CRS=EPSG:5179 '
               "PIXEL_SIZE=1000 OUTPUT=grids/fine_1km.tif")

    def define(self):
        self.addParameter(QgsProcessingParameterExtent("EXTENT", "Extent"))
        self.addParameter(QgsProcessingParameterCrs("CRS", "CRS", "EPSG:4326"))
        self.addParameter(QgsProcessingParameterNumber("PIXEL_SIZE", "Pixel size (CRS units)",
                                                       compat.DOUBLE, 1000.0, minValue=1e-9))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Grid template"))

    def execute(self, parameters, context, feedback):
        from ..core.harmonise import make_grid

        crs = self.parameterAsCrs(parameters, "CRS", context)
        rect = self.parameterAsExtent(parameters, "EXTENT", context, crs)
        output = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        grid = make_grid(output, crs.toWkt(), (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()),
                         self.parameterAsDouble(parameters, "PIXEL_SIZE", context))
        feedback.pushInfo(f"Grid {grid.describe()} written to {output}")
        return {"OUTPUT": output}
