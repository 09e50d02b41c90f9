"""smfusion:demodata — write the synthetic demo region (inputs, truth and stations)."""

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime

from ..core.demo import DemoConfig, make_demo
from ..core.series import parse_user_date
from ..plugin import compat
from .base import SMFusionAlgorithm, callbacks


class DemoDataAlgorithm(SMFusionAlgorithm):
    NAME = "demodata"
    SHORT = "Writes a synthetic demo region with known truth: every input of the SM Fusion tools."
    TAGS = ("demo", "synthetic", "test data", "truth")
    ADVANCED = ("SEED", "STATION_NOISE", "STATION_BIAS", "CLOUD_COVER")
    DISPLAY_NAME = "Create demo region"
    GROUP = "Pipeline"
    HELP = ("Writes a synthetic region with <b>known truth</b>: a 1-km grid (EPSG:5179) over central Korea "
            "with terrain, soil texture and land cover; a daily two-layer water balance driven by rain "
            "storms gives the true surface (0–10 cm) and root-zone (10–100 cm) soil moisture, and the "
            "true NDVI, LST and albedo respond to it. From the truth it derives MODIS-like 1-km "
            "observations (noise, cloud gaps), GLASS-like 0.05° and GLEAM-like 0.25° products with a "
            "systematic bias, and point stations (truth + station bias + noise). Use it to try every "
            "tool and to measure their accuracy. The same parameters always give the same files.")
    PARAM_HELP = {
        "OUTPUT": "Folder to write into: fine/, coarse/, gleam/, resampled/, static/, stations/, "
                  "truth/, grids/ and demo.json (existing sub-folders of these names are replaced).",
        "WIDTH": "Fine grid width in 1-km pixels (default 200).",
        "HEIGHT": "Fine grid height in 1-km pixels (default 200).",
        "START": "First date of the series (default 2021-04-01).",
        "DAYS": "Number of days (default 183: one growing season).",
        "SEED": "Random seed; the same seed gives the same files, byte for byte.",
        "STATIONS": "Number of ground stations (default 40).",
        "STATION_NOISE": "Standard deviation of the daily point-scale noise of the stations, m³/m³.",
        "STATION_BIAS": "Standard deviation of the per-station bias, m³/m³ (0 and 0 give stations "
                        "that read the truth exactly).",
        "CLOUD_COVER": "Mean cloud fraction of the MODIS-like observations (0–0.95).",
        "DRIVERS": "The driver series to write, separated by commas: ndvi, lst_day and/or albedo, each under the "
                   "name given (e.g. <i>LST,NDVI</i> writes fine/LST/LST_YYYYMMDD.tif and no albedo), to try the "
                   "pipeline with the drivers and names of another region.",
    }
    EXAMPLE = ("qgis_process run smfusion:demodata -- OUTPUT=/tmp/smdemo WIDTH=200 HEIGHT=200 "
               "START=2021-04-01 DAYS=183 SEED=42")

    def define(self):
        d = DemoConfig()
        integer = compat.INTEGER
        double = compat.DOUBLE
        self.addParameter(QgsProcessingParameterNumber("WIDTH", "Width (px of 1 km)", integer, d.width,
                                                       minValue=20, maxValue=5000))
        self.addParameter(QgsProcessingParameterNumber("HEIGHT", "Height (px of 1 km)", integer, d.height,
                                                       minValue=20, maxValue=5000))
        self.addParameter(QgsProcessingParameterDateTime(
            "START", "Start date", compat.DATE,
            QDateTime(QDate(d.start.year, d.start.month, d.start.day), QTime(0, 0))))
        self.addParameter(QgsProcessingParameterNumber("DAYS", "Days", integer, d.days, minValue=1,
                                                       maxValue=3660))
        self.addParameter(QgsProcessingParameterNumber("SEED", "Random seed", integer, d.seed, minValue=0))
        self.addParameter(QgsProcessingParameterNumber("STATIONS", "Stations", integer, d.stations,
                                                       minValue=0, maxValue=10000))
        self.addParameter(QgsProcessingParameterNumber("STATION_NOISE", "Station noise (m³/m³)", double,
                                                       d.station_noise, minValue=0.0, maxValue=0.2))
        self.addParameter(QgsProcessingParameterNumber("STATION_BIAS", "Station bias spread (m³/m³)",
                                                       double, d.station_bias, minValue=0.0, maxValue=0.2))
        self.addParameter(QgsProcessingParameterNumber("CLOUD_COVER", "Mean cloud cover", double,
                                                       d.cloud_cover, minValue=0.0, maxValue=0.95))
        self.addParameter(QgsProcessingParameterString("DRIVERS", "Driver series (comma-separated)",
                                                       ",".join(d.drivers)))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Demo region folder"))
        self.addOutput(QgsProcessingOutputVectorLayer("STATIONS_LAYER", "Stations"))
        self.addOutput(QgsProcessingOutputRasterLayer("DEM", "Elevation (m)"))
        self.addOutput(QgsProcessingOutputFile("DEMO_JSON", "Description of the region (JSON)"))

    def execute(self, parameters, context, feedback):
        start = self.parameterAsDateTime(parameters, "START", context)
        cfg = DemoConfig(
            width=self.parameterAsInt(parameters, "WIDTH", context),
            height=self.parameterAsInt(parameters, "HEIGHT", context),
            start=parse_user_date(start.date().toString("yyyy-MM-dd"), "START") if start.isValid()
            else DemoConfig().start,
            days=self.parameterAsInt(parameters, "DAYS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
            stations=self.parameterAsInt(parameters, "STATIONS", context),
            station_noise=self.parameterAsDouble(parameters, "STATION_NOISE", context),
            station_bias=self.parameterAsDouble(parameters, "STATION_BIAS", context),
            cloud_cover=self.parameterAsDouble(parameters, "CLOUD_COVER", context),
            drivers=tuple(n.strip() for n in (self.parameterAsString(parameters, "DRIVERS", context) or
                                              ",".join(DemoConfig().drivers)).split(",") if n.strip()),
        )
        folder = self.parameterAsString(parameters, "OUTPUT", context)
        paths = make_demo(folder, cfg, *callbacks(feedback))
        feedback.pushInfo(f"Demo region: {paths['folder']} ({cfg.width}×{cfg.height} px, {cfg.days} days "
                          f"from {cfg.start:%Y-%m-%d}, {cfg.stations} stations)")
        stations = f"{paths['stations']}|layername=stations"
        if context.project() is not None:
            from .styling import load_on_completion
            load_on_completion(context, paths["dem"], "Demo DEM", "dem")
            load_on_completion(context, stations, "Demo stations", "stations")
        return {"OUTPUT": paths["folder"], "STATIONS_LAYER": stations, "DEM": paths["dem"],
                "DEMO_JSON": paths["demo_json"]}

