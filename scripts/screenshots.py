"""The README's pictures: the SM Fusion dialog filled with the demo region, and the top of its report.

    make demo && QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/screenshots.py [build/demo]

Writes docs/pipeline_dialog.png and docs/report.png (the report rendered by QtWebKit, 1000 px wide).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(demo=ROOT / "build" / "demo"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path[:0] = [str(ROOT / "build" / "plugins")]
    from qgis.core import QgsApplication
    app = QgsApplication([], True)
    app.initQgis()
    from smfusion.plugin import dependencies
    dependencies.add_to_sys_path()
    from smfusion.ui.pipeline_dialog import PipelineDialog, demo_inputs
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    dialog = PipelineDialog()
    dialog.set_inputs(**{**demo_inputs(demo), "output": Path(demo) / "run"})
    dialog.check(wait=True)
    dialog.show()
    dialog.resize(1250, dialog.sizeHint().height())
    app.processEvents()
    dialog.grab().save(str(docs / "pipeline_dialog.png"))
    from PyQt5.QtCore import QEventLoop, QSize, QUrl
    from PyQt5.QtGui import QImage, QPainter
    from PyQt5.QtWebKitWidgets import QWebPage
    page = QWebPage()
    page.setViewportSize(QSize(1000, 800))
    loop = QEventLoop()
    page.loadFinished.connect(loop.quit)
    page.mainFrame().load(QUrl.fromLocalFile(str(Path(demo) / "run" / "report.html")))
    loop.exec_()
    size = page.mainFrame().contentsSize()
    height = min(size.height(), 1400)
    page.setViewportSize(QSize(1000, height))
    image = QImage(1000, height, QImage.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    page.mainFrame().render(painter)
    painter.end()
    image.save(str(docs / "report.png"))
    print(f"{docs / 'pipeline_dialog.png'}, {docs / 'report.png'} ({size.width()}×{size.height()} page)")


if __name__ == "__main__":
    main(*sys.argv[1:])
