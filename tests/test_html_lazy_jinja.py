"""The HTML renderer imports jinja2 when it first renders (report/html.py `_template`): a run that
writes another format does not import it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_jinja2_is_imported_by_the_first_html_report_only() -> None:
    program = (
        "import sys, datetime as dt\n"
        "from nankoku_netcheck.analyze import analyze\n"
        "from nankoku_netcheck.report import RENDERERS\n"
        f"result = analyze({str(REPO / 'topologies' / 'nankoku.yaml')!r}, today=dt.date(2026, 1, 1))\n"
        "RENDERERS['text'](result, 'en')\n"
        "print('jinja2' in sys.modules)\n"
        "html = RENDERERS['html'](result, 'en')\n"
        "print('jinja2' in sys.modules, html.startswith('<!DOCTYPE html>'))\n"
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=REPO)
    assert run.stdout.splitlines() == ["False", "True True"]
