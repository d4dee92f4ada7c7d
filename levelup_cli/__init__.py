"""The `levelup` command, on top of every other package: thin commands over library functions."""
