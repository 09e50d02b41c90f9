"""Base class of every SM Fusion algorithm: names, group, help text, feedback and errors in one place.

A concrete algorithm sets the class attributes (NAME, DISPLAY_NAME, GROUP, SHORT, HELP, PARAM_HELP, EXAMPLE, TAGS,
ADVANCED), declares its parameters in :meth:`define`, and implements :meth:`execute` as parameters → one core
call → outputs, passing ``callbacks(feedback)`` to core for progress and cancellation. PARAM_HELP becomes each
parameter's tooltip, ADVANCED the parameters under "Advanced parameters", and the help page of ``help/``
(``make help-pages``: scripts/make_help.py) the tool's help link.
"""

import html
import re
from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..core.errors import SMFusionError
from ..plugin import compat
from ..plugin.i18n import tr

# "Pipeline" keeps its name as its id: a .model3 (smfusion:pipeline_model) has its group's name as its group id
GROUPS = {"Inputs": "inputs", "Fusion": "fusion", "Downscaling": "downscaling", "Stations": "stations",
          "Evaluation": "evaluation", "Calibration": "calibration", "Outputs": "outputs", "Pipeline": "Pipeline"}


def callbacks(feedback):
    """core's (progress, is_cancelled) callbacks that drive a QgsProcessingFeedback."""

    def progress(fraction, message=None):
        if message:
            feedback.pushInfo(message)
        if fraction is not None:
            feedback.setProgress(100.0 * fraction)

    def is_cancelled():
        return feedback.isCanceled()

    return progress, is_cancelled


def date_parameter(alg, parameters, name, context):
    """An optional date parameter as a ``datetime.date`` (None when unset), through core's one parser."""
    from ..core.series import parse_user_date
    if parameters.get(name) in (None, ""):
        return None
    value = alg.parameterAsDateTime(parameters, name, context)
    return parse_user_date(value.date().toString("yyyy-MM-dd"), name) if value.isValid() else None


def optional_number(alg, parameters, name, context):
    """An optional number parameter as a float, or None when unset."""
    if parameters.get(name) in (None, ""):
        return None
    return alg.parameterAsDouble(parameters, name, context)


def _number_text(x):
    return f"{x:g}" if abs(x) < 1e15 else ("any" if x > 0 else "-any")


def value_problem(param, value):
    """What is wrong with ``value`` (as given: text or a number) for a number or date parameter, naming the
    parameter and what it allows; None when it is fine or not of those kinds (Processing checks the rest)."""
    from qgis.core import QgsProcessingParameterDateTime, QgsProcessingParameterNumber
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    name = f"{param.description()} ({param.name()})"
    if isinstance(param, QgsProcessingParameterNumber) and isinstance(value, (str, int, float)):
        try:
            x = float(value)
        except ValueError:
            return f"{name}: {value!r} is not a number"
        whole = param.dataType() == compat.INTEGER
        lo, hi = param.minimum(), param.maximum()
        allowed = ("a whole number" if whole else "a number") + (
            f" from {_number_text(lo)} to {_number_text(hi)}" if lo > -1e300 and hi < 1e300 else
            f" of at least {_number_text(lo)}" if lo > -1e300 else
            f" of at most {_number_text(hi)}" if hi < 1e300 else "")
        if (whole and x != int(x)) or not lo <= x <= hi:
            return f"{name} must be {allowed} (got {value})"
    if isinstance(param, QgsProcessingParameterDateTime) and isinstance(value, str):
        from ..core.series import parse_user_date
        try:
            parse_user_date(value.strip(), name)
        except SMFusionError as err:
            return str(err)
    return None


PREDICTOR_HELP = {
    "PREDICTORS": "Predictor folder: one series sub-folder per variable (e.g. the fused ndvi/, lst_day/, albedo/) "
                  "and/or static/ with single GeoTIFFs (dem, slope, clay, sand, porosity…), all on the 1-km grid. "
                  "Optional when STATIC and DRIVERS give the predictors.",
    "STATIC": "Optional folder of static GeoTIFFs on the 1-km grid, when they are not PREDICTORS/static.",
    "DRIVERS": "Optional further driver series folders (e.g. smfusion:estarfm outputs), separated by ';'; each is "
               "named by its files' variable (ndvi_YYYYMMDD.tif → ndvi).",
}


def _memory_help():
    from ..core.memory import DEFAULT_DAYS, MAX_DAYS
    return (f"Days τ of the temporal memory (0–{MAX_DAYS}; 0 = none). The {{what}} written for a date is its "
            "exponentially weighted mean over the earlier dates (weight exp(−age/τ)), with the mean of the first "
            "τ days as a prior: the drivers' day-to-day noise leaves it, while the coarse product keeps the "
            "day's changes, such as the wetting after rain. Earlier dates are replayed, so a later START or a "
            f"resumed run writes the same values. Default {DEFAULT_DAYS:g}: the spatial pattern of soil moisture "
            "is stable in time (Vachaud et al. 1985).")


MEMORY_HELP = _memory_help()


def memory_parameter(alg, label):
    """MEMORY (days τ of core/memory.py), 0–MAX_DAYS, default :data:`~core.memory.DEFAULT_DAYS`."""
    from qgis.core import QgsProcessingParameterNumber

    from ..core.memory import DEFAULT_DAYS, MAX_DAYS
    alg.addParameter(QgsProcessingParameterNumber("MEMORY", label, compat.DOUBLE, DEFAULT_DAYS, minValue=0.0,
                                                  maxValue=float(MAX_DAYS)))


SCHEDULER_HELP = ("Where the work runs. Empty: in this QGIS (or qgis_process) process. <i>local:N</i>: a "
                  "dask cluster of N worker processes on this computer, started for the run. "
                  "<i>tcp://host:port</i>: an existing dask cluster, whose workers can import the engine "
                  "(README, “Scaling out”). The files are the same wherever the work runs.")


def scheduler_parameter(alg):
    """SCHEDULER: empty, local:N or tcp://host:port (core/scheduler.py)."""
    from qgis.core import QgsProcessingParameterString
    alg.addParameter(QgsProcessingParameterString("SCHEDULER", "Scheduler (empty: this process; local:N; "
                                                  "tcp://host:port)", optional=True))


def scheduler_of(alg, parameters, context):
    """SCHEDULER's text, checked (SMFusionError names what is wrong)."""
    from ..core.scheduler import parse
    text = alg.parameterAsString(parameters, "SCHEDULER", context) or ""
    parse(text)
    return text


INTERVAL_PARAMETERS = (("P10", "10th percentile series folder"), ("P90", "90th percentile series folder"))


def interval_parameters(alg):
    """The optional P10 and P90 folder destinations (not created unless given)."""
    from qgis.core import QgsProcessingParameterFolderDestination
    for name, label in INTERVAL_PARAMETERS:
        alg.addParameter(QgsProcessingParameterFolderDestination(name, label, optional=True, createByDefault=False))


def interval_folders(alg, parameters, context):
    """(p10 folder, p90 folder), or None when neither is given; both or neither."""
    from ..core.errors import SMFusionError
    bands = [alg.parameterAsString(parameters, name, context) or None for name, _ in INTERVAL_PARAMETERS]
    if any(bands) and not all(bands):
        raise SMFusionError("Give both P10 and P90 (or neither)")
    return tuple(bands) if all(bands) else None


WIDGET = __name__.rsplit(".", 2)[0] + ".ui.series_widget.SeriesWidgetWrapper"   # smfusion.ui.series_widget…


def folder_parameter(name, description, kinds=("series",), optional=False):
    """A folder parameter checked before the tool runs (:meth:`SMFusionAlgorithm.checkParameterValues`)
    and shown in the tool dialog with the series widget (file count, date range, grid, problems).
    ``kinds``: what the folder may be — ``series``, ``group`` (series sub-folders), ``static``, ``raw``."""
    from qgis.core import QgsProcessingParameterFile
    param = QgsProcessingParameterFile(name, description, compat.FOLDER, optional=optional)
    param.setMetadata({"widget_wrapper": {"class": WIDGET, "kinds": list(kinds)}})
    return param


def predictor_parameters(alg):
    """PREDICTORS, STATIC and DRIVERS: where the 1-km predictors lie (see :data:`PREDICTOR_HELP`)."""
    from qgis.core import QgsProcessingParameterString
    alg.addParameter(folder_parameter("PREDICTORS", "Predictor folder", ("group",), optional=True))
    alg.addParameter(folder_parameter("STATIC", "Static layers folder", ("static",), optional=True))
    alg.addParameter(QgsProcessingParameterString("DRIVERS", "Driver series folders (separated by ;)",
                                                  optional=True))


def predictors_of(alg, parameters, context):
    """The :class:`~core.predictors.Predictors` of PREDICTORS, STATIC and DRIVERS."""
    from ..core.predictors import Predictors
    drivers = [d.strip() for d in (alg.parameterAsString(parameters, "DRIVERS", context) or "").split(";")
               if d.strip()]
    folder = alg.parameterAsFile(parameters, "PREDICTORS", context) or None
    static = alg.parameterAsFile(parameters, "STATIC", context) or None
    if not (folder or static or drivers):
        raise SMFusionError("Give the predictors: PREDICTORS, or STATIC and DRIVERS")
    return Predictors(folder, static, drivers)


HELP_DIR = Path(__file__).resolve().parents[1] / "help"      # help/<name>.html, written by `make help-pages`
TAGS = ("soil moisture", "SM Fusion")                           # every tool's search tags, before its own


def plain(text):
    """``text`` without HTML tags and entities, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


class SMFusionAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    SHORT = ""           # one sentence: the toolbox's tooltip
    HELP = ""            # what the tool does (HTML allowed)
    PARAM_HELP = {}      # parameter name -> explanation (the tooltip, and the help's parameter list)
    EXAMPLE = ""         # a qgis_process call
    TAGS = ()            # search words of the toolbox, besides :data:`TAGS`
    ADVANCED = ()        # names of the tuning parameters, shown under "Advanced parameters"
    NEEDS = ()           # import names of the pip packages the tool needs (plugin/dependencies.py PACKAGES)

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802 - QGIS API name
        return tr(self.DISPLAY_NAME)

    def group(self):
        return tr(self.GROUP)

    def groupId(self):  # noqa: N802 - QGIS API name
        return GROUPS[self.GROUP]

    def createInstance(self):  # noqa: N802 - QGIS API name
        return type(self)()

    def shortDescription(self):  # noqa: N802 - QGIS API name
        return tr(self.SHORT)

    def tags(self):
        return [*TAGS, *self.TAGS]

    def helpUrl(self):  # noqa: N802 - QGIS API name
        """The tool's page in the plugin's help/ folder (a file URL; empty when the page is missing)."""
        from qgis.PyQt.QtCore import QUrl
        page = HELP_DIR / f"{self.NAME}.html"
        return QUrl.fromLocalFile(str(page)).toString() if page.is_file() else ""

    def shortHelpString(self):  # noqa: N802 - QGIS API name
        parts = [f"<p>{tr(self.HELP)}</p>"]
        if self.PARAM_HELP:
            parts.append(f"<h3>{tr('Parameters')}</h3><dl>")
            for name, text in self.PARAM_HELP.items():
                parts.append(f"<dt><b>{name}</b></dt><dd>{tr(text)}</dd>")
            parts.append("</dl>")
        if self.EXAMPLE:
            parts.append(f"<h3>{tr('Example')}</h3><pre>{html.escape(self.EXAMPLE)}</pre>")
        return "".join(parts)

    def canExecute(self):  # noqa: N802 - QGIS API name
        """False, with what is missing and how to install it, when a package of :attr:`NEEDS` is not there
        (found without importing it: the packages load when the tool runs)."""
        if not self.NEEDS:
            return True, ""
        from ..plugin import dependencies
        missing = dependencies.missing_packages(self.NEEDS)
        if not missing:
            return True, ""
        names = ", ".join(name for name, _ in missing)
        return False, f"{self.displayName()} needs the Python package(s) {names}. {dependencies.install_hint()}"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.define()
        for param in self.parameterDefinitions():
            param.setDescription(tr(param.description()))
            if param.name() in self.PARAM_HELP:
                param.setHelp(plain(tr(self.PARAM_HELP[param.name()])))
            if param.name() in self.ADVANCED:
                param.setFlags(param.flags() | compat.FLAG_ADVANCED)

    def define(self):
        raise NotImplementedError

    def execute(self, parameters, context, feedback):
        raise NotImplementedError

    def checkParameterValues(self, parameters, context):  # noqa: N802 - QGIS API name
        """Before the run (dialogs and qgis_process alike): numbers within their range and dates that are
        dates, each said with the allowed values, then every folder parameter holds what it should."""
        for param in self.parameterDefinitions():
            problem = value_problem(param, parameters.get(param.name()))
            if problem:
                return False, problem
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        from ..core.series import check_folder
        for param in self.parameterDefinitions():
            kinds = (param.metadata().get("widget_wrapper") or {}).get("kinds")
            if not kinds or parameters.get(param.name()) in (None, ""):
                continue
            path = self.parameterAsFile(parameters, param.name(), context)
            if path:
                problem = check_folder(path, kinds)
                if problem:
                    return False, f"{param.description()}: {problem}"
        return True, ""

    def show_series(self, folder, name):
        """In the desktop, add the series in ``folder`` to the project when the run ends: a group of dated,
        styled layers with temporal properties (ui/layers.py). Headless runs load nothing."""
        self._to_show = [*getattr(self, "_to_show", []), (str(folder), name)]

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802 - QGIS API name
        from qgis.core import QgsApplication
        from qgis.PyQt.QtCore import QThread
        shown = getattr(self, "_to_show", [])
        app = QgsApplication.instance()
        # the desktop only, and its main thread only (a model runs its steps in a worker thread)
        if shown and app.platform() == "desktop" and QThread.currentThread() == app.thread() and \
                context.project() is not None:
            from qgis.utils import iface

            from ..ui.layers import add_pipeline_outputs, add_series, frame_days
            for folder, name in shown:
                try:
                    if name is None:
                        add_pipeline_outputs(folder, context.project())
                    else:
                        add_series(folder, name, context.project())
                except SMFusionError as err:
                    feedback.reportError(f"Cannot load {folder}: {err}")
            if iface is not None:
                frame_days(iface.mapCanvas(), context.project())
        self._to_show = []
        return {}

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API name
        ok, message = self.canExecute()         # dialogs ask before a run; qgis_process and models do not
        if not ok:
            raise QgsProcessingException(message)
        from ..core.errors import Cancelled
        try:
            return self.execute(parameters, context, feedback)
        except Cancelled:                       # what was half written is gone; a rerun resumes
            feedback.pushInfo(tr("Cancelled by the user. The files already complete are kept; run again to resume."))
            return {}
        except SMFusionError as err:
            raise QgsProcessingException(str(err)) from err
