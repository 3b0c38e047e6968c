"""infoshare: an inter-agency information-sharing protocol, made into a system.

The core (``protocol``, ``domain``, ``policy``, ``ledger``, ``privacy``) is pure: no storage,
no web, no clock. The shell (``store``, ``services``, ``api``, ``web``, ``cli``) wires it to
the world. See DESIGN in ``docs/architecture.md``.
"""

__version__ = "0.1.0"
