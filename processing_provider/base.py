"""Base class of every SM Fusion algorithm: names, group, help text, feedback and errors in one place.

A concrete algorithm sets the class attributes (NAME, DISPLAY_NAME, GROUP, HELP, PARAM_HELP, EXAMPLE),
declares its parameters in :meth:`define`, and implements :meth:`execute` as parameters → one core call →
outputs, passing ``callbacks(feedback)`` to core for progress and cancellation.
"""

import html

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..core.errors import SMFusionError

GROUPS = {"Inputs": "inputs", "Fusion": "fusion", "Downscaling": "downscaling", "Stations": "stations",
          "Evaluation": "evaluation", "Calibration": "calibration", "Pipeline": "pipeline"}


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


class SMFusionAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    HELP = ""            # what the tool does (HTML allowed)
    PARAM_HELP = {}      # parameter name -> explanation
    EXAMPLE = ""         # a qgis_process call

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802 - QGIS API name
        return self.DISPLAY_NAME

    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802 - QGIS API name
        return GROUPS[self.GROUP]

    def createInstance(self):  # noqa: N802 - QGIS API name
        return type(self)()

    def shortHelpString(self):  # noqa: N802 - QGIS API name
        parts = [f"<p>{self.HELP}</p>"]
        if self.PARAM_HELP:
            parts.append("<h3>Parameters</h3><dl>")
            for name, text in self.PARAM_HELP.items():
                parts.append(f"<dt><b>{name}</b></dt><dd>{text}</dd>")
            parts.append("</dl>")
        if self.EXAMPLE:
            parts.append(f"<h3>Example</h3><pre>{html.escape(self.EXAMPLE)}</pre>")
        return "".join(parts)

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.define()

    def define(self):
        raise NotImplementedError

    def execute(self, parameters, context, feedback):
        raise NotImplementedError

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API name
        try:
            return self.execute(parameters, context, feedback)
        except SMFusionError as err:
            raise QgsProcessingException(str(err)) from err
