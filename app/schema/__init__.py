"""The declarative PARS activity schema: fields, vocabularies, value rules and file columns."""
