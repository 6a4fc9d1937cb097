// The static analysis (include/triage/analyze.hpp): one case per finding, with exact
// codes, positions, messages, notes and example tickets, and clean policies that must stay
// silent. tests/analyze_brute_force_test.cpp checks it against brute force at random.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "triage/analyze.hpp"
#include "triage/policy.hpp"

namespace doctest {
// Failed comparisons show every finding, one a line.
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const std::string& line : v) out += "\n  " + line;
    return String((out + "\n}").c_str());
  }
};
}  // namespace doctest

namespace {

// A diagnostic as one line: "SEVERITY[CODE] LINE:COL MESSAGE" then " | note LINE:COL
// MESSAGE" per note and " | example JSON" when it has one.
std::string describe(const triage::source_file& src, const triage::diagnostic& d) {
  const triage::position at = src.position_of(d.where.begin);
  std::string out = fmt::format("{}[{}] {}:{} {}", triage::severity_name(d.level), triage::code_name(d.code),
                                at.line, at.column, d.message);
  for (const triage::diagnostic_note& n : d.notes) {
    const triage::position p = src.position_of(n.where.begin);
    out += fmt::format(" | note {}:{} {}", p.line, p.column, n.message);
  }
  if (!d.example_json.empty()) out += " | example " + d.example_json;
  return out;
}

// Compiles `text` and returns every finding of the analysis (compile must succeed).
std::vector<std::string> analysis_of(const std::string& text, const triage::analysis_options& options = {}) {
  const triage::compile_result r = triage::compile(text, "t.rules");
  REQUIRE_MESSAGE(r.ok(), text);
  std::vector<std::string> out;
  for (const triage::diagnostic& d : triage::analyze(r.value, options)) out.push_back(describe(*r.source, d));
  return out;
}

// Compiles `text`, which must be refused, and returns its error diagnostics.
std::vector<std::string> compile_errors_of(const std::string& text) {
  const triage::compile_result r = triage::compile(text, "t.rules");
  CHECK_FALSE(r.ok());
  std::vector<std::string> out;
  for (const triage::diagnostic& d : r.issues) {
    if (d.level == triage::severity::error) out.push_back(describe(*r.source, d));
  }
  return out;
}

using lines = std::vector<std::string>;

constexpr const char* itil_schema = R"(field impact: enum { low, medium, high } required
field urgency: enum { low, medium, high } required
output priority: enum { P1, P2, P3, P4, P5 } unique complete
)";

constexpr const char* itil_rules[] = {
    "p1: priority if impact == high and urgency == high -> P1\n",
    "p2a: priority if impact == high and urgency == medium -> P2\n",
    "p2b: priority if impact == medium and urgency == high -> P2\n",
    "p3a: priority if impact == high and urgency == low -> P3\n",
    "p3b: priority if impact == medium and urgency == medium -> P3\n",
    "p3c: priority if impact == low and urgency == high -> P3\n",
    "p4a: priority if impact == medium and urgency == low -> P4\n",
    "p4b: priority if impact == low and urgency == medium -> P4\n",
    "p5: priority if impact == low and urgency == low -> P5\n",
};

std::string itil_without(int skipped) {
  std::string text = itil_schema;
  for (int k = 0; k < 9; ++k) {
    if (k != skipped) text += itil_rules[k];
  }
  return text;
}

}  // namespace

TEST_CASE("a unique complete ITIL priority matrix of nine rules is proved clean") {
  CHECK(analysis_of(itil_without(-1)) == lines{});
}

TEST_CASE("an ITIL matrix missing one cell does not compile and names the missing cell") {
  CHECK(compile_errors_of(itil_without(4)) ==
        lines{"error[incomplete-output] 3:8 complete output 'priority' has no rule for some tickets"
              " | note 3:8 no rule of 'priority' matches the example ticket"
              " | example {\"impact\": \"medium\", \"urgency\": \"medium\"}"});
}

TEST_CASE("two rules of a unique output that both match a ticket are an error naming both") {
  CHECK(compile_errors_of(itil_without(-1) + "p1_vip: priority if impact == high and urgency >= medium -> P1\n") ==
        lines{"error[unique-overlap] 13:1 rules 'p1' and 'p1_vip' of unique output 'priority' both match some tickets"
              " | note 4:1 rule 'p1' also matches the example ticket"
              " | example {\"impact\": \"high\", \"urgency\": \"high\"}",
              "error[unique-overlap] 13:1 rules 'p2a' and 'p1_vip' of unique output 'priority' both match some tickets"
              " | note 5:1 rule 'p2a' also matches the example ticket"
              " | example {\"impact\": \"high\", \"urgency\": \"medium\"}"});
}

TEST_CASE("a rule of a first output taken entirely by an earlier rule is shadowed, with the rule and a ticket") {
  CHECK(analysis_of(R"(field urgency: enum { low, medium, high, critical } required
output priority: enum { P1, P2, P3 } first default P3
p1_high: priority if urgency >= high -> P1
p2_any: priority if urgency >= critical -> P2
p3: priority if urgency == low -> P3
)") == lines{"warning[shadowed-rule] 4:1 rule 'p2_any' can never decide 'priority'"
             " | note 3:1 every ticket it matches is matched first by rule 'p1_high'"
             " | example {\"urgency\": \"critical\"}"});
}

TEST_CASE("a rule shadowed by several earlier rules names each of them") {
  CHECK(analysis_of(R"(field n: int
output o: enum { A, B } first
a: o if n < 5 -> A
b: o if n > 10 -> A
c: o if n is missing -> B
d: o if n < 3 or n > 20 or n is missing -> B
)") == lines{"warning[shadowed-rule] 6:1 rule 'd' can never decide 'o'"
             " | note 3:1 rule 'a' matches some of its tickets first"
             " | note 4:1 rule 'b' matches some of its tickets first"
             " | note 5:1 rule 'c' matches some of its tickets first"
             " | example {}"});
}

TEST_CASE("a rule no valid ticket satisfies is reported, also when only the domain makes it so") {
  CHECK(analysis_of(R"(field sla: duration
field n: int
field e: enum { low, high } required
output urgent: flag
urgent if sla < 1h and sla > 2h
urgent if n > 2 and n < 3
urgent if e != low and e != high
urgent if n > 2.5
)") == lines{"warning[unsatisfiable-rule] 5:1 rule 't.rules:5' can never match",
             "warning[unsatisfiable-rule] 6:1 rule 't.rules:6' can never match",
             "warning[unsatisfiable-rule] 7:1 rule 't.rules:7' can never match"});
}

TEST_CASE("a number between two literals keeps a rule satisfiable that an int field would not") {
  CHECK(analysis_of(R"(field x: number
output urgent: flag
urgent if x > 2 and x < 3
)") == lines{});
}

TEST_CASE("a condition every valid ticket satisfies is always true, missing values included") {
  CHECK(analysis_of(R"(field sla: duration
field b: bool required
output urgent: flag
urgent if sla < 2h or sla >= 2h or sla is missing
urgent if sla < 2h or sla >= 2h
urgent if b or not b
)") == lines{"warning[always-true] 4:1 the condition of rule 't.rules:4' is always true",
             "warning[always-true] 6:1 the condition of rule 't.rules:6' is always true",
             // Both rules match every ticket, so they also match the same tickets.
             "warning[duplicate-rule] 6:1 rule 't.rules:6' duplicates rule 't.rules:4'"
             " | note 4:1 rule 't.rules:4' matches exactly the same tickets with the same value"});
}

TEST_CASE("a rule matching exactly the tickets of an earlier one with the same value is a duplicate") {
  CHECK(analysis_of(R"(field issue: string
field score: number
output priority: enum { P1, P2 } first
dup1: priority if issue contains "vpn" and score > 2.5 -> P2
dup2: priority if score > 2.5 and issue contains "VPN" -> P2
other: priority if score > 2.5 and issue contains "vpn" -> P1
)") == lines{"warning[duplicate-rule] 5:1 rule 'dup2' duplicates rule 'dup1'"
             " | note 4:1 rule 'dup1' matches exactly the same tickets with the same value",
             "warning[shadowed-rule] 6:1 rule 'other' can never decide 'priority'"
             " | note 4:1 every ticket it matches is matched first by rule 'dup1'"
             " | example {\"issue\": \"|vpn|\", \"score\": 3.0}"});
}

TEST_CASE("contains \"ab\" implies contains \"a\", and not the other way round") {
  CHECK(analysis_of(R"(field s: string
output o: enum { A, B } first
wide: o if s contains "A" -> A
narrow: o if s contains "ab" -> B
)") == lines{"warning[shadowed-rule] 4:1 rule 'narrow' can never decide 'o'"
             " | note 3:1 every ticket it matches is matched first by rule 'wide'"
             " | example {\"s\": \"|ab|\"}"});
  CHECK(analysis_of(R"(field s: string
output o: enum { A, B } first
narrow: o if s contains "ab" -> B
wide: o if s contains "a" -> A
)") == lines{});
}

TEST_CASE("a prefix and a suffix may overlap in a short string") {
  // "abcd" starts with "abc" and ends with "bcd" without containing "abc|bcd"-like text.
  CHECK(analysis_of(R"(field s: string
output o: flag
o if s starts_with "abc" and s ends_with "bcd" and not s contains "abcb" and not s contains "cbcd"
)") == lines{});
  CHECK(analysis_of(R"(field s: string required
output o: enum { A, B } unique complete
a: o if s starts_with "ab" -> A
b: o if not s starts_with "ab" -> B
)") == lines{});
}

TEST_CASE("comparisons on a missing field are false, so a complete output can have a gap at missing") {
  CHECK(compile_errors_of(R"(field sla: duration
field e: enum { a, b } required
output o: enum { A, B } first complete
o if sla < 1h -> A
o if sla >= 1h -> B
)") == lines{"error[incomplete-output] 3:8 complete output 'o' has no rule for some tickets"
             " | note 3:8 no rule of 'o' matches the example ticket"
             " | example {\"e\": \"a\"}"});
  CHECK(analysis_of(R"(field sla: duration
output o: enum { A, B } first complete
o if sla < 1h -> A
o if not sla < 1h -> B
)") == lines{});
}

TEST_CASE("a condition on another output stands for the rules that decide it") {
  CHECK(analysis_of(R"(field sla: duration
output urgent: flag
output priority: enum { P1, P2 } first
urgent if sla < 1h
p1: priority if urgent -> P1
p2: priority if sla < 30m -> P2
)") == lines{"warning[shadowed-rule] 6:1 rule 'p2' can never decide 'priority'"
             " | note 5:1 every ticket it matches is matched first by rule 'p1'"
             " | example {\"sla\": \"0s\"}"});
}

TEST_CASE("a tag set is reasoned about per tag") {
  CHECK(analysis_of(R"(field t: tags
output o: enum { A, B } first
a: o if t has "vpn" -> A
b: o if t has all ["vpn", "wifi"] -> B
c: o if t has any ["wifi", "dns"] and not t has "wifi" -> B
)") == lines{"warning[shadowed-rule] 4:1 rule 'b' can never decide 'o'"
             " | note 3:1 every ticket it matches is matched first by rule 'a'"
             " | example {\"t\": [\"vpn\", \"wifi\"]}"});
}

TEST_CASE("an output too large for the budget is analysed rule by rule, with a note for each rule over it") {
  triage::analysis_options small;
  small.max_tickets_per_output = 3;
  // n takes 2 classes (below 2 or missing; 2 and up), e 2 (a; another or missing): the
  // whole output needs 4 tickets. Rule 'a' alone needs 2; 'b' may meet 'a', so it needs n
  // and e: 4; 'c' can never match, so it meets no rule and needs 2.
  CHECK(analysis_of(R"(field n: int
field e: enum { a, b, c }
output o: enum { A, B } first
a: o if n > 1 -> A
b: o if e == a -> B
c: o if n > 5 and n < 1 -> B
)", small) == lines{"note[analysis-budget] 5:1 rule 'b' of 'o' needs 4 example tickets, more than the analysis budget"
                    " of 3 (max_tickets_per_output) | note 5:1 it was not checked",
                    "warning[unsatisfiable-rule] 6:1 rule 'c' can never match"});
}

TEST_CASE("a complete output too large for the budget says its gaps were not checked") {
  triage::analysis_options small;
  small.max_tickets_per_output = 2;
  CHECK(analysis_of(R"(field n: int required
field e: enum { a, b } required
output o: enum { A, B } first complete
a: o if n > 1 -> A
b: o if n <= 1 -> B
c: o if e == a -> B
)", small) == lines{"note[analysis-budget] 3:8 output 'o' needs 4 example tickets to check for gaps, more than the"
                    " analysis budget of 2 (max_tickets_per_output) | note 3:8 it was not checked for gaps",
                    // 'a' and 'b' never meet, so each needs 2; 'c' needs n and e.
                    "note[analysis-budget] 6:1 rule 'c' of 'o' needs 4 example tickets, more than the analysis"
                    " budget of 2 (max_tickets_per_output) | note 6:1 it was not checked"});
}

TEST_CASE("a field with more values than the work budget allows makes its output too large to analyse") {
  triage::analysis_options small;
  small.max_rule_checks_per_output = 8;  // ("a", "b", "c", another, missing) x 3 cells = 15
  CHECK(analysis_of(R"(field issue: string
output o: enum { A, B } first
o if issue == "a" -> A
o if issue == "b" -> B
o if issue == "c" -> B
)", small) == lines{"note[analysis-budget] 2:8 output 'o' depends on too many distinct values of field 'issue' to"
                    " analyse | note 2:8 its rules were not checked for overlaps, gaps or shadowing"});
}

TEST_CASE("rulecheck check prints the analysis with example tickets in text and JSON") {
  const std::string path = "analyze_test_cli.rules";
  {
    std::ofstream out(path);
    out << R"(field urgency: enum { low, medium, high, critical } required
output priority: enum { P1, P2, P3 } first default P3
p1_high: priority if urgency >= high -> P1
p2_any: priority if urgency >= critical -> P2
)";
  }
  const std::string command = std::string(TRIAGE_RULECHECK) + " check --format json " + path + " > analyze_test_cli.out 2> /dev/null";
  CHECK(std::system(command.c_str()) == 0);
  std::ifstream in("analyze_test_cli.out");
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(got ==
        "{\"file\": \"analyze_test_cli.rules\", \"line\": 4, \"column\": 1, \"end_column\": 7, \"severity\": \"warning\", "
        "\"code\": \"shadowed-rule\", \"message\": \"rule 'p2_any' can never decide 'priority'\", \"notes\": "
        "[{\"file\": \"analyze_test_cli.rules\", \"line\": 3, \"column\": 1, \"message\": \"every ticket it matches is "
        "matched first by rule 'p1_high'\"}], \"example\": {\"urgency\": \"critical\"}}\n");
  std::remove(path.c_str());
  std::remove("analyze_test_cli.out");
}

TEST_CASE("rulecheck check shows the warnings of a policy refused for an overlap, shadowing only for first outputs") {
  const std::string path = "analyze_test_refused.rules";
  {
    std::ofstream out(path);
    out << R"(field urgency: enum { low, medium, high, critical } required
field tags: tags
output team: enum { a, b } unique
ta: team if tags has "x" -> a
tb: team if tags has any ["x", "y"] -> b
never: team if urgency > critical -> a
)";
  }
  const std::string command =
      std::string(TRIAGE_RULECHECK) + " check --color never " + path + " > /dev/null 2> analyze_test_refused.out";
  CHECK(std::system(command.c_str()) != 0);
  std::ifstream in("analyze_test_refused.out");
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(got ==
        "analyze_test_refused.rules:5:1: error[unique-overlap]: rules 'ta' and 'tb' of unique output 'team' both match "
        "some tickets\n"
        "    5 | tb: team if tags has any [\"x\", \"y\"] -> b\n"
        "      | ^~\n"
        "      = example ticket: {\"urgency\": \"low\", \"tags\": [\"x\"]}\n"
        "analyze_test_refused.rules:4:1: note: rule 'ta' also matches the example ticket\n"
        "    4 | ta: team if tags has \"x\" -> a\n"
        "      | ^~\n"
        "analyze_test_refused.rules:6:1: warning[unsatisfiable-rule]: rule 'never' can never match\n"
        "    6 | never: team if urgency > critical -> a\n"
        "      | ^~~~~\n"
        "1 error, 1 warning\n");
  std::remove(path.c_str());
  std::remove("analyze_test_refused.out");
}
