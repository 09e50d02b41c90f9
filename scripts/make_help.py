"""Write the tools' help pages, ``help/<name>.html``, from the same text as the README's tool sections.

Usage: python3 scripts/make_help.py [OUT_DIR]  (``make help-pages``; default: the plugin's help/ folder).
Each page holds the README section whose heading names ``smfusion:<name>`` and the tool's parameter list
(PARAM_HELP, as in the dialog's side panel). The Markdown of the README is converted here (headings,
paragraphs, nested lists, tables, fenced code, inline code, bold, italics, links): no package needed, and
the same bytes on every machine (tests/test_help.py checks the shipped pages are current).
"""

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
STYLE = ("body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;line-height:1.45}"
         "pre{background:#f4f4f4;padding:.6em;overflow-x:auto}code{background:#f4f4f4}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}dt{font-weight:bold}")


def inline(text):
    """Markdown inline markup of one line → HTML."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
            continue
        part = html.escape(part, quote=False)
        part = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', part)
        part = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", part)
        part = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<i>\1</i>", part)
        out.append(part)
    return "".join(out)


def _table(rows):
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    head, body = cells[0], cells[2:]
    out = ["<table><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in body]
    return "\n".join(out) + "</table>"


def _list(lines):
    """Nested lists of (indent, marker, text) items with their continuation lines."""
    out, stack = [], []            # stack of (indent, tag)
    for indent, tag, text in lines:
        while stack and indent < stack[-1][0]:
            out.append(f"</li></{stack.pop()[1]}>")
        if stack and indent == stack[-1][0]:
            out.append("</li>")
        elif not stack or indent > stack[-1][0]:
            out.append(f"<{tag}>")
            stack.append((indent, tag))
        out.append(f"<li>{inline(text)}")
    while stack:
        out.append(f"</li></{stack.pop()[1]}>")
    return "".join(out)


ITEM = re.compile(r"^(\s*)([-*]|\d+\.)\s+(.*)$")


def markdown(text):
    """A Markdown document → HTML (the subset the README uses)."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            out.append("<pre>" + html.escape("\n".join(lines[i + 1:j])) + "</pre>")
            i = j + 1
        elif m := re.match(r"^(#{1,6})\s+(.*)$", line):
            out.append(f"<h{len(m[1])}>{inline(m[2])}</h{len(m[1])}>")
            i += 1
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(_table(lines[i:j]))
            i = j
        elif ITEM.match(line):
            items = []
            while i < len(lines):
                m = ITEM.match(lines[i])
                if m:
                    items.append([len(m[1]), "ol" if m[2][0].isdigit() else "ul", m[3]])
                elif lines[i].strip() and lines[i].startswith(" ") and items:
                    items[-1][2] += " " + lines[i].strip()
                elif not lines[i].strip() and i + 1 < len(lines) and (ITEM.match(lines[i + 1]) or
                                                                      lines[i + 1].startswith("  ")):
                    pass
                else:
                    break
                i += 1
            out.append(_list(items))
        else:
            j = i
            while j < len(lines) and lines[j].strip() and not ITEM.match(lines[j]) and \
                    not lines[j].lstrip().startswith(("```", "#", "|")):
                j += 1
            j = max(j, i + 1)
            out.append("<p>" + inline(" ".join(s.strip() for s in lines[i:j])) + "</p>")
            i = j
    return "\n".join(out)


def sections(readme=README):
    """{tool name: the Markdown of the README section whose ### heading names ``smfusion:<tool>``}."""
    text = readme.read_text(encoding="utf-8")
    out = {}
    for part in re.split(r"(?m)^(?=#{2,3} )", text):
        heading = part.splitlines()[0] if part.strip() else ""
        if heading.startswith("### "):
            for name in re.findall(r"`smfusion:(\w+)`", heading):
                out.setdefault(name, part)
    return out


def page(alg, section):
    """The HTML help page of an algorithm instance (an SMFusionAlgorithm) and its README section."""
    params = "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in alg.PARAM_HELP.items())
    body = section.split("\n", 1)[1] if "\n" in section else ""           # the h1 replaces its heading
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(alg.DISPLAY_NAME)}'
            f" — SM Fusion</title><style>{STYLE}</style></head><body>\n"
            f"<h1>{html.escape(alg.DISPLAY_NAME)} (<code>smfusion:{alg.NAME}</code>)</h1>\n"
            f"<p>{alg.HELP}</p>\n{markdown(body)}\n<h2>Parameters</h2><dl>{params}</dl>\n</body></html>\n")


def pages():
    """{file name: HTML} of every tool."""
    sys.path.insert(0, str(ROOT / "build" / "plugins"))
    from smfusion.processing_provider.provider import ALGORITHMS
    found = sections()
    out = {}
    for cls in ALGORITHMS:
        if cls.NAME not in found:
            raise SystemExit(f"README.md has no ### section naming `smfusion:{cls.NAME}`")
        out[f"{cls.NAME}.html"] = page(cls(), found[cls.NAME])
    return out


def main(out=None):
    out = Path(out) if out else ROOT / "help"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"help pages written to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
