"""QGIS names that differ between the versions SM Fusion runs on (3.22 to 4.x): the one place that knows.

QGIS 3.36 moved many enums into ``Qgis`` (``Qgis.ProcessingNumberParameterType.Double`` for
``QgsProcessingParameterNumber.Type.Double``…); QGIS 4 drops the old names. Each constant here is the
newest name the running QGIS has. Everywhere else the code uses scoped enums that every version has
(``Qt.AlignmentFlag.AlignRight``, ``Qgis.MessageLevel.Warning``), and tests/test_compat.py checks that.
"""

from qgis import core


def _first(*paths):
    """The value of the first dotted name under ``qgis.core`` that exists."""
    for path in paths:
        obj = core
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    raise AttributeError(f"none of {paths} exists in this QGIS ({core.Qgis.QGIS_VERSION})")


def _optional(path):
    """The value of a dotted name under ``qgis.core``, or None where this QGIS does not have it."""
    try:
        return _first(path)
    except AttributeError:
        return None


INTEGER = _first("Qgis.ProcessingNumberParameterType.Integer", "QgsProcessingParameterNumber.Type.Integer")
DOUBLE = _first("Qgis.ProcessingNumberParameterType.Double", "QgsProcessingParameterNumber.Type.Double")
DATE = _first("Qgis.ProcessingDateTimeParameterDataType.Date", "QgsProcessingParameterDateTime.Type.Date")
FOLDER = _first("Qgis.ProcessingFileParameterBehavior.Folder", "QgsProcessingParameterFile.Behavior.Folder")
FLAG_OPTIONAL = _first("Qgis.ProcessingParameterFlag.Optional", "QgsProcessingParameterDefinition.Flag.FlagOptional")
FLAG_ADVANCED = _first("Qgis.ProcessingParameterFlag.Advanced", "QgsProcessingParameterDefinition.Flag.FlagAdvanced")
STAT_MIN = _first("Qgis.RasterBandStatistic.Min", "QgsRasterBandStats.Stats.Min")
STAT_MAX = _first("Qgis.RasterBandStatistic.Max", "QgsRasterBandStats.Stats.Max")
TEMPORAL_DAYS = _first("Qgis.TemporalUnit.Days", "QgsUnitTypes.TemporalUnit.TemporalDays")
# QGIS ≥ 3.38: each band of a raster layer can have its own time range (the Temporal Controller steps through the
# bands of one layer); None before, where a series is a group of dated layers
TEMPORAL_ANIMATED = _first("Qgis.TemporalNavigationMode.Animated",
                           "QgsTemporalNavigationObject.NavigationMode.Animated")
FIXED_RANGE_PER_BAND = _optional("Qgis.RasterTemporalMode.FixedRangePerBand")
RAMP_LINEAR = _first("Qgis.ShaderInterpolationMethod.Linear", "QgsColorRampShader.Type.Interpolated")
