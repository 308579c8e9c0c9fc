"""Reviewed errata of the api-refs, one file per service type (``compute.yaml``).

An erratum is an api-ref defect confirmed against the real service: the api-ref file and line, what it
says, what is true, and the evidence (a response sample of the service's own api samples at its version,
a live exchange, or the source line that produces the field). The compiler applies each to the elements
it names (:mod:`conformance.apiref.errata`); it never replaces the api-ref by another source. The files
ship with the package, so ``conformance run`` on a fresh machine checks against the corrected contract.
"""
