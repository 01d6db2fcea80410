"""The catalogue as Open Referral HSDS 3.0 (Human Services Data Specification), read-only and public.

Other municipal systems, the region and directories of services can read the network's organizations and offers
in the international format: `/api/hsds/` (version), `/api/hsds/services[/{id}]`, `/api/hsds/organizations[/{id}]`,
paginated as the HSDA API describes. Only what the public catalogue shows is published: approved organizations with
their public contacts and their active offers; never people (no legal representative, no operator, no beneficiary).
"""
