"""The public catalogue of the network's offers (no login)."""
