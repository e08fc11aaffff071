"""Going live: the import wizard and the 待核对 worklist (GUI)."""
