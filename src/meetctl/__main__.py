"""``python -m meetctl``."""

from .cli import main

main()
