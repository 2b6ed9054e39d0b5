"""`python -m interbudget ...` runs the CLI."""
from .cli import script

script()
