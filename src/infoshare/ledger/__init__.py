"""The ledger's mathematics: canonical encoding, hash chain, Merkle proofs, signed checkpoints."""
