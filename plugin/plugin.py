"""The QGIS plugin class: registers the Processing provider, adds the menu, checks dependencies.

``initProcessing`` is all that ``qgis_process`` calls (``iface`` is None there); the desktop calls
``initGui``, which calls ``initProcessing`` too.
"""

import sys
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from . import dependencies
from .i18n import tr

PLUGIN_DIR = Path(__file__).resolve().parents[1]
ICON = PLUGIN_DIR / "icon.svg"
MENU = "&SM Fusion"
LOG_TAG = "SM Fusion"


class SMFusionPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.actions = []
        self.toolbar_actions = []
        self.dialog = None
        self.missing = []

    # ------------------------------------------------------------------ processing (headless too)
    def initProcessing(self):  # noqa: N802 - QGIS API name
        if self.provider is not None:
            return
        dependencies.add_to_sys_path()
        self.missing = dependencies.missing_packages()      # found, not imported: they load when a tool runs
        if self.missing:
            message = dependencies.report(self.missing)
            QgsMessageLog.logMessage(message, LOG_TAG, Qgis.MessageLevel.Warning)
            if self.iface is None:
                print(message, file=sys.stderr)
        from ..processing_provider.provider import SMFusionProvider

        self.provider = SMFusionProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    # ------------------------------------------------------------------ desktop
    def initGui(self):  # noqa: N802 - QGIS API name
        self.initProcessing()
        if self.iface is None:
            return
        from qgis.PyQt.QtGui import QIcon
        from qgis.PyQt.QtWidgets import QAction

        icon = QIcon(str(ICON))
        window = self.iface.mainWindow()
        main = QAction(icon, tr("SM Fusion…"), window)
        main.setObjectName("smfusionPipeline")
        main.setToolTip(tr("Run the whole pipeline: fusion, downscaling, calibration, evaluation"))
        main.triggered.connect(self.show_dialog)
        self.iface.addToolBarIcon(main)
        self.toolbar_actions.append(main)
        toolbox = QAction(icon, tr("SM Fusion tools…"), window)
        toolbox.setObjectName("smfusionShowToolbox")
        toolbox.setToolTip(tr("Open the Processing toolbox at the SM Fusion tools"))
        toolbox.triggered.connect(self.show_toolbox)
        deps = QAction(tr("Check Python packages…"), window)
        deps.setObjectName("smfusionDependencies")
        deps.triggered.connect(self.show_dependencies)
        for action in (main, toolbox, deps):
            self.iface.addPluginToRasterMenu(MENU, action)
            self.actions.append(action)
        if self.missing:
            self._offer_install()

    def unload(self):
        for action in self.actions:
            if self.iface is not None:
                self.iface.removePluginRasterMenu(MENU, action)
                if action in self.toolbar_actions:
                    self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions, self.toolbar_actions = [], []
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    def show_dialog(self):
        """The SM Fusion dialog (kept between openings, so a run's form stays filled)."""
        from ..ui.pipeline_dialog import PipelineDialog

        if self.dialog is None:
            self.dialog = PipelineDialog(self.iface, self.iface.mainWindow())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def show_toolbox(self):
        """Show the Processing toolbox, filtered to the SM Fusion provider."""
        from qgis.PyQt.QtWidgets import QDockWidget

        dock = self.iface.mainWindow().findChild(QDockWidget, "ProcessingToolbox")
        if dock is None:
            self.iface.messageBar().pushWarning(LOG_TAG, "Enable the Processing plugin to see the tools.")
            return
        dock.setVisible(True)
        dock.raise_()
        search = getattr(dock, "searchBox", None)
        if search is not None:
            search.setText("smfusion:")

    def show_dependencies(self):
        from ..ui.dependency_dialog import DependencyDialog

        DependencyDialog(self.iface.mainWindow()).exec()
        self.missing = dependencies.missing_packages()

    def _offer_install(self):
        from qgis.PyQt.QtWidgets import QPushButton

        names = ", ".join(name for name, _ in self.missing)
        bar = self.iface.messageBar()
        item = bar.createMessage(LOG_TAG, tr("Python packages missing: {}. The fusion, downscaling and calibration "
                                             "tools need them.").format(names))
        button = QPushButton(tr("Install…"))
        button.clicked.connect(self.show_dependencies)
        item.layout().addWidget(button)
        bar.pushWidget(item, Qgis.MessageLevel.Warning)
