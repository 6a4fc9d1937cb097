// live_policy: reloads swap atomically, failed reloads keep the last good policy, and
// readers on other threads only ever see complete, valid versions.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
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

constexpr const char* broken_policy = "field n: int\noutput level: int first\nlevel if n >= \"zero\" -> 1\n";

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

  const std::filesystem::path path = std::filesystem::temp_directory_path() / "triage_live_policy_test.rules";
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

TEST_CASE("four threads evaluate while another reloads valid and invalid policies") {
  triage::live_policy live;
  REQUIRE(live.reload_from_text(policy_version(1), "v1.rules").ok);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> evaluations{0};
  std::atomic<std::size_t> wrong{0};
  std::atomic<std::uint64_t> latest_seen{0};

  auto reader = [&] {
    while (!stop.load()) {
      const triage::live_policy::snapshot s = live.current_snapshot();
      const auto& p = s.value;
      std::uint64_t latest = latest_seen.load();
      while (s.version > latest && !latest_seen.compare_exchange_weak(latest, s.version)) {
      }
      triage::ticket t{p};
      triage::decision d{p};
      t.set(p->field("n"), 1);
      for (int i = 0; i < 50; ++i) {
        p->evaluate(t, d);
        // Version v (1, 2, 3, ...) was compiled from policy_version(v): the decision must
        // be that version's, complete.
        const auto k = static_cast<std::int64_t>(s.version);
        std::string label = "v";
        label += std::to_string(k);
        const bool ok = d.valid() && d.integer(p->output("level")) == k && d.text(p->output("label")) == label &&
                        d.flag(p->output("same"));
        if (!ok) wrong.fetch_add(1);
        evaluations.fetch_add(1);
      }
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);

  int valid_loads = 1;
  for (int round = 0; round < 200; ++round) {
    if (round % 2 == 0) {
      const triage::reload_result r = live.reload_from_text(policy_version(valid_loads + 1), "next.rules");
      REQUIRE(r.ok);
      ++valid_loads;
      CHECK(r.version == static_cast<std::uint64_t>(valid_loads));
    } else {
      const triage::reload_result r = live.reload_from_text(broken_policy, "broken.rules");
      CHECK_FALSE(r.ok);
      CHECK(r.version == static_cast<std::uint64_t>(valid_loads));
    }
  }
  // Let the readers see the last version too.
  const std::size_t seen = evaluations.load();
  while (evaluations.load() < seen + 1000) std::this_thread::yield();
  stop.store(true);
  for (std::thread& t : readers) t.join();

  CHECK(wrong.load() == 0);
  CHECK(evaluations.load() > 1000);
  CHECK(latest_seen.load() == 101);  // readers took snapshots after the last reload
  CHECK(live.version() == 101);
  CHECK(live.current()->model().rules.size() == 3);
}
