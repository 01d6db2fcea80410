"""The patto di rete: the network's pact, published by the manager in versions, signed online by the members.

Why signatures are pages and not process tasks: the pact's *life* is a process (`bpmn/fase2_patto.bpmn`: the
manager publishes a version, a timer reminds everyone before it expires, another closes it, and every year the
members are reminded to confirm their data), but a signature is one atomic act of one organization, not a piece of
work waiting in a list. The set of members changes while a pact is in force (organizations admitted later by Fase 1
sign later; a member may withdraw and sign again), which a task per organization created at publication cannot
follow: it would leave tasks open for members that never sign and has no way to express a withdrawal. So
`services.sign_pact` and `services.withdraw_signature` are plain domain writes, recorded in `pact_signature` with
who, when and which version; the process reads them when it reminds and expires.
"""
