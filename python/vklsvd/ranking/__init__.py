"""Stages 6 and 7: the ranker's content candidates, LambdaMART training and scoring, the capacity
assignment and the reference NDCG."""
