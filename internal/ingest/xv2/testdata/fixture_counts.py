# Independent counts for the xv2 fixture table (python3 json module only).
import json, sys, glob, os
D = '/work/shared/data/social/twarc-csv-testdata'
def tweets_of_flat(t, posts, accts, rts, kinds):
    posts.add(t['id'])
    if any(r.get('type') == 'retweeted' for r in t.get('referenced_tweets', [])): rts.add(t['id'])
    def users(x):
        for u in [x.get('author'), x.get('in_reply_to_user')] + [m for m in x.get('entities', {}).get('mentions', []) if any(k in m for k in ('name', 'description', 'public_metrics'))]:
            if u and u.get('id'): accts.add(u['id'])
    users(t)
    for r in t.get('referenced_tweets', []):
        if 'text' in r or 'author_id' in r:
            posts.add(r['id']); users(r)
for path in sorted(glob.glob(D + '/*.json*')):
    name = os.path.basename(path)
    records = rejects = 0; posts = set(); accts = set(); rts = set(); kinds = set()
    for line in open(path, 'rb'):
        if not line.strip(): continue
        try: o = json.loads(line.decode('utf-8'))
        except Exception: rejects += 1; continue
        records += 1
        if 'data' in o:
            d = o['data'] if isinstance(o['data'], list) else [o['data']]
            inc = {t['id']: t for t in o.get('includes', {}).get('tweets', [])}
            for t in d:
                if 'text' in t:
                    kinds.add('post'); posts.add(t['id'])
                    for r in t.get('referenced_tweets', []):
                        if r['id'] in inc and inc[r['id']].get('author_id'): posts.add(r['id'])
                    if any(r['type'] == 'retweeted' for r in t.get('referenced_tweets', [])): rts.add(t['id'])
                elif 'username' in t: kinds.add('account'); accts.add(t['id'])
                elif 'tweet_count' in t: kinds.add('count')
                else: kinds.add('other')
            accts |= {u['id'] for u in o.get('includes', {}).get('users', [])}
        elif 'action' in o: kinds.add('compliance')
        elif 'text' in o: kinds.add('post'); tweets_of_flat(o, posts, accts, rts, kinds)
        else: kinds.add('?')
    print(f'{{"{name}", {records}, {rejects}, {len(posts)}, {len(accts)}, {len(rts)}}}, // {sorted(kinds)}')
