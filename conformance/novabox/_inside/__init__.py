"""Code that runs inside the nova venv (by file path); never import it from conformance."""
