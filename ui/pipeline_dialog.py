"""The "SM Fusion" dialog: a short guided form for the whole pipeline. It checks each folder as it is
picked (series widget), shows the pairs ESTARFM will use (read in a background task), the date coverage of
every input on a small timeline and the estimated run time, and runs ``smfusion:pipeline`` through Processing
(``QgsProcessingAlgRunnerTask``: progress in the status bar, QGIS stays responsive, the run in the Processing
history). When the run ends the results load styled and animatable, and the report opens in the browser.
"""

import datetime as dt
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsTask,
)
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QRectF, Qt, QUrl
from qgis.PyQt.QtGui import QColor, QDesktopServices, QFont, QPainter, QPen
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..plugin.i18n import noop, tr
from ..plugin.plugin import LOG_TAG
from .series_widget import SeriesFolderWidget

ALIGN_V = Qt.AlignmentFlag.AlignVCenter

PIPELINE = "smfusion:pipeline"


class TimelineWidget(QWidget):
    """One row per input: a tick on each date it holds, across the span of all inputs; pair dates of a
    fine driver series are drawn red. ``set_rows([(label, dates, pair_dates)])``."""

    ROW = 16
    LABEL = 120

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = []
        self.setMinimumHeight(40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows):
        self.rows = [(label, sorted(dates), set(pairs or ())) for label, dates, pairs in rows]
        self.setFixedHeight(max(40, self.ROW * (len(self.rows) + 1) + 6))
        self.update()

    def span(self):
        dates = [d for _, ds, _ in self.rows for d in ds]
        return (min(dates), max(dates)) if dates else (None, None)

    def paintEvent(self, event):  # noqa: N802 - Qt API name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        start, end = self.span()
        if start is None:
            painter.setPen(QColor("#757575"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("Pick the inputs to see their dates"))
            return
        width = max(1.0, self.width() - self.LABEL - 8)
        days = max(1, (end - start).days)
        font = QFont(painter.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        for k, (label, dates, pairs) in enumerate(self.rows):
            y = 4 + k * self.ROW
            painter.setPen(QColor("#212121"))
            painter.drawText(QRectF(2, y, self.LABEL - 6, self.ROW), ALIGN_V | Qt.AlignmentFlag.AlignRight, label)
            painter.fillRect(QRectF(self.LABEL, y + self.ROW / 2 - 0.5, width, 1), QColor("#e0e0e0"))
            for d in dates:
                x = self.LABEL + width * (d - start).days / days
                colour = QColor("#d32f2f") if d in pairs else QColor("#1565c0")
                painter.setPen(QPen(colour, 2 if d in pairs else 1))
                painter.drawLine(int(x), y + 3, int(x), y + self.ROW - 3)
        y = 4 + len(self.rows) * self.ROW
        painter.setPen(QColor("#424242"))
        box = QRectF(self.LABEL, y, width, self.ROW)
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft | ALIGN_V, f"{start:%Y-%m-%d}")
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | ALIGN_V, f"{end:%Y-%m-%d}")
        painter.end()


class RunFeedback(QgsProcessingFeedback):
    """A run's feedback: every message goes to the SM Fusion log panel; the errors are kept for the message
    bar."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def pushInfo(self, text):  # noqa: N802 - QGIS API name
        QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Info)
        super().pushInfo(text)

    def reportError(self, text, fatalError=False):  # noqa: N802, N803 - QGIS API names
        self.errors.append(text)
        QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Critical)
        super().reportError(text, fatalError)


def pipeline_algorithm():
    """smfusion:pipeline from the Processing registry (the plugin registers its provider at start)."""
    alg = QgsApplication.processingRegistry().createAlgorithmById(PIPELINE)
    if alg is None:
        from ..core.errors import SMFusionError
        raise SMFusionError(f"{PIPELINE} is not registered: enable the SM Fusion plugin (its Processing provider)")
    return alg


def record_history(alg, parameters, context):
    """Enter a run in the Processing history, as QGIS's own tool dialogs do: the history registry where this
    QGIS has it (3.32+), else processing.log."""
    command = alg.asPythonCommand(parameters, context)
    try:
        from processing.core.ProcessingLog import ProcessingLog
    except ImportError:
        from qgis.gui import QgsGui
        QgsGui.historyProviderRegistry().addEntry("processing", {
            "python_command": command, "algorithm_id": alg.id(), "parameters": alg.asMap(parameters, context)})
        return command
    ProcessingLog.addToLog(command)
    return command


class CheckTask(QgsTask):
    """The input check in the background: each driver's ESTARFM pairs (it reads every fine image) and what a
    later stage will need (core.pipeline.preflight). ``done(pairs, lines)`` runs on the main thread."""

    def __init__(self, fine, coarse, drivers, arguments, done):
        super().__init__("SM Fusion: checking the inputs", QgsTask.Flag.CanCancel)
        self.fine, self.coarse, self.drivers, self.arguments, self.done = fine, coarse, drivers, arguments, done
        self.pairs, self.lines = {}, []

    def run(self):
        from ..core.errors import SMFusionError
        from ..core.fusion import plan_pairs
        from ..core.pipeline import preflight
        for var in self.drivers:
            try:
                pairs = plan_pairs(Path(self.fine) / var, Path(self.coarse) / var, is_cancelled=self.isCanceled)
                self.pairs[var] = pairs
                self.lines.append(tr("{}: {} pairs, {} … {}").format(var, len(pairs), f"{pairs[0]:%Y-%m-%d}",
                                                                     f"{pairs[-1]:%Y-%m-%d}"))
            except SMFusionError as err:
                self.lines.append(f"{var}: {err}")
        if self.arguments is not None:
            a = self.arguments
            try:
                bad, notes = preflight(a["fine"], a["coarse"], a["sm_coarse"], a["static"], a["stations"],
                                       a["holdout"], a["seed"])
            except SMFusionError as err:
                bad, notes = [str(err)], []
            self.lines += [tr("Problem: {}").format(p) for p in bad] + [tr("Note: {}").format(n) for n in notes]
        return not self.isCanceled()

    def finished(self, ok):
        self.done(self.pairs, self.lines if ok else [tr("The check was cancelled")])


class PipelineDialog(QDialog):
    """The guided form. ``iface`` may be None (tests); results then load into QgsProject.instance()."""

    def __init__(self, iface=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.task = self.running = self.checking = self.error = None
        self.context = self.feedback = None
        self.pairs = {}
        self.setObjectName("smfusionPipelineDialog")
        self.setWindowTitle(tr("SM Fusion — daily 1-km soil moisture"))
        self.setMinimumWidth(900)
        intro = QLabel(tr("ESTARFM fuses each fine driver series with its coarse twin, LightGBM downscales the coarse "
                          "SSM and RZSM to the fine grid, a CNN fine-tuned on your training stations calibrates them, "
                          "and the held-out stations score the bilinear, downscaled and calibrated series."))
        intro.setWordWrap(True)
        self.fine = SeriesFolderWidget(kinds=("group",))
        self.fine.setToolTip(tr("A folder with one series sub-folder per driver: ndvi/, lst_day/, albedo/…"))
        self.coarse = SeriesFolderWidget(kinds=("group",))
        self.ssm = SeriesFolderWidget(kinds=("series", "raw"), optional=True)
        self.rzsm = SeriesFolderWidget(kinds=("series", "raw"), optional=True)
        self.static = SeriesFolderWidget(kinds=("static",))
        self.stations = QgsFileWidget()
        self.stations.setFilter("GeoPackage (*.gpkg)")
        self.holdout = QLineEdit("0.25")
        self.holdout.setToolTip(tr("A fraction of the stations (drawn with the seed) or comma-separated ids"))
        self.seed = QSpinBox()
        self.seed.setRange(0, 10_000)
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        inputs = QGroupBox(tr("Inputs"))
        form = QFormLayout(inputs)
        for label, widget in ((noop("Fine drivers"), self.fine), (noop("Coarse drivers"), self.coarse),
                              (noop("Coarse SSM"), self.ssm), (noop("Coarse RZSM"), self.rzsm),
                              (noop("Static layers"), self.static), (noop("Stations"), self.stations),
                              (noop("Held-out stations"), self.holdout), (noop("Seed"), self.seed),
                              (noop("Output folder"), self.output)):
            form.addRow(tr(label), widget)
        self.timeline = TimelineWidget()
        self.pairs_label = QLabel("")
        self.pairs_label.setObjectName("pairsLabel")
        self.estimate_label = QLabel("")
        self.estimate_label.setObjectName("estimateLabel")
        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b71c1c;")
        self.check_button = QPushButton(tr("Check inputs and show the pairs"))
        self.check_button.clicked.connect(lambda: self.check())
        coverage = QGroupBox(tr("Coverage (red: ESTARFM pair dates)"))
        cov = QVBoxLayout(coverage)
        for w in (self.timeline, self.pairs_label, self.estimate_label, self.check_button):
            cov.addWidget(w)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = self.buttons.addButton(tr("Run"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("runButton")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        columns = QHBoxLayout()                    # inputs left, coverage right: fits a 1080-px screen
        columns.addWidget(inputs, 3)
        right = QVBoxLayout()
        right.addWidget(coverage)
        right.addWidget(self.problems_label)
        right.addStretch(1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns)
        layout.addWidget(self.buttons)
        for w in (self.fine, self.coarse, self.ssm, self.rzsm, self.static):
            w.changed.connect(self.refresh)
        self.stations.fileChanged.connect(self.refresh)
        self.output.fileChanged.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ state
    def set_inputs(self, fine=None, coarse=None, ssm=None, rzsm=None, static=None, stations=None, output=None):
        """Fill the form (e.g. from a demo region: ``set_inputs(**demo_inputs(folder))``)."""
        for widget, value in ((self.fine, fine), (self.coarse, coarse), (self.ssm, ssm), (self.rzsm, rzsm),
                              (self.static, static)):
            if value is not None:
                widget.setFilePath(value)
        if stations is not None:
            self.stations.setFilePath(str(stations))
        if output is not None:
            self.output.setFilePath(str(output))
        self.refresh()

    def problems(self):
        """What stops a run, one line each (empty when the form is ready)."""
        out = []
        for name, w in (("Fine drivers", self.fine), ("Coarse drivers", self.coarse), ("Coarse SSM", self.ssm),
                        ("Coarse RZSM", self.rzsm), ("Static layers", self.static)):
            bad = w.problem()
            if bad:
                out.append(f"{tr(name)}: {bad}")
        if not (self.ssm.filePath() or self.rzsm.filePath()):
            out.append(tr("Give the coarse SSM, the coarse RZSM, or both"))
        if self.fine.info and self.coarse.info and self.fine.info.kind == self.coarse.info.kind == "group":
            if not set(self.fine.info.members) & set(self.coarse.info.members):
                out.append(tr("The fine and coarse folders share no driver sub-folder"))
        if not Path(self.stations.filePath() or "/nonexistent").is_file():
            out.append(tr("Stations: choose a station GeoPackage (smfusion:importstations)"))
        if not self.output.filePath():
            out.append(tr("Output folder: choose one"))
        try:
            from ..core.calibrate import parse_holdout
            parse_holdout(self.holdout.text())
        except Exception as err:  # noqa: BLE001 - any parse error is a form problem
            out.append(f"{tr('Held-out stations')}: {err}")
        return out

    def drivers(self):
        if not (self.fine.info and self.coarse.info and self.fine.info.kind == "group" == self.coarse.info.kind):
            return []
        return sorted(set(self.fine.info.members) & set(self.coarse.info.members))

    def refresh(self, *_):
        """Timeline, estimate and problems from what the widgets already know (no file is read here)."""
        rows = []
        for side, w in (("fine", self.fine), ("coarse", self.coarse)):
            if w.info is not None and w.info.kind == "group":
                for name, member in w.info.members.items():
                    rows.append((f"{side} {name}", member.dates, self.pairs.get(name) if side == "fine" else None))
        for name, w in (("SSM", self.ssm), ("RZSM", self.rzsm)):
            if w.info is not None and w.info.dates:
                rows.append((name, w.info.dates, None))
        self.timeline.set_rows(rows)
        self.estimate_label.setText(self.estimate_text())
        problems = self.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.run_button.setEnabled(not problems and self.task is None)

    def estimate_text(self):
        from ..core.pipeline import estimate_seconds
        info = self.fine.info
        if info is None or info.kind != "group" or info.grid is None or not info.dates:
            return ""
        layers = sum(1 for w in (self.ssm, self.rzsm) if w.filePath())
        s = estimate_seconds(info.grid.width * info.grid.height, len(info.dates), max(1, len(self.drivers())),
                             max(1, layers))
        when = f"{s / 60:.0f} min" if s >= 90 else f"{s:.0f} s"
        return (f"{len(info.dates)} dates × {info.grid.width}×{info.grid.height} px, {len(self.drivers())} "
                f"driver(s), {layers} layer(s): ≈ {when}")

    def check(self, wait=False):
        """Check the inputs in a background task (:class:`CheckTask`): the pair dates of every driver, and what
        a later stage will need; the results fill the pairs label. ``wait``: return when done (tests)."""
        if self.checking is not None:
            return self.pairs
        arguments = None
        if not self.problems():
            arguments = pipeline_algorithm().arguments(self.parameters(), QgsProcessingContext())
        self.pairs_label.setText(tr("Checking the inputs (reading the fine series)…"))
        self.check_button.setEnabled(False)
        self.checking = CheckTask(self.fine.filePath(), self.coarse.filePath(), self.drivers(), arguments,
                                  self.on_checked)
        QgsApplication.taskManager().addTask(self.checking)
        while wait and self.checking is not None:
            QgsApplication.processEvents()
        return self.pairs

    def on_checked(self, pairs, lines):
        self.checking = None
        self.pairs = pairs
        self.check_button.setEnabled(True)
        self.pairs_label.setText("\n".join(lines) if lines else tr("No driver to fuse yet"))
        self.refresh()

    # ------------------------------------------------------------------ run
    def parameters(self):
        """The form as the parameters of smfusion:pipeline (the tool maps them to the engine)."""
        return {"FINE": self.fine.filePath(), "COARSE": self.coarse.filePath(),
                "SSM": self.ssm.filePath() or None, "RZSM": self.rzsm.filePath() or None,
                "STATIC": self.static.filePath(), "STATIONS": self.stations.filePath(),
                "HOLDOUT": self.holdout.text(), "SEED": self.seed.value(), "OUTPUT": self.output.filePath()}

    def start(self):
        """Run smfusion:pipeline in the background through Processing (the dialog stays open and can be
        closed; the task goes on). Returns the task, or None when the form has problems."""
        problems = self.problems()
        if problems:
            self.problems_label.setText("\n".join(f"• {p}" for p in problems))
            return None
        alg = pipeline_algorithm()
        parameters = self.parameters()
        self.context = QgsProcessingContext()       # no project: the dialog loads the results itself (on_done)
        self.feedback = RunFeedback()
        record_history(alg, parameters, self.context)
        self.task = QgsProcessingAlgRunnerTask(alg, parameters, self.context, self.feedback)
        self.task.executed.connect(self.on_executed)
        self.run_button.setEnabled(False)
        QgsApplication.taskManager().addTask(self.task)
        self.running = self._message(tr("The pipeline runs in the background: see the progress in the status bar"),
                                     Qgis.MessageLevel.Info, duration=0)
        return self.task

    def on_executed(self, ok, results):
        """The Processing run ended: a summary for :meth:`on_done`, or why it did not finish."""
        if self.feedback.isCanceled():
            self.error = "cancelled"
        elif not ok or not results.get("OUTPUT"):
            self.error = self.feedback.errors[-1] if self.feedback.errors else "failed"
        else:
            self.error = None
        summary = None if self.error else {"output": Path(results["OUTPUT"]), "report": Path(results["REPORT"]),
                                           "table": results["METRICS"]}
        self.on_done(summary, self.error)

    def on_done(self, summary, error):
        self.task = None
        self.refresh()
        if self.running is not None and self.iface is not None:   # it would come back when the next one expires
            self.iface.messageBar().popWidget(self.running)
        self.running = None
        if error == "cancelled":
            self._message(tr("The pipeline was cancelled; the files already complete are kept, and Run resumes"),
                          Qgis.MessageLevel.Warning)
            return
        if error:
            self._message(tr("The pipeline stopped: {}").format(error), Qgis.MessageLevel.Critical)
            return
        from .layers import add_pipeline_outputs, frame_days
        add_pipeline_outputs(summary["output"], QgsProject.instance())
        if self.iface is not None:
            frame_days(self.iface.mapCanvas(), QgsProject.instance())
        QgsMessageLog.logMessage(summary["table"], LOG_TAG, Qgis.MessageLevel.Info)
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(summary["report"]))):
            self._message(tr("Pipeline done: {}").format(summary["report"]), Qgis.MessageLevel.Success)
        else:
            self._message(tr("Pipeline done. No browser opened the report: open {}").format(summary["report"]),
                          Qgis.MessageLevel.Success, duration=0)

    def _message(self, text, level, duration=8):
        """Log ``text`` and show it in the message bar (``duration`` s; 0 = until closed); returns the bar's
        item, or None without an iface."""
        QgsMessageLog.logMessage(text, LOG_TAG, level)
        if self.iface is None:
            return None
        bar = self.iface.messageBar()
        item = bar.createMessage(LOG_TAG, text)
        item.setLevel(level)
        item.setDuration(duration)
        bar.pushItem(item)
        return item


def demo_inputs(folder):
    """The form's values for a demo region written by smfusion:demodata."""
    folder = Path(folder)
    return {"fine": folder / "fine", "coarse": folder / "coarse", "ssm": folder / "gleam" / "ssm",
            "rzsm": folder / "gleam" / "rzsm", "static": folder / "static",
            "stations": folder / "stations" / "stations.gpkg", "output": folder / f"run_{dt.date.today():%Y%m%d}"}
