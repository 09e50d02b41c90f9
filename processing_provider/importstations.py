"""smfusion:importstations — ISMN archive/folder or CSV → station GeoPackage (daily two-layer means)."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..plugin import compat
from .base import SMFusionAlgorithm, callbacks, date_parameter


class ImportStationsAlgorithm(SMFusionAlgorithm):
    NAME = "importstations"
    SHORT = "Reads ground stations (an ISMN download or a CSV) into the station GeoPackage."
    TAGS = ("ISMN", "stations", "in situ", "ground truth", "CSV")
    ADVANCED = ("FLAGS", "MIN_HOURS")
    DISPLAY_NAME = "Import stations (ISMN or CSV)"
    GROUP = "Stations"
    HELP = ("Reads ground soil-moisture stations from an <b>ISMN</b> download (the zip, or its unpacked folder; "
            "both the \"header+values\" and the CEOP \"separate files\" formats, any line ends) or from a "
            "<b>CSV</b>, and writes the station GeoPackage that the evaluation and calibration tools use: a "
            "point layer <i>stations</i> and a table <i>observations</i> with daily means of the surface "
            "(0–10 cm, <i>ssm</i>) and root-zone (10–100 cm, <i>rzsm</i>) layers in m³/m³. Hourly values "
            "flagged outside FLAGS or outside [0, 1] are dropped; a day needs MIN_HOURS valid hours. "
            "Sensors at the same depth are averaged; each layer is the thickness-weighted mean of the sensors "
            "that overlap it (a sensor at one depth covers the interval halfway to its neighbours, clipped to "
            "the layer). The layer records which depths fed each layer, their weights, and the ISMN static "
            "variables (clay, sand, saturation, land cover). Station ids are the ISMN station names (the "
            "network is prefixed where two networks share a name).")
    PARAM_HELP = {
        "INPUT": "An ISMN zip, one .stm file, or a CSV: daily <code>station_id,lon,lat,date,ssm[,rzsm]</code> "
                 "or hourly <code>station_id,lon,lat,time,depth_from,depth_to,sm</code> (depths in m). Give "
                 "INPUT or FOLDER.",
        "FOLDER": "An unpacked ISMN download (the folder of network folders), instead of INPUT.",
        "EXTENT": "Optional: keep only the stations inside this extent.",
        "START": "Optional first date to keep.",
        "END": "Optional last date to keep.",
        "FLAGS": "ISMN quality flags to accept, comma-separated (default G,U: good, and unchecked, which older "
                 "archives give to nearly every value). C (out of range), D (dubious) and M (missing) are "
                 "rejected unless listed.",
        "MIN_HOURS": "Least number of valid hourly values for a daily mean.",
        "OUTPUT": "The station GeoPackage to write.",
    }
    EXAMPLE = ("qgis_process run smfusion:importstations -- INPUT=Data_header_values_multinetwork.zip "
               "FLAGS=G,U MIN_HOURS=12 START=2010-01-01 END=2012-12-31 OUTPUT=stations.gpkg")

    def define(self):
        self.addParameter(QgsProcessingParameterFile(
            "INPUT", "ISMN archive or CSV", fileFilter="ISMN zip (*.zip);;CSV (*.csv);;ISMN file (*.stm)",
            optional=True))
        self.addParameter(QgsProcessingParameterFile("FOLDER", "Unpacked ISMN folder", compat.FOLDER, optional=True))
        self.addParameter(QgsProcessingParameterExtent("EXTENT", "Keep stations inside", optional=True))
        self.addParameter(QgsProcessingParameterDateTime("START", "Start date", compat.DATE,
                                                         optional=True))
        self.addParameter(QgsProcessingParameterDateTime("END", "End date", compat.DATE,
                                                         optional=True))
        self.addParameter(QgsProcessingParameterString("FLAGS", "Accepted ISMN flags", "G,U"))
        self.addParameter(QgsProcessingParameterNumber("MIN_HOURS", "Least valid hours per day",
                                                       compat.INTEGER, 12, minValue=1,
                                                       maxValue=24))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Station GeoPackage",
                                                                "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputVectorLayer("STATIONS_LAYER", "Stations"))
        self.addOutput(QgsProcessingOutputNumber("STATIONS", "Stations written"))
        self.addOutput(QgsProcessingOutputNumber("OBSERVATIONS", "Daily layer values written"))

    def execute(self, parameters, context, feedback):
        import numpy as np

        from ..core.errors import SMFusionError
        from ..core.stations import import_stations, write_stations

        extent = None
        if parameters.get("EXTENT") not in (None, ""):
            rect = self.parameterAsExtent(parameters, "EXTENT", context, QgsCoordinateReferenceSystem("EPSG:4326"))
            if not rect.isNull():
                extent = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        flags = tuple(f.strip().upper() for f in self.parameterAsString(parameters, "FLAGS", context).split(",")
                      if f.strip())
        if not flags:
            raise SMFusionError("FLAGS: give at least one ISMN flag (e.g. G,U)")
        progress, is_cancelled = callbacks(feedback)
        given = [self.parameterAsFile(parameters, name, context) for name in ("INPUT", "FOLDER")]
        given = [g for g in given if g]
        if len(given) != 1:
            raise SMFusionError("Give the stations as INPUT (an ISMN zip, .stm or CSV file) or as FOLDER (an "
                                "unpacked ISMN folder), one of the two")
        stations = import_stations(given[0], flags,
                                   self.parameterAsInt(parameters, "MIN_HOURS", context),
                                   date_parameter(self, parameters, "START", context),
                                   date_parameter(self, parameters, "END", context),
                                   extent, progress)
        if not stations:
            raise SMFusionError("No station left to write (check EXTENT and the dates)")
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        write_stations(output, stations)
        n_obs = int(sum(np.isfinite(s.ssm).sum() + np.isfinite(s.rzsm).sum() for s in stations))
        feedback.pushInfo(f"{len(stations)} station(s), {n_obs} daily layer values written to {output}")
        layer = f"{output}|layername=stations"
        if context.project() is not None:
            from .styling import load_on_completion
            load_on_completion(context, layer, "Stations", "stations")
        return {"OUTPUT": output, "STATIONS_LAYER": layer, "STATIONS": len(stations), "OBSERVATIONS": n_obs}
