"""Accordi di rete with the public specialist services (UFSMIA, AUSL Toscana Centro) and their referrals."""
