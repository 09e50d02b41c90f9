"""Write processing_provider/pipeline_model.model3: smfusion:pipeline as a graphical model of the single tools.

Run it after changing a tool's parameters (``make model``); the provider registers the written file, so
users see the chain in the toolbox and can open it in the modeler, change it and save their own copy.
The drivers are those of the demo region (ndvi, lst_day, albedo): add a branch per further driver.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make_model.py [out.model3]
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "processing_provider" / "pipeline_model.model3"
sys.path.insert(0, str(ROOT / "build" / "plugins"))         # the checkout as the package smfusion (make link)
from smfusion.core.variables import LAYERS  # noqa: E402

DRIVERS = ("ndvi", "lst_day", "albedo")


def build():
    from qgis.core import (
        QgsApplication,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildDependency,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFile,
        QgsProcessingParameterNumber,
        QgsProcessingParameterRasterLayer,
        QgsProcessingParameterString,
    )
    from qgis.PyQt.QtCore import QPointF

    src_ = QgsProcessingModelChildParameterSource
    registry = QgsApplication.processingRegistry()
    model = QgsProcessingModelAlgorithm("pipeline_model", "Pipeline", "Pipeline")
    model.setHelpContent({
        "ALG_DESC": "smfusion:pipeline as a graphical model of the single tools: ESTARFM per driver (ndvi, lst_day, "
                    "albedo), LightGBM downscaling, CNN fine-tuning on the training stations and calibration of "
                    "SSM and RZSM, and the evaluation of the bilinear coarse product, the downscaled and the "
                    "calibrated series at the held-out stations. Open it in the modeler to add drivers or change "
                    "a stage, and save your copy under another name. Its outputs equal those of "
                    "smfusion:pipeline on the same inputs.",
        "FINE": "Folder of the fine driver series: ndvi/, lst_day/, albedo/.",
        "COARSE": "Folder of the coarse driver series with the same sub-folders.",
        "SSM": "Coarse SSM series folder.", "RZSM": "Coarse RZSM series folder.",
        "STATIC": "Folder of the static GeoTIFFs on the 1-km grid.",
        "GRID": "Any raster on the 1-km grid (e.g. static/dem.tif): the grid of the bilinear reference.",
        "STATIONS": "Station GeoPackage (smfusion:importstations).",
        "HOLDOUT": "Held-out stations: a fraction (drawn with SEED) or comma-separated ids.",
        "SEED": "Seed of the hold-out draw.",
        "ALG_CREATOR": "SM Fusion", "EXAMPLE": "qgis_process run smfusion:pipeline_model -- FINE=demo/fine ...",
    })
    folder = QgsProcessingParameterFile.Folder
    inputs = [QgsProcessingParameterFile("FINE", "Fine driver series (folder of folders)", folder),
              QgsProcessingParameterFile("COARSE", "Coarse driver series (folder of folders)", folder),
              QgsProcessingParameterFile("SSM", "Coarse SSM series", folder),
              QgsProcessingParameterFile("RZSM", "Coarse RZSM series", folder),
              QgsProcessingParameterFile("STATIC", "Static layers folder", folder),
              QgsProcessingParameterRasterLayer("GRID", "A raster on the 1-km grid"),
              QgsProcessingParameterFile("STATIONS", "Stations", fileFilter="GeoPackage (*.gpkg)"),
              QgsProcessingParameterString("HOLDOUT", "Held-out stations (fraction or ids)", "0.25"),
              QgsProcessingParameterNumber("SEED", "Seed", QgsProcessingParameterNumber.Integer, 0, minValue=0)]
    for i, p in enumerate(inputs):
        mp = QgsProcessingModelParameter(p.name())
        mp.setPosition(QPointF(120 + 200 * i, 60))
        model.addModelParameter(p, mp)

    def child(alg_id, child_id, description, x, y, values, after=(), outputs=None):
        alg = registry.algorithmById(alg_id)
        c = QgsProcessingModelChildAlgorithm(alg_id)
        c.setChildId(child_id)
        c.setDescription(description)
        c.setPosition(QPointF(x, y))
        for name, value in values.items():
            d = alg.parameterDefinition(name)
            if d is None:
                raise KeyError(f"{alg_id} has no parameter {name}")
            if isinstance(value, src_):
                source = value
            elif d.type() == "enum" and not d.usesStaticStrings():
                source = src_.fromStaticValue(d.options().index(value))
            else:
                source = src_.fromStaticValue(value)
            c.addParameterSources(name, [source])
        for d in alg.parameterDefinitions():          # the tool's defaults, as the modeler's dialog sets them
            if d.name() not in values and not d.isDestination() and d.defaultValue() is not None:
                c.addParameterSources(d.name(), [src_.fromStaticValue(d.defaultValue())])
        if after:
            c.setDependencies([QgsProcessingModelChildDependency(a) for a in after])
        model_outputs = {}
        for k, (name, label) in enumerate((outputs or {}).values()):
            o = QgsProcessingModelOutput(label.upper().replace(" ", "_"), label)
            o.setChildId(child_id)
            o.setChildOutputName(name)
            o.setPosition(QPointF(x + 180, y + 50 + 30 * k))
            model_outputs[o.name()] = o
        c.setModelOutputs(model_outputs)
        model.addChildAlgorithm(c)

    par, expr = src_.fromModelParameter, src_.fromExpression
    for i, var in enumerate(DRIVERS):
        child("smfusion:estarfm", f"estarfm_{var}", f"ESTARFM {var}", 120 + 260 * i, 220,
              {"FINE": expr(f"@FINE || '/{var}'"), "COARSE": expr(f"@COARSE || '/{var}'"), "MODE": "fill"})
    drivers = expr(" || ';' || ".join(f"@ESTARFM_{var}_SERIES" for var in DRIVERS))
    fused = [f"estarfm_{var}" for var in DRIVERS]
    series = []
    for j, layer in enumerate(LAYERS):
        up = layer.upper()
        x0 = 120 + 700 * j
        common = {"STATIC": par("STATIC"), "DRIVERS": drivers, "COARSE": par(up), "LAYER": layer}
        child("smfusion:harmonise", f"bilinear_{layer}", f"Bilinear {up}", x0, 380,
              {"INPUT": par(up), "PRODUCT": "generic", "VARIABLE": layer, "RESAMPLING": "bilinear",
               "TARGET": par("GRID")})
        child("smfusion:downscale", f"downscale_{layer}", f"Downscale {up}", x0 + 240, 380,
              {**common}, after=fused, outputs={f"downscaled_{layer}": ("OUTPUT", f"Downscaled {up}")})
        child("smfusion:calibratetrain", f"calibratetrain_{layer}", f"Fine-tune CNN {up}", x0, 540,
              {**common, "DOWNSCALED": src_.fromChildOutput(f"downscale_{layer}", "OUTPUT"),
               "STATIONS": par("STATIONS"), "HOLDOUT": par("HOLDOUT"), "SEED": par("SEED"), "MODE": "head"},
              after=fused)
        child("smfusion:calibrate", f"calibrate_{layer}", f"Calibrate {up}", x0 + 240, 700,
              {**common, "DOWNSCALED": src_.fromChildOutput(f"downscale_{layer}", "OUTPUT"),
               "MODEL": src_.fromChildOutput(f"calibratetrain_{layer}", "OUTPUT_MODEL"), "METHOD": "auto",
               "STATIONS": par("STATIONS")},
              after=fused, outputs={f"calibrated_{layer}": ("OUTPUT", f"Calibrated {up}")})
        series += [f"'coarse bilinear|{layer}|' || @Bilinear_{up}_SERIES",
                   f"'downscaled|{layer}|' || @Downscale_{up}_SERIES",
                   f"'calibrated|{layer}|' || @Calibrate_{up}_SERIES"]
    child("smfusion:evaluate", "evaluate", "Evaluate at the held-out stations", 520, 880,
          {"SERIES": expr(" || ';' || ".join(series)), "STATIONS": par("STATIONS"),
           "SPLIT": src_.fromChildOutput("calibratetrain_ssm", "HELD_OUT")},
          after=[f"{s}_{layer}" for layer in LAYERS for s in ("bilinear", "downscale", "calibrate")],
          outputs={"metrics": ("OUTPUT_TABLE", "Metrics table"), "report": ("OUTPUT_HTML", "Report")})
    return model


def main(out=OUT):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_HASH_SEED"] = "0"             # the XML attributes in one order: a reproducible file
    sys.path[:0] = [str(ROOT / "build" / "plugins"), "/usr/share/qgis/python/plugins"]
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    from smfusion.plugin import dependencies
    dependencies.add_to_sys_path()
    from smfusion.processing_provider.provider import SMFusionProvider
    provider = SMFusionProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    model = build()
    ok, errors = model.validate() if hasattr(model, "validate") else (True, [])
    if not ok:
        raise SystemExit("The model does not validate: " + "; ".join(errors))
    if not model.toFile(str(out)):
        raise SystemExit(f"Cannot write {out}")
    print(f"{out}: {len(model.childAlgorithms())} steps, inputs "
          f"{', '.join(p.name() for p in model.parameterDefinitions())}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
