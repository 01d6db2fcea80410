"""The network: member organizations and the offers they publish in the catalogue."""
