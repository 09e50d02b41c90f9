"""Translations: :func:`tr` for every user-facing string of the plugin, and the Qt translator of QGIS's locale
(``i18n/smfusion_<language>.qm``, compiled from ``i18n/smfusion_<language>.ts`` by ``make translations``).

Strings are looked up in one context, :data:`CONTEXT`, with the English text as the key; a string without a
translation stays English. The engine (core/) speaks English only: its messages name files and values.
"""

from pathlib import Path

from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "SMFusion"
I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"
_installed = {}


def tr(text):
    """``text`` in QGIS's language (the English ``text`` where there is no translation)."""
    return QCoreApplication.translate(CONTEXT, text)


def noop(text):
    """Mark ``text`` for translation where it is translated later by :func:`tr` (Qt's QT_TRANSLATE_NOOP)."""
    return text


def language():
    """The two-letter language of QGIS's user interface: its override (Settings → Options → General), else
    the system's."""
    from qgis.core import QgsSettings
    settings = QgsSettings()
    override = str(settings.value("locale/overrideFlag", False)).lower() in ("true", "1")
    name = settings.value("locale/userLocale", "") if override else ""
    return str(name or QLocale.system().name())[:2]


def install(lang=None):
    """Install the translator of ``lang`` (default: :func:`language`) once; returns the .qm path loaded, or
    None (English, or no translation shipped for that language)."""
    lang = lang or language()
    qm = I18N_DIR / f"smfusion_{lang}.qm"
    if lang in _installed:
        return _installed[lang][1]
    translator = QTranslator()
    if lang == "en" or not qm.is_file() or not translator.load(str(qm)):
        _installed[lang] = (None, None)
        return None
    QCoreApplication.installTranslator(translator)
    _installed[lang] = (translator, qm)                  # the translator must outlive this call
    return qm


def uninstall():
    """Remove the installed translators (tests switch languages)."""
    for translator, _ in _installed.values():
        if translator is not None:
            QCoreApplication.removeTranslator(translator)
    _installed.clear()
