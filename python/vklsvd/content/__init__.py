"""Stage 3, content: user profiles, multi-interest vectors, interest bubbles and semantic IDs."""
