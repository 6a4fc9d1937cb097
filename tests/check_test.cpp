// The checker: names, types, declarations, cycles and the model it builds (language
// reference sections 3 and 5). Policies are written as text and go through
// `parse_and_check`, as users' policies do.
#include "triage/check.hpp"

#include "check/order.hpp"
#include "check/suggest.hpp"
#include "spec_example.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <utility>

namespace {

struct checked {
  triage::source_file source;
  triage::check_result result;
  std::string issues;  // every diagnostic as "LINE:COLUMN code: message", notes indented
};

std::string show(const triage::source_file& src, const triage::diagnostics& issues) {
  std::string out;
  for (const triage::diagnostic& d : issues) {
    const triage::position p = src.position_of(d.where.begin);
    out += fmt::format("{}:{} {}: {}\n", p.line, p.column, triage::code_name(d.code), d.message);
    for (const triage::diagnostic_note& n : d.notes) {
      const triage::position q = src.position_of(n.where.begin);
      out += fmt::format("  note {}:{}: {}\n", q.line, q.column, n.message);
    }
  }
  return out;
}

checked run(std::string text, std::string name = "test.rules") {
  triage::source_file src{std::move(name), std::move(text)};
  triage::check_result result = triage::parse_and_check(src);
  std::string issues = show(src, result.issues);
  return {std::move(src), std::move(result), std::move(issues)};
}

std::int64_t as_int(const triage::scalar& v) { return std::get<std::int64_t>(v); }

const std::string routing_example = triage_test::spec_example_policy;

}  // namespace

// ---- the reference example ------------------------------------------------------------

TEST_CASE("the reference example checks clean and its model has the expected shape") {
  const checked c = run(routing_example, "routing.rules");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  const triage::model& m = *c.result.value;

  REQUIRE(m.fields.size() == 8);
  CHECK(m.fields[0].name == "issue");
  CHECK(m.fields[0].required);
  CHECK(m.fields[4].type == triage::field_type::duration);
  CHECK_FALSE(m.fields[4].required);
  REQUIRE(m.enums.size() == 7);  // urgency, impact, category, priority, team, escalate, notify
  CHECK(m.enums[m.fields[1].enum_index].members ==
        std::vector<std::string>{"low", "medium", "high", "critical"});

  REQUIRE(m.outputs.size() == 6);
  const auto& priority = m.outputs[0];
  CHECK(priority.policy == triage::hit_policy::first);
  REQUIRE(priority.default_value.has_value());
  CHECK(as_int(*priority.default_value) == 3);  // P4
  CHECK(priority.rules == std::vector<std::uint32_t>{2, 3, 4});
  CHECK(m.outputs[2].policy == triage::hit_policy::max);
  CHECK(m.outputs[3].policy == triage::hit_policy::any);
  CHECK(m.outputs[3].rules == std::vector<std::uint32_t>{0, 1});
  CHECK(m.outputs[4].policy == triage::hit_policy::collect);
  CHECK(m.outputs[5].policy == triage::hit_policy::sum);
  CHECK(m.outputs[2].reads == std::vector<std::uint32_t>{3});  // escalate reads urgent
  CHECK(m.outputs[4].reads == std::vector<std::uint32_t>{0});  // notify reads priority
  CHECK(m.outputs[0].reads.empty());
  // Dependencies first, otherwise declaration order.
  CHECK(m.evaluation_order == std::vector<std::uint32_t>{0, 1, 3, 2, 4, 5});

  // `let vip = tags has any ["vip", "exec"]`
  REQUIRE(m.lets.size() == 1);
  CHECK(m.lets[0].name == "vip");
  const triage::atom& vip = m.lets[0].condition.test;
  CHECK(m.lets[0].condition.of == triage::expr::kind::atom);
  CHECK(vip.subject == triage::subject_ref{triage::subject_ref::kind::field, 6});
  CHECK(vip.op == triage::atom_op::has_any);
  CHECK(vip.values == std::vector<triage::scalar>{std::string("vip"), std::string("exec")});

  REQUIRE(m.rules.size() == 13);
  // `urgent if sla < 2h`: the duration is in seconds; rules are named by position.
  CHECK(m.rules[0].name == "routing.rules:21");
  CHECK_FALSE(m.rules[0].label.has_value());
  CHECK(m.rules[0].output == 3);
  CHECK_FALSE(m.rules[0].value.has_value());
  CHECK(m.rules[0].condition.test.op == triage::atom_op::lt);
  CHECK(m.rules[0].condition.test.values == std::vector<triage::scalar>{std::int64_t{7200}});
  // `urgent if vip and sla < 8h`: the let stays a reference.
  const triage::expr& second = m.rules[1].condition;
  REQUIRE(second.of == triage::expr::kind::all_of);
  REQUIRE(second.operands.size() == 2);
  CHECK(second.operands[0].of == triage::expr::kind::let_ref);
  CHECK(second.operands[0].let_index == 0);
  CHECK(second.operands[1].test.values == std::vector<triage::scalar>{std::int64_t{28800}});
  // `priority if impact == high and urgency >= high -> P1`: members become indices.
  const triage::rule_def& p1 = m.rules[2];
  CHECK(p1.name == "routing.rules:24");
  REQUIRE(p1.value.has_value());
  CHECK(as_int(*p1.value) == 0);
  REQUIRE(p1.condition.operands.size() == 2);
  CHECK(p1.condition.operands[0].test.subject ==
        triage::subject_ref{triage::subject_ref::kind::field, 2});
  CHECK(p1.condition.operands[0].test.values == std::vector<triage::scalar>{std::int64_t{2}});
  CHECK(p1.condition.operands[1].test.op == triage::atom_op::ge);
  // `team if ... issue contains "phishing"`: the needle is kept as written.
  const triage::expr& security = m.rules[6].condition;
  REQUIRE(security.of == triage::expr::kind::any_of);
  CHECK(security.operands[1].test.op == triage::atom_op::contains);
  CHECK(security.operands[1].test.values == std::vector<triage::scalar>{std::string("phishing")});
  // `notify if priority == P1 -> on_call` reads an output.
  CHECK(m.rules[9].condition.test.subject ==
        triage::subject_ref{triage::subject_ref::kind::output, 0});
  CHECK(as_int(*m.rules[9].value) == 1);
  CHECK(as_int(*m.rules[11].value) == 10);

  REQUIRE(m.tests.size() == 1);
  const triage::test_def& t = m.tests[0];
  CHECK(t.name == "VPN outage for a repeat client");
  REQUIRE(t.given.size() == 6);
  CHECK(t.given[0].field == 1);
  CHECK(t.given[0].values == std::vector<triage::scalar>{std::int64_t{2}});
  CHECK(t.given[2].values == std::vector<triage::scalar>{std::int64_t{5400}});
  CHECK(t.given[3].values == std::vector<triage::scalar>{std::string("vpn")});
  CHECK(t.given[4].values == std::vector<triage::scalar>{true});
  REQUIRE(t.expect.size() == 6);
  CHECK(t.expect[2].output == 3);
  CHECK(t.expect[2].values == std::vector<triage::scalar>{true});
  CHECK(t.expect[4].output == 4);
  CHECK(t.expect[4].values == std::vector<triage::scalar>{std::int64_t{1}});
  CHECK_FALSE(t.expect[4].expect_missing);
}

TEST_CASE("a labelled rule is named by its label") {
  const checked c = run("field urgent: bool\noutput alert: flag\nhot: alert if urgent\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  CHECK(c.result.value->rules[0].name == "hot");
  CHECK(c.result.value->rules[0].label == std::optional<std::string>("hot"));
}

// ---- unknown names --------------------------------------------------------------------

TEST_CASE("a misspelled field is reported with a suggestion") {
  const checked c = run(
      "field sla: duration\n"
      "output urgent: flag\n"
      "urgent if slaa < 2h\n");
  CHECK(c.issues == "3:11 unknown-name: unknown field 'slaa'; did you mean 'sla'?\n");
  CHECK_FALSE(c.result.ok());
}

TEST_CASE("a name far from every declared one gets no suggestion") {
  const checked c = run(
      "field sla: duration\n"
      "output urgent: flag\n"
      "urgent if budget < 2h\n");
  CHECK(c.issues == "3:11 unknown-name: unknown field 'budget'\n");
}

TEST_CASE("a misspelled output in a rule is reported with a suggestion") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "priorty if urgency == high -> P1\n");
  CHECK(c.issues == "3:1 unknown-name: unknown output 'priorty'; did you mean 'priority'?\n");
}

TEST_CASE("a rule for a field or a let is reported where it names it") {
  const checked c = run(
      "field urgent: bool\n"
      "output alert: flag\n"
      "let hot = urgent\n"
      "alert if hot\n"
      "urgent if hot\n"
      "hot if urgent\n");
  CHECK(c.issues ==
        "5:1 unknown-name: 'urgent' is a field, not an output; only outputs have rules\n"
        "  note 1:7: 'urgent' is declared here\n"
        "6:1 unknown-name: 'hot' is a let, not an output; only outputs have rules\n"
        "  note 3:5: 'hot' is declared here\n");
}

TEST_CASE("a misspelled enum member is reported with a suggestion") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output urgent: flag\n"
      "urgent if urgency == hgih\n");
  CHECK(c.issues ==
        "3:22 unknown-name: 'hgih' is not a member of enum 'urgency'; did you mean 'high'?\n");
}

TEST_CASE("a member of a different enum is a type error that points at that enum") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "output urgent: flag\n"
      "priority if urgency == high -> P1\n"
      "urgent if priority == high\n");
  CHECK(c.issues ==
        "5:23 type-mismatch: 'high' is not a member of enum 'priority'\n"
        "  note 1:16: 'high' is a member of enum 'urgency', a different enum\n");
}

TEST_CASE("a member that differs only in case is suggested") {
  const checked c = run(
      "field urgent: bool\n"
      "output escalate: enum { L1, L2 }\n"
      "escalate if urgent -> l2\n");
  CHECK(c.issues ==
        "3:23 unknown-name: 'l2' is not a member of enum 'escalate'; did you mean 'L2'?\n");
}

TEST_CASE("an unknown bare name is suggested among lets, bool fields and flag outputs") {
  const checked c = run(
      "field tags: tags\n"
      "output urgent: flag\n"
      "let vip = tags has \"vip\"\n"
      "urgent if vpi\n");
  CHECK(c.issues == "4:11 unknown-name: unknown name 'vpi'; did you mean 'vip'?\n");
}

TEST_CASE("a let that uses a later let is reported with a note at the later one") {
  const checked c = run(
      "field tags: tags\n"
      "output urgent: flag\n"
      "let a = b\n"
      "let b = tags has \"vip\"\n"
      "urgent if a\n");
  CHECK(c.issues ==
        "3:9 unknown-name: 'b' is declared after this let; a let may only use names declared "
        "before it\n"
        "  note 4:5: 'b' is declared here\n");
}

TEST_CASE("a let that uses a field or output declared after it is reported") {
  const checked c = run(
      "output alert: flag\n"
      "let late = sla < 1h or alert or urgent\n"
      "field sla: duration\n"
      "output urgent: flag\n"
      "urgent if late\n"
      "alert if sla < 2h\n");
  CHECK(c.issues ==
        "2:12 unknown-name: 'sla' is declared after this let; a let may only use names "
        "declared before it\n"
        "  note 3:7: 'sla' is declared here\n"
        "2:33 unknown-name: 'urgent' is declared after this let; a let may only use names "
        "declared before it\n"
        "  note 4:8: 'urgent' is declared here\n");
}

TEST_CASE("a let that uses itself is reported") {
  const checked c = run(
      "field tags: tags\n"
      "output urgent: flag\n"
      "let a = a or tags has \"vip\"\n"
      "urgent if a\n");
  CHECK(c.issues == "3:9 unknown-name: let 'a' cannot use itself\n");
}

TEST_CASE("rules may use any let, and outputs and fields may be declared after their use") {
  const checked c = run(
      "urgent if priority == P1 or late\n"
      "priority if urgency >= high -> P1\n"
      "output urgent: flag\n"
      "output priority: enum { P1, P2 } first\n"
      "field urgency: enum { low, high }\n"
      "field sla: duration\n"
      "let late = sla < 0s\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  const triage::model& m = *c.result.value;
  CHECK(m.outputs[0].reads == std::vector<std::uint32_t>{1});
  CHECK(m.evaluation_order == std::vector<std::uint32_t>{1, 0});
}

TEST_CASE("names in tests must be fields in 'given' and outputs in 'expect'") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "field sla: duration\n"
      "output priority: enum { P1, P2 }\n"
      "output urgent: flag\n"
      "priority if urgency == high -> P1\n"
      "urgent if sla < 1h\n"
      "test \"checks\" {\n"
      "  given urgncy = high, sla = 30, priority = P1\n"
      "  expect priorty = P1, urgent is missing, urgency = high\n"
      "}\n");
  CHECK(c.issues ==
        "8:9 unknown-name: unknown field 'urgncy'; did you mean 'urgency'?\n"
        "8:30 type-mismatch: expected a duration, found integer '30'; write it with a unit, "
        "e.g. '30m'\n"
        "8:34 unknown-name: 'priority' is an output, not a field; 'given' sets fields of the "
        "ticket\n"
        "9:10 unknown-name: unknown output 'priorty'; did you mean 'priority'?\n"
        "9:24 type-mismatch: 'urgent' is never missing: a flag output is false when no rule "
        "matches\n"
        "9:43 unknown-name: 'urgency' is a field, not an output; 'expect' checks outputs\n");
}

TEST_CASE("test values are converted to the types of their fields and outputs") {
  const checked c = run(
      "field score: number\n"
      "field labels: tags\n"
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "output notify: enum { desk, on_call } collect\n"
      "priority if urgency == high and score > 0.5 -> P1\n"
      "notify if labels has \"vip\" -> on_call\n"
      "test \"typed\" {\n"
      "  given score = 2, labels = \"vip\", urgency = low\n"
      "  expect priority is missing, notify = [on_call, desk]\n"
      "}\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  const triage::test_def& t = c.result.value->tests[0];
  CHECK(t.given[0].values == std::vector<triage::scalar>{2.0});
  CHECK(t.given[1].values == std::vector<triage::scalar>{std::string("vip")});
  CHECK(t.given[2].values == std::vector<triage::scalar>{std::int64_t{0}});
  CHECK(t.expect[0].expect_missing);
  CHECK(t.expect[1].values == std::vector<triage::scalar>{std::int64_t{1}, std::int64_t{0}});
}

// ---- types ----------------------------------------------------------------------------

TEST_CASE("a bare name must be a bool field, a flag output or a let") {
  const checked c = run(
      "field sla: duration\n"
      "output priority: enum { P1, P2 }\n"
      "output urgent: flag\n"
      "priority if sla < 1h -> P1\n"
      "urgent if sla or priority\n");
  CHECK(c.issues ==
        "5:11 type-mismatch: 'sla' is a duration field, not a condition; a bare name must be a "
        "bool field, a flag output or a let\n"
        "5:18 type-mismatch: 'priority' is an enum output, not a condition; a bare name must be "
        "a bool field, a flag output or a let\n");
}

TEST_CASE("operators apply only to the types the reference lists") {
  const checked c = run(
      "field issue: string\n"
      "field reopened: int\n"
      "field tags: tags\n"
      "field vip: bool\n"
      "output urgent: flag\n"
      "urgent if issue < \"m\"\n"
      "urgent if reopened contains \"2\"\n"
      "urgent if issue has \"vpn\"\n"
      "urgent if tags == \"vpn\"\n"
      "urgent if tags in [\"vpn\"]\n"
      "urgent if vip >= true\n"
      "urgent if reopened has any [1]\n"
      "urgent if vip\n");
  CHECK(c.issues ==
        "6:17 type-mismatch: operator '<' does not apply to string field 'issue'; ordering needs "
        "an int, number, duration or enum\n"
        "7:20 type-mismatch: operator 'contains' does not apply to int field 'reopened'; it "
        "needs a string\n"
        "8:17 type-mismatch: operator 'has' does not apply to string field 'issue'; use "
        "'contains' to search text\n"
        "9:16 type-mismatch: operator '==' does not apply to tags field 'tags'; use 'has', "
        "'has any' or 'has all'\n"
        "10:16 type-mismatch: operator 'in' does not apply to tags field 'tags'; use 'has any' "
        "or 'has all'\n"
        "11:15 type-mismatch: operator '>=' does not apply to bool field 'vip'; ordering needs "
        "an int, number, duration or enum\n"
        "12:20 type-mismatch: operator 'has any' does not apply to int field 'reopened'; it "
        "needs a tags field or a collect output\n");
}

TEST_CASE("a compared let is a type error") {
  const checked c = run(
      "field vip: bool\n"
      "output urgent: flag\n"
      "let hot = vip\n"
      "urgent if hot == true\n");
  CHECK(c.issues ==
        "4:11 type-mismatch: 'hot' is a let (a named condition) and cannot be compared; use it "
        "on its own, e.g. 'hot' or 'not hot'\n");
}

TEST_CASE("list operators need a list and single-value operators refuse one") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "field tags: tags\n"
      "output urgent: flag\n"
      "urgent if urgency in high\n"
      "urgent if urgency == [low, high]\n"
      "urgent if tags has [\"a\", \"b\"]\n"
      "urgent if tags has all \"a\"\n");
  CHECK(c.issues ==
        "4:22 type-mismatch: operator 'in' expects a list, e.g. [high]\n"
        "5:22 type-mismatch: operator '==' expects one value, found a list; use 'in' to test "
        "membership\n"
        "6:20 type-mismatch: operator 'has' expects one value, found a list; use 'has any' or "
        "'has all'\n"
        "7:24 type-mismatch: operator 'has all' expects a list, e.g. [\"a\"]\n");
}

TEST_CASE("a bare integer where a duration is expected suggests a unit") {
  const checked c = run(
      "field sla: duration\n"
      "field reopened: int\n"
      "output urgent: flag\n"
      "urgent if sla < 90\n"
      "urgent if reopened > 2h\n"
      "urgent if sla in [1h, 1.5]\n");
  CHECK(c.issues ==
        "4:17 type-mismatch: expected a duration, found integer '90'; write it with a unit, "
        "e.g. '90m'\n"
        "5:22 type-mismatch: expected an integer, found duration '2h'\n"
        "6:23 type-mismatch: expected a duration, found number '1.5'; write it in whole units, "
        "e.g. '1h30m'\n");
}

TEST_CASE("int and number compare numerically") {
  const checked c = run(
      "field reopened: int\n"
      "field score: number\n"
      "output urgent: flag\n"
      "urgent if reopened > 1.5 or reopened in [1, 2.5]\n"
      "urgent if score >= 2\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  const triage::model& m = *c.result.value;
  const triage::expr& first = m.rules[0].condition;
  REQUIRE(first.operands.size() == 2);
  CHECK(first.operands[0].test.values == std::vector<triage::scalar>{1.5});
  CHECK(first.operands[1].test.values ==
        std::vector<triage::scalar>{std::int64_t{1}, 2.5});
  CHECK(m.rules[1].condition.test.values == std::vector<triage::scalar>{2.0});
}

TEST_CASE("strings and enum members are not interchangeable") {
  const checked c = run(
      "field issue: string\n"
      "field urgency: enum { low, high }\n"
      "output urgent: flag\n"
      "urgent if issue == phishing\n"
      "urgent if urgency == \"high\"\n"
      "urgent if urgency == 3\n");
  CHECK(c.issues ==
        "4:20 type-mismatch: expected a string, found name 'phishing'; write it in quotes: "
        "'\"phishing\"'\n"
        "5:22 type-mismatch: expected a member of enum 'urgency', found string '\"high\"'; write "
        "it without quotes: 'high'\n"
        "6:22 type-mismatch: expected a member of enum 'urgency', found integer '3'\n");
}

TEST_CASE("a collect output is tested with 'has' and values written as in its rules") {
  const checked ok = run(
      "field urgency: enum { low, high }\n"
      "output notify: enum { manager, on_call } collect\n"
      "output escalate: flag\n"
      "notify if urgency == high -> on_call\n"
      "escalate if notify has on_call or notify has all [manager, on_call]\n");
  CHECK(ok.issues == "");
  REQUIRE(ok.result.ok());
  const triage::model& m = *ok.result.value;
  CHECK(m.outputs[1].reads == std::vector<std::uint32_t>{0});
  CHECK(m.rules[1].condition.operands[0].test.values ==
        std::vector<triage::scalar>{std::int64_t{1}});
  CHECK(m.evaluation_order == std::vector<std::uint32_t>{0, 1});

  const checked bad = run(
      "field urgency: enum { low, high }\n"
      "output notify: enum { manager, on_call } collect\n"
      "output escalate: flag\n"
      "notify if urgency == high -> on_call\n"
      "escalate if notify == on_call\n"
      "escalate if notify has \"on_call\"\n");
  CHECK(bad.issues ==
        "5:20 type-mismatch: operator '==' does not apply to collect output 'notify'; use "
        "'has', 'has any' or 'has all'\n"
        "6:24 type-mismatch: expected a member of enum 'notify', found string '\"on_call\"'; "
        "write it without quotes: 'on_call'\n");
}

TEST_CASE("'is missing' applies to fields and to outputs that can be absent") {
  const checked c = run(
      "field sla: duration\n"
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "output team: enum { desk, network } default desk\n"
      "output flagged: flag\n"
      "output notify: enum { desk, on_call } collect\n"
      "priority if urgency == high -> P1\n"
      "team if priority is missing or sla is missing -> network\n"
      "notify if urgency == low -> desk\n"
      "flagged if team is missing\n"
      "flagged if notify is present\n");
  CHECK(c.issues ==
        "10:17 type-mismatch: 'team' is never missing: it has a default\n"
        "11:19 type-mismatch: 'notify' is always present: a collect output is an empty list "
        "when no rule matches\n");
}

TEST_CASE("rule values must have the output's type") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "output note: string\n"
      "output score: int\n"
      "priority if urgency == high -> \"P1\"\n"
      "note if urgency == high -> urgent\n"
      "score if urgency == high -> 2.5\n");
  CHECK(c.issues ==
        "5:32 type-mismatch: expected a member of enum 'priority', found string '\"P1\"'; write "
        "it without quotes: 'P1'\n"
        "6:28 type-mismatch: expected a string, found name 'urgent'; write it in quotes: "
        "'\"urgent\"'\n"
        "7:29 type-mismatch: expected an integer, found number '2.5'\n");
}

TEST_CASE("default values must have the output's type") {
  const checked c = run(
      "field urgent: bool\n"
      "output priority: enum { P1, P2 } default P9\n"
      "output score: int default \"high\"\n"
      "priority if urgent -> P1\n"
      "score if urgent -> 1\n");
  CHECK(c.issues ==
        "2:42 unknown-name: 'P9' is not a member of enum 'priority'\n"
        "3:27 type-mismatch: expected an integer, found string '\"high\"'\n");
}

// ---- values after '->' ----------------------------------------------------------------

TEST_CASE("a rule without a value and a flag rule with one are reported") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "output urgent: flag\n"
      "priority if urgency == high\n"
      "urgent if urgency == low -> true\n");
  CHECK(c.issues ==
        "4:1 missing-value: a rule for enum output 'priority' needs a value, e.g. '-> P1'\n"
        "5:26 unexpected-value: flag output 'urgent' takes no value; write 'urgent if "
        "CONDITION'\n");
}

// ---- declarations ---------------------------------------------------------------------

TEST_CASE("invalid output and field declarations are reported") {
  const checked c = run(
      "field escalated: flag\n"
      "output urgent: bool\n"
      "output score: number\n"
      "output team: string max\n"
      "output notify: enum { a, b } collect default a\n"
      "output priority: enum { P1, P2 } default P2 complete\n"
      "output risk: int sum complete\n"
      "output hot: flag first\n"
      "output cold: flag default true\n"
      "output total: int sum default 0\n"
      "output level: enum { a, b } sum\n");
  CHECK(c.issues ==
        "1:18 invalid-declaration: a field cannot be 'flag'; use 'bool' for a yes/no field\n"
        "2:16 invalid-declaration: an output cannot be 'bool'; use 'flag' for a yes/no decision\n"
        "3:15 invalid-declaration: an output cannot be 'number'; expected flag, enum, string or "
        "int\n"
        "4:21 invalid-declaration: hit policy 'max' does not apply to a string output; expected "
        "first, unique or collect\n"
        "5:38 invalid-declaration: 'default' is not allowed here: a collect output is an empty "
        "list when no rule matches\n"
        "6:45 invalid-declaration: 'complete' cannot be combined with 'default': an output with "
        "a default always has a value\n"
        "  note 6:34: the default is given here\n"
        "7:22 invalid-declaration: 'complete' is not allowed here: a sum output is 0 when no "
        "rule matches\n"
        "8:18 invalid-declaration: a flag output takes no hit policy; it is true when any of its "
        "rules matches\n"
        "9:19 invalid-declaration: 'default' is not allowed here: a flag output is false when "
        "no rule matches\n"
        "10:23 invalid-declaration: 'default' is not allowed here: a sum output is 0 when no "
        "rule matches\n"
        "11:29 invalid-declaration: hit policy 'sum' does not apply to an enum output; expected "
        "first, max, min, unique or collect\n");
}

TEST_CASE("a hit policy defaults to first, and to any for flags") {
  const checked c = run(
      "field urgent: bool\n"
      "output level: int\n"
      "output alert: flag\n"
      "level if urgent -> 2\n"
      "alert if level > 1\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  CHECK(c.result.value->outputs[0].policy == triage::hit_policy::first);
  CHECK(c.result.value->outputs[1].policy == triage::hit_policy::any);
}

TEST_CASE("a name declared twice is reported with a note at the first declaration") {
  const checked c = run(
      "field team: string\n"
      "field urgent: bool\n"
      "output team: enum { desk, network, desk }\n"
      "output alert: flag\n"
      "alert if urgent\n"
      "test \"same\" {\n"
      "  given urgent = true\n"
      "  expect alert = true\n"
      "}\n"
      "test \"same\" {\n"
      "  given urgent = false, urgent = true\n"
      "  expect alert = false\n"
      "}\n");
  CHECK(c.issues ==
        "3:8 duplicate-declaration: 'team' is already declared as a field\n"
        "  note 1:7: 'team' is first declared here\n"
        "3:36 duplicate-declaration: enum member 'desk' is listed twice\n"
        "  note 3:21: 'desk' is first listed here\n"
        "10:6 duplicate-declaration: test 'same' is already declared\n"
        "  note 6:6: test 'same' is first declared here\n"
        "11:25 duplicate-declaration: field 'urgent' is given twice in this test\n"
        "  note 11:9: 'urgent' is first given here\n");
}

TEST_CASE("a label used twice is reported with a note at the first use") {
  const checked c = run(
      "field urgent: bool\n"
      "output alert: flag\n"
      "hot: alert if urgent\n"
      "hot: alert if not urgent\n");
  CHECK(c.issues ==
        "4:1 duplicate-label: label 'hot' is already used\n"
        "  note 3:1: 'hot' is first used here\n");
}

// ---- cycles and sums ------------------------------------------------------------------

TEST_CASE("a cycle between outputs is named in order with notes at every reference") {
  const checked c = run(
      "field urgent: bool\n"
      "output a: flag\n"
      "output b: flag\n"
      "output c: flag\n"
      "a if b\n"
      "b if c and urgent\n"
      "c if a\n");
  CHECK(c.issues ==
        "2:8 output-cycle: outputs form a cycle: 'a' \u2192 'b' \u2192 'c' \u2192 'a'\n"
        "  note 5:6: 'a' reads 'b' here\n"
        "  note 6:6: 'b' reads 'c' here\n"
        "  note 7:6: 'c' reads 'a' here\n");
  CHECK_FALSE(c.result.ok());
}

TEST_CASE("an output that reads itself is a cycle of one") {
  const checked c = run(
      "output a: flag\n"
      "a if not a\n");
  CHECK(c.issues ==
        "1:8 output-cycle: outputs form a cycle: 'a' \u2192 'a'\n"
        "  note 2:10: 'a' reads 'a' here\n");
}

TEST_CASE("a cycle through a let names the let") {
  const checked c = run(
      "field urgent: bool\n"
      "output a: flag\n"
      "output b: flag\n"
      "let hot = a and urgent\n"
      "let hotter = hot\n"
      "b if hotter\n"
      "a if b\n");
  CHECK(c.issues ==
        "2:8 output-cycle: outputs form a cycle: 'a' \u2192 'b' \u2192 'a'\n"
        "  note 7:6: 'a' reads 'b' here\n"
        "  note 6:6: 'b' reads 'a' through let 'hotter'\n");
}

TEST_CASE("nested lets carry the fields and outputs they read") {
  const checked c = run(
      "field urgent: bool\n"
      "field sla: duration\n"
      "output priority: enum { P1, P2 }\n"
      "output alert: flag\n"
      "let late = sla < 1h\n"
      "let top = priority == P1 and late\n"
      "let page = top or urgent\n"
      "priority if late -> P1\n"
      "alert if page\n");
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  const triage::model& m = *c.result.value;
  CHECK(m.outputs[1].reads == std::vector<std::uint32_t>{0});
  CHECK(m.evaluation_order == std::vector<std::uint32_t>{0, 1});
  CHECK(m.lets[2].condition.operands[0].of == triage::expr::kind::let_ref);
  CHECK(m.lets[2].condition.operands[0].let_index == 1);
}

TEST_CASE("a sum that can overflow 64 bits is reported at the output") {
  const checked c = run(
      "field urgent: bool\n"
      "output risk: int sum\n"
      "output debt: int sum\n"
      "risk if urgent -> 9223372036854775807\n"
      "risk if not urgent -> 1\n"
      "debt if urgent -> -9223372036854775808\n"
      "debt if urgent -> 5\n"
      "debt if urgent -> -1\n");
  CHECK(c.issues ==
        "2:8 sum-overflow: sum output 'risk' can overflow: its positive rule values add up to "
        "more than 9223372036854775807\n"
        "  note 5:1: the total passes the limit with this rule\n"
        "3:8 sum-overflow: sum output 'debt' can overflow: its negative rule values add up to "
        "less than -9223372036854775808\n"
        "  note 8:1: the total passes the limit with this rule\n");
}

TEST_CASE("a sum that reaches the 64-bit limit exactly is accepted") {
  const checked c = run(
      "field urgent: bool\n"
      "output risk: int sum\n"
      "risk if urgent -> 9223372036854775806\n"
      "risk if not urgent -> 1\n"
      "risk if urgent -> -9223372036854775807\n"
      "risk if urgent -> -1\n");
  CHECK(c.issues == "");
  CHECK(c.result.ok());
}

// ---- warnings -------------------------------------------------------------------------

TEST_CASE("declarations no rule uses are warnings and the policy still compiles") {
  const checked c = run(
      "field urgent: bool\n"
      "field spare: int\n"
      "output alert: flag\n"
      "output idle: flag\n"
      "let unused_let = urgent\n"
      "let helper = spare > 1\n"
      "let outer = helper\n"
      "alert if urgent\n"
      "test \"tests do not count as uses\" {\n"
      "  given spare = 1\n"
      "  expect alert = false, idle = false\n"
      "}\n");
  CHECK(c.issues ==
        "2:7 unused-declaration: field 'spare' is not used by any rule\n"
        "4:8 unused-declaration: output 'idle' is never decided: it has no rules\n"
        "5:5 unused-declaration: let 'unused_let' is not used by any rule\n"
        "6:5 unused-declaration: let 'helper' is not used by any rule\n"
        "7:5 unused-declaration: let 'outer' is not used by any rule\n");
  CHECK(c.result.ok());
  CHECK(c.result.issues[0].level == triage::severity::warning);
}

TEST_CASE("a field used only through a let counts as used") {
  const checked c = run(
      "field spare: int\n"
      "output alert: flag\n"
      "let helper = spare > 1\n"
      "let outer = helper\n"
      "alert if outer\n");
  CHECK(c.issues == "");
}

// ---- robustness -----------------------------------------------------------------------

TEST_CASE("an invalid literal reported by the parser is not reported again") {
  const checked c = run(
      "field reopened: int\n"
      "output urgent: flag\n"
      "urgent if reopened > 99999999999999999999\n");
  REQUIRE(c.result.issues.size() == 1);
  CHECK(c.result.issues[0].code == triage::diagnostic_code::invalid_literal);
  CHECK_FALSE(c.result.ok());
}

TEST_CASE("a chain of 100,000 lets checks quickly without deep recursion") {
  std::string text = "field vip: bool\noutput alert: flag\noutput page: flag\npage if vip\n";
  text += "let l0 = vip and page\n";
  constexpr int count = 100'000;
  for (int i = 1; i < count; ++i) text += fmt::format("let l{} = l{} or page\n", i, i - 1);
  text += fmt::format("alert if l{}\n", count - 1);
  const auto start = std::chrono::steady_clock::now();
  const checked c = run(std::move(text));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(c.issues == "");
  REQUIRE(c.result.ok());
  CHECK(c.result.value->lets.size() == count);
  CHECK(c.result.value->outputs[0].reads == std::vector<std::uint32_t>{1});
  CHECK(c.result.value->evaluation_order == std::vector<std::uint32_t>{1, 0});
  // Generous: parse and check together take well under a second in any build.
  CHECK(elapsed < std::chrono::seconds(10));
}

TEST_CASE("a hand-built tree nested past the limit is reported, not a crash") {
  // The parser limits nesting; `check` also accepts trees built by hand.
  triage::ast::policy tree;
  tree.fields.push_back({{"vip", {}}, {triage::ast::type_name::boolean, {}, {}}, {}, {}});
  tree.outputs.push_back({});
  tree.outputs[0].name = {"alert", {}};
  tree.outputs[0].type.name = triage::ast::type_name::flag;
  triage::ast::condition cond;
  cond.kind = triage::ast::condition_kind::name;
  cond.subject = {"vip", {}};
  for (int i = 0; i < 5'000; ++i) {
    triage::ast::condition outer;
    outer.kind = triage::ast::condition_kind::negate;
    outer.operands.push_back(std::move(cond));
    cond = std::move(outer);
  }
  tree.rules.push_back({});
  tree.rules[0].output = {"alert", {}};
  tree.rules[0].cond = std::move(cond);
  const triage::source_file src{"hand.rules", ""};
  const triage::check_result result = triage::check(tree, src);
  REQUIRE(result.issues.size() == 1);
  CHECK(result.issues[0].code == triage::diagnostic_code::limit_exceeded);
  CHECK(result.issues[0].message == "condition nests deeper than max_nesting (64 levels)");
  CHECK_FALSE(result.ok());
}

TEST_CASE("a condition nested to the limit through alternating or and and checks clean") {
  // Parentheses leave no node, so each level of `a or b and (...)` adds two tree levels:
  // the checker's own guard must not refuse what the parser accepted.
  std::string cond = "vip";
  for (int i = 0; i < 64; ++i) cond = "vip or vip and (" + cond + ")";
  const std::string text = "field vip: bool\noutput alert: flag\nalert if " + cond + "\n";
  const triage::source_file src{"deep.rules", text};
  const triage::check_result result = triage::parse_and_check(src);
  CHECK(result.issues.empty());
  CHECK(result.ok());
}

TEST_CASE("a hand-built tree with a malformed condition is reported, not passed on") {
  triage::ast::policy tree;
  tree.fields.push_back({{"level", {}}, {triage::ast::type_name::integer, {}, {}}, {}, {}});
  tree.outputs.push_back({});
  tree.outputs[0].name = {"alert", {}};
  tree.outputs[0].type.name = triage::ast::type_name::flag;
  tree.rules.push_back({});
  tree.rules[0].output = {"alert", {}};
  tree.rules[0].cond.kind = triage::ast::condition_kind::all_of;
  tree.rules.push_back({});
  tree.rules[1].output = {"alert", {}};
  tree.rules[1].cond.kind = triage::ast::condition_kind::compare;
  tree.rules[1].cond.subject = {"level", {}};
  tree.rules[1].cond.op = triage::ast::compare_op::gt;
  const triage::source_file src{"hand.rules", ""};
  const triage::check_result result = triage::check(tree, src);
  REQUIRE(result.issues.size() == 2);
  CHECK(result.issues[0].message == "malformed condition: wrong number of operands");
  CHECK(result.issues[1].message == "malformed condition: operator '>' has no value");
  CHECK_FALSE(result.ok());
}

TEST_CASE("a list is refused where a test expects one value") {
  const checked c = run(
      "field urgency: enum { low, high }\n"
      "output priority: enum { P1, P2 }\n"
      "priority if urgency == high -> P1\n"
      "test \"lists\" {\n"
      "  given urgency = [low, high]\n"
      "  expect priority = [P1]\n"
      "}\n");
  CHECK(c.issues ==
        "5:9 type-mismatch: expected one value for enum field 'urgency', found a list\n"
        "6:10 type-mismatch: expected one value for enum output 'priority', found a list\n");
}

TEST_CASE("string and int outputs take the operators of their types") {
  const checked c = run(
      "field issue: string\n"
      "output queue: string first\n"
      "output level: int max\n"
      "output page: flag\n"
      "queue if issue starts_with \"VPN\" -> \"network\"\n"
      "level if issue ends_with \"!\" -> 3\n"
      "page if queue contains \"net\" or level >= 2\n"
      "page if queue >= \"a\"\n");
  CHECK(c.issues ==
        "8:15 type-mismatch: operator '>=' does not apply to string output 'queue'; ordering "
        "needs an int, number, duration or enum\n");
}

TEST_CASE("inside a let, only names declared before it are suggested") {
  const checked c = run(
      "field tags: tags\n"
      "output alert: flag\n"
      "let vipp = tags has \"vip\"\n"
      "let late = vip\n"
      "let vip = tags has \"exec\"\n"
      "alert if late or vip\n");
  CHECK(c.issues == "4:12 unknown-name: 'vip' is declared after this let; a let may only use "
                    "names declared before it\n"
                    "  note 5:5: 'vip' is declared here\n");
  const checked typo = run(
      "field tags: tags\n"
      "output alert: flag\n"
      "let late = vipp\n"
      "let vip = tags has \"exec\"\n"
      "alert if late or vip\n");
  CHECK(typo.issues == "3:12 unknown-name: unknown name 'vipp'\n");
}

// ---- internals: suggestions and the output graph --------------------------------------

TEST_CASE("edit distance counts a swap of neighbours as one edit") {
  CHECK(triage::detail::edit_distance("hgih", "high", 2) == 1);
  CHECK(triage::detail::edit_distance("slaa", "sla", 2) == 1);
  CHECK(triage::detail::edit_distance("kitten", "sitting", 5) == 3);
  CHECK(triage::detail::edit_distance("abcdef", "uvwxyz", 2) == 3);  // capped at limit + 1
}

TEST_CASE("a suggestion must be close relative to the name's length") {
  triage::detail::suggester short_name{"x"};
  short_name.offer("y");
  CHECK_FALSE(short_name.best().has_value());
  triage::detail::suggester typo{"priorty"};
  typo.offer("team");
  typo.offer("priority");
  CHECK(typo.best() == std::optional<std::string_view>("priority"));
  triage::detail::suggester cased{"l2"};
  cased.offer("L1");
  cased.offer("L2");
  CHECK(cased.best() == std::optional<std::string_view>("L2"));
}

TEST_CASE("each group of outputs that read each other gives one cycle") {
  // 0 -> 1 -> 2 -> 0 and 1 -> 0; 3 -> 3; 4 -> 0 (not on a cycle); 5 -> 6 -> 5.
  const triage::detail::output_graph reads{{1}, {0, 2}, {0}, {3}, {0}, {6}, {5}};
  const auto cycles = triage::detail::find_cycles(reads);
  REQUIRE(cycles.size() == 3);
  CHECK(cycles[0] == std::vector<std::uint32_t>{0, 1});  // the shortest way back
  CHECK(cycles[1] == std::vector<std::uint32_t>{3});
  CHECK(cycles[2] == std::vector<std::uint32_t>{5, 6});
}

TEST_CASE("the evaluation order puts dependencies first and is otherwise declaration order") {
  const triage::detail::output_graph reads{{3}, {}, {0}, {}, {1}};
  CHECK(triage::detail::evaluation_order(reads) == std::vector<std::uint32_t>{1, 3, 0, 2, 4});
  // A long chain is ordered without recursion.
  triage::detail::output_graph chain(50'000);
  for (std::uint32_t i = 0; i + 1 < chain.size(); ++i) chain[i] = {i + 1};
  const auto order = triage::detail::evaluation_order(chain);
  CHECK(order.front() == 49'999);
  CHECK(order.back() == 0);
  CHECK(triage::detail::find_cycles(chain).empty());
}
