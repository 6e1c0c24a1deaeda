"""meetctl: a local group's meeting programme, from one TOML file."""

__version__ = "0.1.0"
