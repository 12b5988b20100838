"""Stage 4, candidates: exact and HNSW nearest neighbours over user vectors, folded to candidate users."""
