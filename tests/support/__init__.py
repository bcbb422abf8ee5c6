"""Helpers the tests share, imported as a package: ``from support.cli import RunCli``."""
