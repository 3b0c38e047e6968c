"""The HTTP API: FastAPI app factory, REST routes, problem+json errors."""
