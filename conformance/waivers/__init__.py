"""Reviewed waiver files, one per service (see conformance.checks.waivers)."""
