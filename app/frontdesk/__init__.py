"""Front-desk registers (前台登记): parcels, visitors, goods-out passes; one module per register."""
