// rulecheck test, run as users run it: the test blocks of policies, failures and counts.
#include <doctest/doctest.h>

#include <string>

#include "cli_run.hpp"

namespace {

using cli_test::lines_of;
using cli_test::rulecheck;
using cli_test::scratch_file;

// Two tests that pass and three that fail in different ways: wrong values for every output
// type, a ticket without a required field, and an output expected to be missing. The last
// test is indented, so its location has another column.
constexpr std::string_view mixed_policy =
    "field urgency: enum { low, high } required\n"
    "field tags: tags\n"
    "field note: string\n"
    "\n"
    "output priority: enum { P1, P2 } first\n"
    "output notify: enum { manager, on_call } collect\n"
    "output label: string first\n"
    "output risk: int sum\n"
    "output urgent: flag\n"
    "\n"
    "urgent if urgency == high\n"
    "priority if urgency == high -> P1\n"
    "notify if urgent -> on_call\n"
    "notify if tags has \"vip\" -> manager\n"
    "label if note contains \"x\" -> \"has x\"\n"
    "risk if tags has \"vip\" -> 5\n"
    "\n"
    "test \"a VIP with high urgency\" {\n"
    "  given urgency = high, tags = [\"vip\"]\n"
    "  expect priority = P1, notify = [manager, on_call], risk = 5, urgent = true\n"
    "}\n"
    "\n"
    "test \"low urgency decides nothing\" {\n"
    "  given urgency = low\n"
    "  expect priority is missing, label is missing, risk = 0, urgent = false\n"
    "}\n"
    "\n"
    "test \"every expectation wrong\" {\n"
    "  given urgency = low, note = \"X marks the spot\"\n"
    "  expect priority = P2, label = \"nope\", risk = 3, urgent = true, notify = [on_call]\n"
    "}\n"
    "\n"
    "test \"a ticket without its required field\" {\n"
    "  given tags = [\"vip\"]\n"
    "  expect risk = 5\n"
    "}\n"
    "\n"
    "  test \"an output expected to be missing\" {\n"
    "    given urgency = high\n"
    "    expect priority is missing, notify = [on_call]\n"
    "  }\n";

constexpr std::string_view passing_policy =
    "field urgency: enum { low, high } required\n"
    "output urgent: flag\n"
    "urgent if urgency == high\n"
    "test \"high is urgent\" {\n"
    "  given urgency = high\n"
    "  expect urgent = true\n"
    "}\n";

}  // namespace

TEST_CASE("each failing test is reported with its location and every output that differs") {
  const std::string path = scratch_file("mixed.rules", mixed_policy);
  const auto r = rulecheck({"test", path});
  CHECK(r.status == 1);
  CHECK(r.out == path + ":28:1: test 'every expectation wrong' failed\n"
                 "  priority: expected P2, found missing\n"
                 "  label: expected \"nope\", found \"has x\"\n"
                 "  risk: expected 3, found 0\n"
                 "  urgent: expected true, found false\n"
                 "  notify: expected [on_call], found []\n" +
                 path + ":33:1: test 'a ticket without its required field' failed: invalid "
                 "ticket: missing required field 'urgency'\n"
                 "  ticket: {\"tags\": [\"vip\"]}\n" +
                 path + ":38:3: test 'an output expected to be missing' failed\n"
                 "  priority: expected missing, found P1\n"
                 "2 passed, 3 failed\n");
  CHECK(r.err.empty());
}

TEST_CASE("a collect output compares as a set, whatever the order of its values") {
  // "a VIP with high urgency" expects [manager, on_call]; the decision is [on_call, manager].
  const std::string path = scratch_file("mixed.rules", mixed_policy);
  const auto r = rulecheck({"test", path});
  CHECK(r.out.find("a VIP with high urgency") == std::string::npos);
}

TEST_CASE("passing tests print only the count and exit with 0") {
  const std::string path = scratch_file("passing.rules", passing_policy);
  const auto r = rulecheck({"test", path});
  CHECK(r.status == 0);
  CHECK(r.out == "1 passed, 0 failed\n");
}

TEST_CASE("the count covers every file given") {
  const std::string passing = scratch_file("passing.rules", passing_policy);
  const std::string mixed = scratch_file("mixed.rules", mixed_policy);
  const auto r = rulecheck({"test", passing, mixed, passing});
  CHECK(r.status == 1);
  CHECK(lines_of(r.out).back() == "4 passed, 3 failed");
}

TEST_CASE("the example policy's tests all pass") {
  const auto r = rulecheck({"test", cli_test::source_path("examples/routing.rules")});
  CHECK(r.status == 0);
  CHECK(r.out == "7 passed, 0 failed\n");
}

TEST_CASE("test exits with 2 when it cannot run the tests") {
  SUBCASE("no file") {
    const auto r = rulecheck({"test"});
    CHECK(r.status == 2);
    CHECK(lines_of(r.err).at(0) == "rulecheck: error: no policy file given");
  }
  SUBCASE("a file that cannot be read") {
    const std::string missing = (cli_test::scratch() / "missing.rules").string();
    const auto r = rulecheck({"test", missing});
    CHECK(r.status == 2);
    CHECK(r.err == "rulecheck: error: cannot read '" + missing + "': No such file or directory\n");
    CHECK(r.out.empty());
  }
  SUBCASE("a policy that does not compile, even next to one that does") {
    const std::string passing = scratch_file("passing.rules", passing_policy);
    const std::string bad = scratch_file("bad.rules",
                                         "field urgency: enum { low, high } required\n"
                                         "output urgent: flag\n"
                                         "urgent if urgency == hihg\n");
    const auto r = rulecheck({"test", passing, bad});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    const auto err = lines_of(r.err);
    REQUIRE(err.size() >= 2);
    CHECK(err.front().starts_with(bad + ":3:22: error["));
    CHECK(err.back() == "rulecheck: error: policy '" + bad + "' does not compile");
  }
}

TEST_CASE("an invalid test ticket is printed as the test wrote it, tags the policy never tests included") {
  // The engine keeps only the tags a policy tests; the report must still show the ticket
  // the author wrote, or it points them at the wrong thing.
  const std::string path = scratch_file("unmentioned.rules",
                                        "field urgency: enum { low, high } required\n"
                                        "field tags: tags\n"
                                        "field sla: duration\n"
                                        "output urgent: flag\n"
                                        "urgent if tags has \"vip\" and sla < 1h\n"
                                        "test \"no urgency\" {\n"
                                        "  given tags = [\"printer\", \"vip\"], sla = 90m\n"
                                        "  expect urgent = false\n"
                                        "}\n");
  const auto r = rulecheck({"test", path});
  CHECK(r.status == 1);
  CHECK(r.out == path + ":6:1: test 'no urgency' failed: invalid ticket: missing required "
                        "field 'urgency'\n"
                        "  ticket: {\"tags\": [\"printer\", \"vip\"], \"sla\": \"1h30m\"}\n"
                        "0 passed, 1 failed\n");
}
