"""Dialog that lists missing Python packages and installs the pinned set with pip (plugin/dependencies.py)."""

from qgis.PyQt.QtCore import QProcess
from qgis.PyQt.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ..plugin import dependencies
from ..plugin.i18n import tr


class DependencyDialog(QDialog):
    """Shows what is missing and the exact pip command; *Install* runs it and shows pip's output."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("SM Fusion — Python packages"))
        self.resize(720, 420)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.install_button = QPushButton(tr("Install"))
        self.copy_button = QPushButton(tr("Copy command"))
        self.buttons.addButton(self.install_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.install_button.clicked.connect(self.install)
        self.copy_button.clicked.connect(self.copy_command)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)
        self.process = None
        self.refresh()

    def refresh(self):
        missing = dependencies.missing_packages(load=True)
        self.install_button.setEnabled(bool(missing) and dependencies.package_set() is not None)
        self.status.setText(dependencies.report(missing).replace("\n", "<br>"))

    def copy_command(self):
        QApplication.clipboard().setText(dependencies.format_command(dependencies.pip_command()))

    def install(self):
        cmd = dependencies.pip_command()
        problem = dependencies.no_set_message() if cmd is None else dependencies.interpreter_problem(cmd[0])
        if problem:
            self.log.appendPlainText(tr("Not installing: {}").format(problem))
            return
        dependencies.deps_dir().mkdir(parents=True, exist_ok=True)
        self.log.appendPlainText("$ " + dependencies.format_command(cmd))
        self.install_button.setEnabled(False)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(
            lambda: self.log.appendPlainText(bytes(self.process.readAllStandardOutput()).decode(errors="replace")))
        self.process.finished.connect(self._finished)
        self.process.start(cmd[0], cmd[1:])

    def _finished(self, code, _status):
        if code == 0:
            dependencies.mark_installed()
        dependencies.add_to_sys_path()
        self.log.appendPlainText(f"pip finished with exit code {code}.")
        self.refresh()
