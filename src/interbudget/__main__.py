"""python -m interbudget: the same as the interbudget command."""
from .cli import main

main()
