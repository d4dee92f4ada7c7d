"""Bring your own data: a user's table of area codes becomes an indicator like the shipped ones."""
