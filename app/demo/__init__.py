"""The demo sites: ``sites`` builds them from its parts (specs, structure, people, records,
base); each area's demo rows live in a module of the area's name (keys, ledger, …)."""
