"""jsonschema loaded for the notebook libraries (nbformat, nbclient, nbconvert, papermill) without a slow extra.

When the optional package rfc3987_syntax is installed (the Jupyter server's `format-nongpl` extra brings
it), importing jsonschema compiles about forty Lark grammars, 2.4 s on a 2-core machine, to check the
`iri` string format, which nbformat's schema never uses. `wwc report` and every batch worker import these
libraries, so they load jsonschema through `load_jsonschema` first: nbformat validates as before.
"""

from __future__ import annotations

import importlib
import sys

_SLOW_EXTRA = "rfc3987_syntax"


def load_jsonschema() -> None:
    """Import jsonschema with rfc3987_syntax hidden (jsonschema then skips its `iri` check); once per process."""
    if "jsonschema" in sys.modules or _SLOW_EXTRA in sys.modules:
        return
    sys.modules[_SLOW_EXTRA] = None  # importing it raises ImportError, which jsonschema expects of an extra
    try:
        importlib.import_module("jsonschema")
    finally:
        del sys.modules[_SLOW_EXTRA]
