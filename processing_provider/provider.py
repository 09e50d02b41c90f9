"""The Processing provider: an id, a name, an icon, and one instance of each algorithm."""

from pathlib import Path

from qgis.core import QgsMessageLog, QgsProcessingModelAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .calibrate import CalibrateAlgorithm
from .calibratetrain import CalibrateTrainAlgorithm
from .demodata import DemoDataAlgorithm
from .downscale import DownscaleAlgorithm
from .estarfm import EstarfmAlgorithm
from .estarfmdate import EstarfmDateAlgorithm
from .evaluate import EvaluateAlgorithm
from .export import ExportAlgorithm
from .grid import GridAlgorithm
from .harmonise import HarmoniseAlgorithm
from .importstations import ImportStationsAlgorithm
from .pipeline import PipelineAlgorithm

# smfusion:pipeline_model — the pipeline as a graphical model of the single tools (written by scripts/make_model.py)
MODELS = (Path(__file__).resolve().parent / "pipeline_model.model3",)

ALGORITHMS = (DemoDataAlgorithm, GridAlgorithm, HarmoniseAlgorithm, EstarfmAlgorithm, EstarfmDateAlgorithm,
              DownscaleAlgorithm, ImportStationsAlgorithm, EvaluateAlgorithm, CalibrateTrainAlgorithm,
              CalibrateAlgorithm, ExportAlgorithm, PipelineAlgorithm)


class SMFusionProvider(QgsProcessingProvider):
    def id(self):
        return "smfusion"

    def name(self):
        return "SM Fusion"

    def longName(self):  # noqa: N802 - QGIS API name
        from ..plugin.i18n import tr
        return tr("SM Fusion: daily 1-km soil moisture (ESTARFM, LightGBM, CNN)")

    def versionInfo(self):  # noqa: N802 - QGIS API name
        from ..core import __version__
        return __version__

    def icon(self):
        return QIcon(str(Path(__file__).resolve().parents[1] / "icon.svg"))

    def loadAlgorithms(self):  # noqa: N802 - QGIS API name
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
        for path in MODELS:
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(str(path)):
                self.addAlgorithm(model)
            else:
                QgsMessageLog.logMessage(f"Cannot read the model {path}", "SM Fusion")
