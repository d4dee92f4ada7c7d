"""`python -m levelup_cli`: the `levelup` command."""

from levelup_cli.main import main

main()
