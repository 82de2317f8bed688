"""Resident memory of the playground training chapter 12 for a long time (headless, Textual's run_test).

    python bench/playground_memory.py [steps]
"""
import asyncio
import sys
import time

from long_run_memory import rss_mb  # bench/ is on the path when run as a script
from tui.app import PlaygroundApp


async def main(steps: int) -> None:
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        session = app.session
        session.run.config = session.run.config.__class__(**{**session.run.config.__dict__, "steps": steps})
        await pilot.press("space")
        started, last = time.monotonic(), 0.0
        while session.training or session.run.step == 0:
            await asyncio.sleep(1)
            if time.monotonic() - last >= 10:
                last = time.monotonic()
                print(f"step {session.run.step:7d}  rss {rss_mb():6.1f} MB  history {len(session.run.history.points)} "
                      f"val {len(session.val)}  {last - started:.0f} s", flush=True)
        print(f"done: step {session.run.step}, rss {rss_mb():.1f} MB, val points {len(session.val)}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
