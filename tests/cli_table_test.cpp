// rulecheck table, run as users run it: the compiled decision tables as markdown and CSV.
#include <doctest/doctest.h>

#include <string>

#include "cli_run.hpp"

namespace {

using cli_test::lines_of;
using cli_test::rulecheck;
using cli_test::scratch_file;

// A rule with two disjuncts, a rule that can never match, an unlabeled rule (named
// file:line), and text with a comma, quotes and '|' that CSV and markdown must escape.
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
  static const std::string path = scratch_file("table.rules", policy_text);
  return path;
}

}  // namespace

TEST_CASE("table prints a markdown table per output, a row per disjunct, '-' for any") {
  const auto r = rulecheck({"table", policy()});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "## queue (first, default \"general, misc\")\n"
        "\n"
        "| rule | issue | tags | urgent | queue (first) |\n"
        "|---|---|---|---|---|\n"
        "| pipes | contains \"a\\|b\" | - | - | \"pipe \\\"ops\\\"\" |\n"
        "| " + policy() + ":10 | - | has vpn | false or missing | \"net\" |\n"
        "| (default) | - | - | - | \"general, misc\" |\n"
        "\n"
        "## urgent (any)\n"
        "\n"
        "| rule | urgency | sla | urgent (any) |\n"
        "|---|---|---|---|\n"
        "| hot (1/2) | - | < 2h | true |\n"
        "| hot (2/2) | == high | - | true |\n"
        "| never (never matches) | - | never | true |\n");
  CHECK(r.err.empty());
}

TEST_CASE("table --format csv prints one rectangular table with RFC 4180 quoting") {
  const auto r = rulecheck({"table", policy(), "--format", "csv"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "output,rule,issue,urgency,sla,tags,urgent,hit policy,value\n"
        "queue,pipes,\"contains \"\"a|b\"\"\",-,-,-,-,first,\"\"\"pipe \\\"\"ops\\\"\"\"\"\"\n"
        "queue," + policy() + ":10,-,-,-,has vpn,false or missing,first,\"\"\"net\"\"\"\n"
        "queue,(default),-,-,-,-,-,first,\"\"\"general, misc\"\"\"\n"
        "urgent,hot (1/2),-,-,< 2h,-,-,any,true\n"
        "urgent,hot (2/2),-,== high,-,-,-,any,true\n"
        "urgent,never (never matches),-,-,never,-,-,any,true\n");
}

TEST_CASE("the example policy's tables") {
  const std::string routing = cli_test::source_path("examples/routing.rules");
  const auto markdown = rulecheck({"table", routing, "--format", "markdown"});
  CHECK(markdown.status == 0);
  cli_test::check_golden("table/routing.md", markdown.out);
  const auto csv = rulecheck({"table", routing, "--format=csv"});
  CHECK(csv.status == 0);
  cli_test::check_golden("table/routing.csv", csv.out);
}

TEST_CASE("table exits with 2 on bad usage or a policy that does not compile") {
  SUBCASE("an unknown format") {
    const auto r = rulecheck({"table", policy(), "--format", "html"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) ==
          "rulecheck: error: unknown format 'html'; expected markdown or csv");
  }
  SUBCASE("two policies") {
    const auto r = rulecheck({"table", policy(), policy()});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: too many arguments");
  }
  SUBCASE("a policy that does not compile") {
    const std::string bad = scratch_file("bad.rules", "output urgent: flag\nurgent if\n");
    const auto r = rulecheck({"table", bad});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(lines_of(r.err).back() == "rulecheck: error: policy '" + bad + "' does not compile");
  }
}
