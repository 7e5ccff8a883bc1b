"""Reads of PARS data; every function takes the acting user or an already scoped query."""
