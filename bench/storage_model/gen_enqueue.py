# Storage-model bench, enqueue data generator: writes argv[1], 200 lines
# `EXECUTE enq('<json array of 500 jobs>', 'api');` = 100,000 no-op jobs (~14 MB) with UUIDv7
# ids in time order. Generated into run.sh's temp dir on every run, never committed.
import os, sys, time, json
base = int(time.time() * 1000)
def uuid7(ms, ctr):
    r = os.urandom(8)
    b = ms.to_bytes(6, 'big') + bytes([0x70 | ((ctr >> 8) & 0x0f), ctr & 0xff]) + bytes([0x80 | (r[0] & 0x3f)]) + r[1:8]
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
n = 0
with open(sys.argv[1], 'w') as f:
    for b in range(200):
        rows = []
        for k in range(500):
            rows.append({"id": uuid7(base + n // 64, n % 64), "tenant_id": "bench", "job_type": "bench.noop",
                         "payload": {"i": n}, "payload_digest": "sha256:0"})
            n += 1
        f.write("EXECUTE enq('" + json.dumps(rows, separators=(',', ':')) + "', 'api');\n")
