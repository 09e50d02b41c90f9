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
MODEL = Path(__file__).resolve().parent / "pipeline_model.model3"


class PipelineModel(QgsProcessingModelAlgorithm):
    """The shipped graphical model, under a display name (a model's name is both its id and its label)."""

    def displayName(self):  # noqa: N802 - QGIS API name
        from ..plugin.i18n import tr
        return tr("Run the whole pipeline (graphical model)")

    def createInstance(self):  # noqa: N802 - QGIS API name
        return load_model()


def load_model():
    """The shipped model as a :class:`PipelineModel`, or None (logged) when the file does not read."""
    model = PipelineModel()
    if model.fromFile(str(MODEL)):
        return model
    QgsMessageLog.logMessage(f"Cannot read the model {MODEL}", "SM Fusion")
    return None

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
        model = load_model()
        if model is not None:
            self.addAlgorithm(model)
