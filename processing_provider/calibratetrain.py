"""smfusion:calibratetrain — transfer-learn the calibration CNN on ground stations → an ONNX model."""

from pathlib import Path

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.calibrate import TRAIN_MODES
from ..core.variables import LAYERS
from ..plugin import compat
from .base import (
    MEMORY_HELP,
    PREDICTOR_HELP,
    SMFusionAlgorithm,
    callbacks,
    date_parameter,
    folder_parameter,
    memory_parameter,
    predictor_parameters,
    predictors_of,
)

SERIES_HELP = {
    "DOWNSCALED": "Series folder of the downscaled soil moisture of LAYER (smfusion:downscale's output).",
    **PREDICTOR_HELP,
    "COARSE": "The coarse soil-moisture series of LAYER (for the model's sm_coarse plane).",
    "OBSERVED": "Optional: the fine driver series before ESTARFM (one gappy series sub-folder per variable, "
                "smfusion:estarfm's FINE). The p10/p90 interval then widens where ESTARFM filled a gap, by as "
                "much as the training stations show; without it, that covariate takes its training mean.",
    "LAYER": "ssm (0–10 cm) or rzsm (10–100 cm).",
    "START": "Optional first date.",
    "END": "Optional last date.",
}


def series_parameters(alg):
    alg.addParameter(folder_parameter("DOWNSCALED", "Downscaled series"))
    predictor_parameters(alg)
    alg.addParameter(folder_parameter("COARSE", "Coarse soil-moisture series", optional=True))
    alg.addParameter(folder_parameter("OBSERVED", "Fine driver series before ESTARFM (for the intervals)", ("group",),
                                      optional=True))
    alg.addParameter(QgsProcessingParameterEnum("LAYER", "Layer", LAYERS, defaultValue="ssm", usesStaticStrings=True))
    for name, label in (("START", "Start date"), ("END", "End date")):
        alg.addParameter(QgsProcessingParameterDateTime(name, label, compat.DATE,
                                                        optional=True))


def planes_of(alg, parameters, context):
    from ..core.calibrate import Planes
    observed = alg.parameterAsFile(parameters, "OBSERVED", context)
    return Planes(alg.parameterAsFile(parameters, "DOWNSCALED", context),
                  predictors_of(alg, parameters, context),
                  alg.parameterAsFile(parameters, "COARSE", context) or None,
                  sorted(p for p in Path(observed).iterdir() if p.is_dir()) if observed else ())


class CalibrateTrainAlgorithm(SMFusionAlgorithm):
    NAME = "calibratetrain"
    SHORT = "Fine-tunes the calibration CNN on your region's ground stations (transfer learning)."
    TAGS = ("CNN", "transfer learning", "bias correction", "ONNX", "stations")
    ADVANCED = ("BASE_MODEL", "SEED", "MODE", "MEMORY")
    DISPLAY_NAME = "Calibration CNN: fine-tune on stations"
    GROUP = "Calibration"
    HELP = ("Transfer learning of the calibration CNN on the ground stations of your region. A downscaled 1-km "
            "pixel is an area estimate and a station a point: the CNN learns the correction (station − pixel) "
            "from the pixel's neighbourhood of soil moisture and drivers. MODE <i>head</i> (needs no PyTorch) "
            "runs the frozen backbone with ONNX Runtime at the training stations and refits the last layer by "
            "ridge regression, with its penalty chosen by leave-stations-out cross-validation; only the head's "
            "weights change in the written ONNX. Held-out stations (HOLDOUT) are never trained on; their ids, "
            "and the metrics before and after, are written into the model. Without a pretrained model for the "
            "layer, the head is refitted on an untrained backbone (the log says so).")
    PARAM_HELP = {
        "BASE_MODEL": "The ONNX model to start from (default: the shipped model of LAYER).",
        **SERIES_HELP,
        "STATIONS": "Station GeoPackage (smfusion:importstations) or daily CSV.",
        "HOLDOUT": "Held-out stations: comma-separated ids, or a fraction (default 0.25) drawn with SEED.",
        "SEED": "Seed of the hold-out draw.",
        "MODE": "<i>head</i> (refit the last layer, numpy only) or <i>full</i> (fine-tune every layer; needs "
                "PyTorch).",
        "MEMORY": MEMORY_HELP.format(what="correction") + " MODE head only: the head is fitted on the remembered "
                  "features, and the model records τ for smfusion:calibrate.",
        "OUTPUT_MODEL": "The fine-tuned model (.onnx).",
    }
    NEEDS = ("onnxruntime", "onnx")
    EXAMPLE = ("qgis_process run smfusion:calibratetrain -- DOWNSCALED=out/downscaled/ssm PREDICTORS=predictors "
               "COARSE=demo/gleam/ssm STATIONS=demo/stations/stations.gpkg LAYER=ssm HOLDOUT=0.25 MODE=head "
               "OUTPUT_MODEL=models/ssm_finetuned.onnx")

    def define(self):
        self.addParameter(QgsProcessingParameterFile("BASE_MODEL", "Base model", optional=True,
                                                     fileFilter="ONNX (*.onnx)"))
        series_parameters(self)
        self.addParameter(QgsProcessingParameterFile("STATIONS", "Stations",
                                                     fileFilter="GeoPackage (*.gpkg);;CSV (*.csv)"))
        self.addParameter(QgsProcessingParameterString("HOLDOUT", "Held-out stations (ids or fraction)", "0.25"))
        self.addParameter(QgsProcessingParameterNumber("SEED", "Seed", compat.INTEGER, 0,
                                                       minValue=0))
        self.addParameter(QgsProcessingParameterEnum("MODE", "Mode", TRAIN_MODES, defaultValue="head",
                                                     usesStaticStrings=True))
        memory_parameter(self, "Memory of the correction (days)")
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT_MODEL", "Fine-tuned model", "ONNX (*.onnx)"))
        self.addOutput(QgsProcessingOutputString("REPORT", "Metrics before and after (JSON)"))
        self.addOutput(QgsProcessingOutputString("HELD_OUT", "Held-out station ids (comma-separated)"))

    def execute(self, parameters, context, feedback):
        import json

        import onnx

        from ..core import cnnmeta
        from ..core.calibrate import base_model, parse_holdout, train_full, train_head
        from ..core.raster import atomic_path

        mode = self.parameterAsEnumString(parameters, "MODE", context)
        holdout = parse_holdout(self.parameterAsString(parameters, "HOLDOUT", context))
        layer = self.parameterAsEnumString(parameters, "LAYER", context)
        planes = planes_of(self, parameters, context)
        progress, is_cancelled = callbacks(feedback)
        base = base_model(self.parameterAsFile(parameters, "BASE_MODEL", context) or None, layer, planes, progress)
        args = (base, planes, self.parameterAsFile(parameters, "STATIONS", context), layer, holdout,
                self.parameterAsInt(parameters, "SEED", context), date_parameter(self, parameters, "START", context),
                date_parameter(self, parameters, "END", context), progress)
        if mode == "full":
            model, report = train_full(*args)
        else:
            model, report = train_head(*args, memory_days=self.parameterAsDouble(parameters, "MEMORY", context))
        output = self.parameterAsFileOutput(parameters, "OUTPUT_MODEL", context)
        with atomic_path(output) as tmp:
            onnx.save(model, str(tmp))
        for label, r in report.scores():
            feedback.pushInfo(f"{label}: PCC {r['pcc']:.3f}, RMSE {r['rmse']:.4f}, ubRMSE {r['ubrmse']:.4f}, "
                              f"bias {r['bias']:+.4f} (N={r['n']})")
        held = cnnmeta.read(model).get("holdout", [])
        feedback.pushInfo(f"Held-out stations: {', '.join(held) or 'none'}")
        return {"OUTPUT_MODEL": output, "REPORT": json.dumps(report.as_meta()), "HELD_OUT": ",".join(held)}
