"""jsonschema loaded for the notebook libraries (nbformat, nbclient, nbconvert, papermill) without a slow extra.

With rfc3987_syntax installed (Jupyter's `format-nongpl` extra), importing jsonschema compiles about forty
Lark grammars (2.4 s) for the `iri` format nbformat's schema never uses; `load_jsonschema` hides it first.
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
