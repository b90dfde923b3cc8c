"""Hold model on SimPy 2 (Debian's python3-simpy 2.3.1): the SimPy peer of bench/src/core-hold.

Same generator (mulberry32) and the same portable -ln(u) as the TypeScript and C++ versions, so the
checksum must agree. Each pending event is a process that holds for Exp(1) each time it resumes.
Usage: hold_simpy.py PENDING WARMUP EVENTS REPS SEED  -> one JSON line on stdout.
"""
import json
import sys
import time

from SimPy.Simulation import Process, activate, hold, initialize, simulate, stopSimulation, now

LN2 = 0.6931471805599453
SQRT_HALF = 0.7071067811865476
M32 = 0xFFFFFFFF


class Mulberry32:
    def __init__(self, seed):
        self.a = seed & M32

    def __call__(self):
        self.a = (self.a + 0x6D2B79F5) & M32
        t = self.a
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & M32
        t = (t ^ (t >> 14)) & M32
        return (t + 0.5) / 4294967296.0


def neg_log(u):
    m = u
    k = 0
    while m < SQRT_HALF:
        m *= 2.0
        k += 1
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    p = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0 +
        z * (1.0 / 13.0 + z * (1.0 / 15.0 + z * (1.0 / 17.0 + z * (1.0 / 19.0 + z / 21.0)))))))))
    return k * LN2 - 2.0 * s * p


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class State:
    pass


class Holder(Process):
    def run(self, ident, st):
        while True:
            # Resumed: this is one popped event. Count it, then schedule the next one.
            st.count += 1
            st.last_id = ident
            if st.count == st.warmup:
                st.t0 = time.process_time()
                st.rss_after = rss_bytes()
            elif st.count == st.warmup + st.events:
                st.t1 = time.process_time()
                st.final_time = now()
                stopSimulation()
            yield hold, self, neg_log(st.rand())


def one_rep(pending, warmup, events, seed):
    st = State()
    st.rand = Mulberry32(seed)
    st.count = 0  # resumptions so far: each is one popped event, the first being the initial activation
    st.warmup = warmup
    st.events = events
    st.last_id = 0
    initialize()
    rss0 = rss_bytes()
    for i in range(pending):
        p = Holder()
        activate(p, p.run(i, st), at=neg_log(st.rand()))
    simulate(until=1e300)
    return events / (st.t1 - st.t0), st.final_time, st.last_id, (st.rss_after - rss0) / pending


def main():
    pending, warmup, events, reps, seed = (int(x) for x in sys.argv[1:6])
    rates = []
    first = None
    for _ in range(reps):
        r = one_rep(pending, warmup, events, seed)
        rates.append(r[0])
        first = first or r
    rates.sort()
    print(json.dumps({"eventsPerS": rates[len(rates) // 2], "finalTime": first[1], "lastId": first[2], "bytesPerEvent": first[3]}))


if __name__ == "__main__":
    main()
