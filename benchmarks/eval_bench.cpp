// eval_bench — the evaluator against a hand-written C++ if-chain of the same policy.
//
//   eval_bench [PASSES] [--no-cli] [--max-rules N]
//
// (`--max-rules 100` runs only the policies of at most 100 rules: quicker when profiling.)
// For policies of 10, 100, 1,000 and 10,000 rules (generated at build time by
// eval_workload_gen, for a `first` output and for a `collect` output), prints per policy:
// ns per ticket for triage and for the baseline (median of PASSES passes over the same
// 10,000 tickets, held in each side's own form, converted once before timing), their
// ratio, parse / check / compile time, the compiled policy's heap size and heap
// allocations per evaluated ticket. Then times whole-process `rulecheck eval` on 100,000
// JSON Lines tickets. Every ticket's decision is checked against the baseline before any
// number is printed: an engine that decided wrongly could not look fast.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "baseline.hpp"
#include "eval_workload.hpp"
#include "triage/check.hpp"
#include "triage/parse.hpp"
#include "triage/policy.hpp"

// ---- heap accounting: every allocation of the process is counted -------------------

namespace {
std::atomic<std::uint64_t> g_allocations{0};
std::atomic<std::int64_t> g_live_bytes{0};
}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using namespace triage_bench;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t ticket_count = 10'000;
[[maybe_unused]] constexpr std::size_t cli_ticket_count = 100'000;  // unused without rulecheck

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

std::string duration_text(std::int64_t seconds) { return std::to_string(seconds) + "s"; }

// Converts a plain ticket into the engine's record (once, outside the timed loop).
void fill(const plain_ticket& p, const triage::policy& pol, triage::ticket& t) {
  t.set_member(pol.field("urgency"), p.urgency);
  t.set_member(pol.field("impact"), p.impact);
  t.set_member(pol.field("category"), p.category);
  t.set_member(pol.field("channel"), p.channel);
  t.set_duration(pol.field("sla"), std::chrono::seconds{p.sla});
  t.set_duration(pol.field("age"), std::chrono::seconds{p.age});
  t.set_int(pol.field("reopened"), p.reopened);
  t.set_bool(pol.field("repeat_client"), p.repeat_client);
  t.set_bool(pol.field("vip"), p.vip);
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < tag_count; ++i) {
    if ((p.tags >> i) & 1u) {
      // Appended rather than "t" + ..., which trips GCC 12's false -Wrestrict.
      std::string name = "t";
      name += std::to_string(i);
      names.push_back(std::move(name));
    }
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  t.set_tags(pol.field("tags"), views);
  t.set_text(pol.field("client"), p.client);
  t.set_text(pol.field("issue"), p.issue);
}

[[maybe_unused]] std::string to_json(const plain_ticket& p, std::size_t id) {
  std::string s = "{\"id\": " + std::to_string(id) + ", \"urgency\": \"" + std::string(urgency_members[p.urgency]) +
                  "\", \"impact\": \"" + std::string(impact_members[p.impact]) + "\", \"category\": \"" +
                  std::string(category_members[p.category]) + "\", \"channel\": \"" +
                  std::string(channel_members[p.channel]) + "\", \"sla\": \"" + duration_text(p.sla) +
                  "\", \"age\": " + std::to_string(p.age) + ", \"reopened\": " + std::to_string(p.reopened) +
                  ", \"repeat_client\": " + (p.repeat_client ? "true" : "false") +
                  ", \"vip\": " + (p.vip ? "true" : "false") + ", \"tags\": [";
  bool first = true;
  for (std::uint32_t i = 0; i < tag_count; ++i) {
    if ((p.tags >> i) & 1u) {
      s += first ? "\"t" : ", \"t";
      s += std::to_string(i);
      s += '"';
      first = false;
    }
  }
  return s + "], \"client\": \"" + p.client + "\", \"issue\": \"" + p.issue + "\"}";
}

struct front_end_times {
  double parse_ms = 0, check_ms = 0, compile_ms = 0;
  std::int64_t bytes = 0;  // heap held by the compiled policy (source, model, tables, runtime)
  std::shared_ptr<const triage::policy> policy;
};

front_end_times load(const std::string& path, int passes) {
  const std::string text = read_file(path);
  std::vector<double> parse_ms, check_ms, compile_ms;
  front_end_times out;
  for (int pass = 0; pass < passes; ++pass) {
    triage::source_file source(path, text);
    triage::source_file copy = source;
    auto start = clock_type::now();
    triage::parse_result parsed = triage::parse(source);
    parse_ms.push_back(ms_since(start));
    if (!parsed.ok()) {
      std::fprintf(stderr, "eval_bench: %s does not parse\n", path.c_str());
      std::exit(1);
    }
    start = clock_type::now();
    triage::check_result checked = triage::check(*parsed.tree, source);
    check_ms.push_back(ms_since(start));
    if (!checked.ok()) {
      std::fprintf(stderr, "eval_bench: %s does not check\n", path.c_str());
      std::exit(1);
    }
    const std::int64_t before = g_live_bytes.load();
    start = clock_type::now();
    triage::compile_result compiled = triage::compile_model(std::move(*checked.value), std::move(copy));
    compile_ms.push_back(ms_since(start));
    if (!compiled.ok()) {
      std::fprintf(stderr, "eval_bench: %s does not compile\n", path.c_str());
      std::exit(1);
    }
    compiled.issues.clear();
    compiled.issues.shrink_to_fit();
    out.bytes = g_live_bytes.load() - before;
    out.policy = compiled.value;
  }
  out.parse_ms = median(parse_ms);
  out.check_ms = median(check_ms);
  out.compile_ms = median(compile_ms);
  return out;
}

struct row {
  const char* kind;
  std::uint32_t rules;
  double engine_ns, baseline_ns;
  front_end_times fe;
  double allocations_per_ticket;
  double matches_per_ticket;
};

row run(bool collect, std::uint32_t size_index, const std::vector<plain_ticket>& plain, int passes) {
  const std::uint32_t n = policy_sizes[size_index];
  const std::string path = std::string(TRIAGE_EVAL_WORKLOAD_DIR) + (collect ? "/collect_" : "/first_") +
                           std::to_string(n) + ".rules";
  row r{collect ? "collect" : "first", n, 0, 0, load(path, passes), 0, 0};
  const triage::policy& pol = *r.fe.policy;
  const triage::output_handle route = pol.output("route");

  std::vector<triage::ticket> tickets;
  tickets.reserve(plain.size());
  for (const plain_ticket& p : plain) {
    tickets.emplace_back(r.fe.policy);
    fill(p, pol, tickets.back());
  }
  triage::decision d{r.fe.policy};

  // Check every decision against the baseline first.
  std::uint8_t got[value_count];
  std::size_t matches = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    pol.evaluate(tickets[i], d);
    bool same = false;
    if (collect) {
      const std::size_t k = baseline_collect[size_index](plain[i], got);
      const auto ids = d.collected_ids(route);
      same = ids.size() == k && std::equal(ids.begin(), ids.end(), got);
      triage::evaluation_trace trace;
      pol.evaluate(tickets[i], d, trace);
      matches += trace.matched(route).size();
    } else {
      same = static_cast<int>(d.member(route)) == baseline_first[size_index](plain[i]);
    }
    if (!same) {
      std::fprintf(stderr, "eval_bench: %s: ticket %zu decided differently from the baseline\n", path.c_str(), i);
      std::exit(1);
    }
  }
  r.matches_per_ticket = static_cast<double>(matches) / static_cast<double>(plain.size());

  std::vector<double> engine, baseline;
  std::uint64_t sink = 0;
  // Small policies take about a millisecond a pass: repeat them so that one pass is long
  // enough (tens of ms) for a scheduling blip on a shared machine not to be the median.
  const int reps = n <= 100 ? 20 : n <= 1000 ? 3 : 1;
  const double per_pass = static_cast<double>(reps) * static_cast<double>(plain.size());
  for (int pass = 0; pass < passes; ++pass) {
    const std::uint64_t allocs = g_allocations.load();
    auto start = clock_type::now();
    for (int rep = 0; rep < reps; ++rep) {
      for (const triage::ticket& t : tickets) {
        pol.evaluate(t, d);
        sink += collect ? d.collected_ids(route).size() : d.member(route);
      }
    }
    engine.push_back(ms_since(start) * 1e6 / per_pass);
    r.allocations_per_ticket = static_cast<double>(g_allocations.load() - allocs) / per_pass;
    start = clock_type::now();
    for (int rep = 0; rep < reps; ++rep) {
      if (collect) {
        for (const plain_ticket& t : plain) sink += baseline_collect[size_index](t, got);
      } else {
        for (const plain_ticket& t : plain) sink += static_cast<std::uint64_t>(baseline_first[size_index](t));
      }
    }
    baseline.push_back(ms_since(start) * 1e6 / per_pass);
  }
  if (sink == 42) std::puts("");  // keeps the loops' results alive
  r.engine_ns = median(engine);
  r.baseline_ns = median(baseline);
  return r;
}

void run_cli(int passes) {
#ifdef TRIAGE_RULECHECK
  const std::string dir = TRIAGE_EVAL_WORKLOAD_DIR;
  const std::string input = dir + "/tickets_100000.jsonl";
  {
    const std::vector<plain_ticket> plain = make_tickets(cli_ticket_count, 0xC11);
    std::ofstream out(input, std::ios::binary);
    for (std::size_t i = 0; i < plain.size(); ++i) out << to_json(plain[i], i) << '\n';
  }
  for (const int jobs : {1, 2}) {
    const std::string command = std::string("\"") + TRIAGE_RULECHECK + "\" eval --jobs " + std::to_string(jobs) +
                                " \"" + dir + "/first_10.rules\" \"" + input + "\" > /dev/null";
    std::vector<double> ms;
    for (int pass = 0; pass < std::max(3, passes / 2); ++pass) {
      const auto start = clock_type::now();
      const int rc = std::system(command.c_str());
      ms.push_back(ms_since(start));
      if (rc != 0) {
        std::fprintf(stderr, "eval_bench: `%s` failed (%d)\n", command.c_str(), rc);
        std::exit(1);
      }
    }
    const double m = median(ms);
    std::printf("\nrulecheck eval --jobs %d, first_10.rules, %zu JSON Lines tickets, whole process (median of %zu):\n",
                jobs, cli_ticket_count, ms.size());
    std::printf("  %.1f ms   %.0f tickets/s\n", m, static_cast<double>(cli_ticket_count) / (m / 1000));
  }
#else
  (void)passes;
  std::puts("\n(rulecheck not built: no whole-process figure)");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  int passes = 7;
  bool cli = true;
  std::uint32_t max_rules = policy_sizes.back();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-cli") {
      cli = false;
    } else if (a == "--max-rules" && i + 1 < argc) {
      max_rules = static_cast<std::uint32_t>(std::max(1, std::atoi(argv[++i])));
    } else {
      passes = std::max(1, std::atoi(argv[i]));
    }
  }
  const std::vector<plain_ticket> plain = make_tickets(ticket_count, 0x5EED);
  std::printf("%zu tickets, median of %d passes\n\n", plain.size(), passes);
  std::printf("%-8s %6s %10s %11s %7s %9s %9s %11s %10s %10s %8s\n", "output", "rules", "triage ns",
              "baseline ns", "ratio", "parse ms", "check ms", "compile ms", "policy KiB", "allocs/tk",
              "matches");
  for (const bool collect : {false, true}) {
    for (std::uint32_t s = 0; s < policy_sizes.size() && policy_sizes[s] <= max_rules; ++s) {
      const row r = run(collect, s, plain, passes);
      std::printf("%-8s %6u %10.1f %11.1f %7.3f %9.2f %9.2f %11.2f %10.1f %10.2f %8.2f\n", r.kind, r.rules,
                  r.engine_ns, r.baseline_ns, r.engine_ns / r.baseline_ns, r.fe.parse_ms, r.fe.check_ms,
                  r.fe.compile_ms, static_cast<double>(r.fe.bytes) / 1024.0, r.allocations_per_ticket,
                  collect ? r.matches_per_ticket : 0.0);
      std::fflush(stdout);
    }
  }
  if (cli) run_cli(passes);
  return 0;
}
