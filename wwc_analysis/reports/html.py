"""HTML copies of executed notebooks, for people: no code, images with their alt text, nothing fetched.

The exporter, and its template (templates/report/: one <section> per heading, with report.css for a
phone, a desktop and print), is built once per process; nbconvert is imported on first use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import without_controls
from .notebook_libs import load_jsonschema

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_TEMPLATE = "report"


@lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """This process's report exporter (its template is compiled on first use and kept)."""
    load_jsonschema()
    from nbconvert import HTMLExporter
    from nbconvert.filters import Highlight2HTML

    html = HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # the notebook is validated once, not after each preprocessor
    )
    # The lab template names this filter (for code, which the report leaves out); HTMLExporter would add it per call.
    html.register_filter("highlight_code", Highlight2HTML(pygments_lexer="python", parent=html))
    return html


def prepare() -> None:
    """Build the exporter and compile its template now (a worker does it once, before its first report)."""
    _ = exporter().template  # reading the template compiles it


def to_html(nb: NotebookNode, title: str) -> str:
    """A self-contained HTML copy without code cells or control characters, images embedded with their alt text."""
    from nbconvert.exporters import TemplateExporter

    # HTMLExporter.from_notebook_node would parse the page again with BeautifulSoup to add alt text and
    # tabindex, which the template writes itself; that second pass took most of the export's time.
    body, _ = TemplateExporter.from_notebook_node(exporter(), nb, resources={"metadata": {"name": title}})
    return without_controls(body)
