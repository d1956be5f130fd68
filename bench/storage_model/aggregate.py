# Storage-model bench, summary: reads the per-run lines run.sh printed (file argv[1]) and prints
# per variant the median [min-max] of enqueue and drain jobs/s, the drain ratios to A and to B
# measured in the same round (median [min-max]), the share of job-row updates that were HOT, and the
# WAL bytes per job of the drain.
import collections, re, statistics, sys

LINE = re.compile(r'r(\d+) (\S+)\t(\S+)\tenq=(\d+)/s.*drain=(\d+)/s.*\tjobs:upd=(\d+),hot=(\d+)'
                  r'.*wal=(\d+) B/job enq, (\d+) B/job drain')
rows = collections.defaultdict(list)  # variant -> [(round, enq, drain, hot share, wal drain)]
for line in open(sys.argv[1]):
    m = LINE.match(line)
    if not m:
        continue
    rnd, v, mode, enq, drain, upd, hot, _, wal = m.groups()
    key = v + ('-generic' if mode == 'generic' else '')
    rows[key].append((int(rnd), int(enq), int(drain), int(hot) / max(int(upd), 1), int(wal)))

base = {r[0]: r[2] for r in rows.get('A', [])}  # round -> A's drain jobs/s
base_b = {r[0]: r[2] for r in rows.get('B', [])}  # round -> B's drain jobs/s
def rng(xs, fmt):
    return f"{fmt(statistics.median(xs))} [{fmt(min(xs))}-{fmt(max(xs))}]"
num = lambda x: f"{x:,.0f}"
print(f"{'variant':10} {'n':>2}  {'enqueue jobs/s':>24}  {'drain jobs/s':>24}  "
      f"{'drain vs A (same round)':>24}  {'drain vs B (same round)':>24}  {'jobs HOT':>8}  {'WAL/job drain':>13}")
order = ['A', 'A-generic', 'B', 'C', 'C50', 'C40', 'D', 'E', 'F']
for key in order + sorted(k for k in rows if k not in order):
    d = rows.get(key)
    if not d:
        continue
    def ratio(b, name):
        xs = [r[2] / b[r[0]] for r in d if r[0] in b]
        return rng(xs, lambda x: f"{x:.2f}") if xs else f"(no {name} run)"
    print(f"{key:10} {len(d):>2}  {rng([r[1] for r in d], num):>24}  {rng([r[2] for r in d], num):>24}  "
          f"{ratio(base, 'A'):>24}  {ratio(base_b, 'B'):>24}  {100 * statistics.median(r[3] for r in d):>7.0f}%  "
          f"{statistics.median(r[4] for r in d):>8.0f} B")
