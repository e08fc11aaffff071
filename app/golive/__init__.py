"""Going live: the import wizard, mappings, the 待核对 worklist and opening balances."""
