"""Fase 1 – adesione alla rete: the public scheda di ricognizione, its review, the elenco and its open data."""
