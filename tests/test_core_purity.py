"""core/ is the pure engine: importing all of it pulls in no UI library."""
import pkgutil
import subprocess
import sys

import core


def test_importing_every_core_module_imports_no_ui_library():
    modules = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")]
    assert "core.run" in modules and "core.chapters.c06_training" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext', 'textual_plotext'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
