// The embedding example (examples/embed), run as a host runs it: tickets in, decisions out,
// and the policy reloaded while it serves.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "cli_run.hpp"

#ifndef TRIAGE_EMBED_EXAMPLE
#error "examples/CMakeLists.txt defines TRIAGE_EMBED_EXAMPLE, the example's path"
#endif

namespace {

namespace fs = std::filesystem;

constexpr std::string_view version_1 =
    "field urgency: enum { low, high } required\n"
    "output priority: enum { P1, P2 } first default P2\n"
    "priority if urgency == high -> P1\n";

// The same policy with the rule's value changed.
constexpr std::string_view version_2 =
    "field urgency: enum { low, high } required\n"
    "output priority: enum { P1, P2 } first default P1\n"
    "priority if urgency == high -> P2\n";

constexpr std::string_view broken =
    "field urgency: enum { low, high } required\n"
    "output priority: enum { P1, P2 } first default P1\n"
    "priority if urgencyy == high -> P2\n";

// Rewrites the policy and moves its modification time forward, so that the change is seen
// even on a file system with coarse timestamps.
void replace_policy(const fs::path& path, std::string_view text) {
  const auto before = fs::last_write_time(path);
  cli_test::write_all(path, text);
  fs::last_write_time(path, before + std::chrono::seconds(1));
}

}  // namespace

TEST_CASE("the embedding example reloads a changed policy and keeps serving on a bad one") {
  const fs::path policy = cli_test::scratch_file("live.rules", version_1);
  // --poll-ms 0: look at the file before every ticket, so the test needs no sleeping.
  cli_test::live_rulecheck host({std::string("exec:") + TRIAGE_EMBED_EXAMPLE, policy.string(),
                                 "--poll-ms", "0"},
                                true);
  const std::string ticket = R"({"id": "T-1", "urgency": "high"})" "\n";

  REQUIRE(host.write(ticket));
  CHECK(host.read_line(10'000) == R"({"id": "T-1", "version": 1, "decision": {"priority": "P1"}})");

  replace_policy(policy, version_2);
  REQUIRE(host.write(ticket));
  CHECK(host.read_line(10'000) == R"({"id": "T-1", "version": 2, "decision": {"priority": "P2"}})");

  replace_policy(policy, broken);
  REQUIRE(host.write(ticket));
  CHECK(host.read_line(10'000) == R"({"id": "T-1", "version": 2, "decision": {"priority": "P2"}})");
  REQUIRE(host.write(R"({"id": "T-2"})" "\n"));
  CHECK(host.read_line(10'000) ==
        R"({"id": "T-2", "version": 2, "error": "missing required field 'urgency'"})");

  const auto r = host.finish();
  CHECK(r.status == 0);
  const auto err = cli_test::lines_of(r.err);
  REQUIRE(err.size() >= 3);
  CHECK(err[0] == "reloaded " + policy.string() + ": version 2");
  CHECK(err[1] == "reload of " + policy.string() + " failed; still serving version 2:");
  CHECK(err[2].starts_with(policy.string() + ":3:13: error[unknown-name]: unknown field 'urgencyy'"));
}

TEST_CASE("the embedding example answers every example ticket") {
  const std::string tickets = cli_test::read_all(cli_test::source_path("examples/tickets.jsonl"));
  cli_test::live_rulecheck host({std::string("exec:") + TRIAGE_EMBED_EXAMPLE,
                                 cli_test::source_path("examples/routing.rules")},
                                true);
  REQUIRE(host.write(tickets));
  host.close_input();
  std::size_t decisions = 0;
  std::size_t errors = 0;
  for (std::string line = host.read_line(10'000); line != "<end>"; line = host.read_line(10'000)) {
    REQUIRE(line != "<timeout>");
    decisions += line.find(R"(, "version": 1, "decision": {)") != std::string::npos ? 1 : 0;
    errors += line.find(R"(, "version": 1, "error": ")") != std::string::npos ? 1 : 0;
  }
  CHECK(decisions == 205);
  CHECK(errors == 10);
  CHECK(host.finish().status == 0);
}
