"""The rules of a disclosure decision, one module per thing checked.

``infoshare.policy.decide`` runs them in the order a practitioner would consider them
(Procedure A7): the request itself (``request_shape``), who asks (``requester``), for what
purpose (``purpose``), under which agreement (``agreement``), sent how (``transfer``), what
the recipient needs to know (``need_to_know``), what the law or the person's record keeps
back (``restrictions``, ``objections``), onward use (``onward_use``), then the basis:
consent (``consent_basis``), a statutory ground (``statutory_ground``) with its approval
(``approval``), or an emergency (``emergency``); last, what the subject is told and what
stays confidential from them (``confidentiality``). Each module names the clauses it applies.
"""
