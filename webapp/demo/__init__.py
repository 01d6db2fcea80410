"""Fictional demo network for Campi Bisenzio, used by the ``demo`` command to fill the database."""
