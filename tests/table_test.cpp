// Decision tables: normal form, negation and missing values, cells and their text, limits.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "triage/check.hpp"
#include "triage/table.hpp"

namespace {

constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();

// The schema every test's rules are written against.
constexpr const char* schema = R"(field issue: string
field urgency: enum { low, medium, high, critical }
field impact: enum { low, medium, high }
field sla: duration
field tags: tags
field repeat_client: bool
field reopened: int
field score: number
output priority: enum { P1, P2, P3, P4 } first
output urgent: flag
output notify: enum { manager, on_call, account_owner } collect
)";
constexpr std::uint32_t first_rule_line = 12;  // the line after the schema

struct compiled {
  triage::model m;
  triage::decision_table t;

  const triage::output_table& out(std::string_view name) const {
    for (const triage::output_table& o : t.outputs) {
      if (m.outputs[o.output].name == name) return o;
    }
    FAIL("no output " << name);
    return t.outputs.front();
  }
  // Every row of an output as "subject: cell | subject: cell", marked when contradictory.
  std::vector<std::string> rows(std::string_view output) const {
    std::vector<std::string> result;
    for (const triage::table_row& row : out(output).rows) {
      std::string text;
      for (const triage::cell& c : row.cells) {
        if (!text.empty()) text += " | ";
        text += std::string(triage::subject_name(m, c.subject)) + ": " + triage::cell_text(c, m, t);
      }
      if (row.contradictory) text += " (contradictory)";
      result.push_back(text);
    }
    return result;
  }
};

triage::check_result check_text(const std::string& rules, const triage::limits& lim = {}) {
  const triage::source_file src{"t.rules", std::string(schema) + rules};
  triage::check_result r = triage::parse_and_check(src, lim);
  std::string issues;
  for (const triage::diagnostic& d : r.issues) {
    if (d.level == triage::severity::error) issues += d.message + "\n";
  }
  REQUIRE_MESSAGE(r.ok(), issues);
  return r;
}

// Checks the rules (written after the schema) and builds their tables.
compiled table_of(const std::string& rules) {
  triage::check_result r = check_text(rules);
  triage::table_result t = triage::build_table(*r.value);
  REQUIRE(t.ok());
  return {std::move(*r.value), std::move(*t.value)};
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("a comparison becomes one row with one exact cell that rejects missing values") {
  const compiled c = table_of("urgent if sla >= 2h\n");
  const triage::output_table& out = c.out("urgent");
  CHECK(out.policy == triage::hit_policy::any);
  REQUIRE(out.rows.size() == 1);
  const triage::table_row& row = out.rows[0];
  CHECK(row.rule == 0);
  CHECK(c.m.rules[row.rule].name == "t.rules:" + std::to_string(first_rule_line));
  CHECK(row.disjunct == 0);
  CHECK_FALSE(row.value.has_value());
  CHECK_FALSE(row.contradictory);
  REQUIRE(row.cells.size() == 1);
  const triage::cell& cell = row.cells[0];
  CHECK(cell.kind == triage::cell_kind::integer);
  CHECK_FALSE(cell.accepts_missing);
  CHECK(cell.accepts_present);
  CHECK(cell.ints == std::vector<triage::int_range>{{7200, int_max}});
  CHECK(triage::cell_text(cell, c.m, c.t) == ">= 2h");
  CHECK(out.columns == std::vector<triage::subject_ref>{{triage::subject_ref::kind::field, 3}});
}

TEST_CASE("a negated comparison accepts missing values and the complement of its values") {
  const compiled c = table_of("urgent if not sla < 2h\n");
  const triage::cell& cell = c.out("urgent").rows.at(0).cells.at(0);
  CHECK(cell.accepts_missing);
  CHECK(cell.ints == std::vector<triage::int_range>{{7200, int_max}});
  CHECK(c.rows("urgent") == strings{"sla: >= 2h or missing"});
}

TEST_CASE("'!=' and 'not in' reject missing values and their negations accept them") {
  const compiled c = table_of(R"(urgent if urgency != low
urgent if not urgency != low
urgent if urgency not in [low, medium]
urgent if not urgency not in [low, medium]
urgent if issue != "x"
urgent if not issue != "x"
)");
  CHECK(c.out("urgent").rows[0].cells[0].members == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(c.rows("urgent") == strings{"urgency: in {medium, high, critical}", "urgency: == low or missing",
                                    "urgency: in {high, critical}", "urgency: in {low, medium} or missing",
                                    "issue: != \"x\"", "issue: == \"x\" or missing"});
}

TEST_CASE("'or' inside 'and' becomes one row per disjunct, with the rule and its value") {
  const compiled c = table_of("p1: priority if (urgency == high or impact == high) and sla < 2h -> P1\n"
                              "priority if urgency == low -> P4\n");
  const auto& rows = c.out("priority").rows;
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].rule == 0);
  CHECK(rows[1].rule == 0);
  CHECK(rows[2].rule == 1);
  CHECK(c.m.rules[0].name == "p1");
  CHECK(rows[0].disjunct == 0);
  CHECK(rows[1].disjunct == 1);
  CHECK(rows[2].disjunct == 0);
  CHECK(rows[1].value == std::optional<triage::scalar>{std::int64_t{0}});
  CHECK(rows[2].value == std::optional<triage::scalar>{std::int64_t{3}});
  CHECK(c.rows("priority") == strings{"urgency: == high | sla: < 2h", "impact: == high | sla: < 2h", "urgency: == low"});
  CHECK(c.out("priority").columns.size() == 3);
  CHECK(c.t.row_count() == 3);
}

TEST_CASE("negation is pushed down through 'and' and 'or' with De Morgan's laws") {
  const compiled c = table_of(R"(urgent if not (urgency == high and sla < 2h)
urgent if not (repeat_client or reopened > 0)
urgent if not not sla is missing
urgent if not (sla is present or (tags has "a" and not issue contains "b"))
)");
  CHECK(c.rows("urgent") == strings{"urgency: in {low, medium, critical} or missing", "sla: >= 2h or missing",
                                    "repeat_client: false or missing | reopened: <= 0 or missing",
                                    "sla: missing", "sla: missing | tags: not has a or missing",
                                    "issue: contains \"b\" | sla: missing"});
}

TEST_CASE("lets are expanded where they are used, in either polarity") {
  const compiled c = table_of(R"(let vip = tags has any ["vip", "exec"]
let calm = not vip and not urgency >= high
urgent if vip and sla < 8h
urgent if not vip
urgent if not calm
)");
  CHECK(c.rows("urgent") == strings{"sla: < 8h | tags: has any {vip, exec}",
                                    "tags: not has vip and not has exec or missing",
                                    "tags: has any {vip, exec}", "urgency: in {high, critical}"});
  CHECK(c.t.symbols == strings{"vip", "exec"});
}

TEST_CASE("cells on the same subject are intersected, and contradictions are marked") {
  const compiled c = table_of(R"(urgent if sla >= 1h and sla < 2h
urgent if sla < 1h and sla > 2h
urgent if sla is missing and sla is present
urgent if tags has "vpn" and not tags has any ["vpn", "dns"]
urgent if issue in ["a", "b"] and issue != "a"
urgent if urgency >= high and urgency < critical and not urgency is missing
)");
  CHECK(c.out("urgent").rows[0].cells[0].ints == std::vector<triage::int_range>{{3600, 7199}});
  CHECK(c.rows("urgent") == strings{"sla: >= 1h and < 2h", "sla: never (contradictory)",
                                    "sla: never (contradictory)", "tags: never (contradictory)",
                                    "issue: == \"b\"", "urgency: == high"});
}

TEST_CASE("an int compared with a number literal gets exact integer bounds") {
  const compiled c = table_of(R"(urgent if reopened < 2.5
urgent if reopened > 2.0
urgent if reopened == 2.5
urgent if reopened <= 100000000000000000000.0
urgent if reopened != 3
urgent if reopened in [1, 3]
urgent if reopened in [1, 2, 3] and reopened != 2
)");
  CHECK(c.out("urgent").rows[0].cells[0].ints == std::vector<triage::int_range>{{int_min, 2}});
  CHECK(c.out("urgent").rows[1].cells[0].ints == std::vector<triage::int_range>{{3, int_max}});
  CHECK(c.rows("urgent") == strings{"reopened: <= 2", "reopened: >= 3", "reopened: never (contradictory)",
                                    "reopened: present", "reopened: != 3", "reopened: in {1, 3}",
                                    "reopened: in {1, 3}"});
}

TEST_CASE("number cells keep open and closed ends") {
  const compiled c = table_of(R"(urgent if score > 0.5
urgent if not score > 0.5
urgent if score != 1.0
urgent if score >= 1.0 and score <= 1.0
urgent if score > 1 and score < 2
)");
  CHECK(c.rows("urgent") == strings{"score: > 0.5", "score: <= 0.5 or missing", "score: != 1.0", "score: == 1.0",
                                    "score: > 1.0 and < 2.0"});
  const triage::cell& open = c.out("urgent").rows[4].cells[0];
  REQUIRE(open.reals.size() == 1);
  CHECK(open.reals[0] == triage::real_range{1.0, 2.0, true, true});
}

TEST_CASE("string cells hold equality sets, excluded sets and substring tests") {
  const compiled c = table_of(R"(urgent if issue contains "VPN" and not issue starts_with "re:"
urgent if issue not in ["x", "y"]
urgent if issue ends_with "down" and not issue ends_with "DOWN"
urgent if issue in ["vpn down", "wifi"] and issue contains "VPN"
)");
  CHECK(c.rows("urgent") == strings{"issue: contains \"VPN\" and not starts_with \"re:\"",
                                    "issue: not in {\"x\", \"y\"}", "issue: never (contradictory)",
                                    "issue: == \"vpn down\""});
}

TEST_CASE("tag cells hold required, forbidden, at-least-one-of and not-all-of groups") {
  const compiled c = table_of(R"(urgent if tags has all ["vpn", "wifi"]
urgent if not tags has all ["vpn", "wifi"]
urgent if tags has any ["vpn", "dns"] and not tags has "dns"
urgent if tags is present
urgent if tags has "two words"
)");
  CHECK(c.rows("urgent") == strings{"tags: has vpn and has wifi", "tags: not has all {vpn, wifi} or missing",
                                    "tags: has vpn and not has dns", "tags: present", "tags: has \"two words\""});
}

TEST_CASE("outputs are subjects: flags as booleans, collect outputs as tag sets") {
  const compiled c = table_of(R"(output page: flag
page if repeat_client
notify if page and priority == P1 -> on_call
notify if priority is missing -> manager
urgent if notify has on_call
urgent if notify has any [manager, account_owner]
)");
  CHECK(c.rows("notify") == strings{"priority: == P1 | page: true", "priority: missing"});
  CHECK(c.rows("urgent") == strings{"notify: has on_call", "notify: has any {manager, account_owner}"});
  CHECK(c.out("notify").columns == std::vector<triage::subject_ref>{{triage::subject_ref::kind::output, 0},
                                                                     {triage::subject_ref::kind::output, 3}});
}

TEST_CASE("a table holds each output's hit policy and default") {
  const compiled c = table_of("output team: string first default \"desk\"\nteam if repeat_client -> \"vip\"\n");
  const triage::output_table& team = c.out("team");
  CHECK(team.policy == triage::hit_policy::first);
  CHECK(team.default_value == std::optional<triage::scalar>{std::string("desk")});
  CHECK(c.out("notify").policy == triage::hit_policy::collect);
  CHECK(c.out("notify").rows.empty());
  CHECK(c.rows("team") == strings{"repeat_client: true"});
}

TEST_CASE("durations and values print as policy text") {
  CHECK(triage::format_duration(0) == "0s");
  CHECK(triage::format_duration(5400) == "1h30m");
  CHECK(triage::format_duration(-900) == "-15m");
  CHECK(triage::format_duration(604800 + 86400 + 1) == "1w1d1s");
  CHECK(triage::format_duration(int_min) == "-15250284452471w3d15h30m8s");
  const compiled c = table_of("");
  CHECK(triage::value_text(c.m, triage::scalar{std::int64_t{2}}, 2) == "P3");
  CHECK(triage::value_text(c.m, triage::scalar{std::int64_t{90}}, triage::no_index, true) == "1m30s");
  CHECK(triage::value_text(c.m, triage::scalar{std::string("say \"hi\"")}) == "\"say \\\"hi\\\"\"");
  CHECK(triage::value_text(c.m, triage::scalar{2.0}) == "2.0");
  CHECK(triage::value_text(c.m, triage::scalar{true}) == "true");
  CHECK(triage::subject_name(c.m, {triage::subject_ref::kind::output, 1}) == "urgent");
}

TEST_CASE("a rule past the row limit is a limit-exceeded error naming the limit and the rule") {
  // 1 row, then (a or b) and (c or d) and (e or f): 8 rows.
  triage::check_result r = check_text("urgent if repeat_client\n"
                                      "big: urgent if (reopened == 0 or sla == 0s) and (reopened == 1 or sla == 1s)\n"
                                      "  and (reopened == 2 or sla == 2s)\n");
  triage::limits lim;
  SUBCASE("within the limit") {
    lim.max_table_rows = 9;
    const triage::table_result t = triage::build_table(*r.value, lim);
    REQUIRE(t.ok());
    CHECK(t.value->row_count() == 9);
  }
  SUBCASE("past it") {
    lim.max_table_rows = 8;
    const triage::table_result t = triage::build_table(*r.value, lim);
    CHECK_FALSE(t.ok());
    REQUIRE(t.issues.size() == 1);
    CHECK(t.issues[0].code == triage::diagnostic_code::limit_exceeded);
    CHECK(t.issues[0].level == triage::severity::error);
    CHECK(t.issues[0].where == r.value->rules[1].where);
    CHECK(t.issues[0].message == "rule 'big' expands to more decision-table rows than the limit max_table_rows (8)");
    REQUIRE(t.issues[0].notes.size() == 1);
    CHECK(t.issues[0].notes[0].message == "each 'or' inside an 'and' multiplies the rows of a rule");
  }
}

TEST_CASE("long chains of lets neither overflow the stack nor blow up") {
  // let l(k) = l(k-1) and l(k-1): 2^k comparisons if expanded naively, 100,000 deep.
  std::string rules = "let l0 = sla < 2h\n";
  for (int k = 1; k < 100'000; ++k) {
    rules += "let l" + std::to_string(k) + " = l" + std::to_string(k - 1) + " and l" + std::to_string(k - 1) + "\n";
  }
  rules += "urgent if l99999\nurgent if not l99999\n";
  const compiled c = table_of(rules);
  CHECK(c.rows("urgent") == strings{"sla: < 2h", "sla: >= 2h or missing"});
}

TEST_CASE("an exponential normal form stops at the limit instead of exhausting memory") {
  // let l(k) = (l(k-1) or tags has "a<k>") and (l(k-1) or tags has "b<k>"): the rows of
  // l(k) are about the square of those of l(k-1).
  std::string rules = "let l0 = tags has \"a0\"\n";
  for (int k = 1; k < 64; ++k) {
    const std::string n = std::to_string(k);
    const std::string prev = std::to_string(k - 1);
    rules += "let l" + n + " = (l" + prev + " or tags has \"a" + n + "\") and (l" + prev + " or tags has \"b" + n + "\")\n";
  }
  rules += "deep: urgent if l63\n";
  triage::check_result r = check_text(rules);
  const triage::table_result t = triage::build_table(*r.value);
  CHECK_FALSE(t.ok());
  REQUIRE(t.issues.size() == 1);
  CHECK(t.issues[0].code == triage::diagnostic_code::limit_exceeded);
  CHECK(t.issues[0].message ==
        "rule 'deep' expands to more decision-table rows than the limit max_table_rows (1000000)");
}
