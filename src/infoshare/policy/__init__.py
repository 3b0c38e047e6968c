"""The decision engine: compile a protocol and its agreements into a policy, decide, explain."""
