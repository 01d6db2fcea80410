"""Richieste dei cittadini: a citizen asks to take part in an offer from its public page (`richiesta_cittadino`)."""
