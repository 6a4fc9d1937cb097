// live_policy: reloads swap atomically, failed reloads keep the last good policy, and
// readers on other threads only ever see complete, valid versions.
#include <doctest/doctest.h>

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "triage/live_policy.hpp"

namespace {

// Version k of the policy decides `level = k` and `label = "v<k>"` for every ticket; a
// decision mixing versions, or from a half-built policy, would show it.
std::string policy_version(int k) {
  // Built with += : g++ 12 warns falsely (-Wrestrict) on "literal" + std::string.
  const std::string n = std::to_string(k);
  std::string text = "field n: int required\noutput level: int first default -1\n";
  text += "output label: string first\noutput same: flag\n";
  text += "level if n >= 0 -> ";
  text += n;
  text += "\nlabel if n >= 0 -> \"v";
  text += n;
  text += "\"\nsame if level == ";
  text += n;
  text += "\n";
  return text;
}

constexpr const char* broken_policy =
    "field n: int\noutput level: int first\nlevel if n >= \"zero\" -> 1\n";

}  // namespace

TEST_CASE("an empty holder has no policy until a load succeeds") {
  triage::live_policy live;
  CHECK(live.current() == nullptr);
  CHECK(live.version() == 0);
  const triage::reload_result bad = live.reload_from_text(broken_policy, "broken.rules");
  CHECK_FALSE(bad.ok);
  CHECK(bad.version == 0);
  CHECK(triage::has_errors(bad.issues));
  CHECK(live.current() == nullptr);
  const triage::reload_result good = live.reload_from_text(policy_version(1), "v1.rules");
  CHECK(good.ok);
  CHECK(good.version == 1);
  CHECK(live.current() != nullptr);
  CHECK(live.current_snapshot().version == 1);
}

TEST_CASE("a failed reload keeps the last good policy and returns the diagnostics") {
  triage::compile_result first = triage::compile(policy_version(7), "v7.rules");
  REQUIRE(first.ok());
  triage::live_policy live{first.value};
  CHECK(live.version() == 1);
  const triage::reload_result bad = live.reload_from_text(broken_policy, "broken.rules");
  CHECK_FALSE(bad.ok);
  CHECK(bad.version == 1);
  REQUIRE_FALSE(bad.issues.empty());
  CHECK(bad.issues[0].code == triage::diagnostic_code::type_mismatch);
  REQUIRE(bad.source != nullptr);
  CHECK(bad.source->name() == "broken.rules");
  CHECK(live.current() == first.value);

  const triage::reload_result missing = live.reload_from_file("/nonexistent/policy.rules");
  CHECK_FALSE(missing.ok);
  CHECK(live.current() == first.value);

  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "triage_live_policy_test.rules";
  {
    std::ofstream out(path, std::ios::binary);
    out << policy_version(8);
  }
  const triage::reload_result from_file = live.reload_from_file(path);
  std::filesystem::remove(path);
  CHECK(from_file.ok);
  CHECK(from_file.version == 2);
  CHECK(live.current() != first.value);
}

// Hot reload under load (issue 6): readers evaluate without pause while a reloader swaps
// valid and invalid policies. Every decision must come whole from one valid version, the
// one the reader's snapshot names; no invalid policy may ever serve; and a replaced
// version must be freed as soon as the last reader drops it.

namespace {

// Concatenates strings (g++ 12 warns falsely, -Wrestrict, on "literal" + std::string).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  ((out += std::string_view(parts)), ...);
  return out;
}

// Rules of every valid stress policy (the limit-exceeded twin has one more).
constexpr std::uint32_t stress_rules = 40;

// Stress policy version k, with `rules` rules. Six outputs encode k in different ways (an
// int, a string, an enum member, a collect list, a sum, and a flag that reads three of
// them), so a decision with any output from another version, or from a half-built policy,
// cannot pass as version k's. The padding rules never match tickets with n < 1000; they
// make each version large enough that keeping every version alive would show in RSS.
std::string stress_body(std::int64_t k, std::string_view label, std::uint32_t rules) {
  const std::string n = std::to_string(k);
  const std::string text_value = cat(label, n);
  const std::string member = cat("t", std::to_string(k % 7));
  std::string text = "field n: int required\n";
  text += "output level: int first default -1\n";
  text += "output label: string first\n";
  text += "output tier: enum { t0, t1, t2, t3, t4, t5, t6 } first\n";
  text += "output notes: string collect\n";
  text += "output score: int sum\n";
  text += "output consistent: flag\n";
  text += "output pad: int first default 0\n";
  text += cat("level if n >= 0 -> ", n, "\n");
  text += cat("label if n >= 0 -> \"", text_value, "\"\n");
  text += cat("tier if n >= 0 -> ", member, "\n");
  text += cat("notes if n >= 0 -> \"", text_value, "\"\n");
  text += cat("notes if n >= 1 -> \"", text_value, "+\"\n");
  text += cat("score if n >= 0 -> ", n, "\n");
  text += cat("score if n >= 1 -> ", n, "\n");
  text += cat("consistent if level == ", n, " and label == \"", text_value,
              "\" and tier == ", member, "\n");
  for (std::uint32_t i = 8; i < rules; ++i) {
    text += cat("pad if n == ", std::to_string(1000 + i), " and level == ", n, " -> ",
                std::to_string(i), "\n");
  }
  return text;
}

std::string stress_policy(std::int64_t k) { return stress_body(k, "v", stress_rules); }

// The ways a reload can fail, one per invalid reload in turn.
enum class breakage { syntax, type, overlap, gap, too_many_rules };
constexpr int breakage_kinds = 5;
// The code of the (first) error each kind of breakage gives.
constexpr triage::diagnostic_code breakage_codes[breakage_kinds] = {
    triage::diagnostic_code::syntax, triage::diagnostic_code::type_mismatch,
    triage::diagnostic_code::unique_overlap, triage::diagnostic_code::incomplete_output,
    triage::diagnostic_code::limit_exceeded};

// An invalid twin of version k: all of it but the broken part decides "bad<j>" and j for
// j = 1,000,000 + k, so if it were ever served, even in part, the readers would see it.
// Each stays within the rule limit except the one that is about it.
std::string broken_stress_policy(std::int64_t k, breakage kind) {
  switch (kind) {
    case breakage::syntax:  // the last line is cut short: a parser that gave up late
      return cat(stress_body(1'000'000 + k, "bad", stress_rules - 1), "level if n >= 0 ->\n");
    case breakage::type:
      return cat(stress_body(1'000'000 + k, "bad", stress_rules - 1),
                 "level if n >= \"zero\" -> 1\n");
    case breakage::overlap:  // compiling refuses a `unique` output whose rules overlap
      return cat(stress_body(1'000'000 + k, "bad", stress_rules - 2),
                 "output owner: int unique\nowner if n >= 0 -> 1\nowner if n >= 1 -> 2\n");
    case breakage::gap:  // and a `complete` output that a ticket can leave without value
      return cat(stress_body(1'000'000 + k, "bad", stress_rules - 1),
                 "output owner: int first complete\nowner if n >= 5 -> 1\n");
    case breakage::too_many_rules:  // one rule over the reloads' max_rules
      return stress_body(1'000'000 + k, "bad", stress_rules + 1);
  }
  return {};
}

// "LINE:COLUMN: code: message" of a reload's first diagnostic.
std::string first_issue(const triage::reload_result& r) {
  if (r.issues.empty() || r.source == nullptr) return "(no diagnostic)";
  const triage::diagnostic& d = r.issues.front();
  const triage::position p = r.source->position_of(d.where.begin);
  return cat(std::to_string(p.line), ":", std::to_string(p.column), ": ", triage::code_name(d.code),
             ": ", d.message);
}

// Resident memory of this process in bytes (Linux: /proc/self/statm, in pages), after
// giving the allocator's free pages back, so that only memory in use is counted.
std::size_t resident_bytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0, resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Sanitizers slow a reload ten times and keep freed memory in quarantine (ASan) or in
// their own metadata (TSan), so their builds run a smaller stress by default and do not
// compare resident memory (LeakSanitizer and the weak_ptr checks look for leaks there).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

// The number of reloads: TRIAGE_STRESS_RELOADS, an even number from 20 up (a long soak,
// or the full size in a sanitizer build); else 1,000, or 200 under a sanitizer. 0 when
// the variable is unusable.
int stress_reloads() {
  const char* env = std::getenv("TRIAGE_STRESS_RELOADS");
  if (env == nullptr || *env == '\0') return sanitized ? 200 : 1000;
  char* end = nullptr;
  const long n = std::strtol(env, &end, 10);
  if (*end != '\0' || n < 20 || n % 2 != 0 || n > 100'000'000) return 0;
  return static_cast<int>(n);
}

// What one reader saw. Written by its thread only; read after join (or, for
// `latest_version`, by the reloader while waiting for the readers to catch up).
struct reader_log {
  std::atomic<std::uint64_t> latest_version{0};
  std::atomic<bool> done{false};
  std::size_t decisions = 0;
  std::size_t versions_seen = 0;  // distinct versions, counted as they change
  std::string first_error;        // empty while every decision was right
};

}  // namespace

TEST_CASE("the stress policies are valid at the rule limit and each broken twin is refused for its own reason") {
  triage::limits lim;
  lim.max_rules = stress_rules;
  triage::live_policy live;
  const triage::reload_result ok = live.reload_from_text(stress_policy(12), "v12.rules", lim);
  CHECK(first_issue(ok) == "(no diagnostic)");
  REQUIRE(ok.ok);
  const std::shared_ptr<const triage::policy> p = live.current();
  CHECK(p->model().rules.size() == stress_rules);
  triage::ticket t{p};
  triage::decision d{p};
  t.set(p->field("n"), 2);
  p->evaluate(t, d);
  CHECK(d.to_json() ==
        R"({"level": 12, "label": "v12", "tier": "t5", "notes": ["v12", "v12+"], "score": 24, )"
        R"("consistent": true, "pad": 0})");

  const auto refused = [&](breakage kind) {
    const triage::reload_result r =
        live.reload_from_text(broken_stress_policy(12, kind), "bad12.rules", lim);
    CHECK_FALSE(r.ok);
    CHECK(r.version == 1);
    return first_issue(r);
  };
  CHECK(refused(breakage::syntax) ==
        "48:19: syntax: expected a value after '->', found end of file");
  CHECK(refused(breakage::type) ==
        "48:15: type-mismatch: expected an integer, found string '\"zero\"'");
  CHECK(
      refused(breakage::overlap) ==
      "49:1: unique-overlap: rules 'bad12.rules:48' and 'bad12.rules:49' of unique output 'owner' "
      "both match some tickets");
  CHECK(refused(breakage::gap) ==
        "48:8: incomplete-output: complete output 'owner' has no rule for some tickets");
  CHECK(refused(breakage::too_many_rules) ==
        "49:1: limit-exceeded: rule number 41 is over the limit max_rules = 40");
  CHECK(live.current() == p);
}

TEST_CASE("eight readers decide continuously while 1,000 reloads alternate valid and invalid policies") {
  // (200 by default in sanitizer builds; TRIAGE_STRESS_RELOADS=1000 runs the full size.)
  const int reloads = stress_reloads();
  REQUIRE_MESSAGE(reloads != 0, "TRIAGE_STRESS_RELOADS must be an even number from 20 up");
  constexpr int reader_count = 8;
  // The reloader waits for every reader to reach the current version this many times, so
  // each reader provably decides under at least as many versions, however the threads
  // are scheduled; between checkpoints it reloads as fast as it can.
  constexpr int checkpoints = 10;
  const int checkpoint_every = reloads / checkpoints;

  triage::limits lim;
  lim.max_rules = stress_rules;  // the valid versions are exactly at the limit

  triage::live_policy live;
  std::vector<std::weak_ptr<const triage::policy>> loaded;    // loaded[v - 1] is version v
  loaded.reserve(static_cast<std::size_t>(1 + reloads / 2));  // no growth to measure below
  {
    const triage::reload_result first = live.reload_from_text(stress_policy(1), "v1.rules", lim);
    REQUIRE(first.ok);
    loaded.push_back(live.current());
  }

  std::atomic<bool> stop{false};
  std::vector<reader_log> logs(reader_count);

  auto reader = [&](reader_log& log) {
    try {
      std::int64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const triage::live_policy::snapshot s = live.current_snapshot();
        if (s.version < log.latest_version.load(std::memory_order_relaxed) &&
            log.first_error.empty()) {
          log.first_error =
              cat("version went back from ", std::to_string(log.latest_version.load()), " to ",
                  std::to_string(s.version));
        }
        if (s.version != log.latest_version.load(std::memory_order_relaxed)) {
          ++log.versions_seen;
        }
        // Version v was compiled from stress_policy(v) under the name "v<v>.rules".
        const auto k = static_cast<std::int64_t>(s.version);
        const std::string name = cat("v", std::to_string(k));
        const std::string file = cat(name, ".rules");
        const std::string member = cat("t", std::to_string(k % 7));
        const std::string more = cat(name, "+");
        const std::shared_ptr<const triage::policy>& p = s.value;
        const triage::output_handle level = p->output("level"), label = p->output("label"),
                                    tier = p->output("tier"), notes = p->output("notes"),
                                    score = p->output("score"),
                                    consistent = p->output("consistent");
        triage::ticket t{p};
        triage::decision d{p};
        // A few tickets per snapshot, as a worker decides a batch with one version.
        for (int i = 0; i < 3; ++i, n = (n + 1) % 3) {
          t.set(p->field("n"), n);
          p->evaluate(t, d);
          const std::span<const std::string_view> listed = d.collected(notes);
          const bool right = d.valid() && d.owner() == p && p->source().name() == file &&
                             d.integer(level) == k && d.text(label) == name &&
                             d.text(tier) == member && d.integer(score) == (n == 0 ? k : 2 * k) &&
                             d.flag(consistent) && listed.size() == (n == 0 ? 1u : 2u) &&
                             listed[0] == name && (n == 0 || listed[1] == more);
          if (!right && log.first_error.empty()) {
            log.first_error = cat("version ", std::to_string(k), " from ", p->source().name(),
                                  " decided ", d.to_json());
          }
          ++log.decisions;
        }
        // Announced once the previous batch's snapshot, ticket and decision are gone: from
        // here on this reader holds no version older than s.version.
        log.latest_version.store(s.version, std::memory_order_release);
      }
    } catch (const std::exception& e) {
      log.first_error = cat("exception: ", e.what());
    }
    log.done.store(true, std::memory_order_release);
  };
  std::vector<std::thread> readers;
  readers.reserve(reader_count);
  for (reader_log& log : logs) readers.emplace_back(reader, std::ref(log));

  // Waits until every reader has decided under version `v` (or stopped), so that each
  // older version has been dropped by every reader.
  auto wait_for_readers = [&](std::uint64_t v) {
    for (const reader_log& log : logs) {
      while (log.latest_version.load(std::memory_order_acquire) < v &&
             !log.done.load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
    }
  };

  std::size_t warm_rss = 0;
  std::size_t failed_checks = 0;
  std::string first_failure;
  auto fail = [&](const std::string& what) {
    if (failed_checks++ == 0) first_failure = what;
  };
  const auto started = std::chrono::steady_clock::now();
  std::int64_t valid = 1;  // versions loaded so far
  for (int i = 0; i < reloads; ++i) {
    if (i % 2 == 0) {
      const std::int64_t k = valid + 1;
      const std::string name = cat("v", std::to_string(k), ".rules");
      const triage::reload_result r = live.reload_from_text(stress_policy(k), name, lim);
      if (!r.ok || r.version != static_cast<std::uint64_t>(k) || !r.issues.empty()) {
        fail(cat("reload ", std::to_string(i), " of ", name, ": ", first_issue(r)));
      }
      valid = k;
      // Only this thread reloads, so the current policy is the one just compiled.
      const triage::live_policy::snapshot now = live.current_snapshot();
      if (now.version != r.version || now.value->source().name() != name) {
        fail(cat("after reload ", std::to_string(i), " the current version is ",
                 std::to_string(now.version)));
      }
      loaded.push_back(now.value);
    } else {
      const int kind = (i / 2) % breakage_kinds;
      const std::string name = cat("bad", std::to_string(valid), ".rules");
      const triage::reload_result r = live.reload_from_text(
          broken_stress_policy(valid, static_cast<breakage>(kind)), name, lim);
      if (r.ok || r.version != static_cast<std::uint64_t>(valid) || r.issues.empty() ||
          r.issues.front().code != breakage_codes[kind] || r.source == nullptr ||
          r.source->name() != name) {
        fail(cat("invalid reload ", std::to_string(i), " of ", name,
                 " was accepted or lost: ", first_issue(r)));
      }
      if (live.current() != loaded.back().lock()) {
        fail(cat("invalid reload ", std::to_string(i), " replaced the current policy"));
      }
    }
    if ((i + 1) % checkpoint_every == 0) {
      const auto v = static_cast<std::uint64_t>(valid);
      wait_for_readers(v);
      // Every reader now holds version v or nothing: each older version must be freed.
      for (std::size_t j = 0; j + 1 < v; ++j) {
        if (!loaded[j].expired()) {
          fail(cat("version ", std::to_string(j + 1), " is still alive at version ",
                   std::to_string(v)));
        }
      }
      if (i + 1 == checkpoint_every) warm_rss = resident_bytes();
    }
  }
  const double reload_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  wait_for_readers(static_cast<std::uint64_t>(valid));  // the last version is served too
  const std::size_t end_rss = resident_bytes();
  stop.store(true);
  for (std::thread& t : readers) t.join();

  CHECK(first_failure == "");
  CHECK(failed_checks == 0);
  CHECK(live.version() == static_cast<std::uint64_t>(1 + reloads / 2));
  REQUIRE(loaded.size() == static_cast<std::size_t>(1 + reloads / 2));
  std::size_t decisions = 0;
  for (std::size_t r = 0; r < logs.size(); ++r) {
    const reader_log& log = logs[r];
    CAPTURE(r);
    CHECK(log.first_error == "");
    // The checkpoints made each reader decide under at least `checkpoints` versions.
    CHECK(log.versions_seen >= static_cast<std::size_t>(checkpoints));
    CHECK(log.latest_version.load() == static_cast<std::uint64_t>(valid));
    decisions += log.decisions;
  }
  // The readers are gone: only the current version is alive, held by `live`.
  std::size_t alive = 0;
  for (const auto& w : loaded) alive += w.expired() ? 0 : 1;
  CHECK(alive == 1);
  CHECK_FALSE(loaded.back().expired());
  // Resident memory after the first tenth of the reloads, when every allocator pool and
  // thread stack is in use, against the end: flat, but for the 32-byte control block each
  // weak_ptr above keeps. One version is about 60 KiB, so keeping each would add tens of
  // MiB; 1 MiB over 900 reloads is also less than keeping each failed reload's source.
  const std::size_t bound = warm_rss + (std::size_t{1} << 20) + 64 * loaded.size();
  if (!sanitized) CHECK(end_rss <= bound);

  MESSAGE(reloads << " reloads in " << reload_seconds << " s; " << decisions << " decisions by "
                  << reader_count << " readers; RSS " << warm_rss / 1024 << " KiB after warm-up, "
                  << end_rss / 1024 << " KiB at the end");
}
