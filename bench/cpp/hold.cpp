// Hold model on std::priority_queue: the C++ peer of bench/src/core-hold.
// Same generator (mulberry32) and the same portable -ln(u) as the TypeScript and Python versions, so
// every implementation sees the same event times and must print the same checksum.
// Usage: hold PENDING WARMUP EVENTS REPS SEED   -> one JSON line on stdout.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <queue>
#include <vector>
#include <algorithm>
#include <unistd.h>

struct Ev {
  double time;
  uint64_t seq;
  uint32_t id;
};
struct Later {
  bool operator()(const Ev& a, const Ev& b) const {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }
};

static uint32_t state;
static double next_uniform() {  // mulberry32, mapped to (0, 1)
  state += 0x6D2B79F5u;
  uint32_t t = state;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  t = t ^ (t >> 14);
  return ((double)t + 0.5) / 4294967296.0;
}
// -ln(u) with IEEE basic operations only, identical in C++, JavaScript and Python.
static double neg_log(double u) {
  const double LN2 = 0.6931471805599453;
  const double SQRT_HALF = 0.7071067811865476;
  double m = u;
  int k = 0;
  while (m < SQRT_HALF) { m *= 2.0; k++; }
  double s = (m - 1.0) / (m + 1.0);
  double z = s * s;
  double p = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0 +
             z * (1.0 / 13.0 + z * (1.0 / 15.0 + z * (1.0 / 17.0 + z * (1.0 / 19.0 + z / 21.0)))))))));
  return k * LN2 - 2.0 * s * p;
}
static double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
static double rss_bytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f) { if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0; fclose(f); }
  return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

int main(int argc, char** argv) {
  if (argc < 6) { fprintf(stderr, "usage: hold PENDING WARMUP EVENTS REPS SEED\n"); return 2; }
  const long pending = atol(argv[1]), warmup = atol(argv[2]), events = atol(argv[3]), reps = atol(argv[4]);
  const uint32_t seed = (uint32_t)strtoul(argv[5], nullptr, 10);
  std::vector<double> rates;
  double final_time = 0, bytes_per_event = 0;
  uint32_t last_id = 0;
  for (long r = 0; r < reps; r++) {
    state = seed;
    uint64_t seq = 0;
    double rss0 = rss_bytes();
    {
      std::priority_queue<Ev, std::vector<Ev>, Later> q;
      for (long i = 0; i < pending; i++) q.push(Ev{neg_log(next_uniform()), seq++, (uint32_t)i});
      double now = 0;
      for (long i = 0; i < warmup; i++) {
        Ev e = q.top(); q.pop(); now = e.time;
        q.push(Ev{now + neg_log(next_uniform()), seq++, e.id});
      }
      bytes_per_event = (rss_bytes() - rss0) / (double)pending;
      double t0 = cpu_seconds();
      for (long i = 0; i < events; i++) {
        Ev e = q.top(); q.pop(); now = e.time; last_id = e.id;
        q.push(Ev{now + neg_log(next_uniform()), seq++, e.id});
      }
      double t1 = cpu_seconds();
      rates.push_back((double)events / (t1 - t0));
      final_time = now;
    }
  }
  std::sort(rates.begin(), rates.end());
  printf("{\"eventsPerS\":%.1f,\"finalTime\":%.17g,\"lastId\":%u,\"bytesPerEvent\":%.2f}\n",
         rates[rates.size() / 2], final_time, last_id, bytes_per_event);
  return 0;
}
