-- The exported submission back in long form (clip, user, position), so the metric scores exactly it.
{{ explode_ranked_lists(ref('submission'), 'item_id', 'user_id') }}
