// rulecheck diff, run as users run it: two versions of a policy on the same ticket log.
//
// tests/data/stats/new.rules changes old.rules so that tickets move between teams, a
// ticket old.rules rejects is decided, one output goes and one comes; every count below is
// worked out by hand from tests/data/stats/tickets.jsonl.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

using cli_test::lines_of;
using cli_test::rulecheck;
using cli_test::scratch_file;

const std::string data_dir = cli_test::source_path("tests/data/stats/");

// Reports name files as given; the golden files name them relative to tests/data/stats.
std::string relative(std::string text) {
  for (std::size_t at = text.find(data_dir); at != std::string::npos; at = text.find(data_dir))
    text.erase(at, data_dir.size());
  return text;
}

const std::string old_policy = data_dir + "old.rules";
const std::string new_policy = data_dir + "new.rules";
const std::string tickets = data_dir + "tickets.jsonl";

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("diff --format json counts each output's transitions with example tickets") {
  const auto r = rulecheck({"diff", old_policy, new_policy, tickets, "--format", "json"});
  CHECK(r.status == 0);  // without --exit-code a change is not a failure
  CHECK(r.err.empty());
  const std::string out = relative(r.out);
  cli_test::check_golden("diff/small.json", out);
  // A3 (medium) now goes to network, A4 (vpn and phishing) to security, and A6, rejected by
  // old.rules for its missing urgency, is decided by new.rules: three tickets changed. A5,
  // A9 (urgency "hgih") and line 9 (not an object) are rejected by both.
  CHECK(contains(
      out,
      R"("tickets": 10, "changed": 3, "rejected": {"both": 3, "old_only": 1, "new_only": 0})"));
  CHECK(contains(
      out,
      R"({"output": "team", "in": "both", "changed": 3, "transitions": [)"
      R"({"from": "desk", "to": "network", "count": 1, "examples": [{"id": "A3", "line": 3}]}, )"
      R"({"from": "network", "to": "security", "count": 1, "examples": [{"id": "A4", "line": 4}]}, )"
      R"({"from": {"rejected": true}, "to": "network", "count": 1, "examples": [{"id": "A6", "line": 7}]}], )"
      R"("unlisted": 0})"));
  // A6 gets no escalation: an absent output is null.
  CHECK(contains(out, R"({"output": "escalate", "in": "both", "changed": 1, "transitions": [)"
                      R"({"from": {"rejected": true}, "to": null, "count": 1, )"));
  // The notify rules were swapped: A1 and A7 list the same values in another order, which
  // is no change; only A6 changes.
  CHECK(contains(out, R"({"output": "notify", "in": "both", "changed": 1, )"));
  CHECK(contains(
      out, R"({"output": "risk", "in": "old", "changed": 0, "transitions": [], "unlisted": 0})"));
  CHECK(contains(
      out, R"({"output": "queue", "in": "new", "changed": 0, "transitions": [], "unlisted": 0})"));
}

TEST_CASE("diff writes a readable report by default") {
  const auto r = rulecheck({"diff", old_policy, new_policy, tickets});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  const std::string out = relative(r.out);
  cli_test::check_golden("diff/small.txt", out);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() > 6);
  CHECK(lines[0] == "old.rules → new.rules on tickets.jsonl: 10 tickets, 3 changed (30.0%)");
  CHECK(lines[1] == "rejected: 3 by both, 1 by old only, 0 by new only");
  CHECK(lines[3] == "team: 3 changed (30.0%)");
  CHECK(lines[4] == "  desk        →  network   1  e.g. A3");
  CHECK(lines[6] == "  (rejected)  →  network   1  e.g. A6");
  CHECK(contains(out, "\nonly in old.rules: risk\nonly in new.rules: queue\n"));
}

TEST_CASE("diff the other way round: decided tickets become rejected") {
  const auto r = rulecheck({"diff", new_policy, old_policy, tickets, "--format", "json"});
  CHECK(r.status == 0);
  const std::string out = relative(r.out);
  CHECK(contains(out, R"("changed": 3, "rejected": {"both": 3, "old_only": 0, "new_only": 1})"));
  CHECK(contains(
      out,
      R"({"from": "network", "to": {"rejected": true}, "count": 1, "examples": [{"id": "A6", "line": 7}]})"));
  CHECK(contains(
      out,
      R"({"from": "security", "to": "network", "count": 1, "examples": [{"id": "A4", "line": 4}]})"));
  CHECK(contains(out, R"({"output": "queue", "in": "old", )"));
}

TEST_CASE("diff --exit-code exits with 1 when anything changes, for CI gates") {
  SUBCASE("decisions change") {
    const auto r = rulecheck({"diff", old_policy, new_policy, tickets, "--exit-code"});
    CHECK(r.status == 1);
    CHECK(contains(r.out, "team: 3 changed"));
  }
  SUBCASE("the same policy changes nothing") {
    const auto r = rulecheck({"diff", old_policy, old_policy, tickets, "--exit-code"});
    CHECK(r.status == 0);
    CHECK(relative(r.out) ==
          "old.rules → old.rules on tickets.jsonl: 10 tickets, 0 changed (0.0%)\n"
          "rejected: 4 by both, 0 by old only, 0 by new only\n"
          "\n"
          "unchanged: team, escalate, page, notify, risk\n");
  }
  SUBCASE("an output only one version has is a change even when no decision differs") {
    const std::string a =
        scratch_file("a.rules", "field vip: bool\noutput page: flag\npage if vip\n");
    const std::string b = scratch_file(
        "b.rules",
        "field vip: bool\noutput page: flag\noutput call: flag\npage if vip\ncall if vip\n");
    const auto r =
        rulecheck({"diff", a, b, "-", "--exit-code", "--format", "json"}, "{\"vip\": true}\n");
    CHECK(r.status == 1);
    CHECK(contains(r.out, R"("tickets": 1, "changed": 0, )"));
    CHECK(contains(r.out, R"({"output": "call", "in": "new", )"));
  }
}

TEST_CASE("diff keeps three examples a transition, named by --id-field") {
  std::string log;
  for (int i = 1; i <= 5; ++i)
    log += "{\"key\": " + std::to_string(i) + ", \"urgency\": \"medium\"}\n";
  const auto r =
      rulecheck({"diff", old_policy, new_policy, "-", "--id-field=key", "--format", "json"}, log);
  CHECK(r.status == 0);
  CHECK(contains(r.out, R"({"from": "desk", "to": "network", "count": 5, "examples": [)"
                        R"({"id": 1, "line": 1}, {"id": 2, "line": 2}, {"id": 3, "line": 3}]})"));
}

TEST_CASE("diff memory stays flat however long the log") {
  const auto peak_kb = [](std::size_t bytes) {
    cli_test::live_rulecheck child({"diff", old_policy, new_policy, "-"}, false);
    std::string block;
    for (int i = 0; block.size() < (1u << 20); ++i) {
      block.append("{\"id\": \"T-").append(std::to_string(i));
      block.append("\", \"urgency\": \"medium\", \"tags\": [\"vpn\", \"phishing\"]}\n");
    }
    for (std::size_t sent = 0; sent < bytes; sent += block.size()) REQUIRE(child.write(block));
    const auto r = child.finish();
    CHECK(r.status == 0);
    return r.max_rss_kb;
  };
  const long small = peak_kb(std::size_t{1} << 20);
  const long large = peak_kb(std::size_t{32} << 20);
  CAPTURE(small);
  CAPTURE(large);
  CHECK(large < small + 8 * 1024);
}

TEST_CASE("diff exits with 2 when it cannot do its work") {
  SUBCASE("too few files") {
    const auto r = rulecheck({"diff", old_policy, tickets});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) ==
          "rulecheck: error: expected an old policy, a new policy and a ticket log");
  }
  SUBCASE("two files from standard input") {
    const auto r = rulecheck({"diff", "-", old_policy, "-"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) ==
          "rulecheck: error: only one of the files can come from standard input");
  }
  SUBCASE("a ticket log that cannot be read") {
    const std::string missing = (cli_test::scratch() / "missing.jsonl").string();
    const auto r = rulecheck({"diff", old_policy, new_policy, missing, "--exit-code"});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
    CHECK(r.out.empty());
  }
  SUBCASE("a new version that does not compile") {
    const std::string broken =
        scratch_file("broken.rules", "output team: enum { a } first\nteam if x -> a\n");
    const auto r = rulecheck({"diff", old_policy, broken, tickets, "--exit-code"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).back() == "rulecheck: error: policy '" + broken + "' does not compile");
    CHECK(r.out.empty());
  }
}

TEST_CASE("diff lists the first 1000 distinct transitions of an output and counts the rest") {
  // Eleven flags weigh 1, 2, 4, ... 1024 in a sum, then twice as much: each ticket below
  // has its own sum, so each changes in its own way.
  const auto policy = [](int factor) {
    std::string text;
    for (int i = 0; i < 11; ++i) text += "field b" + std::to_string(i) + ": bool\n";
    text += "output score: int sum\n";
    for (int i = 0; i < 11; ++i)
      text += "score if b" + std::to_string(i) + " -> " + std::to_string(factor << i) + "\n";
    return text;
  };
  std::string log;
  for (int n = 1; n <= 1100; ++n) {
    log += "{\"id\": " + std::to_string(n);
    for (int i = 0; i < 11; ++i) {
      log += ", \"b" + std::to_string(i) + "\": " + (((n >> i) & 1) != 0 ? "true" : "false");
    }
    log += "}\n";
  }
  const std::string once = scratch_file("once.rules", policy(1));
  const std::string twice = scratch_file("twice.rules", policy(2));
  const auto r = rulecheck({"diff", once, twice, "-", "--format", "json"}, log);
  CHECK(r.status == 0);
  CHECK(contains(r.out, R"("tickets": 1100, "changed": 1100, )"));
  CHECK(
      contains(r.out, R"({"from": 1, "to": 2, "count": 1, "examples": [{"id": 1, "line": 1}]}, )"));
  CHECK(contains(
      r.out,
      R"({"from": 1000, "to": 2000, "count": 1, "examples": [{"id": 1000, "line": 1000}]}], )"
      R"("unlisted": 100})"));
  const auto text = rulecheck({"diff", once, twice, "-"}, log);
  CHECK(contains(text.out, "\n  (other changes)           100\n"));
}

TEST_CASE("diff shows control characters in file names escaped in its text report") {
  // A file name is input too: a terminal escape in it must not reach the terminal raw.
  const std::string old_named = scratch_file("o\x1b[2J.rules", cli_test::read_all(old_policy));
  const std::string new_named = scratch_file("n\xC2\x9B.rules", cli_test::read_all(new_policy));
  const std::string log = scratch_file("t\x1b]0;x\x07.jsonl",
                                       "{\"id\": \"A1\", \"urgency\": \"low\"}\n"
                                       "{\"id\": \"A2\", \"urgency\": \"high\"}\n");
  const std::string shown_old = (cli_test::scratch() / "o\\u{1b}[2J.rules").string();
  const std::string shown_new = (cli_test::scratch() / "n\\u{9b}.rules").string();
  const std::string shown_log = (cli_test::scratch() / "t\\u{1b}]0;x\\u{7}.jsonl").string();
  const auto r = rulecheck({"diff", old_named, new_named, log});
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).at(0) ==
        shown_old + " → " + shown_new + " on " + shown_log + ": 2 tickets, 0 changed (0.0%)");
  CHECK(contains(r.out, "\nonly in " + shown_old + ": risk\nonly in " + shown_new + ": queue\n"));
  CHECK(std::none_of(r.out.begin(), r.out.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n'; }));
}
