"""A run over the roster: plan the rows, render packets in workers, the print job and the manifest."""
