"""Update i18n/smfusion_<lang>.ts from the plugin's strings, keeping the translations already made.

Usage: python3 scripts/update_translations.py [LANG …]   (``make translations`` runs it, then lrelease)

The strings: every literal passed to ``tr()`` or ``noop()`` in plugin/, ui/ and processing_provider/ (found
with the ast module), and each tool's name, group, one-line description, help, parameter help and parameter
labels. A string that is no longer used is marked obsolete; a new one is added unfinished (it shows in
English until someone translates it, e.g. in Qt Linguist). One context, plugin/i18n.py's CONTEXT.
"""

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "plugins"))
SOURCES = ("plugin", "ui", "processing_provider")
LANGUAGES = ("ko",)
_APP = []


def literal_strings():
    """[(text, 'file:line')] of the literals given to tr()/noop() in the shipped Python code."""
    out = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "noop") and \
                        node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    out.append((node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return out


def tool_strings():
    """[(text, where)] of every tool: name, group, short description, help, parameter labels and help."""
    from qgis.core import QgsApplication
    if QgsApplication.instance() is None:       # parameters need an application (a test run has one)
        _APP.append(QgsApplication([], False))
    from smfusion.processing_provider.provider import ALGORITHMS
    out = []
    for cls in ALGORITHMS:
        alg = cls()
        where = f"smfusion:{alg.NAME}"
        out += [(alg.DISPLAY_NAME, where), (alg.GROUP, where), (alg.SHORT, where), (alg.HELP, where)]
        alg.define()
        for param in alg.parameterDefinitions():
            out.append((param.description(), f"{where} {param.name()}"))
            if param.name() in alg.PARAM_HELP:
                out.append((alg.PARAM_HELP[param.name()], f"{where} {param.name()}"))
    return out


def update(lang, strings):
    """Write i18n/smfusion_<lang>.ts: ``strings`` in order, with the translations the file already has."""
    from smfusion.plugin.i18n import CONTEXT
    path = ROOT / "i18n" / f"smfusion_{lang}.ts"
    done = {}
    if path.is_file():
        for msg in ET.parse(path).getroot().iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete", "vanished"):
                done[msg.findtext("source")] = tr.text
    ts = ET.Element("TS", version="2.1", language=f"{lang}")
    ctx = ET.SubElement(ts, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    seen = set()
    for text, where in strings:
        if not text or text in seen:
            continue
        seen.add(text)
        msg = ET.SubElement(ctx, "message")
        file, _, line = where.partition(":")
        if line.isdigit():
            ET.SubElement(msg, "location", filename=f"../{file}", line=line)
        ET.SubElement(msg, "source").text = text
        tr = ET.SubElement(msg, "translation")
        if text in done:
            tr.text = done[text]
        else:
            tr.set("type", "unfinished")
    for text, translated in done.items():          # kept for the translators, not compiled
        if text not in seen:
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = text
            ET.SubElement(msg, "translation", type="vanished").text = translated
    ET.indent(ts)
    path.parent.mkdir(exist_ok=True)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(ts, encoding="unicode")
                    + "\n", encoding="utf-8")
    translated = sum(1 for t in seen if t in done)
    print(f"{path.relative_to(ROOT)}: {len(seen)} strings, {translated} translated")
    return path


def main(langs):
    strings = literal_strings() + tool_strings()
    for lang in langs or LANGUAGES:
        update(lang, strings)


if __name__ == "__main__":
    main(sys.argv[1:])
