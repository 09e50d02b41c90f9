"""smfusion:evaluate — series vs stations → metrics table (CSV or GeoPackage) and an HTML report."""

from qgis.core import (
    QgsProcessingOutputHtml,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.evaluate import SAMPLINGS
from ..plugin import compat
from .base import SMFusionAlgorithm, callbacks, date_parameter


class EvaluateAlgorithm(SMFusionAlgorithm):
    NAME = "evaluate"
    SHORT = "Scores soil-moisture series at the stations: PCC, RMSE, ubRMSE and bias."
    TAGS = ("evaluation", "validation", "PCC", "RMSE", "ubRMSE", "bias", "stations")
    ADVANCED = ("SAMPLING", "K")
    DISPLAY_NAME = "Evaluate against stations"
    GROUP = "Evaluation"
    HELP = ("Samples one or more soil-moisture series at the stations and scores them against the daily station "
            "values: PCC (Pearson r), RMSE, ubRMSE = √(RMSE² − bias²) and bias = mean(predicted − observed), "
            "with N, per station, pooled, and as the median over stations, per layer and per series. With "
            "SPLIT, held-out and training stations are scored separately and never pooled. Writes a metrics "
            "table and a self-contained HTML report: the metrics side by side with the seed paper's figures, "
            "density scatters, time series at the best, median and worst stations, a map of per-station PCC "
            "and a Taylor diagram.")
    PARAM_HELP = {
        "SERIES": "The series to score, separated by ; or new lines, each <code>label|layer|folder</code> "
                  "(layer ssm or rzsm), e.g. <code>GLEAM bilinear|ssm|demo/resampled/ssm; "
                  "downscaled|ssm|out/downscaled/ssm</code>. A bare folder takes its name as the label and "
                  "the layer from its file names.",
        "STATIONS": "The station GeoPackage (smfusion:importstations) or a daily CSV "
                    "(station_id,lon,lat,date,ssm,rzsm).",
        "SAMPLING": "How a series is read at a station: the <i>nearest</i> pixel, <i>bilinear</i> between the "
                    "four nearest pixel centres, or the <i>mean</i> of the K×K block.",
        "K": "Block size of the <i>mean</i> sampling (odd).",
        "START": "Optional first date.",
        "END": "Optional last date.",
        "SPLIT": "Optional held-out station ids (comma-separated), or the path of a file that lists them.",
        "OUTPUT_TABLE": "The metrics table: .csv, or .gpkg (a point layer <i>metrics</i> at the stations).",
        "OUTPUT_HTML": "The HTML report.",
    }
    EXAMPLE = ('qgis_process run smfusion:evaluate -- "SERIES=GLEAM bilinear|ssm|demo/resampled/ssm;'
               'truth|ssm|demo/truth/ssm" STATIONS=demo/stations/stations.gpkg SAMPLING=nearest '
               "SPLIT=DEMO_001,DEMO_002 OUTPUT_TABLE=metrics.csv OUTPUT_HTML=report.html")

    def define(self):
        self.addParameter(QgsProcessingParameterString("SERIES", "Series (label|layer|folder; …)", multiLine=True))
        self.addParameter(QgsProcessingParameterFile("STATIONS", "Stations",
                                                     fileFilter="GeoPackage (*.gpkg);;CSV (*.csv)"))
        self.addParameter(QgsProcessingParameterEnum("SAMPLING", "Sampling", SAMPLINGS, defaultValue="nearest",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber("K", "Block size for mean sampling",
                                                       compat.INTEGER, 3, minValue=1,
                                                       maxValue=51))
        self.addParameter(QgsProcessingParameterDateTime("START", "Start date", compat.DATE,
                                                         optional=True))
        self.addParameter(QgsProcessingParameterDateTime("END", "End date", compat.DATE,
                                                         optional=True))
        self.addParameter(QgsProcessingParameterString("SPLIT", "Held-out station ids (or a file)", optional=True))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT_TABLE", "Metrics table",
                                                                "CSV (*.csv);;GeoPackage (*.gpkg)"))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT_HTML", "Report", "HTML (*.html)"))
        self.addOutput(QgsProcessingOutputHtml("REPORT", "Evaluation report"))

    def execute(self, parameters, context, feedback):
        from ..core.errors import SMFusionError
        from ..core.evaluate import evaluate, parse_series_specs, parse_split, write_table
        from ..core.report import write_report

        k = self.parameterAsInt(parameters, "K", context)
        if k % 2 == 0:
            raise SMFusionError(f"K must be odd (got {k})")
        specs = parse_series_specs(self.parameterAsString(parameters, "SERIES", context))
        stations = self.parameterAsFile(parameters, "STATIONS", context)
        sampling = self.parameterAsEnumString(parameters, "SAMPLING", context)
        progress, is_cancelled = callbacks(feedback)
        result = evaluate(specs, stations, sampling, k, date_parameter(self, parameters, "START", context),
                          date_parameter(self, parameters, "END", context),
                          parse_split(self.parameterAsString(parameters, "SPLIT", context)), progress, is_cancelled)
        table = self.parameterAsFileOutput(parameters, "OUTPUT_TABLE", context)
        write_table(table, result["rows"])
        html = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        write_report(html, result, context=f"Stations: {stations}; sampling: {sampling}.")
        feedback.pushInfo(f"Metrics: {table}; report: {html}")
        return {"OUTPUT_TABLE": table, "OUTPUT_HTML": html, "REPORT": html}
