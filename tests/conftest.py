import os

import pytest


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only with MINIGPT_SLOW=1 (CI stays fast)."""
    if os.environ.get("MINIGPT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set MINIGPT_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
