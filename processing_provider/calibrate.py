"""smfusion:calibrate — run the calibration CNN (ONNX Runtime) or a baseline over a downscaled series."""

from qgis.core import (
    QgsProcessingOutputFolder,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
)

from ..core.calibrate import METHODS
from ..core.cnn import DEVICES
from .base import (
    SCHEDULER_HELP,
    SMFusionAlgorithm,
    callbacks,
    date_parameter,
    interval_folders,
    interval_parameters,
    scheduler_of,
    scheduler_parameter,
)
from .calibratetrain import SERIES_HELP, planes_of, series_parameters


class CalibrateAlgorithm(SMFusionAlgorithm):
    NAME = "calibrate"
    SHORT = "Calibrates a downscaled series toward the stations with the CNN or a baseline, with p10/p90."
    TAGS = ("CNN", "bias correction", "ONNX Runtime", "CUDA", "uncertainty", "p10", "p90")
    ADVANCED = ("DEVICE", "SCHEDULER")
    DISPLAY_NAME = "Calibration CNN: apply"
    GROUP = "Calibration"
    HELP = ("Calibrates a downscaled soil-moisture series against the stations' point scale: <i>cnn</i> adds the "
            "CNN's correction (ONNX Runtime, tile by tile with a halo of the receptive field; the CUDA provider "
            "when present and DEVICE allows it, and the log names the provider used), or the baselines "
            "<i>linear</i> (mean and variance matched to the training stations) and <i>cdf</i> (quantile "
            "mapping), fitted on the training stations (those not held out in the model), for comparison. "
            "Output: <code>&lt;LAYER&gt;_YYYYMMDD.tif</code>, clipped to [0, porosity].")
    PARAM_HELP = {
        "MODEL": "The ONNX model (smfusion:calibratetrain's output; default: the shipped model of LAYER).",
        **SERIES_HELP,
        "METHOD": "<i>cnn</i>, or a baseline fitted on the training stations: <i>bias</i> (add the mean "
                  "difference), <i>linear</i> (match mean and variance) or <i>cdf</i> (quantile mapping); "
                  "<i>auto</i>: the correction that smfusion:calibratetrain chose by cross-validation on the "
                  "training stations and recorded in MODEL (needs STATIONS when it is a baseline).",
        "STATIONS": "Stations to fit the baselines on (METHOD bias, linear or cdf).",
        "DEVICE": "<i>auto</i> (CUDA when available), <i>cpu</i> or <i>cuda</i> (says why when it cannot).",
        "SCHEDULER": SCHEDULER_HELP + " The CNN runs there, one date per task; the memory and the writing stay "
                     "in this process.",
        "OUTPUT": "Output series folder.",
        "P10": "Optional folder for the 10th percentile of the calibrated value per pixel and day "
               "(<code>&lt;LAYER&gt;_p10_YYYYMMDD.tif</code>; a MODEL from smfusion:calibratetrain, which records "
               "each METHOD's interval fitted on the training stations). Give P90 with it.",
        "P90": "Optional folder for the 90th percentile (<code>&lt;LAYER&gt;_p90_YYYYMMDD.tif</code>).",
    }
    NEEDS = ("onnxruntime", "onnx")
    EXAMPLE = ("qgis_process run smfusion:calibrate -- MODEL=models/ssm_finetuned.onnx DOWNSCALED=out/downscaled/ssm "
               "PREDICTORS=predictors COARSE=demo/gleam/ssm LAYER=ssm METHOD=cnn DEVICE=auto OUTPUT=out/calibrated/ssm")

    def define(self):
        self.addParameter(QgsProcessingParameterFile("MODEL", "Model", optional=True, fileFilter="ONNX (*.onnx)"))
        series_parameters(self)
        self.addParameter(QgsProcessingParameterEnum("METHOD", "Method", METHODS, defaultValue="cnn",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterFile("STATIONS", "Stations (for the baselines)", optional=True,
                                                     fileFilter="GeoPackage (*.gpkg);;CSV (*.csv)"))
        self.addParameter(QgsProcessingParameterEnum("DEVICE", "Device", DEVICES, defaultValue="auto",
                                                     usesStaticStrings=True))
        scheduler_parameter(self)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Calibrated series folder"))
        interval_parameters(self)
        self.addOutput(QgsProcessingOutputFolder("OUTPUT_FOLDER", "Calibrated series folder"))
        self.addOutput(QgsProcessingOutputString("SERIES", "Calibrated series folder, as text (for model expressions)"))
        self.addOutput(QgsProcessingOutputString("PROVIDER", "ONNX Runtime provider"))

    def execute(self, parameters, context, feedback):
        from ..core.calibrate import apply, shipped_model
        from ..core.errors import SMFusionError

        layer = self.parameterAsEnumString(parameters, "LAYER", context)
        method = self.parameterAsEnumString(parameters, "METHOD", context)
        planes = planes_of(self, parameters, context)
        model = self.parameterAsFile(parameters, "MODEL", context) or shipped_model(layer, planes.available)
        if method == "cnn" and model is None:
            raise SMFusionError(f"No MODEL given and no shipped model for {layer}: train one with "
                                f"smfusion:calibratetrain")
        output = self.parameterAsString(parameters, "OUTPUT", context)
        bands = interval_folders(self, parameters, context)
        progress, is_cancelled = callbacks(feedback)
        stations = self.parameterAsFile(parameters, "STATIONS", context) or None
        done = apply(model, planes, output, layer, method, stations,
                     start=date_parameter(self, parameters, "START", context),
                     end=date_parameter(self, parameters, "END", context),
                     device=self.parameterAsEnumString(parameters, "DEVICE", context),
                     progress=progress, is_cancelled=is_cancelled, intervals=bands,
                     scheduler=scheduler_of(self, parameters, context))
        feedback.pushInfo(f"{len(done.paths)} calibrated file(s) in {output}")
        self.show_series(output, f"calibrated {layer}")
        result = {"OUTPUT": output, "OUTPUT_FOLDER": output, "SERIES": output, "PROVIDER": done.provider}
        if bands:
            result["P10"], result["P90"] = bands
        return result
