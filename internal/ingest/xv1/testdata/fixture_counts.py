# Independent counts for the xv1 fixture table (python3 json module only).
# records = statuses of an envelope, elements of an array, lines of a
# stream, or the one status; posts = distinct id_str of those statuses and
# of their embedded retweeted_status / quoted_status (to any depth) that
# carry a user.id_str; accounts = distinct user.id_str of those posts;
# retweets / quotes / replies = records whose status has retweeted_status /
# quoted_status (and no retweeted_status) / in_reply_to_status_id_str (and
# neither); other = stream notices (no id_str).
import json, os, sys
D = '/work/shared/data/social/python-twitter-v1.1'
FILES = ['get_search_raw.json', 'get_user_timeline_count.json', 'get_statuses.1.json', 'get_user_retweets.json',
         'get_retweets.json', 'get_list_timeline_count_rts_ent.json', 'get_status.json', 'get_status_ext_alt.json',
         'get_status_promoted_video_tweet.json', 'get_status_with_place.json', 'models/status_quoted_tweet.json',
         'models/status_quoted_tweet_with_media.json', 'streaming/lines.json', 'streaming/streaming_extended_tweet.json']
def walk(s, posts, accts):
    if not s or not s.get('id_str') or not (s.get('user') or {}).get('id_str'): return
    posts.add(s['id_str']); accts.add(s['user']['id_str'])
    walk(s.get('retweeted_status'), posts, accts); walk(s.get('quoted_status'), posts, accts)
for f in FILES:
    path = os.path.join(D, f)
    text = open(path, encoding='utf-8').read()
    try:
        doc = json.loads(text); values = doc['statuses'] if isinstance(doc, dict) and 'statuses' in doc else (doc if isinstance(doc, list) else [doc])
    except json.JSONDecodeError:
        values = [json.loads(l) for l in text.splitlines() if l.strip()]
    posts, accts = set(), set(); rt = q = rp = other = 0
    for v in values:
        if 'id_str' not in v: other += 1; continue
        walk(v, posts, accts)
        if v.get('retweeted_status'): rt += 1
        elif v.get('quoted_status'): q += 1
        elif v.get('in_reply_to_status_id_str'): rp += 1
    print(f'{{"{f}", {len(values)}, {len(posts)}, {len(accts)}, {rt}, {q}, {rp}, {other}}},')
