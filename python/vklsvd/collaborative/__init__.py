"""Collaborative representations: ALS factors of users and authors as of every as-of week, and fold-in
vectors of slices of a user's history in the same space."""
