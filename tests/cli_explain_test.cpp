// rulecheck explain, run as users run it: why one ticket got its decision.
#include <doctest/doctest.h>

#include <string>

#include "cli_run.hpp"

namespace {

using cli_test::lines_of;
using cli_test::rulecheck;
using cli_test::scratch_file;

// A rule with two disjuncts, a rule that can never match, a flag another output reads,
// an unlabeled rule (named file:line) and a string output with a default.
constexpr std::string_view policy_text =
    "field issue: string required\n"
    "field urgency: enum { low, medium, high } required\n"
    "field sla: duration\n"
    "field tags: tags\n"
    "output queue: string first default \"general, misc\"\n"
    "output urgent: flag\n"
    "hot: urgent if sla < 2h or urgency == high\n"
    "never: urgent if sla < 1h and sla > 2h\n"
    "pipes: queue if issue contains \"a|b\" -> \"pipe \\\"ops\\\"\"\n"
    "queue if tags has \"vpn\" and not urgent -> \"net\"\n";

const std::string& policy() {
  static const std::string path = scratch_file("explain.rules", policy_text);
  return path;
}

// The ticket of the example policy's golden files: it matches some rules of every kind.
constexpr std::string_view routing_ticket =
    R"({"id": "T-1", "issue": "VPN down", "urgency": "high", "impact": "medium", "sla": "3h", "tags": ["vpn", "vip"], "reopened": 2})";

}  // namespace

TEST_CASE("explain shows every rule, the first failed constraint and the actual value") {
  const auto r = rulecheck({"explain", policy(), "--ticket",
                            R"({"issue": "a|b here", "urgency": "low", "sla": "1h30m", "tags": ["vpn"]})"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "ticket: {\"issue\": \"a|b here\", \"urgency\": \"low\", \"sla\": \"1h30m\", \"tags\": [\"vpn\"]}\n"
        "\n"
        "urgent = true  (any)\n"
        "  ✓ hot: sla < 2h or urgency == high\n"
        "  ✗ never: the condition can never hold\n"
        "\n"
        "queue = \"pipe \\\"ops\\\"\"  (first, default \"general, misc\")\n"
        "  ✓ pipes: issue contains \"a|b\" -> \"pipe \\\"ops\\\"\"  (decides)\n"
        "  ✗ " + policy() + ":10: not urgent  — urgent is true\n");
  CHECK(r.err.empty());
}

TEST_CASE("explain shows missing values, each failed disjunct and the default") {
  const std::string ticket = scratch_file("ticket.json", R"({"issue": "x", "urgency": "medium"})" "\n");
  const auto r = rulecheck({"explain", policy(), "--ticket-file", ticket});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "ticket: {\"issue\": \"x\", \"urgency\": \"medium\"}\n"
        "\n"
        "urgent = false  (any)\n"
        "  ✗ hot: sla < 2h  — sla is (missing); or urgency == high  — urgency is medium\n"
        "  ✗ never: the condition can never hold\n"
        "\n"
        "queue = \"general, misc\"  (first, default \"general, misc\")\n"
        "  ✗ pipes: issue contains \"a|b\"  — issue is \"x\"\n"
        "  ✗ " + policy() + ":10: tags has vpn  — tags is (missing)\n"
        "  no rule matched: the default \"general, misc\"\n");
}

TEST_CASE("explain reads the ticket file from standard input with '-'") {
  const auto r = rulecheck({"explain", policy(), "--ticket-file", "-"},
                           R"({"issue": "x", "urgency": "high"})");
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).at(2) == "urgent = true  (any)");
}

TEST_CASE("explain of the example policy, as text and as JSON") {
  const std::string routing = cli_test::source_path("examples/routing.rules");
  const auto text = rulecheck({"explain", routing, "--ticket", std::string(routing_ticket)});
  CHECK(text.status == 0);
  cli_test::check_golden("explain/routing.txt", text.out);
  const auto json =
      rulecheck({"explain", routing, "--ticket", std::string(routing_ticket), "--format", "json"});
  CHECK(json.status == 0);
  cli_test::check_golden("explain/routing.json", json.out);
}

TEST_CASE("an invalid ticket is reported with its error and exit status 1") {
  const auto r = rulecheck({"explain", policy(), "--ticket", R"({"issue": 1, "urgency": "low"})"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "rulecheck: error: invalid ticket: field 'issue': expected a string, found 1\n");
}

TEST_CASE("explain exits with 2 on bad usage") {
  SUBCASE("no ticket") {
    const auto r = rulecheck({"explain", policy()});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) ==
          "rulecheck: error: give the ticket with exactly one of --ticket and --ticket-file");
  }
  SUBCASE("two tickets") {
    const auto r = rulecheck({"explain", policy(), "--ticket", "{}", "--ticket-file", "-"});
    CHECK(r.status == 2);
  }
  SUBCASE("an unknown format") {
    const auto r = rulecheck({"explain", policy(), "--ticket", "{}", "--format", "yaml"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: unknown format 'yaml'; expected text or json");
  }
  SUBCASE("a ticket file that cannot be read") {
    const std::string missing = (cli_test::scratch() / "missing.json").string();
    const auto r = rulecheck({"explain", policy(), "--ticket-file", missing});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
  }
}
