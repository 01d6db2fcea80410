"""The process modeler: managers edit the BPMN diagrams in the browser, keep drafts, deploy versions, compare them
and move running instances to a new version; everyone who may see a process instance sees its diagram."""
