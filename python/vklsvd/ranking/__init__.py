"""Stages 7 and 8: the ranker's training (XGBoost, a probability of engaging by default) and scoring, the
capacity assignment and the reference NDCG."""
