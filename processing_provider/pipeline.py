"""smfusion:pipeline — the whole method for both layers in one run (ESTARFM → downscale → CNN → evaluate)."""

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..plugin import compat
from .base import (
    MEMORY_HELP,
    SCHEDULER_HELP,
    SMFusionAlgorithm,
    callbacks,
    folder_parameter,
    memory_parameter,
    scheduler_of,
    scheduler_parameter,
)


class PipelineAlgorithm(SMFusionAlgorithm):
    NAME = "pipeline"
    SHORT = "Runs the whole method for SSM and RZSM: fusion, downscaling, calibration and evaluation."
    TAGS = ("pipeline", "ESTARFM", "LightGBM", "CNN", "SSM", "RZSM", "soil moisture")
    ADVANCED = ("SEED", "MEMORY", "TRUTH", "OVERWRITE", "SCHEDULER")
    DISPLAY_NAME = "Run the whole pipeline"
    GROUP = "Pipeline"
    HELP = ("Runs the method for both layers: ESTARFM on every driver (fine + coarse series → fused/&lt;var&gt;), "
            "LightGBM downscaling of the coarse SSM and RZSM (downscaled/), transfer learning of the calibration "
            "CNN on the training stations (models/), calibration (calibrated/), and the evaluation of the "
            "bilinear coarse product, the downscaled and the calibrated series at the held-out stations "
            "(report.html, metrics.csv). run.json records the parameters, the versions, the time per stage and "
            "the metrics. A stage whose outputs are newer than its inputs is skipped (OVERWRITE re-runs it), so "
            "an interrupted run resumes where it stopped.")
    PARAM_HELP = {
        "FINE": "Folder of the fine driver series, one sub-folder per variable (e.g. fine/ndvi, fine/lst_day).",
        "COARSE": "Folder of the coarse driver series with the same sub-folder names.",
        "SSM": "Coarse surface soil-moisture series (e.g. GLEAM SMs), m³/m³.",
        "RZSM": "Coarse root-zone soil-moisture series (e.g. GLEAM SMrz), m³/m³.",
        "STATIC": "Folder of the static GeoTIFFs on the fine grid (dem, slope, clay, sand, porosity…).",
        "STATIONS": "Station GeoPackage (smfusion:importstations).",
        "HOLDOUT": "Held-out stations: a fraction (default 0.25, drawn with SEED) or comma-separated ids.",
        "SEED": "Seed of the hold-out draw.",
        "MEMORY": MEMORY_HELP.format(what="downscaled detail, and the calibration's correction,"),
        "TRUTH": "Optional folder with ssm/ and rzsm/ reference series on the fine grid (e.g. the demo's truth/), "
                 "scored at the same stations as the row <i>truth</i>: the floor that station noise and bias leave.",
        "OVERWRITE": "Re-run every stage even when its outputs are up to date.",
        "NETCDF": "Also write each calibrated layer as one CF-1.8 NetCDF cube, calibrated/&lt;layer&gt;.nc "
                  "(smfusion:export), the format of GLEAM and ESA CCI.",
        "SCHEDULER": SCHEDULER_HELP + " ESTARFM's pair segments, the downscaled dates' 1-km predictions and the "
                     "CNN's dates run there; the training, the memories and the writing stay in this process.",
        "OUTPUT": "Output folder: fused/, bilinear/, downscaled/, models/, calibrated/ (with p10/p90, and the "
                  "NetCDF cubes with NETCDF), report.html, metrics.csv, metrics.gpkg, run.json.",
    }
    NEEDS = ("numba", "lightgbm", "onnxruntime", "onnx")
    EXAMPLE = ("qgis_process run smfusion:pipeline -- FINE=demo/fine COARSE=demo/coarse SSM=demo/gleam/ssm "
               "RZSM=demo/gleam/rzsm STATIC=demo/static STATIONS=demo/stations/stations.gpkg HOLDOUT=0.25 "
               "OUTPUT=demo/run")

    def define(self):
        for name, label, kinds in (("FINE", "Fine driver series (folder of folders)", ("group",)),
                                   ("COARSE", "Coarse driver series (folder of folders)", ("group",)),
                                   ("SSM", "Coarse SSM series", ("series", "raw")),
                                   ("RZSM", "Coarse RZSM series", ("series", "raw")),
                                   ("STATIC", "Static layers folder", ("static",))):
            self.addParameter(folder_parameter(name, label, kinds, optional=name in ("SSM", "RZSM")))
        self.addParameter(QgsProcessingParameterFile("STATIONS", "Stations", fileFilter="GeoPackage (*.gpkg)"))
        self.addParameter(QgsProcessingParameterString("HOLDOUT", "Held-out stations (fraction or ids)", "0.25"))
        self.addParameter(QgsProcessingParameterNumber("SEED", "Seed", compat.INTEGER, 0,
                                                       minValue=0))
        memory_parameter(self, "Memory of the detail and the correction (days)")
        self.addParameter(folder_parameter("TRUTH", "Reference series to score alongside (folder of ssm/, rzsm/)",
                                           ("group",), optional=True))
        self.addParameter(QgsProcessingParameterBoolean("OVERWRITE", "Re-run every stage", False))
        self.addParameter(QgsProcessingParameterBoolean("NETCDF", "Also write the calibrated series as NetCDF cubes",
                                                        False))
        scheduler_parameter(self)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputHtml("REPORT", "Report"))
        self.addOutput(QgsProcessingOutputFile("RUN_JSON", "Run record"))
        self.addOutput(QgsProcessingOutputString("METRICS", "Held-out metrics"))

    def arguments(self, parameters, context):
        """The keyword arguments of :func:`core.pipeline.run_pipeline` for ``parameters`` (the one mapping:
        the tool, and the SM Fusion dialog's input check, use it)."""
        from ..core.calibrate import parse_holdout
        from ..core.variables import LAYERS
        return {"fine": self.parameterAsFile(parameters, "FINE", context),
                "coarse": self.parameterAsFile(parameters, "COARSE", context),
                "sm_coarse": {layer: self.parameterAsFile(parameters, layer.upper(), context) or None
                              for layer in LAYERS},
                "static": self.parameterAsFile(parameters, "STATIC", context),
                "stations": self.parameterAsFile(parameters, "STATIONS", context),
                "output": self.parameterAsString(parameters, "OUTPUT", context),
                "holdout": parse_holdout(self.parameterAsString(parameters, "HOLDOUT", context)),
                "seed": self.parameterAsInt(parameters, "SEED", context),
                "memory": self.parameterAsDouble(parameters, "MEMORY", context),
                "truth": self.parameterAsFile(parameters, "TRUTH", context) or None,
                "overwrite": self.parameterAsBoolean(parameters, "OVERWRITE", context),
                "netcdf": self.parameterAsBoolean(parameters, "NETCDF", context),
                "scheduler": scheduler_of(self, parameters, context)}

    def execute(self, parameters, context, feedback):
        from ..core.pipeline import Layout, run_pipeline

        args = self.arguments(parameters, context)
        progress, is_cancelled = callbacks(feedback)
        summary = run_pipeline(**args, progress=progress, is_cancelled=is_cancelled)
        output = args["output"]
        self.show_series(output, None)
        lay = Layout(summary["output"])
        return {"OUTPUT": output, "REPORT": str(lay.report), "RUN_JSON": str(lay.record),
                "METRICS": summary["table"]}
