"""smfusion:downscale — LightGBM downscaling of coarse soil moisture to daily 1-km SSM or RZSM."""

from qgis.core import (
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core.downscale import RESIDUALS, SCHEMES
from ..core.variables import LAYERS
from ..plugin import compat
from .base import (
    MEMORY_HELP,
    PREDICTOR_HELP,
    SCHEDULER_HELP,
    SMFusionAlgorithm,
    callbacks,
    date_parameter,
    folder_parameter,
    interval_folders,
    interval_parameters,
    memory_parameter,
    predictor_parameters,
    predictors_of,
    scheduler_of,
    scheduler_parameter,
)


class DownscaleAlgorithm(SMFusionAlgorithm):
    NAME = "downscale"
    SHORT = "Downscales coarse soil moisture (e.g. GLEAM 0.25°) to daily 1 km with LightGBM and fine predictors."
    TAGS = ("downscaling", "LightGBM", "GLEAM", "SSM", "RZSM", "1 km", "machine learning")
    ADVANCED = ("SCHEME", "WINDOW_DAYS", "RESIDUAL", "MIN_COVER", "DETAIL", "MEMORY", "TRAIN_START", "TRAIN_END",
                "N_ESTIMATORS", "LEARNING_RATE", "NUM_LEAVES", "THREADS", "MODEL_IN", "MODEL_OUT", "SCHEDULER")
    DISPLAY_NAME = "Downscale soil moisture (LightGBM)"
    GROUP = "Downscaling"
    HELP = ("Downscales a coarse soil-moisture series (e.g. GLEAM 0.25° surface or root-zone SM, in m³/m³) to the "
            "1-km grid of the predictors. A LightGBM model learns SM from the predictors <b>at the coarse "
            "scale</b> (each predictor averaged over the valid 1-km pixels of every coarse cell, across CRSs), "
            "predicts at 1 km, and adds back the coarse residual. The log reports the model's cross-validated "
            "R² and RMSE at the coarse scale (spatially blocked folds) and the <b>skill of the fine detail</b>, "
            "measured one scale up: a model trained on 2×2-cell blocks predicts the cells, and its within-block "
            "detail is compared with the real one. A relation learned between cells need not hold inside a "
            "cell; DETAIL scales the added detail toward the bilinear field (auto: the weight fitted in that "
            "experiment). Output: <code>&lt;LAYER&gt;_YYYYMMDD.tif</code>, clipped to [0, porosity].")
    PARAM_HELP = {
        "COARSE": "Series folder of the coarse soil moisture of one layer, m³/m³ (any grid and CRS).",
        **PREDICTOR_HELP,
        "LAYER": "ssm (0–10 cm) or rzsm (10–100 cm): names the output files.",
        "SCHEME": "<i>pooled</i>: one model over all training dates with day-of-year sine/cosine; <i>daily</i>: a "
                  "model per date; <i>window</i>: a model per date trained on ±WINDOW_DAYS.",
        "WINDOW_DAYS": "Half width of the training window of SCHEME=window, days.",
        "RESIDUAL": "<i>bilinear</i>: add the bilinearly interpolated coarse residual; <i>none</i>; "
                    "<i>conserving</i>: then iterate so that every coarse cell's 1-km mean equals its coarse value "
                    "(to 1e-4 m³/m³), with smooth corrections (no block edges).",
        "MIN_COVER": "Least fraction of a coarse cell under valid 1-km pixels for it to train the model.",
        "DETAIL": "Weight of the detail the model adds to the bilinear field: a number (1 = all of it, 0 = the "
                  "bilinear coarse field) or <i>auto</i> (fitted one scale up).",
        "MEMORY": MEMORY_HELP.format(what="detail (model − its bilinear coarse mean)"),
        "TRAIN_START": "First training date (default: the first).",
        "TRAIN_END": "Last training date (default: the last).",
        "START": "First date to predict (default: the first coarse date).",
        "END": "Last date to predict.",
        "N_ESTIMATORS": "Most boosting rounds (early stopping on held-out coarse cells picks fewer).",
        "LEARNING_RATE": "LightGBM learning rate.",
        "NUM_LEAVES": "LightGBM leaves per tree.",
        "THREADS": "Threads for training and prediction (0 = all cores).",
        "MODEL_IN": "Optional: a saved model (.txt with its .json sidecar) to apply instead of training; its "
                    "predictors must match.",
        "MODEL_OUT": "Optional: where to save the trained model (LightGBM text + JSON sidecar).",
        "SCHEDULER": SCHEDULER_HELP + " The dates' 1-km predictions run there; the training, the memory and "
                     "the writing stay in this process.",
        "OUTPUT": "Output series folder.",
        "REPORT": "Optional HTML page: cross-validated scores, detail skill, feature importance, a residual map.",
        "P10": "Optional folder for the 10th percentile per pixel and day (<code>&lt;LAYER&gt;_p10_YYYYMMDD.tif"
               "</code>): the uncertainty of the 1-km detail, fitted one scale up (where the value lies if the "
               "coarse product is right; smfusion:calibrate's intervals add the product's error, from stations). "
               "Give P90 with it.",
        "P90": "Optional folder for the 90th percentile (<code>&lt;LAYER&gt;_p90_YYYYMMDD.tif</code>).",
    }
    NEEDS = ("lightgbm", "numba")
    EXAMPLE = ("qgis_process run smfusion:downscale -- COARSE=demo/gleam/ssm PREDICTORS=predictors LAYER=ssm "
               "SCHEME=pooled RESIDUAL=bilinear DETAIL=1 OUTPUT=downscaled/ssm MODEL_OUT=models/ssm.txt")

    def define(self):
        double, integer = compat.DOUBLE, compat.INTEGER
        self.addParameter(folder_parameter("COARSE", "Coarse soil-moisture series"))
        predictor_parameters(self)
        self.addParameter(QgsProcessingParameterEnum("LAYER", "Layer", LAYERS, defaultValue="ssm",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterEnum("SCHEME", "Training scheme", SCHEMES, defaultValue="pooled",
                                                     usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber("WINDOW_DAYS", "Window half width (days)", integer, 15,
                                                       minValue=1, maxValue=366))
        self.addParameter(QgsProcessingParameterEnum("RESIDUAL", "Residual correction", RESIDUALS,
                                                     defaultValue="bilinear", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber("MIN_COVER", "Least valid cover of a cell", double, 0.5,
                                                       minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterString("DETAIL", "Detail weight (number or auto)", "1"))
        memory_parameter(self, "Memory of the detail (days)")
        for name, label in (("TRAIN_START", "First training date"), ("TRAIN_END", "Last training date"),
                            ("START", "First date to predict"), ("END", "Last date to predict")):
            self.addParameter(QgsProcessingParameterDateTime(name, label, compat.DATE,
                                                             optional=True))
        self.addParameter(QgsProcessingParameterNumber("N_ESTIMATORS", "Boosting rounds (most)", integer, 400,
                                                       minValue=10, maxValue=10000))
        self.addParameter(QgsProcessingParameterNumber("LEARNING_RATE", "Learning rate", double, 0.05,
                                                       minValue=0.001, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber("NUM_LEAVES", "Leaves per tree", integer, 31, minValue=2,
                                                       maxValue=1024))
        self.addParameter(QgsProcessingParameterNumber("THREADS", "Threads (0 = all)", integer, 0, minValue=0))
        self.addParameter(QgsProcessingParameterFile("MODEL_IN", "Saved model to apply", optional=True,
                                                     fileFilter="LightGBM model (*.txt)"))
        self.addParameter(QgsProcessingParameterFileDestination("MODEL_OUT", "Save the model to", "LightGBM model "
                                                                "(*.txt)", optional=True, createByDefault=False))
        scheduler_parameter(self)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Downscaled series folder"))
        self.addParameter(QgsProcessingParameterFileDestination("REPORT", "Report", "HTML (*.html)", optional=True,
                                                                createByDefault=False))
        interval_parameters(self)
        self.addOutput(QgsProcessingOutputFolder("OUTPUT_FOLDER", "Downscaled series folder"))
        self.addOutput(QgsProcessingOutputString("SERIES", "Downscaled series folder, as text (for model expressions)"))
        self.addOutput(QgsProcessingOutputNumber("FILES", "Files written"))
        self.addOutput(QgsProcessingOutputString("CV", "Cross-validated scores (JSON)"))

    def execute(self, parameters, context, feedback):
        import json

        from ..core.downscale import Settings, downscale
        from ..core.errors import SMFusionError

        text = self.parameterAsString(parameters, "DETAIL", context).strip().lower() or "1"
        try:
            detail = "auto" if text == "auto" else float(text)
        except ValueError:
            raise SMFusionError(f"DETAIL must be a number or auto (got {text!r})") from None
        s = Settings(scheme=self.parameterAsEnumString(parameters, "SCHEME", context),
                     window_days=self.parameterAsInt(parameters, "WINDOW_DAYS", context),
                     residual=self.parameterAsEnumString(parameters, "RESIDUAL", context),
                     min_cover=self.parameterAsDouble(parameters, "MIN_COVER", context),
                     n_estimators=self.parameterAsInt(parameters, "N_ESTIMATORS", context),
                     learning_rate=self.parameterAsDouble(parameters, "LEARNING_RATE", context),
                     num_leaves=self.parameterAsInt(parameters, "NUM_LEAVES", context),
                     threads=self.parameterAsInt(parameters, "THREADS", context), detail=detail,
                     memory=self.parameterAsDouble(parameters, "MEMORY", context))
        output = self.parameterAsString(parameters, "OUTPUT", context)
        model_out = self.parameterAsFileOutput(parameters, "MODEL_OUT", context) or None
        report = self.parameterAsFileOutput(parameters, "REPORT", context) or None
        bands = interval_folders(self, parameters, context)
        progress, is_cancelled = callbacks(feedback)
        summary = downscale(
            self.parameterAsFile(parameters, "COARSE", context),
            predictors_of(self, parameters, context),
            output, self.parameterAsEnumString(parameters, "LAYER", context), s,
            train_start=date_parameter(self, parameters, "TRAIN_START", context),
            train_end=date_parameter(self, parameters, "TRAIN_END", context),
            start=date_parameter(self, parameters, "START", context),
            end=date_parameter(self, parameters, "END", context),
            model_in=self.parameterAsFile(parameters, "MODEL_IN", context) or None, model_out=model_out,
            report=report, progress=progress, is_cancelled=is_cancelled,
            intervals=bands, scheduler=scheduler_of(self, parameters, context))
        self.show_series(output, f"downscaled {summary['layer']}")
        result = {"OUTPUT": output, "OUTPUT_FOLDER": output, "SERIES": output, "FILES": len(summary["paths"]),
                  "CV": json.dumps({"cv": summary["cv"], "detail": summary["detail"]}, default=str)}
        if model_out:
            result["MODEL_OUT"] = model_out
        if report:
            result["REPORT"] = report
        if bands:
            result["P10"], result["P90"] = bands
        return result
