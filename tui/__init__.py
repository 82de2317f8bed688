"""The playground and the command line of minigpt-tui: they drive `core` and only draw, print and route keys."""
import os

# Before numpy loads: its BLAS works on tiny matrices here, where a second thread costs more than it saves
# (a --batch 32 run is about 10% slower with two) and takes the CPU the playground's screen needs.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
