"""Business rules and writes; each use case takes the acting user and owns one transaction."""
