"""Writing files safely: atomic writes, safe names, and checks that no output replaces another."""
