"""WTForms classes for the user tasks of the diagrams, one per form key.

A user task in a BPMN diagram names its form with the `formKey` property; this registry is the list of keys a
diagram may use (deploy-time validation refuses others). Forms know nothing of the database or of the HTTP
request: choices that depend on data (the offers of the catalogue, for instance) are filled by the web
application before validation.
"""

from forms.registry import FORM_CLASSES, describe_form, form_class, form_to_task_data, formdata_from_json

__all__ = ["FORM_CLASSES", "describe_form", "form_class", "formdata_from_json", "form_to_task_data"]
