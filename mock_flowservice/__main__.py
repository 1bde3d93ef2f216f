"""``python -m mock_flowservice`` runs the command line."""

from .cli import main

main(prog_name="mock-flowservice")
