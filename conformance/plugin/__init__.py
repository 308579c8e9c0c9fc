"""pytest plugin: the conformance suites (issue 4). Registered so `pytest --target` can be added without reinstalling."""
