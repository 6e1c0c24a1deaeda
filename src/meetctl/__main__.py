"""The ``meetctl`` console script, and ``python -m meetctl``.

Cron starts meetctl every day, so start-up is most of what it costs, and a good
part of start-up is Python's cyclic garbage collector: importing Typer and meetctl
makes tens of thousands of long-lived objects (classes, functions, option tables)
that every collection walks again, and that the interpreter walks once more as it
exits. None of them is garbage. So the collector is off while meetctl imports,
what the imports made is set aside (``gc.freeze``) before the collector comes back
on for the command's own work, and whatever lives at the end is set aside again so
that exiting does not walk it. Together that is about 12 ms of a 90 ms ``meetctl
next`` (``python benchmarks/bench_core.py``); the command itself runs unchanged.
"""

import gc


def main() -> None:
    """Run the command line in ``sys.argv``; exits with the command's status."""
    gc.disable()
    try:
        from meetctl.cli import main as run_command_line
    finally:
        gc.freeze()
        gc.enable()
    try:
        run_command_line()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
