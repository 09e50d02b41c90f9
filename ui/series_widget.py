"""A folder picker that says what the folder holds as the user picks it: the number of files, the date
range, the grid (CRS, size, pixel size) and the problems (mixed grids, names without a date).

:class:`SeriesFolderWidget` is used by the SM Fusion dialog; :class:`SeriesWidgetWrapper` puts it into
the Processing tool dialogs (parameter metadata ``widget_wrapper``, see processing_provider/base.py).
"""


from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..core.series import inspect
from ..plugin import compat
from ..plugin.i18n import tr

OK_STYLE = "color: #1b5e20;"
BAD_STYLE = "color: #b71c1c;"


class SeriesFolderWidget(QWidget):
    """A folder picker and a summary label. ``kinds``: what the folder may be (``series``, ``group``,
    ``static``, ``raw``); anything else, or a problem, shows in red. ``changed`` carries the path."""

    changed = pyqtSignal(str)

    def __init__(self, parent=None, kinds=("series",), optional=False):
        super().__init__(parent)
        self.kinds = tuple(kinds)
        self.optional = optional
        self.info = None
        self.file_widget = QgsFileWidget(self)
        self.file_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.file_widget.setDialogTitle(tr("Select a folder"))
        self.label = QLabel(self)            # no word wrap: a wrapped label in a form gets clipped
        self.label.setObjectName("seriesSummary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.file_widget)
        layout.addWidget(self.label)
        self.file_widget.fileChanged.connect(self._on_change)
        self._show()

    def filePath(self):  # noqa: N802 - Qt naming, as QgsFileWidget
        return self.file_widget.filePath()

    def setFilePath(self, path):  # noqa: N802 - Qt naming
        self.file_widget.setFilePath(str(path) if path else "")
        self._on_change(self.file_widget.filePath())

    def problem(self):
        """None when the folder is acceptable, else the reason (for a dialog's validation)."""
        path = self.filePath()
        if not path:
            return None if self.optional else "no folder chosen"
        return (self.info or inspect(path)).problem(self.kinds)

    def _on_change(self, path):
        self.info = inspect(path) if path else None
        self._show()
        self.changed.emit(path or "")

    def _show(self):
        if self.info is None:
            self.label.setText("" if self.optional else tr("Choose a folder"))
            self.label.setStyleSheet("color: #616161;")
            return
        text = self.info.summary()
        bad = self.problem()
        if bad and self.info.kind not in self.kinds and self.info.kind != "missing":
            text += f"\n⚠ {bad}"
        self.label.setText(text)
        self.label.setToolTip(text)
        self.label.setMinimumHeight((self.label.fontMetrics().lineSpacing() + 3) * (text.count("\n") + 1) + 6)
        self.label.setStyleSheet(BAD_STYLE if bad else OK_STYLE)


def _processing_wrappers():
    """Processing's Python widget-wrapper base class (imported lazily: only the desktop has it). WidgetWrapper
    is the base that QGIS 4 keeps for wrappers named in a parameter's metadata."""
    from processing.gui.wrappers import DIALOG_STANDARD, WidgetWrapper
    return DIALOG_STANDARD, WidgetWrapper


try:
    _STANDARD, _Wrapper = _processing_wrappers()
except ImportError:                       # no Processing plugin: the tools fall back to the plain widget
    _STANDARD, _Wrapper = None, object

# the Python dialogs by class name, as Processing's wrappers tell them apart
_NOT_STANDARD = {"ModelerParametersDialog": "modeler", "BatchAlgorithmDialog": "batch"}


def _processing_own_wrapper(param, dialog):
    """Processing's own (C++) folder widget for the batch and modeler dialogs, as it makes for a parameter
    without a widget_wrapper: the modeler's offers model inputs and other steps' outputs."""
    from qgis.gui import QgsGui, QgsProcessingGui
    registry = QgsGui.processingGuiRegistry()
    if _NOT_STANDARD[type(dialog).__name__] == "modeler":
        return registry.createModelerParameterWidget(dialog.model, dialog.childId, param, dialog.context)
    wrapper = registry.createParameterWidgetWrapper(param, QgsProcessingGui.WidgetType.Batch)
    if wrapper is not None:
        wrapper.setDialog(dialog)
    return wrapper


class SeriesWidgetWrapper(_Wrapper):
    """The folder parameter of a tool dialog shown with :class:`SeriesFolderWidget`; batch and modeler
    dialogs get Processing's own folder widget instead (``__new__`` returns it). Metadata keys: ``kinds``
    (list of folder kinds)."""

    def __new__(cls, param, dialog, row=0, col=0, **kwargs):
        if type(dialog).__name__ in _NOT_STANDARD:
            own = _processing_own_wrapper(param, dialog)
            if own is not None:
                return own
        return super().__new__(cls)

    def __init__(self, param, dialog, row=0, col=0, kinds=("series",), **kwargs):
        self.kinds = tuple(kinds)
        super().__init__(param, dialog, row, col, **kwargs)

    def createWidget(self):  # noqa: N802 - Processing API name
        optional = bool(self.parameterDefinition().flags() & compat.FLAG_OPTIONAL)
        widget = SeriesFolderWidget(kinds=self.kinds, optional=optional)
        widget.changed.connect(lambda _: self.widgetValueHasChanged.emit(self))
        return widget

    def setValue(self, value):  # noqa: N802 - Processing API name
        self.widget.setFilePath(value if value not in (None, "") else "")

    def value(self):
        return self.widget.filePath() or None
