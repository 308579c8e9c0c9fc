"""The operations the CI's runs against nova-box exercise (``--operations``): the whole compute API is the
benchmark's (benchmarks/whole_compute.py) and ``conformance selftest``'s, not CI's.

MIGRATIONS is the first API with all its depth (hand-written semantics and the engine's cases);
REPRESENTATIVE adds one operation group of each kind the engine handles: reads with versioned fields
(limits, quota sets), a user-scoped resource created and deleted (keypairs), children of a server
(metadata, tags), and server actions with a state and a promise (pause, stop, start).
"""

MIGRATIONS = r"migrations|^GET /$|^GET /\{api_version\}/$"
REPRESENTATIVE = MIGRATIONS + (r"|^GET /limits$|os-quota-sets|os-keypairs|/servers/\{server_id\}/(metadata|tags)"
                               r"|action (pause|unpause|os-stop|os-start)$")

PLACEMENT = (r"^(GET|POST) /resource_classes$|/resource_classes/\{name\}|^(GET|PUT|DELETE) /traits/|^GET /traits$"
             r"|/resource_providers/\{uuid\}/(inventories|traits|aggregates|usages)|^(GET|POST) /resource_providers$")
"""Placement's CI slice: custom resource classes and traits, a provider's inventories (one and all), traits,
aggregates (a whole-array body before 1.19) and usages, with the generation preconditions of their writes."""
