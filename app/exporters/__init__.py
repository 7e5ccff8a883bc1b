"""Writers of PARS data to files, streaming in constant memory."""
