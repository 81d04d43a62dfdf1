"""Import a module when one of its attributes is first used, not when it is named in an import statement.

Great Expectations imports scipy.stats (about 2 s: its KL-divergence and KS-test expectations) and altair (0.5 s:
its chart renderers) while it imports itself, and uses them only inside those expectations' functions, which the
gate never calls. `defer()` puts a placeholder in `sys.modules` for each; the first attribute looked up on it
imports the real module and hands every later lookup to it, so code that does use them still works.

importlib.util.LazyLoader does not help here: the import statement itself reads `__spec__`, which loads it.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

_LOCK = threading.RLock()  # re-entrant: importing one deferred module may touch another


class DeferredModule(types.ModuleType):
    # No other attributes on the class: each would hide the real module's attribute of that name.
    def __getattr__(self, attr: str):
        return getattr(_load(self), attr)


def _load(placeholder: DeferredModule) -> types.ModuleType:
    with _LOCK:
        real = placeholder.__dict__.get("_sqd_real")
        if real is None:
            if sys.modules.get(placeholder.__name__) is placeholder:
                del sys.modules[placeholder.__name__]
            real = importlib.import_module(placeholder.__name__)
            placeholder.__dict__["_sqd_real"] = real
        return real


def is_loaded(name: str) -> bool:
    """Whether module `name` has really been imported (a placeholder not yet used is not)."""
    module = sys.modules.get(name)
    return module is not None and (not isinstance(module, DeferredModule) or "_sqd_real" in module.__dict__)


def defer(*names: str) -> None:
    """A placeholder for each module not imported yet (an imported one is left as it is)."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
