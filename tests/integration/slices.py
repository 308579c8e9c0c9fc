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
