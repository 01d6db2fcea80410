"""The referral journey (percorso beneficiario): people in charge, their cases and referrals to the network."""
