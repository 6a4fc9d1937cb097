// rulecheck stats, run as users run it: a policy over a ticket log, summarised.
//
// tests/data/stats/ holds a policy and a ticket log small enough to count by hand; the
// golden files pin the whole report, and the checks below restate the counts that matter.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
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
const std::string tickets = data_dir + "tickets.jsonl";

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("stats --format json counts values, rules, dead rules and rejected tickets") {
  const auto r = rulecheck({"stats", old_policy, tickets, "--format", "json"});
  CHECK(r.status == 1);  // four tickets were rejected: as eval, the run found problems
  CHECK(r.err.empty());
  const std::string out = relative(r.out);
  cli_test::check_golden("stats/small.json", out);
  // What the golden file says, worked out by hand from tickets.jsonl (see old.rules):
  // ten non-blank lines, four rejected, six decided.
  CHECK(contains(out, R"("tickets": 10, "evaluated": 6, "rejected": 4)"));
  // team: A1 and A4 by 'net', A2 and A7 by 'sec', A3 and A8 by the default.
  CHECK(contains(out, R"("output": "team", "policy": "first", "default": "desk", "by_rule": 4, )"
                      R"("by_default": 2, "none": 0, "values": [{"value": "desk", "count": 2}, )"
                      R"({"value": "network", "count": 2}, {"value": "security", "count": 2}])"));
  // escalate (max, no default): A2 and A8 got nothing; A1 matched L2, L3 and L1 and got L3.
  CHECK(contains(out, R"("by_rule": 4, "by_default": 0, "none": 2, "values": [{"value": "L1", )"
                      R"("count": 1}, {"value": "L2", "count": 1}, {"value": "L3", "count": 2}])"));
  // A max output is decided by the rule that produced the winning value: esc_high matched
  // A1 and A4 but only A4's L2 won; esc_any (L1) only won for A3.
  CHECK(contains(
      out,
      R"({"rule": "esc_high", "output": "escalate", "line": 19, "matched": 2, "decided": 1})"));
  CHECK(contains(
      out, R"({"rule": "esc_any", "output": "escalate", "line": 21, "matched": 4, "decided": 1})"));
  // A first output is decided by its first matching rule: sec lost A4 to net.
  CHECK(contains(out,
                 R"({"rule": "sec", "output": "team", "line": 15, "matched": 3, "decided": 2})"));
  CHECK(contains(out, R"("never_matched": ["net_wifi"], "never_decided": ["vpn_security"])"));
  // Rejected tickets grouped by reason, the most frequent first, with their lines.
  CHECK(contains(out, R"("rejected_reasons": [{"reason": "field 'urgency': \"hgih\" is not one of )"
                      R"(low, medium, high", "count": 2, "examples": [{"id": "A5", "line": 6}, )"
                      R"({"id": "A9", "line": 11}]})"));
  CHECK(contains(
      out,
      R"({"reason": "not a JSON object", "count": 1, "examples": [{"id": null, "line": 9}]})"));
}

TEST_CASE("stats writes a readable report by default") {
  const auto r = rulecheck({"stats", old_policy, tickets});
  CHECK(r.status == 1);
  CHECK(r.err.empty());  // no progress line: stderr is not a terminal
  const std::string out = relative(r.out);
  cli_test::check_golden("stats/small.txt", out);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() > 4);
  CHECK(lines[0] == "old.rules on tickets.jsonl: 10 tickets, 6 evaluated, 4 rejected (40.0%)");
  CHECK(lines[2] == "team  (first, default desk)  by a rule 4 (66.7%), default 2 (33.3%)");
  CHECK(lines[3] == "  desk      2  33.3%  ██████████");
  CHECK(contains(out, "\nnever matched: 1 rule\n  net_wifi  (old.rules:17)\n"));
  CHECK(contains(
      out, "\n  2  field 'urgency': \"hgih\" is not one of low, medium, high  (e.g. A5, A9)\n"));
}

TEST_CASE("stats exits with 0 when every ticket was evaluated, and reads standard input") {
  const std::string log =
      "{\"id\": 1, \"urgency\": \"high\", \"tags\": [\"wifi\"]}\n"
      "\n"
      "{\"id\": 2, \"urgency\": \"low\", \"vip\": true}\n";
  const auto r = rulecheck({"stats", old_policy, "-", "--format=json"}, log);
  CHECK(r.status == 0);
  CHECK(contains(
      r.out, R"("policy": ")" + old_policy + R"(", "tickets": 2, "evaluated": 2, "rejected": 0)"));
  CHECK(contains(
      r.out, R"({"rule": "net_wifi", "output": "team", "line": 17, "matched": 1, "decided": 1})"));
  CHECK(contains(r.out, R"("rejected_reasons": [], "unlisted_rejected": 0})"));
  const auto text = rulecheck({"stats", old_policy, "-"}, log);
  CHECK(text.status == 0);
  CHECK(contains(text.out, "\nrejected: none\n"));
  CHECK(contains(text.out, "<stdin>: 2 tickets, 2 evaluated, 0 rejected (0.0%)\n"));
}

TEST_CASE("stats keeps three examples of a reason and names tickets by --id-field") {
  std::string log;
  for (int i = 1; i <= 5; ++i) log += "{\"key\": \"K" + std::to_string(i) + "\"}\n";
  const auto r =
      rulecheck({"stats", old_policy, "-", "--format", "json", "--id-field", "key"}, log);
  CHECK(r.status == 1);
  CHECK(contains(r.out,
                 R"("rejected_reasons": [{"reason": "missing required field 'urgency'", )"
                 R"("count": 5, "examples": [{"id": "K1", "line": 1}, {"id": "K2", "line": 2}, )"
                 R"({"id": "K3", "line": 3}]}])"));
}

TEST_CASE("stats on the example policy and tickets reads at a glance") {
  const auto r = rulecheck({"stats", cli_test::source_path("examples/routing.rules"),
                            cli_test::source_path("examples/tickets.jsonl")});
  CHECK(r.status == 1);  // the example log holds invalid tickets on purpose
  CHECK(contains(r.out, "\npriority  (first, default P4)  by a rule "));
  CHECK(contains(r.out, "\nrules  (of "));
  CHECK(contains(r.out, "\nnever matched: "));
  CHECK(contains(r.out, "\nrejected: "));
  CHECK(contains(r.out, "  P1  "));
  CHECK(contains(r.out, "█"));
}

TEST_CASE("stats memory stays flat however long the log") {
  // Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) that
  // looks like growth here, since every rejected ticket's message is a new string: keep
  // the child's small. Without a sanitizer the variable is ignored.
  const char* const asan = std::getenv("ASAN_OPTIONS");
  std::string options = asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : std::string();
  options += "quarantine_size_mb=1";
  REQUIRE(::setenv("ASAN_OPTIONS", options.c_str(), 1) == 0);
  const auto peak_kb = [](std::size_t bytes) {
    cli_test::live_rulecheck child({"stats", old_policy, "-"}, false);
    std::string block;
    for (int i = 0; block.size() < (1u << 20); ++i) {
      // Distinct ids, and every fourth ticket rejected with its own message.
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "u" + std::string.
      const std::string n = std::to_string(i);
      block.append("{\"id\": \"T-").append(n).append("\", \"urgency\": \"");
      if (i % 4 == 0) {
        block.append("u").append(n);
      } else {
        block.append("high");
      }
      block.append("\", \"tags\": [\"vpn\"], \"vip\": true}\n");
    }
    for (std::size_t sent = 0; sent < bytes; sent += block.size()) REQUIRE(child.write(block));
    const auto r = child.finish();
    CHECK(r.status == 1);
    return r.max_rss_kb;
  };
  const long small = peak_kb(std::size_t{1} << 20);
  const long large = peak_kb(std::size_t{32} << 20);
  CAPTURE(small);
  CAPTURE(large);
  CHECK(large < small + 8 * 1024);
}

TEST_CASE("stats exits with 2 when it cannot do its work") {
  SUBCASE("no ticket log") {
    const auto r = rulecheck({"stats", old_policy});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: expected a policy and a ticket log");
  }
  SUBCASE("an unknown format") {
    const auto r = rulecheck({"stats", old_policy, tickets, "--format", "xml"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: unknown format 'xml'; expected text or json");
  }
  SUBCASE("a ticket log that cannot be read") {
    const std::string missing = (cli_test::scratch() / "missing.jsonl").string();
    const auto r = rulecheck({"stats", old_policy, missing});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
    CHECK(r.out.empty());
  }
  SUBCASE("a policy that does not compile") {
    const std::string broken =
        scratch_file("broken.rules", "output team: enum { a } first\nteam if x -> a\n");
    const auto r = rulecheck({"stats", broken, tickets});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).back() == "rulecheck: error: policy '" + broken + "' does not compile");
    CHECK(r.out.empty());
  }
}

TEST_CASE("stats counts string values as first seen and the tickets that got none") {
  // new.rules: urgency is optional, so A6 is decided too; 'queue' (a string output without a
  // default) is "vip-desk" for the two VIP tickets, A1 and A7, and absent for the others.
  const auto r = rulecheck({"stats", data_dir + "new.rules", tickets, "--format", "json"});
  CHECK(r.status == 1);
  CHECK(contains(r.out, R"("tickets": 10, "evaluated": 7, "rejected": 3)"));
  CHECK(contains(r.out,
                 R"({"output": "queue", "policy": "first", "default": null, "by_rule": 2, )"
                 R"("by_default": 0, "none": 5, "values": [{"value": "vip-desk", "count": 2}], )"
                 R"("unlisted": 0})"));
  const auto text = rulecheck({"stats", data_dir + "new.rules", tickets});
  CHECK(contains(text.out,
                 "\nqueue  (first)  by a rule 2 (28.6%), no rule 5 (71.4%)\n"
                 "  \"vip-desk\"  2  28.6%  █████████\n"
                 "  (none)      5  71.4%  █████████████████████\n"));
}

TEST_CASE("stats lists the first 1000 distinct values of an output and counts the rest") {
  // Eleven flags weigh 1, 2, 4, ... 1024 in a sum: each ticket below has its own sum.
  std::string policy;
  for (int i = 0; i < 11; ++i) policy += "field b" + std::to_string(i) + ": bool\n";
  policy += "output score: int sum\n";
  for (int i = 0; i < 11; ++i)
    policy += "score if b" + std::to_string(i) + " -> " + std::to_string(1 << i) + "\n";
  std::string log;
  for (int n = 0; n < 1100; ++n) {
    log += "{";
    for (int i = 0; i < 11; ++i) {
      if (i != 0) log += ", ";
      log += "\"b" + std::to_string(i) + "\": " + (((n >> i) & 1) != 0 ? "true" : "false");
    }
    log += "}\n";
  }
  const auto r =
      rulecheck({"stats", scratch_file("sum.rules", policy), "-", "--format", "json"}, log);
  CHECK(r.status == 0);
  CHECK(contains(r.out, R"({"value": 0, "count": 1}, {"value": 1, "count": 1}, )"));
  CHECK(contains(r.out, R"({"value": 999, "count": 1}], "unlisted": 100})"));
  CHECK(!contains(r.out, R"({"value": 1000, )"));
  const auto text = rulecheck({"stats", scratch_file("sum.rules", policy), "-"}, log);
  CHECK(contains(text.out, "\n  (other values)  100  9.1%  ███\n"));
}

TEST_CASE("stats shows control characters in file names escaped in its text report") {
  // A file name is input too: a terminal escape in it must not reach the terminal raw.
  const std::string policy = scratch_file("p\x1b[2J\xC2\x9B.rules", cli_test::read_all(old_policy));
  const std::string log = scratch_file("t\x1b]0;x\x07.jsonl",
                                       "{\"id\": \"A1\", \"urgency\": \"low\"}\n"
                                       "{\"id\": \"A2\", \"urgency\": \"high\"}\n");
  const std::string shown_policy = (cli_test::scratch() / "p\\u{1b}[2J\\u{9b}.rules").string();
  const std::string shown_log = (cli_test::scratch() / "t\\u{1b}]0;x\\u{7}.jsonl").string();
  const auto r = rulecheck({"stats", policy, log});
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).at(0) ==
        shown_policy + " on " + shown_log + ": 2 tickets, 2 evaluated, 0 rejected (0.0%)");
  CHECK(contains(r.out, "\n  net  (" + shown_policy + ":14)\n"));
  CHECK(std::none_of(r.out.begin(), r.out.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n'; }));
}
