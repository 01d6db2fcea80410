"""Segnalazioni: organizations of the network signal people to the social service (the `segnalazione` process)."""
