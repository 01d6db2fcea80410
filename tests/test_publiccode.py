"""publiccode.yml, the description of Tessere for Developers Italia's catalogue of reusable public software: the
keys the standard (version 0.4) requires, values from its closed vocabularies, and facts that must agree with the
project (version, licence, languages)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Closed vocabularies of the standard (https://yml.publiccode.tools/categories-list.html, scope-list.html).
CATEGORIES = {
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting", "business-intelligence",
    "business-process-management", "cad", "call-center-management", "cloud-management", "collaboration",
    "communications", "compliance-management", "contact-management", "content-management", "crm",
    "customer-service-and-support", "data-analytics", "data-collection", "data-visualization",
    "digital-asset-management", "digital-citizenship", "document-management", "donor-management", "e-commerce",
    "e-signature", "email-management", "email-marketing", "employee-management", "enterprise-project-management",
    "enterprise-social-networking", "erp", "event-management", "facility-management",
    "feedback-and-reviews-management", "financial-reporting", "fleet-management", "fundraising", "gamification",
    "geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr", "ide",
    "instant-messaging", "inventory-management", "it-asset-management", "it-development", "it-management",
    "it-security", "it-service-management", "knowledge-management", "laboratory-management",
    "learning-management-system", "marketing", "mind-mapping", "mobile-marketing", "mobile-payment",
    "network-management", "office", "online-booking", "online-community", "payment-gateway", "payroll",
    "predictive-analysis", "procurement", "productivity-suite", "project-collaboration", "project-management",
    "property-management", "real-estate-management", "remote-support", "resource-management", "sales-management",
    "seo", "service-desk-management", "social-media-management", "survey", "task-management", "taxes-management",
    "test-management", "time-management", "time-tracking", "translation", "video-conferencing", "video-editing",
    "visitor-management", "voip", "warehouse-management", "web-collaboration", "web-conferencing",
    "website-builder", "whistleblowing", "workflow-management",
}
SCOPES = {
    "agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy", "environment",
    "finance-and-economic-development", "foreign-affairs", "government", "healthcare", "infrastructures", "justice",
    "local-authorities", "manufacturing", "research", "science-and-technology", "security", "society",
    "sport-and-recreation", "tourism", "transportation", "welfare",
}
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
                  "standalone/other", "addon", "library", "configurationFiles"}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}


def publiccode() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_required_keys_and_closed_vocabularies():
    data = publiccode()
    for key in ("publiccodeYmlVersion", "name", "url", "platforms", "categories", "developmentStatus",
                "softwareType", "description", "legal", "maintenance", "localisation"):
        assert key in data, key
    assert data["publiccodeYmlVersion"] == "0.4"
    assert set(data["categories"]) <= CATEGORIES, set(data["categories"]) - CATEGORIES
    assert set(data["intendedAudience"]["scope"]) <= SCOPES
    assert data["developmentStatus"] in DEVELOPMENT_STATUSES
    assert data["softwareType"] in SOFTWARE_TYPES
    assert data["maintenance"]["type"] in MAINTENANCE_TYPES
    if data["maintenance"]["type"] in ("internal", "contract"):
        assert data["maintenance"]["contacts"] and all(c.get("name") for c in data["maintenance"]["contacts"])
    assert data["url"].startswith("https://")


def test_descriptions_in_both_languages_within_the_standards_lengths():
    description = publiccode()["description"]
    assert set(description) == {"it", "en"}
    for language, text in description.items():
        assert len(text["shortDescription"]) <= 150, language
        assert 150 <= len(text["longDescription"]) <= 10000, language
        assert text["features"] and all(len(feature) <= 100 for feature in text["features"]), language


def test_agrees_with_the_project():
    data, meta = publiccode(), project()
    assert data["softwareVersion"] == meta["version"]
    assert data["legal"]["license"] == meta["license"]["text"]
    assert data["localisation"]["localisationReady"] is True
    assert set(data["localisation"]["availableLanguages"]) == {"it", "en"}
    assert data["it"]["conforme"]["lineeGuidaDesign"] is True  # bootstrap-italia throughout
