"""Fase 3 of the plan: monitoring of the network (dashboards, periodic questionnaires, reports, good practices)."""
